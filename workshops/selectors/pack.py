"""The meeting pack: what a meeting starts from (issue #6, "Before").

The year to date through the month the meeting reviews (`Meeting.review_month`): for a
puskesmas lokmin each SPM service of the puskesmas and of each desa against the annual target and
the expected pace; for a district meeting each puskesmas x service; for a provincial meeting each
district x service. Then the RTL items and commitments of earlier meetings still open. The
figures come from `indicators.selectors.dashboards.year_to_date`, the dashboards' own maths.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from indicators.selectors.dashboards import Figure, ServiceLine, YearToDate, year_to_date
from kernel.models import User, Village

from ..models import Commitment, FollowUp, Meeting
from ..pack_sections import PackSection, sections_for
from .followups import OpenItems, open_items_for


@dataclass
class MeetingPack:
    meeting: Meeting
    figures: YearToDate
    open_items: OpenItems
    printed_on: datetime.date = field(default_factory=timezone.localdate)
    # Sections the apps above workshops add (workshops/pack_sections.py), e.g. the UKBM.
    extra_sections: list[PackSection] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.figures.period.year

    @property
    def month(self) -> int:
        return self.figures.period.last_month

    @property
    def last_day(self) -> datetime.date:
        """The first day of the reviewed month (templates print it as "Month YYYY")."""
        return datetime.date(self.year, self.month, 1)

    @property
    def pace(self) -> Decimal:
        return self.figures.period.pace

    @property
    def has_catalogue(self) -> bool:
        return bool(self.figures.services)

    @property
    def is_puskesmas(self) -> bool:
        return self.meeting.level == "puskesmas"

    @property
    def area_label(self) -> str:
        return self.meeting.owner.name

    @property
    def below_pace(self) -> list[ServiceLine]:
        return self.figures.below_pace

    @property
    def village_rows(self) -> list[tuple[Village, list[Figure]]]:
        """Per desa of a puskesmas, its figure for each service (rows of the desa matrix)."""
        lines = self.figures.services
        if not lines:
            return []
        return [
            (village, [line.villages[index][1] for line in lines])
            for index, (village, __) in enumerate(lines[0].villages)
        ]

    @property
    def overdue(self) -> set[FollowUp | Commitment]:
        """The open items past their due date on the day the pack is printed."""
        items: list[FollowUp | Commitment] = [
            *self.open_items.follow_ups,
            *self.open_items.commitments,
        ]
        return {item for item in items if item.is_overdue(self.printed_on)}

    @property
    def next_section(self) -> int:
        """The number of the first extra section (after the open items)."""
        return 5 if self.has_catalogue else 2

    @property
    def months_missing(self) -> int:
        return max(0, self.figures.months_expected - self.figures.months_approved)


def meeting_pack(*, user: User, meeting: Meeting) -> MeetingPack:
    """The pack of `meeting` as `user` may see it (scoped; a dozen queries whatever the number of
    desa, puskesmas or open items)."""
    year, month = meeting.review_month
    figures = year_to_date(user=user, area=meeting.owner, year=year, month=month)
    return MeetingPack(
        meeting=meeting,
        figures=figures,
        open_items=open_items_for(user=user, meeting=meeting),
        extra_sections=sections_for(meeting, user),
    )
