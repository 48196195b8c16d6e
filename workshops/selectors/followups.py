"""RTL items and commitments followed across meetings and quarters."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from kernel.models import User
from kernel.scoping import in_area

from ..models import Commitment, FollowUp, Meeting, Tracked
from ..rights import can_follow_up


def earlier_meetings(meeting: Meeting) -> QuerySet[Meeting]:
    """Meetings of the same kind held earlier by the same puskesmas, district or province."""
    owner = {
        "puskesmas": Q(puskesmas_id=meeting.puskesmas_id),
        "district": Q(district_id=meeting.district_id, puskesmas__isnull=True),
        "province": Q(province_id=meeting.province_id, district__isnull=True),
    }[meeting.level]
    before = Q(held_on__lt=meeting.held_on) | Q(held_on=meeting.held_on, pk__lt=meeting.pk)
    return Meeting.objects.filter(owner, before, kind=meeting.kind)


@dataclass
class OpenItems:
    """What a meeting opens with: items of earlier meetings still open when it began, and those
    it closed or moved on itself."""

    follow_ups: list[FollowUp] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    # Whether the user may change these items' status (they all come from meetings of the same
    # kind and owner as the one they are shown in, so one answer holds for all).
    can_follow_up: bool = False

    @property
    def count(self) -> int:
        """Items still open (planned or in progress): one closed since the meeting began is
        listed where it was closed but is no longer counted as open (issue #15)."""
        items: list = [*self.follow_ups, *self.commitments]
        return sum(item.is_open for item in items)

    @property
    def closed_count(self) -> int:
        """Items listed because they were done or dropped since the meeting began."""
        return len(self.follow_ups) + len(self.commitments) - self.count

    @property
    def overdue_count(self) -> int:
        today = timezone.localdate()
        items: list[FollowUp | Commitment] = [*self.follow_ups, *self.commitments]
        return sum(item.is_overdue(today) for item in items)

    def __bool__(self) -> bool:
        return bool(self.follow_ups or self.commitments)


def open_items_for(*, user: User, meeting: Meeting) -> OpenItems:
    """Open RTL items and commitments from earlier meetings of the same kind and owner, plus the
    ones this meeting reviewed or that were closed since it began (so a closed item still shows
    where it was closed); two queries."""
    earlier = earlier_meetings(meeting).values("pk")
    # Open now, or closed since the meeting began (in it or later): open when it began.
    still_open = (
        Q(status__in=Tracked.OPEN_STATUSES)
        | Q(updates__reviewed_in=meeting)
        | Q(updates__old_status__in=Tracked.OPEN_STATUSES, updates__at__date__gte=meeting.held_on)
    )
    follow_ups = (
        in_area(FollowUp.objects.all(), user)
        .filter(still_open, meeting__in=earlier)
        .select_related("meeting", "partner", "problem")
        .distinct()
        .order_by("due_on", "pk")
    )
    commitments = (
        in_area(Commitment.objects.all(), user)
        .filter(still_open, meeting__in=earlier)
        .select_related("meeting", "partner")
        .distinct()
        .order_by("due_on", "pk")
    )
    return OpenItems(
        follow_ups=list(follow_ups),
        commitments=list(commitments),
        can_follow_up=can_follow_up(user, meeting),
    )
