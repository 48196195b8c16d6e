"""The puskesmas's side of the PKP (issue #18 B1): the data rules, start, refresh, saves, submit
and the scores and ranks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments.models import Instrument, PkpAssessment, PkpScore, PkpServiceResult, RankBand
from assessments.services.pkp import (
    pkp_refresh,
    pkp_start,
    pkp_submit,
    recompute,
    save_self_score,
    save_service_result,
)
from kernel.models import AuditEvent
from kernel.versioning import StaleEdit

from ..factories import FollowUpFactory, MeetingFactory
from .pkp_fixtures import YEAR, lokmin, plan, served, targets

MONTHLY, QUARTERLY = "monthly_lokmin", "quarterly_lokmin"


@pytest.fixture
def hsu(world):
    return world["hsu"]


def _result(assessment, code):
    return assessment.service_results.select_related("item").get(item__code=code)


def _score(assessment, code):
    return assessment.scores.select_related("item").get(item__code=code)


def test_start_makes_a_row_per_item_filled_from_data(hsu, puskesmas_staff):
    puskesmas, villages = hsu["puskesmas"], hsu["villages"]
    targets(puskesmas, villages, "SPM-01", [60, 40])
    served(puskesmas, villages[0], "SPM-01", {1: 10, 2: 12, 3: 8})
    served(puskesmas, villages[1], "SPM-01", {1: 5})
    lokmin(puskesmas, MONTHLY, 10)
    lokmin(puskesmas, QUARTERLY, 2)
    lokmin(puskesmas, QUARTERLY, 1, status="planned")

    assessment = pkp_start(puskesmas=puskesmas, year=YEAR, by=puskesmas_staff)

    instrument = Instrument.for_year("pkp", YEAR)
    assert assessment.instrument == instrument
    assert (
        assessment.service_results.count()
        == instrument.sections.filter(part="service").values("items").count()
    )
    assert assessment.scores.count() == 13
    kia = _result(assessment, "KIA1")
    assert (kia.target_group, kia.actual, kia.from_data) == (100, 35, True)
    assert "Jan-Mar" in kia.data_note
    assert kia.pct_of_target == Decimal("35.00")
    assert _score(assessment, "A4").self_score == Decimal("10")
    assert _score(assessment, "A5").self_score == Decimal("7")
    assert _score(assessment, "A4").from_data
    manual = _result(assessment, "GIZI1")
    assert (manual.target_group, manual.from_data) == (None, False)
    assert _score(assessment, "B1").self_score is None
    assert AuditEvent.objects.filter(
        object_id=assessment.pk, action=AuditEvent.Action.CREATED
    ).exists()
    assert assessment.service_score == Decimal("35.00")
    assert assessment.service_rank == "poor"


def test_start_is_idempotent(hsu, puskesmas_staff):
    first = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    second = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    assert first.pk == second.pk
    assert PkpAssessment.objects.count() == 1
    assert PkpScore.objects.filter(assessment=first).count() == 13


def test_start_refused_outside_the_puskesmas(world, puskesmas_staff, district_user):
    with pytest.raises(PermissionDenied):
        pkp_start(puskesmas=world["banjarmasin"]["puskesmas"], year=YEAR, by=puskesmas_staff)
    with pytest.raises(PermissionDenied):
        pkp_start(puskesmas=world["hsu"]["puskesmas"], year=YEAR, by=district_user)


def test_start_refused_before_any_edition(hsu, puskesmas_staff):
    with pytest.raises(ValidationError):
        pkp_start(puskesmas=hsu["puskesmas"], year=2010, by=puskesmas_staff)


def test_the_fill_of_a_pkp_takes_few_queries(hsu, puskesmas_staff, django_assert_max_num_queries):
    puskesmas, villages = hsu["puskesmas"], hsu["villages"]
    for code in ("SPM-01", "SPM-02", "SPM-04", "SPM-07"):
        targets(puskesmas, villages, code, [50, 50])
        served(puskesmas, villages[0], code, {1: 3, 2: 4})
    with django_assert_max_num_queries(40):
        pkp_start(puskesmas=puskesmas, year=YEAR, by=puskesmas_staff)


@pytest.mark.parametrize(
    ("kind", "held", "score"),
    [
        (MONTHLY, 12, "10"),
        (MONTHLY, 9, "10"),
        (MONTHLY, 8, "7"),
        (MONTHLY, 5, "7"),
        (MONTHLY, 4, "4"),
        (QUARTERLY, 4, "10"),
        (QUARTERLY, 3, "7"),
        (QUARTERLY, 2, "7"),
        (QUARTERLY, 1, "4"),
    ],
)
def test_lokmin_rules_score_by_the_bands(hsu, puskesmas_staff, kind, held, score):
    lokmin(hsu["puskesmas"], kind, held)
    lokmin(hsu["puskesmas"], kind, 3, year=YEAR - 1)  # another year does not count
    assessment = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    code = "A4" if kind == MONTHLY else "A5"
    assert _score(assessment, code).self_score == Decimal(score)
    assert str(held) in _score(assessment, code).data_note


@pytest.mark.parametrize(
    ("status", "origins", "score"),
    [
        (None, (), "0"),
        ("draft", ("manual", "manual"), "4"),
        ("draft", ("gap", "rtl", "manual"), "7"),
        ("submitted", ("gap", "manual", "manual"), "7"),
        ("submitted", ("gap", "rtl", "manual"), "10"),
        ("approved", ("gap", "manual"), "10"),
    ],
)
def test_ruk_rule(hsu, puskesmas_staff, status, origins, score):
    if status:
        plan(hsu["puskesmas"], puskesmas_staff, year=YEAR + 1, status=status, origins=origins)
    assessment = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    assert _score(assessment, "A2").self_score == Decimal(score)


@pytest.mark.parametrize(
    ("status", "activities", "scheduled", "score"),
    [
        ("draft", 4, 4, "0"),  # not approved: no RPK yet
        ("approved", 4, 0, "0"),
        ("approved", 4, 1, "4"),
        ("approved", 4, 2, "7"),
        ("approved", 4, 4, "10"),
    ],
)
def test_rpk_rule(hsu, puskesmas_staff, status, activities, scheduled, score):
    plan(
        hsu["puskesmas"],
        puskesmas_staff,
        year=YEAR,
        status=status,
        origins=("manual",) * activities,
        scheduled=scheduled,
    )
    assessment = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    assert _score(assessment, "A3").self_score == Decimal(score)


@pytest.mark.parametrize(
    ("status", "feedback", "score"),
    [
        (None, "", "0"),
        ("draft", "", "4"),
        ("returned", "", "4"),
        ("submitted", "", "7"),
        ("approved", "", "7"),
        ("approved", "Perbaiki lokmin", "10"),
    ],
)
def test_last_years_pkp_rule(hsu, puskesmas_staff, status, feedback, score):
    if status:
        last = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR - 1, by=puskesmas_staff)
        PkpAssessment.objects.filter(pk=last.pk).update(status=status, feedback=feedback)
    assessment = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    assert _score(assessment, "A6").self_score == Decimal(score)


def test_refresh_keeps_typed_values_and_says_what_changed(hsu, puskesmas_staff):
    puskesmas, villages = hsu["puskesmas"], hsu["villages"]
    targets(puskesmas, villages, "SPM-01", [60, 40])
    targets(puskesmas, villages, "SPM-02", [50, 50])
    assessment = pkp_start(puskesmas=puskesmas, year=YEAR, by=puskesmas_staff)
    typed = _result(assessment, "KIA2")
    save_service_result(result=typed, by=puskesmas_staff, version=typed.version, actual="77")
    served(puskesmas, villages[0], "SPM-01", {4: 20})
    served(puskesmas, villages[0], "SPM-02", {4: 30})
    lokmin(puskesmas, MONTHLY, 9)

    changed = pkp_refresh(assessment=assessment, by=puskesmas_staff)

    assert any("KIA1" in line for line in changed)
    assert any("A4" in line for line in changed)
    assert not any("KIA2" in line for line in changed)
    assert _result(assessment, "KIA1").actual == 20
    kia2 = _result(assessment, "KIA2")
    assert (kia2.actual, kia2.from_data) == (77, False)
    assert _score(assessment, "A4").self_score == Decimal("10")


def test_a_typed_score_is_kept_by_refresh(hsu, puskesmas_staff):
    assessment = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    score = _score(assessment, "A4")
    save_self_score(
        score=score,
        by=puskesmas_staff,
        version=score.version,
        self_score="7",
        self_note="Notulen 6 kali",
    )
    lokmin(hsu["puskesmas"], MONTHLY, 11)
    pkp_refresh(assessment=assessment, by=puskesmas_staff)
    score = _score(assessment, "A4")
    assert (score.self_score, score.from_data) == (Decimal("7"), False)


def test_saves_are_versioned(hsu, puskesmas_staff, puskesmas_head):
    assessment = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    result = _result(assessment, "GIZI1")
    old = result.version
    save_service_result(
        result=result,
        by=puskesmas_staff,
        version=old,
        target_group="200",
        actual="150",
        problem="Kader kurang",
    )
    stale = PkpServiceResult.objects.get(pk=result.pk)
    with pytest.raises(StaleEdit):
        save_service_result(result=stale, by=puskesmas_head, version=old, problem="Lain")
    assert PkpServiceResult.objects.get(pk=result.pk).problem == "Kader kurang"
    score = _score(assessment, "B1")
    save_self_score(
        score=score, by=puskesmas_staff, version=score.version, self_score="4", self_note=""
    )
    with pytest.raises(StaleEdit):
        save_self_score(score=score, by=puskesmas_staff, version=1, self_score="7", self_note="")


def test_service_result_checks_its_values(hsu, puskesmas_staff):
    assessment = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    result = _result(assessment, "GIZI1")
    for bad in ("-1", "abc", "1" * 30):
        with pytest.raises(ValidationError):
            save_service_result(
                result=result, by=puskesmas_staff, version=result.version, actual=bad
            )
    save_service_result(
        result=result, by=puskesmas_staff, version=result.version, problem="Ada\x00NUL"
    )
    assert PkpServiceResult.objects.get(pk=result.pk).problem == "AdaNUL"


def test_self_score_must_be_a_level(hsu, puskesmas_staff):
    assessment = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    score = _score(assessment, "B1")
    for bad in ("5", "NaN", "x", "1e99"):
        with pytest.raises(ValidationError):
            save_self_score(
                score=score, by=puskesmas_staff, version=score.version, self_score=bad, self_note=""
            )


def test_follow_ups_of_another_area_are_refused(world, puskesmas_staff):
    hsu = world["hsu"]
    assessment = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    own = FollowUpFactory(meeting=MeetingFactory(puskesmas=hsu["puskesmas"]))
    other = FollowUpFactory(meeting=MeetingFactory(puskesmas=world["banjarmasin"]["puskesmas"]))
    result = _result(assessment, "KIA1")
    with pytest.raises(ValidationError):
        save_service_result(
            result=result, by=puskesmas_staff, version=result.version, follow_ups=[own.pk, other.pk]
        )
    assert not result.follow_ups.exists()
    save_service_result(
        result=result,
        by=puskesmas_staff,
        version=result.version,
        follow_ups=[str(own.pk)],
        rtl="Kunjungan rumah",
    )
    assert list(result.follow_ups.all()) == [own]


def test_submit_by_the_head_once_every_item_is_scored(hsu, puskesmas_staff, puskesmas_head):
    assessment = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    with pytest.raises(PermissionDenied):
        pkp_submit(assessment=assessment, by=puskesmas_staff, version=assessment.version)
    with pytest.raises(ValidationError) as refused:
        pkp_submit(assessment=assessment, by=puskesmas_head, version=assessment.version)
    assert "B1" in " ".join(refused.value.messages)
    assessment.scores.update(self_score=Decimal("7"))
    assessment.refresh_from_db()
    with pytest.raises(ValidationError):  # stale page
        pkp_submit(assessment=assessment, by=puskesmas_head, version=assessment.version - 1)
    pkp_submit(assessment=assessment, by=puskesmas_head, version=assessment.version)
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    result = _result(assessment, "GIZI1")
    with pytest.raises(ValidationError):  # no longer editable
        save_service_result(result=result, by=puskesmas_staff, version=result.version, problem="x")
    with pytest.raises(ValidationError):
        pkp_refresh(assessment=assessment, by=puskesmas_staff)


@pytest.mark.parametrize(
    ("pct", "rank"),
    [("100", "good"), ("91", "good"), ("90.99", "fair"), ("81", "fair"), ("80.99", "poor")],
)
def test_service_rank_boundaries(hsu, puskesmas_staff, pct, rank):
    assessment = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    # one activity with a value: its % of target is the part's score
    result = _result(assessment, "GIZI1")  # target 85 %
    PkpServiceResult.objects.filter(pk=result.pk).update(
        target_group=10000, actual=int(Decimal(pct) * 85)
    )
    assessment = recompute(assessment)
    assert assessment.service_score == Decimal(pct)
    assert assessment.service_rank == rank


@pytest.mark.parametrize(
    ("scores", "verified", "total", "rank"),
    [
        ({"10"}, None, "10.00", "good"),
        ({"7"}, "10", "7.00", "fair"),  # one verified 10 in section A does not lift it to 8.5
        ({"4"}, None, "4.00", "poor"),
    ],
)
def test_management_score_and_rank(hsu, puskesmas_staff, scores, verified, total, rank):
    assessment = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    assessment.scores.update(self_score=Decimal(next(iter(scores))))
    if verified:
        assessment.scores.filter(item__code="A1").update(verified_score=Decimal(verified))
    assessment = recompute(assessment)
    if verified:
        assert assessment.management_score > Decimal(total)
    else:
        assert assessment.management_score == Decimal(total)
    assert assessment.management_rank == rank


def test_overall_rank_is_the_lower_part_unless_the_edition_has_an_overall_band(
    hsu, puskesmas_staff
):
    assessment = pkp_start(puskesmas=hsu["puskesmas"], year=YEAR, by=puskesmas_staff)
    assessment.scores.update(self_score=Decimal("10"))
    PkpServiceResult.objects.filter(assessment=assessment, item__code="GIZI1").update(
        target_group=100, actual=70
    )
    assessment = recompute(assessment)
    assert (assessment.management_rank, assessment.service_rank) == ("good", "fair")
    assert assessment.rank == "fair"
    RankBand.objects.create(
        instrument=assessment.instrument, applies_to="overall", rank="good", min_value=90
    )
    assert recompute(assessment).rank == "good"  # mean of 82.35 % and 100 %
