"""What the role-matrix tests (tests/cycle/test_roles*.py) build on: Hulu Sungai Utara's forum and
lokmin with commitments and RTL items at each state, Banjarmasin's forum for the other area, and
a role maker. Dates are relative to the real today, so the pages (which use today) agree."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cycle.models import DataRequest, RoleAssignment
from kernel.models import PartnerOrganisation, User
from workshops.models import Meeting

from ..factories import (
    CommitmentFactory,
    FollowUpFactory,
    MeetingFactory,
    PartnerFactory,
    UserFactory,
)

TODAY = timezone.localdate()
YEAR = TODAY.year
HELD = TODAY - datetime.timedelta(days=40)  # the forum, this year or (early January) last


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def service(number: int, year: int = YEAR):
    from cycle.selectors.roles import role_services

    return next(s for s in role_services(year) if s.number == number)


def forum_of(district, by: User, *, held_on: datetime.date = HELD, title="Forum lintas sektor"):
    return MeetingFactory(
        title=title,
        kind=Meeting.Kind.DISTRICT_FORUM,
        puskesmas=None,
        district=district,
        held_on=held_on,
        created_by=by,
    )


def make_role(district, by: User, *, number=1, role="data", year=YEAR, **values) -> RoleAssignment:
    from cycle.services.roles import role_save

    values.setdefault("description", "Data kepesertaan JKN-PBI")
    if "partner" not in values:
        values.setdefault("agency", "Dinas Sosial")
    return role_save(
        role=RoleAssignment(
            district=district, year=year, service=service(number, year), role=role, **values
        ),
        by=by,
    )


def make_request(district, by: User, *, year=YEAR, **values) -> DataRequest:
    from cycle.services.roles import data_request_save

    values.setdefault("agency", "Dinas Sosial")
    values.setdefault("data", "DTSEN desil 1-4")
    values.setdefault("asked_on", days(-30))
    return data_request_save(
        data_request=DataRequest(district=district, year=year, **values), by=by
    )


@pytest.fixture(name="roles_world")
def roles_world_fixture(world, district_user, other_district_user):
    """HSU's forum (commitments done, overdue and open; an RTL item) and a lokmin of its
    puskesmas; Banjarmasin's forum with a commitment and an RTL item."""
    hsu = world["hsu"]
    dinsos = PartnerFactory(
        district=hsu["district"],
        name="Dinas Sosial HSU",
        short_name="Dinsos",
        sector=PartnerOrganisation.Sector.SOCIAL,
    )
    pkk = PartnerFactory(
        district=hsu["district"],
        name="TP-PKK HSU",
        short_name="TP-PKK",
        sector=PartnerOrganisation.Sector.PKK,
    )
    forum = forum_of(hsu["district"], district_user)
    done = CommitmentFactory(
        meeting=forum, partner=dinsos, party="Dinas Sosial HSU", status="done", due_on=days(-20),
        description="Memadankan DTSEN dengan data ibu hamil",
    )  # fmt: skip
    late = CommitmentFactory(
        meeting=forum, partner=pkk, party="TP-PKK HSU", status="in_progress", due_on=days(-5),
        description="Kader PKK menggerakkan ibu hamil ke kelas ibu",
    )  # fmt: skip
    upcoming = CommitmentFactory(
        meeting=forum, party="Bappeda HSU", due_on=days(60),
        description="Penandaan anggaran SPM dalam RKPD",
    )  # fmt: skip
    rtl = FollowUpFactory(meeting=forum, activity="Rapat pemadanan data", due_on=days(30))
    head = UserFactory(
        username="roles-head", role=User.Role.PUSKESMAS_HEAD, puskesmas=hsu["puskesmas"]
    )
    lokmin = MeetingFactory(puskesmas=hsu["puskesmas"], created_by=head, held_on=HELD)
    lokmin_commitment = CommitmentFactory(meeting=lokmin, party="Camat", due_on=days(40))
    lokmin_rtl = FollowUpFactory(meeting=lokmin, due_on=days(-1))
    other = world["banjarmasin"]
    other_forum = forum_of(other["district"], other_district_user, title="Forum Banjarmasin")
    return {
        "district": hsu["district"],
        "dinsos": dinsos,
        "pkk": pkk,
        "forum": forum,
        "done": done,
        "late": late,
        "upcoming": upcoming,
        "rtl": rtl,
        "head": head,
        "lokmin": lokmin,
        "lokmin_commitment": lokmin_commitment,
        "lokmin_rtl": lokmin_rtl,
        "other_district": other["district"],
        "other_forum": other_forum,
        "other_commitment": CommitmentFactory(meeting=other_forum, due_on=days(10)),
        "other_rtl": FollowUpFactory(meeting=other_forum, due_on=days(10)),
        "other_partner": other["partner"],
    }
