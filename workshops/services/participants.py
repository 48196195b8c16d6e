"""Writes about who is invited to a meeting and who came: staff, partner organisations, free-text
people (village heads, school heads, cadres), attendance with walk-ins, and who signs the joint
agreement. Only the meeting's organisers may change them, and not once the meeting is closed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.models import PartnerOrganisation, User
from kernel.versioning import save_versioned

from ..models import HEALTH_SECTOR, Meeting, Participant
from ..rights import can_manage_meeting
from ..selectors.meetings import meeting_partners, meeting_staff, shortcut_partners

PERSON_FIELDS = ("name", "position", "organisation", "sector", "phone", "signs_agreement")
PHONE = re.compile(r"\+?[0-9][0-9 ().-]{5,30}")


def _require_open(meeting: Meeting, by: User) -> None:
    if not can_manage_meeting(by, meeting):
        raise PermissionDenied(
            _("Only the organisers of this meeting can change its participants.")
        )
    if meeting.status == Meeting.Status.CLOSED:
        raise ValidationError(_("This meeting is closed: reopen it to change its participants."))


def lock_open_for_participants(meeting: Meeting, *, by: User) -> Meeting:
    """The meeting, locked for this transaction, if `by` may change its participants and it is
    not closed; else PermissionDenied or ValidationError. Call inside a transaction."""
    _require_open(meeting, by)
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_open(current, by)
    return current


def _field_label(field: str) -> str:
    if field not in PERSON_FIELDS:
        return ""
    model_field = Participant._meta.get_field(field)
    assert isinstance(model_field, models.Field)  # a person's own field, not a relation
    return str(model_field.verbose_name)


def _next_order(meeting: Meeting) -> int:
    return (meeting.participants.aggregate(last=Max("order"))["last"] or 0) + 1


def _person(participant: Participant, data: Mapping[str, object]) -> Participant:
    """Copy a person's fields onto `participant` and check them; raises with field keys."""
    for name in PERSON_FIELDS:
        if name in data:
            value = data[name]
            setattr(participant, name, value.strip() if isinstance(value, str) else value)
    if participant.phone and not PHONE.fullmatch(participant.phone):
        raise ValidationError(
            {"phone": _("Enter a phone number in digits, for example 0812 3456 7890.")}
        )
    participant.full_clean()
    return participant


@transaction.atomic
def participant_add(
    *, meeting: Meeting, by: User, data: Mapping[str, object], attended: bool | None = None
) -> Participant:
    """Invite one person by name (or add a walk-in with `attended=True`); atomic."""
    _require_open(meeting, by)
    participant = Participant(
        meeting=meeting,
        order=_next_order(meeting),
        is_invited=attended is None,
        attended=attended,
    )
    return save_versioned(_person(participant, data), by=by, version=None)


@transaction.atomic
def participant_update(
    *, participant: Participant, by: User, data: Mapping[str, object], version: int | None = None
) -> Participant:
    """Correct a participant's name, position, organisation, sector, phone or signing, as an
    edit made at `version` (StaleEdit if someone saved since: who, when, both values)."""
    _require_open(participant.meeting, by)
    _person(participant, data)
    columns = [*PERSON_FIELDS, "version", "updated_by", "updated_at"]
    save_versioned(
        participant,
        by=by,
        version=version,
        fields=PERSON_FIELDS,
        save=lambda p: p.save(update_fields=columns),
    )
    return participant


@transaction.atomic
def participant_delete(*, participant: Participant, by: User) -> None:
    """Remove a participant from the meeting."""
    _require_open(participant.meeting, by)
    participant.delete()


def _organisation_of(meeting: Meeting) -> str:
    """How staff of the meeting's own area sign: their puskesmas, Dinkes or province."""
    if meeting.level == "puskesmas":
        assert meeting.puskesmas is not None  # a lokmin belongs to a puskesmas (Meeting.clean)
        return meeting.puskesmas.name
    if meeting.level == "district":
        # A district meeting belongs to a district (Meeting.clean).
        assert meeting.district is not None
        office = getattr(meeting.district, "health_office", None)
        return office.name if office else meeting.district.name
    return meeting.province.name


@transaction.atomic
def participants_invite_staff(
    *, meeting: Meeting, by: User, users: Iterable[User] | None = None
) -> int:
    """Invite staff of the meeting's puskesmas, Dinkes or province (all of them when `users` is
    None), skipping those already invited; atomic. Returns how many were invited."""
    _require_open(meeting, by)
    staff = User.objects.filter(meeting_staff(meeting), is_active=True)
    if users is not None:
        wanted = {user.pk for user in users}
        staff = staff.filter(pk__in=wanted)
        if staff.count() != len(wanted):
            raise ValidationError(
                {"users": _("Only staff of the area holding the meeting can be invited as staff.")}
            )
    invited = set(meeting.participants.filter(user__isnull=False).values_list("user_id", flat=True))
    order = _next_order(meeting)
    organisation = _organisation_of(meeting)
    rows: list[Participant] = []
    for user in staff.order_by("first_name", "last_name", "username"):
        if user.pk in invited:
            continue
        rows.append(
            Participant(
                meeting=meeting,
                user=user,
                name=user.get_full_name() or user.username,
                position=user.position or user.get_role_display(),
                organisation=organisation,
                sector=HEALTH_SECTOR,
                phone=user.phone,
                order=order + len(rows),
            )
        )
    Participant.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def participants_invite_partners(
    *, meeting: Meeting, by: User, partners: Iterable[PartnerOrganisation] | None = None
) -> int:
    """Invite partner organisations (by default the kecamatan's for a lokmin, the district-level
    ones for a district meeting), each as its contact person or as the organisation itself,
    skipping those already invited; atomic. Returns how many were invited."""
    _require_open(meeting, by)
    allowed = PartnerOrganisation.objects.filter(meeting_partners(meeting), is_active=True)
    if partners is None:
        chosen = allowed.filter(shortcut_partners(meeting))
    else:
        wanted = {partner.pk for partner in partners}
        chosen = allowed.filter(pk__in=wanted)
        if chosen.count() != len(wanted):
            raise ValidationError(
                {
                    "partners": _(
                        "Only active partners working where the meeting is held can be invited."
                    )
                }
            )
    invited = set(
        meeting.participants.filter(partner__isnull=False).values_list("partner_id", flat=True)
    )
    order = _next_order(meeting)
    rows: list[Participant] = []
    for partner in chosen.order_by("subdistrict__code", "name"):
        if partner.pk in invited:
            continue
        rows.append(
            Participant(
                meeting=meeting,
                partner=partner,
                name=partner.contact_name or partner.name,
                organisation=partner.name,
                sector=partner.sector,
                phone=partner.phone,
                order=order + len(rows),
            )
        )
    Participant.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def attendance_take(
    *,
    meeting: Meeting,
    by: User,
    marks: Mapping[int, tuple[bool | None, bool]],
    walk_ins: Iterable[Mapping[str, object]] = (),
) -> tuple[int, int]:
    """Record who came: per participant id (present True / absent False / not recorded None,
    signs the agreement), plus walk-ins who were not invited. All or nothing: any bad row saves
    nothing. Returns (present, walk-ins added)."""
    _require_open(meeting, by)
    participants = {p.pk: p for p in meeting.participants.all()}
    unknown = set(marks) - set(participants)
    if unknown:
        raise ValidationError(_("Some participants are not part of this meeting any more."))
    order = _next_order(meeting)
    errors: list[str] = []
    added: list[Participant] = []
    for number, data in enumerate(walk_ins, start=1):
        walk_in = Participant(
            meeting=meeting, order=order + len(added), is_invited=False, attended=True
        )
        try:
            added.append(_person(walk_in, data))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                label = _field_label(field)
                errors.extend(
                    _("Walk-in %(number)s, %(field)s: %(problem)s")
                    % {"number": number, "field": label, "problem": message}
                    for message in messages
                )
    if errors:
        raise ValidationError({"walk_ins": errors})
    changed = []
    for pk, (attended, signs) in marks.items():
        participant = participants[pk]
        if (participant.attended, participant.signs_agreement) != (attended, signs):
            participant.attended, participant.signs_agreement = attended, signs
            changed.append(participant)
    Participant.objects.bulk_update(changed, ["attended", "signs_agreement"])
    # A newer version for each participant changed here: a person form opened before (which
    # also sets "signs the agreement") is refused instead of overwriting the attendance.
    Participant.objects.filter(pk__in=[p.pk for p in changed]).update(
        version=F("version") + 1, updated_by=by, updated_at=timezone.now()
    )
    now = timezone.now()
    for walk_in in added:
        walk_in.updated_by, walk_in.updated_at = by, now
    Participant.objects.bulk_create(added)
    present = sum(1 for p in participants.values() if p.attended) + len(added)
    return present, len(added)
