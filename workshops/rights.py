"""Who may create and change meetings and what they produce (services check; templates hide).

What a user may *see* is decided by `indicators.scoping.in_area` through each model's
`area_paths`; this module only answers who may *change*.
- A puskesmas head or staff member runs their own puskesmas's lokmin.
- A district planner runs their district's forums and meetings, and follows up every item in the
  district (statuses of RTL items and commitments, Musrenbang outcomes).
- A provincial reviewer runs provincial meetings.
"""

from __future__ import annotations

from indicators.models import User

from .models import Meeting

Role = User.Role
Kind = Meeting.Kind

KINDS_OF_ROLE = {
    Role.PUSKESMAS_HEAD: (Kind.MONTHLY_LOKMIN, Kind.QUARTERLY_LOKMIN),
    Role.PUSKESMAS_STAFF: (Kind.MONTHLY_LOKMIN, Kind.QUARTERLY_LOKMIN),
    Role.DISTRICT_PLANNER: (Kind.DISTRICT_FORUM, Kind.DISTRICT_MEETING),
    Role.PROVINCE_REVIEWER: (Kind.PROVINCE_MEETING,),
}


def creatable_kinds(user) -> tuple[str, ...]:
    """The kinds of meeting `user` may create in their own area."""
    if not getattr(user, "is_authenticated", False) or user.area is None:
        return ()
    return KINDS_OF_ROLE.get(user.role, ())


def can_manage_meeting(user, meeting: Meeting) -> bool:
    """Whether `user` may edit `meeting` and everything recorded in it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_system_admin:
        return True
    if meeting.kind not in KINDS_OF_ROLE.get(user.role, ()):
        return False
    if meeting.level == "puskesmas":
        return meeting.puskesmas_id == user.puskesmas_id
    if meeting.level == "district":
        return meeting.district_id == user.district_id
    return meeting.province_id == user.province_id and meeting.district_id is None


def can_follow_up(user, meeting: Meeting) -> bool:
    """Whether `user` may change the status of the meeting's RTL items, commitments and
    Musrenbang proposals: whoever runs the meeting, and the district's planners."""
    if can_manage_meeting(user, meeting):
        return True
    return (
        getattr(user, "is_authenticated", False)
        and user.role == Role.DISTRICT_PLANNER
        and meeting.district_id is not None
        and meeting.district_id == user.district_id
    )
