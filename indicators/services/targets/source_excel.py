"""Figures of one source for many desa: who may enter them, the Excel template's sheet and the
template. The targets import (indicators/importers.py) saves each figure through
`target_propose`, the service the figure form uses."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.imports import Column, Count, Lookup, SheetSpec, Text
from kernel.models import District, User, Village
from kernel.scoping import in_given_area
from kernel.spreadsheets import build_workbook

from ...models import SPMService, Target
from ...reporting import monthly_services
from ...rights import can_enter_report, can_manage_targets
from ._common import DISTRICT_SOURCES, MAX_PEOPLE, PUSKESMAS_SOURCES

# --- Figures of one source from an Excel template ------------------------------------------------


def target_import_scope(*, by: User) -> tuple[District, QuerySet[Village], tuple[str, ...]]:
    """Whose desa `by` may fill a targets template for, and from which sources: a district
    planner the district's desa, a puskesmas head or staff the working area; else refused."""
    if by.district_id and can_manage_targets(by, by.district):
        district = by.district
        assert district is not None  # district_id is set
        return district, in_given_area(Village.objects.all(), district), DISTRICT_SOURCES
    if by.puskesmas_id and can_enter_report(by, by.puskesmas):
        puskesmas = by.puskesmas
        assert puskesmas is not None  # puskesmas_id is set
        villages = in_given_area(Village.objects.all(), puskesmas)
        return puskesmas.district, villages, PUSKESMAS_SOURCES
    raise PermissionDenied(_("Only district planners and puskesmas staff enter targets."))


def target_sheet(year: int, source: str) -> str:
    """The sheet name carries year and source, so a file of another year or source is refused."""
    return f"Targets {year} {source}"


def service_key(service: SPMService) -> str:
    return f"service_{service.pk}"


def _target_group(service: SPMService) -> str:
    return f"{service.number}. {service.denominator}"


def target_spec(*, year: int, source: str, service_list: Sequence[SPMService]) -> SheetSpec:
    """The targets template of one source and year, declared once: the desa columns, then a
    figure per target group (headed in the file's language)."""
    unknown = _("village code %(code)s is not in your area.") % {"code": "%(text)s"}
    return SheetSpec(
        title=target_sheet(year, source),
        columns=(
            Column(
                "village",
                gettext_lazy("Village code"),
                Lookup("villages", unknown),
                required=True,
            ),
            Column("name", gettext_lazy("Village"), Text(500)),
            Column("puskesmas", "Puskesmas", Text(500)),
            *[
                Column(
                    service_key(service),
                    lazy(partial(_target_group, service), str)(),
                    Count(maximum=MAX_PEOPLE),
                )
                for service in service_list
            ],
        ),
        # One row per desa: the largest district has 852 (Aceh Utara); 2,000 leaves room and
        # keeps a full file inside the job's time limit (bench/imports.py).
        max_rows=2_000,
    )


def target_template(*, year: int, source: str, by: User) -> bytes:
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
    headers = target_spec(year=year, source=source, service_list=service_list).headings()
    return build_workbook(sheet=target_sheet(year, source), headers=headers, rows=rows)
