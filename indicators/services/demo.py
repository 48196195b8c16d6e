"""The SPM part of the demo world, through the services (after kernel's demo): in both districts
of Kalimantan Selatan, the year's targets estimated and approved and this year's monthly reports;
then the quarters computed, so the province compares its two districts.

- Hulu Sungai Utara: old months approved and locked, last month partly waiting, returned or late.
- Kota Banjarmasin: every month up to last month approved (all but the last two locked).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from kernel.models import AuditEvent, District, User

from ..models import MonthlyReport
from . import targets as targets_module


def _seed_reports(
    district: District, *, head_of: dict, planner: User, complete: bool = False, offset: int = 0
) -> None:
    """Monthly reports of the current year for every puskesmas of `district`, through the
    services: old months approved and locked, last month waiting, one returned, one late draft;
    or, when `complete`, every month approved. `offset` shifts which puskesmas do better.
    """
    from .reports import (
        CellInput,
        monthly_services,
        report_approve,
        report_lock,
        report_open,
        report_return,
        report_save,
        report_submit,
        targets_of_record,
        working_area,
    )

    today = timezone.localdate()
    year, last_month = today.year, today.month - 1
    if last_month < 1:
        return
    services = monthly_services(year)
    bias = {s.pk: random.Random(f"{district.code}-{s.code}").uniform(0.7, 1.2) for s in services}
    for index, puskesmas in enumerate(district.puskesmas.order_by("name")):
        user = head_of.get(puskesmas.pk)
        if user is None:
            continue
        villages = working_area(puskesmas)
        targets = targets_of_record([v.pk for v in villages], year)
        for month in range(1, last_month + 1):
            report = report_open(puskesmas=puskesmas, year=year, month=month, by=user)
            if report.values.exists():
                continue
            rng = random.Random(f"{puskesmas.code}-{year}-{month}")
            # Weaker puskesmas report less; the last month some do not report every desa.
            pace = 0.55 + 0.4 * (((index + offset) * 7) % 10) / 10
            cells = {}
            for village in villages:
                for service in services:
                    target = targets.get((village.pk, service.pk)) or 12
                    if month == last_month and not complete and rng.random() < 0.1:
                        continue
                    # Served so far follows the desa's own pace, so the year to date never
                    # runs over its target (the demo submits without warnings).
                    share = pace * random.Random(f"{village.code}-{service.code}").uniform(
                        0.8, 1.05
                    )
                    if complete:  # some services do better than others, never over target
                        share = min(0.98, share * bias[service.pk])
                    so_far = int(target * share * month / 12)
                    before = int(target * share * (month - 1) / 12)
                    cells[(village.pk, service.pk)] = CellInput(so_far - before)
            report_save(report=report, cells=cells, version=report.version, by=user)
            if complete:
                report_submit(report=report, version=report.version, by=user)
                report_approve(report=report, by=planner)
                if month <= last_month - 2:
                    report_lock(report=report, by=planner)
                continue
            if month == last_month and index % 4 == 3:
                continue  # still a draft, and late
            report_submit(report=report, version=report.version, by=user)
            if month == last_month and index % 4 != 1:
                continue  # waiting for the district
            if month == last_month:
                report_return(
                    report=report,
                    by=planner,
                    reason="Angka balita desa pertama turun tajam; mohon dicek.",
                )
                continue
            report_approve(report=report, by=planner)
            if month <= last_month - 2:
                report_lock(report=report, by=planner)
    _backdate(district, today)


def _backdate(district: District, today) -> None:
    """Demo only: give this year's reports the dates they would have had, not today's.

    Most puskesmas submit a few days before the deadline; one in five is late now and then.
    """
    offsets = {
        AuditEvent.Action.CREATED: -6,
        AuditEvent.Action.SAVED: -2,
        AuditEvent.Action.SUBMITTED: 0,
        AuditEvent.Action.RETURNED: 2,
        AuditEvent.Action.APPROVED: 3,
        AuditEvent.Action.LOCKED: 6,
    }
    reports = MonthlyReport.objects.filter(
        puskesmas__district=district, year=today.year, first_submitted_at__isnull=False
    ).select_related("puskesmas")
    now = timezone.now()
    for report in reports:
        rng = random.Random(f"{report.puskesmas.code}-{report.month}-dates")
        late = rng.random() < 0.08
        day = report.due_on + timedelta(days=rng.randint(1, 4) if late else -rng.randint(0, 7))
        if day >= today:  # its deadline is still ahead: sent in the days since the month ended
            month_end = date(report.year, report.month, 1) + timedelta(days=31)
            day = max(today - timedelta(days=rng.randint(1, 3)), month_end.replace(day=1))
        submitted = min(timezone.make_aware(datetime.combine(day, time(10, 0))), now)

        def at(days: int, submitted=submitted) -> datetime:
            return min(submitted + timedelta(days=days), now)

        for action, offset in offsets.items():
            report.events.filter(action=action).update(at=at(offset))
        report.changes.update(changed_at=submitted - timedelta(days=2))
        MonthlyReport.objects.filter(pk=report.pk).update(
            first_submitted_at=submitted,
            submitted_at=submitted,
            decided_at=at(3) if report.decided_at else None,
            locked_at=at(6) if report.locked_at else None,
        )


# District code, its planner, every month approved, which puskesmas do better.
DISTRICTS = (("63.08", "dinkes.hsu", False, 0), ("63.71", "dinkes.banjarmasin", True, 3))


def _seed_district(district: District, planner: User, *, complete: bool, offset: int) -> None:
    year = timezone.localdate().year
    if not targets_module.is_approved(district=district, year=year):
        targets_module.demo_targets(district=district, year=year, by=planner)
        targets_module.targets_approve(district=district, year=year, by=planner)
    head_of: dict[int | None, User] = {}
    for head in User.objects.filter(
        puskesmas__district=district, role=User.Role.PUSKESMAS_HEAD
    ).order_by("pk"):
        head_of.setdefault(head.puskesmas_id, head)
    _seed_reports(district, head_of=head_of, planner=planner, complete=complete, offset=offset)


def _seed_quality() -> None:
    """Hulu Sungai Utara's quality reports approved for the two latest quarters that began
    (ended ones first) of the demo year (services/demo_quality.py)."""
    from .aggregation import quarter_of
    from .demo_quality import demo_quality

    district = District.objects.filter(code=DISTRICTS[0][0]).first()
    planner = User.objects.filter(username=DISTRICTS[0][1]).first()
    if district is None or planner is None:
        return
    today = timezone.localdate()
    now = quarter_of(today.month)
    quarters = (now - 2, now - 1) if now >= 3 else (1, 2) if now == 2 else (1,)
    demo_quality(district=district, planner=planner, year=today.year, quarters=quarters)


def demo_seed() -> None:
    """Targets, monthly reports and quarters of the demo districts; idempotent.

    The reports commit before the quarters are computed: an approval rebuilds the quarters
    already computed (`achievement_refresh`, on commit), and there are none yet on a fresh
    database, so each approval costs a query instead of a rebuild.
    """
    with transaction.atomic():
        for code, username, complete, offset in DISTRICTS:
            district = District.objects.filter(code=code).first()
            planner = User.objects.filter(username=username).first()
            if district is not None and planner is not None:
                _seed_district(district, planner, complete=complete, offset=offset)
        _seed_quality()  # issue #16: before the quarters below are computed
    # The quarters so far, as the nightly job would have computed them.
    from .aggregation import quarter_aggregate, quarter_of

    today = timezone.localdate()
    with transaction.atomic():
        for quarter in range(1, quarter_of(today.month) + 1):
            quarter_aggregate(year=today.year, quarter=quarter)
