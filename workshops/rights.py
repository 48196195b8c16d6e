"""Who may create and change meetings and what they produce (services check; templates hide).

What a user may *see* is decided by `kernel.scoping.in_area` through each model's
`area_paths`; this module only answers who may *change*.
- A puskesmas head or staff member runs their own puskesmas's lokmin.
- A district planner runs their district's forums and meetings, and follows up every item in the
  district (statuses of RTL items and commitments, Musrenbang outcomes).
- A provincial reviewer runs provincial meetings.
"""

from __future__ import annotations

import rules

from kernel.models import User
from kernel.roles import (
    has_area,
    in_own_district,
    in_own_province,
    in_own_puskesmas,
    is_district_planner,
    is_system_admin,
)

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
    if not has_area(user):
        return ()
    return KINDS_OF_ROLE.get(user.role, ())


@rules.predicate
def runs_meetings_of_this_kind(user, meeting=None) -> bool:
    """The meeting's kind is one the user's role runs (KINDS_OF_ROLE)."""
    return meeting is not None and meeting.kind in KINDS_OF_ROLE.get(
        getattr(user, "role", None), ()
    )


@rules.predicate
def in_own_area_at_meeting_level(user, meeting=None) -> bool:
    """The meeting is in the user's own area at the meeting's level (a lokmin in their
    puskesmas, a forum in their district, a provincial meeting in their province)."""
    if meeting is None:
        return False
    if meeting.level == "puskesmas":
        return in_own_puskesmas(user, meeting)
    if meeting.level == "district":
        return in_own_district(user, meeting)
    return in_own_province(user, meeting) and meeting.district_id is None


# Whether `user` may edit `meeting` and everything recorded in it.
can_manage_meeting = is_system_admin | (runs_meetings_of_this_kind & in_own_area_at_meeting_level)

# Whether `user` may change the status of the meeting's RTL items, commitments and Musrenbang
# proposals: whoever runs the meeting, and the district's planners.
can_follow_up = can_manage_meeting | (is_district_planner & in_own_district)
