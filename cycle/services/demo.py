"""Demo data of the SPM cycle (filled by the demo part)."""


def demo_seed() -> None:
    return None
