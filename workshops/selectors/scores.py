"""The management score a puskesmas earns for the lokmin it holds in a year (PKP, DOMAIN.md §3).

Lokmin held are counted in one aggregate query; the score of each count comes from the
`ManagementScoreBand` rows (data, editable in admin), never from constants.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Q, QuerySet

from kernel.models import Puskesmas, User
from kernel.scoping import in_area

from ..models import ManagementScoreBand, Meeting

MONTHLY = Meeting.Kind.MONTHLY_LOKMIN
QUARTERLY = Meeting.Kind.QUARTERLY_LOKMIN


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class HeldCounts(TypedDict):
        monthly_held: int
        quarterly_held: int

    # A puskesmas of `lokmin_held`: with its counts of lokmin held.
    PuskesmasHeld = WithAnnotations[Puskesmas, HeldCounts]


def _held(kind: str, year: int) -> Count:
    return Count(
        "meetings",
        filter=Q(
            meetings__kind=kind,
            meetings__status__in=Meeting.HELD_STATUSES,
            meetings__held_on__year=year,
        ),
    )


def lokmin_held(*, user: User, year: int) -> QuerySet[PuskesmasHeld]:
    """Puskesmas in `user`'s area with `monthly_held` and `quarterly_held`: lokmin held or closed
    in `year` (one query; lazy, so it paginates)."""
    return (
        in_area(Puskesmas.objects.all(), user)
        .select_related("district")
        .annotate(monthly_held=_held(MONTHLY, year), quarterly_held=_held(QUARTERLY, year))
        .order_by("district__name", "name", "pk")
    )


@dataclass(frozen=True)
class ScoreBands:
    """The bands of each kind of lokmin, highest first; `score` finds the band of a count."""

    monthly: list[ManagementScoreBand]
    quarterly: list[ManagementScoreBand]

    @staticmethod
    def _score(bands: list[ManagementScoreBand], held: int) -> int | None:
        return next((band.score for band in bands if band.covers(held)), None)

    def monthly_score(self, held: int) -> int | None:
        return self._score(self.monthly, held)

    def quarterly_score(self, held: int) -> int | None:
        return self._score(self.quarterly, held)


def score_bands() -> ScoreBands:
    """The management-score bands in force (one query)."""
    bands = list(ManagementScoreBand.objects.order_by("kind", "-min_held"))
    return ScoreBands(
        monthly=[band for band in bands if band.kind == MONTHLY],
        quarterly=[band for band in bands if band.kind == QUARTERLY],
    )


@dataclass(frozen=True)
class ScoreRow:
    puskesmas: Puskesmas
    monthly_held: int
    monthly_score: int | None
    quarterly_held: int
    quarterly_score: int | None


def management_scores(
    puskesmas_list: Iterable[PuskesmasHeld], *, bands: ScoreBands
) -> list[ScoreRow]:
    """Each puskesmas of `lokmin_held` (or a page of it) with the score of each count."""
    return [
        ScoreRow(
            puskesmas=puskesmas,
            monthly_held=puskesmas.monthly_held,
            monthly_score=bands.monthly_score(puskesmas.monthly_held),
            quarterly_held=puskesmas.quarterly_held,
            quarterly_score=bands.quarterly_score(puskesmas.quarterly_held),
        )
        for puskesmas in puskesmas_list
    ]
