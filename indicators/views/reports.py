"""Monthly SPM reports: the list, the entry page, the district's review, unlocks and history."""

from __future__ import annotations

import datetime
from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kernel.roles import is_province_reviewer
from kernel.scoping import get_in_area_or_404
from kernel.tables import Col, Table, table_page
from kernel.web import export, query_year, wants_xlsx

from .. import selectors, services
from ..models import MonthlyReport, ReportingYear, UnlockRequest
from ..rights import can_enter_report, can_review_report
from .review import posted_return_values, review_context


def _months_so_far(year: int) -> int:
    today = timezone.localdate()
    return 12 if year < today.year else (today.month if year == today.year else 0)


def _months_due(year: int) -> int:
    """Months of `year` whose deadline has passed (ReportingYear.months_due): the months
    completeness counts; 0 for a year not set up."""
    setup = ReportingYear.objects.filter(year=year).first()
    return setup.months_due(timezone.localdate()) if setup else 0


@login_required
def report_list(request):
    year, user = query_year(request), request.user
    if wants_xlsx(request):
        reports = selectors.report_list(user=user, year=year)
        return export(
            filename=f"monthly-reports-{year}.xlsx",
            sheet=_("Monthly reports"),
            headers=[
                "Puskesmas",
                _("District"),
                _("Month"),
                _("Status"),
                _("Due on"),
                _("Submitted at"),
                _("Late"),
                _("Values"),
            ],
            rows=reports,
            row=lambda r: [
                r.puskesmas.name,
                r.puskesmas.district.name,
                r.month,
                r.get_status_display(),
                r.due_on,
                timezone.localtime(r.first_submitted_at).replace(tzinfo=None)
                if r.first_submitted_at
                else None,
                _("Yes") if r.is_late else _("No"),
                r.value_count,
            ],
        )
    months, due = _months_so_far(year), _months_due(year)
    context = {"year": year, "years": range(timezone.localdate().year, 2023, -1), "due": due}
    if is_province_reviewer(user):
        context["districts"] = selectors.completeness_by_district(
            user=user, year=year, until_month=due
        )
    else:
        context["matrix"] = selectors.report_matrix(user=user, year=year, until_month=months)
        context["month_numbers"] = [(m, m <= due) for m in range(1, months + 1)]
        context["not_due"] = [datetime.date(year, m, 1) for m in range(due + 1, months + 1)]
        context["legend"] = [
            ((value, MonthlyReport.STATUS_SYMBOLS[value]), label)
            for value, label in MonthlyReport.Status.choices
        ]
        context.update(selectors.report_queue(user=user, year=year))
        context["can_start"] = bool(user.puskesmas_id) and can_enter_report(user, user.puskesmas)
        # The puskesmas reads who reopened a draft and why, not a bare "Draft" (#15).
        if context["can_start"]:
            listed = [r for line in context["matrix"] for r in line["months"] if r is not None]
            unlocked = selectors.unlocks_shown(reports=listed, user=user)
            for report in listed:
                report.unlock_event = unlocked.get(report.pk)
    return render(request, "indicators/report_list.html", context)


@login_required
@require_POST
def report_start(request):
    try:
        year, month = int(request.POST["year"]), int(request.POST["month"])
        report = services.report_open(
            puskesmas=request.user.puskesmas, year=year, month=month, by=request.user
        )
    except (KeyError, ValueError, AttributeError):
        messages.error(request, _("Choose a month to report."))
        return redirect("indicators:report-list")
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("indicators:report-list")
    return redirect("indicators:report-entry", pk=report.pk)


def _entry_context(request, report, *, groups, reason="", blank=None):
    can_enter = report.is_editable and can_enter_report(request.user, report)
    can_review = can_review_report(request.user, report)
    unlocked = selectors.unlocks_shown(reports=[report], user=request.user)
    return {
        "report": report,
        "groups": groups,
        "can_enter": can_enter,
        "can_review": can_review,
        "needs_reason": bool(report.first_submitted_at),
        "reason": reason,
        "pending_unlock": report.unlock_requests.filter(status="pending").first(),
        "last_unlock": report.unlock_requests.exclude(status="pending").first(),
        # Why "Save and submit" is off (the month has not ended), or "" (#15).
        "submit_refusal": (
            services.submit_refusal(report, today=timezone.localdate()) if can_enter else ""
        ),
        "unlocked": unlocked.get(report.pk),
        # What an unlock takes out of the figures until re-approval (the planner's warning).
        "unlock_leaves": selectors.unlock_leaves(report=report) if can_review else "",
        "blank": blank,  # services.BlankServices to confirm, after a submit
        **review_context(request.user, report),
    }


@login_required
def report_entry(request, pk):
    visible = selectors.readable_reports(user=request.user)
    report = get_in_area_or_404(
        visible.select_related("puskesmas__district", "updated_by"), request.user, pk=pk
    )
    if request.method == "POST":
        return _report_save(request, report)
    readable = selectors.readable_values(user=request.user)
    grid = selectors.report_grid(report, values=readable)
    saved = selectors.report_cells(report)
    warnings = (
        services.report_warnings(
            report=report,
            cells={key: services.CellInput(value) for key, (value, _c) in saved.items()},
            values=readable,
            grid=grid,
        )
        if saved
        else []
    )
    groups = selectors.report_entry(
        user=request.user, report=report, problems=warnings, grid=grid, saved=saved
    )
    return render(
        request, "indicators/report_entry.html", _entry_context(request, report, groups=groups)
    )


def _typed(post, grid, conflicts) -> dict:
    """What the user typed and had seen, per cell, to show a refused form again; a cell in
    conflict shows the saved value as seen: they have seen it now."""
    typed = {}
    for v in grid.villages:
        for s in grid.services:
            key = (v.pk, s.pk)
            seen = services.seen_of(post, key)
            typed[key] = (
                post.get(f"v-{v.pk}-{s.pk}", ""),
                post.get(f"c-{v.pk}-{s.pk}", ""),
                None if key in conflicts else seen,
            )
    return typed


def _report_save(request, report):
    grid = selectors.report_grid(report, values=selectors.readable_values(user=request.user))
    reason, errors, conflicts = request.POST.get("reason", ""), [], set()
    try:
        version = int(request.POST.get("version", ""))
        cells, errors = services.parse_cells(
            request.POST, villages=grid.villages, services=grid.services
        )
        if errors:
            raise ValidationError(_("Nothing was saved: correct the values marked below."))
        result = services.report_save(
            report=report, cells=cells, version=version, by=request.user, reason=reason
        )
        if request.POST.get("action") == "submit":
            services.report_submit(
                report=report,
                version=report.version,
                by=request.user,
                allow_blank=request.POST.get("confirm_blank") == "1",
            )
            messages.success(request, _("Report submitted to the district."))
        else:
            messages.success(
                request, _("Saved: %(count)s values changed.") % {"count": result.changed}
            )
    except services.BlankServices as blank:
        # The values are saved; the page asks to confirm (a form field: works without JS).
        return _blank_confirm(request, report, blank)
    except services.CellConflicts as error:
        conflicts = {(c.village.pk, c.service.pk) for c in error.conflicts}
        errors = [c.problem for c in error.conflicts]
        messages.error(request, error.messages[0])
    except (ValidationError, PermissionDenied, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        return redirect(f"{request.path}?saved={report.version}")
    report.refresh_from_db()
    groups = selectors.report_entry(
        user=request.user,
        report=report,
        overrides=_typed(request.POST, grid, conflicts),
        problems=errors,
        grid=grid,
    )
    context = _entry_context(request, report, groups=groups, reason=reason)
    return render(request, "indicators/report_entry.html", context, status=400)


def _blank_confirm(request, report, blank):
    """The entry page again, as saved, asking whether to submit with blank services."""
    report.refresh_from_db()
    readable = selectors.readable_values(user=request.user)
    grid = selectors.report_grid(report, values=readable)
    saved = selectors.report_cells(report)
    warnings = services.report_warnings(
        report=report,
        cells={key: services.CellInput(value) for key, (value, _c) in saved.items()},
        values=readable,
        grid=grid,
    )
    groups = selectors.report_entry(
        user=request.user, report=report, problems=warnings, grid=grid, saved=saved
    )
    context = _entry_context(
        request, report, groups=groups, reason=request.POST.get("reason", ""), blank=blank
    )
    return render(request, "indicators/report_entry.html", context)


@login_required
@require_POST
def report_cells_save(request, pk):
    """Save one cell (or a few) as the user leaves it: a small request, a small JSON answer with
    the cells' checks and their service's year-to-date figures; the page is not rendered."""
    visible = selectors.readable_reports(user=request.user)
    report = get_in_area_or_404(visible.select_related("puskesmas__district"), request.user, pk=pk)
    posted = services.posted_cells(request.POST)
    if not posted or len(posted) > 24:
        return JsonResponse({"message": _("Send the cells to save (at most 24).")}, status=400)
    readable = selectors.readable_values(user=request.user)
    grid = selectors.report_grid(
        report,
        values=readable,
        service_ids={key[1] for key in posted},
        village_ids={key[0] for key in posted},
        year_to_date=False,
    )
    try:
        base = int(request.POST.get("base", ""))
        cells, errors = services.parse_cells(
            request.POST, villages=grid.villages, services=grid.services
        )
        if errors:
            return JsonResponse(
                {
                    "message": _("Not saved: correct the value."),
                    "errors": {f"v-{e.village.pk}-{e.service.pk}": e.message for e in errors},
                },
                status=400,
            )
        result = services.report_save(
            report=report,
            cells=cells,
            version=base,
            by=request.user,
            reason=request.POST.get("reason", ""),
        )
    except services.CellConflicts as error:
        return JsonResponse(
            {
                "message": error.messages[0],
                "conflicts": {
                    f"v-{c.village.pk}-{c.service.pk}": {
                        "value": c.value,
                        "comment": c.comment,
                        "by": c.by,
                        "message": c.problem.message,
                    }
                    for c in error.conflicts
                },
            },
            status=409,
        )
    except (ValidationError, PermissionDenied, ValueError) as error:
        status = 403 if isinstance(error, PermissionDenied) else 400
        message = " ".join(getattr(error, "messages", [str(error)]))
        return JsonResponse({"message": message}, status=status)
    around = selectors.around_cells(report, {key[1] for key in cells}, values=readable)
    figures = selectors.entry_cells(grid=grid, around=around, keys=set(cells))
    warnings = services.report_warnings(
        report=report,
        cells={key: services.CellInput(cell["value"]) for key, cell in figures["cells"].items()},
        values=readable,
        grid=replace(grid, before=around.before),
        history=around.history,
    )
    return JsonResponse(
        {
            "message": _("Saved."),
            "version": result.version,
            "changed": result.changed,
            **selectors.entry_cells_json(figures, warnings),
        }
    )


@login_required
@require_POST
def report_review(request, pk):
    report = get_in_area_or_404(
        MonthlyReport.objects.select_related("puskesmas"), request.user, pk=pk
    )
    action, reason = request.POST.get("action"), request.POST.get("reason", "")
    steps = {
        "approve": (
            lambda: services.report_approve(report=report, by=request.user),
            _("Report approved."),
        ),
        "return": (
            lambda: services.report_return(
                report=report,
                by=request.user,
                reason=reason,
                values=posted_return_values(request.POST),
            ),
            _("Report returned to the puskesmas."),
        ),
        "lock": (lambda: services.report_lock(report=report, by=request.user), _("Report locked.")),
        "unlock": (
            lambda: services.report_unlock(report=report, by=request.user, reason=reason),
            _("Report unlocked: the puskesmas can change it again."),
        ),
    }
    if action not in steps:
        messages.error(request, _("Unknown action."))
    else:
        try:
            steps[action][0]()
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, steps[action][1])
    return redirect("indicators:report-entry", pk=report.pk)


@login_required
@require_POST
def unlock_request_create(request, pk):
    report = get_in_area_or_404(MonthlyReport, request.user, pk=pk)
    try:
        services.unlock_request_create(
            report=report, by=request.user, reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Unlock requested: the district will answer here."))
    return redirect("indicators:report-entry", pk=report.pk)


@login_required
@require_POST
def unlock_request_decide(request, pk):
    unlock = get_in_area_or_404(
        UnlockRequest.objects.select_related("report__puskesmas"), request.user, pk=pk
    )
    grant = request.POST.get("decision") == "grant"
    try:
        services.unlock_request_decide(
            request=unlock, by=request.user, grant=grant, answer=request.POST.get("answer", "")
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Unlock granted.") if grant else _("Unlock refused."))
    return redirect("indicators:report-entry", pk=unlock.report_id)


CHANGES_TABLE = Table(
    filename="report-history.xlsx",
    sheet=gettext_lazy("History"),
    empty=gettext_lazy("No value entered yet."),
    columns=[
        Col(gettext_lazy("When"), "changed_at", format="datetime"),
        Col(gettext_lazy("Who"), lambda c: c.changed_by.get_full_name() or c.changed_by.username),
        Col(gettext_lazy("Village"), "village.name", wrap=True),
        Col(gettext_lazy("Service"), "service.code"),
        Col(gettext_lazy("Old"), "old_value", format="number"),
        Col(gettext_lazy("New"), "new_value", format="number"),
        Col(gettext_lazy("Comment"), "new_comment", wrap=True, phone=False),
        Col(gettext_lazy("Reason"), "reason", wrap=True),
        Col(gettext_lazy("Status then"), "status", phone=False),
    ],
)


@login_required
def report_history(request, pk):
    visible = selectors.readable_reports(user=request.user)
    report = get_in_area_or_404(visible.select_related("puskesmas"), request.user, pk=pk)
    changes, events = selectors.report_history(report=report, user=request.user)
    table = replace(CHANGES_TABLE, filename=f"report-{report.pk}-history.xlsx")
    return table_page(
        request,
        table=table,
        rows=changes,
        template="indicators/report_history.html",
        context={"report": report, "events": events},
    )


urlpatterns = [
    path("reports/", report_list, name="report-list"),
    path("reports/start/", report_start, name="report-start"),
    path("reports/<int:pk>/", report_entry, name="report-entry"),
    path("reports/<int:pk>/cells/", report_cells_save, name="report-cells"),
    path("reports/<int:pk>/review/", report_review, name="report-review"),
    path("reports/<int:pk>/unlock-request/", unlock_request_create, name="unlock-request-create"),
    path(
        "reports/unlock-requests/<int:pk>/decide/",
        unlock_request_decide,
        name="unlock-request-decide",
    ),
    path("reports/<int:pk>/history/", report_history, name="report-history"),
]
