"""Demo data of the community layer's reviews part (issue #17), for `manage.py seed_demo`."""


def seed() -> None:
    """Filled by the reviews part."""
