"""Partner organisations and the units of the Dinkes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ... import selectors, services
from ...forms import PartnerForm, UnitForm
from ...models import District, HealthOffice, HealthOfficeUnit, PartnerOrganisation
from ...rights import can_add_organisation, can_edit_organisation
from ...scoping import get_in_area_or_404, in_area
from ...tables import Action, Col, SearchFilter, Table, table_page
from ...web import run_service

PARTNER_TABLE = Table(
    filename="partners.xlsx",
    sheet=gettext_lazy("Partners"),
    empty=gettext_lazy("No partner organisation in your area matches."),
    columns=[
        Col(gettext_lazy("Name"), "name", wrap=True),
        Col(gettext_lazy("Short name"), "short_name", phone=False),
        Col(gettext_lazy("Sector"), "get_sector_display"),
        Col(gettext_lazy("District"), "district.name", phone=False),
        Col(gettext_lazy("Subdistrict"), "subdistrict.name", phone=False),
        Col(gettext_lazy("Contact person"), "contact_name", phone=False),
        Col(gettext_lazy("Phone"), "phone"),
        Col(gettext_lazy("Active"), "is_active", format="yesno", phone=False),
    ],
    actions=[Action(gettext_lazy("Edit"), lambda p: reverse("kernel:partner-edit", args=[p.pk]))],
)


class PartnerFilter(SearchFilter):
    sector = forms.ChoiceField(
        label=gettext_lazy("Sector"),
        required=False,
        choices=[("", gettext_lazy("All sectors")), *PartnerOrganisation.Sector.choices],
    )


@login_required
def partner_list(request):
    filters = PartnerFilter(request.GET or None)
    rows = selectors.partner_list(
        user=request.user, sector=filters.value("sector"), search=filters.value("q").strip()
    )
    can_add = can_add_organisation(request.user)
    return table_page(
        request,
        table=PARTNER_TABLE,
        rows=rows,
        template="kernel/partner_list.html",
        context={"filters": filters, "can_add": can_add},
        actions=can_add,
    )


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
            return redirect("kernel:partner-list")
    return render(request, "kernel/partner_form.html", {"form": form, "partner": partner})


@login_required
def partner_create(request):
    if not can_add_organisation(request.user) or not request.user.district_id:
        raise PermissionDenied
    return _partner_form(request, None, request.user.district)


@login_required
def partner_edit(request, pk):
    partner = get_in_area_or_404(PartnerOrganisation, request.user, pk=pk)
    if not can_edit_organisation(request.user, partner):
        raise PermissionDenied
    return _partner_form(request, partner, partner.district)


UNIT_TABLE = Table(
    filename="dinkes-units.xlsx",
    sheet=gettext_lazy("Dinkes units"),
    empty=gettext_lazy("No unit recorded yet."),
    columns=[
        Col(gettext_lazy("Unit"), "name", wrap=True),
        Col(gettext_lazy("Kind"), "get_kind_display"),
        Col(gettext_lazy("Part of"), "parent.name", phone=False),
        Col(gettext_lazy("Head"), "head_name"),
        Col(gettext_lazy("District"), "office.district.name", phone=False),
    ],
    actions=[Action(gettext_lazy("Edit"), lambda u: reverse("kernel:unit-edit", args=[u.pk]))],
)


@login_required
def unit_list(request):
    offices = in_area(HealthOffice.objects.select_related("district"), request.user)
    can_add = can_add_organisation(request.user)
    return table_page(
        request,
        table=UNIT_TABLE,
        rows=selectors.unit_list(user=request.user),
        template="kernel/unit_list.html",
        context={"offices": offices, "can_add": can_add},
        actions=can_add,
    )


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
            return redirect("kernel:unit-list")
    return render(request, "kernel/unit_form.html", {"form": form, "unit": unit})


@login_required
def unit_create(request):
    office = (
        getattr(request.user.district, "health_office", None) if request.user.district_id else None
    )
    if not can_add_organisation(request.user) or office is None:
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
    return redirect("kernel:unit-list")
