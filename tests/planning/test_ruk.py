"""A puskesmas writes next year's RUK: starts it, adds, changes and deletes activities, submits it.
Bad input is refused with a clear message and saves nothing; other areas get 404, other roles 403.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kernel.models import User
from planning import services
from planning.models import Activity, Plan
from tests.factories import UserFactory

from .conftest import PLAN_YEAR, add_activity, columns, form_data, spm_service

pytestmark = pytest.mark.django_db


def test_puskesmas_head_starts_next_years_ruk_once(client, world, puskesmas_head):
    client.force_login(puskesmas_head)
    response = client.post(reverse("planning:plan-create"), {"year": PLAN_YEAR})
    plan = Plan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:plan-detail", args=[plan.pk])
    assert plan.puskesmas == world["hsu"]["puskesmas"]
    assert plan.district == world["hsu"]["district"]
    assert plan.status == Plan.Status.DRAFT
    client.post(reverse("planning:plan-create"), {"year": PLAN_YEAR})
    assert Plan.objects.count() == 1  # the second click opens the same RUK
    assert plan.events.filter(action="created").count() == 1


def test_a_year_outside_the_list_is_refused(client, world, puskesmas_head):
    client.force_login(puskesmas_head)
    response = client.post(reverse("planning:plan-create"), {"year": 1999}, follow=True)
    assert "Choose a year from the list." in response.content.decode()
    assert not Plan.objects.exists()


def test_provincial_reviewer_cannot_start_a_plan(world, province_user):
    with pytest.raises(PermissionDenied):
        services.plan_create(year=PLAN_YEAR, by=province_user)


def test_staff_adds_an_activity_with_a_budget_typed_with_dots(client, ruk, puskesmas_staff):
    client.force_login(puskesmas_staff)
    url = reverse("planning:activity-create", args=[ruk.pk])
    assert client.get(url).status_code == 200
    service = spm_service(1)
    response = client.post(url, form_data(service=service.pk, budget_idr="Rp 12.500.000"))
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.budget_idr == Decimal(12_500_000)
    assert activity.origin == Activity.Origin.MANUAL
    assert activity.created_by == puskesmas_staff
    # An SPM service's activity is budgeted under its own code when none is chosen.
    assert activity.sub_activity.code == "1.02.02.2.02.0001"
    ruk.refresh_from_db()
    assert ruk.version == 2  # a reviewer who opened version 1 approves nothing stale


def test_three_identical_activity_posts_add_one_activity(client, ruk, puskesmas_staff):
    """A double click on "Save", or a resend over a slow link, adds the activity once."""
    client.force_login(puskesmas_staff)
    url = reverse("planning:activity-create", args=[ruk.pk])
    token = client.get(url).context["form"].initial["form_token"]
    data = form_data(service=spm_service(1).pk, budget_idr="1000000", form_token=token)
    answers = [client.post(url, data) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert len({a.url for a in answers}) == 1
    assert Activity.objects.count() == 1


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ("-500000", "The amount cannot be negative."),
        ("satu juta", "Enter a whole amount in rupiah, e.g. 1.500.000."),
        ("1,5", "Enter a whole amount in rupiah, e.g. 1.500.000."),
    ],
)
def test_bad_budget_is_refused_and_nothing_saved(client, ruk, puskesmas_head, budget, message):
    client.force_login(puskesmas_head)
    url = reverse("planning:activity-create", args=[ruk.pk])
    response = client.post(url, form_data(budget_idr=budget))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Activity.objects.exists()


def test_unknown_funding_source_is_refused_and_nothing_saved(client, ruk, puskesmas_head):
    client.force_login(puskesmas_head)
    url = reverse("planning:activity-create", args=[ruk.pk])
    response = client.post(url, form_data(funding_source="lottery"))
    assert response.status_code == 200
    assert "Unknown funding source “lottery”" in response.content.decode()
    assert not Activity.objects.exists()


def test_service_refuses_negative_budget_and_unknown_source_by_field(ruk, puskesmas_head):
    with pytest.raises(ValidationError) as error:
        add_activity(ruk, puskesmas_head, budget_idr=Decimal(-1), funding_source="hibah")
    assert set(error.value.message_dict) == {"budget_idr", "funding_source"}
    assert error.value.message_dict["budget_idr"] == ["The budget cannot be negative."]
    assert "choose one of APBD" in error.value.message_dict["funding_source"][0]
    assert not Activity.objects.exists()
    ruk.refresh_from_db()
    assert ruk.version == 1


def test_missing_columns_are_named(ruk, puskesmas_head):
    with pytest.raises(ValidationError) as error:
        add_activity(ruk, puskesmas_head, name=" ", responsible="")
    assert set(error.value.message_dict) == {"name", "responsible"}


def test_edit_saves_and_a_stale_form_is_refused(client, ruk, puskesmas_head, puskesmas_staff):
    activity = add_activity(ruk, puskesmas_head)
    url = reverse("planning:activity-edit", args=[activity.pk])
    client.force_login(puskesmas_staff)
    stale = form_data(name="Kelas ibu hamil terpadu", version=activity.version)
    response = client.post(url, form_data(budget_idr="15.000.000", version=activity.version))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.budget_idr == 15_000_000 and activity.version == 2
    response = client.post(url, stale)
    assert "Someone saved this activity while you were editing it" in response.content.decode()
    activity.refresh_from_db()
    assert activity.name == "Kelas ibu hamil"


def test_delete_is_recorded_in_the_plans_history(client, ruk, puskesmas_head):
    activity = add_activity(ruk, puskesmas_head)
    client.force_login(puskesmas_head)
    response = client.post(reverse("planning:activity-delete", args=[activity.pk]))
    assert response.status_code == 302
    assert not Activity.objects.exists()
    event = ruk.events.get(action="activity_deleted")
    assert "Kelas ibu hamil" in event.reason and event.by == puskesmas_head


def test_head_submits_and_the_ruk_is_then_read_only(client, ruk, puskesmas_head, puskesmas_staff):
    activity = add_activity(ruk, puskesmas_staff)
    ruk.refresh_from_db()
    client.force_login(puskesmas_head)
    response = client.post(reverse("planning:plan-submit", args=[ruk.pk]), {"version": ruk.version})
    assert response.status_code == 302
    ruk.refresh_from_db()
    assert ruk.status == Plan.Status.SUBMITTED and ruk.submitted_by == puskesmas_head
    client.force_login(puskesmas_staff)
    response = client.post(
        reverse("planning:activity-edit", args=[activity.pk]), form_data(version=1), follow=True
    )
    assert "cannot be changed now" in response.content.decode()
    with pytest.raises(ValidationError, match="can no longer be changed"):
        add_activity(ruk, puskesmas_staff)
    assert Activity.objects.count() == 1


def test_empty_ruk_cannot_be_submitted(ruk, puskesmas_head):
    with pytest.raises(ValidationError, match="at least one activity"):
        services.plan_submit(plan=ruk, version=ruk.version, by=puskesmas_head)
    ruk.refresh_from_db()
    assert ruk.status == Plan.Status.DRAFT


def test_staff_cannot_submit(client, ruk, puskesmas_staff):
    add_activity(ruk, puskesmas_staff)
    ruk.refresh_from_db()
    client.force_login(puskesmas_staff)
    response = client.post(reverse("planning:plan-submit", args=[ruk.pk]), {"version": ruk.version})
    assert response.status_code == 403
    ruk.refresh_from_db()
    assert ruk.status == Plan.Status.DRAFT


def test_submit_with_a_stale_version_is_refused(client, ruk, puskesmas_head):
    add_activity(ruk, puskesmas_head)
    client.force_login(puskesmas_head)
    response = client.post(
        reverse("planning:plan-submit", args=[ruk.pk]), {"version": 1}, follow=True
    )
    assert "The plan changed since you opened it" in response.content.decode()
    ruk.refresh_from_db()
    assert ruk.status == Plan.Status.DRAFT


@pytest.mark.parametrize("role", ["district_user", "province_user"])
def test_district_and_province_read_the_ruk_but_cannot_write_it(
    client, ruk, puskesmas_head, request, role
):
    activity = add_activity(ruk, puskesmas_head)
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("planning:plan-detail", args=[ruk.pk]))
    assert response.status_code == 200
    assert "Kelas ibu hamil" in response.content.decode()
    assert reverse("planning:activity-edit", args=[activity.pk]) not in response.content.decode()
    assert client.get(reverse("planning:activity-create", args=[ruk.pk])).status_code == 403
    response = client.post(reverse("planning:activity-delete", args=[activity.pk]))
    assert response.status_code == 403
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_another_puskesmas_head_gets_404(client, world, ruk, puskesmas_head):
    activity = add_activity(ruk, puskesmas_head)
    outsider = UserFactory(
        role=User.Role.PUSKESMAS_HEAD, puskesmas=world["banjarmasin"]["puskesmas"]
    )
    client.force_login(outsider)
    for url in (
        reverse("planning:plan-detail", args=[ruk.pk]),
        reverse("planning:plan-sources", args=[ruk.pk]),
        reverse("planning:activity-create", args=[ruk.pk]),
        reverse("planning:activity-edit", args=[activity.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("planning:activity-delete", args=[activity.pk])).status_code == 404
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_puskesmas_sees_only_its_own_plans(client, world, ruk, puskesmas_head):
    other_head = UserFactory(
        role=User.Role.PUSKESMAS_HEAD, puskesmas=world["banjarmasin"]["puskesmas"]
    )
    other = services.plan_create(year=PLAN_YEAR, by=other_head)
    client.force_login(puskesmas_head)
    response = client.get(reverse("planning:ruk-list"))
    assert response.status_code == 200
    assert reverse("planning:plan-detail", args=[ruk.pk]) in response.content.decode()
    assert reverse("planning:plan-detail", args=[other.pk]) not in response.content.decode()


def test_plan_page_queries_do_not_grow_with_activities(client, ruk, puskesmas_head):
    client.force_login(puskesmas_head)
    url = reverse("planning:plan-detail", args=[ruk.pk])
    for _ in range(2):
        add_activity(ruk, puskesmas_head, service=spm_service(1))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for number in range(2, 12):
        add_activity(ruk, puskesmas_head, effort=f"Upaya {number}", service=spm_service(number))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_dinkes_plan_is_grouped_by_budget_code(client, dinkes_plan, district_user):
    add_activity(dinkes_plan, district_user, name="Bimtek ANC", service=spm_service(1))
    add_activity(dinkes_plan, district_user, name="Monev SPM", effort="Dinkes")
    client.force_login(district_user)
    page = client.get(reverse("planning:plan-detail", args=[dinkes_plan.pk])).content.decode()
    assert "1.02.02.2.02.0001" in page
    assert page.index("1.02.02.2.02.0001") < page.index("No budget sub-activity code")
    # The district keeps its own plan without review.
    assert reverse("planning:plan-submit", args=[dinkes_plan.pk]) not in page


def test_columns_helper_is_complete():
    assert set(columns()) == set(services.activities.FIELDS)
