"""Meetings with what they produce (issue #19): problems with their root causes, RTL items and
commitments; and the status of RTL items and commitments moved through the same service and
rules as the status page (workshops.services.tracking).

Participants are left out: they are people (names, phone numbers) of the meeting's own record.
"""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import field_validator

from kernel.scoping import get_in_area_or_404, in_area
from workshops.models import Commitment, FollowUp, Meeting, Tracked
from workshops.services import tracking

from ..errors import ERRORS, PROBLEM_TYPE, body_guard
from ..pagination import Pages
from ..params import Id, Year

PREFIX = "/meetings"
router = Router(tags=["meetings"])

MeetingKind = Literal[tuple(Meeting.Kind.values)]  # type: ignore[valid-type]
ItemStatus = Literal[tuple(Tracked.Status.values)]  # type: ignore[valid-type]
Version = Annotated[int, Field(ge=0, le=2_147_483_647)]


def _money(value: Any) -> str | None:
    """Rupiah as a string (no floats for money)."""
    return None if value is None else str(value)


# --- Schemas --------------------------------------------------------------------------------------


class RootCauseOut(Schema):
    id: int
    category: str
    description: str


class ProblemOut(Schema):
    id: int
    statement: str
    evidence: str
    service_id: int | None
    service_code: str | None
    village_id: int | None
    service_point_id: int | None
    scores: dict[str, Any]
    priority_score: str | None
    order: int
    root_causes: list[RootCauseOut]

    @staticmethod
    def resolve_service_code(obj: Any) -> str | None:
        return obj.service.code if obj.service_id else None

    @staticmethod
    def resolve_priority_score(obj: Any) -> str | None:
        return _money(obj.priority_score)

    @staticmethod
    def resolve_root_causes(obj: Any) -> list[Any]:
        return list(obj.causes.all())


class TrackedOut(Schema):
    id: int
    meeting_id: int
    due_on: datetime.date
    status: str
    status_note: str
    status_changed_at: datetime.datetime | None
    overdue: bool
    next_statuses: list[str]
    version: int

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return obj.is_overdue()

    @staticmethod
    def resolve_next_statuses(obj: Any) -> list[str]:
        return [str(status) for status in tracking.next_statuses(obj)]


class RtlItemOut(TrackedOut):
    """An RTL item (rencana tindak lanjut)."""

    problem_id: int | None
    root_cause_id: int | None
    activity: str
    goal: str
    target_group: str
    target: str
    responsible: str
    sector: str
    partner_id: int | None
    cost_idr: str | None
    funding_source: str
    success_indicator: str
    service_point_id: int | None

    @staticmethod
    def resolve_cost_idr(obj: Any) -> str | None:
        return _money(obj.cost_idr)


class CommitmentOut(TrackedOut):
    partner_id: int | None
    party: str
    sector: str
    description: str
    signatory_position: str


class MeetingOut(Schema):
    id: int
    kind: str
    format: str
    title: str
    status: str
    level: str
    is_team_forming: bool
    province_id: int
    district_id: int | None
    puskesmas_id: int | None
    held_on: datetime.date
    place: str
    chair_position: str
    priority_method: str
    version: int


class MeetingDetail(MeetingOut):
    agenda: str
    minutes: str
    agreement_text: str
    problems: list[ProblemOut]
    rtl_items: list[RtlItemOut]
    commitments: list[CommitmentOut]

    @staticmethod
    def resolve_problems(obj: Any) -> list[Any]:
        return list(obj.problems.all())

    @staticmethod
    def resolve_rtl_items(obj: Any) -> list[Any]:
        return list(obj.follow_ups.all())

    @staticmethod
    def resolve_commitments(obj: Any) -> list[Any]:
        return list(obj.commitments.all())


class StatusChange(Schema):
    """A move of an item's status, as on the status page: a note is the evidence when done, the
    reason when dropped, and why when reopened. A file cannot be sent here: attach it on the
    page. `version` (optional): the item's version you read; a newer one is a 409.
    `from_status` (optional): the status you read; if someone moved it since, a 409 (the
    version only follows edits of the item, not its status moves)."""

    status: str = Field(..., max_length=20)
    note: str = Field("", max_length=10_000)
    version: Version | None = None
    from_status: str | None = Field(None, max_length=20)
    reviewed_in_id: Id | None = None

    @field_validator("status", "note")
    @classmethod
    def savable(cls, value: str) -> str:
        """No NUL or lone surrogate: text no database column takes (a 500, were it saved)."""
        if any(char == "\x00" or "\ud800" <= char <= "\udfff" for char in value):
            raise ValueError(_("Remove the characters a text cannot hold (such as NUL)."))
        return value


# --- Reads ----------------------------------------------------------------------------------------


def _meetings(request: HttpRequest) -> QuerySet[Meeting]:
    return in_area(Meeting.objects.all(), request.user)


@router.get(
    "",
    response={200: list[MeetingOut], **ERRORS},
    summary="Meetings of the token's area",
)
@paginate(Pages)
def meeting_list(
    request,
    year: Year | None = None,
    kind: MeetingKind | None = None,
    district_id: Id | None = None,
    puskesmas_id: Id | None = None,
):
    rows = _meetings(request)
    if year is not None:
        rows = rows.filter(held_on__year=year)
    if kind is not None:
        rows = rows.filter(kind=kind)
    if district_id is not None:
        rows = rows.filter(district_id=district_id)
    if puskesmas_id is not None:
        rows = rows.filter(puskesmas_id=puskesmas_id)
    return rows.order_by("-held_on", "-pk")


def _items(request: HttpRequest, model: type[Tracked], status, overdue, year) -> QuerySet:
    rows = in_area(model.objects.all(), request.user)  # type: ignore[attr-defined]
    if status is not None:
        rows = rows.filter(status=status)
    if overdue is not None:
        late = Q(status__in=Tracked.OPEN_STATUSES, due_on__lt=timezone.localdate())
        rows = rows.filter(late) if overdue else rows.exclude(late)
    if year is not None:
        rows = rows.filter(meeting__held_on__year=year)
    return rows.order_by("due_on", "pk")


@router.get(
    "/rtl-items",
    response={200: list[RtlItemOut], **ERRORS},
    summary="RTL items of the area's meetings",
)
@paginate(Pages)
def rtl_item_list(
    request,
    status: ItemStatus | None = None,
    overdue: bool | None = None,
    year: Year | None = None,
    meeting_id: Id | None = None,
):
    rows = _items(request, FollowUp, status, overdue, year)
    return rows.filter(meeting_id=meeting_id) if meeting_id is not None else rows


@router.get(
    "/commitments",
    response={200: list[CommitmentOut], **ERRORS},
    summary="Commitments made at the area's meetings",
)
@paginate(Pages)
def commitment_list(
    request,
    status: ItemStatus | None = None,
    overdue: bool | None = None,
    year: Year | None = None,
    meeting_id: Id | None = None,
):
    rows = _items(request, Commitment, status, overdue, year)
    return rows.filter(meeting_id=meeting_id) if meeting_id is not None else rows


@router.get(
    "/rtl-items/{id}",
    response={200: RtlItemOut, **ERRORS},
    summary="One RTL item",
)
def rtl_item_detail(request, id: Id):
    return get_in_area_or_404(FollowUp, request.user, pk=id)


@router.get(
    "/commitments/{id}",
    response={200: CommitmentOut, **ERRORS},
    summary="One commitment",
)
def commitment_detail(request, id: Id):
    return get_in_area_or_404(Commitment, request.user, pk=id)


@router.get(
    "/{id}",
    response={200: MeetingDetail, **ERRORS},
    summary="One meeting with its problems, root causes, RTL items and commitments",
)
def meeting_detail(request, id: Id):
    queryset = _meetings(request).prefetch_related(
        "problems__service", "problems__causes", "follow_ups", "commitments"
    )
    return get_in_area_or_404(queryset, request.user, pk=id)


# --- Writes ---------------------------------------------------------------------------------------


def _problem_400(request: HttpRequest, title: str, errors: list[dict[str, str]]) -> JsonResponse:
    body = {
        "type": "about:blank",
        "title": title,
        "status": 400,
        "detail": " ".join(e["message"] for e in errors),
        "instance": request.path,
        "errors": errors,
    }
    return JsonResponse(body, status=400, content_type=PROBLEM_TYPE)


def _refused(request: HttpRequest, error: ValidationError) -> JsonResponse:
    """The service's refusal as problem+json, each message with the field it is about."""
    if hasattr(error, "error_dict"):
        errors = [
            {"location": field, "message": str(message)}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"location": "", "message": str(message)} for message in error.messages]
    return _problem_400(request, str(_("Refused.")), errors)


def _change_status(request: HttpRequest, model: type[FollowUp | Commitment], pk: int, body):
    """Lock the item, check the version the client read, then move it through the page's
    service (which checks the right to follow up, the move, the note and the evidence)."""
    with transaction.atomic():
        locked = model.objects.select_for_update(of=("self",)).select_related("meeting")
        item = get_in_area_or_404(locked, request.user, pk=pk)
        if body.version is not None and body.version != item.version:
            raise HttpError(
                409,
                _("This item changed since you read it (version %(yours)s, now %(now)s).")
                % {"yours": body.version, "now": item.version},
            )
        if body.from_status is not None and body.from_status != item.status:
            raise HttpError(
                409,
                _("Someone moved this item to %(now)s since you read it as %(yours)s.")
                % {"now": item.get_status_display(), "yours": body.from_status},
            )
        reviewed_in = (
            get_in_area_or_404(Meeting, request.user, pk=body.reviewed_in_id)
            if body.reviewed_in_id is not None
            else None
        )
        try:
            tracking.item_status_change(
                item=item,
                status=body.status,
                note=body.note,
                evidence=None,
                reviewed_in=reviewed_in,
                by=request.user,
            )
        except ValidationError as error:
            return _refused(request, error)
    return item


@router.post(
    "/rtl-items/{id}/status",
    response={200: RtlItemOut, **ERRORS},
    summary="Move an RTL item's status (as on its status page)",
)
@decorate_view(body_guard)
def rtl_item_status(request, id: Id, body: StatusChange):
    return _change_status(request, FollowUp, id, body)


@router.post(
    "/commitments/{id}/status",
    response={200: CommitmentOut, **ERRORS},
    summary="Move a commitment's status (as on its status page)",
)
@decorate_view(body_guard)
def commitment_status(request, id: Id, body: StatusChange):
    return _change_status(request, Commitment, id, body)
