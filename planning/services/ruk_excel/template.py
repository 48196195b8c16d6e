"""The template: a plan's activities in the RUK columns, ready to fill in and import again."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from indicators.models import SPMService
from kernel.models import FundingSource
from kernel.spreadsheets import Sheet, build_workbook

from ...forms import plan_services
from ...models import BudgetSubActivity, Plan
from ...selectors.sources import plan_service_points
from ..activities import FIELDS
from .layout import (
    DATA_SHEET,
    MAX_ROWS,
    META_KIND,
    META_SHEET,
    lists_title,
    service_text,
    ukbm_label,
)

if TYPE_CHECKING:
    from kernel.imports import SheetSpec


def _sheet() -> SheetSpec:
    """The RUK sheet as the import declares it (imported late: the importer uses the services)."""
    from ...importers import RUK_SHEET

    return RUK_SHEET


def _instructions() -> Sheet:
    lists = lists_title()
    lines = [
        _(
            "One row per activity, in the RUK's columns. Health effort, activity, person "
            "responsible, budget and funding source are required; the budget is in whole rupiah "
            "(0 if the activity costs nothing)."
        ),
        _(
            "Choose the funding source, SPM service and budget sub-activity code from the "
            "drop-down lists; the sheet %(sheet)s lists the valid values."
        )
        % {"sheet": lists},
        _(
            "Rows of activities already in the plan carry their ID in the hidden column A: keep "
            "it to update the activity. New rows have no ID; to copy a row as a new activity, "
            "clear its ID."
        ),
        _(
            "Activities removed from this file are not deleted from the plan: delete them on "
            "the plan's page."
        ),
        _("Do not change the headings or the sheet names; no formulas and no merged cells."),
        _(
            "If anything in the file is wrong, nothing is saved and every problem is listed with "
            "its sheet, row and column."
        ),
        _(
            "If the plan changes in Simpul after you download this file, the file is refused: "
            "download a new template then."
        ),
    ]
    return Sheet(_("Instructions"), [_("How to fill in this file")], [[line] for line in lines])


def _unverified(label: str) -> str:
    return _("%(name)s (unverified)") % {"name": label}


def _lists(
    services: list[SPMService], codes: list[BudgetSubActivity], points: list | None = None
) -> tuple[Sheet, dict]:
    """The Lists sheet, and for each validated field its list's column letter and length."""
    columns = [
        [(str(label), value) for value, label in FundingSource.choices],
        [(service_text(s), "") for s in services],
        [(c.code, c.label if c.is_verified else _unverified(c.label)) for c in codes],
        [(ukbm_label(p), p.get_kind_display()) for p in points or []],
    ]
    rows = []
    for index in range(max(len(column) for column in columns)):
        row = []
        for column in columns:
            row += [*(column[index] if index < len(column) else ("", "")), ""]
        rows.append(row)
    headers = [
        *(_("Funding source"), _("Code"), ""),
        *(_("SPM service"), "", ""),
        *(_("Budget sub-activity code"), _("Budget sub-activity"), ""),
        *(_("Posyandu or UKBM"), _("Kind")),
    ]
    validated = ("funding_source", "service", "sub_activity", "service_point")
    ranges = {
        name: ("ADGJ"[i], len(columns[i]))
        for i, name in enumerate(validated)
        if columns[i] or name != "service_point"
    }
    return Sheet(lists_title(), headers, rows), ranges


def _add_validation(content: bytes, *, ranges: dict, rows: int) -> bytes:
    """Drop-downs from the Lists sheet, a budget of 0 or more, rupiah grouped; the ID hidden."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook[DATA_SHEET]
    letter = _sheet().letter
    last = MAX_ROWS + 1
    lists = quote_sheetname(lists_title())
    for name, (column, count) in ranges.items():
        check = DataValidation(
            type="list",
            formula1=f"{lists}!${column}$2:${column}${count + 1}",
            allow_blank=True,
            errorStyle="warning",
            error=_("Choose a value from the sheet %(sheet)s.") % {"sheet": lists_title()},
        )
        check.add(f"{letter(name)}2:{letter(name)}{last}")
        sheet.add_data_validation(check)
    budget = letter("budget_idr")
    check = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        error=_("Enter the budget in whole rupiah, 0 or more."),
    )
    check.add(f"{budget}2:{budget}{last}")
    sheet.add_data_validation(check)
    for row in sheet.iter_rows(min_row=2, max_row=rows + 1):
        for cell in row:
            if cell.data_type == "f":  # text typed as "=...": kept as text, never a formula
                cell.data_type = "s"
        row[FIELDS.index("budget_idr") + 1].number_format = "#,##0"
    sheet.column_dimensions["A"].hidden = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ruk_template(*, plan: Plan) -> bytes:
    """The plan's activities as a template to fill in and import again (.xlsx); read-only, a
    fixed number of queries whatever the number of activities."""
    activities = plan.activities.select_related(
        "service", "sub_activity", "service_point__village"
    ).order_by("effort", "pk")
    rows = [
        [
            a.pk,
            *(getattr(a, name) for name in FIELDS[:10]),
            a.budget_idr,
            a.indicator,
            a.get_funding_source_display(),
            service_text(a.service),
            a.sub_activity.code if a.sub_activity else "",
            ukbm_label(a.service_point) if a.service_point else "",
        ]
        for a in activities
    ]
    services = list(plan_services(plan.year))
    codes = list(BudgetSubActivity.objects.filter(is_active=True))
    points = list(
        plan_service_points(plan).filter(is_active=True).select_related("village").order_by("name")
    )
    lists, ranges = _lists(services, codes, points)
    meta = Sheet(
        META_SHEET,
        ["key", "value"],
        [
            ["kind", META_KIND],
            ["plan", plan.pk],
            ["version", plan.version],
            ["downloaded_at", timezone.now().isoformat()],
        ],
        hidden=True,
    )
    content = build_workbook(
        sheet=DATA_SHEET,
        headers=_sheet().headings(),
        rows=rows,
        more=[lists, _instructions(), meta],
    )
    return _add_validation(content, ranges=ranges, rows=len(rows))
