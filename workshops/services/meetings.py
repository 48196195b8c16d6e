"""Writes about a meeting itself: create, edit (refused on a stale version), mark held, close,
reopen, delete. Rights come from `workshops.rights`; every write keeps who did it in the
meeting's history (django-simple-history), deletions included, and goes through
`save_meeting`, the one versioned save of a meeting (kernel/versioning.py): it bumps the
version and records who saved it and when, so an edit from an older form is refused with who
saved and their values beside the user's.

Status: planned -> held (attendance taken) -> closed (minutes written); a closed meeting can be
reopened (back to held). Only a planned meeting with nothing recorded can be deleted.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kernel.models import User
from kernel.versioning import save_versioned

from ..models import Meeting
from ..rights import can_manage_meeting, creatable_kinds

Kind = Meeting.Kind
Status = Meeting.Status

# What the meeting form may set; the area, status and records are set by the services.
MEETING_FIELDS = (
    "kind",
    "format",
    "title",
    "is_team_forming",
    "held_on",
    "starts_at",
    "ends_at",
    "place",
    "chair_name",
    "chair_position",
    "speaker",
    "agenda",
    "priority_method",
)
NULLABLE_FIELDS = ("held_on", "starts_at", "ends_at")
# Kinds whose format (meeting, FGD, training) the organiser chooses; the others are meetings.
FORMAT_KINDS = (Kind.DISTRICT_MEETING, Kind.PROVINCE_MEETING)
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def default_title(*, kind: str, held_on: datetime.date, format: str = "") -> str:
    """A meeting's usual title for its kind and date, e.g. "Lokakarya Mini Lintas Sektor
    Triwulan II 2026" (in the active language)."""
    values = {
        "month": MONTHS[held_on.month],
        "year": held_on.year,
        "quarter": ROMAN[(held_on.month - 1) // 3 + 1],
    }
    if kind == Kind.MONTHLY_LOKMIN:
        return _("Monthly lokakarya mini, %(month)s %(year)s") % values
    if kind == Kind.QUARTERLY_LOKMIN:
        return _("Cross-sector lokakarya mini, quarter %(quarter)s %(year)s") % values
    if kind == Kind.DISTRICT_FORUM:
        return _("Cross-sector health forum, quarter %(quarter)s %(year)s") % values
    if format == Meeting.Format.FGD:
        return _("Focus group discussion, %(month)s %(year)s") % values
    if format == Meeting.Format.TRAINING:
        return _("Technical training (bimtek), %(month)s %(year)s") % values
    return _("Coordination meeting, %(month)s %(year)s") % values


def _require_manager(meeting: Meeting, by: User) -> None:
    if not can_manage_meeting(by, meeting):
        raise PermissionDenied(_("Only the organisers of this meeting can change it."))


def _apply(meeting: Meeting, data: dict[str, Any]) -> None:
    """Copy the form's fields onto the meeting, with the rules that tie them to its kind."""
    for name in MEETING_FIELDS:
        if name in data:
            value = data[name]
            if value is None and name not in NULLABLE_FIELDS:
                value = ""  # an empty text field is "", never NULL
            setattr(meeting, name, value)
    if meeting.kind not in FORMAT_KINDS:
        meeting.format = Meeting.Format.MEETING
    if not meeting.is_lokmin:  # only a year's first lokmin forms the team
        meeting.is_team_forming = False
    meeting.title = (meeting.title or "").strip()
    if not meeting.title and meeting.held_on:
        meeting.title = default_title(
            kind=meeting.kind, held_on=meeting.held_on, format=meeting.format
        )


def _record_in_history(meeting: Meeting, *, by: User, reason: str = "") -> None:
    """Tell django-simple-history who makes the next change (and why): it reads these two
    attributes when it writes the history row; django-stubs does not know them."""
    setattr(meeting, "_history_user", by)  # noqa: B010
    if reason:
        setattr(meeting, "_change_reason", reason)  # noqa: B010


def save_meeting(
    meeting: Meeting,
    *,
    by: User,
    version: int | None,
    fields: list[str] | tuple[str, ...],
    reason: str = "",
    only: bool = False,
) -> Meeting:
    """Save the meeting as an edit made at `version` (StaleEdit if someone saved since), with
    who changed it in its history. `fields` are those the edit changes, compared on a refusal;
    with `only`, nothing else is written (a part of the meeting saved on its own page)."""
    meeting.full_clean()
    _record_in_history(meeting, by=by, reason=reason)
    columns = [*fields, "version", "updated_by", "updated_at"]
    return save_versioned(
        meeting,
        by=by,
        version=version,
        fields=list(fields),
        save=(lambda m: m.save(update_fields=columns)) if only else None,
    )


@transaction.atomic
def meeting_create(*, by: User, data: dict[str, Any]) -> Meeting:
    """Create a planned meeting in the creator's own area; atomic. The kind must be one the
    user may create; an empty title gets the kind's usual one."""
    kind = data.get("kind")
    if kind not in creatable_kinds(by):
        raise PermissionDenied(_("You cannot create this kind of meeting."))
    area = by.area
    assert area is not None  # creatable_kinds has none for a user without an area
    meeting = Meeting(created_by=by, status=Status.PLANNED)
    meeting.set_area(area)
    meeting.priority_method = Meeting.PriorityMethod.USG
    _apply(meeting, data)
    save_meeting(meeting, by=by, version=None, fields=MEETING_FIELDS)
    return meeting


def _lock(meeting: Meeting) -> Meeting:
    """The meeting's current row, locked until the transaction ends (two clicks, one win)."""
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _refresh(meeting: Meeting, current: Meeting) -> None:
    """Give the caller's object the saved values (keeping its annotations)."""
    for field in current._meta.concrete_fields:
        setattr(meeting, field.attname, getattr(current, field.attname))


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, by: User, version: int | None, data: dict[str, Any]
) -> Meeting:
    """Save the meeting form; atomic; refused if the meeting is closed, if the change would
    break what is recorded in it, or if someone saved since `version` (StaleEdit: who, when,
    and their values beside the user's)."""
    _require_manager(meeting, by)
    current = _lock(meeting)
    if current.status == Status.CLOSED:
        raise ValidationError(_("This meeting is closed: reopen it before changing it."))
    errors = {}
    kind = data.get("kind", current.kind)
    if kind != current.kind:
        if current.status != Status.PLANNED:
            errors["kind"] = _("The kind of a meeting that was held cannot change.")
        elif Meeting.LEVEL_OF_KIND.get(kind) != current.level:
            errors["kind"] = _("A meeting cannot move to another level (puskesmas, district).")
    method = data.get("priority_method", current.priority_method)
    if method != current.priority_method and current.problems.exists():
        errors["priority_method"] = _(
            "This meeting has problems already: change the method on the problems page, which "
            "recomputes their scores."
        )
    if errors:
        raise ValidationError(errors)
    _apply(current, data)
    save_meeting(current, by=by, version=version, fields=MEETING_FIELDS)
    _refresh(meeting, current)
    return meeting


def _move(
    meeting: Meeting,
    *,
    by: User,
    source: str,
    target: str,
    check: Callable[[Meeting], None],
) -> Meeting:
    """Move the meeting from `source` to `target` status once `check(current)` passes."""
    _require_manager(meeting, by)
    current = _lock(meeting)
    if current.status != source:
        raise ValidationError(
            _("This meeting is %(status)s: it cannot be changed that way now.")
            % {"status": current.get_status_display().lower()}
        )
    check(current)
    current.status = target
    save_meeting(current, by=by, version=current.version, fields=["status"])
    _refresh(meeting, current)
    return meeting


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, by: User) -> Meeting:
    """Planned -> held, once the day has come and attendance shows at least one person came."""

    def check(current: Meeting) -> None:
        if current.held_on > timezone.localdate():
            raise ValidationError(
                _("This meeting is on %(date)s: it can be marked held from that day.")
                % {"date": date_format(current.held_on, "DATE_FORMAT")}
            )
        if not current.participants.filter(attended=True).exists():
            raise ValidationError(
                _("Take attendance first: at least one participant must be marked present.")
            )

    return _move(meeting, by=by, source=Status.PLANNED, target=Status.HELD, check=check)


@transaction.atomic
def meeting_close(*, meeting: Meeting, by: User) -> Meeting:
    """Held -> closed, once the minutes (notulen) are written; a closed meeting is read-only."""

    def check(current: Meeting) -> None:
        if not current.minutes.strip():
            raise ValidationError(_("Write the minutes (notulen) before closing the meeting."))

    return _move(meeting, by=by, source=Status.HELD, target=Status.CLOSED, check=check)


@transaction.atomic
def meeting_reopen(*, meeting: Meeting, by: User) -> Meeting:
    """Closed -> held, so that its records can be corrected."""
    return _move(meeting, by=by, source=Status.CLOSED, target=Status.HELD, check=lambda m: None)


def recorded_in(meeting: Meeting) -> list[str]:
    """What has been recorded in the meeting beyond its invitations (empty: nothing yet)."""
    found = []
    if meeting.participants.filter(attended__isnull=False).exists():
        found.append(_("attendance"))
    for related, label in (
        (meeting.problems, _("problems")),
        (meeting.follow_ups, _("RTL items")),
        (meeting.commitments, _("commitments")),
        (meeting.proposals, _("Musrenbang proposals")),
        (meeting.photos, _("photos")),
        (meeting.status_updates, _("status updates")),
    ):
        if related.exists():
            found.append(label)
    if meeting.minutes.strip() or meeting.agreement_text.strip() or meeting.signed_agreement:
        found.append(_("minutes or agreement"))
    return found


@transaction.atomic
def meeting_delete(*, meeting: Meeting, by: User) -> None:
    """Delete a planned meeting with nothing recorded (its invitations go with it); atomic; the
    history keeps who deleted it and when."""
    _require_manager(meeting, by)
    current = _lock(meeting)
    if current.status != Status.PLANNED:
        raise ValidationError(_("Only a planned meeting can be deleted."))
    found = recorded_in(current)
    if found:
        raise ValidationError(
            _("This meeting already has %(records)s: it cannot be deleted.")
            % {"records": ", ".join(str(item) for item in found)}
        )
    _record_in_history(current, by=by)
    current.delete()
