"""The meetings demo (issue #6, item 6): idempotent, and it holds what the issue promises.

The indicators demo takes seconds (regions, targets, monthly reports), so these tests rebuild the
part of its world the meetings demo reads: Puskesmas Danau Panggang in Hulu Sungai Utara with its
villages and users, and the district's and kecamatan's partners named as that demo names them.
"""

import datetime
import time

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from kernel.models import User
from kernel.services.demo import DISTRICT_PARTNERS, SUBDISTRICT_PARTNERS
from workshops.models import (
    Commitment,
    FollowUp,
    Meeting,
    MusrenbangProposal,
    Participant,
    Problem,
    RootCause,
    StatusUpdate,
)
from workshops.selectors import lokmin_held, open_items_for, score_bands
from workshops.services.demo import demo_seed

from ..factories import (
    PartnerFactory,
    PuskesmasFactory,
    SubdistrictFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)
VILLAGES = ["Sungai Namang", "Danau Panggang", "Pandamaan", "Bitin", "Pararain", "Longkong"]
SECTORS_OF_A_KECAMATAN_LOKMIN = {
    "subdistrict",  # Sekcam, kasi kesejahteraan
    "police",
    "military",
    "religious",
    "pkk",
    "family_planning",  # PLKB
    "agriculture",
    "education",
    "village",
    "health",
}


@pytest.fixture
def demo_world(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    hsu = world["hsu"]["district"]
    kecamatan = SubdistrictFactory(district=hsu, name="Danau Panggang")
    puskesmas = PuskesmasFactory(
        subdistrict=kecamatan, name="Puskesmas Danau Panggang", head_name="dr. Siti Rahmah"
    )
    for name in VILLAGES:
        VillageFactory(subdistrict=kecamatan, puskesmas=puskesmas, name=name)
    short = hsu.name.split(" ", 1)[1]
    for name, short_name, sector in DISTRICT_PARTNERS:
        PartnerFactory(district=hsu, name=f"{name} {short}", short_name=short_name, sector=sector)
    for prefix, sector in SUBDISTRICT_PARTNERS:
        PartnerFactory(
            district=hsu, subdistrict=kecamatan, name=f"{prefix} {kecamatan.name}", sector=sector
        )
    role = User.Role
    UserFactory(username="kapus.danaupanggang", role=role.PUSKESMAS_HEAD, puskesmas=puskesmas)
    UserFactory(username="staf.danaupanggang", role=role.PUSKESMAS_STAFF, puskesmas=puskesmas)
    UserFactory(username="dinkes.hsu", role=role.DISTRICT_PLANNER, district=hsu)
    alabio = PuskesmasFactory(subdistrict=kecamatan, name="Puskesmas Alabio")
    UserFactory(username="kapus.alabio", role=role.PUSKESMAS_HEAD, puskesmas=alabio)
    return {"puskesmas": puskesmas, "alabio": alabio, "district": hsu, "tmp": tmp_path}


MODELS = [
    Meeting,
    Meeting.history.model,
    Participant,
    Problem,
    RootCause,
    FollowUp,
    Commitment,
    StatusUpdate,
    MusrenbangProposal,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_demo_is_idempotent_and_quick(demo_world):
    started = time.perf_counter()
    demo_seed(today=TODAY)
    print(f"meetings demo: {time.perf_counter() - started:.2f} s")  # figure, not an assert
    first = _counts()
    scan = Meeting.objects.exclude(signed_agreement="").get().signed_agreement.name
    demo_seed(today=TODAY)
    assert _counts() == first
    assert Meeting.objects.exclude(signed_agreement="").get().signed_agreement.name == scan
    assert len(list(demo_world["tmp"].rglob("*.pdf"))) == 1
    assert first["Meeting"] == 10 + 6 + 2 + 1  # monthly x2 puskesmas, quarterly, forum


def test_seed_demo_runs_the_meetings_demo_after_the_indicators_demo():
    assert import_string(settings.SIMPUL_DEMO_SEEDERS[1]) is demo_seed


def test_puskesmas_held_its_monthly_lokmin_up_to_last_month(demo_world):
    demo_seed(today=TODAY)
    monthly = Meeting.objects.filter(puskesmas=demo_world["puskesmas"], kind="monthly_lokmin")
    assert [m.held_on.month for m in monthly.order_by("held_on")] == list(range(1, 11))
    assert set(monthly.values_list("status", flat=True)) <= set(Meeting.HELD_STATUSES)
    assert monthly.get(held_on__month=1).is_team_forming
    bands = score_bands()
    row = lokmin_held(user=User.objects.get(username="dinkes.hsu"), year=TODAY.year).get(
        pk=demo_world["puskesmas"].pk
    )
    assert (row.monthly_held, bands.monthly_score(row.monthly_held)) == (10, 10)
    assert (row.quarterly_held, bands.quarterly_score(row.quarterly_held)) == (2, 7)


def _quarterly(puskesmas) -> tuple[Meeting, Meeting]:
    last, current = Meeting.objects.filter(puskesmas=puskesmas, kind="quarterly_lokmin").order_by(
        "held_on"
    )
    return last, current


def test_this_quarters_cross_sector_lokmin_has_every_sector_and_village_head(demo_world):
    demo_seed(today=TODAY)
    last, current = _quarterly(demo_world["puskesmas"])
    assert (last.status, current.status) == ("closed", "held")
    assert (last.quarter, current.quarter) == (3, 4) and current.held_on <= TODAY
    assert current.chair_position.startswith("Sekretaris Camat")
    assert "Dinas Kesehatan" in current.speaker
    participants = current.participants.all()
    assert SECTORS_OF_A_KECAMATAN_LOKMIN <= {p.sector for p in participants}
    heads = participants.filter(sector="village")
    assert sorted(p.position.rsplit(" ", 1)[-1] for p in heads) == sorted(
        name.rsplit(" ", 1)[-1] for name in VILLAGES
    )
    for position in ("Kapolsek", "Danramil", "Kepala KUA", "PLKB", "Penyuluh Pertanian"):
        assert any(position in p.position for p in participants), position
    assert any("Pustu" in p.position or "Polindes" in p.position for p in participants)
    assert current.minutes and current.agreement_text


def test_problems_rtl_commitments_proposals_and_signed_agreement(demo_world):
    demo_seed(today=TODAY)
    _last, current = _quarterly(demo_world["puskesmas"])
    maternal = next(p for p in current.problems.all() if "kematian ibu" in p.statement)
    stunting = next(p for p in current.problems.all() if "stunting" in p.statement)
    for problem in (maternal, stunting):
        assert problem.village and problem.service
        assert problem.priority_score == sum(problem.scores.values())
        assert set(problem.scores) == {"u", "s", "g"}
    assert {c.category for c in maternal.causes.all()} >= {"man", "method", "machine", "money"}
    assert current.problems.count() == 3
    follow_ups = current.follow_ups.all()
    assert follow_ups.count() == 7
    assert all(item.due_on >= current.held_on for item in follow_ups)
    assert all(item.problem_id for item in follow_ups)
    commitments = current.commitments.select_related("partner")
    assert commitments.count() == 7 and all(c.partner_id for c in commitments)
    assert all(c.signatory_name for c in commitments)
    assert current.proposals.filter(outcome="pending").count() == 4
    with current.signed_agreement.open("rb") as scan:
        assert scan.read(5) == b"%PDF-"
    assert current.signed_agreement_by.username == "kapus.danaupanggang"


def test_next_meeting_opens_with_last_quarters_open_items(demo_world):
    demo_seed(today=TODAY)
    last, current = _quarterly(demo_world["puskesmas"])
    head = User.objects.get(username="kapus.danaupanggang")
    statuses = dict(last.follow_ups.values_list("activity", "status"))
    assert sorted(statuses.values()) == ["done", "done", "dropped", "in_progress", "planned"]
    items = open_items_for(user=head, meeting=current)
    shown = {item.activity: item.status for item in items.follow_ups}
    assert "in_progress" in shown.values() and "planned" in shown.values()
    assert not any("Sweeping" in activity for activity in shown)  # done before this meeting
    reviewed = StatusUpdate.objects.filter(reviewed_in=current)
    assert {u.new_status for u in reviewed} == {"done", "dropped"}
    assert {c.status for c in items.commitments} == {"in_progress", "planned"}
    assert last.proposals.filter(outcome="funded").exclude(funding_source="").count() == 2


def test_district_forum_has_commitments_per_agency_some_done_some_overdue(demo_world):
    demo_seed(today=TODAY)
    forum = Meeting.objects.get(kind="district_forum", district=demo_world["district"])
    commitments = list(forum.commitments.select_related("partner"))
    agencies = {c.partner.short_name for c in commitments}
    assert {"Dinsos", "DP2KB", "DP3A", "Disdik", "Kemenag", "Disdukcapil", "Bappeda"} <= agencies
    assert sum(c.status == "done" for c in commitments) >= 2
    assert sum(c.is_overdue(TODAY) for c in commitments) >= 2
    assert forum.status == "closed" and forum.participants.count() == len(commitments) + 3


def test_demo_early_in_a_year_has_no_monthly_lokmin_yet(demo_world):
    january = datetime.date(2027, 1, 4)
    demo_seed(today=january)
    assert not Meeting.objects.filter(kind="monthly_lokmin", held_on__year=2027).exists()
    last, current = _quarterly(demo_world["puskesmas"])
    assert (last.held_on.year, last.quarter) == (2026, 4)
    assert datetime.date(2027, 1, 1) <= current.held_on <= january
