"""Population per desa: the list with its Excel export, the district's template and its import."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.forms import UploadForm
from kernel.models import ImportJob
from kernel.spreadsheets import XLSX_CONTENT_TYPE
from kernel.tables import Col, FilterForm, Table, table_page
from kernel.views.imports import start_import

from ... import selectors, services
from ...rights import can_manage_targets
from .base import _planner_district, _year


class PopulationUploadForm(UploadForm):
    source = forms.CharField(
        label=gettext_lazy("Source of the counts"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("e.g. Dukcapil, semester 2 of 2024."),
    )


class PopulationFilter(FilterForm):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False)
    q = forms.CharField(
        label=gettext_lazy("Search"),
        help_text=gettext_lazy("Village name or code"),
        required=False,
        max_length=100,
    )

    def __init__(self, data, *, years: list[int]):
        super().__init__(data)
        self.fields["year"].choices = [(y, y) for y in years]
        self.fields["year"].initial = selectors.target_year(None, years)


def population_table(year: int, bands) -> Table:
    """Each desa, its people in each age band of `year` (one column a band), and the source."""
    return Table(
        filename=f"population-{year}.xlsx",
        sheet=_("Population %(year)s") % {"year": year},
        empty=_("No desa in your area matches."),
        columns=[
            Col(_("Village code"), "code", phone=False),
            Col(
                _("Village"),
                "name",
                wrap=True,
                link=lambda v: f"{reverse('indicators:target-village', args=[v.pk])}?year={year}",
            ),
            Col(_("Subdistrict"), "subdistrict.name", phone=False),
            Col("Puskesmas", "puskesmas.name", phone=False),
            *[Col(band.label, f"band_{band.pk}", format="number", wrap=True) for band in bands],
            Col(_("Source"), "population_source", phone=False, wrap=True),
        ],
    )


@login_required
def population_list(request):
    years = selectors.target_years()
    filters = PopulationFilter(request.GET or None, years=years)
    year = filters.value("year", selectors.target_year(None, years))
    search = filters.value("q").strip()
    bands, villages = selectors.population_list(user=request.user, year=year, search=search)
    context = {
        "year": year,
        "filters": filters,
        "can_import": bool(
            request.user.district_id and can_manage_targets(request.user, request.user.district)
        ),
    }
    return table_page(
        request,
        table=population_table(year, bands),
        rows=villages,
        template="indicators/population_list.html",
        context=context,
    )


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
