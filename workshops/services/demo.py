"""Demo meetings (skeleton: filled in by its owner)."""


def demo_seed() -> None:
    """Load (or refresh) the demo meetings; idempotent."""
