"""Review at a glance (issue #15): the list of reports waiting for the district, with their
blanks, warnings, changes since a return and outliers, and "Approve selected"."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kernel.models import Puskesmas
from kernel.tables import Col, FilterForm, Table
from kernel.web import wants_xlsx

from ..rights import can_review_report, can_review_reports
from ..selectors import review as selectors
from ..services import review as review_services

MAX_SELECTED = 200


def _entry_url(summary) -> str:
    return reverse("indicators:report-entry", kwargs={"pk": summary.report.pk})


def _first_day(report) -> datetime.date:
    return datetime.date(report.year, report.month, 1)


REVIEW_TABLE = Table(
    filename="reports-waiting.xlsx",
    sheet=gettext_lazy("Waiting for review"),
    empty=gettext_lazy("No report is waiting for review."),
    columns=[
        Col("Puskesmas", "report.puskesmas.name", wrap=True, link=_entry_url),
        Col(gettext_lazy("Month"), lambda s: date_format(_first_day(s.report), "M Y")),
        Col(gettext_lazy("Submitted at"), "report.submitted_at", format="datetime", phone=False),
        Col(gettext_lazy("Blank cells"), "blank_count", format="number"),
        Col(gettext_lazy("Errors"), "error_count", format="number", phone=False),
        Col(gettext_lazy("Warnings without comment"), "uncommented_count", format="number"),
        Col(gettext_lazy("Warnings"), "warning_count", format="number", phone=False),
        Col(gettext_lazy("Changed since return"), "changed_count", format="number", phone=False),
        Col(gettext_lazy("Outliers"), "outlier_count", format="number", phone=False),
        Col(gettext_lazy("Clean"), "is_clean", format="yesno", phone=False),
    ],
)


class ReviewFilter(FilterForm):
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"),
        required=False,
        coerce=int,
        choices=[("", gettext_lazy("All months")), *MONTHS.items()],
    )
    puskesmas = forms.ModelChoiceField(
        label="Puskesmas",
        required=False,
        queryset=Puskesmas.objects.none(),
        empty_label=gettext_lazy("All puskesmas"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["puskesmas"].queryset = selectors.review_puskesmas(user)


def _require_reviewer(request) -> None:
    if not can_review_reports(request.user):
        raise PermissionDenied(_("Only the district's planners review reports."))


@login_required
def review_list(request):
    _require_reviewer(request)
    if request.method == "POST":
        return _approve_selected(request)
    form = ReviewFilter(request.GET or None, user=request.user)
    summaries = selectors.waiting_reports(
        request.user, month=form.value("month", None), puskesmas=form.value("puskesmas", None)
    )
    if wants_xlsx(request):
        return REVIEW_TABLE.export(summaries)
    rows = [(summary, REVIEW_TABLE.cells(summary)) for summary in summaries]
    query = request.GET.copy()
    query.pop("format", None)
    context = {
        "filters": form,
        "query_string": query.urlencode(),
        "table": REVIEW_TABLE,
        "rows": rows,
        "clean_count": sum(1 for s in summaries if s.is_clean),
    }
    return render(request, "indicators/review_list.html", context)


def _selected(post) -> dict[int, int]:
    """report id -> the version the list showed, of the ticked reports (bad ids dropped)."""
    versions = {}
    for text in post.getlist("report")[:MAX_SELECTED]:
        version = post.get(f"version-{text}", "")
        if text.isascii() and text.isdigit() and len(text) <= 9 and version.isdigit():
            versions[int(text)] = int(version[:9])
    return versions


def _approve_selected(request):
    versions = _selected(request.POST)
    if not versions:
        messages.error(request, _("Tick the reports to approve."))
        return redirect("indicators:review-list")
    # A report that is no longer clean (it changed) is not approved from the list.
    unclean = [s for s in selectors.waiting_reports(request.user, ids=versions) if not s.is_clean]
    for summary in unclean:
        versions.pop(summary.report.pk, None)
    result = review_services.reports_approve(by=request.user, versions=versions)
    if result.approved:
        messages.success(
            request,
            ngettext(
                "%(count)s report approved.", "%(count)s reports approved.", len(result.approved)
            )
            % {"count": len(result.approved)},
        )
    skipped = [(s.report, _("it has blanks or warnings without comment now.")) for s in unclean]
    for report, why in skipped + result.skipped:
        messages.warning(
            request,
            _("Not approved: %(report)s: %(why)s") % {"report": report, "why": why},
        )
    if result.ignored:
        messages.warning(
            request,
            ngettext(
                "%(count)s selected report is not in your area: ignored.",
                "%(count)s selected reports are not in your area: ignored.",
                result.ignored,
            )
            % {"count": result.ignored},
        )
    return redirect("indicators:review-list")


def review_context(user, report) -> dict:
    """What the entry page shows of the review: the report at a glance in the reviewer panel
    (a submitted report, to a reviewer) and the notes of its last return (a returned one)."""
    glance = None
    if report.status == report.Status.SUBMITTED and can_review_report(user, report):
        glance = selectors.review_summary(user=user, report=report)
    notes = selectors.return_notes(report) if report.status == report.Status.RETURNED else []
    return {"glance": glance, "return_notes": notes}


def posted_return_values(post: Mapping[str, str]) -> list[dict]:
    """The per-value reasons of the return form: `rv-<village>-<service>` for the flagged
    cells, `rv-village-N` / `rv-service-N` / `rv-reason-N` for other cells; blanks dropped."""
    values = []
    for name, text in post.items():
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "rv" and parts[1].isdigit() and parts[2].isdigit():
            if text.strip():
                values.append({"village": parts[1], "service": parts[2], "reason": text})
        elif len(parts) == 3 and parts[:2] == ["rv", "reason"] and text.strip():
            values.append(
                {
                    "village": post.get(f"rv-village-{parts[2]}", ""),
                    "service": post.get(f"rv-service-{parts[2]}", ""),
                    "reason": text,
                }
            )
    return values


urlpatterns = [
    path("reports/review/", review_list, name="review-list"),
]
