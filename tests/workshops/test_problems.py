"""Problems of a meeting: add, edit, delete; scoring by USG, Hanlon or CARL and the ranking; the
method switch; root causes in a fishbone (issue #6, item 3)."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import SPMService
from tests.factories import FollowUpFactory, ProblemFactory, UserFactory, VillageFactory
from workshops import services
from workshops.models import Meeting, Problem, RootCause

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def head_client(client, puskesmas_head):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(puskesmas_head)
    return client


def _service(year_edition="pmk-6-2024", number=1):
    return SPMService.objects.get(edition__code=year_edition, level="district", number=number)


def _scores_post(problems, values):
    """POST data for the scores form: `values` is one {code: value} per problem."""
    data = {"method": "usg"}
    for problem, scores in zip(problems, values, strict=True):
        for code, value in scores.items():
            data[f"p{problem.pk}-{code}"] = value
    return data


# --- Adding, editing, deleting ------------------------------------------------------------------


def test_head_adds_a_problem_with_service_and_desa(head_client, lokmin, world):
    village = world["hsu"]["villages"][0]
    response = head_client.post(
        reverse("workshops:problem-create", args=[lokmin.pk]),
        {
            "statement": "Dua kematian ibu di Desa Sungai Namang",
            "evidence": "K4 58% terhadap sasaran 120 ibu hamil",
            "service": _service().pk,
            "village": village.pk,
        },
    )
    assert response.status_code == 302
    problem = Problem.objects.get(meeting=lokmin)
    assert (problem.village, problem.service.number, problem.order) == (village, 1, 1)
    second = ProblemFactory(meeting=lokmin)
    services.problem_save(
        problem=Problem(meeting=lokmin, statement="Stunting"), by=second.meeting.created_by
    )
    assert Problem.objects.get(statement="Stunting").order == 2


def test_problem_form_offers_the_working_area_and_the_year_catalogue(head_client, lokmin, world):
    page = head_client.get(reverse("workshops:problem-create", args=[lokmin.pk]))
    villages = set(page.context["form"].fields["village"].queryset)
    assert villages == set(world["hsu"]["villages"])
    services_offered = page.context["form"].fields["service"].queryset
    assert {s.edition.code for s in services_offered} == {"pmk-6-2024"}
    assert services_offered.count() == 12


def test_problem_refuses_a_desa_outside_the_area_and_a_service_of_another_year(
    lokmin, puskesmas_head, world
):
    problem = Problem(
        meeting=lokmin,
        statement="Cakupan rendah",
        village=world["banjarmasin"]["villages"][0],
        service=_service("pmk-4-2019"),
    )
    with pytest.raises(ValidationError) as error:
        services.problem_save(problem=problem, by=puskesmas_head)
    assert set(error.value.message_dict) == {"village", "service"}
    assert not Problem.objects.exists()


def test_district_meeting_offers_the_district_villages(client, forum, district_user, world):
    other_kecamatan_village = VillageFactory(
        subdistrict__district=world["hsu"]["district"], puskesmas=None
    )
    client.force_login(district_user)
    page = client.get(reverse("workshops:problem-create", args=[forum.pk]))
    villages = set(page.context["form"].fields["village"].queryset)
    assert villages == {*world["hsu"]["villages"], other_kecamatan_village}


def test_head_edits_and_deletes_a_problem(head_client, lokmin):
    problem = ProblemFactory(meeting=lokmin)
    response = head_client.post(
        reverse("workshops:problem-edit", args=[problem.pk]),
        {"statement": "Gizi buruk", "version": problem.version},
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.statement == "Gizi buruk"
    head_client.post(reverse("workshops:problem-delete", args=[problem.pk]))
    assert not Problem.objects.exists()


def test_problem_with_rtl_items_is_not_deleted(head_client, lokmin):
    problem = ProblemFactory(meeting=lokmin)
    FollowUpFactory(meeting=lokmin, problem=problem)
    response = head_client.post(reverse("workshops:problem-delete", args=[problem.pk]), follow=True)
    assert Problem.objects.filter(pk=problem.pk).exists()
    assert "RTL" in str(list(response.context["messages"])[0])


def test_blank_statement_is_refused_and_nothing_saved(head_client, lokmin):
    response = head_client.post(
        reverse("workshops:problem-create", args=[lokmin.pk]), {"statement": " "}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["statement"]
    assert not Problem.objects.exists()


def test_district_planner_reads_a_lokmin_but_cannot_change_it(client, lokmin, district_user):
    problem = ProblemFactory(meeting=lokmin)
    client.force_login(district_user)
    page = client.get(reverse("workshops:meeting-problems", args=[lokmin.pk]))
    assert page.status_code == 200 and problem.statement in page.content.decode()
    assert not page.context["can_edit"]
    assert client.get(reverse("workshops:problem-create", args=[lokmin.pk])).status_code == 403
    assert client.post(reverse("workshops:problem-delete", args=[problem.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.problem_delete(problem=problem, by=district_user)
    assert Problem.objects.filter(pk=problem.pk).exists()


def test_other_district_gets_404(client, lokmin, other_district_user):
    problem = ProblemFactory(meeting=lokmin)
    client.force_login(other_district_user)
    assert client.get(reverse("workshops:meeting-problems", args=[lokmin.pk])).status_code == 404
    assert client.get(reverse("workshops:problem-detail", args=[problem.pk])).status_code == 404
    response = client.post(reverse("workshops:problem-edit", args=[problem.pk]), {"statement": "x"})
    assert response.status_code == 404


def test_closed_meeting_is_read_only(head_client, lokmin, puskesmas_head):
    problem = ProblemFactory(meeting=lokmin)
    Meeting.objects.filter(pk=lokmin.pk).update(status=Meeting.Status.CLOSED)
    lokmin.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        services.problem_save(problem=Problem(meeting=lokmin, statement="x"), by=puskesmas_head)
    with pytest.raises(ValidationError, match="closed"):
        services.root_cause_add(problem=problem, category="man", description="x", by=puskesmas_head)
    response = head_client.get(reverse("workshops:problem-create", args=[lokmin.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("workshops:meeting-problems", args=[lokmin.pk])
    assert "closed" in str(list(response.context["messages"])[0])
    page = head_client.get(reverse("workshops:meeting-problems", args=[lokmin.pk]))
    assert not page.context["can_edit"]
    assert reverse("workshops:problem-create", args=[lokmin.pk]) not in page.content.decode()


# --- Scores and ranking ---------------------------------------------------------------------------


def test_scores_rank_the_problems_and_ties_share_a_rank(head_client, lokmin):
    problems = ProblemFactory.create_batch(4, meeting=lokmin)
    data = _scores_post(
        problems,
        [
            {"u": 3, "s": 3, "g": 3},
            {"u": 5, "s": 4, "g": 3},
            {"u": 4, "s": 4, "g": 4},
            {"u": "", "s": "", "g": ""},  # not scored yet
        ],
    )
    response = head_client.post(reverse("workshops:meeting-scores", args=[lokmin.pk]), data)
    assert response.status_code == 302
    page = head_client.get(reverse("workshops:meeting-problems", args=[lokmin.pk]))
    ranking = [(p.pk, p.rank, p.priority_score) for p in page.context["problems"]]
    assert ranking == [
        (problems[1].pk, 1, Decimal(12)),
        (problems[2].pk, 1, Decimal(12)),
        (problems[0].pk, 3, Decimal(9)),
        (problems[3].pk, None, None),
    ]
    assert Problem.objects.get(pk=problems[1].pk).scores == {"usg": {"u": 5, "s": 4, "g": 3}}
    assert "U + S + G" in page.content.decode()


def test_a_score_outside_its_scale_names_the_problem_and_saves_nothing(
    english, puskesmas_head, lokmin
):
    english.force_login(puskesmas_head)
    problems = ProblemFactory.create_batch(2, meeting=lokmin)
    data = _scores_post(problems, [{"u": 5, "s": 5, "g": 5}, {"u": 7, "s": 2, "g": "x"}])
    response = english.post(reverse("workshops:meeting-scores", args=[lokmin.pk]), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Problem 2, Urgency: 7 is outside the scale 1 to 5." in text
    assert "Problem 2, Growth: enter a whole number." in text
    assert not Problem.objects.filter(priority_score__isnull=False).exists()
    assert all(p.scores == {} for p in Problem.objects.all())


def test_a_half_filled_row_is_refused(puskesmas_head, lokmin):
    problem = ProblemFactory(meeting=lokmin)
    with pytest.raises(ValidationError) as error:
        services.problem_scores_save(
            meeting=lokmin, method="usg", scores={problem.pk: {"u": 3}}, by=puskesmas_head
        )
    assert set(error.value.message_dict) == {f"p{problem.pk}-s", f"p{problem.pk}-g"}


def test_scores_of_another_meeting_s_problem_are_refused(puskesmas_head, lokmin, world):
    other = ProblemFactory(meeting__puskesmas=world["hsu"]["puskesmas"])
    with pytest.raises(ValidationError):
        services.problem_scores_save(
            meeting=lokmin,
            method="usg",
            scores={other.pk: {"u": 1, "s": 1, "g": 1}},
            by=puskesmas_head,
        )
    other.refresh_from_db()
    assert other.scores == {}


def test_hanlon_multiplies_by_pearl(puskesmas_head, lokmin):
    Meeting.objects.filter(pk=lokmin.pk).update(priority_method="hanlon")
    lokmin.refresh_from_db()
    first, second = ProblemFactory.create_batch(2, meeting=lokmin)
    pearl = {"p": 1, "e": 1, "a2": 1, "r": 1, "l": 1}
    services.problem_scores_save(
        meeting=lokmin,
        method="hanlon",
        scores={
            first.pk: {"a": 6, "b": 10, "c": 8, **pearl},
            second.pk: {"a": 9, "b": 20, "c": 10, **pearl, "l": 0},
        },
        by=puskesmas_head,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.priority_score, second.priority_score) == (Decimal(128), Decimal(0))


def test_changing_the_method_recomputes_and_keeps_each_method_s_scores(head_client, lokmin):
    problem = ProblemFactory(meeting=lokmin)
    head_client.post(
        reverse("workshops:meeting-scores", args=[lokmin.pk]),
        _scores_post([problem], [{"u": 5, "s": 5, "g": 4}]),
    )
    url = reverse("workshops:meeting-method", args=[lokmin.pk])
    head_client.post(url, {"method": "carl", "version": lokmin.version})
    lokmin.refresh_from_db()
    problem.refresh_from_db()
    assert (lokmin.priority_method, lokmin.version) == ("carl", 2)
    assert problem.priority_score is None  # no CARL scores yet
    head_client.post(
        reverse("workshops:meeting-scores", args=[lokmin.pk]),
        {"method": "carl", **{f"p{problem.pk}-{c}": 2 for c in "carl"}},
    )
    problem.refresh_from_db()
    assert problem.priority_score == Decimal(16)
    head_client.post(url, {"method": "usg", "version": 2})
    problem.refresh_from_db()
    assert problem.priority_score == Decimal(14)  # the USG scores came back
    assert set(problem.scores) == {"usg", "carl"}


def test_a_stale_method_change_is_refused(head_client, lokmin):
    url = reverse("workshops:meeting-method", args=[lokmin.pk])
    Meeting.objects.filter(pk=lokmin.pk).update(version=5)
    response = head_client.post(url, {"method": "hanlon", "version": 1})
    assert response.status_code == 200
    assert response.context["method_form"].non_field_errors()
    lokmin.refresh_from_db()
    assert lokmin.priority_method == "usg"


def test_scores_typed_for_a_method_changed_meanwhile_are_refused(puskesmas_head, lokmin):
    problem = ProblemFactory(meeting=lokmin)
    services.meeting_method_set(meeting=lokmin, method="carl", version=1, by=puskesmas_head)
    with pytest.raises(ValidationError, match="CARL"):
        services.problem_scores_save(
            meeting=lokmin,
            method="usg",
            scores={problem.pk: {"u": 1, "s": 1, "g": 1}},
            by=puskesmas_head,
        )


def test_an_old_flat_score_mapping_is_read_as_the_method_it_fits(head_client, lokmin):
    ProblemFactory(meeting=lokmin, scores={"u": 4, "s": 4, "g": 2}, priority_score=10)
    page = head_client.get(reverse("workshops:meeting-problems", args=[lokmin.pk]))
    assert page.context["problems"][0].method_scores == {"u": 4, "s": 4, "g": 2}


def test_problem_list_export_has_the_ranking_and_scores(head_client, lokmin):
    first, second = ProblemFactory.create_batch(2, meeting=lokmin)
    services.problem_scores_save(
        meeting=lokmin,
        method="usg",
        scores={first.pk: {"u": 1, "s": 1, "g": 1}, second.pk: {"u": 5, "s": 5, "g": 5}},
        by=lokmin.created_by,
    )
    RootCause.objects.create(problem=second, category="money", description="BOK terlambat")
    response = head_client.get(
        reverse("workshops:meeting-problems", args=[lokmin.pk]), {"format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert len(rows) == 3
    assert rows[1][:3] == (1, 2, second.statement)
    assert rows[1][6:9] == (5, 5, 5)
    assert "BOK terlambat" in rows[1][-1]


def test_problem_list_queries_do_not_grow(head_client, lokmin):
    url = reverse("workshops:meeting-problems", args=[lokmin.pk])
    for problem in ProblemFactory.create_batch(2, meeting=lokmin):
        RootCause.objects.create(problem=problem, category="man", description="Kader kurang")
    with CaptureQueriesContext(connection) as few:
        head_client.get(url)
    for problem in ProblemFactory.create_batch(10, meeting=lokmin, priority_score=3):
        RootCause.objects.create(problem=problem, category="method", description="SOP belum ada")
    with CaptureQueriesContext(connection) as many:
        head_client.get(url)
    assert len(many) == len(few)


# --- Root causes ---------------------------------------------------------------------------------


def test_head_adds_and_deletes_root_causes(head_client, lokmin):
    problem = ProblemFactory(meeting=lokmin, statement="Dua kematian ibu")
    url = reverse("workshops:rootcause-create", args=[problem.pk])
    head_client.post(url, {"category": "man", "description": "Bidan desa belum terlatih PONED"})
    head_client.post(url, {"category": "environment", "description": "Akses sungai saat pasang"})
    assert problem.causes.count() == 2
    page = head_client.get(reverse("workshops:problem-detail", args=[problem.pk]))
    text = page.content.decode()
    assert "<svg" in text and "Bidan desa belum terlatih PONED" in text
    bones = {
        bone.category: [c.description for c in bone.causes]
        for bone in page.context["fishbone"].bones
    }
    assert bones["environment"] == ["Akses sungai saat pasang"] and bones["money"] == []
    cause = problem.causes.get(category="man")
    head_client.post(reverse("workshops:rootcause-delete", args=[cause.pk]))
    assert list(problem.causes.values_list("category", flat=True)) == ["environment"]


def test_a_cause_without_category_or_text_is_refused(head_client, lokmin, puskesmas_head):
    problem = ProblemFactory(meeting=lokmin)
    response = head_client.post(
        reverse("workshops:rootcause-create", args=[problem.pk]),
        {"category": "luck", "description": ""},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"category", "description"}
    with pytest.raises(ValidationError):
        services.root_cause_add(
            problem=problem, category="luck", description="x", by=puskesmas_head
        )
    assert not RootCause.objects.exists()


def test_a_cause_with_rtl_items_is_not_deleted(puskesmas_head, lokmin):
    problem = ProblemFactory(meeting=lokmin)
    cause = RootCause.objects.create(problem=problem, category="man", description="x")
    FollowUpFactory(meeting=lokmin, problem=problem, root_cause=cause)
    with pytest.raises(ValidationError):
        services.root_cause_delete(cause=cause, by=puskesmas_head)
    assert RootCause.objects.filter(pk=cause.pk).exists()


def test_puskesmas_staff_runs_their_lokmin_but_not_another_puskesmas(client, lokmin, world):
    staff = UserFactory(role="puskesmas_staff", puskesmas=world["hsu"]["puskesmas"])
    problem = ProblemFactory(meeting=lokmin)
    client.force_login(staff)
    response = client.post(
        reverse("workshops:rootcause-create", args=[problem.pk]),
        {"category": "money", "description": "x"},
    )
    assert response.status_code == 302
    other_head = UserFactory(role="puskesmas_head", puskesmas=world["banjarmasin"]["puskesmas"])
    client.force_login(other_head)
    assert client.get(reverse("workshops:problem-detail", args=[problem.pk])).status_code == 404


def test_scores_posted_to_a_closed_meeting_are_refused_with_a_message(head_client, lokmin):
    problem = ProblemFactory(meeting=lokmin)
    Meeting.objects.filter(pk=lokmin.pk).update(status=Meeting.Status.CLOSED)
    url = reverse("workshops:meeting-scores", args=[lokmin.pk])
    response = head_client.post(
        url, _scores_post([problem], [{"u": 1, "s": 1, "g": 1}]), follow=True
    )
    assert "closed" in str(list(response.context["messages"])[0])
    problem.refresh_from_db()
    assert problem.priority_score is None
