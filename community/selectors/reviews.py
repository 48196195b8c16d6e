"""Reads of the yearly posyandu and desa siaga aktif reviews (issue #17): a puskesmas's
posyandu and desa with their review of a year, the district's reviews with the strata per
puskesmas, the province's approved strata per district, and one review with its reasons and
history. Every queryset through `kernel.scoping.in_area`; a province reads approved reviews
only (`kernel.roles.reads_approved_only`). Each read costs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.urls import reverse

from kernel.models import District, Puskesmas, ServicePoint, User, Village
from kernel.roles import reads_approved_only
from kernel.scoping import in_area
from kernel.selectors.audit import audit_history

from ..models import PosyanduReview, Stratum, UkbmStandard, VillageReview
from ..rules import shortfall_text

Status = PosyanduReview.Status
POSYANDU = UkbmStandard.Subject.POSYANDU
VILLAGE = UkbmStandard.Subject.VILLAGE
STRATA = list(Stratum.values)
NONE = "none"  # a desa below Pratama: not siaga aktif


def _approved_only(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.filter(status=Status.APPROVED) if reads_approved_only(user) else queryset


def readable_posyandu_reviews(*, user: User) -> QuerySet[PosyanduReview]:
    return _approved_only(in_area(PosyanduReview.objects.all(), user), user)


def readable_village_reviews(*, user: User) -> QuerySet[VillageReview]:
    return _approved_only(in_area(VillageReview.objects.all(), user), user)


@dataclass
class ReviewLine:
    """A posyandu or a desa with its review of the year (None: not opened)."""

    kind: str  # POSYANDU | VILLAGE
    subject: ServicePoint | Village
    puskesmas: Puskesmas
    review: PosyanduReview | VillageReview | None

    @property
    def name(self) -> str:
        return self.subject.name

    @property
    def kind_label(self) -> str:
        return str(UkbmStandard.Subject(self.kind).label)

    @property
    def village_name(self) -> str:
        if isinstance(self.subject, Village):
            return self.subject.name
        village = self.subject.village
        return village.name if village else ""

    @property
    def status(self) -> str:
        return self.review.status if self.review else ""

    @property
    def status_label(self) -> str:
        return str(self.review.get_status_display()) if self.review else ""

    @property
    def stratum(self) -> str:
        return self.review.stratum if self.review else ""

    @property
    def stratum_label(self) -> str:
        return str(self.review.get_stratum_display()) if self.review and self.stratum else ""

    @property
    def is_active(self) -> bool | None:
        if self.review is None:
            return None
        if isinstance(self.review, PosyanduReview):
            return self.review.is_active_posyandu
        return self.review.is_siaga_aktif

    @property
    def url(self) -> str | None:
        if self.review is None:
            return None
        name = "community:posyandu-review" if self.kind == POSYANDU else "community:village-review"
        return reverse(name, args=[self.review.pk])

    @property
    def open_url(self) -> str:
        name = (
            "community:posyandu-review-open"
            if self.kind == POSYANDU
            else "community:village-review-open"
        )
        return reverse(name, args=[self.subject.pk])


def puskesmas_review_lines(*, user: User, puskesmas: Puskesmas, year: int) -> list[ReviewLine]:
    """The puskesmas's active posyandu, then the desa of its working area, each with its review
    of `year` (None when not opened). Four queries."""
    posyandu = list(
        in_area(
            ServicePoint.objects.filter(
                puskesmas=puskesmas, kind=ServicePoint.Kind.POSYANDU, is_active=True
            ),
            user,
        )
        .select_related("village")
        .order_by("village__name", "name")
    )
    villages = list(in_area(Village.objects.filter(puskesmas=puskesmas), user).order_by("name"))
    by_point = {
        r.service_point_id: r
        for r in readable_posyandu_reviews(user=user).filter(puskesmas=puskesmas, year=year)
    }
    by_village = {
        r.village_id: r
        for r in readable_village_reviews(user=user).filter(puskesmas=puskesmas, year=year)
    }
    return [ReviewLine(POSYANDU, p, puskesmas, by_point.get(p.pk)) for p in posyandu] + [
        ReviewLine(VILLAGE, v, puskesmas, by_village.get(v.pk)) for v in villages
    ]


def review_lines(
    *, user: User, year: int, status: str = "", kind: str = "", puskesmas_id: int | None = None
) -> list[ReviewLine]:
    """The reviews of `year` the user reads (a district: its puskesmas's; a province: the
    approved ones), optionally of one status, kind or puskesmas; by puskesmas, kind, name.
    Two queries."""
    lines: list[ReviewLine] = []
    if kind in ("", POSYANDU):
        reviews = readable_posyandu_reviews(user=user).filter(year=year)
        if status:
            reviews = reviews.filter(status=status)
        if puskesmas_id:
            reviews = reviews.filter(puskesmas_id=puskesmas_id)
        for review in reviews.select_related(
            "service_point__village", "puskesmas__district", "submitted_by"
        ):
            lines.append(ReviewLine(POSYANDU, review.service_point, review.puskesmas, review))
    if kind in ("", VILLAGE):
        village_reviews = readable_village_reviews(user=user).filter(year=year)
        if status:
            village_reviews = village_reviews.filter(status=status)
        if puskesmas_id:
            village_reviews = village_reviews.filter(puskesmas_id=puskesmas_id)
        for desa in village_reviews.select_related(
            "village", "puskesmas__district", "submitted_by"
        ):
            lines.append(ReviewLine(VILLAGE, desa.village, desa.puskesmas, desa))
    lines.sort(key=lambda line: (line.puskesmas.name, line.kind != POSYANDU, line.name))
    return lines


@dataclass
class StrataRow:
    """Counts of reviews per stratum (and per status) for one puskesmas or district."""

    area: Puskesmas | District
    posyandu: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STRATA, 0))
    villages: dict[str, int] = field(default_factory=lambda: dict.fromkeys([*STRATA, NONE], 0))
    statuses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Status.values, 0))
    active_posyandu: int = 0

    @property
    def posyandu_total(self) -> int:
        return sum(self.posyandu.values())

    @property
    def posyandu_strata(self) -> list[int]:
        return [self.posyandu[s] for s in STRATA]

    @property
    def village_strata(self) -> list[int]:
        return [self.villages[s] for s in STRATA]

    @property
    def siaga_aktif(self) -> int:
        return sum(self.villages[s] for s in STRATA)

    @property
    def villages_total(self) -> int:
        return sum(self.villages.values())


def _strata_rows(
    *, user: User, year: int, areas: list, key: str, status: str = ""
) -> list[StrataRow]:
    rows = {area.pk: StrataRow(area) for area in areas}
    posyandu = readable_posyandu_reviews(user=user).filter(year=year)
    villages = readable_village_reviews(user=user).filter(year=year)
    if status:
        posyandu, villages = posyandu.filter(status=status), villages.filter(status=status)
    for found in (
        posyandu.values(key, "stratum", "status", "is_active_posyandu")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        row = rows.get(found[key])
        if row is None:
            continue
        if found["stratum"] in row.posyandu:
            row.posyandu[found["stratum"]] += found["count"]
        row.statuses[found["status"]] += found["count"]
        if found["is_active_posyandu"]:
            row.active_posyandu += found["count"]
    for found in villages.values(key, "stratum", "status").annotate(count=Count("pk")).order_by():
        row = rows.get(found[key])
        if row is None:
            continue
        row.villages[found["stratum"] or NONE] += found["count"]
        row.statuses[found["status"]] += found["count"]
    return list(rows.values())


def district_strata(*, user: User, year: int, status: str = "") -> list[StrataRow]:
    """Per puskesmas of the user's area: its reviews of `year` per stratum and status. Three
    queries."""
    puskesmas = list(in_area(Puskesmas.objects.all(), user).order_by("name"))
    return _strata_rows(user=user, year=year, areas=puskesmas, key="puskesmas_id", status=status)


def province_strata(*, user: User, year: int) -> list[StrataRow]:
    """Per district of the user's province: its APPROVED reviews of `year` per stratum. Three
    queries."""
    districts = list(in_area(District.objects.all(), user).order_by("name"))
    return _strata_rows(
        user=user,
        year=year,
        areas=districts,
        key="puskesmas__district_id",
        status=Status.APPROVED,
    )


def village_counts(*, village: Village | int, year: int) -> dict[str, int]:
    """A desa's posyandu (registered, active), those active by the year's posyandu reviews,
    and its other UKBM (posbindu, poskesdes, pos UKK, poskestren). Two queries."""
    village_id = village if isinstance(village, int) else village.pk
    points = list(
        ServicePoint.objects.filter(
            village_id=village_id, is_active=True, kind__in=ServicePoint.UKBM_KINDS
        ).values_list("kind", flat=True)
    )
    posyandu = sum(1 for kind in points if kind == ServicePoint.Kind.POSYANDU)
    active = PosyanduReview.objects.filter(
        service_point__village_id=village_id,
        service_point__is_active=True,
        year=year,
        is_active_posyandu=True,
    ).count()
    return {
        "posyandu_count": posyandu,
        "active_posyandu": active,
        "ukbm_count": len(points) - posyandu,
    }


# --- One review ---------------------------------------------------------------------------------


@dataclass
class ReviewView:
    """A review with its reasons in words and its history (newest first)."""

    review: PosyanduReview | VillageReview
    kind: str
    subject: ServicePoint | Village
    stratum_reasons: list[str]  # the criteria of the next stratum not met
    active_reasons: list[str]  # the criteria of being active not met
    next_stratum: str
    events: list
    counts_changed: bool = False  # a desa's posyandu changed since its review was placed


def review_detail(*, review: PosyanduReview | VillageReview, user: User) -> ReviewView:
    """The review's reasons (rules.shortfall_text, in the active language) and its last 30
    workflow steps. One query."""
    kind = POSYANDU if isinstance(review, PosyanduReview) else VILLAGE
    stratum_reasons, active_reasons, goals = [], [], []
    for shortfall in review.shortfalls or []:
        text = shortfall_text(shortfall, kind)
        if shortfall.get("goal") == "active":
            active_reasons.append(text)
        else:
            stratum_reasons.append(text)
            goals.append(shortfall.get("goal"))
    next_stratum = str(Stratum(goals[0]).label) if goals and goals[0] in STRATA else ""
    subject = review.service_point if isinstance(review, PosyanduReview) else review.village
    events = list(audit_history(obj=review, user=user)[:30])
    changed = False
    if isinstance(review, VillageReview) and review.is_editable:
        counted = village_counts(village=review.village_id, year=review.year)
        changed = any(getattr(review, name) != count for name, count in counted.items())
    return ReviewView(
        review, kind, subject, stratum_reasons, active_reasons, next_stratum, events, changed
    )


def waiting_counts(*, user: User) -> dict[str, int]:
    """How many reviews (every year) wait for the district, and how many were returned to the
    puskesmas: two queries."""
    counts: dict[str, int] = {Status.SUBMITTED.value: 0, Status.RETURNED.value: 0}
    for queryset in (readable_posyandu_reviews(user=user), readable_village_reviews(user=user)):
        for row in (
            queryset.filter(status__in=list(counts)).values("status").annotate(n=Count("pk"))
        ):
            counts[row["status"]] += row["n"]
    return counts
