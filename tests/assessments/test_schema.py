"""The schema's shared rules (issue #18): a mentor reads only the districts assigned to them
today, and only through kernel.scoping; scores add up the same way for every instrument."""

import datetime
from decimal import Decimal

import pytest

from assessments.scoring import Scored, rank_for, total_score, weighted_mean
from kernel.models import District, MentorAssignment, Puskesmas
from kernel.roles import in_mentored_district, reads_approved_only
from kernel.scoping import in_area

from .factories import MentorAssignmentFactory, MentorFactory

pytestmark = pytest.mark.django_db


def test_a_mentor_sees_only_the_districts_assigned_today(world):
    mentor = MentorFactory()
    MentorAssignmentFactory(user=mentor, district=world["hsu"]["district"])
    MentorAssignmentFactory(
        user=mentor,
        district=world["bontang"]["district"],
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2020, 12, 31),
    )
    assert list(in_area(District.objects.all(), mentor)) == [world["hsu"]["district"]]
    assert list(in_area(Puskesmas.objects.all(), mentor)) == [world["hsu"]["puskesmas"]]
    assert in_mentored_district(mentor, world["hsu"]["puskesmas"])
    assert not in_mentored_district(mentor, world["banjarmasin"]["puskesmas"])
    assert not reads_approved_only(mentor)


def test_a_mentor_without_a_running_assignment_sees_nothing(world):
    mentor = MentorFactory()
    MentorAssignment.objects.create(
        user=mentor,
        district=world["hsu"]["district"],
        starts_on=datetime.date.today() + datetime.timedelta(days=3),
    )
    assert not in_area(District.objects.all(), mentor).exists()
    assert not in_area(Puskesmas.objects.all(), mentor).exists()


def test_scores_are_weighted_means_of_sections_of_weighted_items():
    rows = [
        Scored(1, Decimal("1"), Decimal("1"), Decimal("10")),
        Scored(1, Decimal("1"), Decimal("3"), Decimal("4")),
        Scored(2, Decimal("2"), Decimal("1"), Decimal("7")),
        Scored(2, Decimal("2"), Decimal("1"), None),
    ]
    # section 1: (10 + 12) / 4 = 5.5; section 2: 7; total (5.5 + 2 x 7) / 3 = 6.5
    assert total_score(rows) == Decimal("6.50")
    assert weighted_mean([]) is None


@pytest.mark.parametrize(
    "value, rank",
    [("8.5", "good"), ("8.49", "fair"), ("5.5", "fair"), ("5.49", "poor"), (None, "")],
)
def test_a_value_ranks_by_the_highest_band_it_reaches(value, rank):
    bands = [("good", Decimal("8.5")), ("fair", Decimal("5.5")), ("poor", Decimal("0"))]
    assert rank_for(None if value is None else Decimal(value), bands) == rank


def test_a_mentor_of_one_district_lands_on_its_dashboard(client, world):
    from django.urls import reverse

    mentor = MentorFactory()
    MentorAssignmentFactory(user=mentor, district=world["hsu"]["district"])
    client.force_login(mentor)
    response = client.get(reverse("indicators:dashboard"))
    assert response.status_code == 200
    assert world["hsu"]["district"].name in response.content.decode()


def test_a_mentor_without_districts_is_sent_to_the_mentoring_page(client, world):
    from django.urls import reverse

    mentor = MentorFactory()
    client.force_login(mentor)
    response = client.get(reverse("indicators:dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("assessments:mentoring-home")


def test_a_system_admin_makes_a_mentor_account_without_an_area(world):
    from kernel.services.users import user_save

    mentor = user_save(
        username="pendamping.baru", role="mentor", area=None, password="simpul-demo-2026x"
    )
    assert mentor.role == "mentor" and mentor.area is None
    assert mentor.mentored_district_ids == ()


def test_a_mentor_reads_the_pkp_list_of_its_districts(client, world):
    from django.urls import reverse

    mentor = MentorFactory()
    MentorAssignmentFactory(user=mentor, district=world["hsu"]["district"])
    client.force_login(mentor)
    response = client.get(reverse("assessments:pkp-list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert world["hsu"]["puskesmas"].name in page
    assert world["banjarmasin"]["puskesmas"].name not in page


def test_the_to_do_home_lists_a_mentors_late_rtl_and_coming_activities(client, world):
    import datetime as dt

    from django.urls import reverse

    from .factories import MentoringActivityFactory, MentoringItemFactory

    mentor = MentorFactory()
    hsu = world["hsu"]["district"]
    MentorAssignmentFactory(user=mentor, district=hsu)
    today = dt.date.today()
    MentoringItemFactory(district=hsu, due_on=today - dt.timedelta(days=3))
    MentoringItemFactory(district=world["bontang"]["district"], due_on=today - dt.timedelta(3))
    MentoringActivityFactory(district=hsu, starts_on=None, due_on=today + dt.timedelta(days=5))
    client.force_login(mentor)
    page = client.get(reverse("kernel:home")).content.decode()
    link = reverse("assessments:mentoring-district", args=[hsu.pk])
    assert page.count(f'href="{link}"') == 2
    bontang = reverse("assessments:mentoring-district", args=[world["bontang"]["district"].pk])
    assert bontang not in page
