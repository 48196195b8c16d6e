"""Trends (issue #15 must-have 6): one SPM service month by month and year on year, for the
user's area and each area below it, with SVG charts, the table of their numbers and .xlsx
(`?format=xlsx&table=months|areas|services`).

`trends/` opens the user's own area (puskesmas, district, province; the country for system
administrators); a district or puskesmas below it opens by id, scoped.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kernel.models import District, Puskesmas
from kernel.roles import (
    is_district_planner,
    is_province_reviewer,
    is_puskesmas_member,
    is_system_admin,
    reads_approved_only,
)
from kernel.scoping import get_in_area_or_404
from kernel.web import export, query_int, query_year, wants_xlsx

from ..selectors.trends import Area, Trends, trends

Table = tuple[list[str], Callable[[], list[list]]]


@login_required
@require_safe
def trends_home(request):
    user = request.user
    if is_puskesmas_member(user) and user.puskesmas_id:
        return _page(request, user.puskesmas)
    if is_district_planner(user) and user.district_id:
        return _page(request, user.district)
    if is_province_reviewer(user) and user.province_id:
        return _page(request, user.province)
    if is_system_admin(user):
        return _page(request, None)
    return render(request, "indicators/dashboard_none.html")


@login_required
def trends_district(request, pk):
    district = get_in_area_or_404(District.objects.select_related("province"), request.user, pk=pk)
    if is_puskesmas_member(request.user):
        raise PermissionDenied  # a puskesmas follows its own trends, not its neighbours'
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return _page(request, district)


@login_required
def trends_puskesmas(request, pk):
    puskesmas = get_in_area_or_404(
        Puskesmas.objects.select_related("district"), request.user, pk=pk
    )
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return _page(request, puskesmas)


def _page(request, area: Area):
    number = query_int(request, "service", default=None, low=1, high=99)
    data = trends(user=request.user, area=area, year=query_year(request), number=number)
    if wants_xlsx(request):
        return _export(request, data)
    _links(request, data)
    context = {
        "data": data,
        "area_name": _area_name(data),
        "children_heading": _children_heading(data.level),
        "child_label": _child_label(data.level),
        "parent_url": _parent_url(request, data),
        "approved_only": reads_approved_only(request.user),
        "query": f"service={data.service.number if data.service else ''}&year={data.year}",
    }
    return render(request, "indicators/trends.html", context)


def _area_name(data: Trends) -> str:
    return data.area.name if data.area is not None else _("All provinces")


def _children_heading(level: str) -> str:
    return {
        "puskesmas": _("By desa"),
        "district": _("By puskesmas"),
        "province": _("By district"),
        "country": _("By province"),
    }[level]


def _child_label(level: str) -> str:
    return {
        "puskesmas": _("Desa"),
        "district": "Puskesmas",
        "province": _("District"),
        "country": _("Province"),
    }[level]


def _links(request, data: Trends) -> None:
    """Each puskesmas or district below links to its own trends, same service and year."""
    if data.level not in ("district", "province") or data.service is None:
        return
    name = (
        "indicators:trends-puskesmas" if data.level == "district" else "indicators:trends-district"
    )
    query = f"?service={data.service.number}&year={data.year}"
    for child in data.children:
        child.href = reverse(name, args=[child.pk]) + query


def _parent_url(request, data: Trends) -> str | None:
    """The trends of the area above, when the user reads it (breadcrumb)."""
    user = request.user
    if isinstance(data.area, Puskesmas) and not is_puskesmas_member(user):
        if is_district_planner(user):
            return reverse("indicators:trends")
        return reverse("indicators:trends-district", args=[data.area.district_id])
    if data.level == "district" and not is_district_planner(user):
        return reverse("indicators:trends")
    return None


# --- Tables as spreadsheets: the numbers under the charts ---------------------------------------


def _export(request, data: Trends):
    tables = _tables(data)
    name = request.GET.get("table", "")
    if name not in tables or data.service is None:
        raise Http404
    headers, rows = tables[name]
    code = data.area.code if data.area is not None else "all"
    return export(
        filename=f"trends-{code}-{data.year}-spm{data.service.number:02d}-{name}.xlsx",
        sheet=name,
        headers=headers,
        rows=rows(),
        row=lambda row: row,
    )


def _tables(data: Trends) -> dict[str, Table]:
    year, before = data.year, data.previous_year
    line = data.line

    def months():
        assert line is not None
        return [
            [
                m.month,
                m.served,
                m.cumulative,
                m.percent,
                p.served,
                p.cumulative,
                p.percent,
                line.target,
                line.previous_target,
                _("Not approved yet") if m.pending else None,
            ]
            for m, p in line.pairs
        ]

    def areas():
        return [
            [
                child.name,
                *child.served_values,
                child.total,
                child.target,
                child.percent,
                child.previous_total,
                child.previous_target,
                child.previous_percent,
            ]
            for child in data.children
        ]

    def services():
        return [
            [
                row.service.number,
                row.service.label,
                row.through,
                row.served,
                row.previous_served,
                row.target,
                row.percent,
                row.previous_target,
                row.previous_percent,
                row.change,
            ]
            for row in data.overview
        ]

    return {
        "months": (
            [
                _("Month"),
                _("Served %(year)s") % {"year": year},
                _("Cumulative %(year)s") % {"year": year},
                _("%% of target %(year)s") % {"year": year},
                _("Served %(year)s") % {"year": before},
                _("Cumulative %(year)s") % {"year": before},
                _("%% of target %(year)s") % {"year": before},
                _("Target %(year)s") % {"year": year},
                _("Target %(year)s") % {"year": before},
                _("Status"),
            ],
            months,
        ),
        "areas": (
            [
                _child_label(data.level),
                *[str(month) for month in range(1, 13)],
                _("Served %(year)s") % {"year": year},
                _("Target %(year)s") % {"year": year},
                _("%% of target %(year)s") % {"year": year},
                _("Served %(year)s") % {"year": before},
                _("Target %(year)s") % {"year": before},
                _("%% of target %(year)s") % {"year": before},
            ],
            areas,
        ),
        "services": (
            [
                _("No."),
                _("Service"),
                _("Months compared"),
                _("Served %(year)s") % {"year": year},
                _("Served %(year)s") % {"year": before},
                _("Target %(year)s") % {"year": year},
                _("%% of target %(year)s") % {"year": year},
                _("Target %(year)s") % {"year": before},
                _("%% of target %(year)s") % {"year": before},
                _("Change (percentage points)"),
            ],
            services,
        ),
    }


urlpatterns = [
    path("trends/", trends_home, name="trends"),
    path("trends/district/<int:pk>/", trends_district, name="trends-district"),
    path("trends/puskesmas/<int:pk>/", trends_puskesmas, name="trends-puskesmas"),
]
