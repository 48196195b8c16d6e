"""What meetings tell whom (issue #15), declared on the kernel's notifications: a daily scan of
RTL items (FollowUp) and commitments still open that are due in 3 days or overdue, to the
people of the area that holds their meeting (the puskesmas's head and staff for a lokmin, the
district's planners for a forum, the province's reviewers for a provincial meeting): they follow
the item up. Once per item and due date (a new due date is told again). Imported in
WorkshopsConfig.ready()."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kernel.notifications import (
    Notice,
    people_of_puskesmas,
    planners_of_district,
    reviewers_of_province,
    scan_register,
)

from .models import Commitment, FollowUp, Meeting

DAYS_BEFORE_DUE = 3


def meeting_people(meeting: Meeting):
    """Who follows up what a meeting decided: the people of the area that held it."""
    if meeting.puskesmas_id:
        return people_of_puskesmas(meeting.puskesmas_id)
    if meeting.district_id:
        return planners_of_district(meeting.district_id)
    return reviewers_of_province(meeting.province_id)


def _due_or_overdue(model, today: datetime.date):
    soon = today + datetime.timedelta(days=DAYS_BEFORE_DUE)
    return (
        model.objects.filter(status__in=model.OPEN_STATUSES)
        .filter(Q(due_on=soon) | Q(due_on__lt=today))
        .select_related("meeting")
        .order_by("meeting_id", "due_on", "pk")
    )


def _notice(item, *, kind: str, what: str, url: str, today: datetime.date) -> Notice:
    overdue = item.due_on < today
    due = item.due_on

    def title() -> str:
        words = {"what": what, "date": date_format(due, "DATE_FORMAT")}
        if overdue:
            return _("Overdue since %(date)s: %(what)s") % words
        return _("Due on %(date)s, in 3 days: %(what)s") % words

    meeting = item.meeting
    return Notice(
        recipients=meeting_people(meeting),
        kind=f"{kind}_{'overdue' if overdue else 'due'}",
        title=title,
        body=lambda: (
            _("From the meeting %(meeting)s. Update its status when it moves.")
            % {"meeting": meeting.title}
        ),
        url=url,
        obj=item,
        key=f"{kind}-{'overdue' if overdue else 'due'}:{item.pk}:{due.isoformat()}",
    )


def followup_notices(today: datetime.date) -> Iterator[Notice]:
    """Open RTL items due in 3 days or overdue."""
    for item in _due_or_overdue(FollowUp, today):
        yield _notice(
            item,
            kind="rtl",
            what=item.activity[:150],
            url=reverse("workshops:followup-status", args=[item.pk]),
            today=today,
        )


def commitment_notices(today: datetime.date) -> Iterator[Notice]:
    """Open commitments due in 3 days or overdue."""
    for item in _due_or_overdue(Commitment, today):
        yield _notice(
            item,
            kind="commitment",
            what=" ".join(item.description.split())[:150],
            url=reverse("workshops:commitment-status", args=[item.pk]),
            today=today,
        )


scan_register("workshops.followups_due", followup_notices)
scan_register("workshops.commitments_due", commitment_notices)
