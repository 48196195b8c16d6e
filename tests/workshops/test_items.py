"""RTL items, commitments and Musrenbang proposals of a meeting: add, edit, delete, the rules that
keep bad input out, exports and the printable RTL (issue #6, item 3)."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kernel.models import PartnerOrganisation
from tests.exports import content_of, download_export
from tests.factories import (
    CommitmentFactory,
    FollowUpFactory,
    PartnerFactory,
    ProblemFactory,
    ProposalFactory,
    SubdistrictFactory,
    VillageFactory,
)
from workshops import services
from workshops.models import Commitment, FollowUp, Meeting, MusrenbangProposal, RootCause

pytestmark = pytest.mark.django_db


@pytest.fixture
def head_client(client, puskesmas_head):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(puskesmas_head)
    return client


@pytest.fixture
def planner_client(client, district_user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(district_user)
    return client


def _rtl(**changes) -> dict:
    data = {
        "activity": "Kelas ibu hamil di setiap desa",
        "goal": "Ibu hamil paham tanda bahaya",
        "target_group": "Ibu hamil",
        "target": "120 ibu hamil",
        "due_on": "2026-06-30",
        "responsible": "Bidan koordinator",
        "cost_idr": "2500000",
        "funding_source": "bok",
        "success_indicator": "K4 naik ke 80%",
    }
    data.update(changes)
    return data


def _errors(response) -> dict:
    return response.context["form"].errors


# --- RTL items ------------------------------------------------------------------------------------


def test_head_plans_an_rtl_item_from_a_root_cause(head_client, lokmin, world):
    problem = ProblemFactory(meeting=lokmin)
    cause = RootCause.objects.create(problem=problem, category="man", description="Bidan baru")
    partner = world["hsu"]["partner"]
    url = reverse("workshops:followup-create", args=[lokmin.pk])
    form = head_client.get(url, {"root_cause": cause.pk}).context["form"]
    assert (form.initial["root_cause"], form.initial["problem"]) == (str(cause.pk), problem.pk)
    response = head_client.post(url, _rtl(root_cause=cause.pk, partner=partner.pk))
    assert response.status_code == 302
    item = FollowUp.objects.get()
    assert (item.problem, item.root_cause, item.partner) == (problem, cause, partner)
    assert item.sector == partner.sector  # filled from the partner
    assert (item.status, item.created_by, item.cost_idr) == ("planned", lokmin.created_by, 2500000)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"due_on": "2026-05-11"}, "due_on", "The due date cannot be before the meeting"),
        ({"cost_idr": "-1"}, "cost_idr", "The cost cannot be negative."),
        ({"funding_source": "lottery"}, "funding_source", "Select a valid choice"),
        ({"activity": ""}, "activity", "This field is required."),
    ],
)
def test_bad_rtl_input_gets_a_clear_message_and_saves_nothing(
    head_client, lokmin, changes, field, message
):
    response = head_client.post(
        reverse("workshops:followup-create", args=[lokmin.pk]), _rtl(**changes)
    )
    assert response.status_code == 200
    assert message in " ".join(_errors(response)[field])
    assert not FollowUp.objects.exists()


def test_rtl_service_refuses_what_the_form_cannot_offer(lokmin, puskesmas_head, world):
    """Problems, causes and partners of elsewhere never reach the form; the service refuses them
    too (and a due date before the meeting, a negative cost, an unknown source)."""
    elsewhere = ProblemFactory(meeting__puskesmas=world["hsu"]["puskesmas"])
    other_cause = RootCause.objects.create(problem=elsewhere, category="money", description="x")
    item = FollowUp(
        meeting=lokmin,
        activity="Sweeping ibu hamil",
        responsible="Bidan",
        due_on=lokmin.held_on - datetime.timedelta(days=1),
        cost_idr=-5,
        funding_source="lottery",
        problem=elsewhere,
        root_cause=other_cause,
        partner=world["banjarmasin"]["partner"],
    )
    with pytest.raises(ValidationError) as error:
        services.follow_up_save(follow_up=item, by=puskesmas_head)
    assert set(error.value.message_dict) == {
        "due_on",
        "cost_idr",
        "funding_source",
        "problem",
        "root_cause",
        "partner",
    }
    assert not FollowUp.objects.exists()


def test_a_root_cause_of_another_problem_is_refused(lokmin, puskesmas_head):
    first, second = ProblemFactory.create_batch(2, meeting=lokmin)
    cause = RootCause.objects.create(problem=second, category="man", description="x")
    item = FollowUp(
        meeting=lokmin,
        activity="x",
        responsible="y",
        due_on=lokmin.held_on,
        problem=first,
        root_cause=cause,
    )
    with pytest.raises(ValidationError) as error:
        services.follow_up_save(follow_up=item, by=puskesmas_head)
    assert "another problem" in error.value.message_dict["root_cause"][0]


def test_a_lokmin_offers_district_partners_and_its_own_kecamatan_s(head_client, lokmin, world):
    district = world["hsu"]["district"]
    own = PartnerFactory(district=district, subdistrict=world["hsu"]["subdistrict"], name="Polsek")
    other_kecamatan = PartnerFactory(
        district=district, subdistrict=SubdistrictFactory(district=district), name="Polsek lain"
    )
    inactive = PartnerFactory(district=district, name="Lama", is_active=False)
    form = head_client.get(reverse("workshops:followup-create", args=[lokmin.pk])).context["form"]
    offered = set(form.fields["partner"].queryset)
    assert offered == {world["hsu"]["partner"], own}
    item = FollowUpFactory(meeting=lokmin, partner=inactive)
    form = head_client.get(reverse("workshops:followup-edit", args=[item.pk])).context["form"]
    assert inactive in form.fields["partner"].queryset  # kept while it is chosen
    with pytest.raises(ValidationError):
        services.follow_up_save(
            follow_up=FollowUp(
                meeting=lokmin,
                activity="x",
                responsible="y",
                due_on=lokmin.held_on,
                partner=other_kecamatan,
            ),
            by=lokmin.created_by,
        )


def test_editing_an_rtl_item_keeps_a_status_recorded_meanwhile(head_client, lokmin):
    item = FollowUpFactory(meeting=lokmin)
    form_data = _rtl(activity="Kelas ibu hamil diperluas")
    FollowUp.objects.filter(pk=item.pk).update(status="in_progress")  # part C's page, meanwhile
    stale = FollowUp.objects.get(pk=item.pk)
    stale.status = "planned"
    stale.activity = "Kelas ibu hamil diperluas"
    services.follow_up_save(follow_up=stale, by=lokmin.created_by, version=stale.version)
    item.refresh_from_db()
    assert (item.activity, item.status) == ("Kelas ibu hamil diperluas", "in_progress")
    form_data["version"] = item.version
    response = head_client.post(reverse("workshops:followup-edit", args=[item.pk]), form_data)
    assert response.status_code == 302


def test_an_rtl_item_already_followed_up_is_not_deleted(head_client, lokmin):
    planned, started = FollowUpFactory.create_batch(2, meeting=lokmin)
    FollowUp.objects.filter(pk=started.pk).update(status="in_progress")
    head_client.post(reverse("workshops:followup-delete", args=[planned.pk]))
    response = head_client.post(
        reverse("workshops:followup-delete", args=[started.pk]), follow=True
    )
    assert list(FollowUp.objects.values_list("pk", flat=True)) == [started.pk]
    assert "already being followed up" in str(list(response.context["messages"])[-1])


def test_district_planner_cannot_add_rtl_to_a_lokmin_but_other_areas_get_404(
    planner_client, lokmin, other_district_user, client
):
    item = FollowUpFactory(meeting=lokmin)
    assert planner_client.get(reverse("workshops:meeting-rtl", args=[lokmin.pk])).status_code == 200
    url = reverse("workshops:followup-create", args=[lokmin.pk])
    assert planner_client.post(url, _rtl()).status_code == 403
    assert (
        planner_client.post(reverse("workshops:followup-delete", args=[item.pk])).status_code == 403
    )
    client.force_login(other_district_user)
    assert client.get(reverse("workshops:meeting-rtl", args=[lokmin.pk])).status_code == 404
    assert (
        client.post(reverse("workshops:followup-edit", args=[item.pk]), _rtl()).status_code == 404
    )
    assert FollowUp.objects.count() == 1


def test_closed_meeting_refuses_rtl_changes(head_client, lokmin):
    item = FollowUpFactory(meeting=lokmin)
    Meeting.objects.filter(pk=lokmin.pk).update(status=Meeting.Status.CLOSED)
    response = head_client.post(
        reverse("workshops:followup-edit", args=[item.pk]), _rtl(activity="changed"), follow=True
    )
    assert "closed" in str(list(response.context["messages"])[0])
    head_client.post(reverse("workshops:followup-delete", args=[item.pk]))
    item.refresh_from_db()
    assert item.activity != "changed"


def test_rtl_exports_in_the_rtl_column_layout_and_prints(head_client, lokmin):
    problem = ProblemFactory(meeting=lokmin, statement="Kematian ibu")
    FollowUpFactory(meeting=lokmin, problem=problem, cost_idr=1500000, funding_source="bok")
    url = reverse("workshops:meeting-rtl", args=[lokmin.pk])
    sheet = load_workbook(io.BytesIO(head_client.get(url, {"format": "xlsx"}).content)).active
    rows = list(sheet.values)
    assert rows[0] == (
        "Problem",
        "Root cause",
        "Activity",
        "Goal",
        "Target group",
        "Target to reach",
        "Due date",
        "Person responsible",
        "Related sector",
        "Partner organisation",
        "Cost (Rp)",
        "Funding source",
        "Success indicator",
        "Status",
    )
    assert rows[1][0] == "Kematian ibu" and rows[1][10] == 1500000
    page = head_client.get(reverse("workshops:meeting-rtl-print", args=[lokmin.pk]))
    assert page.status_code == 200 and "Kematian ibu" in page.content.decode()


def test_rtl_pdf(head_client, lokmin):
    FollowUpFactory(meeting=lokmin)
    url = reverse("workshops:meeting-rtl-print", args=[lokmin.pk])
    response = download_export(head_client, url, query={"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert content_of(response).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("url_name", "factory"),
    [
        ("workshops:meeting-rtl", FollowUpFactory),
        ("workshops:meeting-commitments", CommitmentFactory),
        ("workshops:meeting-proposals", ProposalFactory),
    ],
)
def test_list_queries_do_not_grow(head_client, lokmin, world, url_name, factory):
    url = reverse(url_name, args=[lokmin.pk])
    extra = {} if factory is ProposalFactory else {"partner": world["hsu"]["partner"]}
    factory.create_batch(2, meeting=lokmin, **extra)
    with CaptureQueriesContext(connection) as few:
        head_client.get(url)
    factory.create_batch(10, meeting=lokmin, **extra)
    with CaptureQueriesContext(connection) as many:
        head_client.get(url)
    assert len(many) == len(few)


# --- Commitments ----------------------------------------------------------------------------------


def test_a_partner_fills_the_party_and_sector_of_a_commitment(head_client, lokmin, world):
    partner = PartnerFactory(
        district=world["hsu"]["district"], name="Koramil Danau Panggang", sector="military"
    )
    url = reverse("workshops:commitment-create", args=[lokmin.pk])
    data = {
        "partner": partner.pk,
        "description": "Mendampingi rujukan ibu hamil risiko tinggi",
        "due_on": "2026-09-30",
        "signatory_name": "Kapten Inf. Rahmat",
        "signatory_position": "Danramil",
    }
    assert head_client.post(url, data).status_code == 302
    free = {
        "party": "TP-PKK Kecamatan",
        "description": "Menggerakkan kader",
        "due_on": "2026-08-01",
    }
    assert head_client.post(url, free).status_code == 302
    saved = {c.party: c for c in Commitment.objects.all()}
    assert saved["Koramil Danau Panggang"].sector == "military"
    assert saved["TP-PKK Kecamatan"].partner is None
    page = head_client.get(reverse("workshops:meeting-commitments", args=[lokmin.pk]))
    text = page.content.decode()
    assert text.index("Koramil Danau Panggang") < text.index("TP-PKK Kecamatan")  # grouped by party


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"description": "x", "due_on": "2026-08-01"}, "party"),
        ({"party": "KUA", "description": "x", "due_on": "2026-05-01"}, "due_on"),
        ({"party": "KUA", "due_on": "2026-08-01"}, "description"),
    ],
)
def test_bad_commitment_input_saves_nothing(head_client, lokmin, data, field):
    response = head_client.post(reverse("workshops:commitment-create", args=[lokmin.pk]), data)
    assert response.status_code == 200
    assert field in _errors(response)
    assert not Commitment.objects.exists()


def test_a_partner_of_another_district_is_refused_for_a_commitment(lokmin, puskesmas_head, world):
    item = Commitment(
        meeting=lokmin,
        partner=world["banjarmasin"]["partner"],
        description="x",
        due_on=lokmin.held_on,
    )
    with pytest.raises(ValidationError) as error:
        services.commitment_save(commitment=item, by=puskesmas_head)
    assert "partner" in error.value.message_dict
    assert not Commitment.objects.exists()


def test_commitments_export_and_delete(head_client, lokmin):
    kept, gone = CommitmentFactory.create_batch(2, meeting=lokmin)
    head_client.post(reverse("workshops:commitment-delete", args=[gone.pk]))
    url = reverse("workshops:meeting-commitments", args=[lokmin.pk])
    rows = list(
        load_workbook(io.BytesIO(head_client.get(url, {"format": "xlsx"}).content)).active.values
    )
    assert rows[0][:4] == ("Party", "Partner organisation", "Sector", "Commitment")
    assert [r[0] for r in rows[1:]] == [kept.party]


# --- Musrenbang proposals -------------------------------------------------------------------------


def test_a_lokmin_proposes_to_its_own_kecamatan(head_client, lokmin, world):
    village = world["hsu"]["villages"][1]
    url = reverse("workshops:proposal-create", args=[lokmin.pk])
    assert "subdistrict" not in head_client.get(url).context["form"].fields
    response = head_client.post(
        url,
        {
            "subdistrict": SubdistrictFactory(district=world["hsu"]["district"]).pk,  # ignored
            "village": village.pk,
            "title": "Rumah tunggu kelahiran",
            "estimated_cost_idr": "150000000",
            "priority": "1",
        },
    )
    assert response.status_code == 302
    proposal = MusrenbangProposal.objects.get()
    assert (proposal.subdistrict, proposal.village) == (world["hsu"]["subdistrict"], village)


def test_a_district_forum_chooses_among_the_district_kecamatan(planner_client, forum, world):
    other = SubdistrictFactory(district=world["hsu"]["district"])
    desa = VillageFactory(subdistrict=other)
    url = reverse("workshops:proposal-create", args=[forum.pk])
    offered = set(planner_client.get(url).context["form"].fields["subdistrict"].queryset)
    assert offered == {world["hsu"]["subdistrict"], other}
    bad = {
        "subdistrict": world["hsu"]["subdistrict"].pk,
        "village": desa.pk,
        "title": "x",
        "priority": 1,
    }
    response = planner_client.post(url, bad)
    assert "village" in _errors(response)
    good = {**bad, "subdistrict": other.pk}
    assert planner_client.post(url, good).status_code == 302
    assert MusrenbangProposal.objects.get().subdistrict == other


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"estimated_cost_idr": "-100"}, "estimated_cost_idr"), ({"priority": "0"}, "priority")],
)
def test_bad_proposal_input_saves_nothing(head_client, lokmin, changes, field):
    data = {"title": "Posyandu remaja", "priority": "1", **changes}
    response = head_client.post(reverse("workshops:proposal-create", args=[lokmin.pk]), data)
    assert field in _errors(response)
    assert not MusrenbangProposal.objects.exists()


def test_a_kecamatan_of_another_district_is_refused(forum, district_user, world):
    item = MusrenbangProposal(
        meeting=forum, subdistrict=world["banjarmasin"]["subdistrict"], title="x"
    )
    with pytest.raises(ValidationError) as error:
        services.proposal_save(proposal=item, by=district_user)
    assert "subdistrict" in error.value.message_dict


def test_a_proposal_with_a_recorded_outcome_is_frozen(head_client, lokmin):
    proposal = ProposalFactory(meeting=lokmin)
    MusrenbangProposal.objects.filter(pk=proposal.pk).update(outcome="funded")
    response = head_client.post(
        reverse("workshops:proposal-edit", args=[proposal.pk]), {"title": "changed", "priority": 1}
    )
    assert "outcome is recorded" in str(response.context["form"].non_field_errors())
    head_client.post(reverse("workshops:proposal-delete", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.title != "changed"


def test_proposals_export(head_client, lokmin):
    ProposalFactory(meeting=lokmin, estimated_cost_idr=2000000, priority=2)
    url = reverse("workshops:meeting-proposals", args=[lokmin.pk])
    rows = list(
        load_workbook(io.BytesIO(head_client.get(url, {"format": "xlsx"}).content)).active.values
    )
    assert rows[0][0] == "Kecamatan" and rows[1][1] == 2 and rows[1][7] == 2000000


def test_partner_sector_choices_match_the_participant_sectors():
    """A partner's sector is a valid related sector of an RTL item (filled from it)."""
    sectors = {value for value, _label in FollowUp._meta.get_field("sector").choices}
    assert set(PartnerOrganisation.Sector.values) <= sectors


def test_a_garbled_prefill_is_ignored(head_client, lokmin):
    url = reverse("workshops:followup-create", args=[lokmin.pk])
    response = head_client.get(url, {"root_cause": "abc", "problem": "1 OR 1=1"})
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert (initial["root_cause"], initial["problem"]) == (None, None)
