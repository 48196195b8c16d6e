"""After the meeting: minutes (notulen) and agreement text, photos, and the signed agreement scan.

Who may write: whoever runs the meeting (`rights.can_manage_meeting`). Every write is atomic and
checks everything before it stores anything: a bad photo among ten stores none of them. Files are
written to storage inside the transaction and removed again if it fails, so no orphan stays behind.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.models import User
from kernel.versioning import save_versioned

from .. import images
from ..models import Meeting, Photo
from ..rights import can_manage_meeting
from .meetings import save_meeting

logger = logging.getLogger(__name__)

MAX_PHOTOS_PER_MEETING = 100


def _caption_max_length() -> int:
    field = Photo._meta.get_field("caption")
    assert isinstance(field, models.CharField) and field.max_length is not None  # a CharField
    return field.max_length


CAPTION_MAX_LENGTH = _caption_max_length()


def _require_manager(meeting: Meeting, by: User) -> None:
    if not can_manage_meeting(by, meeting):
        raise PermissionDenied(_("Only those who run this meeting may change its records."))


def _lock(meeting: Meeting) -> Meeting:
    """The meeting's row, locked for this transaction."""
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


@contextlib.contextmanager
def stored_files() -> Iterator[list[str]]:
    """Collect names of files written to storage; delete them if the block fails."""
    names: list[str] = []
    try:
        yield names
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise


def store_file(file: FieldFile, content: ContentFile, stored: list[str]) -> None:
    """Write `content` to `file`'s storage (its row is saved by the caller) and add the name it
    was stored under to `stored` (of `stored_files`)."""
    assert content.name is not None  # `images` names every file it makes
    file.save(content.name, content, save=False)
    assert file.name is not None  # set by FieldFile.save
    stored.append(file.name)


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _delete_after_commit(*files: FieldFile | str) -> None:
    names: list[str] = []
    for file in files:
        name = file if isinstance(file, str) else file.name
        if name:  # a FieldFile is empty exactly when it has no name
            names.append(name)
    if names:
        transaction.on_commit(lambda: _delete_files(names))


# --- Minutes and agreement text -----------------------------------------------------------------


@transaction.atomic
def meeting_minutes_save(
    *, meeting: Meeting, minutes: str, agreement_text: str, version: int, by: User
) -> Meeting:
    """Save the notulen and the joint agreement text; refused once the meeting is closed, for
    the agreement text once the signed scan is in, and if the meeting changed since `version`
    (StaleEdit: who saved, when, their text beside the user's). Bumps the version; atomic."""
    _require_manager(meeting, by)
    current = _lock(meeting)
    if current.status == Meeting.Status.CLOSED:
        raise ValidationError(
            _("This meeting is closed: reopen it to change its minutes or agreement.")
        )
    minutes, agreement_text = minutes.strip(), agreement_text.strip()
    if current.signed_agreement and agreement_text != current.agreement_text:
        raise ValidationError(
            {
                "agreement_text": _(
                    "The signed agreement is already uploaded: its text can no longer change."
                )
            }
        )
    if (minutes, agreement_text) == (current.minutes, current.agreement_text):
        return current
    current.minutes, current.agreement_text = minutes, agreement_text
    fields = ["minutes", "agreement_text"]
    save_meeting(current, by=by, version=version, fields=fields, reason="minutes", only=True)
    return current


# --- Photos -------------------------------------------------------------------------------------


def photos_add(
    *, meeting: Meeting, uploads: Sequence[UploadedFile], caption: str = "", by: User
) -> list[Photo]:
    """Check every uploaded photo, then store them all resized without metadata, or none: a
    refusal names each bad file. Photos are decoded one at a time and only the small re-encoded
    files kept, so memory does not grow with their number. Atomic."""
    _require_manager(meeting, by)
    if not uploads:
        raise ValidationError({"images": _("Choose at least one photo.")})
    if len(uploads) > images.max_files():
        raise ValidationError(
            {
                "images": _("Upload at most %(count)s photos at a time.")
                % {"count": images.max_files()}
            }
        )
    caption = caption.strip()
    errors: dict[str, list[str]] = {"images": [], "caption": []}
    if len(caption) > CAPTION_MAX_LENGTH:
        errors["caption"].append(
            _("Keep the caption under %(count)s characters.") % {"count": CAPTION_MAX_LENGTH}
        )
    prepared: list[images.StoredPhoto] = []
    for upload in uploads:
        try:
            prepared.append(images.photo_from_upload(upload))
        except ValidationError as error:
            errors["images"].extend(error.messages)
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)
    return _store_photos(meeting=meeting, prepared=prepared, caption=caption, by=by)


@transaction.atomic
def _store_photos(
    *, meeting: Meeting, prepared: list[images.StoredPhoto], caption: str, by: User
) -> list[Photo]:
    _lock(meeting)  # two uploads at once count each other's photos
    already = Photo.objects.filter(meeting=meeting).count()
    if already + len(prepared) > MAX_PHOTOS_PER_MEETING:
        raise ValidationError(
            {
                "images": _("A meeting keeps at most %(limit)s photos; it has %(count)s already.")
                % {"limit": MAX_PHOTOS_PER_MEETING, "count": already}
            }
        )
    photos: list[Photo] = []
    with stored_files() as stored:
        for item in prepared:
            photo = Photo(meeting=meeting, caption=caption, uploaded_by=by)
            store_file(photo.image, item.image, stored)
            store_file(photo.thumbnail, item.thumbnail, stored)
            photo.save()
            photos.append(photo)
    logger.info("%s photos added to meeting %s by %s", len(photos), meeting.pk, by.pk)
    return photos


@transaction.atomic
def photo_caption_save(
    *, photo: Photo, caption: str, by: User, version: int | None = None
) -> Photo:
    """Change a photo's caption, as an edit made at `version` (StaleEdit if someone changed
    it since)."""
    _require_manager(photo.meeting, by)
    caption = caption.strip()
    if len(caption) > CAPTION_MAX_LENGTH:
        raise ValidationError(
            {
                "caption": _("Keep the caption under %(count)s characters.")
                % {"count": CAPTION_MAX_LENGTH}
            }
        )
    photo.caption = caption
    return save_versioned(
        photo,
        by=by,
        version=version,
        fields=["caption"],
        save=lambda p: p.save(update_fields=["caption", "version", "updated_by", "updated_at"]),
    )


@transaction.atomic
def photo_delete(*, photo: Photo, by: User) -> None:
    """Delete a photo and, once committed, its files; logged with who deleted it."""
    _require_manager(photo.meeting, by)
    logger.info("Photo %s of meeting %s deleted by %s", photo.pk, photo.meeting_id, by.pk)
    _delete_after_commit(photo.image, photo.thumbnail)
    photo.delete()


# --- Signed agreement ---------------------------------------------------------------------------


def _require_held(meeting: Meeting) -> None:
    if meeting.status not in Meeting.HELD_STATUSES:
        raise ValidationError(_("Upload the signed agreement once the meeting is marked as held."))


@transaction.atomic
def agreement_scan_upload(
    *, meeting: Meeting, uploads: Sequence[UploadedFile], by: User
) -> Meeting:
    """Store the signed joint agreement (one PDF, or photos of the pages joined into one PDF) once
    the meeting is held; replaces an earlier scan; records who and when; bumps the version.
    Atomic; a bad file stores nothing."""
    _require_manager(meeting, by)
    _require_held(meeting)
    if not uploads:
        raise ValidationError({"scan": _("Choose the scanned agreement (PDF or photos).")})
    try:
        content = images.scan_from_uploads(uploads)
    except ValidationError as error:
        raise ValidationError({"scan": error.messages}) from error
    current = _lock(meeting)
    _require_held(current)
    previous = current.signed_agreement.name
    with stored_files() as stored:
        store_file(current.signed_agreement, content, stored)
        current.signed_agreement_at = timezone.now()
        current.signed_agreement_by = by
        save_meeting(
            current,
            by=by,
            version=current.version,  # an upload, made on the row locked above
            fields=["signed_agreement", "signed_agreement_at", "signed_agreement_by"],
            reason="signed agreement",
            only=True,
        )
    if previous:
        _delete_after_commit(previous)
    logger.info("Signed agreement of meeting %s uploaded by %s", meeting.pk, by.pk)
    return current
