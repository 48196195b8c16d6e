"""Reads about meetings, always scoped by indicators.scoping; one module per part, re-exported."""

from .followups import open_items_for  # noqa: F401
