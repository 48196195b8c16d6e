"""District UKBM indicators (issue #17 must-have 4): the computation per puskesmas, district and
province from the registry and approved reviews only, with a fixed number of queries; the
province's set and targets; what each level reads; the .xlsx."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from community.models import (
    IndicatorResult,
    IndicatorSet,
    IndicatorTarget,
    Skill,
    SkillAssessment,
    SkillSet,
    UkbmIndicator,
)
from community.services.indicator_sets import (
    TargetInput,
    indicator_set_create,
    indicator_set_save,
    target_amount,
)
from community.services.indicators import indicator_value, ukbm_indicators_compute
from kernel.versioning import StaleEdit

from ..factories import PuskesmasFactory, VillageFactory
from .factories import CadreFactory, PosyanduFactory, PosyanduReviewFactory, VillageReviewFactory

pytestmark = pytest.mark.django_db

YEAR = 2026
APPROVED = "approved"
Level = IndicatorResult.Level


def _indicator(measure: str) -> UkbmIndicator:
    return UkbmIndicator.objects.get(measure=measure)


def _result(measure: str, level: str, area) -> IndicatorResult:
    return IndicatorResult.objects.get(
        indicator=_indicator(measure), year=YEAR, level=level, **{level: area}
    )


def _assess(cadre, skills, *, on=datetime.date(2026, 3, 1), result="competent") -> None:
    SkillAssessment.objects.bulk_create(
        SkillAssessment(cadre=cadre, skill=skill, assessed_on=on, result=result) for skill in skills
    )


@pytest.fixture
def small_world(world):
    """HSU: puskesmas A (the world's) with 4 active posyandu and 1 inactive; puskesmas B with 1
    posyandu. Banjarmasin: 3 posyandu. Bontang (another province): its 1 posyandu."""
    hsu, banjarmasin = world["hsu"], world["banjarmasin"]
    a = hsu["puskesmas"]
    b = PuskesmasFactory(subdistrict=hsu["subdistrict"], name="Puskesmas B")
    VillageFactory(subdistrict=hsu["subdistrict"], puskesmas=b)
    first = hsu["service_point"]  # a posyandu of the world
    mandiri, purnama, madya = (PosyanduFactory(puskesmas=a) for _ in range(3))
    closed = PosyanduFactory(puskesmas=a, is_active=False)
    PosyanduFactory(puskesmas=b)
    first.runs_ilp = True
    first.save(update_fields=["runs_ilp"])
    mandiri.runs_ilp = True
    mandiri.save(update_fields=["runs_ilp"])
    review = PosyanduReviewFactory
    review(service_point=mandiri, stratum="mandiri", is_active_posyandu=True, status=APPROVED)
    review(service_point=purnama, stratum="purnama", is_active_posyandu=True, status=APPROVED)
    review(service_point=madya, stratum="madya", is_active_posyandu=False, status=APPROVED)
    # Not counted: a draft, a submitted one, an inactive posyandu's, another year's.
    review(service_point=first, stratum="mandiri", is_active_posyandu=True, status="submitted")
    review(service_point=closed, stratum="mandiri", is_active_posyandu=True, status=APPROVED)
    review(
        service_point=madya, year=2025, stratum="mandiri", is_active_posyandu=True, status=APPROVED
    )
    # Banjarmasin: 1 of 3 Mandiri.
    bjm = [
        banjarmasin["service_point"],
        *(PosyanduFactory(puskesmas=banjarmasin["puskesmas"]) for _ in range(2)),
    ]
    review(service_point=bjm[0], stratum="mandiri", is_active_posyandu=True, status=APPROVED)
    # Cadres of A: 3 active (one assessed in all 25 skills, one in 24, one never), 1 inactive
    # assessed in all.
    skills = list(Skill.objects.filter(skill_set=SkillSet.for_year(YEAR)).order_by("number"))
    assert len(skills) == 25
    done, partly, _never = (CadreFactory(service_point=mandiri) for _ in range(3))
    gone = CadreFactory(service_point=mandiri, is_active=False)
    _assess(done, skills[:20], on=datetime.date(2025, 6, 1), result="not_yet")
    _assess(done, skills[20:])
    _assess(done, skills[:3], on=datetime.date(2026, 4, 1))  # a second time: still 25 skills
    _assess(partly, skills[:24])
    _assess(gone, skills)
    # Villages of A: 2; one approved siaga aktif, one submitted (not counted).
    v1, v2 = hsu["villages"]
    VillageReviewFactory(village=v1, is_siaga_aktif=True, status=APPROVED)
    VillageReviewFactory(village=v2, is_siaga_aktif=True, status="submitted")
    return {"a": a, "b": b, "world": world}


def test_indicator_value_rounds_and_has_no_value_without_denominator():
    assert indicator_value(1, 3) == Decimal("33.33")
    assert indicator_value(2, 3) == Decimal("66.67")
    assert indicator_value(0, 0) is None
    assert indicator_value(5, 5) == Decimal("100.00")


def test_compute_per_puskesmas_district_and_province(small_world):
    world, a, b = small_world["world"], small_world["a"], small_world["b"]
    hsu, bjm = world["hsu"]["district"], world["banjarmasin"]["district"]
    ukbm_indicators_compute(year=YEAR)

    def nd(measure, level, area):
        row = _result(measure, level, area)
        return row.numerator, row.denominator, row.value

    # Purnama + Mandiri of the active posyandu, approved reviews of the year only.
    assert nd("posyandu_purnama_mandiri", Level.PUSKESMAS, a) == (2, 4, Decimal("50.00"))
    assert nd("posyandu_purnama_mandiri", Level.PUSKESMAS, b) == (0, 1, Decimal("0.00"))
    assert nd("posyandu_purnama_mandiri", Level.DISTRICT, hsu) == (2, 5, Decimal("40.00"))
    assert nd("posyandu_purnama_mandiri", Level.DISTRICT, bjm) == (1, 3, Decimal("33.33"))
    assert nd("posyandu_purnama_mandiri", Level.PROVINCE, world["kalsel"]) == (
        3,
        8,
        Decimal("37.50"),
    )
    assert nd("posyandu_purnama_mandiri", Level.PROVINCE, world["kaltim"]) == (
        0,
        1,
        Decimal("0.00"),
    )
    assert nd("posyandu_active", Level.PUSKESMAS, a) == (2, 4, Decimal("50.00"))
    assert nd("posyandu_active", Level.DISTRICT, hsu) == (2, 5, Decimal("40.00"))
    assert nd("posyandu_ilp", Level.PUSKESMAS, a) == (2, 4, Decimal("50.00"))
    assert nd("posyandu_ilp", Level.DISTRICT, bjm) == (0, 3, Decimal("0.00"))
    assert nd("cadres_assessed", Level.PUSKESMAS, a) == (1, 3, Decimal("33.33"))
    assert nd("cadres_assessed", Level.PROVINCE, world["kalsel"]) == (1, 3, Decimal("33.33"))
    # Cadres nowhere: no denominator, no value.
    assert nd("cadres_assessed", Level.DISTRICT, bjm) == (0, 0, None)
    assert nd("village_siaga_aktif", Level.PUSKESMAS, a) == (1, 2, Decimal("50.00"))
    assert nd("village_siaga_aktif", Level.DISTRICT, hsu) == (1, 3, Decimal("33.33"))
    assert nd("village_siaga_aktif", Level.PROVINCE, world["kalsel"]) == (1, 5, Decimal("20.00"))


def test_only_approved_reviews_count_and_a_rerun_replaces_the_year(small_world):
    a = small_world["a"]
    ukbm_indicators_compute(year=YEAR)
    count = IndicatorResult.objects.filter(year=YEAR).count()
    first = _result("posyandu_purnama_mandiri", Level.PUSKESMAS, a)
    assert first.numerator == 2
    # The submitted review of the world's posyandu is approved: it counts now.
    from community.models import PosyanduReview

    PosyanduReview.objects.filter(status="submitted").update(status=APPROVED)
    ukbm_indicators_compute(year=YEAR)
    assert _result("posyandu_purnama_mandiri", Level.PUSKESMAS, a).numerator == 3
    assert IndicatorResult.objects.filter(year=YEAR).count() == count
    # Reopened (draft again): gone from the figure.
    PosyanduReview.objects.filter(stratum="mandiri", year=YEAR).update(status="draft")
    ukbm_indicators_compute(year=YEAR)
    assert _result("posyandu_purnama_mandiri", Level.PUSKESMAS, a).numerator == 1


def test_compute_of_one_province_leaves_the_others(small_world):
    world = small_world["world"]
    ukbm_indicators_compute(year=YEAR)
    kaltim_rows = IndicatorResult.objects.filter(year=YEAR, province=world["kaltim"])
    before = set(kaltim_rows.values_list("pk", flat=True))
    assert before
    ukbm_indicators_compute(year=YEAR, province_ids=[world["kalsel"].pk])
    assert set(kaltim_rows.values_list("pk", flat=True)) == before
    assert _result("posyandu_purnama_mandiri", Level.PROVINCE, world["kalsel"]).numerator == 3


def _queries_of_compute() -> int:
    with CaptureQueriesContext(connection) as queries:
        ukbm_indicators_compute(year=YEAR)
    return len(queries)


def test_compute_query_count_does_not_grow_with_the_posyandu(small_world):
    world, a = small_world["world"], small_world["a"]
    small = _queries_of_compute()
    for index in range(12):
        puskesmas = a if index % 2 else world["banjarmasin"]["puskesmas"]
        posyandu = PosyanduFactory(puskesmas=puskesmas)
        PosyanduReviewFactory(service_point=posyandu, stratum="purnama", status=APPROVED)
        CadreFactory(service_point=posyandu)
    extra = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
    PosyanduFactory(puskesmas=extra)
    assert _queries_of_compute() == small


# --- Sets and targets -----------------------------------------------------------------------------


@pytest.fixture
def kalsel_set(world, province_user):
    indicators = list(UkbmIndicator.objects.order_by("order"))
    indicator_set = indicator_set_create(
        province=world["kalsel"], year=YEAR, indicators=indicators, by=province_user
    )
    return indicator_set_save(
        indicator_set=indicator_set,
        by=province_user,
        version=indicator_set.version,
        indicators=indicators,
        targets=[TargetInput(i.pk, world["hsu"]["district"].pk, Decimal(74)) for i in indicators]
        + [TargetInput(indicators[0].pk, world["banjarmasin"]["district"].pk, Decimal(60))],
    )


def test_targets_only_by_the_province(world, kalsel_set, district_user, other_province_user):
    from django.core.exceptions import PermissionDenied

    for user in (district_user, other_province_user):
        with pytest.raises(PermissionDenied):
            indicator_set_save(
                indicator_set=kalsel_set,
                by=user,
                version=kalsel_set.version,
                indicators=kalsel_set.indicators.all(),
                targets=[],
            )
        with pytest.raises(PermissionDenied):
            indicator_set_create(
                province=world["kalsel"],
                year=YEAR + 1,
                indicators=kalsel_set.indicators.all(),
                by=user,
            )
    assert IndicatorTarget.objects.filter(indicator_set=kalsel_set).count() == 6


def test_a_stale_save_of_the_set_is_refused(world, kalsel_set, province_user):
    with pytest.raises(StaleEdit):
        indicator_set_save(
            indicator_set=kalsel_set,
            by=province_user,
            version=kalsel_set.version - 1,
            indicators=kalsel_set.indicators.all(),
            targets=[],
        )
    assert IndicatorTarget.objects.filter(indicator_set=kalsel_set).count() == 6


@pytest.mark.parametrize("text", ["-1", "100.01", "abc", "1e400", "5\x00", "NaN", "Infinity"])
def test_bad_targets_are_refused(text):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        target_amount(text)


def test_target_amount_reads_a_comma():
    assert target_amount("74,5") == Decimal("74.50")
    assert target_amount("  ") is None


def test_province_edits_the_grid(client, world, kalsel_set, province_user):
    hsu, bjm = world["hsu"]["district"], world["banjarmasin"]["district"]
    first = _indicator("posyandu_purnama_mandiri")
    client.force_login(province_user)
    url = reverse("community:indicator-set-edit", kwargs={"pk": kalsel_set.pk})
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "version": kalsel_set.version,
        "indicators": [first.pk],
        f"t-{first.pk}-{hsu.pk}": "75,5",
        f"t-{first.pk}-{bjm.pk}": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    targets = {t.district_id: t.target for t in IndicatorTarget.objects.all()}
    assert targets == {hsu.pk: Decimal("75.50")}  # others gone with their indicator / blank
    assert list(IndicatorSet.objects.get().indicators.all()) == [first]
    # The same page posted again at the old version: refused, nothing saved.
    data[f"t-{first.pk}-{hsu.pk}"] = "10"
    assert client.post(url, data).status_code == 409
    assert IndicatorTarget.objects.get().target == Decimal("75.50")


@pytest.mark.parametrize("bad", ["-5", "101", "x", "1\x00"])
def test_grid_refuses_bad_values(client, world, kalsel_set, province_user, bad):
    hsu = world["hsu"]["district"]
    first = _indicator("posyandu_purnama_mandiri")
    client.force_login(province_user)
    url = reverse("community:indicator-set-edit", kwargs={"pk": kalsel_set.pk})
    data = {"version": kalsel_set.version, "indicators": [first.pk], f"t-{first.pk}-{hsu.pk}": bad}
    assert client.post(url, data).status_code == 400
    assert IndicatorTarget.objects.filter(indicator=first, district=hsu).get().target == 74


def test_grid_refuses_another_province_meeting(client, world, kalsel_set, province_user):
    from ..factories import MeetingFactory

    meeting = MeetingFactory(
        kind="province_meeting",
        puskesmas=None,
        district=None,
        province=world["kaltim"],
        created_by=province_user,
    )
    first = _indicator("posyandu_purnama_mandiri")
    client.force_login(province_user)
    url = reverse("community:indicator-set-edit", kwargs={"pk": kalsel_set.pk})
    data = {"version": kalsel_set.version, "indicators": [first.pk], "agreed_at": meeting.pk}
    assert client.post(url, data).status_code == 400
    assert IndicatorSet.objects.get().agreed_at is None


def test_district_reads_its_targets_only_and_cannot_post(client, world, kalsel_set, district_user):
    client.force_login(district_user)
    url = reverse("community:indicator-set-edit", kwargs={"pk": kalsel_set.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert [row["district"] for row in page.context["grid"]] == [world["hsu"]["district"]]
    assert not page.context["can_edit"]
    assert client.post(url, {"version": kalsel_set.version}).status_code == 403


def test_another_province_gets_404(client, kalsel_set, other_province_user, world):
    client.force_login(other_province_user)
    url = reverse("community:indicator-set-edit", kwargs={"pk": kalsel_set.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_province_creates_a_set_with_its_meeting(client, world, province_user):
    from ..factories import MeetingFactory

    meeting = MeetingFactory(
        kind="province_meeting",
        puskesmas=None,
        district=None,
        province=world["kalsel"],
        created_by=province_user,
    )
    client.force_login(province_user)
    url = reverse("community:indicator-set-create")
    assert client.get(url).status_code == 200
    ids = list(UkbmIndicator.objects.values_list("pk", flat=True))
    response = client.post(url, {"year": YEAR, "indicators": ids, "agreed_at": meeting.pk})
    assert response.status_code == 302
    created = IndicatorSet.objects.get()
    assert (created.province, created.year, created.agreed_at) == (world["kalsel"], YEAR, meeting)
    assert created.indicators.count() == 5
    # One a year.
    again = client.post(url, {"year": YEAR, "indicators": ids})
    assert again.status_code == 200
    assert IndicatorSet.objects.count() == 1


def test_a_double_click_on_create_makes_one_set_and_both_land_on_it(client, province_user):
    client.force_login(province_user)
    url = reverse("community:indicator-set-create")
    token = client.get(url).context["form"].initial["form_token"]
    ids = list(UkbmIndicator.objects.values_list("pk", flat=True))
    data = {"year": YEAR, "indicators": ids, "form_token": token}
    first, second = client.post(url, data), client.post(url, data)
    created = IndicatorSet.objects.get()
    target = reverse("community:indicator-set-edit", args=[created.pk])
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == target


def test_district_cannot_create_a_set(client, district_user):
    client.force_login(district_user)
    assert client.get(reverse("community:indicator-set-create")).status_code == 403


# --- The board ------------------------------------------------------------------------------------


def test_province_compares_its_districts(client, small_world, kalsel_set, province_user):
    world = small_world["world"]
    ukbm_indicators_compute(year=YEAR)
    client.force_login(province_user)
    page = client.get(reverse("community:indicator-home"), {"year": YEAR})
    assert page.status_code == 200
    board = page.context["board"]
    assert board.level == "province"
    assert [row.pk for row in board.rows] == [
        world["hsu"]["district"].pk,
        world["banjarmasin"]["district"].pk,
    ]
    hsu_first = board.rows[0].cells[0]
    assert (hsu_first.target, hsu_first.value, hsu_first.met) == (74, Decimal("40.00"), False)
    assert board.head.cells[0].value == Decimal("37.50")
    assert b'data-testid="indicator-rows"' in page.content


def test_district_sees_its_targets_and_puskesmas(client, small_world, kalsel_set, district_user):
    world = small_world["world"]
    ukbm_indicators_compute(year=YEAR)
    client.force_login(district_user)
    board = client.get(reverse("community:indicator-home"), {"year": YEAR}).context["board"]
    assert board.level == "district"
    assert board.head.pk == world["hsu"]["district"].pk
    assert [c.target for c in board.head.cells] == [74] * 5
    assert {row.pk for row in board.rows} == {small_world["a"].pk, small_world["b"].pk}
    # No other district's figures or targets.
    assert all(cell.target is None for row in board.rows for cell in row.cells)


def test_puskesmas_sees_its_own_values(client, small_world, kalsel_set, puskesmas_head):
    ukbm_indicators_compute(year=YEAR)
    client.force_login(puskesmas_head)
    board = client.get(reverse("community:indicator-home"), {"year": YEAR}).context["board"]
    assert board.level == "puskesmas"
    assert board.indicator_set == kalsel_set  # read through its district's targets
    assert board.head.pk == small_world["a"].pk
    assert board.rows == []
    first = board.head.cells[0]
    assert (first.value, first.target) == (Decimal("50.00"), 74)


def test_board_query_count_is_flat(
    client, small_world, kalsel_set, province_user, django_assert_max_num_queries
):
    ukbm_indicators_compute(year=YEAR)
    client.force_login(province_user)
    url = reverse("community:indicator-home")
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"year": YEAR})
    for _ in range(3):
        PuskesmasFactory(subdistrict=small_world["world"]["hsu"]["subdistrict"])
    ukbm_indicators_compute(year=YEAR)
    with django_assert_max_num_queries(len(few)):
        client.get(url, {"year": YEAR})


def test_board_xlsx_at_each_level(
    client, small_world, kalsel_set, province_user, district_user, puskesmas_head
):
    ukbm_indicators_compute(year=YEAR)
    url = reverse("community:indicator-home")
    expected_rows = {province_user: 1 + 2, district_user: 1 + 2, puskesmas_head: 1}
    for user, areas in expected_rows.items():
        client.force_login(user)
        response = client.get(url, {"year": YEAR, "format": "xlsx"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(BytesIO(response.content)).active
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == areas * 5
    client.force_login(district_user)
    response = client.get(url, {"year": YEAR, "format": "xlsx"})
    first = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))[1]
    assert first[3] == 74 and first[4] == 2 and first[5] == 5 and first[6] == Decimal("40")


def test_recompute_now(
    client, small_world, district_user, puskesmas_head, django_capture_on_commit_callbacks
):
    client.force_login(puskesmas_head)
    url = reverse("community:indicator-recompute")
    assert client.post(url, {"year": YEAR}).status_code == 403
    client.force_login(district_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"year": YEAR})
    assert response.status_code == 302
    results = IndicatorResult.objects.filter(year=YEAR)
    assert results.exists()
    # Its province only.
    assert set(results.values_list("province_id", flat=True)) == {small_world["world"]["kalsel"].pk}
    assert client.post(url, {"year": "20x6"}).status_code == 302  # a bad year: this year
    assert client.post(url, {"year": "2026\x00"}).status_code == 400


def test_nightly_aggregation_runs_the_hook(small_world, monkeypatch):
    from community.tasks import ukbm_indicators_nightly
    from indicators import tasks as indicator_tasks
    from indicators.aggregation_hooks import after_nightly

    assert ukbm_indicators_nightly in after_nightly
    monkeypatch.setattr("community.tasks.timezone.localdate", lambda: datetime.date(YEAR, 7, 1))
    indicator_tasks.run_after_nightly()
    assert IndicatorResult.objects.filter(year=YEAR).exists()
    assert IndicatorResult.objects.filter(year=YEAR - 1).exists()


def test_refresh_later_runs_on_commit(small_world, django_capture_on_commit_callbacks):
    from community.services.indicators import ukbm_indicators_refresh_later

    with django_capture_on_commit_callbacks(execute=True):
        ukbm_indicators_refresh_later(YEAR)
        assert not IndicatorResult.objects.exists()
    assert IndicatorResult.objects.filter(year=YEAR).exists()


def test_demo_seed_is_idempotent(world, province_user):
    from community.services import demo_indicators

    province_user.username = demo_indicators.REVIEWER
    province_user.save()
    demo_indicators.seed()
    demo_indicators.seed()
    indicator_set = IndicatorSet.objects.get()
    assert indicator_set.indicators.count() == 5
    assert indicator_set.targets.count() == 5 * 2
    assert (
        indicator_set.targets.get(
            district=world["hsu"]["district"], indicator=_indicator("posyandu_purnama_mandiri")
        ).target
        == 74
    )
    assert IndicatorResult.objects.filter(province=world["kalsel"]).exists()


def test_the_nightly_aggregation_calls_every_hook_even_after_one_fails(world, monkeypatch):
    from indicators import aggregation_hooks
    from indicators import tasks as indicator_tasks

    called = []

    def boom():
        raise RuntimeError("a broken hook")

    hooks = [lambda: called.append(1), boom, lambda: called.append(2)]
    monkeypatch.setattr(aggregation_hooks, "after_nightly", hooks)
    indicator_tasks.aggregate_recent_quarters()
    assert called == [1, 2]
