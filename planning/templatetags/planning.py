"""Template filters for plan pages: labels and amounts only (no queries, no workflow)."""

from django import template

from ..models import Plan
from ..money import rupiah as format_rupiah

register = template.Library()


@register.filter
def plan_status_label(value: str) -> str:
    """The label of a plan status code ("" for none)."""
    return str(Plan.Status(value).label) if value in Plan.Status.values else ""


@register.filter
def rupiah(value) -> str:
    """A whole amount grouped the active language's way (1.500.000); "–" for nothing."""
    return format_rupiah(value) if value is not None else "–"
