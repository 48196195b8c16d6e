"""Helpers of the PKP part's tests (issue #18 B1): the data its rules read (targets, monthly
values, lokmin, RUK/RPK) made row by row."""

from __future__ import annotations

import datetime

from indicators.models import MonthlyReport, MonthlyValue, SPMService, Target
from planning.models import Activity, Plan, ScheduleEntry

from ..factories import MeetingFactory

YEAR = 2026


def service(code: str, year: int = YEAR) -> SPMService:
    return SPMService.objects.get(
        code=code, edition__first_year__lte=year, edition__last_year__isnull=True
    )


def targets(puskesmas, villages, code: str, values: list[int], year: int = YEAR) -> None:
    for village, value in zip(villages, values, strict=True):
        Target.objects.create(
            village=village,
            year=year,
            service=service(code, year),
            source=Target.Source.ESTIMATE,
            value=value,
            is_of_record=True,
        )


def served(puskesmas, village, code: str, by_month: dict[int, int], year: int = YEAR) -> None:
    for month, value in by_month.items():
        report, _ = MonthlyReport.objects.get_or_create(
            puskesmas=puskesmas,
            year=year,
            month=month,
            defaults={"due_on": datetime.date(year, month, 28)},
        )
        MonthlyValue.objects.create(
            report=report, village=village, service=service(code, year), value=value
        )


def lokmin(puskesmas, kind: str, count: int, *, year: int = YEAR, status: str = "held") -> list:
    return [
        MeetingFactory(
            puskesmas=puskesmas,
            kind=kind,
            status=status,
            held_on=datetime.date(year, 1 + n % 12, 5),
        )
        for n in range(count)
    ]


def plan(puskesmas, user, *, year: int, status: str = "draft", origins=(), scheduled=0) -> Plan:
    ruk = Plan.objects.create(
        district=puskesmas.district,
        puskesmas=puskesmas,
        year=year,
        status=status,
        created_by=user,
    )
    for n, origin in enumerate(origins):
        activity = Activity.objects.create(
            plan=ruk,
            effort="KIA-KB",
            name=f"Kegiatan {n}",
            responsible="Bidan",
            origin=origin,
            created_by=user,
            updated_by=user,
        )
        if n < scheduled:
            ScheduleEntry.objects.create(
                activity=activity, month=3, volume="1", cost_idr=0, created_by=user
            )
    return ruk
