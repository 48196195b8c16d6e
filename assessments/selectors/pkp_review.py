"""Reads of the district's side of the PKP (issue #18): the PKPs a user reads (a province: the
approved ones only), the district comparison of a year (puskesmas x status, scores and ranks,
best first, with last year's scores and the change), counts per rank per district, and one PKP
as the verification page and its documents show it. Every queryset through
`kernel.scoping.in_area`; each read costs a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from kernel.models import District, Puskesmas, User
from kernel.roles import reads_approved_only
from kernel.scoping import in_area

from ..models import Level, Part, PkpAssessment, PkpScore, PkpServiceResult, Rank

Status = PkpAssessment.Status
RANKS = list(Rank.values)
RANK_ORDER = {rank: n for n, rank in enumerate(RANKS)}


def readable_pkps(*, user: User) -> QuerySet[PkpAssessment]:
    """The PKPs `user` reads: its area's; a province (approved-only reader) the approved ones."""
    pkps = in_area(PkpAssessment.objects.all(), user)
    if reads_approved_only(user):
        pkps = pkps.filter(status=Status.APPROVED)
    return pkps


def _change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    if now is None or before is None:
        return None
    return now - before


@dataclass
class PkpLine:
    """A puskesmas with its PKP of the year (None: not started) and of the year before."""

    puskesmas: Puskesmas
    pkp: PkpAssessment | None
    last: PkpAssessment | None = None

    @property
    def district_name(self) -> str:
        return self.puskesmas.district.name

    @property
    def status(self) -> str:
        return self.pkp.status if self.pkp else ""

    @property
    def status_label(self) -> str:
        return str(self.pkp.get_status_display()) if self.pkp else ""

    def _get(self, name: str, pkp: PkpAssessment | None = None):
        return getattr(pkp, name) if pkp is not None else None

    @property
    def service_score(self) -> Decimal | None:
        return self._get("service_score", self.pkp)

    @property
    def management_score(self) -> Decimal | None:
        return self._get("management_score", self.pkp)

    @property
    def last_service_score(self) -> Decimal | None:
        return self._get("service_score", self.last)

    @property
    def last_management_score(self) -> Decimal | None:
        return self._get("management_score", self.last)

    @property
    def service_change(self) -> Decimal | None:
        return _change(self.service_score, self.last_service_score)

    @property
    def management_change(self) -> Decimal | None:
        return _change(self.management_score, self.last_management_score)

    def _rank_label(self, name: str) -> str:
        value = self._get(name, self.pkp) or ""
        return str(Rank(value).label) if value else ""

    @property
    def rank(self) -> str:
        return self._get("rank", self.pkp) or ""

    @property
    def rank_label(self) -> str:
        return self._rank_label("rank")

    @property
    def service_rank_label(self) -> str:
        return self._rank_label("service_rank")

    @property
    def management_rank_label(self) -> str:
        return self._rank_label("management_rank")

    @property
    def url(self) -> str | None:
        if self.pkp is None:
            return None
        return reverse("assessments:pkp-verify", args=[self.pkp.pk])

    def sort_key(self) -> tuple:
        pkp = self.pkp
        minus = Decimal("-1")
        return (
            RANK_ORDER.get(self.rank, len(RANKS)),
            -(pkp.management_score if pkp and pkp.management_score is not None else minus),
            -(pkp.service_score if pkp and pkp.service_score is not None else minus),
            self.puskesmas.name,
        )


def pkp_lines(
    *, user: User, year: int, district_id: int | None = None, status: str = ""
) -> list[PkpLine]:
    """The district comparison of `year`: each puskesmas the user reads with its PKP (a
    province: only the puskesmas with an approved one), best first: by rank, then management
    and service score. Three queries."""
    puskesmas = in_area(Puskesmas.objects.all(), user).select_related("district")
    pkps = readable_pkps(user=user)
    if district_id:
        puskesmas = puskesmas.filter(district_id=district_id)
        pkps = pkps.filter(puskesmas__district_id=district_id)
    this_year = {p.puskesmas_id: p for p in pkps.filter(year=year)}
    last_year = {p.puskesmas_id: p for p in pkps.filter(year=year - 1)}
    lines = []
    for unit in puskesmas:
        pkp = this_year.get(unit.pk)
        if (pkp is None and reads_approved_only(user)) or (
            status and (pkp is None or pkp.status != status)
        ):
            continue
        lines.append(PkpLine(unit, pkp, last_year.get(unit.pk)))
    return sorted(lines, key=PkpLine.sort_key)


@dataclass
class RankCounts:
    district: District
    counts: dict[str, int] = field(default_factory=dict)
    waiting: int = 0
    started: int = 0
    total: int = 0

    @property
    def ordered(self) -> list[int]:
        return [self.counts.get(rank, 0) for rank in RANKS]


def rank_counts(lines: list[PkpLine]) -> list[RankCounts]:
    """Per district of `lines`: how many approved PKPs rank good, fair, poor; how many are
    waiting for verification, started, puskesmas in all. No query."""
    rows: dict[int, RankCounts] = {}
    for line in lines:
        district = line.puskesmas.district
        row = rows.setdefault(district.pk, RankCounts(district, Counter()))
        row.total += 1
        if line.pkp is None:
            continue
        row.started += 1
        if line.pkp.status == Status.SUBMITTED:
            row.waiting += 1
        if line.pkp.status == Status.APPROVED and line.rank:
            row.counts[line.rank] = row.counts.get(line.rank, 0) + 1
    return sorted(rows.values(), key=lambda row: row.district.name)


def own_pkps(*, user: User, puskesmas: Puskesmas) -> list[PkpAssessment]:
    """A puskesmas's PKPs, latest year first. One query."""
    return list(readable_pkps(user=user).filter(puskesmas=puskesmas).order_by("-year"))


@dataclass
class ScoreView:
    score: PkpScore
    levels: list[Level]

    @property
    def changed(self) -> bool:
        s = self.score
        return s.verified_score is not None and s.verified_score != s.self_score


@dataclass
class PkpView:
    pkp: PkpAssessment
    scores: list[ScoreView]
    results: list[PkpServiceResult]

    @property
    def shortfalls(self) -> list[PkpServiceResult]:
        return [result for result in self.results if result.is_shortfall]

    @property
    def verified_count(self) -> int:
        return sum(1 for view in self.scores if view.score.verified_at is not None)


def pkp_view(*, pkp: PkpAssessment) -> PkpView:
    """One PKP with its management scores (each with its item's levels) and its service
    results. Three queries."""
    scores = list(
        PkpScore.objects.filter(assessment=pkp)
        .select_related("item__section", "verified_by")
        .prefetch_related(Prefetch("item__levels", queryset=Level.objects.order_by("score")))
    )
    results = list(PkpServiceResult.objects.filter(assessment=pkp).select_related("item__section"))
    scores = [s for s in scores if s.item.section.part != Part.SERVICE]
    return PkpView(
        pkp=pkp,
        scores=[ScoreView(score, list(score.item.levels.all())) for score in scores],
        results=results,
    )
