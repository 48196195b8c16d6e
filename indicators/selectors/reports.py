"""Reads for monthly reports: the grid, year-to-date, targets, history (issue #4)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field as dc_field

from django.db.models import Count, F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kernel.models import AuditEvent, Puskesmas, Village
from kernel.scoping import (  # noqa: F401  (re-exported: the one rule for reading monthly data)
    in_area,
)
from kernel.selectors.audit import audit_history, audit_latest

from ..models import MonthlyReport, SPMService
from ..readable import (  # noqa: F401  (re-exported: the one rule for reading monthly data)
    readable_reports,
    readable_values,
    reads_approved_only,
)

Cell = tuple[int, int]  # (village id, service id)


# The grid helpers live in indicators/reporting.py (services use them too); re-exported here.
from ..reporting import (  # noqa: E402, F401
    AroundCells,
    Grid,
    around_cells,
    history_before,
    monthly_services,
    populations,
    report_grid,
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
    # (value, comment) as the page shows them saved: sent back as `o-`/`oc-` with a save.
    seen: tuple = (None, "")

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


def report_cells(report: MonthlyReport) -> dict[Cell, tuple[int | None, str]]:
    """The report's saved cells: (village id, service id) -> (value, comment); one query."""
    rows = report.values.values_list("village_id", "service_id", "value", "comment")
    return {(village, service): (value, comment) for village, service, value, comment in rows}


def report_entry(
    *,
    user,
    report: MonthlyReport,
    overrides=None,
    problems=(),
    grid: Grid | None = None,
    saved: dict[Cell, tuple[int | None, str]] | None = None,
) -> list[EntryGroup]:
    """The entry grid, one group per service: value, comment, what the page shows as seen,
    target, year to date from the earlier reports `user` may read (few queries).

    `saved` is `report_cells(report)` and `grid` the page's, when the caller has read them.
    `overrides` maps (village id, service id) to (value text, comment, seen or None) typed by
    the user, so a refused save shows what was typed (and what they had seen, unless None: a
    conflict, where they have now seen the saved value); `problems` are CellProblems to show
    at their cells.
    """
    grid = grid or report_grid(report, values=readable_values(user=user))
    saved = report_cells(report) if saved is None else saved
    located: dict[Cell, list[str]] = defaultdict(list)
    for problem in problems:
        located[(problem.village.pk, problem.service.pk)].append(problem.message)
    groups = []
    for service in grid.services:
        rows = []
        for village in grid.villages:
            key = (village.pk, service.pk)
            value, comment = saved.get(key, (None, ""))
            row = EntryRow(
                village,
                service,
                value,
                comment,
                grid.targets.get(key),
                grid.before.get(key, 0),
                field=f"v-{village.pk}-{service.pk}",
                comment_field=f"c-{village.pk}-{service.pk}",
                warnings=located.get(key, []),
                seen=(value, comment),
            )
            if overrides and key in overrides:
                row.value, row.comment, seen = overrides[key]
                row.seen = seen or row.seen
            rows.append(row)
        groups.append(EntryGroup(service, rows))
    return groups


def _percent(done: int, target: int | None) -> int | None:
    return int(100 * done / target + 0.5) if target else None


def entry_cells(*, grid: Grid, around: AroundCells, keys: set[Cell]) -> dict:
    """After a cell save: the cells as saved, with their year to date, and their services'
    year-to-date figures over every desa (from what the save read: no query)."""
    service_ids = {key[1] for key in keys}
    cells = {}
    for key in keys:
        value, comment = around.now.get(key, (None, ""))
        target = grid.targets.get(key)
        ytd = around.before.get(key, 0) + (value or 0)
        cells[key] = {
            "value": value,
            "comment": comment,
            "ytd": ytd,
            "target": target,
            "pct": _percent(ytd, target),
        }
    groups = {}
    for service_id in service_ids:
        ytd = sum(t for (_v, s), t in around.before.items() if s == service_id) + sum(
            value or 0 for (_v, s), (value, _c) in around.now.items() if s == service_id
        )
        target = sum(t for (_v, s), t in grid.targets.items() if s == service_id)
        groups[service_id] = {"ytd": ytd, "target": target or None, "pct": _percent(ytd, target)}
    return {"cells": cells, "services": groups}


def entry_cells_json(figures: dict, warnings) -> dict:
    """`entry_cells` keyed by field name, each cell with its warnings' messages."""
    located: dict[Cell, list[str]] = defaultdict(list)
    for problem in warnings:
        located[(problem.village.pk, problem.service.pk)].append(problem.message)
    return {
        "cells": {
            f"v-{key[0]}-{key[1]}": {**cell, "warnings": located.get(key, [])}
            for key, cell in figures["cells"].items()
        },
        "services": {str(pk): group for pk, group in figures["services"].items()},
    }


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


def report_queue(*, user, year: int) -> dict[str, list[MonthlyReport]]:
    """The year's reports waiting for a decision in the user's area: submitted ones, and those
    with a pending unlock request (two queries; nothing read of their values)."""
    reports = (
        readable_reports(user=user)
        .filter(year=year)
        .select_related("puskesmas")
        .order_by("-month", "puskesmas__name")
    )
    return {
        "waiting": list(reports.filter(status=MonthlyReport.Status.SUBMITTED)),
        "unlocks": list(reports.filter(unlock_requests__status="pending").distinct()),
    }


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
        ).only("pk", "puskesmas_id", "year", "month", "status", "due_on", "first_submitted_at")
    }
    return [
        {"puskesmas": p, "months": [reports.get((p.pk, m)) for m in range(1, until_month + 1)]}
        for p in puskesmas_list
    ]


def completeness_by_district(*, user, year: int, until_month: int) -> list[dict]:
    """Per district: reports due, approved, and approved on time (aggregated in the database).

    Due = puskesmas x the months whose deadline has passed (`until_month`, from
    ReportingYear.months_due); on time = first submitted by the month's deadline. With no month
    due yet the rates are None ("not yet due"), never 0 %.
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


def unlock_leaves(*, report: MonthlyReport, today: datetime.date | None = None) -> str:
    """What an unlock takes out of the figures until the report is approved again (#15): the
    achievement of its quarter and of every later quarter of the year that has begun (they are
    year to date), and its quarter's completeness and timeliness. "" unless approved."""
    if not report.is_approved:
        return ""
    today = today or timezone.localdate()
    quarter = (report.month - 1) // 3 + 1
    last = 4 if report.year < today.year else max(quarter, (today.month - 1) // 3 + 1)
    quarters = ", ".join(f"Q{q}" for q in range(quarter, last + 1))
    return _(
        "%(month)s leaves the achievement of %(quarters)s %(year)s (year to date) and "
        "Q%(quarter)s's completeness and timeliness of %(puskesmas)s until it is approved again."
    ) % {
        "month": formats.date_format(datetime.date(report.year, report.month, 1), "F Y"),
        "quarters": quarters,
        "year": report.year,
        "quarter": quarter,
        "puskesmas": report.puskesmas.name,
    }


def unlocks_shown(*, reports, user) -> dict[int, AuditEvent]:
    """Per report id, the UNLOCKED event (who, when, why) that reopened a report now in draft:
    what its puskesmas reads instead of a bare "Draft" (one query, scoped; none if no draft)."""
    drafts = [r.pk for r in reports if r is not None and r.status == MonthlyReport.Status.DRAFT]
    return audit_latest(
        model=MonthlyReport, object_ids=drafts, action=AuditEvent.Action.UNLOCKED, user=user
    )


def report_history(*, report: MonthlyReport, user):
    """Every value change (who, when, old, new, why) and workflow step (the audit log, scoped) of
    one report."""
    changes = report.changes.select_related("village", "service", "changed_by").order_by(
        "-changed_at", "-pk"
    )
    return changes, audit_history(obj=report, user=user)
