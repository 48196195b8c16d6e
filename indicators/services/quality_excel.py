"""The quality report's Excel template and its import (issue #16), on the one import pipeline
(kernel/imports): one sheet, a row per checklist item (service code, item code, item name,
unit, needed, available, note). The template is downloaded pre-filled with the report's values;
a filled one is checked whole (unknown codes, a row twice, negative or non-numbers, too many
decimals), every problem located by sheet, row and column, and written into an editable report
only, all rows or none (`quality_values_import`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kernel.imports import (
    BadCell,
    Code,
    Column,
    Importer,
    Outcome,
    Parsed,
    Row,
    SheetSpec,
    Target,
    Text,
)
from kernel.imports.reader import Workbook
from kernel.models import ImportJob, User
from kernel.scoping import in_area
from kernel.spreadsheets import CellError, Sheet, build_workbook

from ..models import QualityReport, QualityValue
from ..rights import can_enter_quality
from .quality import (
    VALUE_FIELDS,
    ValueInput,
    quality_amount,
    quality_items_of_year,
    quality_values_import,
)

# The job kind (kernel ImportJob.Kind.QUALITY_VALUES once the kernel declares it).
QUALITY_IMPORT_KIND = getattr(ImportJob.Kind, "QUALITY_VALUES", "quality_values")
SHEET_TITLE = gettext_lazy("Quality")
MAX_ROWS = 1_000  # a year's checklist has about 120 items
NEEDED_HELP = gettext_lazy(
    "Pre-filled from the targets of record and the standard; change it where you know better."
)
AVAILABLE_HELP = gettext_lazy(
    "What the puskesmas has for the year so far: goods and services given or in stock, staff, "
    "working equipment."
)


class Amount:
    """Needed or available: blank, or a number from 0 with at most two decimals."""

    def __call__(self, value: object, context: Mapping) -> Decimal | None:
        if isinstance(value, bool):
            raise BadCell(_("write a number."))
        try:
            return quality_amount(value, label=_("The value"))
        except ValidationError as error:
            raise BadCell(" ".join(error.messages)) from error


QUALITY_SHEET = SheetSpec(
    title=SHEET_TITLE,
    columns=(
        Column("service", gettext_lazy("Service code"), Code(20), required=True),
        Column("item", gettext_lazy("Item code"), Code(40), required=True),
        Column("name", gettext_lazy("Item"), Text(250)),
        Column("unit", gettext_lazy("Unit"), Text(60, multiline=False)),
        Column("needed", gettext_lazy("Needed"), Amount()),
        Column("available", gettext_lazy("Available"), Amount()),
        Column("note", gettext_lazy("Note"), Text(300)),
    ),
    max_rows=MAX_ROWS,
)


def quality_template(*, report: QualityReport) -> bytes:
    """The report's template: a row per active checklist item with the values saved (needed
    pre-filled from data), and a sheet saying how to fill it. In the active language."""
    values = {v.item_id: v for v in QualityValue.objects.filter(report=report)}
    rows = []
    for item in quality_items_of_year(report.year):
        value = values.get(item.pk)
        rows.append(
            (
                item.service.code,
                item.code,
                item.label,
                item.unit,
                value.needed if value else None,
                value.available if value else None,
                value.note if value else "",
            )
        )
    about = Sheet(
        title=str(_("How to fill")),
        headers=[str(_("Quality report")), ""],
        rows=[
            (str(_("Puskesmas")), f"{report.puskesmas.code} {report.puskesmas.name}"),
            (str(_("Year")), report.year),
            (str(_("Quarter")), report.quarter),
            (str(_("Needed")), str(NEEDED_HELP)),
            (str(_("Available")), str(AVAILABLE_HELP)),
            (
                str(_("Codes")),
                _(
                    "Keep the service and item codes as they are; the item name and unit are "
                    "not read."
                ),
            ),
        ],
    )
    return build_workbook(
        sheet=str(SHEET_TITLE), headers=QUALITY_SHEET.headings(), rows=rows, more=[about]
    )


def quality_import_parse(workbook: Workbook, *, report: QualityReport) -> Parsed:
    """The file's rows typed and matched to the report's checklist; every problem located.
    `parsed.extra` holds {item id: ValueInput}."""
    parsed = QUALITY_SHEET.read(workbook)
    items = {
        (item.service.code.casefold(), item.code.casefold()): item
        for item in quality_items_of_year(report.year)
    }
    services = {service for service, _code in items}
    first_row: dict[int, int] = {}
    entries: dict[int, ValueInput] = {}
    for row in parsed.rows:
        if _blank(row):
            continue
        if "service" in row.bad or "item" in row.bad:
            continue
        service, code = row["service"].casefold(), row["item"].casefold()
        if service not in services:
            parsed.errors.append(
                CellError(
                    parsed.sheet,
                    row.number,
                    QUALITY_SHEET.letter("service"),
                    _("unknown service code “%(code)s”.") % {"code": row["service"][:30]},
                )
            )
            continue
        item = items.get((service, code))
        if item is None:
            parsed.errors.append(
                CellError(
                    parsed.sheet,
                    row.number,
                    QUALITY_SHEET.letter("item"),
                    _("unknown item code “%(code)s” for service %(service)s.")
                    % {"code": row["item"][:40], "service": row["service"][:20]},
                )
            )
            continue
        if item.pk in first_row:
            parsed.errors.append(
                CellError(
                    parsed.sheet,
                    row.number,
                    QUALITY_SHEET.letter("item"),
                    _("this item is already on row %(row)s.") % {"row": first_row[item.pk]},
                )
            )
            continue
        first_row[item.pk] = row.number
        entries[item.pk] = ValueInput(
            needed=row["needed"],
            available=row["available"],
            note=row["note"] or "",
            fields=VALUE_FIELDS,
        )
    if not entries and not parsed.errors:
        parsed.errors.append(CellError(parsed.sheet, None, None, _("the sheet has no rows.")))
    parsed.extra = entries
    return parsed


def _blank(row: Row) -> bool:
    return all(value in (None, "") for value in row.values.values()) and not row.bad


def _report_of(user: User, params: Mapping) -> QualityReport:
    try:
        pk = int(params["report"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValidationError(_("Choose the quality report to import into.")) from error
    report = (
        in_area(QualityReport.objects.all(), user)
        .select_related("puskesmas__district")
        .filter(pk=pk)
        .first()
    )
    if report is None or not can_enter_quality(user, report):
        raise PermissionDenied(_("Only the puskesmas's own staff can enter its quality data."))
    if not report.is_editable:
        raise ValidationError(
            _("This quality report is %(status)s now and can no longer be changed.")
            % {"status": str(report.get_status_display()).lower()}
        )
    return report


def _report(target: Target) -> QualityReport:
    assert isinstance(target.obj, QualityReport)  # set by QualityValuesImporter.target
    return target.obj


class QualityValuesImporter(Importer):
    """A filled quality template of one report (params: {"report": id}): puskesmas heads and
    staff of its puskesmas, while the report is a draft or returned."""

    kind = QUALITY_IMPORT_KIND
    sheet = QUALITY_SHEET

    def target(self, *, user, params: Mapping) -> Target:
        report = _report_of(user, params)
        return Target(
            district_id=report.puskesmas.district_id,
            puskesmas_id=report.puskesmas_id,
            label=str(report),
            back_url=reverse("indicators:quality-detail", kwargs={"pk": report.pk}),
            obj=report,
        )

    def parse(self, workbook, *, user, params: Mapping, target: Target) -> Parsed:
        return quality_import_parse(workbook, report=_report(target))

    def apply(self, *, rows, parsed: Parsed, user, params, target, progress) -> Outcome:
        changed = quality_values_import(report=_report(target), rows=parsed.extra, by=user)
        progress(len(parsed.extra), len(parsed.extra))
        summary = ngettext(
            "%(count)s quality value saved.", "%(count)s quality values saved.", changed
        ) % {"count": changed}
        return Outcome(summary=summary, done=changed)
