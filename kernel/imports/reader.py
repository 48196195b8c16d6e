"""A streaming .xlsx reader that no file can break (issue #11).

It reads an upload the way an attacker cannot steer: the zip is checked before anything is
decompressed (size, members, declared uncompressed sizes, encryption, links to other workbooks),
every XML part goes through defusedxml (no DTD, no entities, no external references), the shared
strings are capped in count and characters, and a sheet is walked row by row with an
event parser that keeps one row in memory. Nothing ever builds the sheet's declared grid: a cell
at A1 and another at XFD1048576 cost two cells, and the sheet is refused at the first cell
outside the template's size.

Refusals are `FileRefused` with short, located messages (sheet, row, column) in the active
language. Values come out as Python values: str (control characters removed), int, float, bool,
datetime.date / datetime.datetime for date-formatted numbers.
"""

from __future__ import annotations

import contextlib
import io
import lzma
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, NoReturn
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import get_column_letter

from ..spreadsheets import CellError
from .cells import (  # noqa: F401  (short, clean_text: used by importers through this module)
    CELL_REF,
    EXCEL_CELL_CHARS,
    MAIN,
    cell_ref,
    cell_value,
    clean_text,
    column_number,
    row_of,
    short,
)

# What zipfile and the decompressors raise on a damaged archive or member.
DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    NotImplementedError,  # a compression method zipfile does not know
    RuntimeError,  # an encrypted member the flag bits did not tell
    struct.error,
    EOFError,
    OSError,
    ValueError,
)
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384  # the largest sheet Excel opens
KEPT_ELEMENTS = 5_000  # elements one cell may hold (rich text runs); no cell has more
# Elements of a sheet outside its rows' cells (columns, validations, formats...); a sheet has
# a few thousand: millions only cost parsing time.
MAX_OTHER_ELEMENTS = 200_000
MAX_RELATIONSHIPS = 10_000  # links between parts; a workbook has a few dozen


@dataclass(frozen=True)
class Limits:
    """What an upload may hold; settings give the defaults (config/settings/base.py)."""

    max_bytes: int
    max_uncompressed: int
    max_members: int
    max_shared_strings: int
    max_shared_chars: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.SIMPUL_IMPORT_MAX_BYTES,
            max_uncompressed=settings.SIMPUL_IMPORT_MAX_UNCOMPRESSED,
            max_members=settings.SIMPUL_IMPORT_MAX_MEMBERS,
            max_shared_strings=settings.SIMPUL_IMPORT_MAX_SHARED_STRINGS,
            max_shared_chars=settings.SIMPUL_IMPORT_MAX_SHARED_CHARS,
        )


class FileRefused(Exception):
    """The upload cannot be read; `errors` say where and why (nothing was saved)."""

    def __init__(self, errors: list[CellError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


class RawFile:
    """A non-spreadsheet upload (JSON, XML) for importers that declare another `file_kind`:
    the same size and emptiness checks as a workbook; the importer parses `data` itself, with
    a hardened parser (defusedxml for XML)."""

    def __init__(self, data: bytes, *, name: str = "", limits: Limits | None = None):
        self.limits = limits or Limits.from_settings()
        self.name = name
        if len(data) > self.limits.max_bytes:
            raise FileRefused(
                [
                    CellError(
                        name,
                        None,
                        None,
                        _("the file is larger than %(mb)s MB.")
                        % {"mb": _mb(self.limits.max_bytes)},
                    )
                ]
            )
        if not data.strip():
            raise FileRefused([CellError(name, None, None, _("the file is empty."))])
        self.data = data

    def refuse(self, problem: str) -> None:
        """Refuse the whole file with one message (raises FileRefused)."""
        raise FileRefused([CellError(self.name, None, None, problem)])


class Workbook:
    """An .xlsx upload opened for reading after the checks that need no decompression."""

    def __init__(self, data: bytes, *, name: str = "", limits: Limits | None = None):
        self.limits = limits or Limits.from_settings()
        self.name = name
        if len(data) > self.limits.max_bytes:
            self._refuse(
                _("the file is larger than %(mb)s MB.") % {"mb": _mb(self.limits.max_bytes)}
            )
        if not data:
            self._refuse(_("the file is empty."))
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            self._refuse(
                _(
                    "the file is password-protected or in the old .xls format; save it in Excel "
                    "as an .xlsx workbook without a password."
                )
            )
        if data[:4] != b"PK\x03\x04":
            self._refuse(_("this is not an Excel .xlsx file."))
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            members = self.zip.infolist()
        except DAMAGED:
            self._refuse(_("the file is damaged or not an Excel .xlsx file."))
        if len(members) > self.limits.max_members:
            self._refuse(_("the file holds too many parts to be a filled template."))
        self.members = {member.filename: member for member in members}
        if any(member.flag_bits & 0x1 for member in members):
            self._refuse(_("the file is encrypted; save it without a password."))
        if any(name.startswith("xl/externalLinks/") for name in self.members):
            self._refuse(
                _(
                    "the file links to other workbooks; copy the figures and paste them as "
                    "values into the template."
                )
            )
        if "xl/workbook.xml" not in self.members:
            self._refuse(_("this is not an Excel .xlsx file."))
        self.read_total = 0
        self.sheets = self._sheet_paths()
        self._strings: list[str] | None = None
        self._dates: list[bool] | None = None

    # --- Refusals ---------------------------------------------------------------------------

    def _refuse(
        self, problem: str, *, sheet: str = "", row: int | None = None, column: str | None = None
    ) -> NoReturn:
        raise FileRefused([CellError(sheet or self.name, row, column, problem)])

    # --- Parts ------------------------------------------------------------------------------

    def _open(self, path: str) -> IO[bytes]:
        """A part's stream; its declared size counts against the uncompressed limit, and the
        zip module never decompresses more than that declared size."""
        member = self.members.get(path)
        if member is None:
            self._refuse(_("the file is damaged or not an Excel .xlsx file."))
        self.read_total += member.file_size
        if self.read_total > self.limits.max_uncompressed:
            self._refuse(
                _("the file unpacks to more than %(mb)s MB; this is not a filled template.")
                % {"mb": _mb(self.limits.max_uncompressed)}
            )
        return self.zip.open(member)

    def _events(self, path: str, events=("end",), *, keep: frozenset[str] = frozenset()):
        """Parse events of one XML part, with DTDs and entities refused.

        The tree never grows: once its end event was handled, an element is dropped from its
        parent, unless it lies inside an element whose tag is in `keep` (a cell, read whole at
        its end), and such an element may hold at most KEPT_ELEMENTS. So millions of empty or
        unknown elements cost time, never memory.
        """
        wants_start, wants_end = "start" in events, "end" in events
        stack: list = []
        kept = 0  # elements of `keep` open on the stack
        inside = 0  # elements parsed inside the outermost kept element
        try:
            with self._open(path) as stream:
                for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
                    if event == "start":
                        stack.append(element)
                        if kept:
                            inside += 1
                            if inside > KEPT_ELEMENTS:
                                self._refuse(_("the file is damaged or not an Excel .xlsx file."))
                        if element.tag in keep:
                            kept += 1
                        if wants_start:
                            yield event, element
                        continue
                    stack.pop()
                    if wants_end:
                        yield event, element
                    if element.tag in keep:
                        kept -= 1
                        if not kept:
                            inside = 0
                    if stack and not kept:
                        # Events come in batches: later siblings may already be attached, so
                        # the element ended is the parent's first child, not its last.
                        parent = stack[-1]
                        if len(parent) and parent[0] is element:
                            del parent[0]
                        else:
                            with contextlib.suppress(ValueError):
                                parent.remove(element)
                        element.clear()
        except DefusedXmlException:
            self._refuse(
                _("the file contains XML declarations that are not allowed in a workbook.")
            )
        except (ParseError, *DAMAGED):
            self._refuse(_("the file is damaged or not an Excel .xlsx file."))

    def _sheet_paths(self) -> dict[str, str]:
        targets: dict[str | None, str] = {}
        if "xl/_rels/workbook.xml.rels" in self.members:
            for _event, element in self._events("xl/_rels/workbook.xml.rels"):
                if element.tag == f"{PACKAGE_REL}Relationship":
                    if len(targets) >= MAX_RELATIONSHIPS:
                        self._refuse(_("the file holds too many parts to be a filled template."))
                    target = element.get("Target", "")
                    target = target[1:] if target.startswith("/") else f"xl/{target}"
                    targets[element.get("Id")] = target
        sheets = {}
        for _event, element in self._events("xl/workbook.xml"):
            if element.tag == f"{MAIN}sheet":
                path = targets.get(element.get(f"{REL}id"))
                if path in self.members:
                    sheets[clean_text(element.get("name", ""))] = path
        return sheets

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def _shared_strings(self) -> list[str]:
        if self._strings is not None:
            return self._strings
        strings: list[str] = []
        chars = 0
        if "xl/sharedStrings.xml" in self.members:
            parts: list[str] = []
            phonetic = False  # text of <rPh> (East Asian reading aids) is not the cell's text
            for event, element in self._events("xl/sharedStrings.xml", ("start", "end")):
                tag = element.tag
                if event == "start":
                    if tag == f"{MAIN}si":
                        parts = []
                    elif tag == f"{MAIN}rPh":
                        phonetic = True
                    continue
                if tag == f"{MAIN}t" and not phonetic:
                    text = element.text or ""
                    chars += len(text)
                    if chars > self.limits.max_shared_chars:
                        self._refuse(_("the file holds more text than a filled template can."))
                    if len(parts) < KEPT_ELEMENTS:  # runs of one text; no cell has more
                        parts.append(text[: EXCEL_CELL_CHARS + 1])
                elif tag == f"{MAIN}rPh":
                    phonetic = False
                elif tag == f"{MAIN}si":
                    text = "".join(parts)
                    parts = []
                    if len(strings) >= self.limits.max_shared_strings:
                        self._refuse(_("the file holds more texts than a filled template can."))
                    strings.append(clean_text(text[: EXCEL_CELL_CHARS + 1]))
                    element.clear()
        self._strings = strings
        return strings

    def _date_styles(self) -> list[bool]:
        """For each cell style (xf) index: does it show a number as a date?"""
        if self._dates is not None:
            return self._dates
        formats = dict(BUILTIN_FORMATS)
        dates: list[bool] = []
        if "xl/styles.xml" in self.members:
            in_cell_xfs = False
            for event, element in self._events("xl/styles.xml", ("start", "end")):
                tag = element.tag
                if tag == f"{MAIN}numFmt" and event == "end":
                    if len(formats) > 65_000:
                        self._refuse(_("the file holds more styles than Excel allows."))
                    try:
                        code = element.get("formatCode", "")[:256]
                        formats[int(element.get("numFmtId", "")[:8])] = code
                    except ValueError:
                        pass
                elif tag == f"{MAIN}cellXfs":
                    in_cell_xfs = event == "start"
                elif tag == f"{MAIN}xf" and event == "end" and in_cell_xfs:
                    if len(dates) > 65_000:
                        self._refuse(_("the file holds more styles than Excel allows."))
                    try:
                        code = formats.get(int(element.get("numFmtId", "0")), "")
                    except ValueError:
                        code = ""
                    dates.append(bool(code) and is_date_format(code))
        self._dates = dates
        return dates

    # --- Rows -------------------------------------------------------------------------------

    def rows(
        self, sheet: str, *, max_rows: int, max_columns: int
    ) -> Iterator[tuple[int, list[object]]]:
        """(row number, values) of each row of `sheet` that has a value, in order.

        `max_rows` and `max_columns` are the template's size, the heading row included: the
        sheet is refused (FileRefused) as soon as its declared size or any cell with a value
        lies beyond them; formulas and merged cells are refused too, each located, once every
        row was yielded (a formula's cached value stands in), so a caller lists the other
        problems of the file as well. Values are padded to the last filled column of the row,
        never to the sheet's width.
        """
        path = self.sheets.get(sheet)
        if path is None:
            self._refuse(
                _("the workbook has no sheet with this name; use the template."), sheet=sheet
            )
        strings = self._shared_strings()
        dates = self._date_styles()
        errors: list[CellError] = []
        cells: dict[int, object] = {}
        row_number = 0
        last_row = 0
        sheet_data = None
        column = 0  # of the previous cell in the row
        in_row = 0  # cells met in the row, with a value or not
        in_cell = False
        rows_met = others = 0  # row elements; elements neither a row nor in a cell
        for event, element in self._events(path, ("start", "end"), keep=frozenset({f"{MAIN}c"})):
            tag = element.tag
            if event == "start":
                if tag == f"{MAIN}c":
                    in_cell = True
                elif tag == f"{MAIN}row":
                    rows_met += 1
                elif not in_cell:
                    others += 1
                if rows_met > EXCEL_ROWS or others > MAX_OTHER_ELEMENTS:
                    self._refuse(_("the file is damaged or not an Excel .xlsx file."), sheet=sheet)
                if tag == f"{MAIN}sheetData":
                    sheet_data = element
                elif tag == f"{MAIN}row":
                    row_number = row_of(element.get("r"), last_row + 1)
                    if row_number > EXCEL_ROWS:
                        self._refuse(
                            _("the file is damaged or not an Excel .xlsx file."), sheet=sheet
                        )
                    cells = {}
                    column = in_row = 0
                elif tag == f"{MAIN}dimension":
                    self._check_dimension(sheet, element.get("ref", ""), max_rows, max_columns)
                continue
            if tag == f"{MAIN}c":
                in_cell = False
                in_row += 1
                if in_row > EXCEL_COLUMNS:
                    self._refuse(_("the file is damaged or not an Excel .xlsx file."), sheet=sheet)
                column, row = cell_ref(element.get("r"), row_number, column)
                value, formula = cell_value(element, strings, dates)
                element.clear()
                if value is None and not formula:
                    continue
                if row > max_rows or column > max_columns:
                    self._beyond(sheet, row, column, max_rows, max_columns)
                if formula:
                    errors.append(
                        CellError(
                            sheet,
                            row,
                            get_column_letter(column),
                            _("formulas are not accepted; paste the values instead."),
                        )
                    )
                    if len(errors) > 200:
                        raise FileRefused(errors)
                cells[column] = value
            elif tag == f"{MAIN}row":
                last_row = row_number
                if sheet_data is not None:
                    sheet_data.clear()  # drop the rows read so far: one row in memory at a time
                if cells:  # rows after a refused cell still come, so every problem is listed
                    width = max(cells)
                    yield row_number, [cells.get(index) for index in range(1, width + 1)]
                cells = {}
            elif tag == f"{MAIN}mergeCell":
                ref = element.get("ref", "")
                first = CELL_REF.match(ref)
                errors.append(
                    CellError(
                        sheet,
                        int(first[2]) if first else None,
                        first[1] if first else None,
                        _("merged cells are not accepted; unmerge %(range)s.")
                        % {"range": short(ref, 24)},
                    )
                )
                if len(errors) > 200:
                    break
            elif tag == f"{MAIN}sheetData":
                element.clear()
                sheet_data = None
        if errors:
            raise FileRefused(errors)

    def _check_dimension(self, sheet: str, ref: str, max_rows: int, max_columns: int) -> None:
        corners = CELL_REF.findall(ref[:64].upper())  # "A1:XFD1048576" at most
        if not corners:
            return
        letters, number = corners[-1]
        if int(number) > max_rows or column_number(letters) > max_columns:
            self._refuse(
                _(
                    "the sheet spans %(ref)s, larger than the template (%(rows)s rows, "
                    "%(columns)s columns); copy only the template's rows into a new template."
                )
                % {"ref": short(ref, 24), "rows": max_rows, "columns": max_columns},
                sheet=sheet,
            )

    def _beyond(self, sheet: str, row: int, column: int, max_rows: int, max_columns: int):
        if row > max_rows:
            self._refuse(
                _("the sheet has more than %(rows)s rows; split the file.")
                % {"rows": max_rows - 1},
                sheet=sheet,
                row=row,
            )
        self._refuse(
            _("a value lies outside the template's %(columns)s columns; remove it.")
            % {"columns": max_columns},
            sheet=sheet,
            row=row,
            column=get_column_letter(min(column, 16384)),
        )
