"""The district's (and province's) view of a year's plans: budget totals by funding source, by
plan, by SPM service and by budget code; and the SPM gaps no activity answers yet."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from indicators.web import export, paginate, wants_xlsx

from .. import documents, selectors
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


@login_required
def gap_list(request):
    year = year_of(request)
    districts = districts_for(request)
    district_id = district_of(request, districts)
    gaps = selectors.gaps_unplanned(user=request.user, year=year, district_id=district_id)
    if wants_xlsx(request):
        return export(
            filename=f"spm-gaps-without-activity-{year}.xlsx",
            sheet=_("Gaps without activity"),
            headers=[
                _("District"),
                "Puskesmas",
                _("No."),
                _("SPM service"),
                _("Annual target"),
                _("Served year to date"),
                _("Achievement (%)"),
                _("Expected pace (%)"),
                _("Short of pace (people)"),
            ],
            rows=gaps.rows,
            row=lambda a: [
                a.district.name,
                a.puskesmas.name,
                a.service.number,
                a.service.label,
                a.target,
                a.served_ytd,
                a.achievement,
                gaps.pace,
                a.shortfall,
            ],
        )
    context = {
        **paginate(request, gaps.rows),
        "gaps": gaps,
        "year": year,
        "years": selectors.plan_years(),
        "districts": districts,
        "district_id": district_id,
    }
    return render(request, "planning/gap_list.html", context)


urlpatterns = [
    path("totals/", plan_totals, name="plan-totals"),
    path("gaps/", gap_list, name="gap-list"),
]
