"""Reads of the puskesmas's side of the PKP (issue #18): one PKP's page (service part with its
shortfalls and linked RTL items, management part with levels, the year's supervision visits,
the history) and the RTL items a service result may link. A fixed number of queries whatever
the number of items, results or visits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from kernel.models import AuditEvent, User
from kernel.scoping import in_area
from kernel.selectors.audit import audit_history

from ..models import Level, PkpAssessment, PkpScore, PkpServiceResult
from .pkp_review import readable_pkps

__all__ = ["PkpPage", "follow_up_choices", "pkp_page", "readable_pkps"]


@dataclass
class PkpPage:
    assessment: PkpAssessment
    results: list[PkpServiceResult]
    scores: list[PkpScore]
    visits: list[Any]
    history: list[AuditEvent]
    shortfalls: int = 0
    shortfalls_open: int = 0  # shortfalls without a problem or an RTL yet
    unscored: list[str] = field(default_factory=list)


def _visits(*, user: User, assessment: PkpAssessment) -> list[Any]:
    try:
        from .supervision import visits_for_puskesmas
    except ImportError:  # the supervision part not there yet
        return []
    return list(
        visits_for_puskesmas(user=user, puskesmas=assessment.puskesmas, year=assessment.year)
    )


def pkp_page(*, assessment: PkpAssessment, user: User) -> PkpPage:
    """Everything one PKP's page shows (a fixed number of queries)."""
    results = list(
        PkpServiceResult.objects.filter(assessment=assessment)
        .select_related("item__section", "item__service")
        .prefetch_related("follow_ups")
        .order_by("item__section__order", "item__order", "item__code")
    )
    scores = list(
        PkpScore.objects.filter(assessment=assessment)
        .select_related("item__section", "verified_by")
        .prefetch_related(Prefetch("item__levels", queryset=Level.objects.order_by("score")))
        .order_by("item__section__order", "item__order", "item__code")
    )
    short = [result for result in results if result.is_shortfall]
    return PkpPage(
        assessment=assessment,
        results=results,
        scores=scores,
        visits=_visits(user=user, assessment=assessment),
        history=list(audit_history(obj=assessment, user=user)[:50]),
        shortfalls=len(short),
        shortfalls_open=sum(
            1 for result in short if not result.problem.strip() or not result.rtl.strip()
        ),
        unscored=[score.item.code for score in scores if score.self_score is None],
    )


def follow_up_choices(*, result: PkpServiceResult, user: User) -> QuerySet:
    """The RTL items of the puskesmas's meetings of the PKP's year (and those already linked),
    those of the result's SPM service first."""
    from django.db.models import Q

    from workshops.models import FollowUp

    assessment = result.assessment
    service = result.item.service
    service_code = service.code if service is not None else None
    same_service: Any = Value(1)
    if service_code:
        same_service = Case(
            When(problem__service__code=service_code, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    linked = list(result.follow_ups.values_list("pk", flat=True))
    return (
        in_area(FollowUp.objects.all(), user)
        .filter(
            Q(meeting__puskesmas_id=assessment.puskesmas_id, meeting__held_on__year=assessment.year)
            | Q(pk__in=linked, meeting__puskesmas_id=assessment.puskesmas_id)
        )
        .select_related("meeting")
        .annotate(same_service=same_service)
        .order_by("same_service", "-meeting__held_on", "pk")
    )
