"""The DHIS2 pages: a district's mapping (and what is unmapped), its edits, the export of a
month or quarter, and the upload of a DHIS2 file to the import pipeline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from indicators.rights import can_import_monthly
from kernel.models import District, ImportJob
from kernel.roles import is_puskesmas_member
from kernel.scoping import get_in_area_or_404, in_area
from kernel.views.exports import export_offer
from kernel.views.imports import start_import
from kernel.web import run_service

from . import services
from .exports import DHIS2_YEAR
from .forms import (
    ElementsForm,
    ExportForm,
    OrgUnitsForm,
    ProfileForm,
    UploadForm,
    YearExportForm,
)
from .rights import can_edit_mapping


def _district(request, pk: int) -> District:
    """The district of the page, inside the user's area; puskesmas only upload (import)."""
    district = get_in_area_or_404(District.objects.select_related("province"), request.user, pk=pk)
    if is_puskesmas_member(request.user):
        raise PermissionDenied
    return district


def _editable(request, pk: int) -> District:
    district = _district(request, pk)
    if not can_edit_mapping(request.user, district):
        raise PermissionDenied
    return district


@login_required
def dhis2_index(request):
    districts = in_area(District.objects.select_related("province"), request.user)
    if is_puskesmas_member(request.user):
        raise PermissionDenied
    if request.user.district_id:
        return redirect("exchange:dhis2-district", pk=request.user.district_id)
    return render(
        request, "exchange/dhis2_index.html", {"districts": districts.order_by("code")[:200]}
    )


@login_required
def dhis2_district(request, pk):
    district = _district(request, pk)
    mapping = services.mapping_of(district=district)
    context = {
        "district": district,
        "mapping": mapping,
        "can_edit": can_edit_mapping(request.user, district),
        "export_form": ExportForm(initial=ExportForm.defaults()),
        "may_import": can_import_monthly(request.user, None),
    }
    return render(request, "exchange/dhis2_district.html", context)


@login_required
def dhis2_profile(request, pk):
    district = _editable(request, pk)
    profile = services.profile_of(district)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        call = lambda: services.profile_save(  # noqa: E731
            profile=form.instance, by=request.user, version=form.cleaned_data["version"]
        )
        if run_service(request, form, call):
            messages.success(request, _("DHIS2 profile saved."))
            return redirect("exchange:dhis2-district", pk=district.pk)
    return render(request, "exchange/dhis2_profile.html", {"form": form, "district": district})


@login_required
def dhis2_elements(request, pk):
    district = _editable(request, pk)
    form = ElementsForm(request.POST or None, mapping=services.mapping_of(district=district))
    if request.method == "POST" and form.is_valid():
        call = lambda: services.elements_save(  # noqa: E731
            district=district,
            by=request.user,
            version=form.cleaned_data["version"],
            elements=form.elements(),
        )
        if run_service(request, form, call):
            messages.success(request, _("Data elements saved."))
            return redirect("exchange:dhis2-district", pk=district.pk)
    return render(request, "exchange/dhis2_elements.html", {"form": form, "district": district})


@login_required
def dhis2_org_units(request, pk):
    district = _editable(request, pk)
    form = OrgUnitsForm(request.POST or None, mapping=services.mapping_of(district=district))
    if request.method == "POST" and form.is_valid():
        call = lambda: services.org_units_save(  # noqa: E731
            district=district,
            by=request.user,
            version=form.cleaned_data["version"],
            puskesmas=form.puskesmas(),
            villages=form.villages(),
        )
        if run_service(request, form, call):
            messages.success(request, _("Org units saved."))
            return redirect("exchange:dhis2-district", pk=district.pk)
    return render(request, "exchange/dhis2_org_units.html", {"form": form, "district": district})


@login_required
def dhis2_export(request, pk):
    """A month or quarter of the district as DHIS2 JSON or ADX: the page says what goes out
    and what is unmapped; `download=1` gives the file."""
    district = _district(request, pk)
    form = ExportForm(request.GET or None)
    result = None
    if form.is_valid():
        year, months = form.cleaned_data["year"], form.months()
        result = services.dhis2_values(
            user=request.user,
            district=district,
            year=year,
            months=months,
            statuses=form.statuses(),
        )
        if request.GET.get("download"):
            adx = form.cleaned_data["format"] == "adx"
            content = services.as_adx(result) if adx else services.as_json(result)
            name = f"dhis2-{district.code}-{year}-{form.cleaned_data['period']}"
            response = HttpResponse(
                content, content_type="application/adx+xml" if adx else "application/json"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="{name}.{"xml" if adx else "json"}"'
            )
            return response
    context = {"district": district, "form": form, "result": result, "query": request.GET}
    return render(request, "exchange/dhis2_export.html", context)


@login_required
def dhis2_export_year(request, pk):
    """A whole year of the district for DHIS2, made by an export job (the job's page)."""
    district = _district(request, pk)
    form = YearExportForm(request.GET or None)  # the job's confirmation posts to this address
    if not form.is_valid():
        context = {"district": district, "form": form}
        return render(request, "exchange/dhis2_export_year.html", context)
    year, kind = form.cleaned_data["year"], form.cleaned_data["format"]
    return export_offer(
        request,
        kind=DHIS2_YEAR,
        params={"district": district.pk, **form.cleaned_data},
        file_name=f"dhis2-{district.code}-{year}.{'xml' if kind == 'adx' else 'json'}",
        title=_("DHIS2 values of %(district)s, %(year)s")
        % {"district": district.name, "year": year},
        back_url=reverse("exchange:dhis2-district", args=[district.pk]),
    )


@login_required
def dhis2_import(request, pk):
    district = get_in_area_or_404(District, request.user, pk=pk)
    if not can_import_monthly(request.user, None):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = start_import(
            request, form, kind=ImportJob.Kind.DHIS2_VALUES, params={"district": district.pk}
        )
        if started is not None:
            return started
    jobs = in_area(ImportJob.objects.filter(kind=ImportJob.Kind.DHIS2_VALUES), request.user)
    context = {
        "district": district,
        "form": form,
        "jobs": jobs.select_related("created_by").order_by("-created_at")[:10],
    }
    return render(request, "exchange/dhis2_import.html", context)
