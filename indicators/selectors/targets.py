"""Reads for the targets (sasaran) pages and their exports. Every function starts from in_area and
aggregates in the database: the number of queries does not depend on the number of desa.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import number_format

from kernel.models import District, Puskesmas, Village
from kernel.scoping import in_area
from kernel.selectors.audit import audit_history

from ..models import (
    AgeBand,
    EstimateRule,
    ReportingYear,
    SPMService,
    Target,
    TargetApproval,
    VillagePopulation,
)
from ..reporting import monthly_services
from ..services.targets import estimate_rules, targets_missing_count

Source = Target.Source
SOURCES = list(Source)


def target_years() -> list[int]:
    """The years that have an SPM edition set up, newest first."""
    return list(ReportingYear.objects.order_by("-year").values_list("year", flat=True))


def target_year(requested: str | int | None, years: list[int]) -> int:
    """The year a page shows: the one asked for if set up, else this year, else the newest."""
    try:
        wanted = int(requested) if requested else timezone.localdate().year
    except (TypeError, ValueError):
        wanted = timezone.localdate().year
    if wanted in years or not years:
        return wanted
    this_year = timezone.localdate().year
    return this_year if this_year in years else years[0]


def rule_formula(rule: EstimateRule) -> str:
    """A rule in words, e.g. "1,1 × 0,0164 × Semua penduduk"; factors of 1 are left out."""
    numbers = [
        number_format(Decimal(f"{value.normalize():f}"))
        for value in (rule.factor, rule.rate)
        if value != 1
    ]
    return " × ".join([*numbers, rule.band.label])


# --- Overview: areas x services ------------------------------------------------------------------


@dataclass
class TargetCell:
    """Sums of one area unit (or of all) for one service: of record, and per source."""

    of_record: int | None = None
    of_record_count: int = 0
    village_count: int = 0
    by_source: dict[str, int | None] = field(default_factory=dict)

    @property
    def missing(self) -> int:
        """Desa without a target of record for this service."""
        return max(self.village_count - self.of_record_count, 0)

    def source_values(self) -> list[int | None]:
        return [self.by_source.get(source.value) for source in SOURCES]

    def add(self, other: TargetCell) -> None:
        if other.of_record is not None:
            self.of_record = (self.of_record or 0) + other.of_record
        self.of_record_count += other.of_record_count
        self.village_count += other.village_count
        for source, value in other.by_source.items():
            if value is not None:
                self.by_source[source] = (self.by_source.get(source) or 0) + value


@dataclass
class TargetRow:
    """One area unit (district, puskesmas or desa; None: desa outside any working area)."""

    unit: District | Puskesmas | Village | None
    village_count: int
    cells: list[TargetCell]
    approval: TargetApproval | None = None

    @property
    def missing(self) -> int:
        return sum(cell.missing for cell in self.cells)


@dataclass
class TargetOverview:
    year: int
    level: str  # what the rows are: "district", "puskesmas" or "village"
    services: list[SPMService]
    rows: list[TargetRow]
    totals: list[TargetCell]

    @property
    def missing(self) -> int:
        return sum(cell.missing for cell in self.totals)

    @property
    def service_totals(self) -> list[tuple[SPMService, TargetCell]]:
        return list(zip(self.services, self.totals, strict=True))

    @property
    def by_service(self) -> list[dict]:
        """Per service: its totals and the figures of the sources worth showing, in order."""
        sources = self.sources
        return [
            {"service": s, "cell": c, "values": [c.by_source.get(x.value) for x in sources]}
            for s, c in self.service_totals
        ]

    @property
    def sources(self) -> list[Source]:
        """Sources with at least one figure, in catalogue order (the columns worth showing)."""
        return [
            s for s in SOURCES if any(c.by_source.get(s.value) is not None for c in self.totals)
        ]


def _cell(values: dict | None, village_count: int) -> TargetCell:
    if values is None:
        return TargetCell(village_count=village_count)
    return TargetCell(
        of_record=values["of_record"],
        of_record_count=values["of_record_count"],
        village_count=village_count,
        by_source={source.value: values[f"source_{source.value}"] for source in SOURCES},
    )


def target_overview(
    *, user, year: int, district: District | None = None, puskesmas: Puskesmas | None = None
) -> TargetOverview:
    """Targets of record and each source's figures per area unit x monthly service (scoped).

    Rows are the puskesmas's desa when `puskesmas` is given, the district's puskesmas when
    `district` is, else the districts of the user's area. Four queries whatever the size.
    """
    services = monthly_services(year)
    targets = in_area(Target.objects.filter(year=year, service__in=services), user)
    # (unit, how many desa it has); None: the desa outside any working area.
    units: list[tuple[District | Puskesmas | Village | None, int]]
    if puskesmas is not None:
        level, key = "village", "village_id"
        targets = targets.filter(village__puskesmas=puskesmas)
        units = [
            (village, 1)
            for village in in_area(Village.objects.filter(puskesmas=puskesmas), user).order_by(
                "code"
            )
        ]
    elif district is not None:
        level, key = "puskesmas", "village__puskesmas_id"
        targets = targets.filter(village__subdistrict__district=district)
        units = [
            (p, p.village_count)
            for p in in_area(Puskesmas.objects.filter(district=district), user)
            .annotate(village_count=Count("villages"))
            .order_by("name")
        ]
        outside = in_area(
            Village.objects.filter(subdistrict__district=district, puskesmas__isnull=True), user
        ).count()
        if outside:
            units.append((None, outside))
    else:
        level, key = "district", "village__subdistrict__district_id"
        units = [
            (d, d.village_count)
            for d in in_area(District.objects.all(), user)
            .annotate(village_count=Count("subdistricts__villages"))
            .order_by("code")
        ]
    sums = {
        (row[key], row["service_id"]): row
        for row in targets.order_by()
        .values(key, "service_id")
        .annotate(
            of_record=Sum("value", filter=Q(is_of_record=True)),
            of_record_count=Count("pk", filter=Q(is_of_record=True)),
            **{f"source_{s.value}": Sum("value", filter=Q(source=s.value)) for s in SOURCES},
        )
    }
    approvals: dict[int | None, TargetApproval] = {}
    if level == "district":
        approvals = {
            a.district_id: a
            for a in in_area(
                TargetApproval.objects.filter(year=year, status=TargetApproval.Status.APPROVED),
                user,
            ).select_related("approved_by")
        }
    rows = []
    for unit, count in units:
        unit_id = unit.pk if unit is not None else None
        cells = [_cell(sums.get((unit_id, service.pk)), count) for service in services]
        rows.append(TargetRow(unit, count, cells, approvals.get(unit_id)))
    totals = [TargetCell() for _service in services]
    for row in rows:
        for total, cell in zip(totals, row.cells, strict=True):
            total.add(cell)
    return TargetOverview(year=year, level=level, services=services, rows=rows, totals=totals)


@dataclass
class TargetStatus:
    """Where a district's targets for the year stand, for the page's banner."""

    district: District
    year: int
    approval: TargetApproval | None
    missing: int
    services_without_rule: list[SPMService]
    # Who approved and reopened the year's targets, when and why (the audit log, newest first).
    events: list = field(default_factory=list)


def target_status(*, user, district: District, year: int) -> TargetStatus:
    """The district's approval (who, when) and its history, desa x services without a target of
    record, and the services no rule can estimate (scoped; six queries)."""
    row = (
        in_area(TargetApproval.objects.filter(district=district, year=year), user)
        .select_related("approved_by")
        .first()
    )
    events = list(audit_history(obj=row, user=user)[:20]) if row is not None else []
    services = monthly_services(year)
    rules = estimate_rules(district=district, services=services)
    return TargetStatus(
        district=district,
        year=year,
        approval=row if row is not None and row.is_approved else None,
        events=events,
        missing=targets_missing_count(district=district, year=year),
        services_without_rule=[s for s in services if s.pk not in rules],
    )


# --- Sources side by side ------------------------------------------------------------------------


@dataclass
class SourceRow:
    """One desa (puskesmas page) or one service (desa page): each source's figure, side by side."""

    village: Village
    service: SPMService
    figures: dict[str, Target]
    population: int | None = None
    rule: EstimateRule | None = None

    @property
    def of_record(self) -> Target | None:
        return next((t for t in self.figures.values() if t.is_of_record), None)

    def figure_list(self) -> list[Target | None]:
        return [self.figures.get(source.value) for source in SOURCES]


def target_sources(
    *, user, year: int, puskesmas: Puskesmas, service: SPMService
) -> list[SourceRow]:
    """For one service, each desa of the puskesmas with every source's figure and the population
    its estimate comes from (scoped; four queries)."""
    villages = list(in_area(Village.objects.filter(puskesmas=puskesmas), user).order_by("code"))
    figures: dict[int, dict[str, Target]] = defaultdict(dict)
    for target in in_area(
        Target.objects.filter(year=year, service=service, village__puskesmas=puskesmas), user
    ).select_related("chosen_by", "entered_by"):
        figures[target.village_id][target.source] = target
    rule = estimate_rules(district=puskesmas.district, services=[service]).get(service.pk)
    population = {}
    if rule is not None:
        population = dict(
            in_area(
                VillagePopulation.objects.filter(
                    year=year, band=rule.band_id, village__puskesmas=puskesmas
                ),
                user,
            ).values_list("village_id", "count")
        )
    return [
        SourceRow(village, service, figures[village.pk], population.get(village.pk), rule)
        for village in villages
    ]


def village_targets(*, user, year: int, village: Village) -> list[SourceRow]:
    """For one desa, each monthly service with every source's figure, the rule and population
    of its estimate (scoped; five queries)."""
    services = monthly_services(year)
    figures: dict[int, dict[str, Target]] = defaultdict(dict)
    for target in in_area(
        Target.objects.filter(year=year, village=village, service__in=services), user
    ).select_related("chosen_by", "entered_by"):
        figures[target.service_id][target.source] = target
    rules = estimate_rules(district=village.subdistrict.district, services=services)
    population = dict(
        in_area(VillagePopulation.objects.filter(year=year, village=village), user).values_list(
            "band_id", "count"
        )
    )
    return [
        SourceRow(
            village,
            service,
            figures[service.pk],
            population.get(rules[service.pk].band_id) if service.pk in rules else None,
            rules.get(service.pk),
        )
        for service in services
    ]


# --- Population ----------------------------------------------------------------------------------


def population_list(*, user, year: int, search: str = "") -> tuple[list[AgeBand], QuerySet]:
    """The age bands, and the desa of the user's area with their people per band in `year`
    (scoped; annotations `band_<id>` and `population_source`; one query per page)."""
    bands = list(AgeBand.objects.order_by("order", "code"))
    in_year = Q(populations__year=year)
    villages = in_area(Village.objects.all(), user).select_related("subdistrict", "puskesmas")
    if search:
        villages = villages.filter(Q(name__icontains=search) | Q(code__startswith=search))
    villages = villages.annotate(
        population_source=Max("populations__source", filter=in_year),
        **{
            f"band_{band.pk}": Sum("populations__count", filter=in_year & Q(populations__band=band))
            for band in bands
        },
    ).order_by("code")
    return bands, villages


def population_counts(village: Village, bands: list[AgeBand]) -> list[int | None]:
    """The per-band annotations of a `population_list` row, in band order."""
    return [getattr(village, f"band_{band.pk}") for band in bands]


# --- Estimate rules ------------------------------------------------------------------------------


@dataclass
class RuleRow:
    service: SPMService
    default: EstimateRule | None
    overrides: list[EstimateRule]

    @property
    def default_formula(self) -> str:
        return rule_formula(self.default) if self.default else ""

    @property
    def override_formulas(self) -> list[tuple[EstimateRule, str]]:
        return [(rule, rule_formula(rule)) for rule in self.overrides]


def provincial_services(year: int) -> list[SPMService]:
    """The provincial SPM services of the year's edition (health crises, outbreaks): the
    province serves and reports them, so they have no desa targets and no monthly report; the
    catalogue lists them beside the district ones (one query)."""
    return list(
        SPMService.objects.filter(
            edition__years__year=year, level=SPMService.Level.PROVINCE
        ).order_by("number")
    )


def estimate_rule_list(*, user, year: int) -> list[RuleRow]:
    """Each monthly service of the year's edition with its default rule and the overrides of the
    districts in the user's area (scoped; three queries)."""
    services = monthly_services(year)
    districts = in_area(District.objects.all(), user)
    rules = (
        EstimateRule.objects.filter(service__in=services)
        .filter(Q(district__isnull=True) | Q(district__in=districts))
        .select_related("band", "district")
        .order_by("district__code")
    )
    defaults: dict[int, EstimateRule] = {}
    overrides: dict[int, list[EstimateRule]] = defaultdict(list)
    for rule in rules:
        if rule.district_id is None:
            defaults[rule.service_id] = rule
        else:
            overrides[rule.service_id].append(rule)
    return [RuleRow(s, defaults.get(s.pk), overrides[s.pk]) for s in services]
