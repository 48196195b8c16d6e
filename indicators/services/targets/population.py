"""Population per desa and age band: the Excel template's sheet, the template, and the service
that saves counts (the population import, indicators/importers.py, writes through it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.imports import Column, Count, Lookup, SheetSpec, Text
from kernel.models import District, User, Village
from kernel.scoping import in_given_area
from kernel.spreadsheets import build_workbook

from ...models import AgeBand, VillagePopulation
from ...reporting import reporting_year
from ._common import MAX_PEOPLE, _population_upsert, _require_planner

# --- Population per desa and age band ------------------------------------------------------------

POPULATION_SHEET = "Population"


def population_sheet(year: int) -> str:
    """The template's sheet name carries the year, so a file of another year is refused."""
    return f"{POPULATION_SHEET} {year}"


def band_key(band: AgeBand) -> str:
    return f"band_{band.pk}"


def population_spec(*, year: int, bands: Sequence[AgeBand], district: District) -> SheetSpec:
    """The population template of `district` for `year`, declared once: the desa columns, then
    a count per age band (headed by the band's name in the file's language)."""
    unknown = _("village code %(code)s is not in %(district)s.") % {
        "code": "%(text)s",
        "district": str(district).replace("%", "%%"),
    }
    return SheetSpec(
        title=population_sheet(year),
        columns=(
            Column(
                "village",
                gettext_lazy("Village code"),
                Lookup("villages", unknown),
                required=True,
            ),
            Column("name", gettext_lazy("Village"), Text(500)),
            Column("subdistrict", gettext_lazy("Subdistrict"), Text(500)),
            Column("puskesmas", "Puskesmas", Text(500)),
            *[
                Column(
                    band_key(band),
                    lazy(partial(getattr, band, "label"), str)(),
                    Count(maximum=MAX_PEOPLE),
                )
                for band in bands
            ],
        ),
        # One row per desa: the largest district has 852 (Aceh Utara); 2,000 leaves room and
        # keeps a full file inside the job's time limit (bench/imports.py).
        max_rows=2_000,
    )


def population_bands() -> list[AgeBand]:
    return list(AgeBand.objects.order_by("order", "code"))


def village_population_template(*, district: District, year: int, by: User) -> bytes:
    """An .xlsx template: every desa of the district, a column per age band, the year's counts."""
    _require_planner(by, district)
    bands = population_bands()
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
    headers = population_spec(year=year, bands=bands, district=district).headings()
    return build_workbook(sheet=population_sheet(year), headers=headers, rows=rows)


@transaction.atomic
def village_population_save(
    *,
    district: District,
    year: int,
    counts: Iterable[tuple[Village, AgeBand, int]],
    source: str = "",
    by: User,
) -> int:
    """Save counts of people per desa and age band for the district's `year`; atomic.

    Only the district's planners may; every desa must be the district's. A count saved before
    for the same desa, year and band is replaced (set-based upsert). Returns how many were saved.
    """
    _require_planner(by, district)
    reporting_year(year)
    counts = list(counts)
    villages = {village.pk for village, _band, _count in counts}
    in_district = set(
        in_given_area(Village.objects.filter(pk__in=villages), district).values_list(
            "pk", flat=True
        )
    )
    if villages - in_district:
        raise ValidationError(_("You can change the population only of your district's desa."))
    for _village, _band, count in counts:
        if count is None or not 0 <= count <= MAX_PEOPLE:
            raise ValidationError(_("Enter a whole number of people."))
    _population_upsert(
        [
            VillagePopulation(
                village=village, year=year, band=band, count=count, source=source[:120]
            )
            for village, band, count in counts
        ]
    )
    return len(counts)
