"""Population per desa and age band, read from and written to an Excel template."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from ...models import AgeBand, District, Village, VillagePopulation
from ...reporting import reporting_year
from ...scoping import in_given_area
from ...spreadsheets import CellError, build_workbook, read_sheet
from ._common import _people, _population_upsert, _require_planner

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
