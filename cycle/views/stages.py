"""Pages of the four stages worksheet (issue #16 must-have 3): the district's overview of its
services' four stages for a year, the worksheet of one service (the data's figures as facts,
what the district writes as forms), its need lines and regional-plan lines, and the .xlsx of
both. Every id is scoped (`get_in_area_or_404`); the year comes in the query string."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators.models import SPMService
from kernel.models import District
from kernel.scoping import get_in_area_or_404, in_area
from kernel.selectors.audit import audit_history
from kernel.web import query_year, run_service, wants_xlsx

from ..exports_stages import overview_xlsx, worksheet_xlsx
from ..forms.stages import (
    SECTION_FORMS,
    IntegrationForm,
    NeedForm,
    section_form,
    section_forms,
)
from ..models import IntegrationLine, NeedLine, StageSheet
from ..rights import can_edit_cycle
from ..selectors import stages as selectors
from ..services import stages as services


def _district(request, pk) -> District:
    return get_in_area_or_404(District.objects.select_related("province"), request.user, pk=pk)


def _year(request) -> int:
    return query_year(request)


def _sheet_url(sheet: StageSheet, anchor: str = "") -> str:
    return reverse("cycle:stage-sheet", args=[sheet.pk]) + (f"#{anchor}" if anchor else "")


def _overview_url(district_id: int, year: int) -> str:
    return reverse("cycle:stage-overview", args=[district_id]) + f"?year={year}"


@login_required
def stage_home(request):
    """The user's district's overview; a province (or the whole country) picks a district."""
    year = _year(request)
    if request.user.district_id:
        return redirect(_overview_url(request.user.district_id, year))
    if request.user.puskesmas_id:
        return redirect(_overview_url(request.user.puskesmas.district_id, year))
    districts = in_area(District.objects.select_related("province"), request.user).order_by(
        "province__code", "code"
    )
    return render(request, "cycle/stage_home.html", {"districts": districts, "year": year})


@login_required
def stage_overview(request, pk):
    district = _district(request, pk)
    year = _year(request)
    overview = selectors.stage_overview(user=request.user, district=district, year=year)
    if wants_xlsx(request):
        return overview_xlsx(overview.rows, filename=f"spm-four-stages-{district.code}-{year}.xlsx")
    context = {
        "overview": overview,
        "district": district,
        "year": year,
        "years": selectors.stage_years(),
        "can_edit": can_edit_cycle(request.user, district),
    }
    return render(request, "cycle/stage_overview.html", context)


def _service(request, year: int) -> SPMService:
    """The service asked for (`service` in the form or the query string), one of the year's
    district services; on a page without one, the first; 404 for another or a malformed id."""
    services = selectors.stage_services(year=year)
    text = (request.POST.get("service") or request.GET.get("service") or "").strip()
    if not services or (not text and request.method == "POST"):
        raise Http404
    if not text:
        return services[0]
    found = next((service for service in services if str(service.pk) == text), None)
    if found is None:
        raise Http404
    return found


def _sheet_page(request, ws: selectors.Worksheet, *, bound=None):
    sheet = ws.sheet
    can_edit = can_edit_cycle(request.user, ws.district)
    forms = section_forms(sheet, bound=bound) if sheet is not None and can_edit else {}
    context = {
        "ws": ws,
        "sheet": sheet,
        "district": ws.district,
        "year": ws.year,
        "can_edit": can_edit,
        "forms": forms,
        "form": bound,  # base.html shows a stale save's two sets of values
        "events": audit_history(obj=sheet, user=request.user)[:30] if sheet is not None else [],
    }
    return render(request, "cycle/stage_sheet.html", context)


@login_required
def stage_service(request, pk):
    """A service's worksheet before it is opened: what the data says, and (for the district's
    planners) the button that opens it pre-filled. An opened one is shown as itself."""
    district = _district(request, pk)
    year = _year(request)
    service = _service(request, year)
    sheet = selectors.stage_sheets(user=request.user, district=district, year=year).get(service.pk)
    if sheet is not None:
        return redirect("cycle:stage-sheet", pk=sheet.pk)
    ws = selectors.worksheet_get(user=request.user, district=district, year=year, service=service)
    return _sheet_page(request, ws)


@login_required
@require_POST
def stage_open(request, pk):
    district = _district(request, pk)
    year = _year(request)
    service = _service(request, year)
    if not can_edit_cycle(request.user, district):
        raise PermissionDenied
    opened = {}
    call = partial(services.stage_sheet_open, district=district, service=service, year=year)
    if run_service(request, None, lambda: opened.setdefault("sheet", call(by=request.user))):
        messages.success(request, _("Worksheet opened, pre-filled from the data."))
        return redirect("cycle:stage-sheet", pk=opened["sheet"].pk)
    return redirect(_overview_url(district.pk, year))


def _worksheet(request, sheet: StageSheet) -> selectors.Worksheet:
    return selectors.worksheet_get(
        user=request.user,
        district=sheet.district,
        year=sheet.year,
        service=sheet.service,
        sheet=sheet,
    )


@login_required
def stage_sheet(request, pk):
    sheet = selectors.sheet_get(user=request.user, pk=pk)
    ws = _worksheet(request, sheet)
    if wants_xlsx(request):
        name = f"spm-four-stages-{sheet.district.code}-{sheet.year}-{sheet.service.code}.xlsx"
        return worksheet_xlsx(ws, filename=name)
    return _sheet_page(request, ws)


@login_required
@require_POST
def stage_save(request, pk):
    """Save one section of the worksheet (what the district writes and the stage's status)."""
    sheet = selectors.sheet_get(user=request.user, pk=pk)
    if not can_edit_cycle(request.user, sheet.district):
        raise PermissionDenied
    section = request.POST.get("section", "")
    if section not in SECTION_FORMS:
        raise Http404
    form = section_form(section, sheet, request.POST)
    if form.is_valid():
        save = partial(
            services.stage_sheet_save,
            sheet=sheet,
            fields=form.fields_saved(),
            version=form.cleaned_data.get("version"),
            by=request.user,
        )
        if run_service(request, form, save):
            messages.success(request, _("Worksheet saved."))
            return redirect(_sheet_url(sheet, f"stage-{section}"))
    return _sheet_page(request, _worksheet(request, sheet), bound=form)


@login_required
@require_POST
def stage_refresh(request, pk):
    """Fill the worksheet from the data again and say what changed."""
    sheet = selectors.sheet_get(user=request.user, pk=pk)
    if not can_edit_cycle(request.user, sheet.district):
        raise PermissionDenied
    result = {}
    refresh = partial(services.stage_sheet_refresh, sheet=sheet, by=request.user)
    if run_service(request, None, lambda: result.setdefault("done", refresh())):
        for sentence in result["done"].messages():
            messages.info(request, sentence)
    return redirect(_sheet_url(sheet, "stage-needs"))


# --- Need lines ---------------------------------------------------------------------------------


def _editable_sheet(request, pk) -> StageSheet:
    sheet = selectors.sheet_get(user=request.user, pk=pk)
    if not can_edit_cycle(request.user, sheet.district):
        raise PermissionDenied
    return sheet


def _need_form(request, sheet: StageSheet, need: NeedLine | None):
    choices = selectors.activity_choices(user=request.user, sheet=sheet)
    form = NeedForm(request.POST or None, instance=need, sheet=sheet, activities=choices)
    if request.method == "POST" and form.is_valid():
        save = partial(
            services.need_save,
            need=form.instance,
            by=request.user,
            version=form.cleaned_data.get("version"),
            token=form.cleaned_data.get("form_token"),
            activities=form.cleaned_data.get("activities") or [],
        )
        if run_service(request, form, save):
            messages.success(request, _("Need saved."))
            return redirect(_sheet_url(sheet, "stage-needs"))
    context = {
        "form": form,
        "sheet": sheet,
        "need": need,
        "year": sheet.year,
        "has_activity_choices": choices.exists(),
    }
    return render(request, "cycle/stage_need_form.html", context)


@login_required
def need_create(request, pk):
    return _need_form(request, _editable_sheet(request, pk), None)


def _need(request, pk) -> NeedLine:
    need = get_in_area_or_404(
        NeedLine.objects.select_related("sheet__district", "sheet__service", "item"),
        request.user,
        pk=pk,
    )
    if not can_edit_cycle(request.user, need.sheet.district):
        raise PermissionDenied
    return need


@login_required
def need_edit(request, pk):
    need = _need(request, pk)
    return _need_form(request, need.sheet, need)


@login_required
@require_POST
def need_delete(request, pk):
    need = _need(request, pk)
    sheet = need.sheet
    if run_service(request, None, lambda: services.need_delete(need=need, by=request.user)):
        messages.success(request, _("Need deleted."))
    return redirect(_sheet_url(sheet, "stage-needs"))


# --- Regional-plan lines ------------------------------------------------------------------------


def _line_form(request, sheet: StageSheet, line: IntegrationLine | None):
    form = IntegrationForm(request.POST or None, instance=line, sheet=sheet)
    if request.method == "POST" and form.is_valid():
        save = partial(
            services.integration_save,
            line=form.instance,
            by=request.user,
            version=form.cleaned_data.get("version"),
            token=form.cleaned_data.get("form_token"),
        )
        if run_service(request, form, save):
            messages.success(request, _("Regional plan entry saved."))
            return redirect(_sheet_url(sheet, "stage-integration"))
    context = {"form": form, "sheet": sheet, "line": line, "year": sheet.year}
    return render(request, "cycle/stage_line_form.html", context)


@login_required
def line_create(request, pk):
    return _line_form(request, _editable_sheet(request, pk), None)


def _line(request, pk) -> IntegrationLine:
    line = get_in_area_or_404(
        IntegrationLine.objects.select_related("sheet__district", "sheet__service"),
        request.user,
        pk=pk,
    )
    if not can_edit_cycle(request.user, line.sheet.district):
        raise PermissionDenied
    return line


@login_required
def line_edit(request, pk):
    line = _line(request, pk)
    return _line_form(request, line.sheet, line)


@login_required
@require_POST
def line_delete(request, pk):
    line = _line(request, pk)
    sheet = line.sheet
    if run_service(request, None, lambda: services.integration_delete(line=line, by=request.user)):
        messages.success(request, _("Regional plan entry deleted."))
    return redirect(_sheet_url(sheet, "stage-integration"))


urlpatterns = [
    path("stages/", stage_home, name="stage-home"),
    path("stages/district/<int:pk>/", stage_overview, name="stage-overview"),
    path("stages/district/<int:pk>/service/", stage_service, name="stage-service"),
    path("stages/district/<int:pk>/open/", stage_open, name="stage-open"),
    path("stages/<int:pk>/", stage_sheet, name="stage-sheet"),
    path("stages/<int:pk>/save/", stage_save, name="stage-save"),
    path("stages/<int:pk>/refresh/", stage_refresh, name="stage-refresh"),
    path("stages/<int:pk>/needs/new/", need_create, name="stage-need-create"),
    path("stages/needs/<int:pk>/", need_edit, name="stage-need-edit"),
    path("stages/needs/<int:pk>/delete/", need_delete, name="stage-need-delete"),
    path("stages/<int:pk>/plans/new/", line_create, name="stage-line-create"),
    path("stages/plans/<int:pk>/", line_edit, name="stage-line-edit"),
    path("stages/plans/<int:pk>/delete/", line_delete, name="stage-line-delete"),
]
