"""Small helpers the planning views share: query-string numbers, downloads."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from kernel.models import District
from kernel.scoping import in_area
from kernel.spreadsheets import XLSX_CONTENT_TYPE
from kernel.web import query_int

from ..selectors import next_plan_year, plan_years


def number(request: HttpRequest, name: str, default: int | None, low: int, high: int):
    """An integer query parameter within [low, high], else `default` (kernel.web)."""
    return query_int(request, name, default=default, low=low, high=high)


def year_of(request: HttpRequest) -> int:
    """The plan year asked for (one of the offered years), next year by default."""
    year = number(request, "year", next_plan_year(), 2000, 2100)
    return year if year in plan_years() else next_plan_year()


def districts_for(request: HttpRequest):
    """Districts a province reviewer or administrator may filter by (scoped); none for others,
    who see one district at most."""
    user = request.user
    if getattr(user, "district_id", None) or getattr(user, "puskesmas_id", None):
        return District.objects.none()
    return in_area(District.objects.all(), user).order_by("code")


def district_of(request: HttpRequest, districts) -> int | None:
    """The district chosen in the filter, if it is one the user may choose."""
    chosen = number(request, "district", None, 1, 2**31)
    return chosen if chosen and districts.filter(pk=chosen).exists() else None


def wants_pdf(request: HttpRequest) -> bool:
    return request.GET.get("format") == "pdf"


def download(content: bytes, *, filename: str, pdf: bool = False) -> HttpResponse:
    content_type = "application/pdf" if pdf else XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if pdf else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
