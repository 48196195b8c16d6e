"""Assessments (issue #19): the yearly puskesmas performance assessment (PKP) with its scores by
part and rank, the district's supervision visits with their checklist score, and the
planning-capacity assessments of mentored districts. Read like the pages (assessments.selectors):
a province reads approved PKPs only; a mentor the districts assigned to them.

A supervision visit's team (names of officers) is left out: it is people, not a figure.
"""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Prefetch
from ninja import Router, Schema
from ninja.pagination import paginate

from assessments.models import (
    CapacityAssessment,
    PkpAssessment,
    PkpScore,
    PkpServiceResult,
    SupervisionVisit,
)
from assessments.selectors.mentoring import assessments_of
from assessments.selectors.pkp_review import readable_pkps
from assessments.selectors.supervision import in_year, readable_visits
from kernel.scoping import get_in_area_or_404

from ..errors import ERRORS
from ..pagination import Pages
from ..params import Id, Year

PREFIX = "/assessments"
router = Router(tags=["assessments"])

PkpStatus = Literal[tuple(PkpAssessment.Status.values)]  # type: ignore[valid-type]
VisitStatus = Literal[tuple(SupervisionVisit.Status.values)]  # type: ignore[valid-type]
Stage = Literal[tuple(CapacityAssessment.Stage.values)]  # type: ignore[valid-type]


def _decimal(value: Decimal | None) -> str | None:
    """Scores as strings: exact, as stored."""
    return None if value is None else str(value)


class PkpOut(Schema):
    id: int
    puskesmas_id: int
    district_id: int
    year: int
    instrument_id: int
    status: str
    service_score: str | None
    management_score: str | None
    service_rank: str
    management_rank: str
    rank: str
    ranked_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    version: int

    @staticmethod
    def resolve_district_id(obj: Any) -> int:
        return obj.puskesmas.district_id

    @staticmethod
    def resolve_service_score(obj: Any) -> str | None:
        return _decimal(obj.service_score)

    @staticmethod
    def resolve_management_score(obj: Any) -> str | None:
        return _decimal(obj.management_score)


class PkpScoreOut(Schema):
    """One management item: the puskesmas's own score and the district's verified score."""

    item_id: int
    item_code: str
    section_code: str
    self_score: str | None
    verified_score: str | None
    final_score: str | None

    @staticmethod
    def resolve_item_code(obj: Any) -> str:
        return obj.item.code

    @staticmethod
    def resolve_section_code(obj: Any) -> str:
        return obj.item.section.code

    @staticmethod
    def resolve_self_score(obj: Any) -> str | None:
        return _decimal(obj.self_score)

    @staticmethod
    def resolve_verified_score(obj: Any) -> str | None:
        return _decimal(obj.verified_score)

    @staticmethod
    def resolve_final_score(obj: Any) -> str | None:
        return _decimal(obj.final_score)


class PkpServiceOut(Schema):
    """One activity of the service part: target group, achieved, % of the annual target."""

    item_id: int
    item_code: str
    section_code: str
    target_group: int | None
    actual: int | None
    pct_of_target: str | None
    from_data: bool

    @staticmethod
    def resolve_item_code(obj: Any) -> str:
        return obj.item.code

    @staticmethod
    def resolve_section_code(obj: Any) -> str:
        return obj.item.section.code

    @staticmethod
    def resolve_pct_of_target(obj: Any) -> str | None:
        return _decimal(obj.pct_of_target)


class PkpDetail(PkpOut):
    feedback: str
    management_scores: list[PkpScoreOut]
    service_results: list[PkpServiceOut]

    @staticmethod
    def resolve_management_scores(obj: Any) -> list[Any]:
        return list(obj.scores.all())

    @staticmethod
    def resolve_service_results(obj: Any) -> list[Any]:
        return list(obj.service_results.all())


class VisitOut(Schema):
    id: int
    puskesmas_id: int
    district_id: int
    planned_on: datetime.date
    visited_on: datetime.date | None
    status: str
    purpose: str
    instrument_id: int | None
    score: str | None
    findings: str
    version: int

    @staticmethod
    def resolve_district_id(obj: Any) -> int:
        return obj.puskesmas.district_id

    @staticmethod
    def resolve_score(obj: Any) -> str | None:
        return _decimal(obj.score)


class CapacityOut(Schema):
    id: int
    district_id: int
    instrument_id: int
    stage: str
    held_on: datetime.date
    meeting_id: int | None
    score: str | None
    summary: str
    version: int

    @staticmethod
    def resolve_score(obj: Any) -> str | None:
        return _decimal(obj.score)


def _pkps(request) -> Any:
    return readable_pkps(user=request.user).select_related("puskesmas")


@router.get(
    "/pkp",
    response={200: list[PkpOut], **ERRORS},
    summary="Puskesmas performance assessments (PKP); a province reads approved ones",
)
@paginate(Pages)
def pkp_list(
    request,
    year: Year | None = None,
    district_id: Id | None = None,
    puskesmas_id: Id | None = None,
    status: PkpStatus | None = None,
):
    rows = _pkps(request)
    if year is not None:
        rows = rows.filter(year=year)
    if district_id is not None:
        rows = rows.filter(puskesmas__district_id=district_id)
    if puskesmas_id is not None:
        rows = rows.filter(puskesmas_id=puskesmas_id)
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("-year", "puskesmas_id", "pk")


@router.get(
    "/pkp/{id}",
    response={200: PkpDetail, **ERRORS},
    summary="One PKP with its management scores and service results",
)
def pkp_detail(request, id: Id):
    scores = PkpScore.objects.select_related("item__section")
    results = PkpServiceResult.objects.select_related("item__section")
    queryset = _pkps(request).prefetch_related(
        Prefetch("scores", queryset=scores), Prefetch("service_results", queryset=results)
    )
    return get_in_area_or_404(queryset, request.user, pk=id)


@router.get(
    "/supervision",
    response={200: list[VisitOut], **ERRORS},
    summary="Supervision visits to puskesmas, with their checklist score",
)
@paginate(Pages)
def supervision_list(
    request,
    year: Year | None = None,
    district_id: Id | None = None,
    puskesmas_id: Id | None = None,
    status: VisitStatus | None = None,
):
    rows = readable_visits(user=request.user)
    if year is not None:
        rows = rows.filter(in_year(year))
    if district_id is not None:
        rows = rows.filter(puskesmas__district_id=district_id)
    if puskesmas_id is not None:
        rows = rows.filter(puskesmas_id=puskesmas_id)
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("-planned_on", "-pk")


@router.get(
    "/mentoring",
    response={200: list[CapacityOut], **ERRORS},
    summary="Planning-capacity assessments of mentored districts (baseline and reviews)",
)
@paginate(Pages)
def mentoring_list(
    request,
    year: Year | None = None,
    district_id: Id | None = None,
    stage: Stage | None = None,
):
    rows = assessments_of(user=request.user)
    if year is not None:
        rows = rows.filter(held_on__year=year)
    if district_id is not None:
        rows = rows.filter(district_id=district_id)
    if stage is not None:
        rows = rows.filter(stage=stage)
    return rows.order_by("district_id", "held_on", "pk")
