"""Estimate rules (edition default or the district's own) and the estimates computed from them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.models import District, User, Village
from kernel.scoping import in_given_area
from kernel.versioning import save_versioned

from ...models import AgeBand, EstimateRule, SPMService, Target, VillagePopulation
from ...reporting import monthly_services
from ._common import BATCH_SIZE, Source, _lock_open_year, _require_planner, audit

# --- Estimate rules ------------------------------------------------------------------------------


def estimate_rules(
    *, district: District, services: Iterable[SPMService]
) -> dict[int, EstimateRule]:
    """Service id -> the rule that applies in `district`: its own, else the edition default."""
    rules: dict[int, EstimateRule] = {}
    found = (
        EstimateRule.objects.filter(service__in=list(services))
        .filter(Q(district=district) | Q(district__isnull=True))
        .select_related("band", "service")
    )
    for rule in sorted(found, key=lambda r: r.district_id is not None):
        rules[rule.service_id] = rule  # the district's own rule comes last and wins
    return rules


def estimate_rule_save(
    *,
    district: District,
    service: SPMService,
    band: AgeBand,
    factor: Decimal,
    rate: Decimal,
    rate_source: str,
    by: User,
    version: int | None = None,
) -> EstimateRule:
    """Set the district's own rule for a service; the edition's default stays untouched.

    Only the district's planners; defaults are changed by system administrators in the admin.
    `version` is the own rule's version the planner saw (0: none yet); a rule saved since is
    refused with who and their values (StaleEdit). Without it (a script) the rule is set.
    """
    _require_planner(by, district)
    if service.level != SPMService.Level.DISTRICT:
        raise ValidationError({"service": _("Only district SPM services have target estimates.")})
    if factor is None or factor <= 0:
        raise ValidationError({"factor": _("The factor must be more than zero.")})
    if rate is None or not 0 < rate <= 1:
        raise ValidationError({"rate": _("The rate must be more than 0 and at most 1 (100%).")})
    rule = EstimateRule.objects.filter(service=service, district=district).first()
    mine = rule or EstimateRule(service=service, district=district)
    mine.band, mine.factor, mine.rate, mine.rate_source = band, factor, rate, rate_source.strip()
    mine.full_clean(exclude=["version", "updated_by", "updated_at"])
    fields = ["band", "factor", "rate", "rate_source"]
    if rule is None:
        if version:  # the planner saw an own rule that was reset since
            raise ValidationError(_("This rule was reset to the default meanwhile; save again."))
        return save_versioned(mine, by=by, version=None, fields=fields)
    seen = rule.version if version is None else version
    return save_versioned(mine, by=by, version=seen, fields=fields)


def estimate_rule_reset(*, district: District, service: SPMService, by: User) -> bool:
    """Drop the district's own rule so the edition default applies again; True if one existed."""
    _require_planner(by, district)
    deleted, _detail = EstimateRule.objects.filter(service=service, district=district).delete()
    if deleted:
        audit.warning(
            "estimate rule reset: district=%s service=%s by=%s at=%s",
            district.code,
            service.code,
            by.pk,
            timezone.now().isoformat(),
        )
    return bool(deleted)


# --- Estimates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EstimateSummary:
    """What `targets_estimate` did: figures saved, and what it could not estimate."""

    saved: int
    services_without_rule: list[SPMService]
    villages_without_population: int


def _formula_note(rule: EstimateRule, people: int) -> str:
    # Language-neutral: the note is saved once and read in either language.
    return f"{rule.factor.normalize():f} × {rule.rate.normalize():f} × {people}"[:250]


@transaction.atomic
def targets_estimate(*, district: District, year: int, by: User) -> EstimateSummary:
    """Compute source=estimate targets for every desa and every monthly service that has a rule.

    value = rule.estimate(population of the rule's band in that desa and year), with the
    district's own rule where it has one. Atomic, idempotent (upsert on desa, year, service,
    source), one query per table whatever the number of desa. Refused once the year is approved.
    """
    _lock_open_year(district_ids=[district.pk], year=year, by=by)
    services = monthly_services(year)
    rules = estimate_rules(district=district, services=services)
    village_ids = list(in_given_area(Village.objects.all(), district).values_list("pk", flat=True))
    population = {
        (village_id, band_id): count
        for village_id, band_id, count in in_given_area(
            VillagePopulation.objects.filter(
                year=year, band_id__in={rule.band_id for rule in rules.values()}
            ),
            district,
        ).values_list("village_id", "band_id", "count")
    }
    records, lacking = [], set()
    for service in services:
        rule = rules.get(service.pk)
        if rule is None:
            continue
        for village_id in village_ids:
            people = population.get((village_id, rule.band_id))
            if people is None:
                lacking.add(village_id)
                continue
            records.append(
                Target(
                    village_id=village_id,
                    year=year,
                    service=service,
                    source=Source.ESTIMATE,
                    value=rule.estimate(people),
                    note=_formula_note(rule, people),
                    entered_by=by,
                )
            )
    Target.objects.bulk_create(
        records,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["village", "year", "service", "source"],
        update_fields=["value", "note", "entered_by", "entered_at"],
    )
    return EstimateSummary(
        saved=len(records),
        services_without_rule=[s for s in services if s.pk not in rules],
        villages_without_population=len(lacking),
    )
