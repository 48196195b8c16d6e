"""Reads of the cadres part (issue #17): the list (scoped, filtered, a flat number of queries),
a cadre's skills by group with the latest result of each, its history, and the cadres of a
training event. Every queryset goes through kernel.scoping.in_area."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from kernel.models import Puskesmas, ServicePoint, User
from kernel.scoping import in_area, in_given_area
from workshops.models import Meeting

from ..models import Cadre, SkillAssessment, SkillGroup, SkillSet, TrainingAttendance
from ..services.cadres import latest_results

NO_LEVEL = "none"


def readable_cadres(*, user: User) -> QuerySet[Cadre]:
    return in_area(Cadre.objects.all(), user).select_related("service_point__village", "puskesmas")


def cadre_list(
    *,
    user: User,
    puskesmas: Puskesmas | None = None,
    posyandu: ServicePoint | None = None,
    level: str = "",
    assessed: str = "",
) -> QuerySet[Cadre]:
    """The cadres the user sees, by puskesmas, posyandu and name; filtered by puskesmas,
    posyandu, level ("none": no level yet) and assessed ("yes"/"no")."""
    rows = readable_cadres(user=user)
    if puskesmas is not None:
        rows = rows.filter(puskesmas=puskesmas)
    if posyandu is not None:
        rows = rows.filter(service_point=posyandu)
    if level == NO_LEVEL:
        rows = rows.filter(level="")
    elif level:
        rows = rows.filter(level=level)
    if assessed == "yes":
        rows = rows.filter(last_assessed_on__isnull=False)
    elif assessed == "no":
        rows = rows.filter(last_assessed_on__isnull=True)
    return rows.order_by("puskesmas__name", "service_point__name", "name", "pk")


def posyandu_of(*, user: User, puskesmas: Puskesmas | None = None) -> QuerySet[ServicePoint]:
    """The posyandu the user sees (of one puskesmas, when given)."""
    points = in_area(ServicePoint.objects.filter(kind=ServicePoint.Kind.POSYANDU), user)
    if puskesmas is not None:
        points = points.filter(puskesmas=puskesmas)
    return points.select_related("puskesmas").order_by("puskesmas__name", "name")


def puskesmas_of(*, user: User) -> QuerySet[Puskesmas]:
    return in_area(Puskesmas.objects.all(), user).order_by("name")


# --- A cadre's skills ---------------------------------------------------------------------------


@dataclass
class SkillLine:
    skill: object
    latest: SkillAssessment | None

    @property
    def is_competent(self) -> bool:
        return self.latest is not None and self.latest.result == SkillAssessment.Result.COMPETENT


@dataclass
class GroupSheet:
    group: str
    label: str
    lines: list[SkillLine] = field(default_factory=list)
    has_badge: bool = False

    @property
    def competent(self) -> int:
        return sum(1 for line in self.lines if line.is_competent)


def skill_set_for(cadre: Cadre, on: object = None) -> SkillSet | None:
    """The skill set a cadre is assessed with now (of this year), else its stored one."""
    year = getattr(on, "year", None) or timezone.localdate().year
    return SkillSet.for_year(year) or cadre.skill_set


def skill_sheet(*, cadre: Cadre, skill_set: SkillSet | None) -> list[GroupSheet]:
    """The skill set's skills in 5 groups, each with the cadre's latest result, and whether
    the cadre holds the group's badge. Two queries."""
    if skill_set is None:
        return []
    latest = latest_results(cadre, skill_set)
    groups = {
        value: GroupSheet(value, str(label), has_badge=value in (cadre.badges or []))
        for value, label in SkillGroup.choices
    }
    for skill in skill_set.skills.order_by("number"):
        groups[skill.group].lines.append(SkillLine(skill, latest.get(skill.pk)))
    return [group for group in groups.values() if group.lines]


def badge_labels(cadre: Cadre) -> list[str]:
    labels = dict(SkillGroup.choices)
    return [str(labels.get(value, value)) for value in cadre.badges or []]


def assessment_history(*, cadre: Cadre) -> QuerySet[SkillAssessment]:
    return (
        SkillAssessment.objects.filter(cadre=cadre)
        .select_related("skill", "assessor")
        .order_by("-assessed_on", "skill__number", "-pk")
    )


def trainings_of(*, cadre: Cadre) -> QuerySet[TrainingAttendance]:
    return (
        TrainingAttendance.objects.filter(cadre=cadre)
        .select_related("meeting")
        .order_by("-meeting__held_on")
    )


# --- Training events ----------------------------------------------------------------------------


def training_area_cadres(
    *, meeting: Meeting, user: User, puskesmas: Puskesmas | None
) -> QuerySet[Cadre]:
    """Active cadres (and those already on the attendance list) the user sees in the
    training's area, of one puskesmas when given."""
    area = meeting.puskesmas or meeting.district or meeting.province
    cadres = in_given_area(readable_cadres(user=user), area)
    if puskesmas is not None:
        cadres = cadres.filter(puskesmas=puskesmas)
    listed = TrainingAttendance.objects.filter(meeting=meeting).values("cadre_id")
    return cadres.filter(Q(is_active=True) | Q(pk__in=listed)).order_by(
        "puskesmas__name", "service_point__name", "name", "pk"
    )


def attendance_of(*, meeting: Meeting) -> dict[int, bool | None]:
    return dict(
        TrainingAttendance.objects.filter(meeting=meeting).values_list("cadre_id", "attended")
    )
