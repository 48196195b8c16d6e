"""Figures of one source for many desa, read from and written to an Excel template."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ...models import District, SPMService, Target, TargetApproval, Village
from ...reporting import monthly_services
from ...scoping import can_enter_report, can_manage_targets, in_given_area
from ...spreadsheets import CellError, build_workbook, read_sheet
from ._common import BATCH_SIZE, DISTRICT_SOURCES, PUSKESMAS_SOURCES, _people

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
