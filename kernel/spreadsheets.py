"""Excel files: build (and, for imports, parse) workbooks. Pure: no database access here."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_sheet_title(title: str) -> str:
    """Excel refuses []:*?/\\ in sheet titles and more than 31 characters."""
    for char in "[]:*?/\\":
        title = title.replace(char, "-")
    return title[:31] or "Sheet"


@dataclass(frozen=True)
class Sheet:
    """One more sheet of a workbook: a bold heading row, then rows; `hidden` for file metadata."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    hidden: bool = False


def _cell(value: object) -> object:
    # None stays a blank cell (empty is not zero), and "" is written blank as well;
    # lazily translated labels (model choices) are written in the active language.
    return None if value == "" else str(value) if isinstance(value, Promise) else value


def _write_sheet(worksheet, *, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    # A write-only sheet writes its column widths and frozen row before its first row: so the
    # rows are read first, for their widths.
    lines = [[_cell(value) for value in row] for row in rows]
    widths = [len(str(h)) for h in headers]
    for values in lines:
        if len(values) > len(widths):
            widths.extend([0] * (len(values) - len(widths)))
        for index, value in enumerate(values):
            if value is not None:
                widths[index] = max(widths[index], min(len(str(value)), 60))
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width + 2
    worksheet.freeze_panes = "A2"
    # The sheet's size, as the normal mode writes it (<dimension>): openpyxl's read-only mode
    # pads short rows to it. A write-only sheet writes one only if it has this method.
    last_row = max((number for number, values in enumerate(lines, start=2) if values), default=1)
    last_column = max([1, len(headers), *(len(values) for values in lines)])
    dimension = f"A1:{get_column_letter(last_column)}{last_row}"
    worksheet.calculate_dimension = lambda: dimension
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(worksheet, value=str(header))
        cell.font = bold
        header_cells.append(cell)
    worksheet.append(header_cells)
    for values in lines:
        worksheet.append(values)


def build_workbook(
    *, sheet: str, headers: Sequence[str], rows: Iterable[Sequence], more: Sequence[Sheet] = ()
) -> bytes:
    """One sheet (plus `more`) with a bold, frozen header row and sensible column widths; .xlsx.

    Written with openpyxl's write-only mode: about 30 % faster on a district's thousands of rows
    than building every cell in memory first, and the same file (bench/README.md)."""
    workbook = Workbook(write_only=True)
    for title, sheet_headers, sheet_rows, hidden in [
        (sheet, headers, rows, False),
        *((extra.title, extra.headers, extra.rows, extra.hidden) for extra in more),
    ]:
        worksheet = workbook.create_sheet(safe_sheet_title(title))
        _write_sheet(worksheet, headers=sheet_headers, rows=sheet_rows)
        if hidden:
            worksheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_workbook_streaming(
    out: BinaryIO,
    *,
    sheet: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    row_count: int,
    widths: Sequence[int] = (),
) -> int:
    """One sheet like `build_workbook`'s, written to `out` without holding the rows: for
    exports of a province's year (hundreds of thousands of rows, bench/exports.py).

    `build_workbook` reads every row first for the column widths and the sheet's size; here
    the caller gives both (`widths` per column, else the headers'; `row_count` from a count
    query), so memory stays flat whatever the number of rows. Returns the rows written."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(safe_sheet_title(sheet))
    for index, header in enumerate(headers, start=1):
        width = widths[index - 1] if index <= len(widths) else len(str(header))
        worksheet.column_dimensions[get_column_letter(index)].width = max(width, 4) + 2
    worksheet.freeze_panes = "A2"
    dimension = f"A1:{get_column_letter(max(1, len(headers)))}{row_count + 1}"
    worksheet.calculate_dimension = lambda: dimension
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(worksheet, value=str(header))
        cell.font = bold
        header_cells.append(cell)
    worksheet.append(header_cells)
    written = 0
    for row in rows:
        worksheet.append([_cell(value) for value in row])
        written += 1
    workbook.save(out)
    return written


def xlsx_response(*, filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence]):
    """An HTTP download of `rows` as an .xlsx file named `filename`."""
    response = HttpResponse(
        build_workbook(sheet=sheet, headers=headers, rows=rows), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Reading ------------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000  # the most any sheet may have; each import declares its own, lower limit
MAX_COUNT = 1_000_000  # people served in one desa in one month; more is a typing slip
_INTEGER_TEXT = re.compile(r"-?[0-9]+")


@dataclass(frozen=True)
class CellError:
    """A problem located in a workbook: sheet, row (1-based) and column letter, or None."""

    sheet: str
    row: int | None
    column: str | None
    problem: str

    def __str__(self) -> str:
        # Messages stay short whatever the file holds: a long cell never makes a long page.
        sheet, problem = _cut(self.sheet, 40), _cut(self.problem, 400)
        if self.row and self.column:
            return _("Sheet %(sheet)s, row %(row)s, column %(column)s: %(problem)s") % {
                "sheet": sheet,
                "row": self.row,
                "column": self.column,
                "problem": problem,
            }
        if self.row:
            return _("Sheet %(sheet)s, row %(row)s: %(problem)s") % {
                "sheet": sheet,
                "row": self.row,
                "problem": problem,
            }
        return _("Sheet %(sheet)s: %(problem)s") % {"sheet": sheet, "problem": problem}


def _cut(text: object, length: int) -> str:
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"


@dataclass
class Table:
    """A sheet read whole: its heading row, and its non-empty rows with their 1-based numbers."""

    headers: list[object]
    rows: list[tuple[int, list[object]]]
    # Other sheets asked for by name, as lists of row values; a missing sheet is not a key.
    others: dict[str, list[list[object]]] = field(default_factory=dict)


MAX_COLUMNS = 100  # the widest template (a year of months beside the codes) has 19


def read_table(
    upload, *, sheet: str, others: Sequence[str] = (), max_rows: int = MAX_ROWS
) -> tuple[Table | None, list[CellError]]:
    """Read `sheet` whole (streaming, values as typed), or None and why the file is refused.

    Goes through the safe reader (kernel/imports/reader.py): refuses what is not an .xlsx,
    empty, too large, packed too tightly, beyond MAX_ROWS x MAX_COLUMNS, or holding XML
    entities or links to other workbooks; and lists every formula and merged range as
    located errors.
    """
    from .imports.reader import FileRefused, Workbook

    try:
        if isinstance(upload, Workbook):  # already opened by the import runner
            workbook = upload
        else:
            workbook = Workbook(upload.read(settings.SIMPUL_IMPORT_MAX_BYTES + 1), name=sheet)
        if sheet not in workbook.sheet_names:
            problem = _("the workbook has no sheet with this name; use the template.")
            return None, [CellError(sheet, None, None, problem)]
        table = Table(headers=[], rows=[])
        for number, values in workbook.rows(sheet, max_rows=max_rows + 1, max_columns=MAX_COLUMNS):
            if number == 1:
                table.headers = values
            elif any(value not in (None, "") for value in values):
                table.rows.append((number, values))
        for name in others:
            if name in workbook.sheet_names:
                table.others[name] = [
                    values for _number, values in workbook.rows(name, max_rows=1000, max_columns=20)
                ]
    except FileRefused as refused:
        return None, refused.errors
    return table, []


def whole_number(value: object) -> tuple[int | None, str | None]:
    """A count of people from a cell: (number, None), (None, None) if empty, or (None, problem).

    Accepts 12 and 12.0 (calamine and some programs give whole numbers as floats) and digits
    typed as text; refuses text, negatives, fractions, dates and implausible sizes.
    """
    if value is None or value == "":
        return None, None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.replace(" ", "")):
        value = int(value.replace(" ", ""))
    if isinstance(value, bool) or not isinstance(value, int):
        return None, _("“%(text)s” is not a whole number of people.") % {"text": value}
    if value < 0:
        return None, _("a number of people cannot be negative.")
    if value > MAX_COUNT:
        return None, _("the number is implausibly large.")
    return value, None
