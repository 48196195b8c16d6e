"""Demo plans (skeleton: filled in by its owner)."""


def demo_seed() -> None:
    """Load (or refresh) the demo RUKs and RPKs; idempotent."""
