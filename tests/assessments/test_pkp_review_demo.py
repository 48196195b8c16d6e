"""The PKP demo (issue #18 must-have 5): HSU's 2026 PKPs in every state the brief names, ranks
spread, 2025 approved for year on year; run twice, the same."""

import pytest

from assessments.models import PkpAssessment, PkpScore
from assessments.services import demo_pkp
from kernel.models import User
from kernel.services.demo import head_username

from ..factories import PuskesmasFactory, UserFactory

pytestmark = pytest.mark.django_db
NAMES = [
    "Puskesmas Alabio",
    "Puskesmas Amuntai Tengah",
    "Puskesmas Babirik",
    "Puskesmas Danau Panggang",
    "Puskesmas Haur Gading",
    "Puskesmas Paminggir",
    "Puskesmas Sungai Pandan",
]


@pytest.fixture
def hsu(world):
    district = world["hsu"]["district"]
    UserFactory(username="dinkes.hsu", role=User.Role.DISTRICT_PLANNER, district=district)
    units = {}
    for name in NAMES:
        unit = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name=name)
        UserFactory(username=head_username(name), role=User.Role.PUSKESMAS_HEAD, puskesmas=unit)
        units[name] = unit
    return units


def _state():
    return sorted(
        PkpAssessment.objects.values_list(
            "puskesmas__name", "year", "status", "rank", "management_score", "version"
        )
    )


def test_the_demo_gives_every_state_and_is_idempotent(hsu):
    demo_pkp.demo_seed()
    this_year = {p.puskesmas.name: p for p in PkpAssessment.objects.filter(year=2026)}
    assert this_year["Puskesmas Alabio"].status == "submitted"
    assert this_year["Puskesmas Babirik"].status == "submitted"
    assert this_year["Puskesmas Danau Panggang"].status == "draft"
    returned = this_year["Puskesmas Sungai Pandan"]
    assert returned.status == "returned" and returned.return_reason
    approved = [p for p in this_year.values() if p.status == "approved"]
    assert len(approved) >= 3
    assert {p.rank for p in approved} >= {"good", "poor"}
    assert all(p.feedback and p.ranked_by for p in approved)
    assert not PkpScore.objects.filter(
        assessment__status="approved", verified_score__isnull=True
    ).exists()
    assert PkpScore.objects.exclude(verify_reason="").exists()
    assert PkpAssessment.objects.filter(year=2025, status="approved").count() == len(NAMES)
    before = _state()
    demo_pkp.demo_seed()
    assert _state() == before
