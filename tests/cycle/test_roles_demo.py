"""The demo's role matrix (issue #16 must-have 7): Hulu Sungai Utara's roles for the year, from
its cross-agency forum and linked to its commitments, and data requests at every status; a
second run adds nothing."""

import pytest

from cycle.models import DataRequest, RoleAssignment
from cycle.selectors.roles import role_matrix, role_proposals
from cycle.services.demo_roles import demo_roles
from kernel.models import AuditEvent, User
from workshops.models import Meeting
from workshops.services.demo import demo_seed

from ..workshops.test_demo import TODAY, demo_world  # noqa: F401  (the meetings demo's world)

pytestmark = pytest.mark.django_db


def _counts():
    return (
        RoleAssignment.objects.count(),
        RoleAssignment.commitments.through.objects.count(),
        RoleAssignment.follow_ups.through.objects.count(),
        DataRequest.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_demo_matrix_comes_from_the_forum_and_a_second_run_adds_nothing(demo_world):  # noqa: F811
    demo_seed(today=TODAY)
    demo_roles(today=TODAY)
    first = _counts()
    demo_roles(today=TODAY)

    assert _counts() == first
    planner = User.objects.get(username="dinkes.hsu")
    forum = Meeting.objects.get(district=demo_world["district"], kind="district_forum")
    matrix = role_matrix(
        user=planner, district=demo_world["district"], year=TODAY.year, today=TODAY
    )
    cells = {
        (row.service.number, value, line.role.partner.short_name if line.role.partner else "")
        for row in matrix.rows
        for value, lines in row.roles.items()
        for line in lines
    }
    assert {
        (1, "data", "Dinsos"),
        (1, "mobilises", "DP2KB"),
        (3, "data", "Disdukcapil"),
        (5, "delivers", "Disdik"),
        (1, "funds", "Bappeda"),
        (1, "mobilises", "TP-PKK"),
    } <= cells
    assert {value for _number, value, _short in cells} == {"data", "delivers", "funds", "mobilises"}
    assert matrix.role_count >= 12 and matrix.item_count >= 10
    states = {item.state for line in matrix.lines for item in line.items}
    assert {"done", "overdue", "open"} <= states
    assert all(line.role.meeting == forum for line in matrix.lines if line.items)
    assert RoleAssignment.objects.filter(agency__startswith="Puskesmas se-").exists()

    statuses = set(DataRequest.objects.values_list("status", flat=True))
    assert statuses == {"asked", "promised", "received", "used"}
    late = [r for r in DataRequest.objects.all() if r.is_late(TODAY)]
    assert len(late) == 1 and late[0].partner.short_name == "Disdukcapil"

    untaken = [p.agency for p in role_proposals(user=planner, meeting=forum, year=TODAY.year)
               if not p.is_taken]  # fmt: skip
    assert len(untaken) == 1 and "Sekretariat" in untaken[0]  # Setda's: left to propose


def test_the_demo_does_nothing_without_its_district_planner(world):
    demo_roles(today=TODAY)
    assert not RoleAssignment.objects.exists() and not DataRequest.objects.exists()
