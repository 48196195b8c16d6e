"""The DHIS2 world: Hulu Sungai Utara mapped (three services, its two desa and its puskesmas),
and a November 2025 report of its puskesmas."""

from __future__ import annotations

import pytest
from django.utils import timezone

from exchange.models import DataElementMapping, Dhis2Profile, OrgUnitMapping
from indicators.models import MonthlyReport, MonthlyValue
from indicators.reporting import monthly_services

YEAR, MONTH = 2025, 11
MAPPED = 3  # the first three monthly services have a data element


def uid(prefix: str, number: int) -> str:
    return f"{prefix}{number:010d}"[:11].ljust(11, "0")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def services(world):
    return monthly_services(YEAR)


def make_mapping(world, services) -> Dhis2Profile:
    """The HSU profile: desa level, data set, the first MAPPED services, both desa, the
    puskesmas."""
    hsu = world["hsu"]
    profile = Dhis2Profile.objects.create(
        district=hsu["district"], name="DHIS2 HSU", data_set="DSxxxxxxxx1"
    )
    for number, service in enumerate(services[:MAPPED], 1):
        DataElementMapping.objects.create(
            profile=profile,
            service=service,
            data_element=uid("D", number),
            category_option_combo="HllvX50cXC0" if number == 1 else "",
        )
    for number, village in enumerate(hsu["villages"], 1):
        OrgUnitMapping.objects.create(profile=profile, village=village, org_unit=uid("V", number))
    OrgUnitMapping.objects.create(profile=profile, puskesmas=hsu["puskesmas"], org_unit=uid("P", 1))
    return profile


@pytest.fixture
def mapped(world, services):
    return make_mapping(world, services)


def fill(world, services, *, status=MonthlyReport.Status.DRAFT, month=MONTH, base=10):
    """A report of the HSU puskesmas with a value per desa and service (unmapped ones too)."""
    hsu = world["hsu"]
    report, _ = MonthlyReport.objects.get_or_create(
        puskesmas=hsu["puskesmas"],
        year=YEAR,
        month=month,
        defaults={"due_on": f"{YEAR}-12-10", "status": status},
    )
    now = timezone.now()
    for v, village in enumerate(hsu["villages"]):
        for s, service in enumerate(services[: MAPPED + 1]):
            MonthlyValue.objects.create(
                report=report,
                village=village,
                service=service,
                value=base + 10 * v + s,
                comment="catatan" if (v, s) == (0, 0) else "",
                updated_at=now,
            )
    return report


@pytest.fixture
def filled(world, services, mapped):
    return fill(world, services)


def stored(report) -> dict:
    return {
        (v.village_id, v.service_id): (v.value, v.comment)
        for v in MonthlyValue.objects.filter(report__puskesmas=report.puskesmas, report__year=YEAR)
    }
