"""Helpers shared by the targets pages: labels, the year asked for, where the overview lives and
who may plan or import for a district."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kernel.models import District

from ... import selectors, services
from ...models import SPMService, Target
from ...rights import can_manage_targets

Source = Target.Source


def _service_label(service: SPMService) -> str:
    """A service by its target group, which is what a target counts: "1. Estimated pregnant
    women"."""
    return f"{service.number}. {service.denominator}"


def _year(request, years: list[int] | None = None) -> int:
    years = selectors.target_years() if years is None else years
    return selectors.target_year(request.POST.get("year") or request.GET.get("year"), years)


def _overview_url(year: int, district: District | None = None) -> str:
    url = f"{reverse('indicators:target-list')}?year={year}"
    return f"{url}&district={district.pk}" if district else url


def _can_import(user) -> bool:
    try:
        services.target_import_scope(by=user)
    except PermissionDenied:
        return False
    return True


def _planner_district(request) -> District:
    district = request.user.district if request.user.district_id else None
    if district is None or not can_manage_targets(request.user, district):
        raise PermissionDenied
    return district
