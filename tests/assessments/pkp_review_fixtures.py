"""Fixtures of the PKP review part (issue #18 B2): a small PKP edition of its own (two service
activities, three management items scored 0/4/7/10, rank bands) and submitted PKPs made row by
row, so these tests do not depend on the shipped edition's size."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.models import (
    Instrument,
    Item,
    Level,
    Part,
    PkpAssessment,
    PkpScore,
    PkpServiceResult,
    Rank,
    RankBand,
    Section,
)
from kernel.models import User

from ..factories import UserFactory

YEAR = 2026
LEVELS = (Decimal("0"), Decimal("4"), Decimal("7"), Decimal("10"))


def make_edition(code: str = "pkp-uji") -> Instrument:
    instrument, created = Instrument.objects.get_or_create(
        code=code,
        valid_from=2020,
        defaults={"kind": Instrument.Kind.PKP, "name": "PKP uji", "scale_max": Decimal("10")},
    )
    if not created:
        return instrument
    service = Section.objects.create(
        instrument=instrument, part=Part.SERVICE, code="S1", name="Upaya kesehatan", order=1
    )
    for n, target in ((1, "90"), (2, "80")):
        Item.objects.create(
            section=service,
            code=f"S1.{n}",
            text=f"Kegiatan layanan {n}",
            order=n,
            target_pct=Decimal(target),
            variable="KIA",
        )
    management = Section.objects.create(
        instrument=instrument, part=Part.MANAGEMENT, code="M1", name="Manajemen umum", order=2
    )
    for n in (1, 2, 3):
        item = Item.objects.create(
            section=management, code=f"M1.{n}", text=f"Butir manajemen {n}", order=n
        )
        for score in LEVELS:
            Level.objects.create(item=item, score=score, definition=f"Tingkat {score}")
    for applies, bands in (
        (RankBand.Applies.SERVICE, (("good", "91"), ("fair", "81"), ("poor", "0"))),
        (RankBand.Applies.MANAGEMENT, (("good", "8.5"), ("fair", "5.5"), ("poor", "0"))),
    ):
        for rank, low in bands:
            RankBand.objects.create(
                instrument=instrument, applies_to=applies, rank=Rank(rank), min_value=low
            )
    return instrument


def make_pkp(
    puskesmas,
    *,
    year: int = YEAR,
    status: str = PkpAssessment.Status.SUBMITTED,
    self_scores=(Decimal("7"), Decimal("10"), Decimal("4")),
    actual=(95, 60),
    by: User | None = None,
) -> PkpAssessment:
    """A PKP of `puskesmas` in `status`, its scores and service results filled."""
    instrument = make_edition()
    pkp = PkpAssessment.objects.create(
        puskesmas=puskesmas,
        year=year,
        instrument=instrument,
        status=status,
        submitted_at=timezone.now() if status != PkpAssessment.Status.DRAFT else None,
        submitted_by=by,
    )
    items = Item.objects.filter(section__instrument=instrument).order_by("section__order", "order")
    management = [i for i in items if i.section.part == Part.MANAGEMENT]
    service = [i for i in items if i.section.part == Part.SERVICE]
    for item, score in zip(management, self_scores, strict=True):
        PkpScore.objects.create(
            assessment=pkp, item=item, self_score=score, self_note=f"Bukti {item.code}"
        )
    for item, done in zip(service, actual, strict=True):
        PkpServiceResult.objects.create(
            assessment=pkp,
            item=item,
            target_group=100,
            actual=done,
            problem="Kunjungan rendah" if done < 80 else "",
            rtl="Sweeping rumah ke rumah" if done < 80 else "",
        )
    return pkp


@pytest.fixture(name="pkp")
def pkp_fixture(world, puskesmas_head):
    return make_pkp(world["hsu"]["puskesmas"], by=puskesmas_head)


@pytest.fixture(name="other_pkp")
def other_pkp_fixture(world):
    return make_pkp(world["banjarmasin"]["puskesmas"])


def head_of(puskesmas, username: str) -> User:
    return UserFactory(username=username, role=User.Role.PUSKESMAS_HEAD, puskesmas=puskesmas)
