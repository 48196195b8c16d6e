"""The mentoring pages (issue #18, must-have 3): a mentor reads everything of its assigned
district and nothing of another, never writes the district's own data, loses access when the
assignment ends; a district planner reads the mentoring records, moves an RTL item, but cannot
edit the mentor's assessment; the province's progress table; flat query counts."""

import datetime
import uuid

import pytest
from django.urls import reverse

from assessments.models import CapacityAssessment, MentoringActivity, MentoringItem
from assessments.services import mentoring as services
from kernel.models import User

from ..factories import DistrictFactory, MeetingFactory, UserFactory
from ..test_cross_area import _hsu_forum, _hsu_lokmin, _hsu_report, _hsu_ruk
from .factories import (
    MentorAssignmentFactory,
    MentorFactory,
    MentoringActivityFactory,
    MentoringItemFactory,
    MentoringVisitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor(world):
    user = MentorFactory()
    MentorAssignmentFactory(user=user, district=world["hsu"]["district"])
    return User.objects.get(pk=user.pk)


def _assessment(mentor, district, stage="baseline", held_on=datetime.date(2026, 3, 10)):
    return services.capacity_create(district=district, stage=stage, held_on=held_on, by=mentor)


def _records(district, by):
    return {
        "capacity": _assessment(by, district),
        "activity": MentoringActivityFactory(district=district),
        "visit": MentoringVisitFactory(district=district),
        "item": MentoringItemFactory(district=district),
    }


def _mentoring_urls(district, records):
    return [
        reverse("assessments:mentoring-home"),
        reverse("assessments:mentoring-district", args=[district.pk]),
        reverse("assessments:capacity-detail", args=[records["capacity"].pk]),
        reverse("assessments:capacity-edit", args=[records["capacity"].pk]),
        reverse("assessments:capacity-create") + f"?district={district.pk}",
        reverse("assessments:mentoring-activity-create") + f"?district={district.pk}",
        reverse("assessments:mentoring-activity-edit", args=[records["activity"].pk]),
        reverse("assessments:mentoring-visit-create") + f"?district={district.pk}",
        reverse("assessments:mentoring-visit-edit", args=[records["visit"].pk]),
        reverse("assessments:mentoring-item-create") + f"?district={district.pk}",
        reverse("assessments:mentoring-item-edit", args=[records["item"].pk]),
    ]


def test_a_mentor_reads_every_page_of_its_district_and_none_of_another(client, world, mentor):
    hsu, other = world["hsu"]["district"], world["banjarmasin"]["district"]
    admin = UserFactory(role="system_admin")
    mine, theirs = _records(hsu, mentor), _records(other, admin)
    client.force_login(mentor)
    district_pages = [
        reverse("indicators:dashboard-district", args=[hsu.pk]),
        reverse("workshops:meeting-detail", args=[_hsu_lokmin(world).pk]),
        reverse("workshops:meeting-detail", args=[_hsu_forum(world).pk]),
        reverse("planning:plan-detail", args=[_hsu_ruk(world).pk]),
    ]
    for url in district_pages + _mentoring_urls(hsu, mine):
        assert client.get(url).status_code == 200, url
    for url in _mentoring_urls(other, theirs)[1:]:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("indicators:dashboard-district", args=[other.pk])).status_code == 404


def test_a_mentor_cannot_write_the_districts_own_data(client, world, mentor):
    from planning.models import Plan
    from workshops.models import Meeting, Problem

    lokmin = _hsu_lokmin(world)
    report = _hsu_report(world)
    type(report).objects.filter(pk=report.pk).update(status="submitted")
    report.refresh_from_db()
    plan = _hsu_ruk(world)
    client.force_login(mentor)
    posts = [
        (reverse("workshops:meeting-edit", args=[lokmin.pk]), {"title": "Diubah pendamping"}),
        (reverse("workshops:problem-create", args=[lokmin.pk]), {"statement": "Masalah baru"}),
        (
            reverse("planning:activity-create", args=[plan.pk]),
            {"name": "Kegiatan pendamping", "form_token": str(uuid.uuid4())},
        ),
        (reverse("planning:plan-review", args=[plan.pk]), {"action": "return", "reason": "x"}),
        (reverse("indicators:report-review", args=[report.pk]), {"action": "approve"}),
    ]
    before = (
        Meeting.objects.get(pk=lokmin.pk).version,
        Problem.objects.count(),
        Plan.objects.get(pk=plan.pk).version,
        plan.activities.count(),
        report.version,
        report.status,
    )
    for url, data in posts:
        # The report's review answers a refusal with a message and a redirect.
        refused = (302, 403, 404) if "/review/" in url and "reports" in url else (403, 404)
        assert client.post(url, data).status_code in refused, url
    report.refresh_from_db()
    after = (
        Meeting.objects.get(pk=lokmin.pk).version,
        Problem.objects.count(),
        Plan.objects.get(pk=plan.pk).version,
        plan.activities.count(),
        report.version,
        report.status,
    )
    assert after == before


def test_an_ended_assignment_loses_access(client, world):
    mentor = MentorFactory()
    MentorAssignmentFactory(
        user=mentor,
        district=world["hsu"]["district"],
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
    )
    client.force_login(mentor)
    for url in (
        reverse("assessments:mentoring-district", args=[world["hsu"]["district"].pk]),
        reverse("indicators:dashboard-district", args=[world["hsu"]["district"].pk]),
        reverse("workshops:meeting-detail", args=[_hsu_lokmin(world).pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("assessments:mentoring-home")).status_code == 200


def test_a_mentor_keeps_records_through_the_pages(client, world, mentor):
    hsu = world["hsu"]["district"]
    fgd = MeetingFactory(kind="district_meeting", format="fgd", puskesmas=None, district=hsu)
    client.force_login(mentor)
    token = str(uuid.uuid4())
    data = {"stage": "baseline", "held_on": "2026-03-10", "meeting": fgd.pk, "form_token": token}
    url = reverse("assessments:capacity-create") + f"?district={hsu.pk}"
    response = client.post(url, data)
    assessment = CapacityAssessment.objects.get()
    assert response.status_code == 302 and assessment.meeting == fgd
    client.post(url, data)  # the same form again: still one
    assert CapacityAssessment.objects.count() == 1
    rows = list(assessment.scores.all())
    post = {"stage": "baseline", "held_on": "2026-03-10", "meeting": fgd.pk, "version": 1}
    post |= {f"score-{r.pk}": "7" for r in rows[:2]}
    post[f"note-{rows[0].pk}"] = "Data lengkap"
    response = client.post(reverse("assessments:capacity-edit", args=[assessment.pk]), post)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert str(assessment.score) == "7.00" and assessment.version == 2
    post[f"score-{rows[2].pk}"] = "5"  # not a level
    post["version"] = 2
    response = client.post(reverse("assessments:capacity-edit", args=[assessment.pk]), post)
    assert response.status_code == 200
    assessment.refresh_from_db()
    assert assessment.version == 2
    response = client.post(
        reverse("assessments:mentoring-activity-create") + f"?district={hsu.pk}",
        {"title": "Telaah Renja", "due_on": "2026-05-31", "form_token": str(uuid.uuid4())},
    )
    assert response.status_code == 302
    activity = MentoringActivity.objects.get(title="Telaah Renja")
    response = client.post(
        reverse("assessments:mentoring-activity-status", args=[activity.pk]),
        {"status": "done", "note": "Notulen telaah"},
    )
    activity.refresh_from_db()
    assert activity.status == "done"


def test_a_district_planner_cannot_edit_the_assessment_but_moves_an_item(
    client, world, mentor, district_user
):
    hsu = world["hsu"]["district"]
    assessment = _assessment(mentor, hsu)
    item = MentoringItemFactory(district=hsu)
    client.force_login(district_user)
    home = client.get(reverse("assessments:mentoring-home"))
    assert home.status_code == 302 and home.url == reverse(
        "assessments:mentoring-district", args=[hsu.pk]
    )
    edit = reverse("assessments:capacity-edit", args=[assessment.pk])
    assert client.get(edit).status_code == 200  # read-only
    row = assessment.scores.first()
    response = client.post(edit, {"stage": "review", "version": 1, f"score-{row.pk}": "10"})
    assert response.status_code == 403
    assessment.refresh_from_db()
    row.refresh_from_db()
    assert (assessment.stage, assessment.version, row.score) == ("baseline", 1, None)
    response = client.post(
        reverse("assessments:mentoring-item-create") + f"?district={hsu.pk}",
        {"problem": "x", "action": "y", "due_on": "2026-05-01", "form_token": str(uuid.uuid4())},
    )
    assert response.status_code == 403 and MentoringItem.objects.count() == 1
    response = client.post(
        reverse("assessments:mentoring-item-status", args=[item.pk]), {"status": "in_progress"}
    )
    item.refresh_from_db()
    assert response.status_code == 302 and item.status == "in_progress"


def test_the_progress_page_and_its_workbook_for_a_province(client, world, province_user):
    admin = UserFactory(role="system_admin")
    for key in ("hsu", "bontang"):
        MentorAssignmentFactory(district=world[key]["district"])
        _assessment(admin, world[key]["district"])
    client.force_login(province_user)
    assert client.get(reverse("assessments:mentoring-home")).url == reverse(
        "assessments:mentoring-progress"
    )
    page = client.get(reverse("assessments:mentoring-progress"))
    assert page.status_code == 200
    assert [r.district for r in page.context["rows"]] == [world["hsu"]["district"]]
    book = client.get(reverse("assessments:mentoring-progress") + "?format=xlsx")
    assert book.status_code == 200 and book["Content-Type"].startswith("application/vnd")


def test_the_province_assigns_a_mentor_through_the_pages(client, world, province_user):
    mentor = MentorFactory()
    client.force_login(province_user)
    response = client.post(
        reverse("assessments:mentor-assignment-create"),
        {
            "user": mentor.pk,
            "district": world["hsu"]["district"].pk,
            "starts_on": "2026-01-01",
            "form_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=mentor.pk).mentored_district_ids == (world["hsu"]["district"].pk,)
    response = client.post(
        reverse("assessments:mentor-assignment-create"),
        {
            "user": mentor.pk,
            "district": world["bontang"]["district"].pk,  # another province's district
            "starts_on": "2026-01-01",
            "form_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200  # not a choice
    assert client.get(reverse("assessments:mentor-assignment-list")).status_code == 200


def test_a_puskesmas_user_gets_a_friendly_empty_page(client, world):
    head = UserFactory(role="puskesmas_head", puskesmas=world["hsu"]["puskesmas"])
    client.force_login(head)
    response = client.get(reverse("assessments:mentoring-home"))
    assert response.status_code == 200 and response.context["no_role"]


def test_the_district_page_queries_do_not_grow(
    client, world, mentor, django_assert_max_num_queries
):
    hsu = world["hsu"]["district"]
    _assessment(mentor, hsu)
    _assessment(mentor, hsu, stage="review", held_on=datetime.date(2026, 9, 1))
    MentoringActivityFactory(district=hsu)
    MentoringVisitFactory(district=hsu, puskesmas=world["hsu"]["puskesmas"])
    MentoringItemFactory(district=hsu)
    client.force_login(mentor)
    url = reverse("assessments:mentoring-district", args=[hsu.pk])
    client.get(url)
    with django_assert_max_num_queries(60) as first:
        assert client.get(url).status_code == 200
    MentoringActivityFactory.create_batch(5, district=hsu)
    MentoringVisitFactory.create_batch(5, district=hsu, puskesmas=world["hsu"]["puskesmas"])
    MentoringItemFactory.create_batch(5, district=hsu)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_mentor_home_queries_do_not_grow(client, world, django_assert_max_num_queries):
    mentor = MentorFactory()
    admin = UserFactory(role="system_admin")

    def add():
        district = DistrictFactory(province=world["kalsel"])
        MentorAssignmentFactory(user=mentor, district=district)
        _assessment(admin, district)
        MentoringItemFactory(district=district)
        MentoringActivityFactory(district=district)

    add()
    client.force_login(mentor)
    url = reverse("assessments:mentoring-home")
    client.get(url)
    with django_assert_max_num_queries(60) as first:
        assert client.get(url).status_code == 200
    for _ in range(4):
        add()
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["cards"]) == 5
