"""Demo data of the community layer's indicators part (issue #17), for `manage.py seed_demo`."""


def seed() -> None:
    """Filled by the indicators part."""
