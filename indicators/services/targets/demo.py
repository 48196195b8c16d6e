"""Demo targets: population, estimates as targets of record and a few register counts."""

from __future__ import annotations

import random

from django.db import transaction

from kernel.models import District, RegionPopulation, User, Village
from kernel.scoping import in_given_area

from ...models import AgeBand, Target, VillagePopulation
from ...reporting import monthly_services
from ._common import Source, _population_upsert, _require_planner
from .estimates import EstimateSummary, targets_estimate
from .record import target_propose, targets_choose_source

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
    for village in villages:
        rng = random.Random(village.code)
        people = int(average * rng.uniform(0.6, 1.4))
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
    return summary
