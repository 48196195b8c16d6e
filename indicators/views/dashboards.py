"""Each role's dashboard (issue #5): the quarter's SPM achievement with small SVG charts, the
tables behind them, and every table as .xlsx (`?format=xlsx&table=...`).

`dashboard/` opens the user's own area: a puskesmas, a district, or the province (the country for
system administrators). District and puskesmas dashboards open from there by id, scoped.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kernel.models import District, Puskesmas
from kernel.roles import (
    is_district_planner,
    is_mentor,
    is_province_reviewer,
    is_puskesmas_member,
    is_system_admin,
)
from kernel.scoping import get_in_area_or_404
from kernel.web import export, query_int, query_year, wants_xlsx

from .. import selectors
from .dashboard_blocks import (
    area_index_block,
    cached_block,
    index_block,
    matrix_key,
    rates_key,
    service_line_key,
    services_block,
)

Table = tuple[list[str], Callable[[], list[list]]]


def _period(request) -> tuple[int, int, dict]:
    """The quarter asked for, else the latest computed for the user's area; and the picker."""
    quarters = selectors.dashboard_quarters(user=request.user)
    default = selectors.dashboard_default_quarter(quarters=quarters)
    year = query_year(request, default[0])
    quarter = query_int(request, "quarter", default=default[1], low=1, high=4)
    years = range(max(timezone.localdate().year, year), 2023, -1)
    return year, quarter, {"quarters": quarters[:8], "years": years, "quarter_numbers": range(1, 5)}


def _export(request, dash, *, code: str, tables: dict[str, Table]):
    name = request.GET.get("table", "")
    if name not in tables:
        raise Http404
    headers, rows = tables[name]
    period = dash.period
    return export(
        filename=f"dashboard-{code}-{period.year}-q{period.quarter}-{name}.xlsx",
        sheet=name,
        headers=headers,
        rows=rows(),
        row=lambda row: row,
    )


@login_required
@require_safe
def dashboard(request):
    user = request.user
    if is_puskesmas_member(user) and user.puskesmas_id:
        return _puskesmas_page(request, user.puskesmas)
    if is_district_planner(user) and user.district_id:
        return _district_page(request, user.district)
    if (is_province_reviewer(user) and user.province_id) or is_system_admin(user):
        return _province_page(request)
    if is_mentor(user):  # a planning mentor: its district's dashboard, or the choice of them
        districts = user.mentored_district_ids
        if len(districts) == 1:
            return _district_page(request, get_in_area_or_404(District, user, pk=districts[0]))
        return redirect("assessments:mentoring-home")
    return render(request, "indicators/dashboard_none.html")


@login_required
def dashboard_district(request, pk):
    district = get_in_area_or_404(District, request.user, pk=pk)
    # The method is checked after scoping: another area's id is a 404 whatever the method.
    if is_puskesmas_member(request.user):
        raise PermissionDenied  # a puskesmas sees its own dashboard, not its neighbours'
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return _district_page(request, district)


@login_required
def dashboard_puskesmas(request, pk):
    puskesmas = get_in_area_or_404(
        Puskesmas.objects.select_related("district"), request.user, pk=pk
    )
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return _puskesmas_page(request, puskesmas)


# --- Pages ---------------------------------------------------------------------------------------


def _puskesmas_page(request, puskesmas):
    year, quarter, picker = _period(request)
    dash = selectors.dashboard_puskesmas(
        user=request.user, puskesmas=puskesmas, year=year, quarter=quarter
    )
    if wants_xlsx(request):
        return _export(request, dash, code=puskesmas.code, tables=_puskesmas_tables(dash))
    parent = None
    if not is_puskesmas_member(request.user):
        parent = reverse("indicators:dashboard-district", args=[puskesmas.district_id])
    blocks = [
        cached_block(
            "indicators/_dashboard_desa.html", key=service_line_key(line), context={"line": line}
        )
        for line in dash.services
    ]
    context = {
        "dash": dash,
        "parent_url": parent,
        "desa_blocks": blocks,
        "services_block": services_block(dash) if dash.is_computed else "",
        "index_block": index_block(dash) if dash.is_computed else "",
        **picker,
    }
    return render(request, "indicators/dashboard_puskesmas.html", context)


def _district_page(request, district):
    year, quarter, picker = _period(request)
    dash = selectors.dashboard_district(
        user=request.user, district=district, year=year, quarter=quarter
    )
    if wants_xlsx(request):
        return _export(request, dash, code=district.code, tables=_district_tables(dash))
    parent = None
    if not is_district_planner(request.user):
        parent = reverse("indicators:dashboard")
    context = {"dash": dash, "parent_url": parent, **picker}
    if dash.is_computed:
        context.update(_district_blocks(dash))
    return render(request, "indicators/dashboard_district.html", context)


def _district_blocks(dash) -> dict:
    """The matrix and the rates table, rendered once per content (dashboard_blocks)."""
    lines, totals, services = dash.puskesmas, dash.totals, dash.service_list
    tables = {"lines": lines, "area_header": "Puskesmas", "totals": totals}
    matrix = {"dash": dash, "services": services, **tables}
    return {
        "services_block": services_block(dash),
        "index_block": index_block(dash),
        "puskesmas_index_block": area_index_block(
            dash,
            lines=lines,
            totals=totals,
            area_header="Puskesmas",
            testid="puskesmas-index",
            show_budget=False,
        ),
        "matrix_block": cached_block(
            "indicators/_dashboard_matrix.html",
            key=matrix_key(period=dash.period, lines=lines, totals=totals, services=services),
            context=matrix,
        ),
        "rates_block": cached_block(
            "indicators/_dashboard_rates.html",
            key=rates_key(lines=lines, totals=totals),
            context=tables,
        ),
    }


def _province_page(request):
    year, quarter, picker = _period(request)
    dash = selectors.dashboard_province(user=request.user, year=year, quarter=quarter)
    if wants_xlsx(request):
        code = request.user.province.code if request.user.province_id else "all"
        return _export(request, dash, code=code, tables=_province_tables(dash))
    context = {"dash": dash, **picker}
    if dash.is_computed:
        context["district_index_block"] = area_index_block(
            dash,
            lines=dash.districts,
            totals=dash.provinces,
            area_header=_("District"),
            testid="index",
            show_budget=dash.has_budget,
            spaced=True,
        )
    return render(request, "indicators/dashboard_province.html", context)


# --- Tables as spreadsheets: the same figures the page shows -------------------------------------


def _figure_columns(figure) -> list:
    if figure is None:
        return [None, None, None, None, None]
    return [
        figure.target,
        figure.served_ytd,
        figure.achievement,
        figure.pace,
        _("Yes") if figure.is_below_pace else _("No"),
    ]


def _figure_headers() -> list[str]:
    return [
        _("Target"),
        _("Served year to date"),
        _("Achievement (%)"),
        _("Expected pace (%)"),
        _("Below pace"),
    ]


def _service_table(dash) -> Table:
    headers = [_("No."), _("Service"), _("Served in quarter"), *_figure_headers()]
    return headers, lambda: [
        [
            line.service.number,
            line.service.label,
            line.figure.served_quarter if line.figure else None,
            *_figure_columns(line.figure),
        ]
        for line in dash.services
    ]


def _matrix_table(area_header: str, lines, services) -> Table:
    headers = [area_header, *[f"{s.number}. {s.label}" for s in services]]
    return headers, lambda: [
        [line.name, *[cell.achievement if cell else None for cell in line.cells]] for line in lines
    ]


def _rate_table(area_header: str, lines) -> Table:
    headers = [
        area_header,
        _("Reports due"),
        _("Reports approved"),
        _("Reports on time"),
        _("Completeness (%)"),
        _("Timeliness (%)"),
    ]

    def rows():
        found = [line for line in lines if line.rate]
        not_due = _("not yet due")
        return [
            [
                line.name,
                line.rate.expected,
                line.rate.approved,
                line.rate.on_time,
                line.rate.completeness if line.rate.expected else not_due,
                line.rate.timeliness if line.rate.expected else not_due,
            ]
            for line in found
        ]

    return headers, rows


def _index_table(dash) -> Table:
    """The SPM index per service with its parts and the budget beside it (issue #16)."""
    headers = [
        _("No."),
        _("Service"),
        _("SPM index"),
        _("Category"),
        _("A, people served"),
        _("B, quality"),
        _("Allocated (Rp)"),
        _("Realised (Rp)"),
        _("Realised (%)"),
    ]

    def rows():
        out = []
        for line in dash.services:
            index, budget = line.index, line.budget
            out.append(
                [
                    line.service.number,
                    line.service.label,
                    index.value if index else None,
                    index.band.name if index and index.band else None,
                    index.people if index else None,
                    index.quality if index else None,
                    budget.allocated_idr if budget else None,
                    budget.realised_idr if budget else None,
                    budget.percent if budget else None,
                ]
            )
        return out

    return headers, rows


def _area_index_table(area_header: str, lines) -> Table:
    headers = [
        area_header,
        _("SPM achievement index"),
        _("Category"),
        _("Services counted"),
        _("A, people served"),
        _("B, quality"),
        _("Services with quality"),
        _("Allocated (Rp)"),
        _("Realised (Rp)"),
        _("Realised (%)"),
    ]
    return headers, lambda: [
        [
            line.name,
            line.index,
            line.index_band.name if line.index_band else None,
            line.index_services,
            line.index_people,
            line.index_quality,
            line.index_quality_services,
            line.budget.allocated_idr if line.budget else None,
            line.budget.realised_idr if line.budget else None,
            line.budget.percent if line.budget else None,
        ]
        for line in lines
    ]


def _puskesmas_tables(dash) -> dict[str, Table]:
    return {
        "services": _service_table(dash),
        "index": _index_table(dash),
        "villages": (
            [_("Village code"), _("Village"), _("No."), _("Service"), *_figure_headers()],
            lambda: [
                [
                    village.code,
                    village.name,
                    line.service.number,
                    line.service.label,
                    *_figure_columns(figure),
                ]
                for line in dash.services
                for village, figure in line.villages
            ],
        ),
        "trend": (
            [_("Month"), _("No."), _("Service"), _("Served"), _("Status")],
            lambda: [
                [m.month, line.service.number, line.service.label, m.served, _month_status(m)]
                for line in dash.services
                for m in line.months
                if m.status
            ],
        ),
        "due": (
            [_("Year"), _("Month"), _("Status"), _("Due on"), _("Late")],
            lambda: [
                [
                    d.year,
                    d.month,
                    d.status_label or _("Not started"),
                    d.due_on,
                    _("Yes") if d.is_late else _("No"),
                ]
                for d in dash.due or []
            ],
        ),
    }


def _month_status(month) -> str:
    return _("Approved") if month.is_approved else _("Not approved yet")


def _district_tables(dash) -> dict[str, Table]:
    return {
        "services": _service_table(dash),
        "index": _index_table(dash),
        "puskesmas_index": _area_index_table("Puskesmas", dash.puskesmas + dash.totals),
        "matrix": _matrix_table("Puskesmas", dash.puskesmas, [s.service for s in dash.services]),
        "rates": _rate_table("Puskesmas", dash.puskesmas),
        "waiting": (
            ["Puskesmas", _("Year"), _("Month"), _("Submitted at"), _("Due on"), _("Late")],
            lambda: [
                [
                    r.puskesmas.name,
                    r.year,
                    r.month,
                    timezone.localtime(r.submitted_at).replace(tzinfo=None)
                    if r.submitted_at
                    else None,
                    r.due_on,
                    _("Yes") if r.is_late else _("No"),
                ]
                for r in dash.waiting or []
            ],
        ),
    }


def _province_tables(dash) -> dict[str, Table]:
    return {
        "index": _area_index_table(_("District"), dash.districts + dash.provinces),
        "matrix": _matrix_table(_("District"), dash.districts + dash.provinces, dash.services),
        "rates": _rate_table(_("District"), dash.districts + dash.provinces),
    }


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/district/<int:pk>/", dashboard_district, name="dashboard-district"),
    path("dashboard/puskesmas/<int:pk>/", dashboard_puskesmas, name="dashboard-puskesmas"),
]
