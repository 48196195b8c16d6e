"""The strata and level rules read from the edition's data (community/rules.py)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from community.models import Criterion, LevelRule, SkillSet, UkbmStandard
from community.rules import place, shortfall_text, standing

pytestmark = pytest.mark.django_db

MET = dict(
    sessions_held=12,
    active_cadres=5,
    weighing_coverage=Decimal(60),
    kia_coverage=Decimal(60),
    kb_coverage=Decimal(55),
    immunisation_coverage=Decimal(70),
    extra_programmes=1,
    fund_coverage=Decimal(50),
)


def _criteria():
    return list(UkbmStandard.for_year("posyandu", 2026).criteria.all())


@pytest.mark.parametrize(
    ("change", "stratum", "active"),
    [
        ({}, "mandiri", True),
        ({"fund_coverage": Decimal("49.99")}, "purnama", True),
        ({"extra_programmes": 0}, "madya", True),
        ({"kb_coverage": Decimal("49.99")}, "madya", False),
        ({"active_cadres": 4}, "pratama", True),
        ({"sessions_held": 7}, "pratama", False),
        ({"sessions_held": None}, "pratama", False),
    ],
)
def test_a_posyandu_stratum_follows_the_boundaries_of_its_edition(change, stratum, active):
    placement = place(SimpleNamespace(**{**MET, **change}), _criteria())
    assert (placement.stratum, placement.is_active) == (stratum, active)


def test_the_reasons_name_the_figure_and_what_the_next_stratum_needs(settings):
    placement = place(SimpleNamespace(**{**MET, "active_cadres": 4}), _criteria())
    from django.utils import translation

    with translation.override("en"):
        assert [shortfall_text(s, "posyandu") for s in placement.shortfalls] == [
            "Madya: 4 active cadres, needs 5"
        ]


def test_a_stricter_edition_changes_the_stratum_without_code():
    standard = UkbmStandard.for_year("posyandu", 2026)
    Criterion.objects.filter(standard=standard, goal="madya", measure="active_cadres").update(
        minimum=6
    )
    placement = place(SimpleNamespace(**MET), _criteria())
    assert placement.stratum == "pratama"


def test_a_village_without_pratama_criteria_met_has_no_stratum():
    criteria = list(UkbmStandard.for_year("village", 2026).criteria.all())
    village = SimpleNamespace(
        forum_meetings=1,
        active_cadres=2,
        daily_access=True,
        posyandu_count=1,
        active_posyandu=0,
        ukbm_count=0,
        village_funding=False,
        community_activities=3,
        phbs_households=None,
    )
    assert place(village, criteria).stratum == ""
    village.village_funding = True
    assert place(village, criteria).stratum == "pratama"


def test_a_cadre_level_follows_badges_and_skills_from_data():
    skill_set = SkillSet.for_year(2026)
    skills = list(skill_set.skills.all())
    rules = list(skill_set.level_rules.all())
    management = [s for s in skills if s.group == "management"]
    latest = {s.pk: True for s in management}
    result = standing(
        latest=latest, skills=skills, badge_share=skill_set.badge_share, level_rules=rules
    )
    assert (result.skills_competent, result.badges, result.level) == (5, ["management"], "purwa")
    latest[management[0].pk] = False
    result = standing(
        latest=latest, skills=skills, badge_share=skill_set.badge_share, level_rules=rules
    )
    assert (result.badges, result.level) == ([], "")
    everything = {s.pk: True for s in skills}
    result = standing(
        latest=everything, skills=skills, badge_share=skill_set.badge_share, level_rules=rules
    )
    assert result.level == "utama" and len(result.badges) == 5
    LevelRule.objects.filter(skill_set=skill_set, level="utama").update(min_skills=26)
    rules = list(skill_set.level_rules.all())
    result = standing(
        latest=everything, skills=skills, badge_share=skill_set.badge_share, level_rules=rules
    )
    assert result.level == "madya"
