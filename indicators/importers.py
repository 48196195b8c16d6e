"""The imports of the indicators app, declared on the one pipeline (kernel/imports).

Each is a sheet declaration plus who may import into what and the service that writes:
monthly values (its own layout: a column per month), service points, population per desa and
age band, and target figures of one source. The last two have a column per age band or target
group, so their sheet is declared per file (services/targets: `population_spec`,
`target_spec`, which their templates use too).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kernel.imports import (
    Importer,
    Outcome,
    Parsed,
    Row,
    SheetSpec,
    Target,
    refusal,
    register,
)
from kernel.models import ImportJob, Village
from kernel.scoping import in_given_area
from kernel.spreadsheets import CellError

from .models import Target as TargetFigure
from .reporting import monthly_services, reporting_year
from .rights import can_import_monthly
from .services import monthly_excel
from .services.targets import (
    POPULATION_SHEET,
    band_key,
    population_bands,
    population_spec,
    service_key,
    target_import_scope,
    target_propose,
    target_spec,
    village_population_save,
)
from .services.targets._common import _require_planner


@register
class MonthlyValuesImporter(Importer):
    """A filled monthly template: a row per puskesmas x desa x service, a column per month."""

    kind = ImportJob.Kind.MONTHLY_VALUES
    result_template = "indicators/_import_result_monthly.html"
    sheet = SheetSpec(
        title=monthly_excel.DATA_SHEET, columns=(), max_rows=monthly_excel.layout.MAX_ROWS
    )

    def target(self, *, user, params: Mapping) -> Target:
        if not can_import_monthly(user):
            raise PermissionDenied(_("Your role cannot import monthly data."))
        district_id = user.district_id or (user.puskesmas.district_id if user.puskesmas else None)
        return Target(
            district_id=district_id,
            puskesmas_id=user.puskesmas_id,
            back_url=reverse("indicators:monthly-import"),
        )

    def parse(self, workbook, *, user, params: Mapping, target: Target) -> Parsed:
        plan, errors = monthly_excel.monthly_import_parse(
            upload=workbook, user=user, file_name=workbook.name
        )
        return Parsed(sheet=monthly_excel.DATA_SHEET, rows=[], errors=errors, extra=plan)

    def apply(self, *, rows, parsed: Parsed, user, params, target, progress) -> Outcome:
        result = monthly_excel.monthly_import_apply(plan=parsed.extra, user=user, progress=progress)
        summary = _(
            "Saved: %(changed)s values changed in %(reports)s monthly reports (%(created)s of "
            "them new drafts), from %(rows)s rows."
        ) % {
            "changed": result["values_changed"],
            "reports": result["reports_touched"],
            "created": result["reports_created"],
            "rows": result["rows"],
        }
        return Outcome(summary=summary, done=result["values_changed"], details=result)


# --- Targets: population per desa and age band, figures of one source ---------------------------


def _year_of(params: Mapping) -> int:
    try:
        return int(params["year"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValidationError(_("Choose the year to import.")) from error


def _each_village_once(parsed: Parsed, letter: str) -> Parsed:
    """A desa on two rows is an error on the second: which figure would count?"""
    first_row: dict[int, int] = {}
    for row in parsed.rows:
        village = row["village"]
        if village is None:
            continue
        if village.pk in first_row:
            message = _("village %(code)s is already on row %(row)s.")
            parsed.errors.append(
                CellError(
                    parsed.sheet,
                    row.number,
                    letter,
                    message % {"code": village.code, "row": first_row[village.pk]},
                )
            )
        else:
            first_row[village.pk] = row.number
    return parsed


@register
class PopulationImporter(Importer):
    """A filled population template: people per desa of the district and age band, one year.

    params: {"year": 2026, "source": "Dukcapil 2025"}. Only the district's planners import;
    an empty cell keeps the count saved before.
    """

    kind = ImportJob.Kind.POPULATION
    # The columns after the desa ones are the age bands: the sheet is declared per file.
    sheet = SheetSpec(title=POPULATION_SHEET, columns=())

    def target(self, *, user, params: Mapping) -> Target:
        district = user.district if user.district_id else None
        if district is None:
            raise PermissionDenied(_("Only the district's planners can change its targets."))
        _require_planner(user, district)
        year = _year_of(params)
        reporting_year(year)
        return Target(
            district_id=district.pk,
            label=str(district),
            back_url=f"{reverse('indicators:population-list')}?year={year}",
            obj=district,
        )

    def parse(self, workbook, *, user, params: Mapping, target: Target) -> Parsed:
        district, year = target.obj, _year_of(params)
        bands = population_bands()
        spec = population_spec(year=year, bands=bands, district=district)
        villages = in_given_area(Village.objects.all(), district)
        parsed = spec.read(workbook, {"villages": {v.code.casefold(): v for v in villages}})
        parsed.extra = bands
        return _each_village_once(parsed, spec.letter("village"))

    def apply(self, *, rows: list[Row], parsed: Parsed, user, params, target, progress) -> Outcome:
        counts = [
            (row["village"], band, row[band_key(band)])
            for row in rows
            for band in parsed.extra
            if row[band_key(band)] is not None
        ]
        saved = village_population_save(
            district=target.obj,
            year=_year_of(params),
            counts=counts,
            source=str(params.get("source") or ""),
            by=user,
        )
        progress(len(rows), len(rows))
        summary = _(
            "%(count)s population figures saved. Estimate the targets again to use them."
        ) % {"count": saved}
        return Outcome(summary=summary, done=saved)


@register
class TargetsImporter(Importer):
    """A filled targets template: one source's figures per desa and target group, one year.

    params: {"year": 2026, "source": "other"}. A district planner imports for the district's
    desa, a puskesmas for its working area, each from the sources its role may enter. An empty
    cell, or a figure as saved, leaves the saved figure alone; every other figure is saved by
    `target_propose`, which refuses an approved target of record.
    """

    kind = ImportJob.Kind.TARGETS
    # The columns after the desa ones are the year's target groups: declared per file.
    sheet = SheetSpec(title="Targets", columns=())

    def target(self, *, user, params: Mapping) -> Target:
        district, _villages, allowed = target_import_scope(by=user)
        if params.get("source") not in allowed:
            raise PermissionDenied(_("Your role cannot enter figures from this source."))
        year = _year_of(params)
        reporting_year(year)
        return Target(
            district_id=district.pk,
            puskesmas_id=None if user.district_id else user.puskesmas_id,
            label=str(district),
            back_url=f"{reverse('indicators:target-list')}?year={year}",
            obj=district,
        )

    def parse(self, workbook, *, user, params: Mapping, target: Target) -> Parsed:
        year, source = _year_of(params), params["source"]
        service_list = monthly_services(year)
        spec = target_spec(year=year, source=source, service_list=service_list)
        _district, villages, _sources = target_import_scope(by=user)
        villages = villages.select_related("subdistrict")  # rights checks need no query
        parsed = spec.read(workbook, {"villages": {v.code.casefold(): v for v in villages}})
        parsed.extra = {"services": service_list, "spec": spec}
        return _each_village_once(parsed, spec.letter("village"))

    def apply(self, *, rows: list[Row], parsed: Parsed, user, params, target, progress) -> Outcome:
        year, source = _year_of(params), params["source"]
        service_list, spec = parsed.extra["services"], parsed.extra["spec"]
        saved = {
            (figure.village_id, figure.service_id): figure
            for figure in TargetFigure.objects.filter(
                village__in=[row["village"] for row in rows], year=year, source=source
            )
        }
        errors: list[CellError] = []
        changed = 0
        for index, row in enumerate(rows):
            village = row["village"]
            for service in service_list:
                key = service_key(service)
                value, before = row[key], saved.get((village.pk, service.pk))
                if value is None or (before is not None and before.value == value):
                    continue
                try:
                    target_propose(
                        village=village,
                        year=year,
                        service=service,
                        source=source,
                        value=value,
                        note=before.note if before is not None else "",
                        by=user,
                    )
                except (ValidationError, PermissionDenied) as error:
                    column = spec.letter(key)
                    for message in getattr(error, "messages", [str(error)]):
                        errors.append(CellError(parsed.sheet, row.number, column, message))
                    continue
                changed += 1
            progress(index + 1, len(rows))
        if errors:
            raise refusal(errors)
        summary = ngettext("%(count)s figure saved.", "%(count)s figures saved.", changed) % {
            "count": changed
        }
        return Outcome(summary=summary, done=changed)


# Issue #16: quality values of a puskesmas's quarter (ImportJob.Kind.QUALITY_VALUES).
from .services.quality_excel import QualityValuesImporter  # noqa: E402

register(QualityValuesImporter)
