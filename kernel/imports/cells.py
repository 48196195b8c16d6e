"""One cell of an .xlsx sheet: its reference, its value, its text cut for a message.

Pure functions the streaming reader (reader.py) calls per cell; nothing here reads a file.
"""

from __future__ import annotations

import datetime
import re

from openpyxl.utils.datetime import from_excel

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
EXCEL_CELL_CHARS = 32_767  # the most Excel itself puts in one cell


def short(value: object, length: int = 40) -> str:
    """A cell's text cut for a message: a long cell never makes a long error page."""
    raw = str(value)
    text = " ".join(raw[: length * 4].split())  # never split a megabyte of text
    if len(text) <= length and len(raw) <= length * 4:
        return text
    return text[: length - 1] + "…"


def clean_text(text: str) -> str:
    """Excel's _xHHHH_ escapes decoded, then control characters (NUL included) removed."""
    if "_x" in text:
        text = _ESCAPED.sub(lambda match: chr(int(match[1], 16)), text)
    return _CONTROL.sub("", text)


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def cell_value(element, strings: list[str], dates: list[bool]) -> tuple[object, bool]:
    """(value, has a formula) of one <c> element: shared strings resolved, control
    characters removed, date-formatted numbers as dates."""
    kind = element.get("t", "n")
    formula = element.find(f"{MAIN}f") is not None
    raw = element.findtext(f"{MAIN}v")
    if kind == "inlineStr":
        text = "".join(t.text or "" for t in element.iter(f"{MAIN}t"))
        return clean_text(text[: EXCEL_CELL_CHARS + 1]) or None, formula
    if raw is None or raw == "":
        return None, formula
    if kind == "s":
        try:
            return strings[int(raw)] or None, formula
        except (ValueError, IndexError):
            return None, formula
    if kind in ("str", "e"):
        return clean_text(raw[: EXCEL_CELL_CHARS + 1]) or None, formula
    if kind == "b":
        return raw.strip() in ("1", "true"), formula
    if kind == "d":
        try:
            return datetime.datetime.fromisoformat(raw.strip()[:32]), formula
        except ValueError:
            return clean_text(raw[:64]), formula
    try:
        number: float | int = float(raw) if any(c in raw for c in ".eE") else int(raw)
    except ValueError:
        return clean_text(raw[:64]), formula
    style = element.get("s")
    if style and style.isdigit() and int(style) < len(dates) and dates[int(style)]:
        try:
            moment = from_excel(number)
        except (OverflowError, ValueError, TypeError):
            return number, formula
        if isinstance(moment, datetime.datetime) and moment.time() == datetime.time():
            return moment.date(), formula
        return moment, formula
    return number, formula


def row_of(reference: str | None, default: int) -> int:
    if reference and reference.isdigit() and len(reference) <= 8:
        return int(reference)
    return default


def cell_ref(reference: str | None, row: int, last_column: int) -> tuple[int, int]:
    """(column, row) of a cell; a cell without a reference follows the previous one."""
    match = CELL_REF.fullmatch(reference or "")
    if match:
        return column_number(match[1]), int(match[2])
    return last_column + 1, row
