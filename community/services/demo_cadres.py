"""Demo data of the community layer's cadres part (issue #17), for `manage.py seed_demo`:
5 to 8 cadres per posyandu of Hulu Sungai Utara (mostly women, as in the field), and the
first posyandu of the district's first puskesmas assessed at a session: one cadre Utama, one
Madya, two Purwa, one on its way; every other cadre not assessed yet. Idempotent: a posyandu
that has cadres gets none added, a cadre already assessed is left alone."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from kernel.models import ServicePoint, User

from ..models import Cadre, SkillAssessment, SkillGroup, SkillSet
from .cadres import assessments_record

DISTRICT = "63.08"  # Hulu Sungai Utara
WOMEN = [
    "Siti Aminah",
    "Nurhayati",
    "Rabiatul Adawiyah",
    "Hj. Masitah",
    "Jumiati",
    "Salmah",
    "Noor Aida",
    "Rusmini",
    "Mariani",
    "Fatimah Zahra",
    "Norhasanah",
    "Halimah",
    "Syarifah",
    "Rahmawati",
    "Nor Jannah",
    "Saidah",
    "Mahdiah",
    "Hasnah",
    "Rusdiana",
    "Nurul Hidayah",
    "Siti Rahmah",
    "Aisyah",
    "Mardiana",
    "Juwairiyah",
    "Khairunnisa",
    "Hamidah",
    "Zubaidah",
    "Maulida",
    "Norlaila",
    "Sri Wahyuni",
    "Dewi Sartika",
    "Yuliani",
    "Raudah",
    "Husna",
]
MEN = ["Ahmad Yani", "M. Ridwan", "Abdul Hadi", "Saberani", "H. Rusdi", "Fahrurrazi"]


def _people(rng: random.Random, count: int) -> list[tuple[str, str]]:
    women = rng.sample(WOMEN, count)
    people: list[tuple[str, str]] = [(name, Cadre.Sex.FEMALE) for name in women]
    if rng.random() < 0.25:  # about one posyandu in four has a man among its cadres
        people[-1] = (rng.choice(MEN), Cadre.Sex.MALE)
    return people


def _posyandu() -> list[ServicePoint]:
    return list(
        ServicePoint.objects.filter(
            kind=ServicePoint.Kind.POSYANDU,
            puskesmas__district__code=DISTRICT,
            is_active=True,
        )
        .select_related("puskesmas")
        .order_by("puskesmas__code", "name")
    )


def _add_cadres(points: list[ServicePoint]) -> None:
    have = set(
        Cadre.objects.filter(service_point__in=points).values_list("service_point_id", flat=True)
    )
    this_year = timezone.localdate().year
    new = []
    for point in points:
        if point.pk in have:
            continue
        rng = random.Random(f"cadres-{point.pk}-{point.name}")
        for index, (name, sex) in enumerate(_people(rng, rng.randint(5, 8))):
            birth = rng.randint(1965, 2000)
            new.append(
                Cadre(
                    puskesmas_id=point.puskesmas_id,
                    service_point=point,
                    name=name,
                    sex=sex,
                    birth_year=birth,
                    phone=f"0812{rng.randint(10_000_000, 99_999_999)}" if index < 3 else "",
                    since_year=rng.randint(max(birth + 18, 1995), this_year),
                    is_trained=rng.random() < 0.4,
                    version=1,
                    updated_at=timezone.now(),
                )
            )
    Cadre.objects.bulk_create(new, ignore_conflicts=True)


def _assess(points: list[ServicePoint]) -> None:
    if not points:
        return
    first = points[0]
    assessor = (
        User.objects.filter(puskesmas=first.puskesmas, role=User.Role.PUSKESMAS_HEAD).first()
        or User.objects.filter(role=User.Role.DISTRICT_PLANNER, district__code=DISTRICT).first()
    )
    skill_set = SkillSet.for_year(timezone.localdate().year)
    if assessor is None or skill_set is None:
        return
    skills = list(skill_set.skills.order_by("number"))

    def of(*groups):
        return [skill for skill in skills if skill.group in groups]

    everything = of(*SkillGroup.values)
    madya = of(SkillGroup.MANAGEMENT, SkillGroup.PREGNANCY, SkillGroup.ADULTS)
    purwa = of(SkillGroup.MANAGEMENT)
    purwa_infants = of(SkillGroup.MANAGEMENT) + of(SkillGroup.INFANTS)[:3]
    on_its_way = of(SkillGroup.INFANTS)[:3]
    plans = [everything, madya, purwa, purwa_infants, on_its_way]
    cadres = list(Cadre.objects.filter(service_point=first).order_by("name")[: len(plans)])
    session = timezone.localdate() - datetime.timedelta(days=21)
    earlier = session - datetime.timedelta(days=120)
    for cadre, competent in zip(cadres, plans, strict=False):
        if SkillAssessment.objects.filter(cadre=cadre).exists():
            continue
        marks = {skill.pk: "not_yet" for skill in everything[:8]}
        # An earlier session with some skills not yet shown; the latest result counts.
        assessments_record(cadre=cadre, assessed_on=earlier, marks=marks, by=assessor)
        latest = {skill.pk: "competent" for skill in competent}
        if competent is not everything:
            latest |= {skill.pk: "not_yet" for skill in everything if skill.pk not in latest}
        assessments_record(
            cadre=cadre,
            assessed_on=session,
            marks=latest,
            by=assessor,
            note="Sesi posyandu, instrumen Kemenkes",
        )


def seed() -> None:
    """HSU's posyandu get their cadres; a few cadres are assessed."""
    points = _posyandu()
    _add_cadres(points)
    _assess(points)
