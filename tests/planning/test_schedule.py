"""The RPK: approved activities scheduled month by month. A month outside January-December, a
negative cost or a schedule over the budget is refused and saves nothing; the month view lists
what is planned for the monthly lokmin."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kernel.models import User
from planning import services
from planning.models import ScheduleEntry
from tests.exports import content_of, download_export
from tests.factories import UserFactory

from .conftest import add_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(ruk, puskesmas_head, district_user):
    activity = add_activity(ruk, puskesmas_head, budget_idr=Decimal(12_000_000))
    ruk.refresh_from_db()
    services.plan_submit(plan=ruk, version=ruk.version, by=puskesmas_head)
    ruk.refresh_from_db()
    services.plan_approve(plan=ruk, version=ruk.version, by=district_user)
    ruk.refresh_from_db()
    return activity


def _schedule(client, activity, **fields):
    data = {f"a{activity.pk}-{name}": value for name, value in fields.items()}
    return client.post(reverse("planning:schedule-create", args=[activity.pk]), data)


def test_staff_schedules_an_approved_activity(client, approved, puskesmas_staff):
    client.force_login(puskesmas_staff)
    response = _schedule(
        client, approved, month=3, volume="2 kali", location="Posyandu Melati", cost_idr="3.000.000"
    )
    assert response.status_code == 302
    entry = ScheduleEntry.objects.get()
    assert (entry.month, entry.cost_idr, entry.location) == (3, 3_000_000, "Posyandu Melati")
    page = client.get(reverse("planning:rpk-detail", args=[approved.plan_id]))
    assert page.context["rpk"].total == 3_000_000
    assert page.context["rpk"].lines[0].marks[2] is True


@pytest.mark.parametrize("month", ["13", "0", "maret"])
def test_a_month_outside_the_year_is_refused(client, approved, puskesmas_head, month):
    client.force_login(puskesmas_head)
    response = _schedule(client, approved, month=month, cost_idr="1000")
    assert response.status_code == 200
    assert "Choose a month from 1 (January) to 12 (December)" in response.content.decode()
    assert not ScheduleEntry.objects.exists()
    with pytest.raises(ValidationError) as error:
        services.schedule_add(activity=approved, month=month, by=puskesmas_head)
    assert "month" in error.value.message_dict
    assert not ScheduleEntry.objects.exists()


def test_negative_cost_is_refused(client, approved, puskesmas_head):
    client.force_login(puskesmas_head)
    response = _schedule(client, approved, month=2, cost_idr="-100")
    assert "The amount cannot be negative." in response.content.decode()
    with pytest.raises(ValidationError, match="cannot be negative"):
        services.schedule_add(activity=approved, month=2, cost_idr=-100, by=puskesmas_head)
    assert not ScheduleEntry.objects.exists()


def test_the_schedule_may_not_cost_more_than_the_budget(client, approved, puskesmas_head):
    services.schedule_add(activity=approved, month=2, cost_idr=10_000_000, by=puskesmas_head)
    client.force_login(puskesmas_head)
    response = _schedule(client, approved, month=5, cost_idr="3.000.000")
    assert "more than its approved budget of Rp 12,000,000" in response.content.decode()
    assert ScheduleEntry.objects.count() == 1


def test_a_ruk_not_yet_approved_has_no_rpk(client, ruk, puskesmas_head):
    activity = add_activity(ruk, puskesmas_head)
    client.force_login(puskesmas_head)
    page = client.get(reverse("planning:rpk-detail", args=[ruk.pk]))
    assert page.status_code == 200 and page.context["not_ready"]
    with pytest.raises(ValidationError, match="approved RUK"):
        services.schedule_add(activity=activity, month=1, by=puskesmas_head)


def test_district_reads_the_rpk_but_does_not_schedule(client, approved, district_user):
    client.force_login(district_user)
    page = client.get(reverse("planning:rpk-detail", args=[approved.plan_id]))
    assert page.status_code == 200 and not page.context["can_schedule"]
    assert _schedule(client, approved, month=1, cost_idr="0").status_code == 403
    with pytest.raises(PermissionDenied):
        services.schedule_add(activity=approved, month=1, by=district_user)


def test_another_puskesmas_gets_404(client, world, approved, puskesmas_head):
    entry = services.schedule_add(activity=approved, month=1, by=puskesmas_head)
    outsider = UserFactory(
        role=User.Role.PUSKESMAS_HEAD, puskesmas=world["banjarmasin"]["puskesmas"]
    )
    client.force_login(outsider)
    assert client.get(reverse("planning:rpk-detail", args=[approved.plan_id])).status_code == 404
    assert _schedule(client, approved, month=1).status_code == 404
    response = client.post(reverse("planning:schedule-delete", args=[entry.pk]))
    assert response.status_code == 404
    assert ScheduleEntry.objects.filter(pk=entry.pk).exists()


def test_month_view_lists_what_is_planned_that_month(client, approved, ruk, puskesmas_head):
    services.schedule_add(
        activity=approved, month=4, cost_idr=1_000_000, location="Desa A", by=puskesmas_head
    )
    services.schedule_add(
        activity=approved, month=5, cost_idr=2_000_000, location="Desa B", by=puskesmas_head
    )
    client.force_login(puskesmas_head)
    page = client.get(reverse("planning:rpk-detail", args=[ruk.pk]), {"month": 4})
    rpk = page.context["rpk"]
    assert [entry.location for __, entry in rpk.month_entries] == ["Desa A"]
    assert rpk.month_total == 1_000_000
    assert [m.total for m in rpk.months][3:5] == [1_000_000, 2_000_000]


def test_removing_an_entry(client, approved, puskesmas_head):
    entry = services.schedule_add(activity=approved, month=1, by=puskesmas_head)
    client.force_login(puskesmas_head)
    response = client.post(reverse("planning:schedule-delete", args=[entry.pk]))
    assert response.status_code == 302
    assert not ScheduleEntry.objects.exists()


def test_rpk_exports_and_prints(client, approved, puskesmas_head):
    services.schedule_add(
        activity=approved, month=6, cost_idr=4_000_000, volume="1 kali", by=puskesmas_head
    )
    client.force_login(puskesmas_head)
    url = reverse("planning:rpk-detail", args=[approved.plan_id])
    xlsx = client.get(url, {"format": "xlsx"})
    workbook = load_workbook(BytesIO(xlsx.content))
    grid = list(workbook.active.iter_rows(values_only=True))
    assert grid[0][6] == "January" and grid[1][11] == 4_000_000  # June's column
    entries = list(workbook["Schedule"].iter_rows(values_only=True))
    assert entries[1][1] == "June" and entries[1][-1] == 4_000_000
    pdf = download_export(client, url, query={"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and content_of(pdf).startswith(b"%PDF")


def test_rpk_page_queries_do_not_grow(client, ruk, puskesmas_head, district_user):
    activities = [add_activity(ruk, puskesmas_head) for _ in range(2)]
    ruk.refresh_from_db()
    services.plan_submit(plan=ruk, version=ruk.version, by=puskesmas_head)
    ruk.refresh_from_db()
    services.plan_approve(plan=ruk, version=ruk.version, by=district_user)
    client.force_login(puskesmas_head)
    url = reverse("planning:rpk-detail", args=[ruk.pk])
    for activity in activities:
        services.schedule_add(activity=activity, month=1, by=puskesmas_head)
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"month": 1})
    for activity in activities:
        for month in range(2, 12):
            services.schedule_add(activity=activity, month=month, by=puskesmas_head)
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"month": 1})
    assert len(many) == len(few)


def test_three_identical_schedule_posts_add_one_entry(client, approved, puskesmas_head):
    """A double click on "Add to the schedule", or a resend over a slow link, schedules once."""
    client.force_login(puskesmas_head)
    token = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
    answers = [
        _schedule(client, approved, month=4, cost_idr="1.000.000", form_token=token)
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert len({a.url for a in answers}) == 1
    assert ScheduleEntry.objects.count() == 1
