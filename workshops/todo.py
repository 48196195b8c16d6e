"""What meetings ask of each person, for the to-do home (kernel.todo).

- Puskesmas heads and staff: their puskesmas's overdue RTL items and commitments, and its next
  meeting.
- District planners: the overdue RTL items and commitments of the district, by puskesmas.

Counts come from the follow-up board's selectors and aggregate queries through `in_area`; the
links open the board filtered the same way.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count
from django.urls import reverse
from django.utils.formats import date_format, time_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kernel.models import User
from kernel.roles import is_district_planner, is_puskesmas_member
from kernel.scoping import in_area
from kernel.todo import TodoItem, todo_register

from . import selectors
from .models import Commitment, FollowUp, Meeting, Tracked
from .selectors.district import COMMITMENT, RTL, BoardFilters

FOLLOW_UP = gettext_lazy("RTL items and commitments")
MEETINGS = gettext_lazy("Meetings")
# Puskesmas listed one by one on a planner's home; the rest are one line to the whole board.
PUSKESMAS_LINES = 8


def _board_url(**query) -> str:
    return f"{reverse('workshops:followup-board')}?{urlencode({**query, 'overdue': 'on'})}"


def _overdue_words(rtl: int, commitments: int) -> str:
    """ "2 RTL items, 1 commitment": the kinds there are, each counted."""
    words = []
    if rtl:
        words.append(ngettext("%(count)s RTL item", "%(count)s RTL items", rtl) % {"count": rtl})
    if commitments:
        words.append(
            ngettext("%(count)s commitment", "%(count)s commitments", commitments)
            % {"count": commitments}
        )
    return ", ".join(words)


def puskesmas_followups_todo(user: User, today: datetime.date) -> list[TodoItem]:
    """The puskesmas's overdue RTL items and commitments (two queries) and its next planned
    meeting (one query)."""
    if not (is_puskesmas_member(user) and user.puskesmas_id):
        return []
    items = []
    kinds = (
        (
            RTL,
            lambda n: ngettext("%(count)s RTL item overdue", "%(count)s RTL items overdue", n),
        ),
        (
            COMMITMENT,
            lambda n: ngettext("%(count)s commitment overdue", "%(count)s commitments overdue", n),
        ),
    )
    for key, label in kinds:
        counts = selectors.followup_counts(
            user=user, filters=BoardFilters(item_type=key), today=today
        )
        if counts["overdue"]:
            items.append(
                TodoItem(
                    section=FOLLOW_UP,
                    label=label(counts["overdue"]) % {"count": counts["overdue"]},
                    count=counts["overdue"],
                    url=_board_url(type=key),
                    tone="danger",
                    detail=_("Past their due date and neither done nor dropped."),
                )
            )
    meeting = (
        in_area(Meeting.objects.all(), user)
        .filter(held_on__gte=today, status=Meeting.Status.PLANNED)
        .order_by("held_on", "starts_at", "pk")
        .first()
    )
    if meeting is not None:
        when = date_format(meeting.held_on, "l, j F Y")
        if meeting.starts_at:
            when = f"{when}, {time_format(meeting.starts_at, 'H:i')}"
        items.append(
            TodoItem(
                section=MEETINGS,
                label=_("Next meeting: %(title)s") % {"title": meeting.title},
                url=reverse("workshops:meeting-detail", args=[meeting.pk]),
                tone="info",
                detail=f"{when} · {meeting.place}",
                due_on=meeting.held_on,
            )
        )
    return items


def district_followups_todo(user: User, today: datetime.date) -> list[TodoItem]:
    """The district's overdue RTL items and commitments by puskesmas, and those of the
    district's own meetings by kind of meeting (two grouped queries), each line to the board
    filtered to just those items."""
    if not (is_district_planner(user) and user.district_id):
        return []
    kinds = dict(Meeting.Kind.choices)
    # A line per puskesmas (its id), or per kind of district meeting ("kind", the kind).
    lines_by: dict[object, dict] = defaultdict(lambda: {"name": "", "rtl": 0, "other": 0})
    for model, key in ((FollowUp, "rtl"), (Commitment, "other")):
        rows = (
            in_area(model.objects.all(), user)
            .filter(status__in=Tracked.OPEN_STATUSES, due_on__lt=today)
            .values("meeting__puskesmas_id", "meeting__puskesmas__name", "meeting__kind")
            .annotate(count=Count("pk"))
            .order_by()
        )
        for row in rows:
            puskesmas_id, kind = row["meeting__puskesmas_id"], row["meeting__kind"]
            line = lines_by[puskesmas_id or ("kind", kind)]
            line["name"] = row["meeting__puskesmas__name"] or str(kinds.get(kind, kind))
            line["query"] = {"puskesmas": puskesmas_id} if puskesmas_id else {"kind": kind}
            line[key] += row["count"]
    lines = sorted(
        lines_by.values(),
        key=lambda line: ("kind" in line["query"], -(line["rtl"] + line["other"]), line["name"]),
    )
    items = [
        TodoItem(
            section=FOLLOW_UP,
            label=_("%(name)s: %(items)s overdue")
            % {"name": line["name"], "items": _overdue_words(line["rtl"], line["other"])},
            count=line["rtl"] + line["other"],
            url=_board_url(**line["query"]),
            tone="danger",
        )
        for line in lines[:PUSKESMAS_LINES]
    ]
    rest = lines[PUSKESMAS_LINES:]
    if rest:
        total = sum(line["rtl"] + line["other"] for line in rest)
        items.append(
            TodoItem(
                section=FOLLOW_UP,
                label=ngettext(
                    "%(count)s more item overdue elsewhere in the district",
                    "%(count)s more items overdue elsewhere in the district",
                    total,
                )
                % {"count": total},
                count=total,
                url=_board_url(),
                tone="danger",
            )
        )
    return items


todo_register("workshops.puskesmas_followups", puskesmas_followups_todo, order=40)
todo_register("workshops.district_followups", district_followups_todo, order=50)
