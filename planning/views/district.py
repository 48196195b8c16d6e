"""The district's (and province's) view of a year's plans: budget totals by funding source, by
plan, by SPM service and by budget code; and the SPM gaps no activity answers yet."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from kernel.tables import Col, Table, table_page
from kernel.web import wants_xlsx

from .. import documents, selectors
from ..forms import PlanFilter
from .common import district_of, districts_for, download, year_of


def _area_name(request, districts, district_id: int | None) -> str:
    if district_id:
        return str(districts.get(pk=district_id))
    area = request.user.area
    return str(area) if area is not None else _("All areas")


@login_required
def plan_totals(request):
    year = year_of(request)
    districts = districts_for(request)
    district_id = district_of(request, districts)
    approved_only = request.GET.get("scope") == "approved"
    totals = selectors.plan_totals(
        user=request.user, year=year, district_id=district_id, approved_only=approved_only
    )
    if wants_xlsx(request):
        area = _area_name(request, districts, district_id)
        content = documents.totals_xlsx(totals, area=area)
        return download(content, filename=f"plan-totals-{year}.xlsx")
    context = {
        "totals": totals,
        "year": year,
        "years": selectors.plan_years(),
        "districts": districts,
        "district_id": district_id,
        "approved_only": approved_only,
    }
    return render(request, "planning/plan_totals.html", context)


def gap_table(year: int, pace) -> Table:
    """Services of each puskesmas below `pace` that no activity of its RUK for `year` answers."""
    return Table(
        filename=f"spm-gaps-without-activity-{year}.xlsx",
        sheet=_("Gaps without activity"),
        empty=_("Every gap has a planned activity."),
        columns=[
            Col(_("District"), "district.name", phone=False),
            Col("Puskesmas", "puskesmas.name", wrap=True),
            Col(_("No."), "service.number", phone=False),
            Col(_("SPM service"), "service.label", wrap=True),
            Col(_("Annual target"), "target", format="number"),
            Col(_("Served year to date"), "served_ytd", format="number", phone=False),
            Col(_("Achievement (%)"), "achievement", format="percent"),
            Col(_("Expected pace (%)"), lambda row: pace, format="percent", phone=False),
            Col(_("Short of pace (people)"), "shortfall", format="number"),
        ],
    )


@login_required
def gap_list(request):
    filters = PlanFilter(request.GET or None, districts=districts_for(request))
    year, district_id = filters.chosen_year, filters.district_id
    gaps = selectors.gaps_unplanned(user=request.user, year=year, district_id=district_id)
    return table_page(
        request,
        table=gap_table(year, gaps.pace),
        rows=gaps.rows,
        template="planning/gap_list.html",
        context={"gaps": gaps, "year": year, "filters": filters},
    )


urlpatterns = [
    path("totals/", plan_totals, name="plan-totals"),
    path("gaps/", gap_list, name="gap-list"),
]
