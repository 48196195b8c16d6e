"""Population per desa: the list with its Excel export, the district's template and its import."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ... import selectors, services
from ...forms import UploadForm
from ...models import ImportJob
from ...scoping import can_manage_targets
from ...spreadsheets import XLSX_CONTENT_TYPE
from ...web import export, paginate, wants_xlsx
from ..imports import start_import
from .base import _planner_district, _year


class PopulationUploadForm(UploadForm):
    source = forms.CharField(
        label=gettext_lazy("Source of the counts"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("e.g. Dukcapil, semester 2 of 2024."),
    )


@login_required
def population_list(request):
    years = selectors.target_years()
    year = _year(request, years)
    search = request.GET.get("q", "").strip()
    bands, villages = selectors.population_list(user=request.user, year=year, search=search)
    if wants_xlsx(request):
        return export(
            filename=f"population-{year}.xlsx",
            sheet=_("Population %(year)s") % {"year": year},
            headers=[
                _("Village code"),
                _("Village"),
                _("Subdistrict"),
                "Puskesmas",
                *[b.label for b in bands],
                _("Source"),
            ],
            rows=villages,
            row=lambda v: [
                v.code,
                v.name,
                v.subdistrict.name,
                v.puskesmas.name if v.puskesmas else "",
                *selectors.population_counts(v, bands),
                v.population_source or "",
            ],
        )
    context = {
        "year": year,
        "years": years,
        "bands": bands,
        "search": search,
        "can_import": bool(
            request.user.district_id and can_manage_targets(request.user, request.user.district_id)
        ),
        **paginate(request, villages),
    }
    context["rows"] = [(v, selectors.population_counts(v, bands)) for v in context["rows"]]
    return render(request, "indicators/population_list.html", context)


@login_required
def population_template(request):
    district = _planner_district(request)
    year = _year(request)
    content = services.village_population_template(district=district, year=year, by=request.user)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"population-{district.code}-{year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def population_import(request):
    district = _planner_district(request)
    years = selectors.target_years()
    year = _year(request, years)
    form = PopulationUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = start_import(
            request,
            form,
            kind=ImportJob.Kind.POPULATION,
            params={"year": year, "source": form.cleaned_data["source"]},
        )
        if started:
            return started
    context = {"form": form, "year": year, "years": years, "district": district}
    return render(request, "indicators/population_import.html", context)
