"""What the SPM data tells whom (issue #15), declared on the kernel's notifications
(kernel.notifications): a monthly report returned, approved or unlocked (its puskesmas), an
unlock request refused (who asked), a report submitted (the district's planners), the year's
targets approved or reopened (the district's puskesmas heads), and a deadline in 3 days (a daily
scan: the puskesmas whose report is not submitted yet). Imported in IndicatorsConfig.ready()."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.models import AuditEvent, Puskesmas, User
from kernel.notifications import (
    Notice,
    on_event,
    people_of_puskesmas,
    planners_of_district,
    scan_register,
)

from .models import MonthlyReport, ReportingYear, TargetApproval, UnlockRequest

Action = AuditEvent.Action
Status = MonthlyReport.Status
DAYS_BEFORE_DEADLINE = 3


def _puskesmas_people(report: MonthlyReport, event: AuditEvent):
    return people_of_puskesmas(report.puskesmas_id)


def _entry(report: MonthlyReport, event: AuditEvent | None = None) -> str:
    return reverse("indicators:report-entry", args=[report.pk])


def _who(event: AuditEvent) -> str:
    by = event.by
    return (by.get_full_name() or by.username) if by is not None else _("Simpul")


def _reason(report: MonthlyReport, event: AuditEvent) -> str:
    return event.reason


# A report back to its puskesmas: returned (with the reason), approved, unlocked (who and why).
on_event(
    MonthlyReport,
    Action.RETURNED,
    kind="report_returned",
    recipients=_puskesmas_people,
    title=lambda r, e: (
        _("The %(period)s report was returned by %(who)s")
        % {"period": r.period_label, "who": _who(e)}
    ),
    body=lambda r, e: _("Reason: %(reason)s") % {"reason": e.reason},
    url=_entry,
)
on_event(
    MonthlyReport,
    Action.APPROVED,
    kind="report_approved",
    recipients=_puskesmas_people,
    title=lambda r, e: (
        _("The %(period)s report was approved by %(who)s")
        % {"period": r.period_label, "who": _who(e)}
    ),
    url=_entry,
)
on_event(
    MonthlyReport,
    Action.UNLOCKED,
    kind="report_unlocked",
    recipients=_puskesmas_people,
    title=lambda r, e: (
        _("The %(period)s report was unlocked by %(who)s: it can be changed again")
        % {"period": r.period_label, "who": _who(e)}
    ),
    body=lambda r, e: (
        _("Reason: %(reason)s. Its values count in the figures again once it is approved.")
        % {"reason": e.reason}
    ),
    url=_entry,
)


def _asked_and_refused(report: MonthlyReport, event: AuditEvent):
    """Who asked for the unlock this event refuses."""
    request = (
        UnlockRequest.objects.filter(report=report, status=UnlockRequest.Status.REFUSED)
        .select_related("requested_by")
        .order_by("-decided_at", "-pk")
        .first()
    )
    return [request.requested_by] if request is not None else []


on_event(
    MonthlyReport,
    Action.UNLOCK_REFUSED,
    kind="unlock_refused",
    recipients=_asked_and_refused,
    title=lambda r, e: (
        _("Your request to unlock the %(period)s report was refused") % {"period": r.period_label}
    ),
    body=lambda r, e: _("Answer of %(who)s: %(reason)s") % {"who": _who(e), "reason": e.reason},
    url=_entry,
)


# A report arrives for review: the district's planners.
on_event(
    MonthlyReport,
    Action.SUBMITTED,
    kind="report_submitted",
    recipients=lambda r, e: planners_of_district(r.puskesmas.district_id),
    title=lambda r, e: (
        _("%(puskesmas)s submitted its %(period)s report for review")
        % {"puskesmas": r.puskesmas.name, "period": r.period_label}
    ),
    url=lambda r, e: reverse("indicators:report-review", args=[r.pk]),
)


# The year's targets approved or reopened: the district's puskesmas heads (they propose counts).
def _district_heads(approval: TargetApproval, event: AuditEvent):
    return User.objects.filter(
        puskesmas__district_id=approval.district_id,
        role=User.Role.PUSKESMAS_HEAD,
        is_active=True,
    )


def _targets(approval: TargetApproval, event: AuditEvent) -> str:
    return reverse("indicators:target-list") + f"?year={approval.year}"


on_event(
    TargetApproval,
    Action.APPROVED,
    kind="targets_approved",
    recipients=_district_heads,
    title=lambda a, e: (
        _("The %(year)s targets of %(district)s were approved")
        % {"year": a.year, "district": a.district.name}
    ),
    url=_targets,
)
on_event(
    TargetApproval,
    Action.REOPENED,
    kind="targets_reopened",
    recipients=_district_heads,
    title=lambda a, e: (
        _("The %(year)s targets of %(district)s were reopened for changes")
        % {"year": a.year, "district": a.district.name}
    ),
    body=lambda a, e: _("Reason: %(reason)s") % {"reason": e.reason},
    url=_targets,
)


# --- Daily: a deadline in 3 days ---------------------------------------------------------------


def _month_due_on(day: datetime.date) -> tuple[ReportingYear, int] | None:
    """The reporting year and month whose deadline is `day`, if any."""
    month, year = (12, day.year - 1) if day.month == 1 else (day.month - 1, day.year)
    reporting_year = ReportingYear.objects.filter(year=year).first()
    if reporting_year is None or reporting_year.due_on(month) != day:
        return None
    return reporting_year, month


def deadline_notices(today: datetime.date) -> Iterator[Notice]:
    """The puskesmas whose report of the month due in 3 days is not submitted yet (its head and
    staff); once per puskesmas and month."""
    due_on = today + datetime.timedelta(days=DAYS_BEFORE_DEADLINE)
    found = _month_due_on(due_on)
    if found is None:
        return
    reporting_year, month = found
    year = reporting_year.year
    reports = {
        report.puskesmas_id: report
        for report in MonthlyReport.objects.filter(year=year, month=month).select_related(
            "puskesmas__district"
        )
    }
    people: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        puskesmas__isnull=False,
        role__in=[User.Role.PUSKESMAS_HEAD, User.Role.PUSKESMAS_STAFF],
        is_active=True,
    ):
        people[user.puskesmas_id].append(user)
    period = datetime.date(year, month, 1)
    for puskesmas in Puskesmas.objects.filter(pk__in=list(people)).select_related("district"):
        report = reports.get(puskesmas.pk)
        if report is not None and not report.is_editable:
            continue
        url = (
            reverse("indicators:report-entry", args=[report.pk])
            if report is not None
            else reverse("indicators:report-list")
        )
        yield Notice(
            recipients=people[puskesmas.pk],
            kind="report_due",
            title=lambda: (
                _("The %(period)s report is due on %(date)s, in %(days)s days")
                % {
                    "period": date_format(period, "YEAR_MONTH_FORMAT"),
                    "date": date_format(due_on, "DATE_FORMAT"),
                    "days": DAYS_BEFORE_DEADLINE,
                }
            ),
            body=gettext_lazy("It was returned and is not submitted again yet.")
            if report is not None and report.status == Status.RETURNED
            else gettext_lazy("It is not submitted yet."),
            url=url,
            obj=report if report is not None else puskesmas,
            key=f"report-due:{puskesmas.pk}:{year}-{month}",
        )


scan_register("indicators.report_deadline", deadline_notices)
