"""Writes of who does what across agencies (issue #16 must-have 5): agency roles in the role
matrix, their links to the commitments and RTL items that carry them, starting a year from the
last one or from a forum's commitments, and data requests to other agencies followed from asked
to used.

Only the district's planners (and system administrators) write: `cycle.rights.can_edit_cycle`.
Every edit is versioned (a stale save is refused with who saved and their values: StaleEdit),
every create happens once per form token, and every write leaves an audit event in the
district (kernel.audit). Links reach only commitments and RTL items of meetings held by the
district or one of its puskesmas.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kernel import audit
from kernel.models import AuditEvent, District, User
from kernel.versioning import created_before, save_edit, save_versioned
from kernel.web import FIRST_YEAR, LAST_YEAR
from workshops.models import Commitment, FollowUp, Meeting, Tracked

from ..models import DataRequest, RoleAssignment
from ..rights import can_edit_cycle
from ..selectors.roles import role_services

Action = AuditEvent.Action
Role = RoleAssignment.Role
RequestStatus = DataRequest.Status

ROLE_FIELDS = ["service", "partner", "agency", "role", "description", "meeting"]
DATA_REQUEST_FIELDS = ["service", "partner", "agency", "data", "asked_on", "meeting"]
TEXT_MAX_LENGTH = 2000


def _require_editor(by: User, district: District) -> None:
    if not can_edit_cycle(by, district):
        raise PermissionDenied(_("Only the district's planners change its roles and requests."))


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _check_year(year: int, errors: dict) -> None:
    if not FIRST_YEAR <= int(year or 0) <= LAST_YEAR:
        errors["year"] = _("Choose a year between %(first)s and %(last)s.") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }


def _check_agency(obj: RoleAssignment | DataRequest, errors: dict) -> None:
    """A partner organisation of the district, or an agency named in words (not both)."""
    obj.agency = (obj.agency or "").strip()
    partner = obj.partner if obj.partner_id else None
    if partner is not None:
        if partner.district_id != obj.district_id:
            errors["partner"] = _("Choose a partner organisation of this district.")
        obj.agency = ""  # the partner names it
    elif not obj.agency:
        errors["agency"] = _("Choose a partner organisation or write the agency's name.")


def _check_meeting(obj: RoleAssignment | DataRequest, errors: dict) -> None:
    meeting = obj.meeting if obj.meeting_id else None
    if meeting is not None and (
        meeting.district_id != obj.district_id or meeting.kind == Meeting.Kind.PROVINCE_MEETING
    ):
        errors["meeting"] = _("Choose a meeting of this district or one of its puskesmas.")


def _check_service(obj: RoleAssignment | DataRequest, errors: dict, *, required: bool) -> None:
    if not obj.service_id:
        if required:
            errors["service"] = _("Choose the SPM service.")
        return
    if obj.service_id not in {service.pk for service in role_services(obj.year)}:
        errors["service"] = _("Choose a district SPM service of %(year)s.") % {"year": obj.year}


def _full_clean(obj: RoleAssignment | DataRequest, errors: dict) -> None:
    """The model's own checks (lengths, choices), merged into `errors`."""
    try:
        obj.full_clean(exclude=[*errors, "district", "updated_by"], validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, messages)


# --- Roles ---------------------------------------------------------------------------------------


def _same_agency(role: RoleAssignment) -> dict:
    if role.partner_id:
        return {"partner_id": role.partner_id}
    return {"partner__isnull": True, "agency__iexact": role.agency}


def _twin(role: RoleAssignment) -> RoleAssignment | None:
    """Another role of the same agency in the same cell of the matrix."""
    return (
        RoleAssignment.objects.filter(
            district_id=role.district_id,
            year=role.year,
            service_id=role.service_id,
            role=role.role,
            **_same_agency(role),
        )
        .exclude(pk=role.pk)
        .first()
    )


@transaction.atomic
def role_save(
    *, role: RoleAssignment, by: User, version: int | None = None, token: object = None
) -> RoleAssignment:
    """Create (once per form `token`) or edit (at `version`) an agency's role in a service of the
    district's year; atomic, audited. Refused with nothing saved when the user may not, the
    service is not one of the year's district services, the partner or meeting is another
    district's, no agency is named, the description is empty, or the agency already has this
    role in this service that year."""
    _require_editor(by, role.district)
    if role.pk is None and (first := created_before(token=token, by=by, model=RoleAssignment)):
        return first  # a repeated create form: what its first post made
    errors: dict = {}
    _check_year(role.year, errors)
    if "year" not in errors:
        _check_service(role, errors, required=True)
    if role.role not in Role.values:
        errors["role"] = _("Choose a role.")
    _check_agency(role, errors)
    _check_meeting(role, errors)
    role.description = (role.description or "").strip()
    if not role.description:
        errors["description"] = _("Say what the agency does for this service.")
    elif len(role.description) > TEXT_MAX_LENGTH:
        errors["description"] = _("Keep it under %(count)s characters.") % {
            "count": TEXT_MAX_LENGTH
        }
    if not errors and (twin := _twin(role)) is not None:
        errors["role"] = _(
            "%(agency)s already %(role)s for this service in %(year)s: edit that role instead."
        ) % {"agency": twin.agency_name, "role": twin.get_role_display().lower(), "year": role.year}
    _full_clean(role, errors)
    if errors:
        raise ValidationError(errors)
    is_new = role.pk is None
    saved = save_edit(role, by=by, version=version, token=token, fields=ROLE_FIELDS)
    if saved is role:  # a repeated create form gets the first role back, recorded then
        audit.record(
            role,
            action=Action.CREATED if is_new else Action.SAVED,
            by=by,
            data={"version": role.version},
        )
    return saved


@transaction.atomic
def role_delete(*, role: RoleAssignment, by: User) -> None:
    """Delete a role (its links go with it; the commitments and RTL items stay); audited."""
    _require_editor(by, role.district)
    audit.record(
        role,
        action=Action.DELETED,
        by=by,
        data={
            "year": role.year,
            "service": role.service.number,
            "role": role.role,
            "agency": role.agency_name,
        },
    )
    role.delete()


def _ids(values: Iterable[object]) -> set[int]:
    found = set()
    for value in values:
        try:
            number = int(str(value))
        except ValueError:
            continue
        if 0 < number < 2**63:
            found.add(number)
    return found


def _in_district(model: type[Commitment] | type[FollowUp], ids: set[int], district_id: int):
    return set(
        model.objects.filter(pk__in=ids, meeting__district_id=district_id)
        .exclude(meeting__kind=Meeting.Kind.PROVINCE_MEETING)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def role_links_set(
    *,
    role: RoleAssignment,
    commitment_ids: Iterable[object],
    follow_up_ids: Iterable[object],
    by: User,
    version: int | None,
) -> RoleAssignment:
    """Link the role to exactly these commitments and RTL items (others are unlinked), at the
    role's `version`; atomic, audited. Refused with nothing saved when any of them is not of a
    meeting held by the role's district or one of its puskesmas (another district's id, a
    provincial meeting's, one that does not exist)."""
    _require_editor(by, role.district)
    wanted_c, wanted_f = _ids(commitment_ids), _ids(follow_up_ids)
    errors = {}
    if _in_district(Commitment, wanted_c, role.district_id) != wanted_c:
        errors["commitments"] = _(
            "Choose commitments of meetings of %(district)s or of its puskesmas."
        ) % {"district": role.district.name}
    if _in_district(FollowUp, wanted_f, role.district_id) != wanted_f:
        errors["follow_ups"] = _(
            "Choose RTL items of meetings of %(district)s or of its puskesmas."
        ) % {"district": role.district.name}
    if errors:
        raise ValidationError(errors)
    save_versioned(
        role,
        by=by,
        version=version,
        save=lambda row: row.save(update_fields=["version", "updated_by", "updated_at"]),
    )
    role.commitments.set(wanted_c)
    role.follow_ups.set(wanted_f)
    audit.record(
        role,
        action=Action.SAVED,
        by=by,
        data={
            "version": role.version,
            "commitments": sorted(wanted_c),
            "follow_ups": sorted(wanted_f),
        },
    )
    return role


@dataclass(frozen=True)
class CopyResult:
    created: int
    skipped: int


def _key(role: RoleAssignment, number: int) -> tuple:
    agency = "" if role.partner_id else role.agency.strip().lower()
    return number, role.role, role.partner_id, agency


def _new_role(
    *, district: District, year: int, by: User, links: Sequence = (), **values
) -> RoleAssignment:
    role = RoleAssignment(district=district, year=year, **values)
    save_versioned(role, by=by, version=None)
    commitments = [item for item in links if isinstance(item, Commitment)]
    follow_ups = [item for item in links if isinstance(item, FollowUp)]
    if commitments:
        role.commitments.add(*commitments)
    if follow_ups:
        role.follow_ups.add(*follow_ups)
    return role


@transaction.atomic
def roles_copy_year(*, district: District, year: int, by: User) -> CopyResult:
    """Start `year`'s matrix from the year before's: each role is copied (agency, role, what it
    does, the meeting that agreed it, and its commitments and RTL items still open), onto the
    service of the same number in `year`'s edition; a role the year already has is skipped, so
    copying twice adds nothing. Atomic, each new role audited."""
    _require_editor(by, district)
    errors: dict = {}
    _check_year(year, errors)
    if errors:
        raise ValidationError(errors)
    services = {service.number: service for service in role_services(year)}
    if not services:
        raise ValidationError(
            _("No SPM edition is set up for %(year)s yet: ask your system administrator.")
            % {"year": year}
        )
    open_items = Tracked.OPEN_STATUSES
    source = list(
        RoleAssignment.objects.filter(district=district, year=year - 1)
        .select_related("service", "partner", "district")
        .prefetch_related("commitments", "follow_ups")
        .order_by("service__number", "role", "pk")
    )
    if not source:
        raise ValidationError(
            _("%(district)s has no role in %(year)s to copy.")
            % {"district": district.name, "year": year - 1}
        )
    taken = {
        _key(role, role.service.number)
        for role in RoleAssignment.objects.filter(district=district, year=year).select_related(
            "service"
        )
    }
    created = skipped = 0
    for old in source:
        service = services.get(old.service.number)
        key = _key(old, old.service.number)
        if service is None or key in taken:
            skipped += 1
            continue
        links = [
            *(c for c in old.commitments.all() if c.status in open_items),
            *(f for f in old.follow_ups.all() if f.status in open_items),
        ]
        role = _new_role(
            district=district,
            year=year,
            by=by,
            links=links,
            service=service,
            partner=old.partner,
            agency=old.agency,
            role=old.role,
            description=old.description,
            meeting_id=old.meeting_id,
        )
        audit.record(role, action=Action.CREATED, by=by, data={"copied_from": old.pk})
        taken.add(key)
        created += 1
    return CopyResult(created=created, skipped=skipped)


@dataclass(frozen=True)
class Accepted:
    """A proposal the planner accepts: the commitment, and the service and role it carries."""

    commitment_id: int
    service_id: int
    role: str


@dataclass(frozen=True)
class AcceptResult:
    created: int
    linked: int  # added to a role the agency already had in that service


@transaction.atomic
def roles_from_meeting(
    *, meeting: Meeting, year: int, accepted: Sequence[Accepted], by: User
) -> AcceptResult:
    """Turn accepted proposals of `meeting` (a forum of the district or a lokmin of one of its
    puskesmas) into roles of its district's `year`: the commitment's partner (or party) and
    description, linked to the commitment and to the meeting that agreed it. When the agency
    already has that role in that service, the commitment is linked to it instead. Atomic;
    refused with nothing saved on a commitment of another meeting, a service not of the year or
    an unknown role."""
    district = meeting.district
    if district is None or meeting.kind == Meeting.Kind.PROVINCE_MEETING:
        raise ValidationError(_("Only a district's meetings give roles to its matrix."))
    _require_editor(by, district)
    errors: dict = {}
    _check_year(year, errors)
    if errors:
        raise ValidationError(errors)
    if not accepted:
        raise ValidationError(_("Tick at least one proposal to accept."))
    commitments = {
        c.pk: c
        for c in Commitment.objects.filter(
            meeting=meeting, pk__in={a.commitment_id for a in accepted}
        ).select_related("partner")
    }
    services = {service.pk: service for service in role_services(year)}
    for choice in accepted:
        if choice.commitment_id not in commitments:
            errors["__all__"] = _("Accept only commitments of this meeting.")
        elif choice.service_id not in services:
            errors["__all__"] = _("Choose a district SPM service of %(year)s for each.") % {
                "year": year
            }
        elif choice.role not in Role.values:
            errors["__all__"] = _("Choose a role for each.")
    if errors:
        raise ValidationError(errors)
    created = linked = 0
    for choice in accepted:
        commitment = commitments[choice.commitment_id]
        partner = commitment.partner
        if partner is not None and partner.district_id != district.pk:
            partner = None
        role = RoleAssignment(
            district=district,
            year=year,
            service=services[choice.service_id],
            role=choice.role,
            partner=partner,
            agency="" if partner else commitment.party.strip()[:150],
            description=commitment.description.strip()[:TEXT_MAX_LENGTH],
            meeting=meeting,
        )
        twin = _twin(role)
        if twin is not None:
            twin.commitments.add(commitment)
            audit.record(
                twin, action=Action.SAVED, by=by, data={"linked_commitment": commitment.pk}
            )
            linked += 1
            continue
        role = _new_role(
            district=district,
            year=year,
            by=by,
            links=[commitment],
            service=role.service,
            role=role.role,
            partner=partner,
            agency=role.agency,
            description=role.description,
            meeting=meeting,
        )
        audit.record(role, action=Action.CREATED, by=by, data={"from_meeting": meeting.pk})
        created += 1
    return AcceptResult(created=created, linked=linked)


# --- Data requests -------------------------------------------------------------------------------


def _check_dates(request: DataRequest, errors: dict, today: datetime.date) -> None:
    asked = request.asked_on
    if asked is None:
        errors["asked_on"] = _("Give the date the data was asked for.")
        return
    if asked > today:
        errors["asked_on"] = _("The request cannot be asked in the future.")
    elif request.promised_by and request.promised_by < asked:
        errors["asked_on"] = _("It was promised by %(date)s: it cannot be asked after that.") % {
            "date": _day(request.promised_by)
        }
    elif request.received_on and request.received_on < asked:
        errors["asked_on"] = _("It was received on %(date)s: it cannot be asked after that.") % {
            "date": _day(request.received_on)
        }


@transaction.atomic
def data_request_save(
    *,
    data_request: DataRequest,
    by: User,
    version: int | None = None,
    token: object = None,
    today: datetime.date | None = None,
) -> DataRequest:
    """Create (once per form `token`, status asked) or edit (at `version`) a data request of the
    district's year to another agency; atomic, audited. Its status moves only through
    `data_request_advance`. Refused with nothing saved when the user may not, no agency is named,
    the partner, service or meeting is not the district's, or the asking date is in the future
    or after the promised or received date."""
    _require_editor(by, data_request.district)
    if data_request.pk is None and (first := created_before(token=token, by=by, model=DataRequest)):
        return first  # a repeated create form: what its first post made
    today = today or timezone.localdate()
    errors: dict = {}
    _check_year(data_request.year, errors)
    if "year" not in errors:
        _check_service(data_request, errors, required=False)
    _check_agency(data_request, errors)
    _check_meeting(data_request, errors)
    data_request.data = (data_request.data or "").strip()
    if not data_request.data:
        errors["data"] = _("Say which data is asked for.")
    _check_dates(data_request, errors, today)
    _full_clean(data_request, errors)
    if errors:
        raise ValidationError(errors)
    is_new = data_request.pk is None
    saved = save_edit(data_request, by=by, version=version, token=token, fields=DATA_REQUEST_FIELDS)
    if saved is data_request:
        audit.record(
            data_request,
            action=Action.CREATED if is_new else Action.SAVED,
            by=by,
            to_status=data_request.status if is_new else "",
            data={"version": data_request.version},
        )
    return saved


# Where a request may go from each status: a new promise date may replace the old one; data may
# arrive without a promise.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    RequestStatus.ASKED: (RequestStatus.PROMISED, RequestStatus.RECEIVED),
    RequestStatus.PROMISED: (RequestStatus.PROMISED, RequestStatus.RECEIVED),
    RequestStatus.RECEIVED: (RequestStatus.USED,),
    RequestStatus.USED: (),
}


def next_statuses(data_request: DataRequest) -> tuple[str, ...]:
    return NEXT_STATUSES.get(data_request.status, ())


def _status_word(status: str) -> str:
    return str(dict(RequestStatus.choices).get(status, status)).lower()


@transaction.atomic
def data_request_advance(
    *,
    data_request: DataRequest,
    status: str,
    by: User,
    version: int | None,
    promised_by: datetime.date | None = None,
    received_on: datetime.date | None = None,
    used_for: str = "",
    today: datetime.date | None = None,
) -> DataRequest:
    """Move a data request on: asked -> promised (by a date, not before it was asked; a new
    promise may replace one), asked or promised -> received (on a date between the asking and
    today), received -> used (for what). One conditional update at `version` (kernel.audit
    .transition): a stale or impossible move is refused with nothing saved; audited."""
    _require_editor(by, data_request.district)
    today = today or timezone.localdate()
    asked = data_request.asked_on
    errors: dict = {}
    fields: dict = {}
    if status not in next_statuses(data_request):
        errors["status"] = _("A request that is %(old)s cannot become %(new)s.") % {
            "old": _status_word(data_request.status),
            "new": _status_word(status),
        }
    elif status == RequestStatus.PROMISED:
        if promised_by is None:
            errors["promised_by"] = _("Give the date the data is promised by.")
        elif promised_by < asked:
            errors["promised_by"] = _(
                "The data cannot be promised by a date before it was asked for (%(date)s)."
            ) % {"date": _day(asked)}
        fields["promised_by"] = promised_by
    elif status == RequestStatus.RECEIVED:
        if received_on is None:
            errors["received_on"] = _("Give the date the data was received.")
        elif received_on < asked:
            errors["received_on"] = _(
                "The data cannot be received before it was asked for (%(date)s)."
            ) % {"date": _day(asked)}
        elif received_on > today:
            errors["received_on"] = _("The data cannot be received in the future.")
        fields["received_on"] = received_on
    elif status == RequestStatus.USED:
        used_for = (used_for or "").strip()
        if not used_for:
            errors["used_for"] = _("Say what the data was used for.")
        elif len(used_for) > 300:
            errors["used_for"] = _("Keep it under %(count)s characters.") % {"count": 300}
        fields["used_for"] = used_for
    if errors:
        raise ValidationError(errors)
    return audit.transition(
        data_request,
        by=by,
        source=[data_request.status],
        target=status,
        action=Action.SAVED,
        version=version,
        fields=fields,
        data={k: str(v) for k, v in fields.items()},
    )


@transaction.atomic
def data_request_delete(*, data_request: DataRequest, by: User) -> None:
    """Delete a data request; audited."""
    _require_editor(by, data_request.district)
    audit.record(
        data_request,
        action=Action.DELETED,
        by=by,
        data={
            "year": data_request.year,
            "data": data_request.data,
            "agency": data_request.agency_name,
            "status": data_request.status,
        },
    )
    data_request.delete()
