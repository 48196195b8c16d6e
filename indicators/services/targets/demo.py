"""Demo targets: population, estimates as targets of record, a few register counts, and the
program's own figures where the edition has no estimate rule (TB, HIV), so the year can be
approved."""

from __future__ import annotations

import random

from django.db import transaction

from kernel.models import District, RegionPopulation, User, Village
from kernel.scoping import in_given_area

from ...models import AgeBand, Target, VillagePopulation
from ...reporting import monthly_services
from ._common import Source, _population_upsert, _require_planner
from .estimates import EstimateSummary, targets_estimate
from .record import target_propose, targets_choose, targets_choose_source

# --- Demo ----------------------------------------------------------------------------------------

# Shares of a desa's people per age band (roughly Indonesia's age pyramid); demo data only.
DEMO_BAND_SHARES = {
    "all": 1.0,
    "under5": 0.09,
    "age7_15": 0.16,
    "age15_59": 0.63,
    "age60plus": 0.10,
    "age15plus": 0.73,
}
DEMO_REGISTER_SERVICES = (1, 4)  # pregnant women and under-fives: counted in puskesmas registers
# Share of a desa's people in the target group of a service without an estimate rule, as the
# program counts it (presumptive TB, people at risk of HIV); demo figures only.
DEMO_PROGRAM_SHARES = {11: 0.0035, 12: 0.02}


@transaction.atomic
def demo_targets(*, district: District, year: int, by: User) -> EstimateSummary:
    """Plausible population for every desa, estimates as targets of record, a few register counts.

    Deterministic (seeded by each desa's code) and idempotent. `by` must be able to manage the
    district's targets (its planner or a system administrator).
    """
    _require_planner(by, district)
    villages = list(in_given_area(Village.objects.all(), district).order_by("code"))
    if not villages:
        return EstimateSummary(saved=0, services_without_rule=[], villages_without_population=0)
    total = (
        RegionPopulation.objects.filter(code=district.code, year__lte=year)
        .order_by("-year")
        .values_list("total", flat=True)
        .first()
    ) or 3000 * len(villages)
    average = total / len(villages)
    bands = AgeBand.objects.filter(code__in=DEMO_BAND_SHARES)
    records = []
    people_of: dict[int, int] = {}
    for village in villages:
        rng = random.Random(village.code)
        people = people_of[village.pk] = int(average * rng.uniform(0.6, 1.4))
        for band in bands:
            share = DEMO_BAND_SHARES[band.code]
            count = people if share == 1 else int(people * share * rng.uniform(0.92, 1.08))
            records.append(
                VillagePopulation(village=village, year=year, band=band, count=count, source="Demo")
            )
    _population_upsert(records)
    summary = targets_estimate(district=district, year=year, by=by)
    targets_choose_source(district=district, year=year, source=Source.ESTIMATE, by=by)
    services = [s for s in monthly_services(year) if s.number in DEMO_REGISTER_SERVICES]
    estimates = {
        (village_id, service_id): value
        for village_id, service_id, value in in_given_area(
            Target.objects.filter(year=year, source=Source.ESTIMATE, service__in=services),
            district,
        ).values_list("village_id", "service_id", "value")
    }
    for village in villages[::5]:
        rng = random.Random(f"register-{village.code}")
        for service in services:
            estimate = estimates.get((village.pk, service.pk))
            if estimate:
                target_propose(
                    village=village,
                    year=year,
                    service=service,
                    source=Source.REGISTER,
                    value=round(estimate * rng.uniform(0.85, 1.15)),
                    note="Demo",
                    by=by,
                )
    # The program's figures for services without an estimate rule (TB, HIV): written in one
    # statement (a figure per desa, as `target_propose` writes it, which costs ~10 queries each),
    # then chosen as targets of record through the service.
    program = [s for s in summary.services_without_rule if s.number in DEMO_PROGRAM_SHARES]
    have = set(
        Target.objects.filter(
            village__in=villages, year=year, service__in=program, source=Source.OTHER
        ).values_list("village_id", "service_id")
    )
    Target.objects.bulk_create(
        Target(
            village=village,
            year=year,
            service=service,
            source=Source.OTHER,
            value=round(
                people_of[village.pk]
                * DEMO_PROGRAM_SHARES[service.number]
                * random.Random(f"{service.code}-{village.code}").uniform(0.8, 1.2)
            ),
            note="Demo: data program",
            entered_by=by,
        )
        for village in villages
        for service in program
        if (village.pk, service.pk) not in have
    )
    program_figures = Target.objects.filter(
        village__in=villages, year=year, service__in=program, source=Source.OTHER
    )
    targets_choose(targets=list(program_figures), by=by)
    return summary
