"""Planning-capacity mentoring (issue #18, must-have 3): the services' rules and rights, scores
only at levels, the move between baseline and review, and the progress of mentored districts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments.models import CapacityScore, Instrument, MentoringItem
from assessments.selectors import mentoring as selectors
from assessments.services import mentoring as services
from kernel.models import AuditEvent, MentorAssignment, User

from ..factories import MeetingFactory, UserFactory
from .factories import (
    MentorAssignmentFactory,
    MentorFactory,
    MentoringActivityFactory,
    MentoringItemFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def mentor(world):
    user = MentorFactory()
    MentorAssignmentFactory(user=user, district=world["hsu"]["district"])
    return User.objects.get(pk=user.pk)  # a fresh user: mentored_district_ids not cached


def _create(mentor, district, stage="baseline", held_on=DAY, **kwargs):
    return services.capacity_create(
        district=district, stage=stage, held_on=held_on, by=mentor, **kwargs
    )


def _score_all(assessment, by, values: dict[str, str]):
    """Score every item of each section code in `values` at that level."""
    rows = CapacityScore.objects.filter(assessment=assessment).select_related("item__section")
    scores = {r.pk: (values.get(r.item.section.code, ""), "") for r in rows}
    assessment.refresh_from_db()
    return services.capacity_scores_save(
        assessment=assessment, by=by, version=assessment.version, scores=scores
    )


def test_the_capacity_edition_has_the_eleven_fgd_topics_at_four_levels(world):
    instrument = Instrument.for_year(Instrument.Kind.CAPACITY, 2026)
    sections = list(instrument.sections.prefetch_related("items__levels"))
    assert len(sections) == 11 and not instrument.is_verified
    for section in sections:
        items = list(section.items.all())
        assert 2 <= len(items) <= 3
        for item in items:
            assert sorted(level.score for level in item.levels.all()) == [0, 4, 7, 10]
    assert set(instrument.bands.values_list("applies_to", flat=True)) == {"overall"}


def test_a_mentor_creates_an_assessment_with_a_score_row_per_item(world, mentor):
    assessment = _create(
        mentor, world["hsu"]["district"], token="8d0b1b7e-5e0c-4a3e-9d35-0d4c1d8f1a01"
    )
    items = Instrument.for_year("capacity", 2026).sections.values_list("items", flat=True)
    assert assessment.scores.count() == len(list(items)) == 24
    assert AuditEvent.objects.filter(object_id=assessment.pk, action="created").exists()
    again = _create(mentor, world["hsu"]["district"], token="8d0b1b7e-5e0c-4a3e-9d35-0d4c1d8f1a01")
    assert again.pk == assessment.pk  # the same form posted twice creates once


def test_an_assessment_at_another_districts_meeting_or_not_an_fgd_is_refused(world, mentor):
    other = MeetingFactory(
        kind="district_meeting",
        format="fgd",
        puskesmas=None,
        district=world["banjarmasin"]["district"],
    )
    plain = MeetingFactory(
        kind="district_meeting", puskesmas=None, district=world["hsu"]["district"]
    )
    for meeting in (other, plain):
        with pytest.raises(ValidationError):
            _create(mentor, world["hsu"]["district"], meeting=meeting)
    fgd = MeetingFactory(
        kind="district_meeting", format="fgd", puskesmas=None, district=world["hsu"]["district"]
    )
    assert _create(mentor, world["hsu"]["district"], meeting=fgd).meeting == fgd


def test_only_the_assigned_mentor_keeps_the_districts_records(world, mentor, district_user):
    with pytest.raises(PermissionDenied):
        _create(mentor, world["banjarmasin"]["district"])
    with pytest.raises(PermissionDenied):
        _create(district_user, world["hsu"]["district"])


def test_scores_only_at_the_items_levels_and_the_score_is_stored(world, mentor):
    assessment = _create(mentor, world["hsu"]["district"])
    row = assessment.scores.select_related("item").first()
    for bad in ("5", "11", "abc", "NaN", "1e400", "4\x00"):
        assessment.refresh_from_db()
        with pytest.raises(ValidationError):
            services.capacity_scores_save(
                assessment=assessment,
                by=mentor,
                version=assessment.version,
                scores={row.pk: (bad, "")},
            )
    row.refresh_from_db()
    assert row.score is None
    saved = _score_all(assessment, mentor, {s: "4" for s in map(str, range(1, 12))})
    assert saved.score == Decimal("4.00")
    assessment.refresh_from_db()
    assert assessment.score == Decimal("4.00")


def test_a_score_of_another_assessment_is_refused(world, mentor):
    first = _create(mentor, world["hsu"]["district"])
    second = _create(mentor, world["hsu"]["district"], stage="review")
    foreign = first.scores.first()
    second.refresh_from_db()
    with pytest.raises(ValidationError):
        services.capacity_scores_save(
            assessment=second, by=mentor, version=second.version, scores={foreign.pk: ("4", "")}
        )


def test_a_stale_score_save_is_refused(world, mentor):
    assessment = _create(mentor, world["hsu"]["district"])
    row = assessment.scores.first()
    services.capacity_scores_save(
        assessment=assessment, by=mentor, version=1, scores={row.pk: ("4", "")}
    )
    assessment.refresh_from_db()
    with pytest.raises(ValidationError):
        services.capacity_scores_save(
            assessment=assessment, by=mentor, version=1, scores={row.pk: ("7", "")}
        )


def test_the_move_between_baseline_and_review_per_topic(world, mentor):
    district = world["hsu"]["district"]
    baseline = _score_all(_create(mentor, district), mentor, {"1": "0", "2": "4", "3": "4"})
    review = _score_all(
        _create(mentor, district, stage="review", held_on=datetime.date(2026, 9, 1)),
        mentor,
        {"1": "4", "2": "7", "3": "4", "4": "10"},
    )
    move = selectors.district_move([baseline, review])
    by_code = {s.code: s for s in move.sections}
    assert (by_code["1"].baseline, by_code["1"].review, by_code["1"].change) == (0, 4, 4)
    assert by_code["2"].change == 3 and by_code["3"].change == 0
    assert by_code["4"].baseline is None and by_code["4"].change is None
    assert baseline.score == Decimal("2.67") and review.score == Decimal("6.25")
    assert move.change == Decimal("3.58")
    assert [s.code for s in move.sections][:3] == ["1", "2", "3"] and len(move.sections) == 11


def test_activity_status_needs_evidence_when_done_and_a_reason_when_dropped(world, mentor):
    activity = MentoringActivityFactory(district=world["hsu"]["district"])
    with pytest.raises(ValidationError):
        services.activity_status_change(activity=activity, status="done", by=mentor)
    services.activity_status_change(
        activity=activity, status="done", note="Notulen dan daftar hadir", by=mentor
    )
    activity.refresh_from_db()
    assert activity.status == "done" and activity.status_note == "Notulen dan daftar hadir"
    with pytest.raises(ValidationError):
        services.activity_status_change(activity=activity, status="dropped", by=mentor)


def test_a_district_planner_moves_an_rtl_item_but_not_an_activity(world, mentor, district_user):
    district = world["hsu"]["district"]
    item = MentoringItemFactory(district=district)
    services.item_status_change(item=item, status="in_progress", by=district_user)
    item.refresh_from_db()
    assert item.status == "in_progress"
    with pytest.raises(PermissionDenied):
        services.activity_status_change(
            activity=MentoringActivityFactory(district=district),
            status="in_progress",
            by=district_user,
        )
    with pytest.raises(PermissionDenied):
        services.item_save(item=item, by=district_user, version=item.version)
    other = UserFactory(role="district_planner", district=world["banjarmasin"]["district"])
    with pytest.raises(PermissionDenied):
        services.item_status_change(item=item, status="done", note="x", by=other)


def test_a_visit_to_another_districts_puskesmas_is_refused(world, mentor):
    from assessments.models import MentoringVisit

    visit = MentoringVisit(
        district=world["hsu"]["district"],
        visited_on=DAY,
        puskesmas=world["banjarmasin"]["puskesmas"],
        notes="Telaah RUK",
    )
    with pytest.raises(ValidationError):
        services.visit_save(visit=visit, by=mentor, version=None)
    visit.puskesmas = world["hsu"]["puskesmas"]
    saved = services.visit_save(visit=visit, by=mentor, version=None)
    assert saved.mentor == mentor and saved.version == 1


def test_an_rtl_item_from_another_districts_assessment_is_refused(world, mentor):
    admin = UserFactory(role="system_admin")
    foreign = _create(admin, world["banjarmasin"]["district"])
    item = MentoringItem(
        district=world["hsu"]["district"],
        problem="Data sasaran berbeda",
        action="Sepakati data sasaran",
        due_on=DAY,
        assessment=foreign,
    )
    with pytest.raises(ValidationError):
        services.item_save(item=item, by=mentor, version=None)


def test_mentor_assignments_by_the_province_for_its_districts_only(
    world, province_user, district_user
):
    mentor = MentorFactory()
    assignment = MentorAssignment(
        user=mentor, district=world["hsu"]["district"], starts_on=datetime.date(2026, 1, 1)
    )
    saved = services.mentor_assignment_save(assignment=assignment, by=province_user, version=None)
    assert saved.created_by == province_user
    assert AuditEvent.objects.filter(object_id=saved.pk, district=world["hsu"]["district"]).exists()
    for outsider, district in (
        (province_user, world["bontang"]["district"]),
        (district_user, world["hsu"]["district"]),
    ):
        with pytest.raises(PermissionDenied):
            services.mentor_assignment_save(
                assignment=MentorAssignment(
                    user=mentor, district=district, starts_on=datetime.date(2026, 1, 1)
                ),
                by=outsider,
                version=None,
            )
    with pytest.raises(ValidationError):  # only a mentor
        services.mentor_assignment_save(
            assignment=MentorAssignment(
                user=district_user,
                district=world["hsu"]["district"],
                starts_on=datetime.date(2026, 1, 1),
            ),
            by=province_user,
            version=None,
        )
    ended = services.mentor_assignment_end(
        assignment=saved, by=province_user, version=saved.version, ends_on=datetime.date(2026, 2, 1)
    )
    assert ended.ends_on == datetime.date(2026, 2, 1)
    assert User.objects.get(pk=mentor.pk).mentored_district_ids == ()


def test_progress_shows_a_province_only_its_districts(world, province_user):
    admin = UserFactory(role="system_admin")
    for key in ("hsu", "banjarmasin", "bontang"):
        MentorAssignmentFactory(district=world[key]["district"])
        _score_all(_create(admin, world[key]["district"]), admin, {"1": "4"})
    rows = selectors.mentoring_progress(user=province_user)
    assert {r.district.pk for r in rows} == {
        world["hsu"]["district"].pk,
        world["banjarmasin"]["district"].pk,
    }
    assert len(selectors.mentoring_progress(user=admin)) == 3
    assert rows[0].baseline.score == Decimal("4.00") and rows[0].change is None


def test_progress_counts_activities_and_items(world, province_user):
    district = world["hsu"]["district"]
    admin = UserFactory(role="system_admin")
    baseline = _score_all(_create(admin, district), admin, {"1": "4"})
    review = _score_all(
        _create(admin, district, stage="review", held_on=datetime.date(2026, 9, 1)),
        admin,
        {"1": "7"},
    )
    MentoringActivityFactory(district=district, status="done", status_note="ok")
    MentoringActivityFactory(district=district)
    MentoringActivityFactory(district=district, status="dropped", status_note="no")
    MentoringItemFactory(district=district, due_on=datetime.date(2026, 1, 31))
    MentoringItemFactory(district=district, due_on=datetime.date(2099, 1, 31))
    MentoringItemFactory(district=district, status="done", status_note="ok")
    (row,) = [r for r in selectors.mentoring_progress(user=province_user) if r.district == district]
    assert (row.baseline, row.latest) == (baseline, review)
    assert row.change == Decimal("3.00")
    assert (row.activities_done, row.activities_planned) == (1, 2)
    assert (row.items_open, row.items_overdue) == (2, 1)


def test_the_mentor_cards_and_progress_queries_do_not_grow(
    world, django_assert_max_num_queries, province_user
):
    from ..factories import DistrictFactory

    mentor = MentorFactory()
    admin = UserFactory(role="system_admin")

    def add_district():
        district = DistrictFactory(province=world["kalsel"])
        MentorAssignmentFactory(user=mentor, district=district)
        _create(admin, district)
        MentoringActivityFactory.create_batch(2, district=district)
        MentoringItemFactory.create_batch(2, district=district)

    add_district()
    fresh = User.objects.get(pk=mentor.pk)
    with django_assert_max_num_queries(6) as few:
        selectors.mentor_districts(user=fresh)
    with django_assert_max_num_queries(6) as few_progress:
        selectors.mentoring_progress(user=province_user)
    for _ in range(4):
        add_district()
    fresh = User.objects.get(pk=mentor.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        cards = selectors.mentor_districts(user=fresh)
    assert len(cards) == 5
    with django_assert_max_num_queries(len(few_progress.captured_queries)):
        assert len(selectors.mentoring_progress(user=province_user)) == 5


def test_the_demo_seeds_hsus_mentoring_once(world):
    from assessments.models import CapacityAssessment, MentoringActivity, MentoringVisit
    from assessments.selectors.mentoring import district_move
    from assessments.services.demo_mentoring import demo_seed

    MentorFactory(username="mentor.hsu")
    UserFactory(username="prov.kalsel", role="province_reviewer", province=world["kalsel"])
    UserFactory(username="dinkes.hsu", district=world["hsu"]["district"])
    demo_seed()
    demo_seed()
    district = world["hsu"]["district"]
    assessments = list(CapacityAssessment.objects.filter(district=district).order_by("held_on"))
    assert [a.stage for a in assessments] == ["baseline", "review"]
    assert assessments[0].meeting.format == "fgd" and assessments[0].meeting.participants.exists()
    move = district_move(assessments)
    assert move.change > 0 and any(s.change and s.change > 0 for s in move.sections)
    assert MentoringActivity.objects.filter(district=district).count() == 5
    assert MentoringActivity.objects.filter(district=district, status="done").count() == 2
    assert MentoringVisit.objects.filter(district=district).count() == 2
    items = list(MentoringItem.objects.filter(district=district))
    assert len(items) == 4 and len({i.status for i in items}) == 3
    assert any(i.is_overdue() for i in items)
    mentor = User.objects.get(username="mentor.hsu")
    assert mentor.mentored_district_ids == (district.pk,)
