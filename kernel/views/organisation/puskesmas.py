"""Puskesmas and their service points: lists, details, forms, Excel in and out."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ... import selectors, services
from ...forms import PuskesmasForm, ServicePointForm, UploadForm
from ...models import District, ImportJob, Puskesmas, ServicePoint
from ...rights import can_add_organisation, can_add_service_point, can_edit_organisation
from ...scoping import get_in_area_or_404, in_area
from ...spreadsheets import XLSX_CONTENT_TYPE
from ...tables import Col, FilterForm, SearchFilter, Table, table_page
from ...web import run_service
from ..imports import start_import

PUSKESMAS_TABLE = Table(
    filename="puskesmas.xlsx",
    sheet="Puskesmas",
    empty=gettext_lazy("No puskesmas in your area matches."),
    columns=[
        Col(
            gettext_lazy("Name"),
            "name",
            wrap=True,
            link=lambda p: reverse("kernel:puskesmas-detail", args=[p.pk]),
        ),
        Col(gettext_lazy("Kemenkes code"), "code", phone=False),
        Col(gettext_lazy("District"), "district.name", phone=False),
        Col(gettext_lazy("Subdistrict"), "subdistrict.name", phone=False),
        Col(gettext_lazy("Inpatient"), "is_inpatient", format="yesno", phone=False),
        Col(gettext_lazy("Head"), "head_name", phone=False),
        Col(gettext_lazy("Villages"), "village_count", format="number"),
        Col(gettext_lazy("Service points"), "service_point_count", format="number"),
    ],
)


@login_required
def puskesmas_list(request):
    filters = SearchFilter(request.GET or None)
    rows = selectors.puskesmas_list(user=request.user, search=filters.value("q").strip())
    context = {"filters": filters, "can_add": can_add_organisation(request.user)}
    return table_page(
        request,
        table=PUSKESMAS_TABLE,
        rows=rows,
        template="kernel/puskesmas_list.html",
        context=context,
    )


@login_required
def puskesmas_detail(request, pk):
    puskesmas = selectors.puskesmas_get(user=request.user, pk=pk)
    context = {
        "puskesmas": puskesmas,
        "villages": selectors.puskesmas_villages(user=request.user, puskesmas=puskesmas),
        "service_points": selectors.service_point_list(user=request.user, puskesmas_id=pk),
        "can_edit": can_edit_organisation(request.user, puskesmas),
    }
    return render(request, "kernel/puskesmas_detail.html", context)


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
            return redirect("kernel:puskesmas-detail", pk=form.result.pk)
    return render(request, "kernel/puskesmas_form.html", {"form": form, "puskesmas": puskesmas})


@login_required
def puskesmas_create(request):
    if not can_add_organisation(request.user) or not request.user.district_id:
        raise PermissionDenied
    return _puskesmas_form(request, None, request.user.district)


@login_required
def puskesmas_edit(request, pk):
    puskesmas = get_in_area_or_404(Puskesmas, request.user, pk=pk)
    if not can_edit_organisation(request.user, puskesmas):
        raise PermissionDenied
    return _puskesmas_form(request, puskesmas, puskesmas.district)


SERVICE_POINT_TABLE = Table(
    filename="service-points.xlsx",
    sheet=gettext_lazy("Service points"),
    empty=gettext_lazy("No service point in your area matches."),
    # On a phone: what the point is and where (name, kind, desa) before whose it is (#15).
    columns=[
        Col(gettext_lazy("Name"), "name", wrap=True),
        Col(gettext_lazy("Kind"), "get_kind_display"),
        Col(gettext_lazy("Village"), "village.name", wrap=True),
        Col(
            "Puskesmas",
            "puskesmas.name",
            wrap=True,
            link=lambda s: reverse("kernel:puskesmas-detail", args=[s.puskesmas_id]),
        ),
        Col(gettext_lazy("Address"), "address", phone=False, wrap=True),
        Col(gettext_lazy("Active"), "is_active", format="yesno"),
    ],
)


class ServicePointFilter(FilterForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *ServicePoint.Kind.choices],
    )


@login_required
def servicepoint_list(request):
    filters = ServicePointFilter(request.GET or None)
    rows = selectors.service_point_list(user=request.user, kind=filters.value("kind"))
    context = {"filters": filters, "can_add": can_add_service_point(request.user)}
    return table_page(
        request,
        table=SERVICE_POINT_TABLE,
        rows=rows,
        template="kernel/servicepoint_list.html",
        context=context,
    )


@login_required
def servicepoint_template(request):
    if not can_add_service_point(request.user):
        raise PermissionDenied
    puskesmas_list = in_area(Puskesmas.objects.all(), request.user).prefetch_related(
        "service_points__village", "service_points__pustu"
    )
    content = services.service_point_template(puskesmas_list=puskesmas_list)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="service-points-template.xlsx"'
    return response


@login_required
def servicepoint_import(request):
    if not can_add_service_point(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = start_import(request, form, kind=ImportJob.Kind.SERVICE_POINTS)
        if started:
            return started
    return render(request, "kernel/servicepoint_import.html", {"form": form})


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
            return redirect("kernel:puskesmas-detail", pk=form.result.puskesmas_id)
    context = {"form": form, "service_point": service_point}
    return render(request, "kernel/servicepoint_form.html", context)


@login_required
def servicepoint_create(request):
    if not can_add_service_point(request.user):
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
    return redirect("kernel:puskesmas-detail", pk=service_point.puskesmas_id)
