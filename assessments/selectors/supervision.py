"""Reads of the supervision part (issue #18): a puskesmas's visits of a year, a district's
summary of its supervision, the list pages. Every queryset goes through kernel.scoping.in_area;
the numbers of queries do not grow with the visits."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from kernel.models import District, Puskesmas, User
from kernel.scoping import in_area
from workshops.models.outcomes import Tracked

from ..models import SupervisionAction, SupervisionVisit

Status = SupervisionVisit.Status
OPEN = Tracked.OPEN_STATUSES
TWO_PLACES = Decimal("0.01")


def in_year(year: int) -> Q:
    """Visits planned or held in `year`: held ones by their visit date, the others by the date
    they are planned for."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return Q(visited_on__range=(start, end)) | Q(
        visited_on__isnull=True, planned_on__range=(start, end)
    )


def readable_visits(*, user: User) -> QuerySet[SupervisionVisit]:
    return in_area(SupervisionVisit.objects.all(), user).select_related(
        "puskesmas__district__province", "instrument"
    )


def readable_actions(*, user: User) -> QuerySet[SupervisionAction]:
    return in_area(SupervisionAction.objects.all(), user).select_related(
        "visit__puskesmas__district"
    )


def _flag(visits: list[SupervisionVisit], today: datetime.date) -> list[SupervisionVisit]:
    """Set `open_actions` and `overdue_actions` (lists) on each visit from its prefetched
    actions."""
    for visit in visits:
        actions = list(visit.actions.all())
        visit.open_actions = [a for a in actions if a.is_open]  # type: ignore[attr-defined]
        visit.overdue_actions = [  # type: ignore[attr-defined]
            a for a in actions if a.is_overdue(today)
        ]
    return visits


def with_actions(visits: QuerySet[SupervisionVisit]) -> QuerySet[SupervisionVisit]:
    return visits.prefetch_related(
        Prefetch("actions", queryset=SupervisionAction.objects.order_by("due_on", "pk"))
    )


def visits_for_puskesmas(*, user: User, puskesmas: Puskesmas, year: int) -> list[SupervisionVisit]:
    """The visits to `puskesmas` planned or held in `year` that `user` sees, by date, with their
    RTL actions prefetched (`visit.actions.all()`) and flagged: `visit.open_actions` and
    `visit.overdue_actions` are lists of them. Two queries."""
    visits = (
        readable_visits(user=user)
        .filter(in_year(year), puskesmas=puskesmas)
        .order_by("planned_on", "visited_on", "pk")
    )
    rows = list(with_actions(visits))
    rows.sort(key=lambda v: (v.visited_on or v.planned_on, v.pk))
    return _flag(rows, timezone.localdate())


@dataclass(frozen=True)
class SupervisionSummary:
    planned: int
    done: int
    cancelled: int
    open_actions: int
    overdue_actions: int
    mean_score: Decimal | None
    not_visited: list[Puskesmas] = field(default_factory=list)


def district_supervision_summary(
    *, user: User, district: District, year: int
) -> SupervisionSummary:
    """How the district's supervision of `year` stands, as far as `user` sees it: visits by
    status, open and overdue RTL actions of the year's visits, the mean checklist score of the
    done visits, and the district's puskesmas with no done visit in the year. Three queries."""
    visits = readable_visits(user=user).filter(in_year(year), puskesmas__district=district)
    counts = visits.aggregate(
        planned=Count("pk", filter=Q(status=Status.PLANNED)),
        done=Count("pk", filter=Q(status=Status.DONE)),
        cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
        mean_score=Avg("score", filter=Q(status=Status.DONE)),
    )
    today = timezone.localdate()
    actions = (
        in_area(SupervisionAction.objects.all(), user)
        .filter(visit__in=visits.values("pk"), status__in=OPEN)
        .aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
        )
    )
    done_visits = visits.filter(status=Status.DONE, puskesmas=OuterRef("pk"))
    not_visited = list(
        in_area(Puskesmas.objects.filter(district=district), user)
        .filter(~Exists(done_visits))
        .order_by("name", "pk")
    )
    mean = counts["mean_score"]
    return SupervisionSummary(
        planned=counts["planned"],
        done=counts["done"],
        cancelled=counts["cancelled"],
        open_actions=actions["open"],
        overdue_actions=actions["overdue"],
        mean_score=None
        if mean is None
        else Decimal(str(mean)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP),
        not_visited=not_visited,
    )


def visit_list(
    *,
    user: User,
    year: int,
    status: str = "",
    puskesmas: Puskesmas | None = None,
) -> QuerySet[SupervisionVisit]:
    """The visits of `year` the user sees, filtered by status and puskesmas, by date."""
    visits = readable_visits(user=user).filter(in_year(year))
    if status in Status.values:
        visits = visits.filter(status=status)
    if puskesmas is not None:
        visits = visits.filter(puskesmas=puskesmas)
    return with_actions(visits).order_by(
        "puskesmas__district__name", "planned_on", "puskesmas__name", "pk"
    )


def flagged(visits: Iterable[SupervisionVisit]) -> list[SupervisionVisit]:
    """The visits as a list with their actions flagged (see visits_for_puskesmas)."""
    return _flag(list(visits), timezone.localdate())


def district_counts(*, user: User, year: int) -> list[dict]:
    """Per district the user sees: its visits of `year` by status and open RTL actions (a
    province's view). One query for the visits, one for the actions."""
    visits = readable_visits(user=user).filter(in_year(year))
    rows = (
        visits.values("puskesmas__district", "puskesmas__district__name")
        .annotate(
            planned=Count("pk", filter=Q(status=Status.PLANNED)),
            done=Count("pk", filter=Q(status=Status.DONE)),
            cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
            mean_score=Avg("score", filter=Q(status=Status.DONE)),
        )
        .order_by("puskesmas__district__name")
    )
    open_by_district = dict(
        in_area(SupervisionAction.objects.all(), user)
        .filter(visit__in=visits.values("pk"), status__in=OPEN)
        .values_list("visit__puskesmas__district")
        .annotate(n=Count("pk"))
        .values_list("visit__puskesmas__district", "n")
    )
    return [
        {
            "district_id": row["puskesmas__district"],
            "district": row["puskesmas__district__name"],
            "planned": row["planned"],
            "done": row["done"],
            "cancelled": row["cancelled"],
            "mean_score": row["mean_score"],
            "open_actions": open_by_district.get(row["puskesmas__district"], 0),
        }
        for row in rows
    ]


def visit_scores(visit: SupervisionVisit) -> list[dict]:
    """The visit's checklist by section: each item with its levels and the score given (if
    any). A constant number of queries."""
    from ..models import Item, SupervisionScore

    if visit.instrument_id is None:
        return []
    given = {s.item_id: s for s in SupervisionScore.objects.filter(visit=visit)}
    items = (
        Item.objects.filter(section__instrument_id=visit.instrument_id)
        .select_related("section")
        .prefetch_related("levels")
        .order_by("section__order", "section__code", "order", "code")
    )
    sections: list[dict] = []
    for item in items:
        if not sections or sections[-1]["section"].pk != item.section_id:
            sections.append({"section": item.section, "items": []})
        sections[-1]["items"].append(
            {"item": item, "levels": list(item.levels.all()), "given": given.get(item.pk)}
        )
    return sections
