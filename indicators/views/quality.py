"""SPM quality (mutu, issue #16) pages: a puskesmas's quarters and its checklist entry page
(phone first: one card per service, saved per value by a plain form post, or per field by
static/js/quality-entry.js), its Excel template and import; the district's review list, a
report's review (on the same page), the district roll-up per quarter with its .xlsx; the
province's districts side by side (approved reports only).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kernel.forms import UploadForm
from kernel.models import District, Puskesmas
from kernel.scoping import get_in_area_or_404, in_area
from kernel.spreadsheets import XLSX_CONTENT_TYPE, Sheet
from kernel.tables import Col, Table
from kernel.versioning import StaleEdit
from kernel.views.imports import start_import
from kernel.web import query_int, query_year, wants_xlsx

from ..models import QualityItem, QualityReport
from ..rights import (
    can_enter_quality,
    can_read_quality_rollup,
    can_review_quality,
    can_review_quality_reports,
)
from ..selectors import quality as selectors
from ..services import quality as services
from ..services.quality_excel import QUALITY_IMPORT_KIND, quality_template

YEARS_BACK = 3


def _years() -> range:
    this_year = timezone.localdate().year
    return range(this_year, this_year - YEARS_BACK - 1, -1)


def _current_quarter() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


def _period(request, default: tuple[int, int]) -> tuple[int, int]:
    year = query_year(request, default[0])
    quarter = query_int(request, "quarter", default=default[1], low=1, high=4)
    return year, quarter or default[1]


def _report_in_area(request, pk: int) -> QualityReport:
    reports = selectors.readable_quality_reports(user=request.user).select_related(
        "puskesmas__district", "updated_by", "submitted_by", "decided_by"
    )
    return get_in_area_or_404(reports, request.user, pk=pk)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- A puskesmas's quarters ----------------------------------------------------------------------


@login_required
def quality_list(request):
    user = request.user
    if user.puskesmas_id is None:  # the district's and province's own pages, at this address
        if can_review_quality_reports(user):
            return quality_review(request)
        if can_read_quality_rollup(user):
            return quality_rollup_list(request)
        raise PermissionDenied
    year = query_year(request)
    quarters = selectors.quality_quarters(
        user=user, puskesmas=user.puskesmas, year=year, today=timezone.localdate()
    )
    context = {
        "quarters": quarters,
        "year": year,
        "years": _years(),
        "puskesmas": user.puskesmas,
        "can_enter": can_enter_quality(user, user.puskesmas),
    }
    return render(request, "indicators/quality_list.html", context)


@login_required
@require_POST
def quality_open(request):
    puskesmas = request.user.puskesmas
    if puskesmas is None:
        raise PermissionDenied
    try:
        report = services.quality_report_open(
            puskesmas=puskesmas,
            year=request.POST.get("year"),
            quarter=request.POST.get("quarter"),
            by=request.user,
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("indicators:quality-list")
    return redirect("indicators:quality-detail", pk=report.pk)


# --- The report: entry and review ----------------------------------------------------------------


def _detail(request, report: QualityReport, *, typed=None, stale=None, status=200):
    view = selectors.quality_report_detail(report=report)
    for service in view.services:
        for line in service.items:
            line.typed = (typed or {}).get(line.item.pk)
    user = request.user
    context = {
        "view": view,
        "report": report,
        "can_enter": report.is_editable and can_enter_quality(user, report),
        "can_review": can_review_quality(user, report),
        "stale": stale,
        "open_service": query_int(request, "open", default=None, low=1, high=99),
    }
    return render(request, "indicators/quality_detail.html", context, status=status)


@login_required
def quality_detail(request, pk):
    return _detail(request, _report_in_area(request, pk))


def _typed(post, item_id: int, name: str) -> str:
    return str(post.get(f"{name}-{item_id}", ""))[:400]


def _posted_entries(post, items: list[QualityItem]):
    """The items a post changed: {item: ValueInput}, the typed texts (to show them again) and
    the problems, each naming its item. An item counts as changed when what was typed differs
    from what the page showed (the o-fields), so a save never re-sends someone else's value."""
    entries, typed, problems = {}, {}, []
    for item in items:
        if f"a-{item.pk}" not in post and f"n-{item.pk}" not in post:
            continue
        texts = {name: _typed(post, item.pk, name) for name in ("n", "a", "note")}
        shown = {name: _typed(post, item.pk, f"o{name}") for name in ("n", "a", "note")}
        typed[item.pk] = texts
        try:
            needed = services.quality_amount(texts["n"], label=_("Needed"))
            available = services.quality_amount(texts["a"], label=_("Available"))
            seen = (
                services.quality_amount(shown["n"], label=_("Needed")),
                services.quality_amount(shown["a"], label=_("Available")),
            )
        except ValidationError as error:
            problems.append(f"{item.label}: {' '.join(error.messages)}")
            continue
        changed = [
            name
            for name, now, before in (
                ("needed", needed, seen[0]),
                ("available", available, seen[1]),
                ("note", texts["note"].strip(), shown["note"].strip()),
            )
            if now != before
        ]
        if not changed:
            continue
        version = query_int_text(post.get(f"v-{item.pk}"))
        entries[item] = services.ValueInput(
            needed=needed,
            available=available,
            note=texts["note"],
            version=version,
            # A row the page did not have yet is written whole.
            fields=tuple(changed) if version is not None else services.VALUE_FIELDS,
        )
    return entries, typed, problems


def query_int_text(text) -> int | None:
    try:
        number = int(str(text or "").strip()[:12])
    except ValueError:
        return None
    return number if number >= 0 else None


def _pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{number_format(value, decimal_pos=1)}%"


def _json_saved(report: QualityReport, entries) -> JsonResponse:
    view = selectors.quality_report_detail(report=report)
    lines = {}
    services_out = {}
    for service in view.services:
        services_out[service.service.pk] = _pct(service.quality)
        for line in service.items:
            if line.item in entries:
                lines[line.item.pk] = {
                    "version": line.value.version if line.value else None,
                    "met": _pct(line.met_percent),
                    "gap": "" if not line.gap else number_format(line.gap, force_grouping=True),
                    "service": service.service.pk,
                }
    return JsonResponse(
        {"saved": True, "version": report.version, "items": lines, "services": services_out}
    )


@login_required
@require_POST
def quality_save(request, pk):
    report = _report_in_area(request, pk)
    items = [item for lines in _items_of(report).values() for item in lines]
    entries, typed, problems = _posted_entries(request.POST, items)
    if problems:
        if _wants_json(request):
            return JsonResponse({"saved": False, "errors": problems}, status=400)
        for problem in problems:
            messages.error(request, problem)
        return _detail(request, report, typed=typed, status=400)
    try:
        services.quality_values_save(report=report, entries=entries, by=request.user)
    except StaleEdit as stale:
        if _wants_json(request):
            return JsonResponse(_stale_json(stale), status=409)
        report.refresh_from_db()
        return _detail(request, report, typed=typed, stale=stale, status=409)
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(getattr(error, "messages", [str(error)]))
        if _wants_json(request):
            return JsonResponse({"saved": False, "errors": [text]}, status=400)
        messages.error(request, text)
        return redirect("indicators:quality-detail", pk=report.pk)
    if _wants_json(request):
        return _json_saved(report, entries)
    if entries:
        messages.success(request, _("Saved."))
    anchor = request.POST.get("service", "")[:3]
    suffix = f"?open={anchor}#service-{anchor}" if anchor.isdigit() else ""
    return redirect(reverse("indicators:quality-detail", kwargs={"pk": report.pk}) + suffix)


def _items_of(report: QualityReport) -> dict[int, list[QualityItem]]:
    return selectors.quality_items(selectors.quality_services(report.year))


def _stale_json(stale: StaleEdit) -> dict:
    return {
        "saved": False,
        "stale": True,
        "errors": stale.messages,
        "who": stale.who,
        "when": stale.when,
        "version": stale.current_version,
        "differences": [
            {"label": d.label, "theirs": d.theirs, "yours": d.yours} for d in stale.differences
        ],
    }


def _workflow(request, pk, call, done: str):
    report = _report_in_area(request, pk)
    try:
        call(report)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, done)
    return redirect("indicators:quality-detail", pk=report.pk)


@login_required
@require_POST
def quality_submit(request, pk):
    version = query_int_text(request.POST.get("version"))
    return _workflow(
        request,
        pk,
        lambda r: services.quality_report_submit(report=r, version=version, by=request.user),
        _("Quality report submitted to the district."),
    )


@login_required
@require_POST
def quality_return(request, pk):
    reason = request.POST.get("reason", "")
    return _workflow(
        request,
        pk,
        lambda r: services.quality_report_return(report=r, by=request.user, reason=reason),
        _("Quality report returned to the puskesmas."),
    )


@login_required
@require_POST
def quality_approve(request, pk):
    version = query_int_text(request.POST.get("version"))
    return _workflow(
        request,
        pk,
        lambda r: services.quality_report_approve(report=r, by=request.user, version=version),
        _("Quality report approved."),
    )


@login_required
@require_POST
def quality_reopen(request, pk):
    reason = request.POST.get("reason", "")
    return _workflow(
        request,
        pk,
        lambda r: services.quality_report_reopen(report=r, by=request.user, reason=reason),
        _("Quality report reopened for the puskesmas."),
    )


# --- Excel: template and import ------------------------------------------------------------------


def _enterable(request, pk) -> QualityReport:
    report = _report_in_area(request, pk)
    if not can_enter_quality(request.user, report):
        raise PermissionDenied
    return report


@login_required
def quality_template_download(request, pk):
    report = _enterable(request, pk)
    content = quality_template(report=report)
    name = f"mutu-{report.puskesmas.code}-{report.year}-q{report.quarter}.xlsx"
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def quality_import(request, pk):
    report = _enterable(request, pk)
    if not report.is_editable:
        messages.error(request, _("This quality report cannot be changed now."))
        return redirect("indicators:quality-detail", pk=report.pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = start_import(request, form, kind=QUALITY_IMPORT_KIND, params={"report": pk})
        if started:
            return started
    return render(request, "indicators/quality_import.html", {"report": report, "form": form})


# --- The district: review list and roll-up -------------------------------------------------------


def _default_period(request) -> tuple[int, int]:
    latest = (
        selectors.readable_quality_reports(user=request.user)
        .order_by("-year", "-quarter")
        .values_list("year", "quarter")
        .first()
    )
    return latest or _current_quarter()


@login_required
def quality_review(request):
    if not can_review_quality_reports(request.user):
        if can_read_quality_rollup(request.user):
            return quality_rollup_list(request)
        raise PermissionDenied
    year, quarter = _period(request, _default_period(request))
    lines = selectors.quality_review_list(user=request.user, year=year, quarter=quarter)
    counts = {status: 0 for status in QualityReport.Status.values}
    for line in lines:
        if line.report is not None:
            counts[line.report.status] += 1
    context = {
        "lines": lines,
        "year": year,
        "quarter": quarter,
        "years": _years(),
        "quarters": range(1, 5),
        "counts": counts,
        "not_started": sum(1 for line in lines if line.report is None),
        "district": request.user.district,
    }
    return render(request, "indicators/quality_review.html", context)


@login_required
def quality_rollup_list(request):
    user = request.user
    if not can_read_quality_rollup(user):
        raise PermissionDenied
    if user.district_id is not None:  # a district planner: its own roll-up
        return _rollup_page(request, user.district)
    year, quarter = _period(request, _default_period(request))
    matrix = selectors.quality_province_matrix(user=user, year=year, quarter=quarter)
    context = {
        "matrix": matrix,
        "services": matrix[0].services if matrix else [],
        "year": year,
        "quarter": quarter,
        "years": _years(),
        "quarters": range(1, 5),
    }
    return render(request, "indicators/quality_province.html", context)


ROLLUP_TABLE = Table(
    filename="quality.xlsx",
    sheet=gettext_lazy("Quality"),
    empty=gettext_lazy("No approved quality report in this quarter yet."),
    columns=[
        Col(gettext_lazy("No."), lambda r: r[0].service.number, "number"),
        Col(gettext_lazy("Service"), lambda r: r[0].service.label, wrap=True),
        Col(gettext_lazy("Item code"), lambda r: r[1].item.code),
        Col(gettext_lazy("Item"), lambda r: r[1].item.label, wrap=True),
        Col(gettext_lazy("Kind"), lambda r: r[1].item.get_kind_display()),
        Col(gettext_lazy("Unit"), lambda r: r[1].item.unit),
        Col(gettext_lazy("Needed"), lambda r: r[1].needed, "number"),
        Col(gettext_lazy("Available"), lambda r: r[1].available, "number"),
        Col(gettext_lazy("Gap"), lambda r: r[1].gap, "number"),
        Col(gettext_lazy("Met (%)"), lambda r: r[1].met_percent, "percent"),
        Col(gettext_lazy("Standard unit cost (Rp)"), lambda r: r[1].item.unit_cost_idr, "idr"),
        Col(gettext_lazy("Cost of the gap (Rp)"), lambda r: r[1].gap_cost_idr, "idr"),
    ],
)


def _rollup_xlsx(rollup, *, district: District, year: int, quarter: int):
    rows = [(service, line) for service in rollup for line in service.items]
    summary = Sheet(
        title=str(_("Services")),
        headers=[
            str(_("No.")),
            str(_("Service")),
            str(_("Quality (%)")),
            str(_("Reports counted")),
            str(_("Items with a gap")),
            str(_("Cost of the gaps (Rp)")),
        ],
        rows=[
            (
                s.service.number,
                s.service.label,
                s.quality,
                s.reports_counted,
                len(s.gaps),
                s.gap_cost_idr,
            )
            for s in rollup
        ],
    )
    response = ROLLUP_TABLE.export(rows, more=[summary])
    name = f"mutu-{district.code}-{year}-q{quarter}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def quality_rollup(request, pk):
    if not can_read_quality_rollup(request.user):
        raise Http404
    return _rollup_page(request, get_in_area_or_404(District, request.user, pk=pk))


def _rollup_page(request, district: District):
    year, quarter = _period(request, _default_period(request))
    rollup = selectors.quality_rollup(
        user=request.user, district=district, year=year, quarter=quarter
    )
    if wants_xlsx(request):
        return _rollup_xlsx(rollup, district=district, year=year, quarter=quarter)
    puskesmas_count = in_area(Puskesmas.objects.filter(district=district), request.user).count()
    approved = (
        selectors.readable_quality_reports(user=request.user)
        .filter(
            puskesmas__district=district,
            year=year,
            quarter=quarter,
            status=QualityReport.Status.APPROVED,
        )
        .count()
    )
    context = {
        "district": district,
        "rollup": rollup,
        "with_gaps": [service for service in rollup if service.gaps],
        "year": year,
        "quarter": quarter,
        "years": _years(),
        "quarters": range(1, 5),
        "approved": approved,
        "puskesmas_count": puskesmas_count,
        "can_review": can_review_quality_reports(request.user),
        "is_province": request.user.district_id is None,
    }
    return render(request, "indicators/quality_rollup.html", context)


urlpatterns = [
    path("quality/", quality_list, name="quality-list"),
    path("quality/open/", quality_open, name="quality-open"),
    path("quality/review/", quality_review, name="quality-review"),
    path("quality/rollup/", quality_rollup_list, name="quality-rollup-list"),
    path("quality/rollup/<int:pk>/", quality_rollup, name="quality-rollup"),
    path("quality/<int:pk>/", quality_detail, name="quality-detail"),
    path("quality/<int:pk>/save/", quality_save, name="quality-save"),
    path("quality/<int:pk>/submit/", quality_submit, name="quality-submit"),
    path("quality/<int:pk>/return/", quality_return, name="quality-return"),
    path("quality/<int:pk>/approve/", quality_approve, name="quality-approve"),
    path("quality/<int:pk>/reopen/", quality_reopen, name="quality-reopen"),
    path("quality/<int:pk>/template/", quality_template_download, name="quality-template"),
    path("quality/<int:pk>/import/", quality_import, name="quality-import"),
]
