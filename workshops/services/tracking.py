"""RTL items and commitments followed to done across quarters (issue #6, item 4).

planned -> in progress -> done (with evidence: a note and/or a file) or dropped (with a reason);
a done or dropped item can be reopened (back to in progress) with a note. Every change is kept as a
StatusUpdate, stamped with the later meeting that reviewed the item when it was made there.
Who may change: `rights.can_follow_up` (whoever runs the meeting, and the district's planners).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.models import User

from .. import images
from ..models import Commitment, FollowUp, Meeting, StatusUpdate, Tracked
from ..rights import can_follow_up
from .records import store_file, stored_files

logger = logging.getLogger(__name__)

Status = Tracked.Status
NOTE_MAX_LENGTH = 2000

# Where an item may go from each status.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PLANNED: (Status.IN_PROGRESS, Status.DONE, Status.DROPPED),
    Status.IN_PROGRESS: (Status.DONE, Status.DROPPED),
    Status.DONE: (Status.IN_PROGRESS,),
    Status.DROPPED: (Status.IN_PROGRESS,),
}
CLOSED_STATUSES = (Status.DONE, Status.DROPPED)


def next_statuses(item: Tracked) -> tuple[str, ...]:
    """The statuses `item` may move to from where it is."""
    return TRANSITIONS.get(item.status, ())


def _label(status: str) -> str:
    return str(dict(Status.choices).get(status, status)).lower()


def _same_owner(meeting: Meeting, other: Meeting) -> bool:
    """Whether `meeting` is held by the area that holds `other`'s meeting, or by one above it."""
    if meeting.level == "puskesmas":
        return meeting.puskesmas_id == other.puskesmas_id
    if meeting.level == "district":
        return meeting.district_id is not None and meeting.district_id == other.district_id
    return meeting.province_id == other.province_id


def _check_reviewed_in(item: FollowUp | Commitment, reviewed_in: Meeting) -> str | None:
    if not _same_owner(reviewed_in, item.meeting):
        return _("The reviewing meeting must be held in the item's own area.")
    if reviewed_in.held_on <= item.meeting.held_on:
        return _("The reviewing meeting must be held after the meeting that planned the item.")
    return None


def _check_note(old: str, new: str, note: str, evidence: UploadedFile | None) -> str | None:
    if new == Status.DONE and not note and evidence is None:
        return _("Say what was done, or attach the evidence (a report, a photo, a list).")
    if new == Status.DROPPED and not note:
        return _("Give the reason the item is dropped.")
    if old in CLOSED_STATUSES and not note:
        return _("Say why the item is reopened.")
    return None


def status_change_errors(
    item: Tracked, *, status: str, note: str, evidence: UploadedFile | None = None
) -> dict[str, str | list[str]]:
    """What is wrong with moving a tracked item (`workshops.models.outcomes.Tracked`: an RTL
    item, a commitment, and the assessments' mentoring and supervision RTL) to `status` with
    `note`, by field: the move allowed, evidence when done, a reason when dropped, a note when
    reopened, the note's length. Every kind of tracked item follows these same rules."""
    errors: dict[str, str | list[str]] = {}
    if status not in Status.values:
        errors["status"] = _("Choose a status.")
    elif status == item.status:
        errors["status"] = _("The item is %(status)s already.") % {"status": _label(status)}
    elif status not in next_statuses(item):
        errors["status"] = _("An item that is %(old)s cannot become %(new)s.") % {
            "old": _label(item.status),
            "new": _label(status),
        }
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("Keep the note under %(count)s characters.") % {"count": NOTE_MAX_LENGTH}
    elif "status" not in errors and (problem := _check_note(item.status, status, note, evidence)):
        errors["note"] = problem
    return errors


def _clean(
    item: FollowUp | Commitment,
    *,
    status: str,
    note: str,
    evidence: UploadedFile | None,
    reviewed_in: Meeting | None,
) -> tuple[dict[str, str | list[str]], ContentFile | None]:
    """Every problem with the requested change, by field; and the evidence file to store."""
    errors = status_change_errors(item, status=status, note=note, evidence=evidence)
    stored: ContentFile | None = None
    if evidence is not None:
        try:
            stored = images.document_from_upload(evidence)
        except ValidationError as error:
            errors["evidence"] = error.messages
    if reviewed_in is not None and (problem := _check_reviewed_in(item, reviewed_in)):
        errors["reviewed_in"] = problem
    return errors, stored


@transaction.atomic
def item_status_change(
    *,
    item: FollowUp | Commitment,
    status: str,
    note: str = "",
    evidence: UploadedFile | None = None,
    reviewed_in: Meeting | None = None,
    by: User,
) -> StatusUpdate:
    """Move an RTL item or a commitment to `status` and keep the change as a StatusUpdate (with
    its note, evidence file and reviewing meeting). Refused, with nothing saved, when the move is
    not allowed, evidence or a reason is missing, the file is bad, the reviewing meeting is not a
    later meeting of the same area, or someone changed the status meanwhile. Atomic."""
    if not can_follow_up(by, item.meeting):
        raise PermissionDenied(_("You may not change the status of this item."))
    note = (note or "").strip()
    errors, stored = _clean(
        item, status=status, note=note, evidence=evidence, reviewed_in=reviewed_in
    )
    if errors:
        raise ValidationError(errors)
    old, now = item.status, timezone.now()
    kept_note = note if status in CLOSED_STATUSES else ""
    changed = (
        type(item)
        .objects.filter(pk=item.pk, status=old)
        .update(status=status, status_note=kept_note, status_changed_at=now, status_changed_by=by)
    )
    if not changed:
        raise ValidationError(
            _(
                "Someone changed this item's status while you were looking at it. Nothing was "
                "saved: reload the page to see its status now."
            )
        )
    key = "follow_up" if isinstance(item, FollowUp) else "commitment"
    update = StatusUpdate(
        **{key: item},
        reviewed_in=reviewed_in,
        old_status=old,
        new_status=status,
        note=note,
        at=now,
        by=by,
    )
    with stored_files() as names:
        if stored is not None:
            store_file(update.evidence, stored, names)
        update.save()
    item.status, item.status_note = status, kept_note
    item.status_changed_at, item.status_changed_by = now, by
    logger.info("%s %s: %s -> %s by %s", key, item.pk, old, status, by.pk)
    return update
