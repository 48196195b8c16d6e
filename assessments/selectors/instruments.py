"""Reads of the instrument editions (issue #18): national data every signed-in user reads."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from ..models import Instrument, Item, Section
from ..models.mentoring import CapacityAssessment
from ..models.pkp import PkpAssessment
from ..models.supervision import SupervisionVisit


def instrument_list(*, kind: str = "") -> QuerySet[Instrument]:
    """Every edition (of `kind`), with `item_count` and `in_use` in the same query."""
    editions = Instrument.objects.annotate(
        item_count=Count("sections__items", distinct=True),
        in_use=(
            Exists(PkpAssessment.objects.filter(instrument=OuterRef("pk")))
            | Exists(CapacityAssessment.objects.filter(instrument=OuterRef("pk")))
            | Exists(SupervisionVisit.objects.filter(instrument=OuterRef("pk")))
        ),
    ).order_by("kind", "code", "-valid_from")
    if kind:
        editions = editions.filter(kind=kind)
    return editions


def instrument_detail() -> QuerySet[Instrument]:
    """Editions with their sections, items (SPM service), levels and bands: a fixed number of
    queries for one edition's page."""
    items = Item.objects.select_related("service").prefetch_related("levels")
    sections = Section.objects.prefetch_related(Prefetch("items", queryset=items))
    return Instrument.objects.prefetch_related(
        Prefetch("sections", queryset=sections), "bands"
    ).select_related("created_by")
