"""District views: the follow-up board, commitments by partner, Musrenbang proposals by kecamatan
and recording a proposal's outcome (issue #6, item 4)."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from workshops.models import Meeting, MusrenbangProposal
from workshops.selectors import BoardFilters, followup_board
from workshops.services import proposal_outcome_save

from ..factories import (
    CommitmentFactory,
    FollowUpFactory,
    MeetingFactory,
    PartnerFactory,
    ProposalFactory,
    PuskesmasFactory,
    SubdistrictFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BOARD = reverse("workshops:followup-board")
PARTNERS = reverse("workshops:commitment-partners")
PROPOSALS = reverse("workshops:proposal-board")
TODAY = timezone.localdate()
PAST = TODAY - datetime.timedelta(days=10)
FUTURE = TODAY + datetime.timedelta(days=30)


def _texts(response) -> list[str]:
    return [row["item_text"] for row in response.context["rows"]]


def _sheet(response, index: int = 0) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.worksheets[index].iter_rows(values_only=True))


@pytest.fixture
def other_lokmin(world, other_district_user):
    """A lokmin of the Kota Banjarmasin puskesmas, with one RTL item and one commitment."""
    meeting = MeetingFactory(puskesmas=world["banjarmasin"]["puskesmas"], title="Banjarmasin")
    FollowUpFactory(meeting=meeting, activity="Banjarmasin RTL")
    CommitmentFactory(meeting=meeting, description="Banjarmasin commitment")
    return meeting


# --- Follow-up board ----------------------------------------------------------------------------


def test_district_planner_sees_every_item_of_the_district_and_nothing_else(
    client, world, district_user, lokmin, forum, other_lokmin
):
    item = FollowUpFactory(meeting=lokmin, activity="Kunjungan rumah ibu hamil")
    promise = CommitmentFactory(meeting=lokmin, description="Babinsa mendampingi kunjungan")
    CommitmentFactory(meeting=forum, party="Dinsos", description="Memadankan data PBI")
    client.force_login(district_user)
    response = client.get(BOARD)
    assert response.status_code == 200
    assert sorted(_texts(response)) == [
        "Babinsa mendampingi kunjungan",
        "Kunjungan rumah ibu hamil",
        "Memadankan data PBI",
    ]
    html = response.content.decode()
    assert reverse("workshops:meeting-detail", kwargs={"pk": lokmin.pk}) in html
    assert reverse("workshops:meeting-detail", kwargs={"pk": forum.pk}) in html
    assert reverse("workshops:followup-status", kwargs={"pk": item.pk}) in html
    assert reverse("workshops:commitment-status", kwargs={"pk": promise.pk}) in html
    assert response.context["counts"]["total"] == 3


def test_puskesmas_head_sees_only_the_items_of_their_own_puskesmas(
    client, world, puskesmas_head, lokmin, forum, district_user
):
    neighbour = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
    FollowUpFactory(meeting=lokmin, activity="Ours")
    FollowUpFactory(meeting=MeetingFactory(puskesmas=neighbour), activity="Neighbour's")
    CommitmentFactory(meeting=forum, description="The district's")
    client.force_login(puskesmas_head)
    response = client.get(BOARD)
    assert _texts(response) == ["Ours"]
    assert "puskesmas" not in response.context["form"].fields  # one puskesmas: no filter


def test_province_reviewer_sees_all_their_districts_but_not_another_province(
    client, world, province_user, lokmin, other_lokmin
):
    FollowUpFactory(meeting=lokmin, activity="Hulu Sungai Utara RTL")
    bontang = MeetingFactory(puskesmas=world["bontang"]["puskesmas"])
    FollowUpFactory(meeting=bontang, activity="Bontang RTL")
    client.force_login(province_user)
    texts = _texts(client.get(BOARD))
    assert sorted(texts) == ["Banjarmasin RTL", "Banjarmasin commitment", "Hulu Sungai Utara RTL"]


def test_board_filters_by_type_status_overdue_partner_kind_puskesmas_and_year(
    client, world, district_user, lokmin, forum
):
    partner = world["hsu"]["partner"]
    Meeting.objects.filter(pk__in=[lokmin.pk, forum.pk]).update(held_on=TODAY)
    late = FollowUpFactory(meeting=lokmin, activity="Late", due_on=PAST, status="in_progress")
    FollowUpFactory(meeting=lokmin, activity="Done", due_on=PAST, status="done")
    FollowUpFactory(meeting=lokmin, activity="With partner", due_on=FUTURE, partner=partner)
    CommitmentFactory(meeting=forum, description="Forum", due_on=FUTURE, partner=partner)
    old = MeetingFactory(puskesmas=lokmin.puskesmas, held_on=datetime.date(TODAY.year - 1, 3, 1))
    CommitmentFactory(meeting=old, description="Last year", due_on=PAST)
    client.force_login(district_user)

    def texts(query: str) -> list[str]:
        return sorted(_texts(client.get(f"{BOARD}?{query}")))

    assert texts("type=commitment") == ["Forum", "Last year"]
    assert texts("type=rtl&status=done") == ["Done"]
    assert texts("overdue=on") == ["Last year", "Late"]
    assert texts(f"partner={partner.pk}") == ["Forum", "With partner"]
    assert texts("partner=none&type=rtl") == ["Done", "Late"]
    assert texts("kind=district_forum") == ["Forum"]
    assert texts(f"puskesmas={lokmin.puskesmas_id}") == [
        "Done",
        "Last year",
        "Late",
        "With partner",
    ]
    assert texts(f"year={TODAY.year - 1}") == ["Last year"]
    response = client.get(f"{BOARD}?overdue=on")
    assert response.context["rows"][0]["is_late"]
    assert late.activity in response.content.decode()


def test_board_counts_each_status_and_overdue_under_the_other_filters(
    client, world, district_user, lokmin
):
    FollowUpFactory(meeting=lokmin, due_on=PAST)  # planned and overdue
    FollowUpFactory(meeting=lokmin, due_on=FUTURE, status="in_progress")
    FollowUpFactory(meeting=lokmin, due_on=PAST, status="dropped")
    CommitmentFactory(meeting=lokmin, due_on=PAST, status="done")
    client.force_login(district_user)
    counts = client.get(f"{BOARD}?status=done").context["counts"]
    assert counts == {
        "planned": 1,
        "in_progress": 1,
        "done": 1,
        "dropped": 1,
        "overdue": 1,
        "overdue_planned": 1,
        "overdue_in_progress": 0,
        "total": 4,
    }
    assert client.get(f"{BOARD}?type=rtl").context["counts"]["total"] == 3


@pytest.mark.parametrize(
    "query",
    [
        "",
        "type=rtl",
        "type=commitment",
        "status=planned",
        "status=done",
        "overdue=on",
        "status=planned&overdue=on",
        "status=in_progress&overdue=on",
        "status=done&overdue=on",
        "type=commitment&status=planned&overdue=on",
    ],
)
def test_board_pages_count_what_the_filters_list(client, world, district_user, lokmin, query):
    FollowUpFactory.create_batch(30, meeting=lokmin, due_on=PAST)
    FollowUpFactory.create_batch(25, meeting=lokmin, due_on=PAST, status="in_progress")
    FollowUpFactory.create_batch(5, meeting=lokmin, due_on=PAST, status="done")
    CommitmentFactory.create_batch(30, meeting=lokmin, due_on=FUTURE)
    CommitmentFactory.create_batch(20, meeting=lokmin, due_on=PAST)
    client.force_login(district_user)
    first = client.get(f"{BOARD}?{query}")
    paginator = first.context["page_obj"].paginator
    listed = list(first.context["rows"])
    for number in range(2, paginator.num_pages + 1):
        listed += client.get(f"{BOARD}?{query}&page={number}").context["rows"]
    assert paginator.count == len(listed)
    assert len({(row["item_type"], row["pk"]) for row in listed}) == len(listed)


def test_board_rows_count_themselves_without_the_status_counts(world, district_user, lokmin):
    FollowUpFactory.create_batch(3, meeting=lokmin, due_on=PAST)
    FollowUpFactory(meeting=lokmin, due_on=PAST, status="done")
    CommitmentFactory.create_batch(2, meeting=lokmin, due_on=PAST, status="in_progress")
    for filters, expected in (
        (BoardFilters(), 6),
        (BoardFilters(overdue=True), 5),
        (BoardFilters(status="planned", overdue=True), 3),
        (BoardFilters(item_type="commitment", status="in_progress"), 2),
    ):
        rows = followup_board(user=district_user, filters=filters)
        assert rows.count() == expected == len(list(rows))


def test_board_pages_follow_due_date_then_kind_then_id(client, world, district_user, lokmin):
    for days in (3, 1, 2) * 20:
        FollowUpFactory(meeting=lokmin, due_on=TODAY + datetime.timedelta(days=days))
        CommitmentFactory(meeting=lokmin, due_on=TODAY + datetime.timedelta(days=days))
    client.force_login(district_user)
    rows = []
    for number in (1, 2, 3):
        rows += client.get(f"{BOARD}?page={number}").context["rows"]
    keys = [(row["due_on"], row["item_type"], row["pk"]) for row in rows]
    assert len(keys) == 120 and keys == sorted(keys)
    assert rows[0]["item_type"] == "commitment" and rows[0]["meeting_title"] == lokmin.title
    assert rows[-1]["item_type"] == "rtl"


def test_board_ignores_filter_values_that_are_not_choices(client, world, district_user, lokmin):
    FollowUpFactory(meeting=lokmin, activity="Shown")
    client.force_login(district_user)
    other_partner = PartnerFactory(district=world["banjarmasin"]["district"])
    query = f"status=bogus&partner={other_partner.pk}&year=1800&puskesmas=x&kind=party&type=all"
    response = client.get(f"{BOARD}?{query}")
    assert response.status_code == 200
    assert _texts(response) == ["Shown"]


def test_board_exports_the_filtered_rows_to_xlsx(client, world, district_user, lokmin):
    FollowUpFactory(meeting=lokmin, activity="Kunjungan rumah", responsible="Bidan desa")
    CommitmentFactory(meeting=lokmin, description="Not exported")
    client.force_login(district_user)
    response = client.get(f"{BOARD}?type=rtl&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, *rows = _sheet(response)
    assert len(rows) == 1
    assert "Kunjungan rumah" in rows[0] and "Bidan desa" in rows[0]
    assert lokmin.puskesmas.name in rows[0]


def test_board_export_has_a_bold_frozen_header_widths_and_real_dates(
    client, world, district_user, lokmin
):
    activity = "Kunjungan rumah ibu hamil risiko tinggi bersama bidan desa"
    FollowUpFactory(meeting=lokmin, activity=activity, due_on=FUTURE)
    client.force_login(district_user)
    workbook = load_workbook(io.BytesIO(client.get(f"{BOARD}?format=xlsx").content))
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1]) and not sheet["B2"].font.bold
    assert sheet.column_dimensions["B"].width == len(activity) + 2
    assert sheet["J2"].value.date() == FUTURE and sheet["J2"].is_date


def test_board_paginates_fifty_rows_a_page(client, world, district_user, lokmin):
    FollowUpFactory.create_batch(40, meeting=lokmin)
    CommitmentFactory.create_batch(20, meeting=lokmin)
    client.force_login(district_user)
    assert len(client.get(BOARD).context["rows"]) == 50
    assert len(client.get(f"{BOARD}?page=2").context["rows"]) == 10


def test_board_queries_do_not_grow_with_the_items(client, world, district_user, lokmin, forum):
    client.force_login(district_user)
    for meeting in (lokmin, forum):
        FollowUpFactory(meeting=meeting)
        CommitmentFactory(meeting=meeting, partner=world["hsu"]["partner"])
    with CaptureQueriesContext(connection) as few:
        client.get(BOARD)
    for meeting in (lokmin, forum):
        FollowUpFactory.create_batch(10, meeting=meeting, partner=world["hsu"]["partner"])
        CommitmentFactory.create_batch(10, meeting=meeting)
    with CaptureQueriesContext(connection) as many:
        client.get(BOARD)
    assert len(many) == len(few)


# --- Commitments by partner ---------------------------------------------------------------------


def test_partner_table_counts_commitments_and_rtl_per_partner_and_status(
    client, world, district_user, lokmin, forum, other_lokmin
):
    dinsos = world["hsu"]["partner"]
    polsek = PartnerFactory(district=lokmin.district, name="Polsek Danau Panggang")
    CommitmentFactory(meeting=forum, partner=dinsos, due_on=PAST)  # planned, overdue
    CommitmentFactory(meeting=forum, partner=dinsos, due_on=PAST, status="done")
    CommitmentFactory(meeting=lokmin, partner=polsek, due_on=FUTURE, status="in_progress")
    FollowUpFactory(meeting=lokmin, partner=polsek, due_on=FUTURE)
    FollowUpFactory(meeting=lokmin, due_on=PAST, status="dropped")
    client.force_login(district_user)
    response = client.get(PARTNERS)
    tables = {key: table for key, _title, table in response.context["tables"]}
    by_name = {row["partner__name"]: row for row in tables["commitment"].rows}
    assert set(by_name) == {dinsos.name, polsek.name}  # Banjarmasin's are not counted
    assert (by_name[dinsos.name]["planned"], by_name[dinsos.name]["done"]) == (1, 1)
    assert (by_name[dinsos.name]["overdue"], by_name[dinsos.name]["total"]) == (1, 2)
    assert by_name[polsek.name]["in_progress"] == 1
    assert tables["commitment"].total["total"] == 3
    rtl = {row["partner_id"]: row for row in tables["rtl"].rows}
    assert rtl[polsek.pk]["planned"] == 1 and rtl[None]["dropped"] == 1
    html = response.content.decode()
    assert f"?type=commitment&amp;partner={dinsos.pk}&amp;overdue=on" in html
    assert f"?type=commitment&amp;partner={dinsos.pk}&amp;status=done" in html
    assert "?type=rtl&amp;partner=none&amp;status=dropped" in html


def test_partner_table_lists_partners_by_district_kecamatan_and_name_then_no_partner(
    client, world, district_user, lokmin
):
    district = lokmin.district
    kecamatan = world["hsu"]["subdistrict"]
    partners = [
        PartnerFactory(district=district, name="Polsek", subdistrict=kecamatan),
        PartnerFactory(district=district, name="Dinsos"),
        PartnerFactory(district=district, name="Camat", subdistrict=kecamatan),
        PartnerFactory(district=district, name="Bappeda"),
    ]
    CommitmentFactory(meeting=lokmin)
    for partner in partners:
        CommitmentFactory(meeting=lokmin, partner=partner)
    client.force_login(district_user)
    table = client.get(PARTNERS).context["tables"][0][2]
    listed = [row["partner__name"] for row in table.rows]
    # District-level partners (no kecamatan) first, then by kecamatan; items without a partner last.
    assert listed == ["Bappeda", "Dinsos", "Camat", "Polsek", None]
    camat = table.rows[2]
    assert camat["partner__subdistrict__name"] == kecamatan.name
    assert camat["partner__district__name"] == district.name and camat["total"] == 1


def test_partner_table_filters_by_the_year_of_the_meeting(client, world, district_user, forum):
    Meeting.objects.filter(pk=forum.pk).update(held_on=TODAY)
    old = MeetingFactory(
        kind="district_forum",
        puskesmas=None,
        district=forum.district,
        held_on=datetime.date(TODAY.year - 1, 6, 1),
    )
    CommitmentFactory(meeting=forum, partner=world["hsu"]["partner"])
    CommitmentFactory(meeting=old, partner=world["hsu"]["partner"])
    client.force_login(district_user)
    response = client.get(f"{PARTNERS}?year={TODAY.year - 1}")
    commitments = response.context["tables"][0][2]
    assert commitments.total["total"] == 1
    assert f"year={TODAY.year - 1}" in response.content.decode()


def test_province_reviewer_sees_partners_by_district(client, world, province_user, forum):
    CommitmentFactory(meeting=forum, partner=world["hsu"]["partner"])
    client.force_login(province_user)
    response = client.get(PARTNERS)
    assert response.context["show_district"]
    assert world["hsu"]["district"].name in response.content.decode()


def test_partner_table_exports_both_tables_to_xlsx(client, world, district_user, lokmin):
    CommitmentFactory(meeting=lokmin, partner=world["hsu"]["partner"], status="done")
    FollowUpFactory(meeting=lokmin)
    client.force_login(district_user)
    response = client.get(f"{PARTNERS}?format=xlsx")
    commitments, rtl = _sheet(response, 0), _sheet(response, 1)
    assert commitments[1][0] == world["hsu"]["partner"].name
    assert commitments[1][2:] == (0, 0, 1, 0, 0, 1)
    assert rtl[-1][-1] == 1  # the total row


def test_partner_table_makes_one_query_per_table(client, world, district_user, lokmin, forum):
    client.force_login(district_user)
    CommitmentFactory(meeting=forum, partner=world["hsu"]["partner"])
    with CaptureQueriesContext(connection) as few:
        client.get(PARTNERS)
    for _ in range(5):
        partner = PartnerFactory(district=forum.district)
        CommitmentFactory.create_batch(2, meeting=forum, partner=partner)
        FollowUpFactory.create_batch(2, meeting=lokmin, partner=partner)
    with CaptureQueriesContext(connection) as many:
        client.get(PARTNERS)
    assert len(many) == len(few)


# --- Musrenbang proposals by kecamatan ----------------------------------------------------------


def test_proposals_are_grouped_by_kecamatan_with_totals_per_outcome(
    client, world, district_user, lokmin, forum, other_lokmin
):
    second = SubdistrictFactory(district=world["hsu"]["district"], name="Paminggir")
    ProposalFactory(meeting=lokmin, estimated_cost_idr=100_000_000)
    ProposalFactory(
        meeting=lokmin,
        estimated_cost_idr=40_000_000,
        outcome="funded",
        funding_source="dana_desa",
        budget_year=lokmin.held_on.year + 1,
    )
    ProposalFactory(meeting=forum, subdistrict=second, outcome="rejected", estimated_cost_idr=5)
    ProposalFactory(meeting=other_lokmin, title="Banjarmasin proposal")
    client.force_login(district_user)
    response = client.get(PROPOSALS)
    totals = {row["subdistrict__name"]: row for row in response.context["totals"]}
    assert set(totals) == {world["hsu"]["subdistrict"].name, "Paminggir"}
    ours = totals[world["hsu"]["subdistrict"].name]
    assert (ours["pending"], ours["funded"], ours["total"]) == (1, 1, 2)
    assert (ours["estimated_idr"], ours["funded_idr"]) == (140_000_000, 40_000_000)
    grand = response.context["grand_total"]
    assert (grand["total"], grand["rejected"], grand["estimated_idr"]) == (3, 1, 140_000_005)
    html = response.content.decode()
    assert "Banjarmasin proposal" not in html
    assert "Dana Desa" in html


def test_proposals_filter_by_year_outcome_and_kecamatan(client, world, district_user, lokmin):
    Meeting.objects.filter(pk=lokmin.pk).update(held_on=TODAY)
    old = MeetingFactory(puskesmas=lokmin.puskesmas, held_on=datetime.date(TODAY.year - 1, 5, 2))
    ProposalFactory(meeting=lokmin, title="This year")
    ProposalFactory(meeting=old, title="Last year", outcome="accepted")
    client.force_login(district_user)

    def titles(query: str) -> list[str]:
        return sorted(p.title for p in client.get(f"{PROPOSALS}?{query}").context["rows"])

    assert titles(f"year={TODAY.year - 1}") == ["Last year"]
    assert titles("outcome=pending") == ["This year"]
    assert titles(f"subdistrict={world['hsu']['subdistrict'].pk}") == ["Last year", "This year"]
    other = world["banjarmasin"]["subdistrict"].pk
    assert titles(f"subdistrict={other}") == ["Last year", "This year"]  # not a choice: ignored


def test_proposal_board_exports_proposals_and_totals(client, world, district_user, lokmin):
    ProposalFactory(meeting=lokmin, title="Ambulans air", estimated_cost_idr=120_000_000)
    client.force_login(district_user)
    response = client.get(f"{PROPOSALS}?format=xlsx")
    proposals, totals = _sheet(response, 0), _sheet(response, 1)
    assert proposals[1][4] == "Ambulans air" and proposals[1][7] == 120_000_000
    assert totals[1][1] == world["hsu"]["subdistrict"].name
    assert totals[-1][-2:] == (120_000_000, 0)


def test_proposal_board_queries_do_not_grow(client, world, district_user, lokmin, forum):
    client.force_login(district_user)
    ProposalFactory(meeting=lokmin)
    with CaptureQueriesContext(connection) as few:
        client.get(PROPOSALS)
    ProposalFactory.create_batch(10, meeting=lokmin, village=world["hsu"]["villages"][0])
    ProposalFactory.create_batch(5, meeting=forum, subdistrict=world["hsu"]["subdistrict"])
    with CaptureQueriesContext(connection) as many:
        client.get(PROPOSALS)
    assert len(many) == len(few)


# --- Recording a proposal's outcome -------------------------------------------------------------


def _outcome_url(proposal) -> str:
    return reverse("workshops:proposal-outcome", kwargs={"pk": proposal.pk})


def test_district_planner_records_a_funded_outcome(client, world, district_user, lokmin):
    proposal = ProposalFactory(meeting=lokmin)
    client.force_login(district_user)
    response = client.post(
        _outcome_url(proposal),
        {
            "outcome": "funded",
            "funding_source": "dana_desa",
            "budget_year": lokmin.held_on.year + 1,
            "note": "Masuk APBDes",
        },
    )
    assert response.status_code == 302 and response["Location"] == PROPOSALS
    proposal.refresh_from_db()
    assert (proposal.outcome, proposal.funding_source) == ("funded", "dana_desa")
    assert proposal.budget_year == lokmin.held_on.year + 1
    assert proposal.outcome_note == "Masuk APBDes"
    assert proposal.outcome_by == district_user and proposal.outcome_at is not None


def test_puskesmas_head_records_the_outcome_of_their_own_proposal(
    client, world, puskesmas_head, lokmin
):
    proposal = ProposalFactory(meeting=lokmin)
    client.force_login(puskesmas_head)
    next_url = reverse("workshops:meeting-proposals", kwargs={"pk": lokmin.pk})
    response = client.post(
        f"{_outcome_url(proposal)}?next={next_url}", {"outcome": "rejected", "note": "Bukan"}
    )
    assert response["Location"] == next_url
    proposal.refresh_from_db()
    assert proposal.outcome == "rejected" and proposal.outcome_by == puskesmas_head


def test_outcome_form_never_redirects_to_another_site(client, world, district_user, lokmin):
    proposal = ProposalFactory(meeting=lokmin)
    client.force_login(district_user)
    response = client.post(
        f"{_outcome_url(proposal)}?next=https://evil.example/", {"outcome": "accepted"}
    )
    assert response["Location"] == PROPOSALS


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"outcome": "funded", "budget_year": "2027"}, "funding_source", "funding source"),
        ({"outcome": "funded", "funding_source": "apbd"}, "budget_year", "budget year"),
        ({"outcome": "rejected", "funding_source": "apbd"}, "funding_source", "Only a funded"),
        ({"outcome": "accepted", "budget_year": "2040"}, "budget_year", "between"),
        ({"outcome": "pending", "budget_year": "2027"}, "budget_year", "waiting"),
        ({"outcome": "won"}, "outcome", "valid choice"),
        ({"outcome": "funded", "funding_source": "lottery"}, "funding_source", "valid choice"),
    ],
)
def test_bad_outcome_input_gets_a_clear_message_and_saves_nothing(
    client, world, district_user, lokmin, data, field, message
):
    proposal = ProposalFactory(meeting=lokmin)
    client.force_login(district_user)
    client.cookies["django_language"] = "en"
    response = client.post(_outcome_url(proposal), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    fresh = MusrenbangProposal.objects.get(pk=proposal.pk)
    assert (fresh.outcome, fresh.funding_source, fresh.outcome_at) == ("pending", "", None)


def test_province_reviewer_may_read_but_not_record_an_outcome(client, world, province_user, lokmin):
    proposal = ProposalFactory(meeting=lokmin)
    client.force_login(province_user)
    assert client.get(PROPOSALS).context["rows"][0].can_record is False
    assert client.get(_outcome_url(proposal)).status_code == 403
    assert client.post(_outcome_url(proposal), {"outcome": "accepted"}).status_code == 403
    assert MusrenbangProposal.objects.get(pk=proposal.pk).outcome == "pending"
    with pytest.raises(PermissionDenied):
        proposal_outcome_save(proposal=proposal, outcome="accepted", by=province_user)


def test_another_puskesmas_and_another_district_get_404(client, world, lokmin, other_district_user):
    proposal = ProposalFactory(meeting=lokmin)
    neighbour = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
    neighbour_head = UserFactory(role="puskesmas_head", puskesmas=neighbour)
    for outsider in (neighbour_head, other_district_user):
        client.force_login(outsider)
        assert client.get(_outcome_url(proposal)).status_code == 404
        assert client.post(_outcome_url(proposal), {"outcome": "accepted"}).status_code == 404
    assert MusrenbangProposal.objects.get(pk=proposal.pk).outcome == "pending"
