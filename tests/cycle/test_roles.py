"""Who does what across agencies (issue #16 must-have 5): the role matrix, its links to
commitments and RTL items, copying a year, proposals from a forum, and the rules of the writes
(rights, scoping, versions, audit)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cycle.models import RoleAssignment
from cycle.selectors.roles import (
    DONE,
    OPEN,
    OVERDUE,
    guess_role,
    link_candidates,
    role_matrix,
    role_overview,
    role_proposals,
)
from cycle.services.roles import (
    Accepted,
    role_delete,
    role_links_set,
    role_save,
    roles_copy_year,
    roles_from_meeting,
)
from kernel.models import AuditEvent, User
from kernel.versioning import StaleEdit
from workshops.models import Meeting

from ..factories import CommitmentFactory, FollowUpFactory, MeetingFactory, UserFactory
from .roles_world import (
    TODAY,
    YEAR,
    days,
    make_role,
    roles_world_fixture,  # noqa: F401  (the `roles_world` fixture)
    service,
)

pytestmark = pytest.mark.django_db


def _events(role, action=None):
    events = AuditEvent.objects.filter(object_id=role.pk, content_type__model="roleassignment")
    return events.filter(action=action) if action else events


# --- The matrix --------------------------------------------------------------------------------


def test_matrix_lists_the_years_services_with_each_agency_under_its_role(
    roles_world, district_user
):
    w = roles_world
    data = make_role(w["district"], district_user, number=1, role="data", partner=w["dinsos"])
    role_links_set(
        role=data,
        commitment_ids=[w["done"].pk, w["late"].pk],
        follow_up_ids=[w["rtl"].pk],
        by=district_user,
        version=data.version,
    )
    make_role(w["district"], district_user, number=4, role="funds", agency="Bappeda HSU")

    matrix = role_matrix(user=district_user, district=w["district"], year=YEAR, today=TODAY)

    assert [row.service.number for row in matrix.rows] == list(range(1, 13))
    first, fourth = matrix.rows[0], matrix.rows[3]
    assert [cell.role for cell in first.cells] == ["data", "delivers", "funds", "mobilises"]
    (line,) = first.roles["data"]
    assert line.agency == "Dinas Sosial HSU"
    states = {item.text: item.state for item in line.items}
    assert states == {
        "Memadankan DTSEN dengan data ibu hamil": DONE,
        "Kader PKK menggerakkan ibu hamil ke kelas ibu": OVERDUE,
        "Rapat pemadanan data": OPEN,
    }
    assert (line.done_count, line.overdue_count, line.open_count) == (1, 1, 2)
    assert first.overdue_count == 1 and first.role_count == 1
    assert [line.agency for line in fourth.roles["funds"]] == ["Bappeda HSU"]
    assert (matrix.role_count, matrix.item_count, matrix.overdue_count) == (2, 3, 1)
    assert matrix.rows_by_service[fourth.service.pk] is fourth


def test_an_item_due_today_is_not_overdue_and_a_dropped_one_never_is(roles_world, district_user):
    w = roles_world
    w["late"].due_on, w["late"].status = TODAY, "planned"
    w["late"].save()
    w["done"].status = "dropped"
    w["done"].save()
    role = make_role(w["district"], district_user)
    role_links_set(
        role=role,
        commitment_ids=[w["late"].pk, w["done"].pk],
        follow_up_ids=[],
        by=district_user,
        version=role.version,
    )

    matrix = role_matrix(user=district_user, district=w["district"], year=YEAR, today=TODAY)

    states = sorted(item.state for item in matrix.lines[0].items)
    assert states == ["dropped", "open"]
    assert matrix.overdue_count == 0


def test_matrix_is_the_districts_own_and_the_years_own(roles_world, district_user, world):
    w = roles_world
    make_role(w["district"], district_user, number=2)
    make_role(w["district"], district_user, number=2, year=YEAR - 1)
    planner = UserFactory(role=User.Role.DISTRICT_PLANNER, district=w["other_district"])
    make_role(w["other_district"], planner, number=2, agency="Dinsos Banjarmasin")

    matrix = role_matrix(user=district_user, district=w["district"], year=YEAR)
    outsider = role_matrix(user=planner, district=w["district"], year=YEAR)

    assert matrix.role_count == 1 and matrix.lines[0].role.year == YEAR
    assert outsider.role_count == 0  # scoped: another district's planner reads none of it


def test_matrix_costs_the_same_queries_with_more_roles_and_items(roles_world, district_user):
    w = roles_world
    make_role(w["district"], district_user)

    with CaptureQueriesContext(connection) as few:
        role_matrix(user=district_user, district=w["district"], year=YEAR)
    for number in range(2, 9):
        role = make_role(w["district"], district_user, number=number, role="delivers")
        items = CommitmentFactory.create_batch(3, meeting=w["forum"], due_on=days(number - 5))
        role_links_set(
            role=role,
            commitment_ids=[c.pk for c in items],
            follow_up_ids=[FollowUpFactory(meeting=w["forum"]).pk],
            by=district_user,
            version=role.version,
        )
    with CaptureQueriesContext(connection) as many:
        matrix = role_matrix(user=district_user, district=w["district"], year=YEAR)
        _ = [item.state for line in matrix.lines for item in line.items]

    assert len(many) == len(few) <= 4
    assert matrix.item_count == 28


def test_overview_counts_roles_overdue_items_and_late_requests_per_district(
    roles_world, district_user, province_user
):
    from .roles_world import make_request

    w = roles_world
    role = make_role(w["district"], district_user)
    role_links_set(
        role=role,
        commitment_ids=[w["late"].pk, w["done"].pk],
        follow_up_ids=[w["lokmin_rtl"].pk],
        by=district_user,
        version=role.version,
    )
    make_role(w["district"], district_user, number=3)
    late = make_request(w["district"], district_user)
    late.status, late.promised_by = "promised", days(-1)
    late.save()
    make_request(w["district"], district_user, data="Kelahiran per desa")

    rows = {d.code: d for d in role_overview(user=province_user, year=YEAR)}

    hsu = rows[w["district"].code]
    assert (hsu.role_count, hsu.overdue_commitments, hsu.overdue_follow_ups) == (2, 1, 1)
    assert (hsu.request_count, hsu.late_request_count) == (2, 1)
    assert rows[w["other_district"].code].role_count == 0
    assert "64.74" not in rows  # another province's district


# --- Creating and editing roles ----------------------------------------------------------------


def test_a_planner_creates_a_role_once_per_form_and_it_is_audited(roles_world, district_user):
    import uuid

    w, token = roles_world, uuid.uuid4()

    def post():
        return role_save(
            role=RoleAssignment(
                district=w["district"], year=YEAR, service=service(1), role="data",
                partner=w["dinsos"], agency="ignored when a partner names it",
                description="  Data JKN-PBI  ",
            ),
            by=district_user,
            token=token,
        )  # fmt: skip

    first, second = post(), post()

    assert first.pk == second.pk and RoleAssignment.objects.count() == 1
    assert (first.agency, first.description, first.version) == ("", "Data JKN-PBI", 1)
    event = _events(first).get()
    assert (event.action, event.by, event.district_id) == (
        "created",
        district_user,
        first.district_id,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"agency": "", "partner": None}, "agency"),
        ({"description": "   "}, "description"),
        ({"role": "boss"}, "role"),
        ({"year": 1999}, "year"),
    ],
)
def test_a_role_without_agency_description_role_or_sane_year_is_refused(
    roles_world, district_user, change, field
):
    w = roles_world
    role = RoleAssignment(
        district=w["district"], year=YEAR, service=service(1), role="data", agency="Dinsos",
        description="Data",
    )  # fmt: skip
    for name, value in change.items():
        setattr(role, name, value)

    with pytest.raises(ValidationError) as refused:
        role_save(role=role, by=district_user)

    assert field in refused.value.message_dict
    assert not RoleAssignment.objects.exists()


def test_a_partner_meeting_or_service_of_elsewhere_is_refused(roles_world, district_user, world):
    from indicators.models import SPMService

    w = roles_world
    provincial = SPMService.objects.filter(level="province").first()
    cases = [
        ({"partner": w["other_partner"]}, "partner"),
        ({"meeting": w["other_forum"]}, "meeting"),
        ({"service": provincial}, "service"),
        ({"service": service(1, 2024)}, "service"),  # another edition's service 1
    ]
    for values, field in cases:
        role = RoleAssignment(
            district=w["district"], year=YEAR, service=service(1), role="data", agency="X",
            description="Data",
        )  # fmt: skip
        for name, value in values.items():
            setattr(role, name, value)
        with pytest.raises(ValidationError) as refused:
            role_save(role=role, by=district_user)
        assert field in refused.value.message_dict, values
    assert not RoleAssignment.objects.exists()


def test_the_same_agency_twice_in_one_cell_is_refused(roles_world, district_user):
    w = roles_world
    make_role(w["district"], district_user, agency="Dinas Sosial")

    with pytest.raises(ValidationError) as refused:
        make_role(w["district"], district_user, agency="dinas sosial")

    assert "sudah berperan" in refused.value.message_dict["role"][0]  # "already has that role"
    make_role(w["district"], district_user, agency="Dinas Sosial", role="funds")  # another role
    assert RoleAssignment.objects.count() == 2


@pytest.mark.parametrize("who", ["province_user", "puskesmas_head", "other_district_user"])
def test_only_the_districts_planners_write_roles(roles_world, district_user, who, request):
    w = roles_world
    user = request.getfixturevalue(who)
    role = make_role(w["district"], district_user)

    with pytest.raises(PermissionDenied):
        make_role(w["district"], user, number=2)
    with pytest.raises(PermissionDenied):
        role_save(role=role, by=user, version=role.version)
    with pytest.raises(PermissionDenied):
        role_links_set(
            role=role, commitment_ids=[], follow_up_ids=[], by=user, version=role.version
        )
    with pytest.raises(PermissionDenied):
        role_delete(role=role, by=user)
    with pytest.raises(PermissionDenied):
        roles_copy_year(district=w["district"], year=YEAR + 1, by=user)
    assert RoleAssignment.objects.count() == 1


def test_a_system_administrator_writes_any_districts_roles(roles_world, admin_user):
    assert make_role(roles_world["other_district"], admin_user).pk


def test_a_stale_edit_is_refused_with_who_saved_it(roles_world, district_user):
    w = roles_world
    role = make_role(w["district"], district_user)
    colleague = UserFactory(
        role=User.Role.DISTRICT_PLANNER, district=w["district"], first_name="Rina"
    )
    mine = RoleAssignment.objects.get(pk=role.pk)
    theirs = RoleAssignment.objects.get(pk=role.pk)
    theirs.description = "Data DTSEN"
    role_save(role=theirs, by=colleague, version=1)

    mine.description = "Data PBI"
    with pytest.raises(StaleEdit) as stale:
        role_save(role=mine, by=district_user, version=1)

    assert "Rina" in stale.value.who
    assert [(d.theirs, d.yours) for d in stale.value.differences] == [("Data DTSEN", "Data PBI")]
    assert RoleAssignment.objects.get(pk=role.pk).description == "Data DTSEN"
    role_save(role=mine, by=district_user, version=2)  # saved knowingly over theirs
    assert RoleAssignment.objects.get(pk=role.pk).version == 3


def test_deleting_a_role_keeps_its_items_and_an_audit_event(roles_world, district_user):
    w = roles_world
    role = make_role(w["district"], district_user)
    role_links_set(
        role=role, commitment_ids=[w["done"].pk], follow_up_ids=[], by=district_user, version=1
    )
    pk = role.pk

    role_delete(role=role, by=district_user)

    assert not RoleAssignment.objects.filter(pk=pk).exists()
    assert w["done"].__class__.objects.filter(pk=w["done"].pk).exists()
    deleted = AuditEvent.objects.filter(object_id=pk, action="deleted")
    assert deleted.count() == 1


# --- Links -------------------------------------------------------------------------------------


def test_links_reach_the_districts_forum_and_its_puskesmas_lokmin(roles_world, district_user):
    w = roles_world
    role = make_role(w["district"], district_user)

    role_links_set(
        role=role,
        commitment_ids=[w["done"].pk, str(w["lokmin_commitment"].pk)],
        follow_up_ids=[w["lokmin_rtl"].pk],
        by=district_user,
        version=role.version,
    )

    assert set(role.commitments.all()) == {w["done"], w["lokmin_commitment"]}
    assert list(role.follow_ups.all()) == [w["lokmin_rtl"]]
    assert role.version == 2
    event = _events(role, "saved").get()
    assert event.data["commitments"] == sorted([w["done"].pk, w["lokmin_commitment"].pk])


@pytest.mark.parametrize("item", ["other_commitment", "other_rtl", "province", "missing"])
def test_links_to_another_districts_or_provincial_or_missing_items_are_refused(
    roles_world, district_user, item, world
):
    w = roles_world
    role = make_role(w["district"], district_user)
    role_links_set(
        role=role, commitment_ids=[w["done"].pk], follow_up_ids=[], by=district_user, version=1
    )
    if item == "province":
        meeting = MeetingFactory(
            kind=Meeting.Kind.PROVINCE_MEETING, puskesmas=None, district=None,
            province=world["kalsel"], created_by=district_user,
        )  # fmt: skip
        bad = {"commitment_ids": [CommitmentFactory(meeting=meeting).pk], "follow_up_ids": []}
    elif item == "missing":
        bad = {"commitment_ids": [], "follow_up_ids": [987654321]}
    elif item == "other_commitment":
        bad = {"commitment_ids": [w["done"].pk, w["other_commitment"].pk], "follow_up_ids": []}
    else:
        bad = {"commitment_ids": [], "follow_up_ids": [w["other_rtl"].pk]}

    with pytest.raises(ValidationError):
        role_links_set(role=role, by=district_user, version=2, **bad)

    role.refresh_from_db()
    assert list(role.commitments.all()) == [w["done"]] and role.version == 2


def test_links_set_unlinks_what_is_no_longer_ticked_and_refuses_a_stale_page(
    roles_world, district_user
):
    w = roles_world
    role = make_role(w["district"], district_user)
    role_links_set(
        role=role, commitment_ids=[w["done"].pk, w["late"].pk], follow_up_ids=[w["rtl"].pk],
        by=district_user, version=1,
    )  # fmt: skip

    role_links_set(
        role=role, commitment_ids=[w["late"].pk], follow_up_ids=[], by=district_user, version=2
    )
    with pytest.raises(StaleEdit):
        role_links_set(role=role, commitment_ids=[], follow_up_ids=[], by=district_user, version=2)

    assert list(role.commitments.all()) == [w["late"]] and not role.follow_ups.exists()


def test_link_candidates_are_this_and_last_years_items_of_the_district(roles_world, district_user):
    w = roles_world
    old_forum = MeetingFactory(
        kind=Meeting.Kind.DISTRICT_FORUM, puskesmas=None, district=w["district"],
        held_on=TODAY.replace(year=YEAR - 3, day=1), created_by=district_user,
    )  # fmt: skip
    old = CommitmentFactory(meeting=old_forum)
    role = make_role(w["district"], district_user)

    commitments, follow_ups = link_candidates(user=district_user, role=role)

    assert set(commitments) == {w["done"], w["late"], w["upcoming"], w["lokmin_commitment"]}
    assert set(follow_ups) == {w["rtl"], w["lokmin_rtl"]}
    role_links_set(
        role=role, commitment_ids=[old.pk], follow_up_ids=[], by=district_user, version=1
    )
    commitments, _ = link_candidates(user=district_user, role=role)
    assert old in set(commitments)  # an old one already linked stays offered (to unlink it)


# --- Copying last year -------------------------------------------------------------------------


def test_copy_brings_last_years_roles_with_their_open_items_and_skips_what_exists(
    roles_world, district_user
):
    w = roles_world
    last = YEAR - 1
    data = make_role(w["district"], district_user, year=last, partner=w["dinsos"])
    role_links_set(
        role=data, commitment_ids=[w["done"].pk, w["late"].pk], follow_up_ids=[w["rtl"].pk],
        by=district_user, version=1,
    )  # fmt: skip
    make_role(w["district"], district_user, year=last, number=5, role="delivers", agency="Disdik")
    make_role(w["district"], district_user, number=5, role="delivers", agency="DISDIK")

    result = roles_copy_year(district=w["district"], year=YEAR, by=district_user)

    assert (result.created, result.skipped) == (1, 1)
    copied = RoleAssignment.objects.get(year=YEAR, partner=w["dinsos"])
    assert copied.service == service(1) and copied.description == data.description
    assert set(copied.commitments.all()) == {w["late"]}  # the done one stays with last year
    assert list(copied.follow_ups.all()) == [w["rtl"]]
    assert _events(copied).get().data == {"copied_from": data.pk}
    again = roles_copy_year(district=w["district"], year=YEAR, by=district_user)
    assert (again.created, again.skipped) == (0, 2)
    assert RoleAssignment.objects.filter(year=YEAR).count() == 2


def test_copy_across_editions_maps_services_by_number(roles_world, district_user):
    w = roles_world
    make_role(w["district"], district_user, year=2024, number=3)

    roles_copy_year(district=w["district"], year=2025, by=district_user)

    copied = RoleAssignment.objects.get(year=2025)
    assert copied.service == service(3, 2025) and copied.service != service(3, 2024)


def test_copy_with_nothing_last_year_says_so(roles_world, district_user):
    with pytest.raises(ValidationError) as refused:
        roles_copy_year(district=roles_world["district"], year=YEAR, by=district_user)
    assert str(YEAR - 1) in refused.value.messages[0]


# --- Proposals from a forum --------------------------------------------------------------------


def test_a_forums_commitments_propose_roles_with_a_guessed_role(roles_world, district_user):
    w = roles_world

    proposals = role_proposals(user=district_user, meeting=w["forum"], year=YEAR)

    assert [(p.agency, p.role, p.is_taken) for p in proposals] == [
        ("Dinas Sosial HSU", "data", False),  # "memadankan ... data"
        ("TP-PKK HSU", "mobilises", False),  # "menggerakkan"
        ("Bappeda HSU", "funds", False),  # "anggaran"
    ]
    assert proposals[0].partner == w["dinsos"] and proposals[2].partner is None


def test_guess_falls_back_on_the_partners_sector_then_delivers():
    assert guess_role("Menerbitkan surat edaran", "civil_registry") == "data"
    assert guess_role("Membuka layanan", "education") == "delivers"
    assert guess_role("Alokasi DANA desa untuk posyandu") == "funds"


def test_accepting_proposals_creates_linked_roles_and_links_twins_instead_of_doubling(
    roles_world, district_user
):
    w = roles_world
    make_role(w["district"], district_user, number=4, role="mobilises", partner=w["pkk"])

    result = roles_from_meeting(
        meeting=w["forum"],
        year=YEAR,
        accepted=[
            Accepted(w["done"].pk, service(1).pk, "data"),
            Accepted(w["late"].pk, service(4).pk, "mobilises"),
        ],
        by=district_user,
    )

    assert (result.created, result.linked) == (1, 1)
    new = RoleAssignment.objects.get(partner=w["dinsos"])
    assert (new.meeting, new.description, new.agency) == (
        w["forum"],
        "Memadankan DTSEN dengan data ibu hamil",
        "",
    )
    assert list(new.commitments.all()) == [w["done"]]
    twin = RoleAssignment.objects.get(partner=w["pkk"])
    assert list(twin.commitments.all()) == [w["late"]]
    taken = {p.commitment.pk: p.is_taken for p in role_proposals(
        user=district_user, meeting=w["forum"], year=YEAR)}  # fmt: skip
    assert taken == {w["done"].pk: True, w["late"].pk: True, w["upcoming"].pk: False}


def test_a_commitment_without_partner_becomes_a_named_agency(roles_world, district_user):
    w = roles_world
    accepted = [Accepted(w["upcoming"].pk, service(2).pk, "funds")]
    roles_from_meeting(meeting=w["forum"], year=YEAR, accepted=accepted, by=district_user)
    role = RoleAssignment.objects.get()
    assert (role.partner, role.agency_name) == (None, "Bappeda HSU")


@pytest.mark.parametrize("bad", ["other_meeting", "service", "role", "none"])
def test_accepting_refuses_another_meetings_commitment_a_wrong_service_or_role(
    roles_world, district_user, bad
):
    w = roles_world
    accepted = {
        "other_meeting": [Accepted(w["lokmin_commitment"].pk, service(1).pk, "data")],
        "service": [Accepted(w["done"].pk, service(1, 2024).pk, "data")],
        "role": [Accepted(w["done"].pk, service(1).pk, "boss")],
        "none": [],
    }[bad]

    with pytest.raises(ValidationError):
        roles_from_meeting(meeting=w["forum"], year=YEAR, accepted=accepted, by=district_user)

    assert not RoleAssignment.objects.exists()


def test_another_districts_planner_cannot_take_roles_from_a_forum(roles_world, other_district_user):
    w = roles_world
    with pytest.raises(PermissionDenied):
        roles_from_meeting(
            meeting=w["forum"], year=YEAR, accepted=[Accepted(w["done"].pk, service(1).pk, "data")],
            by=other_district_user,
        )  # fmt: skip
