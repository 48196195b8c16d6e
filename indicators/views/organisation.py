"""Pages for areas and the health organisation. Each view scopes, calls a selector or service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import (
    PartnerForm,
    PuskesmasForm,
    SearchForm,
    ServicePointForm,
    UnitForm,
    UploadForm,
)
from ..models import (
    District,
    HealthOffice,
    HealthOfficeUnit,
    ImportJob,
    PartnerOrganisation,
    Puskesmas,
    ServicePoint,
    Subdistrict,
)
from ..scoping import can_create, can_edit_organisation, get_in_area_or_404, in_area
from ..spreadsheets import XLSX_CONTENT_TYPE
from ..web import export, paginate, run_service, wants_xlsx
from .imports import start_import


@login_required
def home(request):
    summary = selectors.area_summary(user=request.user)
    return render(request, "indicators/home.html", {"summary": summary})


@login_required
def region_list(request):
    search = SearchForm(request.GET)
    q = search.data.get("q", "").strip()
    districts = selectors.district_list(user=request.user, search=q)
    if wants_xlsx(request):
        return export(
            filename="districts.xlsx",
            sheet=_("Districts"),
            headers=[
                _("Code"),
                _("District"),
                _("Province"),
                _("Subdistricts"),
                "Puskesmas",
                _("Population"),
            ],
            rows=districts,
            row=lambda d: [
                d.code,
                d.name,
                d.province.name,
                d.subdistrict_count,
                d.puskesmas_count,
                d.population,
            ],
        )
    context = {"search": search, **paginate(request, districts)}
    return render(request, "indicators/region_list.html", context)


@login_required
def district_detail(request, pk):
    district = get_in_area_or_404(District.objects.select_related("province"), request.user, pk=pk)
    subdistricts = selectors.subdistrict_list(user=request.user, district=district)
    if wants_xlsx(request):
        return export(
            filename=f"subdistricts-{district.code}.xlsx",
            sheet=_("Subdistricts"),
            headers=[_("Code"), _("Subdistrict"), _("Villages"), "Puskesmas"],
            rows=subdistricts,
            row=lambda s: [s.code, s.name, s.village_count, s.puskesmas_count],
        )
    context = {"district": district, "subdistricts": subdistricts}
    return render(request, "indicators/district_detail.html", context)


@login_required
def subdistrict_detail(request, pk):
    subdistrict = get_in_area_or_404(
        Subdistrict.objects.select_related("district"), request.user, pk=pk
    )
    villages = selectors.village_list(user=request.user, subdistrict=subdistrict)
    if wants_xlsx(request):
        return export(
            filename=f"villages-{subdistrict.code}.xlsx",
            sheet=_("Villages"),
            headers=[_("Code"), _("Village"), _("Kind"), "Puskesmas", _("Service points")],
            rows=villages,
            row=lambda v: [
                v.code,
                v.name,
                _("Kelurahan") if v.is_kelurahan else _("Desa"),
                v.puskesmas.name if v.puskesmas else "",
                v.service_point_count,
            ],
        )
    context = {"subdistrict": subdistrict, "villages": villages}
    return render(request, "indicators/subdistrict_detail.html", context)


@login_required
def puskesmas_list(request):
    search = SearchForm(request.GET)
    rows = selectors.puskesmas_list(user=request.user, search=search.data.get("q", "").strip())
    if wants_xlsx(request):
        return export(
            filename="puskesmas.xlsx",
            sheet="Puskesmas",
            headers=[
                _("Kemenkes code"),
                _("Name"),
                _("District"),
                _("Subdistrict"),
                _("Inpatient"),
                _("Head"),
                _("Villages"),
                _("Service points"),
            ],
            rows=rows,
            row=lambda p: [
                p.code,
                p.name,
                p.district.name,
                p.subdistrict.name,
                _("Yes") if p.is_inpatient else _("No"),
                p.head_name,
                p.village_count,
                p.service_point_count,
            ],
        )
    context = {
        "search": search,
        "can_add": can_create(request.user, Puskesmas),
        **paginate(request, rows),
    }
    return render(request, "indicators/puskesmas_list.html", context)


@login_required
def puskesmas_detail(request, pk):
    puskesmas = selectors.puskesmas_get(user=request.user, pk=pk)
    context = {
        "puskesmas": puskesmas,
        "villages": selectors.puskesmas_villages(user=request.user, puskesmas=puskesmas),
        "service_points": selectors.service_point_list(user=request.user, puskesmas_id=pk),
        "can_edit": can_edit_organisation(request.user, puskesmas),
    }
    return render(request, "indicators/puskesmas_detail.html", context)


def _puskesmas_form(request, puskesmas: Puskesmas | None, district: District):
    form = PuskesmasForm(
        request.POST or None, instance=puskesmas, user=request.user, district=district
    )
    if request.method == "POST" and form.is_valid():
        villages = form.cleaned_data.get("villages") if "villages" in form.fields else None
        saved = run_service(
            request,
            form,
            lambda: services.puskesmas_save(
                puskesmas=form.instance,
                villages=villages,
                by=request.user,
                version=form.cleaned_data["version"],
                token=form.cleaned_data["form_token"],
            ),
        )
        if saved:
            messages.success(request, _("Puskesmas saved."))
            return redirect("indicators:puskesmas-detail", pk=form.result.pk)
    return render(request, "indicators/puskesmas_form.html", {"form": form, "puskesmas": puskesmas})


@login_required
def puskesmas_create(request):
    if not can_create(request.user, Puskesmas) or not request.user.district_id:
        raise PermissionDenied
    return _puskesmas_form(request, None, request.user.district)


@login_required
def puskesmas_edit(request, pk):
    puskesmas = get_in_area_or_404(Puskesmas, request.user, pk=pk)
    if not can_edit_organisation(request.user, puskesmas):
        raise PermissionDenied
    return _puskesmas_form(request, puskesmas, puskesmas.district)


@login_required
def servicepoint_list(request):
    kinds = ServicePoint.Kind
    kind = request.GET.get("kind", "") if request.GET.get("kind") in kinds.values else ""
    rows = selectors.service_point_list(user=request.user, kind=kind)
    if wants_xlsx(request):
        return export(
            filename="service-points.xlsx",
            sheet=_("Service points"),
            headers=["Puskesmas", _("Kind"), _("Name"), _("Village"), _("Address"), _("Active")],
            rows=rows,
            row=lambda s: [
                s.puskesmas.name,
                s.get_kind_display(),
                s.name,
                s.village.name if s.village else "",
                s.address,
                _("Yes") if s.is_active else _("No"),
            ],
        )
    context = {
        "kinds": kinds.choices,
        "kind": kind,
        "can_add": can_create(request.user, ServicePoint),
        **paginate(request, rows),
    }
    return render(request, "indicators/servicepoint_list.html", context)


@login_required
def servicepoint_template(request):
    if not can_create(request.user, ServicePoint):
        raise PermissionDenied
    puskesmas_list = in_area(Puskesmas.objects.all(), request.user).prefetch_related(
        "service_points__village"
    )
    content = services.service_point_template(puskesmas_list=puskesmas_list)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="service-points-template.xlsx"'
    return response


@login_required
def servicepoint_import(request):
    if not can_create(request.user, ServicePoint):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = start_import(request, form, kind=ImportJob.Kind.SERVICE_POINTS)
        if started:
            return started
    return render(request, "indicators/servicepoint_import.html", {"form": form})


def _servicepoint_form(request, service_point: ServicePoint | None):
    form = ServicePointForm(request.POST or None, instance=service_point, user=request.user)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            form,
            lambda: services.service_point_save(
                service_point=form.instance,
                by=request.user,
                version=form.cleaned_data["version"],
                token=form.cleaned_data["form_token"],
            ),
        ):
            messages.success(request, _("Service point saved."))
            return redirect("indicators:puskesmas-detail", pk=form.result.puskesmas_id)
    context = {"form": form, "service_point": service_point}
    return render(request, "indicators/servicepoint_form.html", context)


@login_required
def servicepoint_create(request):
    if not can_create(request.user, ServicePoint):
        raise PermissionDenied
    return _servicepoint_form(request, None)


@login_required
def servicepoint_edit(request, pk):
    service_point = get_in_area_or_404(ServicePoint, request.user, pk=pk)
    if not can_edit_organisation(request.user, service_point):
        raise PermissionDenied
    return _servicepoint_form(request, service_point)


@login_required
@require_POST
def servicepoint_delete(request, pk):
    service_point = get_in_area_or_404(ServicePoint, request.user, pk=pk)
    if run_service(
        request,
        None,
        lambda: services.service_point_delete(service_point=service_point, by=request.user),
    ):
        messages.success(request, _("Service point deleted."))
    return redirect("indicators:puskesmas-detail", pk=service_point.puskesmas_id)


@login_required
def partner_list(request):
    sectors = PartnerOrganisation.Sector
    sector = request.GET.get("sector", "") if request.GET.get("sector") in sectors.values else ""
    rows = selectors.partner_list(
        user=request.user, sector=sector, search=request.GET.get("q", "").strip()
    )
    if wants_xlsx(request):
        return export(
            filename="partners.xlsx",
            sheet=_("Partners"),
            headers=[
                _("Name"),
                _("Short name"),
                _("Sector"),
                _("District"),
                _("Subdistrict"),
                _("Contact person"),
                _("Phone"),
                _("Active"),
            ],
            rows=rows,
            row=lambda p: [
                p.name,
                p.short_name,
                p.get_sector_display(),
                p.district.name,
                p.subdistrict.name if p.subdistrict else "",
                p.contact_name,
                p.phone,
                _("Yes") if p.is_active else _("No"),
            ],
        )
    context = {
        "sectors": sectors.choices,
        "sector": sector,
        "can_add": can_create(request.user, PartnerOrganisation),
        **paginate(request, rows),
    }
    return render(request, "indicators/partner_list.html", context)


def _partner_form(request, partner: PartnerOrganisation | None, district: District):
    form = PartnerForm(request.POST or None, instance=partner, user=request.user, district=district)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            form,
            lambda: services.partner_save(
                partner=form.instance,
                by=request.user,
                version=form.cleaned_data["version"],
                token=form.cleaned_data["form_token"],
            ),
        ):
            messages.success(request, _("Partner organisation saved."))
            return redirect("indicators:partner-list")
    return render(request, "indicators/partner_form.html", {"form": form, "partner": partner})


@login_required
def partner_create(request):
    if not can_create(request.user, PartnerOrganisation) or not request.user.district_id:
        raise PermissionDenied
    return _partner_form(request, None, request.user.district)


@login_required
def partner_edit(request, pk):
    partner = get_in_area_or_404(PartnerOrganisation, request.user, pk=pk)
    if not can_edit_organisation(request.user, partner):
        raise PermissionDenied
    return _partner_form(request, partner, partner.district)


@login_required
def unit_list(request):
    rows = selectors.unit_list(user=request.user)
    if wants_xlsx(request):
        return export(
            filename="dinkes-units.xlsx",
            sheet=_("Dinkes units"),
            headers=[_("District"), _("Unit"), _("Kind"), _("Part of"), _("Head")],
            rows=rows,
            row=lambda u: [
                u.office.district.name,
                u.name,
                u.get_kind_display(),
                u.parent.name if u.parent else "",
                u.head_name,
            ],
        )
    offices = in_area(HealthOffice.objects.select_related("district"), request.user)
    context = {
        "offices": offices,
        "can_add": can_create(request.user, HealthOfficeUnit),
        **paginate(request, rows),
    }
    return render(request, "indicators/unit_list.html", context)


def _unit_form(request, unit: HealthOfficeUnit | None, office: HealthOffice):
    form = UnitForm(request.POST or None, instance=unit, user=request.user, office=office)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            form,
            lambda: services.unit_save(
                unit=form.instance,
                by=request.user,
                version=form.cleaned_data["version"],
                token=form.cleaned_data["form_token"],
            ),
        ):
            messages.success(request, _("Dinkes unit saved."))
            return redirect("indicators:unit-list")
    return render(request, "indicators/unit_form.html", {"form": form, "unit": unit})


@login_required
def unit_create(request):
    office = (
        getattr(request.user.district, "health_office", None) if request.user.district_id else None
    )
    if not can_create(request.user, HealthOfficeUnit) or office is None:
        raise PermissionDenied
    return _unit_form(request, None, office)


@login_required
def unit_edit(request, pk):
    unit = get_in_area_or_404(
        HealthOfficeUnit.objects.select_related("office"), request.user, pk=pk
    )
    if not can_edit_organisation(request.user, unit):
        raise PermissionDenied
    return _unit_form(request, unit, unit.office)


@login_required
@require_POST
def unit_delete(request, pk):
    unit = get_in_area_or_404(HealthOfficeUnit, request.user, pk=pk)
    if run_service(request, None, lambda: services.unit_delete(unit=unit, by=request.user)):
        messages.success(request, _("Dinkes unit deleted."))
    return redirect("indicators:unit-list")
