"""The rules of the community layer, from data: a review's stratum (and whether it is active)
from its edition's criteria, a cadre's badges and level from its assessments by the skill set's
rules, and the figures each review criterion and UKBM indicator reads. Pure functions over
plain values: services store what they return, pages show the reasons."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models.standards import LEVELS, STRATA, Criterion, SkillGroup

# The figures a criterion may name, per subject: field of the review -> how it is said (with
# its unit). Yes/no fields count 1 for yes.
POSYANDU_MEASURES: dict[str, object] = {
    "sessions_held": gettext_lazy("sessions held"),
    "active_cadres": gettext_lazy("active cadres"),
    "weighing_coverage": gettext_lazy("weighing coverage D/S (%)"),
    "kia_coverage": gettext_lazy("maternal and child health coverage (%)"),
    "kb_coverage": gettext_lazy("family planning coverage (%)"),
    "immunisation_coverage": gettext_lazy("immunisation coverage (%)"),
    "extra_programmes": gettext_lazy("extra programmes"),
    "fund_coverage": gettext_lazy("households in a health fund (%)"),
}
VILLAGE_MEASURES: dict[str, object] = {
    "forum_meetings": gettext_lazy("village forum meetings"),
    "active_cadres": gettext_lazy("active cadres"),
    "daily_access": gettext_lazy("daily access to basic care (1 = yes)"),
    "posyandu_count": gettext_lazy("posyandu"),
    "active_posyandu": gettext_lazy("active posyandu"),
    "ukbm_count": gettext_lazy("other UKBM"),
    "village_funding": gettext_lazy("village funding for health (1 = yes)"),
    "community_activities": gettext_lazy("community activities"),
    "phbs_households": gettext_lazy("households living clean and healthy (%)"),
}
MEASURES = {"posyandu": POSYANDU_MEASURES, "village": VILLAGE_MEASURES}


def figure(record: object, measure: str) -> Decimal | None:
    """The review's value of `measure` as a number (None when not entered)."""
    value = getattr(record, measure, None)
    if value is None:
        return None
    if isinstance(value, bool):
        return Decimal(1 if value else 0)
    return Decimal(value)


@dataclass(frozen=True)
class Shortfall:
    """A criterion not met: the goal it is for, the figure, its value and the minimum."""

    goal: str
    measure: str
    value: Decimal | None
    minimum: Decimal

    def as_json(self) -> dict:
        return {
            "goal": self.goal,
            "measure": self.measure,
            "value": None if self.value is None else str(self.value),
            "minimum": str(self.minimum),
        }


@dataclass(frozen=True)
class Placement:
    """Where a review lands: its stratum ("" when even Pratama's criteria are not met), whether
    it is active (None when the edition has no criteria for it), and what keeps it from the
    next stratum and from being active."""

    stratum: str
    is_active: bool | None
    shortfalls: list[Shortfall]


def _unmet(criteria: Iterable[Criterion], record: object) -> list[Shortfall]:
    unmet = []
    for criterion in criteria:
        value = figure(record, criterion.measure)
        if value is None or value < criterion.minimum:
            unmet.append(Shortfall(criterion.goal, criterion.measure, value, criterion.minimum))
    return unmet


def place(record: object, criteria: Iterable[Criterion]) -> Placement:
    """The stratum a review reaches: the highest whose criteria, and those of every stratum
    below it, are all met. Shortfalls: the unmet criteria of the first stratum not reached,
    then those of being active."""
    by_goal: dict[str, list[Criterion]] = {}
    for criterion in criteria:
        by_goal.setdefault(criterion.goal, []).append(criterion)
    stratum, shortfalls = "", []
    for goal in STRATA:
        unmet = _unmet(by_goal.get(goal, []), record)
        if unmet:
            shortfalls = unmet
            break
        stratum = goal
    active_criteria = by_goal.get(Criterion.Goal.ACTIVE, [])
    is_active = None
    if active_criteria:
        unmet_active = _unmet(active_criteria, record)
        is_active = not unmet_active
        shortfalls = shortfalls + unmet_active
    return Placement(stratum, is_active, shortfalls)


def shortfall_text(shortfall: Mapping | Shortfall, subject: str) -> str:
    """ "Madya: 4 active cadres, needs 5" (or "not entered") in the active language."""
    if isinstance(shortfall, Shortfall):
        shortfall = shortfall.as_json()
    goal = Criterion.Goal(shortfall["goal"]).label
    measure = str(MEASURES.get(subject, {}).get(shortfall["measure"], shortfall["measure"]))
    minimum = Decimal(shortfall["minimum"]).normalize()
    if shortfall["value"] is None:
        return _("%(goal)s: %(measure)s not entered, needs %(minimum)s") % {
            "goal": goal,
            "measure": measure,
            "minimum": f"{minimum:f}",
        }
    value = Decimal(shortfall["value"]).normalize()
    return _("%(goal)s: %(value)s %(measure)s, needs %(minimum)s") % {
        "goal": goal,
        "value": f"{value:f}",
        "measure": measure,
        "minimum": f"{minimum:f}",
    }


# --- Cadres -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CadreStanding:
    """A cadre's skills competent (latest assessment per skill), group badges and level."""

    skills_competent: int
    skills_assessed: int
    badges: list[str]  # SkillGroup values, in group order
    level: str  # CadreLevel value or ""


def standing(
    *,
    latest: Mapping[int, bool],
    skills: Iterable,
    badge_share: Decimal,
    level_rules: Iterable,
) -> CadreStanding:
    """From the latest result per skill id (True: competent) over the skill set's `skills`
    (with .pk and .group), the set's badge share (%) and its level rules (with .level,
    .min_skills, .min_badges): a group's badge once `badge_share` % of its skills are
    competent; the highest level whose rule, and every lower level's, is met."""
    skills = list(skills)
    competent = sum(1 for skill in skills if latest.get(skill.pk))
    assessed = sum(1 for skill in skills if skill.pk in latest)
    badges = []
    for group in SkillGroup.values:
        of_group = [skill for skill in skills if skill.group == group]
        if not of_group:
            continue
        done = sum(1 for skill in of_group if latest.get(skill.pk))
        if Decimal(done) * 100 >= badge_share * len(of_group):
            badges.append(group)
    rules = {rule.level: rule for rule in level_rules}
    level = ""
    for candidate in LEVELS:
        rule = rules.get(candidate)
        if rule is None or competent < rule.min_skills or len(badges) < rule.min_badges:
            break
        level = candidate
    return CadreStanding(competent, assessed, badges, level)


# --- UKBM indicators ----------------------------------------------------------------------------

# measure -> what it counts (numerator of denominator); the selector or service that computes
# indicators implements each by name (community/services/indicators.py).
INDICATOR_MEASURES: dict[str, object] = {
    "posyandu_purnama_mandiri": gettext_lazy(
        "posyandu reviewed Purnama or Mandiri (approved reviews) of the posyandu registered"
    ),
    "posyandu_active": gettext_lazy(
        "active posyandu (approved reviews) of the posyandu registered"
    ),
    "posyandu_ilp": gettext_lazy("posyandu running ILP of the posyandu registered"),
    "cadres_assessed": gettext_lazy(
        "active cadres assessed in every basic skill of the active cadres"
    ),
    "village_siaga_aktif": gettext_lazy(
        "desa siaga aktif (approved reviews) of the desa in the working areas"
    ),
}
