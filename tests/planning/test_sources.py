"""Activities start from an SPM gap (its figures carried in), an RTL item of the puskesmas's lokmin
or a Musrenbang proposal, and keep that link. Origins of another owner are refused."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning import selectors, services
from planning.models import Activity
from tests.factories import FollowUpFactory, MeetingFactory, ProblemFactory, ProposalFactory

from .conftest import GAP_QUARTER, GAP_YEAR, add_activity, columns, form_data, spm_service

pytestmark = pytest.mark.django_db


def test_sources_page_lists_the_services_below_pace_weakest_first(
    client, ruk, gaps, puskesmas_head
):
    client.force_login(puskesmas_head)
    response = client.get(reverse("planning:plan-sources", args=[ruk.pk]))
    assert response.status_code == 200
    listed = [gap.service.number for gap in response.context["gaps"].gaps]
    assert listed == [1, 4]  # 50% and 50% below the 75% pace; service 8 (90%) is on pace
    assert response.context["gaps"].pace == Decimal("75.00")
    assert f"?gap={spm_service(1, GAP_YEAR).pk}" in response.content.decode()


def test_activity_from_a_gap_keeps_the_quarters_figures(client, ruk, gaps, puskesmas_head):
    service = spm_service(1, GAP_YEAR)
    client.force_login(puskesmas_head)
    url = reverse("planning:activity-create", args=[ruk.pk]) + f"?gap={service.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["service"].number == 1  # carried into the form
    assert "100 short of pace" not in page.content.decode()  # 75% of 200 = 150, served 100
    assert "50 short of pace" in page.content.decode()
    response = client.post(url, form_data(name="Kunjungan rumah ibu hamil", service=""))
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.origin == Activity.Origin.GAP
    assert (activity.gap_year, activity.gap_quarter) == (GAP_YEAR, GAP_QUARTER)
    assert (activity.gap_target, activity.gap_served) == (200, 100)
    assert activity.gap_achievement == Decimal("50.00") and activity.gap_pace == Decimal("75.00")
    assert activity.shortfall == 50
    assert activity.service.number == 1  # the gap's service when the form left it empty
    assert activity.sub_activity.code == "1.02.02.2.02.0001"
    # The gap now shows one planned activity.
    gap = selectors.plan_gaps(user=puskesmas_head, plan=ruk).gaps[0]
    assert gap.service.number == 1 and gap.planned_count == 1


def test_a_service_on_pace_is_not_a_gap(client, ruk, gaps, puskesmas_head):
    on_pace = spm_service(8, GAP_YEAR)
    client.force_login(puskesmas_head)
    url = reverse("planning:activity-create", args=[ruk.pk]) + f"?gap={on_pace.pk}"
    assert client.get(url).status_code == 404
    with pytest.raises(ValidationError, match="no longer below its pace"):
        services.activity_create(plan=ruk, fields=columns(), by=puskesmas_head, gap_service=on_pace)
    assert not Activity.objects.exists()


def test_gaps_of_another_puskesmas_are_not_offered(client, world, ruk, puskesmas_head):
    from .conftest import put_achievement

    put_achievement(world["banjarmasin"]["puskesmas"], {1: (100, 10)})
    assert selectors.plan_gaps(user=puskesmas_head, plan=ruk).gaps == []


def test_activity_from_an_rtl_item_of_its_lokmin(client, world, ruk, puskesmas_head):
    meeting = MeetingFactory(puskesmas=world["hsu"]["puskesmas"], created_by=puskesmas_head)
    problem = ProblemFactory(meeting=meeting, service=spm_service(4, GAP_YEAR))
    item = FollowUpFactory(
        meeting=meeting,
        problem=problem,
        goal="Balita ditimbang",
        cost_idr=2_500_000,
        funding_source="dana_desa",
        success_indicator="D/S 80%",
    )
    done = FollowUpFactory(meeting=meeting, status="done")
    client.force_login(puskesmas_head)
    sources = client.get(reverse("planning:plan-sources", args=[ruk.pk]))
    assert [i.pk for i in sources.context["follow_ups"]] == [item.pk]  # open items only
    assert done.activity not in sources.content.decode()
    url = reverse("planning:activity-create", args=[ruk.pk]) + f"?rtl={item.pk}"
    form = client.get(url).context["form"]
    assert form.initial["name"] == item.activity
    assert form.initial["budget_idr"] == 2_500_000
    assert form.initial["service"].number == 4
    response = client.post(
        url,
        form_data(name=item.activity, budget_idr="2.500.000", funding_source="dana_desa"),
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.origin == Activity.Origin.RTL and activity.follow_up == item
    again = client.get(reverse("planning:plan-sources", args=[ruk.pk]))
    assert again.context["follow_ups"][0].is_planned


def test_rtl_item_of_another_puskesmas_is_refused(client, world, ruk, puskesmas_head):
    other = MeetingFactory(puskesmas=world["banjarmasin"]["puskesmas"])
    item = FollowUpFactory(meeting=other)
    client.force_login(puskesmas_head)
    url = reverse("planning:activity-create", args=[ruk.pk]) + f"?rtl={item.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404
    with pytest.raises(ValidationError):
        services.activity_create(plan=ruk, fields=columns(), by=puskesmas_head, follow_up=item)
    assert not Activity.objects.exists()


def test_activity_from_a_musrenbang_proposal(client, world, ruk, puskesmas_head):
    meeting = MeetingFactory(puskesmas=world["hsu"]["puskesmas"], created_by=puskesmas_head)
    proposal = ProposalFactory(meeting=meeting, estimated_cost_idr=40_000_000, volume="1 unit")
    rejected = ProposalFactory(meeting=meeting, outcome="rejected")
    client.force_login(puskesmas_head)
    sources = client.get(reverse("planning:plan-sources", args=[ruk.pk]))
    assert [p.pk for p in sources.context["proposals"]] == [proposal.pk]
    assert rejected.title not in sources.content.decode()
    url = reverse("planning:activity-create", args=[ruk.pk]) + f"?proposal={proposal.pk}"
    assert client.get(url).context["form"].initial["target"] == "1 unit"
    response = client.post(url, form_data(name=proposal.title, budget_idr="40000000"))
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.origin == Activity.Origin.MUSRENBANG and activity.proposal == proposal
    assert activity.budget_idr == 40_000_000


def test_sources_page_queries_do_not_grow(client, world, ruk, gaps, puskesmas_head):
    meeting = MeetingFactory(puskesmas=world["hsu"]["puskesmas"], created_by=puskesmas_head)
    FollowUpFactory.create_batch(2, meeting=meeting)
    ProposalFactory.create_batch(2, meeting=meeting)
    add_activity(ruk, puskesmas_head, service=spm_service(1))
    client.force_login(puskesmas_head)
    url = reverse("planning:plan-sources", args=[ruk.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    FollowUpFactory.create_batch(10, meeting=meeting)
    ProposalFactory.create_batch(10, meeting=meeting)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
