"""Budget allocated and realised (issue #16, the e-SPM report's part C): a district's page (SPM
services x funding sources allocated, realised month by month, difference and %, and each plan's
share), a puskesmas's own for its RUK, a province's districts side by side; each page exports
the same table to .xlsx."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.models import District, Puskesmas
from kernel.scoping import get_in_area_or_404, in_area
from kernel.spreadsheets import Sheet
from kernel.tables import Col, Table, table_page
from kernel.web import wants_xlsx

from ..selectors import budget as selectors
from ..selectors import plan_years
from .common import number


def _year(request) -> int:
    """The budget year asked for (one of the plan years), this year by default."""
    this_year = timezone.localdate().year
    year = number(request, "year", this_year, 2000, 2100)
    return year if year in plan_years() else this_year


def _through(request) -> int:
    return number(request, "through", 12, 1, 12)


def budget_columns(table: selectors.BudgetTable) -> list[Col]:
    """The budget table's columns: the service, the funding sources used, allocated, each month
    realised, realised, difference, % (the page and its .xlsx)."""
    columns = [
        Col(_("No."), "number", format="number"),
        Col(_("Sub-activity code"), "sub_activity_code"),
        Col(capfirst(_("SPM service")), "label", wrap=True),
    ]
    columns += [
        Col(label, lambda line, code=code: line.source(code), format="idr")
        for code, label in table.sources
    ]
    columns.append(Col(_("Allocated (Rp)"), "allocated_idr", format="idr"))
    columns += [
        Col(
            _("Realised %(month)s (Rp)") % {"month": month.short},
            lambda line, index=month.month - 1: line.realised_by_month[index],
            format="idr",
        )
        for month in table.months
    ]
    columns += [
        Col(_("Realised (Rp)"), "realised_idr", format="idr"),
        Col(_("Difference (Rp)"), "difference_idr", format="idr"),
        Col(_("Realised (%)"), "percent", format="percent"),
    ]
    return columns


PLAN_COLUMNS = [
    Col(gettext_lazy("Plan"), "name", wrap=True),
    Col(gettext_lazy("Status"), "status_label"),
    Col(gettext_lazy("Allocated (Rp)"), "allocated_idr", format="idr"),
    Col(gettext_lazy("Realised (Rp)"), "realised_idr", format="idr"),
    Col(gettext_lazy("Difference (Rp)"), "difference_idr", format="idr"),
    Col(gettext_lazy("Realised (%)"), "percent", format="percent"),
]


def _export(table: selectors.BudgetTable, *, name: str, plans=None):
    declared = Table(
        columns=budget_columns(table),
        filename=f"budget-{name}-{table.year}.xlsx",
        sheet=_("Budget %(year)s") % {"year": table.year},
        empty="",
    )
    more = []
    if plans is not None:
        more.append(
            Sheet(
                title=str(_("By plan")),
                headers=[str(c.label) for c in PLAN_COLUMNS],
                rows=[[c.exported(c.raw(p)) for c in PLAN_COLUMNS] for p in plans],
            )
        )
    return declared.export([*table.lines, table.totals], more=more)


def _context(request, table: selectors.BudgetTable, **more) -> dict:
    year = table.year
    totals = table.totals

    def cells(line: selectors.BudgetLine) -> list[tuple[str, str, object]]:
        return [(code, label, line.source(code)) for code, label in table.sources]

    return {
        "table": table,
        "totals": totals,
        "allocated_rows": [(line, cells(line)) for line in table.lines],
        "total_cells": cells(totals),
        "through_name": str(MONTHS[table.through_month]),
        "year": year,
        "years": plan_years(),
        "through": table.through_month,
        "months": table.months,
        "last_ended": selectors.last_ended_month(year),
        **more,
    }


@login_required
def budget_home(request):
    """A puskesmas's own budget, a district's, or a province's districts side by side."""
    user = request.user
    if user.puskesmas_id:
        visible = Puskesmas.objects.select_related("district__province")
        return _puskesmas_page(request, get_in_area_or_404(visible, user, pk=user.puskesmas_id))
    if user.district_id:
        visible = District.objects.select_related("province")
        return _district_page(request, get_in_area_or_404(visible, user, pk=user.district_id))
    year, through = _year(request), _through(request)
    districts = in_area(District.objects.select_related("province"), user).order_by("code")
    budgets = selectors.budget_by_district(
        user=user, year=year, through_month=through, district_ids=None
    )
    rows = [{"district": d, "budget": budgets.get(d.pk)} for d in districts]
    return table_page(
        request,
        table=_districts_table(year, through),
        rows=rows,
        template="planning/budget_home.html",
        context={
            "year": year,
            "years": plan_years(),
            "through": through,
            "month_choices": [(m, str(name)) for m, name in MONTHS.items()],
        },
    )


def _amount(row, name):
    budget = row["budget"]
    return getattr(budget, name) if budget is not None else None


def _districts_table(year: int, through: int) -> Table:
    return Table(
        filename=f"budget-districts-{year}.xlsx",
        sheet=_("Budget %(year)s") % {"year": year},
        empty=_("No district in your area."),
        columns=[
            Col(_("Code"), "district.code", phone=False),
            Col(
                _("District"),
                "district.name",
                wrap=True,
                link=lambda row: (
                    reverse("planning:budget-district", args=[row["district"].pk])
                    + f"?year={year}&through={through}"
                ),
            ),
            Col(_("Allocated (Rp)"), lambda row: _amount(row, "allocated_idr"), format="idr"),
            Col(_("Realised (Rp)"), lambda row: _amount(row, "realised_idr"), format="idr"),
            Col(
                _("Difference (Rp)"),
                lambda row: _amount(row, "difference_idr"),
                format="idr",
                phone=False,
            ),
            Col(_("Realised (%)"), lambda row: _amount(row, "percent"), format="percent"),
        ],
    )


def _with_query(request, name: str, pk: int) -> str:
    url = reverse(name, args=[pk])
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


@login_required
def budget_district(request, pk):
    user = request.user
    district = get_in_area_or_404(District.objects.select_related("province"), user, pk=pk)
    if user.puskesmas_id:  # a puskesmas reads its own RUK's budget
        return redirect(_with_query(request, "planning:budget-puskesmas", user.puskesmas_id))
    return _district_page(request, district)


def _district_page(request, district: District):
    user = request.user
    year, through = _year(request), _through(request)
    table = selectors.budget_table(user=user, district=district, year=year, through_month=through)
    plans = selectors.budget_by_plan(user=user, district=district, year=year, through_month=through)
    if wants_xlsx(request):
        return _export(table, name=district.code, plans=plans)
    context = _context(request, table, district=district, plans=plans, owner=district.name)
    return render(request, "planning/budget_detail.html", context)


@login_required
def budget_puskesmas(request, pk):
    visible = Puskesmas.objects.select_related("district__province")
    return _puskesmas_page(request, get_in_area_or_404(visible, request.user, pk=pk))


def _puskesmas_page(request, puskesmas: Puskesmas):
    user = request.user
    year, through = _year(request), _through(request)
    table = selectors.budget_table(
        user=user,
        district=puskesmas.district,
        year=year,
        through_month=through,
        puskesmas=puskesmas,
    )
    if wants_xlsx(request):
        return _export(table, name=puskesmas.code or str(puskesmas.pk))
    plan = selectors.readable_plans(user=user).filter(puskesmas=puskesmas, year=year).first()
    context = _context(
        request,
        table,
        district=puskesmas.district,
        puskesmas=puskesmas,
        plan=plan,
        owner=puskesmas.name,
    )
    return render(request, "planning/budget_detail.html", context)


urlpatterns = [
    path("budget/", budget_home, name="budget"),
    path("budget/districts/<int:pk>/", budget_district, name="budget-district"),
    path("budget/puskesmas/<int:pk>/", budget_puskesmas, name="budget-puskesmas"),
]
