"""Excel files: build (and, for imports, parse) workbooks. Pure: no database access here."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO
from zipfile import BadZipFile

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_sheet_title(title: str) -> str:
    """Excel refuses []:*?/\\ in sheet titles and more than 31 characters."""
    for char in "[]:*?/\\":
        title = title.replace(char, "-")
    return title[:31] or "Sheet"


def build_workbook(*, sheet: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """One sheet with a bold, frozen header row and sensible column widths; returns .xlsx bytes."""
    workbook = Workbook(write_only=False)
    worksheet = workbook.active
    worksheet.title = safe_sheet_title(sheet)
    worksheet.append([str(h) for h in headers])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) for h in headers]
    for row in rows:
        values = ["" if value is None else value for value in row]
        worksheet.append(values)
        for index, value in enumerate(values):
            widths[index] = max(widths[index], min(len(str(value)), 60))
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width + 2
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(*, filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence]):
    """An HTTP download of `rows` as an .xlsx file named `filename`."""
    response = HttpResponse(
        build_workbook(sheet=sheet, headers=headers, rows=rows), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Reading ------------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class CellError:
    """A problem located in a workbook: sheet, row (1-based) and column letter, or None."""

    sheet: str
    row: int | None
    column: str | None
    problem: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Sheet %(sheet)s, row %(row)s, column %(column)s: %(problem)s") % {
                "sheet": self.sheet, "row": self.row, "column": self.column,
                "problem": self.problem,
            }
        if self.row:
            return _("Sheet %(sheet)s, row %(row)s: %(problem)s") % {
                "sheet": self.sheet, "row": self.row, "problem": self.problem,
            }
        return _("Sheet %(sheet)s: %(problem)s") % {"sheet": self.sheet, "problem": self.problem}


def read_sheet(
    upload: IO[bytes], *, sheet: str, headers: Sequence[str]
) -> tuple[list[tuple[int, dict[str, object]]], list[CellError]]:
    """Rows of `sheet` as (row number, {header: value}), or the located errors of the whole file.

    Refuses what a template's user can get wrong: not an .xlsx, too large, the sheet missing,
    headers changed, formulas (values only), merged cells.
    """
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        limit = MAX_UPLOAD_BYTES // (1024 * 1024)
        return [], [CellError(sheet, None, None, _("the file is larger than %(mb)s MB.") % {
            "mb": limit})]
    if not data:
        return [], [CellError(sheet, None, None, _("the file is empty."))]
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False)
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError):
        return [], [CellError(sheet, None, None, _("this is not an Excel .xlsx file."))]
    if sheet not in workbook.sheetnames:
        return [], [CellError(sheet, None, None, _(
            "the workbook has no sheet with this name; use the template.")
        )]
    worksheet = workbook[sheet]
    errors: list[CellError] = []
    for merged in worksheet.merged_cells.ranges:
        errors.append(CellError(sheet, merged.min_row, get_column_letter(merged.min_col),
                                _("merged cells are not accepted; unmerge %(range)s.")
                                % {"range": merged.coord}))
    header_row = [cell.value for cell in worksheet[1]][: len(headers)]
    if [str(h or "").strip() for h in header_row] != [str(h) for h in headers]:
        errors.append(CellError(sheet, 1, None, _(
            "the column headings must be, in order: %(headers)s.")
            % {"headers": ", ".join(str(h) for h in headers)}))
        return [], errors
    rows = []
    for cells in worksheet.iter_rows(min_row=2, max_col=len(headers)):
        values = {}
        for header, cell in zip(headers, cells, strict=False):
            if cell.data_type == "f":
                errors.append(CellError(sheet, cell.row, cell.column_letter, _(
                    "formulas are not accepted; paste the values instead.")))
            value = cell.value
            values[str(header)] = value.strip() if isinstance(value, str) else value
        if any(v not in (None, "") for v in values.values()):
            rows.append((cells[0].row, values))
    return rows, errors
