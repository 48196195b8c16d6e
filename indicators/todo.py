"""What monthly reports and targets ask of each person, for the to-do home (kernel.todo).

- Puskesmas heads and staff: the months to report (due by this month's deadline, or late), the
  returned reports with their reason, and the values with a warning that still lack a comment.
- District planners: the reports waiting for approval, the unlock requests, the targets of the
  year (and of next year once it is set up) not approved yet.
- Provincial reviewers: the districts behind on completeness (months whose deadline has passed
  and whose reports are not all approved).

Reads go through the selectors and `readable_reports` (scoped by `in_area`); each provider costs
a fixed number of queries whatever the area holds.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count, F, Min, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kernel.models import User
from kernel.roles import is_province_reviewer, is_puskesmas_member
from kernel.scoping import in_area
from kernel.todo import TodoItem, todo_register

from . import selectors
from .models import MonthlyReport, ReportingYear, TargetApproval, UnlockRequest
from .rights import can_enter_report, can_manage_targets, can_review_report
from .services.reports import CellInput, report_warnings

Status = MonthlyReport.Status
REPORTS = gettext_lazy("Monthly reports")
WARNINGS = gettext_lazy("Warnings waiting for a comment")
REVIEW = gettext_lazy("Reports to review")
TARGETS = gettext_lazy("Targets")
COMPLETENESS = gettext_lazy("Completeness")

# Warnings are checked on the newest editable reports only: each check reads the report's
# grid and history (a few queries), so the home stays a fixed number of queries.
WARNING_REPORTS = 2


def _month_label(year: int, month: int) -> str:
    return date_format(datetime.date(year, month, 1), "F Y")


def _list_url(name: str, **query) -> str:
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def _months_to_report(
    settings: dict[int, ReportingYear], today: datetime.date
) -> list[tuple[int, int, datetime.date]]:
    """(year, month, due on) of the months a puskesmas reports now: the ended months of this
    year; in January, last December (due this month)."""
    ended = (
        [(today.year - 1, 12)]
        if today.month == 1
        else [(today.year, month) for month in range(1, today.month)]
    )
    return [
        (year, month, settings[year].due_on(month)) for year, month in ended if year in settings
    ]


def _latest_due(settings: dict[int, ReportingYear], today: datetime.date) -> tuple[int, int]:
    """(year, months due) of the latest year with a month whose deadline has passed
    (ReportingYear.months_due); (0, 0) if none."""
    for year in sorted(settings, reverse=True):
        months = settings[year].months_due(today)
        if months:
            return year, months
    return 0, 0


def _settings(years: Iterable[int]) -> dict[int, ReportingYear]:
    return {row.year: row for row in ReportingYear.objects.filter(year__in=list(years))}


# --- Puskesmas heads and staff ------------------------------------------------------------------


def puskesmas_reports_todo(user: User, today: datetime.date) -> list[TodoItem]:
    """Months to report (due or late), returned reports and warnings without a comment of the
    user's puskesmas (a few queries, and a few more per report checked for warnings, at most
    WARNING_REPORTS)."""
    if not (is_puskesmas_member(user) and user.puskesmas_id):
        return []
    if not can_enter_report(user, user.puskesmas):
        return []
    settings = _settings([today.year - 1, today.year])
    reports = list(
        selectors.readable_reports(user=user)
        .filter(puskesmas_id=user.puskesmas_id)
        .filter(Q(year__gte=today.year - 1) | Q(status=Status.RETURNED))
        .annotate(value_count=Count("values", filter=Q(values__value__isnull=False)))
        .order_by("-year", "-month")
    )
    by_month = {(r.year, r.month): r for r in reports}
    items = []
    for report in reports:
        if report.status == Status.RETURNED:
            items.append(
                TodoItem(
                    section=REPORTS,
                    label=_("%(month)s returned: fix and submit again")
                    % {"month": report.period_label},
                    url=reverse("indicators:report-entry", args=[report.pk]),
                    tone="danger",
                    detail=report.return_reason,
                    due_on=report.due_on,
                )
            )
    for year, month, due_on in _months_to_report(settings, today):
        report = by_month.get((year, month))
        if report is not None and report.status != Status.DRAFT:
            continue  # submitted, approved or locked; returned ones are listed above
        url = (
            reverse("indicators:report-entry", args=[report.pk])
            if report is not None
            else _list_url("indicators:report-list", year=year)
        )
        late = today > due_on
        label = (
            _("%(month)s is late: it was due on %(date)s")
            if late
            else _("%(month)s is due on %(date)s")
        )
        items.append(
            TodoItem(
                section=REPORTS,
                label=label
                % {"month": _month_label(year, month), "date": date_format(due_on, "j F")},
                url=url,
                tone="danger" if late else "warning",
                detail=_("Started, not submitted yet.") if report else _("Not started yet."),
                due_on=due_on,
            )
        )
    items += _warnings_waiting(user, reports)
    return items


def _warnings_waiting(user: User, reports: list[MonthlyReport]) -> list[TodoItem]:
    """Values with a warning and no comment, in the newest editable reports with values (the
    same checks as the entry page, on the values the user may read)."""
    with_values = [r for r in reports if getattr(r, "value_count", None)]  # annotated
    editable = [r for r in with_values if r.is_editable][:WARNING_REPORTS]
    readable = selectors.readable_values(user=user)
    items = []
    for report in editable:
        saved = selectors.report_cells(report)
        cells = {key: CellInput(value, comment) for key, (value, comment) in saved.items()}
        waiting = {
            (problem.village.pk, problem.service.pk)
            for problem in report_warnings(report=report, cells=cells, values=readable)
            if not saved.get((problem.village.pk, problem.service.pk), (None, ""))[1].strip()
        }
        if waiting:
            items.append(
                TodoItem(
                    section=WARNINGS,
                    label=ngettext(
                        "%(month)s: %(count)s value with a warning needs a comment",
                        "%(month)s: %(count)s values with a warning need a comment",
                        len(waiting),
                    )
                    % {"month": report.period_label, "count": len(waiting)},
                    count=len(waiting),
                    url=reverse("indicators:report-entry", args=[report.pk]),
                    tone="warning",
                    detail=_("A report with a warning left unexplained cannot be submitted."),
                    due_on=report.due_on,
                )
            )
    return items


# --- District planners --------------------------------------------------------------------------


def _one_or_list(count: int, report_id: int, year: int, anchor: str) -> str:
    """The report itself when it is the only one, else the year's list at its section."""
    if count == 1:
        return reverse("indicators:report-entry", args=[report_id])
    return f"{_list_url('indicators:report-list', year=year)}#{anchor}"


def district_reports_todo(user: User, today: datetime.date) -> list[TodoItem]:
    """Reports waiting for approval, and unlock requests per year, of the planner's district
    (two queries)."""
    district = user.district if user.district_id else None
    if district is None or not can_review_report(user, district):
        return []
    items = []
    waiting = (
        selectors.readable_reports(user=user)
        .filter(status=Status.SUBMITTED)
        .aggregate(
            count=Count("pk"),
            first=Min("pk"),
            late=Count("pk", filter=Q(first_submitted_at__date__gt=F("due_on"))),
        )
    )
    count, late = waiting["count"], waiting["late"]
    if count:
        items.append(
            TodoItem(
                section=REVIEW,
                label=ngettext(
                    "%(count)s report waiting for your approval",
                    "%(count)s reports waiting for your approval",
                    count,
                )
                % {"count": count},
                count=count,
                # The report itself, or the waiting reports at a glance (approve several).
                url=(
                    reverse("indicators:report-entry", args=[waiting["first"]])
                    if count == 1
                    else reverse("indicators:review-list")
                ),
                tone="warning",
                detail=ngettext(
                    "%(count)s of them was submitted late.",
                    "%(count)s of them were submitted late.",
                    late,
                )
                % {"count": late}
                if late
                else "",
            )
        )
    unlocks = (
        in_area(UnlockRequest.objects.filter(status=UnlockRequest.Status.PENDING), user)
        .values("report__year")
        .annotate(count=Count("pk"), first=Min("report_id"))
        .order_by("-report__year")
    )
    for row in unlocks:
        year = row["report__year"]
        items.append(
            TodoItem(
                section=REVIEW,
                label=ngettext(
                    "%(year)s: %(count)s unlock request to answer",
                    "%(year)s: %(count)s unlock requests to answer",
                    row["count"],
                )
                % {"year": year, "count": row["count"]},
                count=row["count"],
                url=_one_or_list(row["count"], row["first"], year, "unlocks"),
                tone="warning",
            )
        )
    return items


def district_targets_todo(user: User, today: datetime.date) -> list[TodoItem]:
    """This year's targets (and next year's once that year is set up) of the planner's district
    that are not approved yet (two queries)."""
    district = user.district if user.district_id else None
    if district is None or not can_manage_targets(user, district):
        return []
    years = [year for year in selectors.target_years() if year in (today.year, today.year + 1)]
    approved = set(
        in_area(
            TargetApproval.objects.filter(
                district=district, year__in=years, status=TargetApproval.Status.APPROVED
            ),
            user,
        ).values_list("year", flat=True)
    )
    return [
        TodoItem(
            section=TARGETS,
            label=_("The %(year)s targets are not approved yet") % {"year": year},
            url=_list_url("indicators:target-list", year=year, district=district.pk),
            tone="warning" if year == today.year else "info",
            detail=_("Choose a target of record for every desa and service, then approve."),
        )
        for year in sorted(years)
        if year not in approved
    ]


# --- Provincial reviewers -----------------------------------------------------------------------


def province_completeness_todo(user: User, today: datetime.date) -> list[TodoItem]:
    """The districts of the province with reports of months already due that are not approved:
    the year of the latest month due (two queries)."""
    if not (is_province_reviewer(user) and user.province_id):
        return []
    year, months = _latest_due(_settings([today.year - 1, today.year]), today)
    if not year:
        return []
    rows = selectors.completeness_by_district(user=user, year=year, until_month=months)
    items = []
    for row in rows:
        missing = row["expected"] - row["approved"]
        if missing <= 0:
            continue
        district = row["district"]
        items.append(
            TodoItem(
                section=COMPLETENESS,
                label=ngettext(
                    "%(district)s: %(count)s report due and not approved",
                    "%(district)s: %(count)s reports due and not approved",
                    missing,
                )
                % {"district": district.name, "count": missing},
                count=missing,
                url=reverse("indicators:dashboard-district", args=[district.pk]),
                tone="warning",
                detail=_(
                    "Up to %(month)s: %(approved)s of %(expected)s reports approved "
                    "(%(percent)s%%)."
                )
                % {
                    "month": _month_label(year, months),
                    "approved": row["approved"],
                    "expected": row["expected"],
                    "percent": int(row["completeness"] or 0),
                },
            )
        )
    if items:
        items.append(
            TodoItem(
                section=COMPLETENESS,
                label=_("Districts behind: %(count)s of %(total)s. Open the province dashboard")
                % {"count": len(items), "total": len(rows)},
                url=reverse("indicators:dashboard"),
                tone="info",
            )
        )
    return items


todo_register("indicators.puskesmas_reports", puskesmas_reports_todo, order=10)
todo_register("indicators.district_reports", district_reports_todo, order=20)
todo_register("indicators.district_targets", district_targets_todo, order=30)
todo_register("indicators.province_completeness", province_completeness_todo, order=60)
