"""The meetings API (issue #19): meetings with problems, RTL items and commitments, scoped like
the pages; status moves of RTL items and commitments through the status page's service."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    CommitmentFactory,
    FollowUpFactory,
    MeetingFactory,
    ProblemFactory,
)
from workshops.models import Commitment, FollowUp, RootCause, StatusUpdate
from workshops.services.tracking import status_change_errors

pytestmark = pytest.mark.django_db

BASE = "/api/v1/meetings"


def lokmin(area, **kwargs):
    """A held lokmin of the world's `area` with a problem (and a root cause), an RTL item and a
    commitment."""
    meeting = MeetingFactory(puskesmas=area["puskesmas"], status="held", **kwargs)
    problem = ProblemFactory(meeting=meeting)
    cause = RootCause.objects.create(problem=problem, category="money", description="Dana kurang")
    FollowUpFactory(meeting=meeting, problem=problem, root_cause=cause, cost_idr=12_500_000)
    CommitmentFactory(meeting=meeting, partner=area["partner"])
    return meeting


@pytest.fixture
def meetings(world):
    return {key: lokmin(world[key]) for key in ("hsu", "banjarmasin", "bontang")}


def ids(answer):
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["items"]}


# --- Scoping --------------------------------------------------------------------------------------


def test_each_role_lists_the_meetings_of_its_own_area(
    api_as, meetings, puskesmas_head, district_user, other_district_user, province_user
):
    hsu, banjarmasin, bontang = meetings["hsu"], meetings["banjarmasin"], meetings["bontang"]
    assert ids(api_as(puskesmas_head).get(BASE)) == {hsu.pk}
    assert ids(api_as(district_user).get(BASE)) == {hsu.pk}
    assert ids(api_as(other_district_user).get(BASE)) == {banjarmasin.pk}
    assert ids(api_as(province_user).get(BASE)) == {hsu.pk, banjarmasin.pk}
    assert bontang.pk not in ids(api_as(province_user).get(BASE))


def test_rtl_items_and_commitments_lists_stay_in_the_area(
    api_as, meetings, district_user, province_user
):
    hsu = meetings["hsu"]
    client = api_as(district_user)
    assert ids(client.get(f"{BASE}/rtl-items")) == set(hsu.follow_ups.values_list("pk", flat=True))
    assert ids(client.get(f"{BASE}/commitments")) == set(
        hsu.commitments.values_list("pk", flat=True)
    )
    province_items = ids(api_as(province_user).get(f"{BASE}/rtl-items"))
    assert province_items == set(
        FollowUp.objects.filter(meeting__in=[hsu, meetings["banjarmasin"]]).values_list(
            "pk", flat=True
        )
    )


@pytest.mark.parametrize(
    "path",
    ["{meeting}", "rtl-items/{rtl}", "commitments/{commitment}"],
)
def test_another_districts_ids_are_404(api_as, meetings, district_user, path):
    other = meetings["banjarmasin"]
    url = f"{BASE}/" + path.format(
        meeting=other.pk,
        rtl=other.follow_ups.get().pk,
        commitment=other.commitments.get().pk,
    )
    answer = api_as(district_user).get(url)
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("kind", ["rtl-items", "commitments"])
def test_another_districts_item_cannot_be_moved_404(api_as, meetings, district_user, kind):
    other = meetings["banjarmasin"]
    item = (other.follow_ups if kind == "rtl-items" else other.commitments).get()
    answer = api_as(district_user).post(
        f"{BASE}/{kind}/{item.pk}/status", {"status": "in_progress"}
    )
    assert answer.status_code == 404
    item.refresh_from_db()
    assert item.status == "planned"


# --- Reading --------------------------------------------------------------------------------------


def test_meeting_detail_has_problems_causes_rtl_items_and_commitments(
    api_as, meetings, district_user
):
    meeting = meetings["hsu"]
    body = api_as(district_user).get(f"{BASE}/{meeting.pk}").json()
    assert body["id"] == meeting.pk
    assert body["puskesmas_id"] == meeting.puskesmas_id
    assert body["held_on"] == meeting.held_on.isoformat()
    [problem] = body["problems"]
    assert problem["root_causes"][0]["category"] == "money"
    [item] = body["rtl_items"]
    assert item["cost_idr"] == "12500000"  # rupiah as a string
    assert item["problem_id"] == problem["id"]
    assert item["next_statuses"] == ["in_progress", "done", "dropped"]
    [commitment] = body["commitments"]
    assert commitment["partner_id"] == meeting.commitments.get().partner_id
    assert "participants" not in body  # people, not part of the API


def test_meeting_filters(api_as, world, district_user):
    this_year = lokmin(world["hsu"])
    last_year = lokmin(world["hsu"], held_on=datetime.date(2025, 5, 12))
    forum = MeetingFactory(kind="district_forum", puskesmas=None, district=world["hsu"]["district"])
    client = api_as(district_user)
    assert ids(client.get(BASE, {"year": 2025})) == {last_year.pk}
    assert ids(client.get(BASE, {"kind": "district_forum"})) == {forum.pk}
    assert ids(client.get(BASE, {"puskesmas_id": this_year.puskesmas_id})) == {
        this_year.pk,
        last_year.pk,
    }
    items = ids(client.get(f"{BASE}/rtl-items", {"year": 2025}))
    assert items == {last_year.follow_ups.get().pk}


def test_overdue_and_status_filters(api_as, world, district_user):
    meeting = lokmin(world["hsu"])
    late = meeting.follow_ups.get()
    FollowUp.objects.filter(pk=late.pk).update(due_on=datetime.date(2020, 1, 1))
    fresh = FollowUpFactory(meeting=meeting, due_on=datetime.date(2099, 1, 1))
    done = FollowUpFactory(meeting=meeting, due_on=datetime.date(2020, 1, 1), status="done")
    client = api_as(district_user)
    assert ids(client.get(f"{BASE}/rtl-items", {"overdue": "true"})) == {late.pk}
    assert ids(client.get(f"{BASE}/rtl-items", {"overdue": "false"})) == {fresh.pk, done.pk}
    assert ids(client.get(f"{BASE}/rtl-items", {"status": "done"})) == {done.pk}
    rows = client.get(f"{BASE}/rtl-items", {"overdue": "true"}).json()["items"]
    assert rows[0]["overdue"] is True


# --- Status moves ---------------------------------------------------------------------------------


def test_done_without_a_note_is_refused_with_the_pages_message(api_as, meetings, district_user):
    item = meetings["hsu"].follow_ups.get()
    expected = status_change_errors(item, status="done", note="")["note"]
    answer = api_as(district_user).post(f"{BASE}/rtl-items/{item.pk}/status", {"status": "done"})
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["errors"] == [{"location": "note", "message": str(expected)}]
    item.refresh_from_db()
    assert item.status == "planned"
    assert not StatusUpdate.objects.exists()


def test_done_with_a_note_goes_through_the_service(api_as, meetings, district_user):
    item = meetings["hsu"].follow_ups.get()
    answer = api_as(district_user).post(
        f"{BASE}/rtl-items/{item.pk}/status",
        {"status": "done", "note": "Kelas ibu hamil berjalan di 4 desa", "version": item.version},
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "done"
    assert answer.json()["next_statuses"] == ["in_progress"]
    item.refresh_from_db()
    assert item.status == "done"
    assert item.status_note == "Kelas ibu hamil berjalan di 4 desa"
    update = StatusUpdate.objects.get(follow_up=item)
    assert (update.old_status, update.new_status, update.by) == ("planned", "done", district_user)


def test_a_commitment_is_dropped_with_a_reason_and_reopened(api_as, meetings, puskesmas_head):
    commitment = meetings["hsu"].commitments.get()
    client = api_as(puskesmas_head)
    url = f"{BASE}/commitments/{commitment.pk}/status"
    assert client.post(url, {"status": "dropped"}).status_code == 400
    assert client.post(url, {"status": "dropped", "note": "Dana dialihkan"}).status_code == 200
    assert client.post(url, {"status": "in_progress"}).status_code == 400  # why reopened?
    assert client.post(url, {"status": "in_progress", "note": "Dana ada"}).status_code == 200
    commitment.refresh_from_db()
    assert commitment.status == "in_progress"
    assert StatusUpdate.objects.filter(commitment=commitment).count() == 2


def test_a_move_the_page_does_not_offer_is_refused(api_as, meetings, district_user):
    item = meetings["hsu"].follow_ups.get()
    client = api_as(district_user)
    url = f"{BASE}/rtl-items/{item.pk}/status"
    assert client.post(url, {"status": "done", "note": "Selesai"}).status_code == 200
    answer = client.post(url, {"status": "dropped", "note": "x"})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["location"] == "status"


def test_a_province_reads_but_may_not_move_a_status(api_as, meetings, province_user):
    item = meetings["hsu"].follow_ups.get()
    client = api_as(province_user)
    assert client.get(f"{BASE}/rtl-items/{item.pk}").status_code == 200
    answer = client.post(f"{BASE}/rtl-items/{item.pk}/status", {"status": "in_progress"})
    assert answer.status_code == 403
    assert answer["Content-Type"] == "application/problem+json"
    item.refresh_from_db()
    assert item.status == "planned"


def test_a_stale_version_is_a_409_and_saves_nothing(api_as, meetings, district_user):
    item = meetings["hsu"].follow_ups.get()
    FollowUp.objects.filter(pk=item.pk).update(version=item.version + 1)
    answer = api_as(district_user).post(
        f"{BASE}/rtl-items/{item.pk}/status",
        {"status": "in_progress", "version": item.version},
    )
    assert answer.status_code == 409
    assert answer["Content-Type"] == "application/problem+json"
    item.refresh_from_db()
    assert item.status == "planned"


def test_a_status_moved_since_it_was_read_is_a_409_and_saves_nothing(
    api_as, meetings, district_user
):
    item = meetings["hsu"].follow_ups.get()
    client = api_as(district_user)
    moved = client.post(
        f"{BASE}/rtl-items/{item.pk}/status",
        {"status": "done", "note": "Selesai di 4 desa", "from_status": "planned"},
    )
    assert moved.status_code == 200, moved.json()
    # Another client still holds "planned" and reopens it: refused, the item stays done.
    stale = client.post(
        f"{BASE}/rtl-items/{item.pk}/status",
        {"status": "in_progress", "note": "Lanjut", "from_status": "planned"},
    )
    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"
    item.refresh_from_db()
    assert item.status == "done"


def test_a_reviewing_meeting_of_another_area_is_404(api_as, meetings, district_user):
    item = meetings["hsu"].follow_ups.get()
    answer = api_as(district_user).post(
        f"{BASE}/rtl-items/{item.pk}/status",
        {"status": "in_progress", "reviewed_in_id": meetings["banjarmasin"].pk},
    )
    assert answer.status_code == 404


def test_a_later_meeting_of_the_same_puskesmas_stamps_the_update(api_as, world, district_user):
    first = lokmin(world["hsu"])
    later = MeetingFactory(puskesmas=world["hsu"]["puskesmas"], held_on=datetime.date(2026, 8, 12))
    item = first.follow_ups.get()
    answer = api_as(district_user).post(
        f"{BASE}/rtl-items/{item.pk}/status",
        {"status": "in_progress", "reviewed_in_id": later.pk},
    )
    assert answer.status_code == 200
    assert StatusUpdate.objects.get(follow_up=item).reviewed_in == later


# --- Hostile input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"status": "finished"},
        {"status": "done\x00", "note": "x"},
        {"status": "done", "note": "ok\x00"},
        {"status": "done", "note": "ok\ud800"},
        {"status": "\udfff"},
        {"status": "done", "note": "x" * 20_000},
        {"status": "done", "note": "x" * 2_001},
        {"status": "in_progress", "version": 2**63},
        {"status": "in_progress", "version": -1},
        {"status": "in_progress", "reviewed_in_id": 2**63},
        {"status": 5},
        {"note": "x"},
        {},
    ],
)
def test_hostile_status_bodies_are_refused_never_500(api_as, meetings, district_user, body):
    item = meetings["hsu"].follow_ups.get()
    answer = api_as(district_user).post(f"{BASE}/rtl-items/{item.pk}/status", body)
    assert answer.status_code in (400, 422), answer.content
    assert answer["Content-Type"] == "application/problem+json"
    item.refresh_from_db()
    assert item.status == "planned"


def test_a_ten_megabyte_body_is_a_413_problem(api_as, meetings, district_user):
    item = meetings["hsu"].follow_ups.get()
    answer = api_as(district_user).post(
        f"{BASE}/rtl-items/{item.pk}/status", {"status": "done", "note": "x" * 10_000_000}
    )
    assert answer.status_code == 413
    assert answer["Content-Type"] == "application/problem+json"


def test_malformed_json_is_never_500(api_as, meetings, district_user):
    item = meetings["hsu"].follow_ups.get()
    client = api_as(district_user)
    answer = client.client.post(
        f"{BASE}/rtl-items/{item.pk}/status",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {client.token}",
    )
    assert 400 <= answer.status_code < 500


@pytest.mark.parametrize(
    "url",
    [
        f"{BASE}/{2**63}",
        f"{BASE}/0",
        f"{BASE}/abc",
        f"{BASE}/rtl-items/{2**63}",
        f"{BASE}/commitments/{2**40}/status",
        f"{BASE}?year=99999999999999999999",
        f"{BASE}?kind=nonsense",
        f"{BASE}?district_id={2**63}",
        f"{BASE}/rtl-items?status=%00",
        f"{BASE}/rtl-items?overdue=maybe",
        f"{BASE}?page=0",
        f"{BASE}?page_size=100000",
    ],
)
def test_hostile_reads_are_4xx_never_500(api_as, meetings, district_user, url):
    client = api_as(district_user)
    answer = client.post(url, {"status": "done"}) if url.endswith("/status") else client.get(url)
    assert 400 <= answer.status_code < 500, answer.content


# --- Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "/rtl-items", "/commitments"])
def test_list_queries_do_not_grow(api_as, world, district_user, django_assert_num_queries, path):
    client = api_as(district_user)
    client.get(BASE + path)  # the token's first use writes its last_used_at
    lokmin(world["hsu"])
    with CaptureQueriesContext(connection) as few:
        client.get(BASE + path)
    for _ in range(4):
        lokmin(world["hsu"])
    with django_assert_num_queries(len(few)):
        assert client.get(BASE + path).json()["count"] == 5


def test_detail_queries_do_not_grow(api_as, world, district_user, django_assert_num_queries):
    client = api_as(district_user)
    small, big = lokmin(world["hsu"]), lokmin(world["hsu"])
    client.get(f"{BASE}/{small.pk}")  # the token's first use writes its last_used_at
    for _ in range(5):
        problem = ProblemFactory(meeting=big)
        RootCause.objects.create(problem=problem, category="man", description="Kurang bidan")
        FollowUpFactory(meeting=big, problem=problem)
        CommitmentFactory(meeting=big)
    with CaptureQueriesContext(connection) as few:
        client.get(f"{BASE}/{small.pk}")
    with django_assert_num_queries(len(few)):
        assert len(client.get(f"{BASE}/{big.pk}").json()["rtl_items"]) == 6
    assert Commitment.objects.filter(meeting=big).count() == 6
