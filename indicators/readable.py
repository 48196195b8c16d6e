"""What a role may read of the monthly data: scoped by `kernel.scoping.in_area`, and for a
province only what its districts approved (STYLE.md §3)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from kernel.models import User
from kernel.roles import reads_approved_only
from kernel.scoping import in_area

from .models import MonthlyReport, MonthlyValue
from .models.reports import MonthlyReportQuerySet


def readable_reports(
    *, user: User | AnonymousUser, queryset: MonthlyReportQuerySet | None = None
) -> MonthlyReportQuerySet:
    """The monthly reports `user` may read (scoped): their area's, and for a provincial reviewer
    only approved or locked ones. Every page, export and document showing reports starts here."""
    reports = in_area(MonthlyReport.objects.all() if queryset is None else queryset, user)
    return reports.approved() if reads_approved_only(user) else reports


def readable_values(
    *, user: User | AnonymousUser, queryset: QuerySet[MonthlyValue] | None = None
) -> QuerySet[MonthlyValue]:
    """The monthly values `user` may read (scoped): those of the reports `readable_reports`
    gives, filtered in the same query. Every page, export and document showing values starts
    here."""
    values = in_area(MonthlyValue.objects.all() if queryset is None else queryset, user)
    if reads_approved_only(user):
        values = values.filter(report__status__in=MonthlyReport.APPROVED_STATUSES)
    return values
