"""The pages of who does what across agencies: the role matrix (and its .xlsx), role forms, the
links page, roles from a forum, the data requests list (and its .xlsx) and forms; as each role
sees them, with query counts that do not grow with the data."""

import io
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cycle.models import DataRequest, RoleAssignment
from cycle.services.roles import data_request_advance, role_links_set

from ..factories import CommitmentFactory
from .roles_world import (
    TODAY,
    YEAR,
    days,
    make_request,
    make_role,
    roles_world_fixture,  # noqa: F401  (the `roles_world` fixture)
    service,
)

pytestmark = pytest.mark.django_db


def _url(name, pk, year=YEAR, **params):
    query = "&".join(f"{k}={v}" for k, v in {"year": year, **params}.items())
    return f"{reverse(name, args=[pk])}?{query}"


def _sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def matrix(roles_world, district_user):
    w = roles_world
    role = make_role(w["district"], district_user, partner=w["dinsos"], meeting=w["forum"])
    role_links_set(
        role=role,
        commitment_ids=[w["done"].pk, w["late"].pk],
        follow_up_ids=[w["rtl"].pk],
        by=district_user,
        version=1,
    )
    make_role(w["district"], district_user, number=5, role="delivers", agency="Disdik HSU")
    return role


# --- The matrix --------------------------------------------------------------------------------


def test_the_planner_sees_the_matrix_with_badges_and_the_ways_to_change_it(
    client, district_user, roles_world, matrix
):
    client.force_login(district_user)

    response = client.get(_url("cycle:role-matrix", roles_world["district"].pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="role-') >= 2 and "Dinas Sosial HSU" in page
    assert 'data-state="overdue"' in page and 'data-state="done"' in page
    assert reverse("cycle:role-edit", args=[matrix.pk]) in page
    assert reverse("cycle:role-links", args=[matrix.pk]) in page
    assert reverse("cycle:role-copy", args=[roles_world["district"].pk]) in page
    assert reverse("cycle:role-proposals", args=[roles_world["forum"].pk]) in page
    assert reverse("workshops:commitment-status", args=[roles_world["late"].pk]) in page
    assert 'data-label="' in page  # each role cell names its column on a phone
    assert response.context["matrix"].overdue_count == 1


@pytest.mark.parametrize("who", ["province_user", "puskesmas_head"])
def test_the_province_and_the_puskesmas_read_the_matrix_without_changing_it(
    client, roles_world, matrix, who, request
):
    client.force_login(request.getfixturevalue(who))

    response = client.get(_url("cycle:role-matrix", roles_world["district"].pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Disdik HSU" in page
    assert reverse("cycle:role-edit", args=[matrix.pk]) not in page
    assert reverse("cycle:role-create", args=[roles_world["district"].pk]) not in page
    assert client.get(_url("cycle:role-create", roles_world["district"].pk)).status_code == 403
    assert client.get(reverse("cycle:role-links", args=[matrix.pk])).status_code == 403


def test_an_empty_year_says_what_to_do(client, district_user, roles_world):
    client.force_login(district_user)
    response = client.get(_url("cycle:role-matrix", roles_world["district"].pk, year=YEAR + 1))
    assert 'data-testid="empty"' in response.content.decode()
    assert response.context["matrix"].is_empty


def test_a_year_without_an_edition_or_a_hostile_year_never_fails(
    client, district_user, roles_world
):
    client.force_login(district_user)
    pk = roles_world["district"].pk
    for year in ("2001", "abc", "99999999999999999999", "%00", "-5"):
        response = client.get(f"{reverse('cycle:role-matrix', args=[pk])}?year={year}")
        assert response.status_code in (200, 400), year


def test_the_matrix_exports_one_row_per_role_with_its_items_and_their_status(
    client, district_user, roles_world, matrix
):
    client.force_login(district_user)

    rows = _sheet(client.get(_url("cycle:role-matrix", roles_world["district"].pk, format="xlsx")))

    assert len(rows) == 3  # header + two roles
    header, first, second = rows
    assert first[0] == 1 and first[3] == "Dinas Sosial HSU" and first[5] == "Forum lintas sektor"
    assert "Memadankan DTSEN" in first[6] and "Kader PKK" in first[6]
    assert "Rapat pemadanan data" in first[6] and first[6].count("\n") == 2
    assert (first[7], first[8]) == (1, 1)  # done, overdue
    assert second[0] == 5 and second[3] == "Disdik HSU" and second[6] is None


def test_the_matrix_page_and_export_cost_the_same_queries_with_more_data(
    client, district_user, roles_world, matrix
):
    w = roles_world
    client.force_login(district_user)
    url = _url("cycle:role-matrix", w["district"].pk)
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with CaptureQueriesContext(connection) as few_xlsx:
        client.get(url + "&format=xlsx")
    for number in range(6, 12):
        role = make_role(w["district"], district_user, number=number, role="funds")
        items = CommitmentFactory.create_batch(2, meeting=w["forum"], due_on=days(-number))
        role_links_set(
            role=role, commitment_ids=[c.pk for c in items], follow_up_ids=[],
            by=district_user, version=1,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    with CaptureQueriesContext(connection) as many_xlsx:
        client.get(url + "&format=xlsx")
    assert len(many) == len(few)
    assert len(many_xlsx) == len(few_xlsx)


def test_the_overview_shows_a_province_its_districts_and_sends_a_district_to_its_own(
    client, district_user, province_user, roles_world, matrix, puskesmas_head
):
    client.force_login(province_user)
    response = client.get(f"{reverse('cycle:role-home')}?year={YEAR}")
    page = response.content.decode()
    assert response.status_code == 200
    assert roles_world["district"].name in page and "Kota Bontang" not in page
    assert _sheet(client.get(f"{reverse('cycle:role-home')}?year={YEAR}&format=xlsx"))[1][2] == 2

    for user in (district_user, puskesmas_head):
        client.force_login(user)
        response = client.get(f"{reverse('cycle:role-home')}?year={YEAR}")
        assert response.status_code == 302
        assert response.url == _url("cycle:role-matrix", roles_world["district"].pk)


# --- Role forms --------------------------------------------------------------------------------


def test_a_planner_adds_a_role_from_a_cell_of_the_matrix(client, district_user, roles_world):
    w = roles_world
    client.force_login(district_user)
    url = _url("cycle:role-create", w["district"].pk, service=service(4).pk, role="mobilises")
    form = client.get(url).context["form"]
    assert form.initial["role"] == "mobilises" and form.initial["service"] == str(service(4).pk)
    token = str(uuid.uuid4())
    data = {
        "service": service(4).pk, "role": "mobilises", "partner": w["pkk"].pk, "agency": "",
        "description": "Kader PKK menggerakkan balita ke posyandu", "meeting": w["forum"].pk,
        "form_token": token,
    }  # fmt: skip

    first = client.post(url, data)
    second = client.post(url, data)  # a double click

    assert first.status_code == second.status_code == 302
    assert first.url == _url("cycle:role-matrix", w["district"].pk)
    role = RoleAssignment.objects.get()
    assert (role.partner, role.year, role.meeting) == (w["pkk"], YEAR, w["forum"])


def test_the_role_form_offers_only_the_districts_partners_and_meetings(
    client, district_user, roles_world
):
    w = roles_world
    client.force_login(district_user)
    form = client.get(_url("cycle:role-create", w["district"].pk)).context["form"]
    partners = set(form.fields["partner"].queryset)
    meetings = set(form.fields["meeting"].queryset)
    assert w["dinsos"] in partners and w["other_partner"] not in partners
    assert {w["forum"], w["lokmin"]} <= meetings and w["other_forum"] not in meetings
    assert form.fields["service"].queryset.count() == 12

    response = client.post(
        _url("cycle:role-create", w["district"].pk),
        {"service": service(1).pk, "role": "data", "partner": w["other_partner"].pk,
         "description": "x", "form_token": str(uuid.uuid4())},
    )  # fmt: skip
    assert response.status_code == 200 and "partner" in response.context["form"].errors
    assert not RoleAssignment.objects.exists()


def test_a_stale_role_edit_shows_who_saved_and_keeps_their_work(
    client, district_user, roles_world, matrix
):
    client.force_login(district_user)
    url = reverse("cycle:role-edit", args=[matrix.pk])
    data = {
        "service": matrix.service_id, "role": "data", "partner": matrix.partner_id,
        "description": "Versi saya", "version": 1,
    }  # fmt: skip
    RoleAssignment.objects.filter(pk=matrix.pk).update(version=3, description="Versi mereka")

    response = client.post(url, data)

    assert response.status_code == 200 and response.context["form"].stale is not None
    assert RoleAssignment.objects.get(pk=matrix.pk).description == "Versi mereka"
    data["version"] = 3
    assert client.post(url, data).status_code == 302
    assert RoleAssignment.objects.get(pk=matrix.pk).description == "Versi saya"


def test_a_role_is_deleted_by_post_only(client, district_user, roles_world, matrix):
    client.force_login(district_user)
    url = reverse("cycle:role-delete", args=[matrix.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not RoleAssignment.objects.filter(pk=matrix.pk).exists()


def test_the_links_page_ticks_what_is_linked_and_refuses_another_districts_item(
    client, district_user, roles_world, matrix
):
    w = roles_world
    client.force_login(district_user)
    url = reverse("cycle:role-links", args=[matrix.pk])
    form = client.get(url).context["form"]
    assert set(form.initial["commitments"]) == {w["done"].pk, w["late"].pk}
    assert w["other_commitment"] not in set(form.fields["commitments"].queryset)

    refused = client.post(
        url, {"commitments": [w["done"].pk, w["other_commitment"].pk], "version": 2}
    )
    assert refused.status_code == 200 and "commitments" in refused.context["form"].errors
    assert set(matrix.commitments.all()) == {w["done"], w["late"]}

    saved = client.post(
        url, {"commitments": [w["lokmin_commitment"].pk], "follow_ups": [], "version": 2}
    )
    assert saved.status_code == 302
    assert list(matrix.commitments.all()) == [w["lokmin_commitment"]]
    assert not matrix.follow_ups.exists()


def test_copy_last_year_from_the_matrix(client, district_user, roles_world):
    w = roles_world
    make_role(w["district"], district_user, year=YEAR - 1, agency="Bappeda", role="funds")
    client.force_login(district_user)

    response = client.post(reverse("cycle:role-copy", args=[w["district"].pk]), {"year": YEAR})

    assert response.status_code == 302
    assert response.url == _url("cycle:role-matrix", w["district"].pk)
    assert RoleAssignment.objects.filter(year=YEAR, agency="Bappeda").count() == 1
    again = client.post(
        reverse("cycle:role-copy", args=[w["district"].pk]), {"year": YEAR}, follow=True
    )
    assert RoleAssignment.objects.filter(year=YEAR).count() == 1
    assert list(again.context["messages"])


def test_proposals_page_turns_accepted_commitments_into_roles(client, district_user, roles_world):
    w = roles_world
    client.force_login(district_user)
    url = _url("cycle:role-proposals", w["forum"].pk)
    page = client.get(url)
    assert page.status_code == 200
    rows = page.context["form"].rows
    assert [proposal.agency for proposal, *_ in rows] == [
        "Dinas Sosial HSU", "TP-PKK HSU", "Bappeda HSU"
    ]  # fmt: skip
    done, late = w["done"].pk, w["late"].pk

    missing_service = client.post(
        url, {"year": YEAR, f"c{done}-accept": "on", f"c{done}-role": "data"}
    )
    assert missing_service.status_code == 200 and not RoleAssignment.objects.exists()

    response = client.post(
        url,
        {
            "year": YEAR,
            f"c{done}-accept": "on", f"c{done}-service": service(1).pk, f"c{done}-role": "data",
            f"c{late}-service": service(4).pk, f"c{late}-role": "mobilises",  # not accepted
        },
    )  # fmt: skip

    assert response.status_code == 302
    role = RoleAssignment.objects.get()
    assert (role.partner, role.role, role.meeting) == (w["dinsos"], "data", w["forum"])
    assert list(role.commitments.all()) == [w["done"]]


def test_a_lokmin_of_the_districts_puskesmas_also_proposes_but_a_province_meeting_does_not(
    client, district_user, roles_world, world
):
    from workshops.models import Meeting

    from ..factories import MeetingFactory

    client.force_login(district_user)
    assert client.get(_url("cycle:role-proposals", roles_world["lokmin"].pk)).status_code == 200
    provincial = MeetingFactory(
        kind=Meeting.Kind.PROVINCE_MEETING, puskesmas=None, district=None,
        province=world["kalsel"], created_by=district_user,
    )  # fmt: skip
    assert client.get(_url("cycle:role-proposals", provincial.pk)).status_code == 404


# --- Data requests -----------------------------------------------------------------------------


@pytest.fixture
def requests_(roles_world, district_user):
    w = roles_world
    late = make_request(w["district"], district_user, partner=w["dinsos"], agency="", data="DTSEN")
    late = data_request_advance(
        data_request=late, status="promised", promised_by=days(-2), by=district_user, version=1
    )
    make_request(w["district"], district_user, agency="Disdik HSU", data="Siswa kelas 1")
    return late


def test_the_requests_list_marks_a_passed_promise_and_offers_the_next_step(
    client, district_user, roles_world, requests_
):
    client.force_login(district_user)

    response = client.get(_url("cycle:datarequest-list", roles_world["district"].pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "text-bg-danger" in page and response.context["counts"]["overdue"] == 1
    assert reverse("cycle:datarequest-status", args=[requests_.pk]) in page
    assert reverse("cycle:datarequest-create", args=[roles_world["district"].pk]) in page


def test_the_province_reads_the_requests_without_actions(
    client, province_user, roles_world, requests_
):
    client.force_login(province_user)
    page = client.get(_url("cycle:datarequest-list", roles_world["district"].pk)).content.decode()
    assert "DTSEN" in page
    assert reverse("cycle:datarequest-status", args=[requests_.pk]) not in page
    assert client.get(reverse("cycle:datarequest-status", args=[requests_.pk])).status_code == 403


def test_the_requests_export_holds_the_same_rows_with_dates(
    client, district_user, roles_world, requests_
):
    client.force_login(district_user)
    rows = _sheet(
        client.get(_url("cycle:datarequest-list", roles_world["district"].pk, format="xlsx"))
    )
    assert [row[0] for row in rows[1:]] == ["DTSEN", "Siswa kelas 1"]
    assert rows[1][1] == "Dinas Sosial HSU" and rows[1][5].date() == days(-2)
    assert rows[1][6] == "Ya"  # overdue


def test_the_requests_list_costs_the_same_queries_with_more_requests(
    client, district_user, roles_world, requests_
):
    client.force_login(district_user)
    url = _url("cycle:datarequest-list", roles_world["district"].pk)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(12):
        make_request(
            roles_world["district"], district_user, data=f"Data {n}", partner=roles_world["dinsos"],
            agency="", service=service(n % 12 + 1), meeting=roles_world["forum"],
        )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_a_request_is_added_edited_and_moved_on_through_its_pages(
    client, district_user, roles_world
):
    w = roles_world
    client.force_login(district_user)
    create = _url("cycle:datarequest-create", w["district"].pk)
    data = {
        "partner": w["dinsos"].pk, "agency": "", "data": "DTSEN", "service": service(1).pk,
        "asked_on": days(-10).isoformat(), "meeting": "", "form_token": str(uuid.uuid4()),
    }  # fmt: skip
    assert client.post(create, data).status_code == 302
    assert client.post(create, data).status_code == 302
    request = DataRequest.objects.get()
    assert (request.year, request.status) == (YEAR, "asked")

    status_url = reverse("cycle:datarequest-status", args=[request.pk])
    form = client.get(status_url).context["form"]
    assert [value for value, _label in form.fields["status"].choices] == ["promised", "received"]
    before = client.post(
        status_url, {"status": "received", "received_on": days(-11).isoformat(), "version": 1}
    )
    assert before.status_code == 200 and "received_on" in before.context["form"].errors
    ok = client.post(
        status_url, {"status": "promised", "promised_by": days(5).isoformat(), "version": 1}
    )
    assert ok.status_code == 302
    stale = client.post(
        status_url, {"status": "received", "received_on": TODAY.isoformat(), "version": 1}
    )
    assert stale.status_code == 200 and stale.context["form"].errors
    request.refresh_from_db()
    assert (request.status, request.promised_by) == ("promised", days(5))

    edit = reverse("cycle:datarequest-edit", args=[request.pk])
    data.update({"data": "DTSEN desil 1-4", "version": 2})
    assert client.post(edit, data).status_code == 302
    assert DataRequest.objects.get().data == "DTSEN desil 1-4"
    assert client.post(reverse("cycle:datarequest-delete", args=[request.pk])).status_code == 302
    assert not DataRequest.objects.exists()


@pytest.mark.parametrize(
    "value", ["99999999999999999999999", "-1", "1e9", "abc", "", "1; DROP TABLE x"]
)
def test_hostile_ids_and_dates_in_the_forms_never_fail(
    client, district_user, roles_world, matrix, value
):
    w = roles_world
    client.force_login(district_user)
    posts = [
        (_url("cycle:role-create", w["district"].pk), {
            "service": value, "role": "data", "partner": value, "meeting": value,
            "description": "x", "form_token": str(uuid.uuid4()),
        }),
        (reverse("cycle:role-links", args=[matrix.pk]), {
            "commitments": [value], "follow_ups": [value], "version": value,
        }),
        (_url("cycle:role-proposals", w["forum"].pk), {
            "year": value, f"c{w['done'].pk}-accept": "on", f"c{w['done'].pk}-service": value,
            f"c{w['done'].pk}-role": value,
        }),
        (_url("cycle:datarequest-create", w["district"].pk), {
            "agency": "X", "data": "Y", "asked_on": value, "service": value, "partner": value,
            "form_token": value,
        }),
        (reverse("cycle:role-copy", args=[w["district"].pk]), {"year": value}),
    ]  # fmt: skip
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (200, 302), (url, response.status_code)
    assert RoleAssignment.objects.count() == 2 and not DataRequest.objects.exists()
