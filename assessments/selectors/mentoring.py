"""Reads of the planning-capacity mentoring (issue #18, must-have 3): a mentor's districts, a
district's mentoring page, the move of the capacity assessment between the baseline and the
latest review, and the progress of mentored districts for a province and the country.

Everything goes through kernel.scoping.in_area (a mentor: its districts assigned today; a
district: its own; a province: its districts; system administrators: all). Query counts do
not grow with the number of districts or records: each list is one query, grouped in Python.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kernel.models import District, MentorAssignment, Puskesmas, User
from kernel.scoping import in_area

from ..models import (
    CapacityAssessment,
    CapacityScore,
    Level,
    MentoringActivity,
    MentoringItem,
    MentoringVisit,
    Section,
)
from ..scoring import Scored, section_scores

Stage = CapacityAssessment.Stage
OPEN = MentoringItem.OPEN_STATUSES
DONE = MentoringItem.Status.DONE
DROPPED = MentoringItem.Status.DROPPED


def districts_of(*, user: User) -> QuerySet[District]:
    """The districts the user reads (a mentor: those assigned today)."""
    return in_area(District.objects.select_related("province"), user).order_by("name")


def assessments_of(*, user: User) -> QuerySet[CapacityAssessment]:
    return in_area(
        CapacityAssessment.objects.select_related("district", "instrument", "meeting"), user
    )


def activities_of(*, user: User) -> QuerySet[MentoringActivity]:
    return in_area(MentoringActivity.objects.select_related("district", "section"), user)


def visits_of(*, user: User) -> QuerySet[MentoringVisit]:
    return in_area(
        MentoringVisit.objects.select_related("district", "puskesmas", "mentor", "activity"), user
    )


def items_of(*, user: User) -> QuerySet[MentoringItem]:
    return in_area(
        MentoringItem.objects.select_related("district", "section", "assessment", "visit"), user
    )


def assignments_of(*, user: User) -> QuerySet[MentorAssignment]:
    return in_area(
        MentorAssignment.objects.select_related("user", "district", "district__province"), user
    )


def fgd_meetings(*, user: User, district: District):
    """The district's FGD meetings (for the assessment form)."""
    from workshops.models import Meeting

    return in_area(
        Meeting.objects.filter(district=district, format=Meeting.Format.FGD), user
    ).order_by("-held_on")


def puskesmas_of(*, district: District) -> QuerySet[Puskesmas]:
    return Puskesmas.objects.filter(district=district).order_by("name")


def _latest_by_district(
    assessments: list[CapacityAssessment],
) -> tuple[dict[int, CapacityAssessment], dict[int, CapacityAssessment]]:
    """(first baseline, latest assessment) per district; `assessments` in held_on order."""
    baseline: dict[int, CapacityAssessment] = {}
    latest: dict[int, CapacityAssessment] = {}
    for assessment in assessments:
        if assessment.stage == Stage.BASELINE:
            baseline.setdefault(assessment.district_id, assessment)
        latest[assessment.district_id] = assessment
    return baseline, latest


# --- A mentor's districts -----------------------------------------------------------------------


@dataclass
class DistrictCard:
    district: District
    latest: CapacityAssessment | None = None
    open_items: int = 0
    overdue_items: int = 0
    next_activity: MentoringActivity | None = None


def mentor_districts(*, user: User, today: datetime.date | None = None) -> list[DistrictCard]:
    """The districts the user reads (a mentor: assigned today), each with its latest capacity
    assessment, its open and overdue RTL items and the next open activity of its plan."""
    today = today or timezone.localdate()
    cards = {d.pk: DistrictCard(district=d) for d in districts_of(user=user)}
    if not cards:
        return []
    ids = list(cards)
    for assessment in (
        assessments_of(user=user).filter(district_id__in=ids).order_by("held_on", "pk")
    ):
        cards[assessment.district_id].latest = assessment
    counts = (
        items_of(user=user)
        .filter(district_id__in=ids)
        .order_by()
        .values("district_id")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN)),
            overdue=Count("pk", filter=Q(status__in=OPEN, due_on__lt=today)),
        )
    )
    for row in counts:
        card = cards[row["district_id"]]
        card.open_items, card.overdue_items = row["open"], row["overdue"]
    for activity in (
        activities_of(user=user)
        .filter(district_id__in=ids, status__in=OPEN)
        .order_by("due_on", "pk")
    ):
        card = cards[activity.district_id]
        if card.next_activity is None:
            card.next_activity = activity
    return list(cards.values())


# --- The move between baseline and review -------------------------------------------------------


@dataclass
class SectionMove:
    code: str
    label: str
    baseline: Decimal | None
    review: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.baseline is None or self.review is None:
            return None
        return self.review - self.baseline


@dataclass
class Move:
    baseline: CapacityAssessment | None
    review: CapacityAssessment | None
    sections: list[SectionMove] = field(default_factory=list)

    @property
    def change(self) -> Decimal | None:
        if self.baseline is None or self.review is None:
            return None
        if self.baseline.score is None or self.review.score is None:
            return None
        return self.review.score - self.baseline.score


def capacity_move(
    *, baseline: CapacityAssessment | None, review: CapacityAssessment | None
) -> Move:
    """Each topic's score at the baseline and at the review, side by side (topics matched by
    their code, so a review on a newer edition still compares), and the change. One query."""
    move = Move(baseline=baseline, review=review)
    chosen = [a for a in (baseline, review) if a is not None]
    if not chosen:
        return move
    rows = CapacityScore.objects.filter(assessment__in=chosen).select_related("item__section")
    by_assessment: dict[int, list[Scored]] = {a.pk: [] for a in chosen}
    sections: dict[str, Section] = {}
    section_code: dict[int, str] = {}
    order: dict[str, tuple[int, int]] = {}
    for row in rows:
        section = row.item.section
        section_code[section.pk] = section.code
        # The review's wording and order win (the newer edition).
        rank = 1 if review is not None and row.assessment_id == review.pk else 0
        if section.code not in order or rank >= order[section.code][0]:
            sections[section.code] = section
            order[section.code] = (rank, section.order)
        by_assessment[row.assessment_id].append(
            Scored(
                section_id=section.pk,
                section_weight=section.weight,
                item_weight=row.item.weight,
                score=row.score,
            )
        )
    by_code: dict[int, dict[str, Decimal | None]] = {}
    for pk, scored in by_assessment.items():
        by_code[pk] = {
            section_code[section_id]: value for section_id, value in section_scores(scored).items()
        }
    for code in sorted(sections, key=lambda c: (order[c][1], c)):
        move.sections.append(
            SectionMove(
                code=code,
                label=sections[code].label,
                baseline=by_code.get(baseline.pk, {}).get(code) if baseline else None,
                review=by_code.get(review.pk, {}).get(code) if review else None,
            )
        )
    return move


def district_move(assessments: list[CapacityAssessment]) -> Move:
    """The move between the first baseline and the latest review among `assessments`."""
    baseline = next((a for a in assessments if a.stage == Stage.BASELINE), None)
    reviews = [a for a in assessments if a.stage == Stage.REVIEW]
    return capacity_move(baseline=baseline, review=reviews[-1] if reviews else None)


# --- One district's page ------------------------------------------------------------------------


def district_mentoring(
    *, user: User, district: District, today: datetime.date | None = None
) -> dict[str, Any]:
    """Everything of the district's mentoring page: its mentors, capacity assessments (with the
    move), plan activities, visits and RTL items. A fixed number of queries."""
    today = today or timezone.localdate()
    assessments = list(assessments_of(user=user).filter(district=district).order_by("held_on"))
    assignments = list(
        assignments_of(user=user).filter(district=district).order_by("-starts_on", "-pk")
    )
    for assignment in assignments:
        current = assignment.starts_on <= today and (
            assignment.ends_on is None or assignment.ends_on >= today
        )
        assignment.is_current = current  # type: ignore[attr-defined]
    items = list(items_of(user=user).filter(district=district).order_by("due_on", "pk"))
    for item in items:
        item.overdue = item.is_overdue(today)  # type: ignore[attr-defined]
    activities = list(activities_of(user=user).filter(district=district).order_by("due_on", "pk"))
    for activity in activities:
        activity.overdue = activity.is_overdue(today)  # type: ignore[attr-defined]
    return {
        "assignments": assignments,
        "assessments": assessments,
        "move": district_move(assessments),
        "activities": activities,
        "visits": list(visits_of(user=user).filter(district=district)),
        "items": items,
    }


# --- An assessment's sheet ----------------------------------------------------------------------


@dataclass
class ScoreLine:
    score: CapacityScore
    levels: list[Level]


@dataclass
class SectionSheet:
    section: Section
    value: Decimal | None
    lines: list[ScoreLine]


def capacity_sheet(*, assessment: CapacityAssessment) -> list[SectionSheet]:
    """The assessment's scores by topic, each item with its levels and their definitions, and
    each topic's score. Two queries."""
    rows = list(
        CapacityScore.objects.filter(assessment=assessment)
        .select_related("item__section")
        .order_by("item__section__order", "item__section__code", "item__order", "item__code")
    )
    levels: dict[int, list[Level]] = {}
    for level in Level.objects.filter(item__in=[r.item_id for r in rows]).order_by(
        "item_id", "score"
    ):
        levels.setdefault(level.item_id, []).append(level)
    values = section_scores(
        Scored(
            section_id=r.item.section_id,
            section_weight=r.item.section.weight,
            item_weight=r.item.weight,
            score=r.score,
        )
        for r in rows
    )
    sheets: dict[int, SectionSheet] = {}
    for row in rows:
        section = row.item.section
        sheet = sheets.setdefault(
            section.pk, SectionSheet(section=section, value=values.get(section.pk), lines=[])
        )
        sheet.lines.append(ScoreLine(score=row, levels=levels.get(row.item_id, [])))
    return list(sheets.values())


# --- Progress of mentored districts -------------------------------------------------------------


@dataclass
class ProgressRow:
    district: District
    mentors: list[str] = field(default_factory=list)
    baseline: CapacityAssessment | None = None
    latest: CapacityAssessment | None = None
    activities_done: int = 0
    activities_planned: int = 0
    items_open: int = 0
    items_overdue: int = 0

    @property
    def change(self) -> Decimal | None:
        if self.baseline is None or self.latest is None or self.latest.pk == self.baseline.pk:
            return None
        if self.baseline.score is None or self.latest.score is None:
            return None
        return self.latest.score - self.baseline.score


def mentoring_progress(*, user: User, today: datetime.date | None = None) -> list[ProgressRow]:
    """The mentored districts the user reads (a province: its districts; system administrators:
    the country): mentors now, baseline and latest score and the change, plan activities done
    of planned (dropped left out), RTL items open and overdue. A district is listed once it has
    a mentor assignment or an assessment. Five queries, whatever the number of districts."""
    today = today or timezone.localdate()
    districts = {d.pk: d for d in districts_of(user=user)}
    rows: dict[int, ProgressRow] = {}

    def row_of(district_id: int) -> ProgressRow | None:
        if district_id not in districts:
            return None
        return rows.setdefault(district_id, ProgressRow(district=districts[district_id]))

    for assignment in assignments_of(user=user).order_by("starts_on", "pk"):
        row = row_of(assignment.district_id)
        if (
            row is not None
            and assignment.starts_on <= today
            and (assignment.ends_on is None or assignment.ends_on >= today)
        ):
            row.mentors.append(assignment.user.get_full_name() or assignment.user.username)
    baseline, latest = _latest_by_district(
        list(assessments_of(user=user).order_by("held_on", "pk"))
    )
    for district_id, assessment in latest.items():
        row = row_of(district_id)
        if row is not None:
            row.latest = assessment
            row.baseline = baseline.get(district_id)
    ids = list(rows)
    for done in (
        activities_of(user=user)
        .filter(district_id__in=ids)
        .order_by()
        .values("district_id")
        .annotate(
            done=Count("pk", filter=Q(status=DONE)), kept=Count("pk", filter=~Q(status=DROPPED))
        )
    ):
        rows[done["district_id"]].activities_done = done["done"]
        rows[done["district_id"]].activities_planned = done["kept"]
    for counts in (
        items_of(user=user)
        .filter(district_id__in=ids)
        .order_by()
        .values("district_id")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN)),
            overdue=Count("pk", filter=Q(status__in=OPEN, due_on__lt=today)),
        )
    ):
        rows[counts["district_id"]].items_open = counts["open"]
        rows[counts["district_id"]].items_overdue = counts["overdue"]
    return sorted(rows.values(), key=lambda r: (r.district.province.name, r.district.name))
