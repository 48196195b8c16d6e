"""Targets (sasaran): population by age band, estimates from editable rules, figures from each
source side by side, the target of record and the year's approval (issue #4, DOMAIN.md §2).

A district planner sets and approves the year's targets; a puskesmas proposes local counts for
the desa of its working area. Every write checks rights here, through `indicators.scoping`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl.utils import get_column_letter

from ..models import (
    AgeBand,
    District,
    EstimateRule,
    RegionPopulation,
    SPMService,
    Target,
    TargetApproval,
    TargetApprovalEvent,
    Village,
    VillagePopulation,
)
from ..reporting import monthly_services, reporting_year
from ..scoping import can_enter_report, can_manage_targets, in_given_area
from ..spreadsheets import CellError, build_workbook, read_sheet

Source = Target.Source
# Sources a puskesmas may propose; Dukcapil figures come through the district, estimates are
# computed from population (never typed).
PUSKESMAS_SOURCES = (Source.REGISTER, Source.PIS_PK, Source.OTHER)
DISTRICT_SOURCES = (Source.DUKCAPIL, Source.REGISTER, Source.PIS_PK, Source.OTHER)
MAX_PEOPLE = 10_000_000  # no desa is larger; catches a pasted phone number or a misplaced column
BATCH_SIZE = 1000

audit = logging.getLogger("simpul.audit")


# --- Rights and the year's lock ------------------------------------------------------------------


def _require_planner(by, district: District) -> None:
    if not can_manage_targets(by, district.pk):
        raise PermissionDenied(_("Only the district's planners can change its targets."))


def _lock_open_year(*, district_ids: Iterable[int], year: int, by) -> None:
    """Check rights, lock the districts' rows and refuse a year whose targets are approved.

    The row lock serialises choosing, estimating and approving in one district, so a choice
    cannot slip in after an approval (STYLE.md §5).
    """
    districts = list(District.objects.select_for_update().filter(pk__in=set(district_ids)))
    for district in districts:
        _require_planner(by, district)
    approval = (
        TargetApproval.objects.filter(district__in=districts, year=year)
        .select_related("district")
        .first()
    )
    if approval is not None:
        raise ValidationError(
            _(
                "The %(year)s targets of %(district)s are approved; reopen them before "
                "changing them."
            )
            % {"year": year, "district": approval.district}
        )


def is_approved(*, district: District, year: int) -> bool:
    return TargetApproval.objects.filter(district=district, year=year).exists()


# --- Population per desa and age band ------------------------------------------------------------

POPULATION_SHEET = "Population"
_POPULATION_COLUMNS = [
    gettext_lazy("Village code"),
    gettext_lazy("Village"),
    gettext_lazy("Subdistrict"),
    "Puskesmas",
]


def population_sheet(year: int) -> str:
    """The template's sheet name carries the year, so a file of another year is refused."""
    return f"{POPULATION_SHEET} {year}"


def village_population_headers(
    *, bands: Iterable[AgeBand], language: str | None = None
) -> list[str]:
    """The template's column headings in `language` (default: the active one)."""
    with translation.override(language or translation.get_language()):
        return [str(header) for header in _POPULATION_COLUMNS] + [band.label for band in bands]


def _bands() -> list[AgeBand]:
    return list(AgeBand.objects.order_by("order", "code"))


def village_population_template(*, district: District, year: int, by) -> bytes:
    """An .xlsx template: every desa of the district, a column per age band, the year's counts."""
    _require_planner(by, district)
    bands = _bands()
    villages = (
        in_given_area(Village.objects.all(), district)
        .select_related("subdistrict", "puskesmas")
        .order_by("code")
    )
    counts = {
        (village_id, band_id): count
        for village_id, band_id, count in in_given_area(
            VillagePopulation.objects.filter(year=year), district
        ).values_list("village_id", "band_id", "count")
    }
    rows = [
        [
            village.code,
            village.name,
            village.subdistrict.name,
            village.puskesmas.name if village.puskesmas else "",
            *[counts.get((village.pk, band.pk)) for band in bands],
        ]
        for village in villages
    ]
    headers = village_population_headers(bands=bands)
    return build_workbook(sheet=population_sheet(year), headers=headers, rows=rows)


def _people(value: object) -> tuple[int | None, str | None]:
    """A cell read as a number of people: (count, None), (None, None) if empty, or the problem."""
    if value is None or value == "":
        return None, None
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float):
        number = int(value) if value.is_integer() else None
    elif isinstance(value, Decimal):
        number = int(value) if value.is_finite() and value == value.to_integral_value() else None
    elif isinstance(value, str) and value.replace(" ", "").lstrip("-").isdigit():
        number = int(value.replace(" ", ""))
    if number is None:
        return None, _("“%(value)s” is not a whole number of people.") % {"value": value}
    if number < 0:
        return None, _("a number of people cannot be negative.")
    if number > MAX_PEOPLE:
        return None, _("%(value)s people is implausibly many for one desa.") % {"value": number}
    return number, None


def _population_upsert(records: list[VillagePopulation]) -> None:
    VillagePopulation.objects.bulk_create(
        records,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["village", "year", "band"],
        update_fields=["count", "source"],
    )


@transaction.atomic
def village_population_import(
    *, district: District, year: int, upload: IO[bytes], by, source: str = ""
) -> int:
    """Save a filled population template for the district's desa; all cells or none (atomic).

    Empty cells leave the saved count as it is. Every problem is raised at once as a
    ValidationError of located messages (sheet, row, column). Returns the counts saved.
    """
    _require_planner(by, district)
    reporting_year(year)
    bands = _bands()
    sheet = population_sheet(year)
    rows, errors = [], []
    for language in ("id", "en"):
        upload.seek(0)
        headers = village_population_headers(bands=bands, language=language)
        rows, errors = read_sheet(upload, sheet=sheet, headers=headers)
        if not any(error.row == 1 and error.column is None for error in errors):
            break
    villages = {v.code: v for v in in_given_area(Village.objects.all(), district)}
    first_row: dict[str, int] = {}
    records = []
    for number, values in rows:
        cells = list(values.values())
        located = partial(CellError, sheet, number)
        code = str(cells[0] or "").strip()
        village = villages.get(code)
        if village is None:
            errors.append(
                located(
                    "A",
                    _("village code %(code)s is not in %(district)s.")
                    % {"code": code or "–", "district": district},
                )
            )
        elif code in first_row:
            errors.append(
                located(
                    "A",
                    _("village %(code)s is already on row %(row)s.")
                    % {"code": code, "row": first_row[code]},
                )
            )
        else:
            first_row[code] = number
        for index, band in enumerate(bands, start=len(_POPULATION_COLUMNS)):
            count, problem = _people(cells[index])
            if problem:
                errors.append(located(get_column_letter(index + 1), problem))
            elif count is not None and village is not None:
                records.append(
                    VillagePopulation(
                        village=village, year=year, band=band, count=count, source=source[:120]
                    )
                )
    if not rows and not errors:
        errors.append(CellError(sheet, None, None, _("the sheet has no rows.")))
    if errors:
        raise ValidationError([str(error) for error in errors])
    _population_upsert(records)
    return len(records)


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
    by,
) -> EstimateRule:
    """Set the district's own rule for a service; the edition's default stays untouched.

    Only the district's planners; defaults are changed by system administrators in the admin.
    """
    _require_planner(by, district)
    if service.level != SPMService.Level.DISTRICT:
        raise ValidationError({"service": _("Only district SPM services have target estimates.")})
    if factor is None or factor <= 0:
        raise ValidationError({"factor": _("The factor must be more than zero.")})
    if rate is None or not 0 < rate <= 1:
        raise ValidationError({"rate": _("The rate must be more than 0 and at most 1 (100%).")})
    rule = EstimateRule.objects.filter(service=service, district=district).first()
    rule = rule or EstimateRule(service=service, district=district)
    rule.band, rule.factor, rule.rate, rule.rate_source = band, factor, rate, rate_source.strip()
    rule.full_clean()
    rule.save()
    return rule


def estimate_rule_reset(*, district: District, service: SPMService, by) -> bool:
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
def targets_estimate(*, district: District, year: int, by) -> EstimateSummary:
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


# --- Local counts and the target of record -------------------------------------------------------


def _district_id(village: Village) -> int | None:
    if Village.subdistrict.is_cached(village):
        return village.subdistrict.district_id
    return (
        Village.objects.filter(pk=village.pk)
        .values_list("subdistrict__district_id", flat=True)
        .first()
    )


def proposable_sources(*, user, village: Village) -> tuple[str, ...]:
    """The sources `user` may enter figures from for `village`; empty if none (no query when
    the village's subdistrict is loaded)."""
    if can_manage_targets(user, _district_id(village)):
        return DISTRICT_SOURCES
    if village.puskesmas_id and can_enter_report(user, village.puskesmas_id):
        return PUSKESMAS_SOURCES
    return ()


@transaction.atomic
def target_propose(
    *,
    village: Village,
    year: int,
    service: SPMService,
    source: str,
    value: int,
    note: str = "",
    by,
) -> Target:
    """Save a figure from a source other than the estimate, beside the others; atomic.

    Puskesmas heads and staff propose register, PIS-PK or other counts for desa of their own
    working area; district planners enter any of those and Dukcapil figures for their district.
    Saving again from the same source replaces that source's figure. An approved target of
    record cannot be changed until the district reopens the year.
    """
    district_id = _district_id(village)
    allowed = proposable_sources(user=by, village=village)
    if not allowed:
        raise PermissionDenied(_("You can propose targets only for desa of your own area."))
    if source not in allowed:
        raise ValidationError(
            {
                "source": _("Your role cannot enter figures from %(source)s.")
                % {"source": Source(source).label if source in Source.values else source}
            }
        )
    if service.pk not in {s.pk for s in monthly_services(year)}:
        raise ValidationError(
            {"service": _("This service is not reported in %(year)s.") % {"year": year}}
        )
    if value is None or not 0 <= value <= MAX_PEOPLE:
        raise ValidationError({"value": _("Enter a whole number of people.")})
    District.objects.select_for_update().filter(pk=district_id).first()
    target = Target.objects.filter(
        village=village, year=year, service=service, source=source
    ).first()
    if (
        target is not None
        and target.is_of_record
        and TargetApproval.objects.filter(district_id=district_id, year=year).exists()
    ):
        raise ValidationError(
            _(
                "This figure is the approved target of record; the district must reopen the "
                "year's targets before it changes."
            )
        )
    target = target or Target(village=village, year=year, service=service, source=source)
    target.value, target.note, target.entered_by = value, note.strip()[:250], by
    target.save()
    return target


# --- Figures of one source from an Excel template ------------------------------------------------


def target_import_scope(*, by) -> tuple[District, QuerySet[Village], tuple[str, ...]]:
    """Whose desa `by` may fill a targets template for, and from which sources: a district
    planner the district's desa, a puskesmas head or staff the working area; else refused."""
    if by.district_id and can_manage_targets(by, by.district_id):
        return by.district, in_given_area(Village.objects.all(), by.district), DISTRICT_SOURCES
    if by.puskesmas_id and can_enter_report(by, by.puskesmas_id):
        villages = in_given_area(Village.objects.all(), by.puskesmas)
        return by.puskesmas.district, villages, PUSKESMAS_SOURCES
    raise PermissionDenied(_("Only district planners and puskesmas staff enter targets."))


def target_sheet(year: int, source: str) -> str:
    """The sheet name carries year and source, so a file of another year or source is refused."""
    return f"Targets {year} {source}"


def target_headers(*, service_list: Iterable[SPMService], language: str | None = None) -> list[str]:
    """The targets template's headings in `language`: desa columns, then one per target group."""
    with translation.override(language or translation.get_language()):
        return [str(_("Village code")), str(_("Village")), "Puskesmas"] + [
            f"{service.number}. {service.denominator}" for service in service_list
        ]


def target_template(*, year: int, source: str, by) -> bytes:
    """An .xlsx template: the desa `by` may enter for, a column per target group, prefilled with
    the figures saved from `source` for the year."""
    _district, villages, allowed = target_import_scope(by=by)
    if source not in allowed:
        raise PermissionDenied(_("Your role cannot enter figures from this source."))
    service_list = monthly_services(year)
    saved = {
        (village_id, service_id): value
        for village_id, service_id, value in Target.objects.filter(
            village__in=villages, year=year, source=source
        ).values_list("village_id", "service_id", "value")
    }
    rows = [
        [
            village.code,
            village.name,
            village.puskesmas.name if village.puskesmas else "",
            *[saved.get((village.pk, service.pk)) for service in service_list],
        ]
        for village in villages.select_related("puskesmas").order_by("code")
    ]
    headers = target_headers(service_list=service_list)
    return build_workbook(sheet=target_sheet(year, source), headers=headers, rows=rows)


@transaction.atomic
def targets_import(*, year: int, source: str, upload: IO[bytes], by) -> int:
    """Save a filled targets template: one source's figures per desa and target group; all
    cells or none (atomic), every problem located by sheet, row and column.

    Empty cells leave saved figures as they are; an approved target of record cannot change.
    Returns how many figures were added or changed (set-based upsert).
    """
    district, villages, allowed = target_import_scope(by=by)
    if source not in allowed:
        raise PermissionDenied(_("Your role cannot enter figures from this source."))
    service_list = monthly_services(year)
    sheet = target_sheet(year, source)
    rows, errors = [], []
    for language in ("id", "en"):
        upload.seek(0)
        headers = target_headers(service_list=service_list, language=language)
        rows, errors = read_sheet(upload, sheet=sheet, headers=headers)
        if not any(error.row == 1 and error.column is None for error in errors):
            break
    District.objects.select_for_update().filter(pk=district.pk).first()
    approved = TargetApproval.objects.filter(district=district, year=year).exists()
    by_code = {village.code: village for village in villages}
    saved = {
        (target.village_id, target.service_id): target
        for target in Target.objects.filter(village__in=villages, year=year, source=source)
    }
    first_row: dict[str, int] = {}
    records = []
    for number, values in rows:
        cells = list(values.values())
        located = partial(CellError, sheet, number)
        code = str(cells[0] or "").strip()
        village = by_code.get(code)
        if village is None:
            errors.append(
                located(
                    "A", _("village code %(code)s is not in your area.") % {"code": code or "–"}
                )
            )
        elif code in first_row:
            errors.append(
                located(
                    "A",
                    _("village %(code)s is already on row %(row)s.")
                    % {"code": code, "row": first_row[code]},
                )
            )
            village = None
        else:
            first_row[code] = number
        for index, service in enumerate(service_list, start=3):
            value, problem = _people(cells[index])
            before = saved.get((village.pk, service.pk)) if village else None
            if problem:
                errors.append(located(get_column_letter(index + 1), problem))
            elif value is None or village is None or (before and before.value == value):
                continue
            elif before and before.is_of_record and approved:
                errors.append(
                    located(
                        get_column_letter(index + 1),
                        _(
                            "this figure is the approved target of record; the district "
                            "must reopen the year's targets first."
                        ),
                    )
                )
            else:
                records.append(
                    Target(
                        village=village,
                        year=year,
                        service=service,
                        source=source,
                        value=value,
                        entered_by=by,
                    )
                )
    if not rows and not errors:
        errors.append(CellError(sheet, None, None, _("the sheet has no rows.")))
    if errors:
        raise ValidationError([str(error) for error in errors])
    Target.objects.bulk_create(
        records,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["village", "year", "service", "source"],
        update_fields=["value", "entered_by", "entered_at"],
    )
    return len(records)


@transaction.atomic
def targets_choose(*, targets: Iterable[Target], by) -> int:
    """Make each given figure the target of record of its desa, service and year; atomic.

    The figure of record before it is cleared first (one per desa, service and year is allowed),
    then the new one records who chose it and when. Set-based: a few queries for any number of
    figures. Refused in a district whose year is approved. Returns how many changed.
    """
    ids = {target.pk for target in targets}
    rows = list(
        Target.objects.filter(pk__in=ids).values_list(
            "village_id", "year", "service_id", "village__subdistrict__district_id"
        )
    )
    if not rows:
        return 0
    keys = [(village, year, service) for village, year, service, _district in rows]
    if len(set(keys)) != len(keys):
        raise ValidationError(_("Choose one figure per desa and service."))
    for year in {row[1] for row in rows}:
        _lock_open_year(district_ids={row[3] for row in rows if row[1] == year}, year=year, by=by)
    chosen = Target.objects.filter(pk__in=ids)
    Target.objects.filter(is_of_record=True, village_id__in={row[0] for row in rows}).exclude(
        pk__in=ids
    ).filter(
        Exists(
            chosen.filter(
                village=OuterRef("village"), year=OuterRef("year"), service=OuterRef("service")
            )
        )
    ).update(is_of_record=False, chosen_by=None, chosen_at=None)
    return chosen.filter(is_of_record=False).update(
        is_of_record=True, chosen_by=by, chosen_at=timezone.now()
    )


def target_choose(*, target: Target, by) -> Target:
    """Make `target` the target of record of its desa, service and year (see `targets_choose`)."""
    targets_choose(targets=[target], by=by)
    target.refresh_from_db()
    return target


@transaction.atomic
def targets_choose_source(*, district: District, year: int, source: str, by) -> int:
    """Make `source` the target of record wherever the district has a figure from it; atomic.

    e.g. "use estimates everywhere". Desa and services without a figure from `source` keep
    their choice. Set-based (two updates). Returns how many changed.
    """
    if source not in Source.values:
        raise ValidationError(_("Unknown source %(source)s.") % {"source": source})
    _lock_open_year(district_ids=[district.pk], year=year, by=by)
    in_district = in_given_area(Target.objects.filter(year=year), district)
    in_district.filter(is_of_record=True).exclude(source=source).filter(
        Exists(
            Target.objects.filter(
                village=OuterRef("village"), year=year, service=OuterRef("service"), source=source
            )
        )
    ).update(is_of_record=False, chosen_by=None, chosen_at=None)
    return in_district.filter(source=source, is_of_record=False).update(
        is_of_record=True, chosen_by=by, chosen_at=timezone.now()
    )


# --- Approval ------------------------------------------------------------------------------------


def targets_missing_count(*, district: District, year: int) -> int:
    """Desa x monthly services of the district without a target of record (two counts)."""
    services = monthly_services(year)
    villages = in_given_area(Village.objects.all(), district).count()
    of_record = in_given_area(
        Target.objects.filter(year=year, is_of_record=True, service__in=services), district
    ).count()
    return villages * len(services) - of_record


@transaction.atomic
def targets_approve(*, district: District, year: int, by) -> TargetApproval:
    """Approve the district's targets of record for the year; atomic.

    Refused while a desa and service has no target of record. After approval nothing about the
    year's targets of record changes until `targets_reopen`.
    """
    if is_approved(district=district, year=year):
        raise ValidationError(
            _("The %(year)s targets of %(district)s are already approved.")
            % {"year": year, "district": district}
        )
    _lock_open_year(district_ids=[district.pk], year=year, by=by)
    if not in_given_area(Village.objects.all(), district).exists():
        raise ValidationError(_("%(district)s has no desa yet.") % {"district": district})
    missing = targets_missing_count(district=district, year=year)
    if missing:
        raise ValidationError(
            ngettext(
                "%(count)s desa and service still has no target of record; choose one first.",
                "%(count)s desa and service pairs still have no target of record; "
                "choose them first.",
                missing,
            )
            % {"count": missing}
        )
    approval = TargetApproval.objects.create(district=district, year=year, approved_by=by)
    TargetApprovalEvent.objects.create(
        district=district, year=year, action=TargetApprovalEvent.Action.APPROVED, by=by
    )
    return approval


@transaction.atomic
def targets_reopen(*, district: District, year: int, by, reason: str) -> None:
    """Withdraw the year's approval so targets can change again; needs a reason; atomic.

    Who, when and why are kept as a TargetApprovalEvent.
    """
    _require_planner(by, district)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for reopening the targets.")})
    District.objects.select_for_update().filter(pk=district.pk).first()
    approval = TargetApproval.objects.filter(district=district, year=year).first()
    if approval is None:
        raise ValidationError(
            _("The %(year)s targets of %(district)s are not approved.")
            % {"year": year, "district": district}
        )
    approval.delete()
    TargetApprovalEvent.objects.create(
        district=district,
        year=year,
        action=TargetApprovalEvent.Action.REOPENED,
        by=by,
        reason=reason,
    )


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
def demo_targets(*, district: District, year: int, by) -> EstimateSummary:
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
