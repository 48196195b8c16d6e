"""Reads for monthly reports: the grid, year-to-date, targets, history (issue #4)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field as dc_field

from django.db.models import Count, F, Q

from kernel.models import Puskesmas, Village
from kernel.scoping import (  # noqa: F401  (re-exported: the one rule for reading monthly data)
    in_area,
)
from kernel.selectors.audit import audit_history

from ..models import MonthlyReport, SPMService
from ..readable import (  # noqa: F401  (re-exported: the one rule for reading monthly data)
    readable_reports,
    readable_values,
    reads_approved_only,
)

Cell = tuple[int, int]  # (village id, service id)


# The grid helpers live in indicators/reporting.py (services use them too); re-exported here.
from ..reporting import (  # noqa: E402, F401
    history_before,
    monthly_services,
    populations,
    reporting_year,
    targets_of_record,
    working_area,
    year_to_date_before,
)

# --- Pages --------------------------------------------------------------------------------------


@dataclass
class EntryRow:
    village: Village
    service: SPMService
    value: int | None
    comment: str
    target: int | None
    before: int
    field: str = ""
    comment_field: str = ""
    warnings: list[str] = dc_field(default_factory=list)
    error: str = ""

    @property
    def year_to_date(self) -> int:
        # `value` is the typed text when a refused save is shown again.
        value = self.value if isinstance(self.value, int) else None
        if isinstance(self.value, str) and self.value.strip().isdigit():
            value = int(self.value)
        return self.before + (value or 0)

    @property
    def achievement(self) -> float | None:
        """capaian = served / target group x 100, DOMAIN.md §2."""
        return 100 * self.year_to_date / self.target if self.target else None


@dataclass
class EntryGroup:
    service: SPMService
    rows: list[EntryRow]

    @property
    def target(self) -> int:
        return sum(row.target or 0 for row in self.rows)

    @property
    def year_to_date(self) -> int:
        return sum(row.year_to_date for row in self.rows)

    @property
    def achievement(self) -> float | None:
        return 100 * self.year_to_date / self.target if self.target else None

    @property
    def has_problem(self) -> bool:
        return any(row.warnings or row.error for row in self.rows)


def report_entry(*, user, report: MonthlyReport, overrides=None, problems=()) -> list[EntryGroup]:
    """The entry grid, one group per service: value, comment, target, year to date from the
    earlier reports `user` may read (few queries).

    `overrides` maps (village id, service id) to (value text, comment) typed by the user, so a
    refused save shows what was typed; `problems` are CellProblems to show at their cells.
    """
    villages = working_area(report.puskesmas)
    services = monthly_services(report.year)
    saved = {(v.village_id, v.service_id): v for v in report.values.all()}
    before = year_to_date_before(report, values=readable_values(user=user))
    targets = targets_of_record([v.pk for v in villages], report.year)
    located: dict[Cell, list[str]] = defaultdict(list)
    for problem in problems:
        located[(problem.village.pk, problem.service.pk)].append(problem.message)
    groups = []
    for service in services:
        rows = []
        for village in villages:
            key = (village.pk, service.pk)
            value = saved[key].value if key in saved else None
            comment = saved[key].comment if key in saved else ""
            row = EntryRow(
                village,
                service,
                value,
                comment,
                targets.get(key),
                before.get(key, 0),
                field=f"v-{village.pk}-{service.pk}",
                comment_field=f"c-{village.pk}-{service.pk}",
                warnings=located.get(key, []),
            )
            if overrides and key in overrides:
                row.value, row.comment = overrides[key]
            rows.append(row)
        groups.append(EntryGroup(service, rows))
    return groups


def report_list(*, user, year: int):
    """Reports of the year in the user's area, newest first, with their puskesmas (scoped)."""

    return (
        readable_reports(user=user)
        .filter(year=year)
        .select_related("puskesmas__district", "submitted_by", "decided_by")
        .annotate(
            value_count=Count("values", filter=Q(values__value__isnull=False)),
            pending_unlocks=Count(
                "unlock_requests", filter=Q(unlock_requests__status="pending"), distinct=True
            ),
        )
        .order_by("-month", "puskesmas__name")
    )


def report_matrix(*, user, year: int, until_month: int) -> list[dict]:
    """Puskesmas x month of the year with each report's status (two queries in all, scoped)."""
    puskesmas_list = list(
        in_area(Puskesmas.objects.all(), user)
        .select_related("district")
        .order_by("district__code", "name")
    )
    reports = {
        (r.puskesmas_id, r.month): r
        for r in readable_reports(
            user=user, queryset=MonthlyReport.objects.filter(year=year, month__lte=until_month)
        )
    }
    return [
        {"puskesmas": p, "months": [reports.get((p.pk, m)) for m in range(1, until_month + 1)]}
        for p in puskesmas_list
    ]


def completeness_by_district(*, user, year: int, until_month: int) -> list[dict]:
    """Per district: reports expected, approved, and approved on time (aggregated in the database).

    Expected = puskesmas x months so far; on time = first submitted by the month's deadline.
    """
    from kernel.models import District

    approved = Q(
        puskesmas__reports__year=year,
        puskesmas__reports__month__lte=until_month,
        puskesmas__reports__status__in=MonthlyReport.APPROVED_STATUSES,
    )
    on_time = approved & Q(
        puskesmas__reports__first_submitted_at__date__lte=F("puskesmas__reports__due_on")
    )
    districts = (
        in_area(District.objects.all(), user)
        .annotate(
            puskesmas_count=Count("puskesmas", distinct=True),
            approved_count=Count("puskesmas__reports", filter=approved, distinct=True),
            on_time_count=Count("puskesmas__reports", filter=on_time, distinct=True),
        )
        .order_by("code")
    )
    rows = []
    for district in districts:
        expected = district.puskesmas_count * until_month
        rows.append(
            {
                "district": district,
                "expected": expected,
                "approved": district.approved_count,
                "on_time": district.on_time_count,
                "completeness": 100 * district.approved_count / expected if expected else None,
                "timeliness": 100 * district.on_time_count / expected if expected else None,
            }
        )
    return rows


def report_history(*, report: MonthlyReport, user):
    """Every value change (who, when, old, new, why) and workflow step (the audit log, scoped) of
    one report."""
    changes = report.changes.select_related("village", "service", "changed_by").order_by(
        "-changed_at", "-pk"
    )
    return changes, audit_history(obj=report, user=user)
