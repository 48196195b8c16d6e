"""Reads for the meeting pages: the list, one meeting with its counts, its participants and the
staff and partners who may be invited. Everything starts from `in_area`; each read costs a fixed
number of queries, whatever the number of meetings or participants.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, IntegerField, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.models import District, PartnerOrganisation, Province, Puskesmas, User
from kernel.scoping import get_in_area_or_404, in_area

from ..models import (
    Commitment,
    FollowUp,
    Meeting,
    MusrenbangProposal,
    Participant,
    Photo,
    Problem,
    Tracked,
)


def _count(model: type[Model], *, link: str = "meeting", **filters: Any) -> Coalesce:
    """A correlated COUNT of `model` rows of each meeting: counts never multiply each other."""
    rows = (
        model._default_manager.filter(**{link: OuterRef("pk")}, **filters)
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _with_counts(queryset: QuerySet[Meeting], *, all_counts: bool) -> QuerySet[Meeting]:
    """Counts per meeting, one correlated subquery each: the list's few, or every count the
    meeting hub shows."""
    open_status = Tracked.OPEN_STATUSES
    counts = {
        "participant_count": _count(Participant),
        "attended_count": _count(Participant, attended=True),
        "follow_up_count": _count(FollowUp),
        "open_follow_up_count": _count(FollowUp, status__in=open_status),
        "open_commitment_count": _count(Commitment, status__in=open_status),
    }
    if all_counts:
        counts |= {
            "invited_count": _count(Participant, is_invited=True),
            "absent_count": _count(Participant, attended=False),
            "signs_count": _count(Participant, signs_agreement=True),
            "problem_count": _count(Problem),
            "commitment_count": _count(Commitment),
            "proposal_count": _count(MusrenbangProposal),
            "photo_count": _count(Photo),
        }
    return queryset.annotate(**counts)


def meeting_list(
    *, user: User, kind: str = "", year: int | None = None, status: str = ""
) -> QuerySet[Meeting]:
    """Meetings in the user's area, newest first, each with its counts of participants, RTL
    items and open items (one query per page, scoped)."""
    meetings = in_area(Meeting.objects.all(), user)
    if kind:
        meetings = meetings.filter(kind=kind)
    if year:
        meetings = meetings.filter(held_on__year=year)
    if status:
        meetings = meetings.filter(status=status)
    meetings = meetings.select_related("puskesmas", "district", "province")
    return _with_counts(meetings, all_counts=False).order_by("-held_on", "-pk")


def meeting_years(*, user: User) -> list[int]:
    """The years in which the user's area holds meetings, newest first, and the current one."""
    years = {d.year for d in in_area(Meeting.objects.all(), user).dates("held_on", "year")}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def meeting_get(*, user: User, pk: int) -> Meeting:
    """One meeting of the user's area with its owner and every count the hub shows, or 404."""
    queryset = _with_counts(
        Meeting.objects.select_related(
            "puskesmas__subdistrict",
            "district__health_office",
            "province",
            "created_by",
        ),
        all_counts=True,
    )
    return get_in_area_or_404(queryset, user, pk=pk)


def team_forming_suggested(
    *,
    area: Province | District | Puskesmas | None,
    kind: str,
    year: int,
    exclude_pk: int | None = None,
) -> bool:
    """Whether a lokmin of `kind` in `year` would be the area's first: the one that also forms
    the team (penggalangan tim, DOMAIN.md §3)."""
    if kind not in Meeting.LOKMIN_KINDS or not isinstance(area, Puskesmas):
        return False
    earlier = Meeting.objects.filter(puskesmas=area, kind=kind, held_on__year=year)
    if exclude_pk:
        earlier = earlier.exclude(pk=exclude_pk)
    return not earlier.exists()


# --- Participants ---------------------------------------------------------------------------------


def participant_list(*, user: User, meeting: Meeting) -> QuerySet[Participant]:
    """The meeting's invitees and walk-ins in their order (scoped, one query)."""
    return (
        in_area(Participant.objects.filter(meeting=meeting), user)
        .select_related("partner", "user")
        .order_by("order", "pk")
    )


def meeting_staff(meeting: Meeting) -> Q:
    """The people who work in the area holding the meeting: its puskesmas, Dinkes or province."""
    if meeting.level == "puskesmas":
        return Q(puskesmas_id=meeting.puskesmas_id)
    if meeting.level == "district":
        return Q(district_id=meeting.district_id)
    return Q(province_id=meeting.province_id)


def staff_choices(*, user: User, meeting: Meeting) -> QuerySet[User]:
    """Active staff of the meeting's puskesmas, district office or province who are not invited
    yet (scoped)."""
    invited = Participant.objects.filter(meeting=meeting, user__isnull=False).values("user_id")
    return (
        in_area(User.objects.filter(meeting_staff(meeting), is_active=True), user)
        .exclude(pk__in=invited)
        .order_by("first_name", "last_name", "username")
    )


def meeting_partners(meeting: Meeting) -> Q:
    """The partner organisations a meeting may invite (DOMAIN.md §4): for a puskesmas lokmin the
    district-level partners and those of its own kecamatan; for a district meeting the district's
    partners; for a provincial meeting those of the province."""
    if meeting.level == "puskesmas":
        assert meeting.puskesmas is not None  # a lokmin belongs to a puskesmas (Meeting.clean)
        return Q(district_id=meeting.district_id) & (
            Q(subdistrict__isnull=True) | Q(subdistrict_id=meeting.puskesmas.subdistrict_id)
        )
    if meeting.level == "district":
        return Q(district_id=meeting.district_id)
    return Q(district__province_id=meeting.province_id)


def partner_choices(*, user: User, meeting: Meeting) -> QuerySet[PartnerOrganisation]:
    """Active partner organisations the meeting may invite and has not invited yet (scoped)."""
    invited = Participant.objects.filter(meeting=meeting, partner__isnull=False).values(
        "partner_id"
    )
    return (
        in_area(PartnerOrganisation.objects.filter(meeting_partners(meeting), is_active=True), user)
        .exclude(pk__in=invited)
        .select_related("subdistrict")
        .order_by("subdistrict__code", "name")
    )


def shortcut_partners(meeting: Meeting) -> Q:
    """The partners "invite all" adds: the kecamatan's for a lokmin, the district-level ones for a
    district meeting, every one of the province for a provincial meeting."""
    if meeting.level == "puskesmas":
        assert meeting.puskesmas is not None  # a lokmin belongs to a puskesmas (Meeting.clean)
        return Q(district_id=meeting.district_id, subdistrict_id=meeting.puskesmas.subdistrict_id)
    if meeting.level == "district":
        return Q(district_id=meeting.district_id, subdistrict__isnull=True)
    return Q(district__province_id=meeting.province_id)


def default_date() -> datetime.date:
    """A new meeting's suggested date: a week from today."""
    return timezone.localdate() + datetime.timedelta(days=7)


def meeting_initial(*, user: User, kind: str) -> dict[str, Any]:
    """What a new meeting's form starts with: a date a week ahead, and who usually chairs and
    speaks at that kind (DOMAIN.md §1, §3: the Camat chairs the quarterly lokmin, the district
    Dinkes speaks)."""
    area = user.area
    initial: dict[str, Any] = {"kind": kind, "held_on": default_date()}
    initial["is_team_forming"] = team_forming_suggested(
        area=area, kind=kind, year=initial["held_on"].year
    )
    if isinstance(area, Puskesmas):
        office = getattr(area.district, "health_office", None)
        if kind == Meeting.Kind.QUARTERLY_LOKMIN:
            initial["chair_position"] = f"Camat {area.subdistrict.name}"
            initial["speaker"] = office.name if office else ""
        else:
            initial["chair_position"] = _("Head of %(puskesmas)s") % {"puskesmas": area.name}
            initial["chair_name"] = area.head_name
            initial["place"] = area.name
    elif isinstance(area, District):
        office = getattr(area, "health_office", None)
        initial["chair_position"] = _("Head of the District Health Office")
        initial["chair_name"] = office.head_name if office else ""
        initial["place"] = office.name if office else ""
    return initial
