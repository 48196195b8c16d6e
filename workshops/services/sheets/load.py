"""The imports: a filled template checked whole, then saved row by row through the same services
as the forms, all inside one transaction that any problem rolls back."""

from __future__ import annotations

from functools import partial
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import FundingSource, PartnerOrganisation
from indicators.scoping import in_area

from ...models import SECTOR_CHOICES, FollowUp, Meeting, Participant
from ...rights import can_manage_meeting
from ...selectors.outcomes import partners_of_meeting
from ..items import follow_up_save
from ..participants import attendance_take, participant_add, participant_update
from ..problems import lock_open_meeting
from .cells import (
    RowReader,
    codes_of,
    date_of,
    partner_of,
    problem_of,
    read_rows,
    refusal,
    rupiah_of,
    yes_no_of,
)
from .layout import PARTICIPANTS, PERSON_KEYS, RTL, ImportSummary, problem_numbers


def _lock_for_participants(meeting: Meeting, by) -> Meeting:
    if not can_manage_meeting(by, meeting):
        raise PermissionDenied(
            _("Only the organisers of this meeting can change its participants.")
        )
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status == Meeting.Status.CLOSED:
        raise ValidationError(_("This meeting is closed: reopen it to change its participants."))
    return current


@transaction.atomic
def participants_import(*, meeting: Meeting, upload: IO[bytes], by) -> ImportSummary:
    """Add and correct participants, and their attendance, from a filled template; all rows or
    none. Raises PermissionDenied, or ValidationError listing every located problem."""
    meeting = _lock_for_participants(meeting, by)
    sheet, rows, errors = read_rows(upload, PARTICIPANTS)
    if rows is None:
        raise refusal(errors)
    saved = {p.pk: p for p in Participant.objects.filter(meeting=meeting)}
    sectors, seen, marks = codes_of(SECTOR_CHOICES), {}, {}
    added = updated = 0
    for number, values in rows:
        row = RowReader(sheet, PARTICIPANTS, number, values, errors)
        participant = row.existing(saved, seen)
        data = {key: row.text(key) for key in ("position", "organisation", "phone")}
        data["name"] = row.text("name", required=True)
        data["sector"] = row.code("sector", sectors, required=True)
        data["signs_agreement"] = bool(row.read("signs_agreement", partial(yes_no_of, empty=False)))
        attended = row.read("attended", partial(yes_no_of, empty=None))
        if participant is False:
            continue
        try:
            if participant is None:
                participant = participant_add(meeting=meeting, by=by, data=data)
                added += 1
            else:
                participant.meeting = meeting
                person_changed = any(getattr(participant, k) != data[k] for k in PERSON_KEYS)
                if person_changed or participant.attended != attended:
                    updated += 1
                if person_changed:
                    participant_update(participant=participant, by=by, data=data)
        except ValidationError as error:
            row.refused(error)
            continue
        marks[participant.pk] = (attended, data["signs_agreement"])
    if errors:
        raise refusal(errors)
    attendance_take(meeting=meeting, by=by, marks=marks)
    return ImportSummary(added=added, updated=updated, unchanged=len(rows) - added - updated)


def _partner_names(meeting: Meeting, user) -> dict[str, PartnerOrganisation]:
    """Partners the user can name, by name or short name (case-blind); the meeting's own win."""
    ours = set(partners_of_meeting(meeting).values_list("pk", flat=True))
    partners = sorted(in_area(PartnerOrganisation.objects.all(), user), key=lambda p: p.pk in ours)
    names = {p.short_name.casefold(): p for p in partners if p.short_name}
    return names | {p.name.casefold(): p for p in partners}


def _unchanged(item: FollowUp, values: dict) -> bool:
    partner = values["partner"]
    for key, value in values.items():
        if key in ("problem", "partner"):
            value, key = (value.pk if value else None), f"{key}_id"
        elif key == "sector" and not value and partner and item.sector == partner.sector:
            continue  # the service filled the empty sector from the partner
        if getattr(item, key) != value:
            return False
    return True


@transaction.atomic
def rtl_import(*, meeting: Meeting, upload: IO[bytes], by) -> ImportSummary:
    """Add and correct RTL items from a filled template, each checked by `follow_up_save` as the
    form is; statuses stay as they are. All rows or none; raises PermissionDenied, or
    ValidationError listing every located problem."""
    meeting = lock_open_meeting(meeting, by=by)
    sheet, rows, errors = read_rows(upload, RTL)
    if rows is None:
        raise refusal(errors)
    saved = {i.pk: i for i in FollowUp.objects.filter(meeting=meeting).select_related("root_cause")}
    problems = {str(n): p for n, p in problem_numbers(meeting).items()}
    partners = _partner_names(meeting, by)
    sectors, funds, seen = codes_of(SECTOR_CHOICES), codes_of(FundingSource.choices), {}
    added = updated = 0
    for number, cells in rows:
        row = RowReader(sheet, RTL, number, cells, errors)
        item = row.existing(saved, seen)
        values = {
            "problem": row.read("problem", partial(problem_of, problems=problems)),
            "activity": row.text("activity", required=True),
            "goal": row.text("goal"),
            "target_group": row.text("target_group"),
            "target": row.text("target"),
            "due_on": row.read("due_on", date_of, required=True),
            "responsible": row.text("responsible", required=True),
            "sector": row.code("sector", sectors),
            "partner": row.read("partner", partial(partner_of, partners=partners)),
            "cost_idr": row.read("cost_idr", rupiah_of),
            "funding_source": row.code("funding_source", funds),
            "success_indicator": row.text("success_indicator"),
        }
        if item is False or (item is not None and not row.bad and _unchanged(item, values)):
            continue
        is_new = item is None
        item = item or FollowUp(meeting=meeting)
        for key, value in values.items():
            setattr(item, key, value)
        if item.root_cause_id and item.root_cause.problem_id != item.problem_id:
            item.root_cause = None  # the file has no root cause column: keep one only if it fits
        try:
            follow_up_save(follow_up=item, by=by)
        except ValidationError as error:
            row.refused(error)
            continue
        added, updated = added + is_new, updated + (not is_new)
    if errors:
        raise refusal(errors)
    return ImportSummary(added=added, updated=updated, unchanged=len(rows) - added - updated)
