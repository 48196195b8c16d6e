"""A sheet declared once: its columns, their types, what is required, choices, lookups, limits.

An importer declares a `SheetSpec`; `SheetSpec.read` turns a safely opened workbook into typed
rows, or the located errors of the whole file (sheet, row, column), in the active language.
Headings and sheet titles are accepted in Bahasa Indonesia or English, whichever the template
was downloaded in.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ..spreadsheets import MAX_COUNT, CellError
from .reader import FileRefused, Workbook, short

MAX_ERRORS = 200  # more than this many located problems is a wrong file, not a few slips


class BadCell(Exception):
    """A cell that cannot be read; the message says why."""


def text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    return str(value).strip()


def in_both_languages(text) -> list[str]:
    """A lazily translated text in Bahasa Indonesia and English (and as written)."""
    found = []
    for language in ("id", "en"):
        with translation.override(language):
            found.append(str(text))
    return list(dict.fromkeys(found))


# --- Types: each turns a cell into a value or raises BadCell ------------------------------------


class Text:
    def __init__(self, max_length: int = 255, *, multiline: bool = True):
        self.max_length = max_length
        self.multiline = multiline

    def __call__(self, value: object, context: Mapping) -> str:
        text = text_of(value)
        if not self.multiline:
            text = " ".join(text.split())
        if len(text) > self.max_length:
            raise BadCell(
                _("the text is longer than %(length)s characters.") % {"length": self.max_length}
            )
        return text


class Code(Text):
    """A code such as a puskesmas or village code: digits typed as numbers are read as text."""

    def __init__(self, max_length: int = 30):
        super().__init__(max_length, multiline=False)


_INTEGER_TEXT = re.compile(r"-?[0-9]+")


class Integer:
    def __init__(self, *, minimum: int = 0, maximum: int = MAX_COUNT, what: str = ""):
        self.minimum, self.maximum, self.what = minimum, maximum, what

    def __call__(self, value: object, context: Mapping) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            digits = value.replace(" ", "")
            if not _INTEGER_TEXT.fullmatch(digits) or len(digits) > 18:
                raise BadCell(_("“%(text)s” is not a whole number.") % {"text": short(value)})
            value = int(digits)
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadCell(_("“%(text)s” is not a whole number.") % {"text": short(value)})
        if value < self.minimum:
            raise BadCell(_("the number cannot be below %(min)s.") % {"min": self.minimum})
        if value > self.maximum:
            raise BadCell(_("the number is implausibly large."))
        return value


class Count(Integer):
    """A number of people: 0 or more, at most MAX_COUNT."""

    def __call__(self, value: object, context: Mapping) -> int | None:
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            raise BadCell(_("a number of people cannot be negative."))
        return super().__call__(value, context)


_RUPIAH = re.compile(r"-?(?:[0-9]{1,3}(?:[.,][0-9]{3})+|[0-9]+)")


class Rupiah:
    """Whole rupiah from a number or from text like "Rp 1.500.000"."""

    def __init__(self, maximum: int = 10**13):
        self.maximum = maximum

    def __call__(self, value: object, context: Mapping) -> int | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = text_of(value)
            if not text:
                return None
            digits = text.replace(" ", "")
            digits = digits[2:] if digits[:2].casefold() == "rp" else digits
            if len(digits) > 24 or not _RUPIAH.fullmatch(digits):
                raise BadCell(
                    _("“%(text)s” is not a whole number of rupiah.") % {"text": short(text)}
                )
            number = int(re.sub(r"[.,]", "", digits))
        if abs(number) > self.maximum:
            raise BadCell(_("the amount is implausibly large."))
        return number


class DecimalNumber:
    def __init__(self, *, places: int = 2, maximum: Decimal = Decimal("1e12")):
        self.places, self.maximum = places, maximum

    def __call__(self, value: object, context: Mapping) -> Decimal | None:
        text = text_of(value).replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text[:32])
        except InvalidOperation as error:
            raise BadCell(_("“%(text)s” is not a number.") % {"text": short(text)}) from error
        if not number.is_finite() or abs(number) > self.maximum:
            raise BadCell(_("the number is implausibly large."))
        return round(number, self.places)


class Date:
    FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")

    def __call__(self, value: object, context: Mapping) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = text_of(value)
        if not text:
            return None
        for pattern in self.FORMATS:
            try:
                found = datetime.datetime.strptime(text[:20], pattern).date()
            except ValueError:
                continue
            if 1900 <= found.year <= 2200:
                return found
        raise BadCell(
            _("“%(text)s” is not a date; write it as DD/MM/YYYY.") % {"text": short(text)}
        )


YES = {"ya", "y", "yes", "1", "true", "benar", "aktif", "active"}
NO = {"tidak", "t", "no", "n", "0", "false", "salah", "tidak aktif", "inactive"}


class YesNo:
    def __init__(self, *, empty: bool | None = None):
        self.empty = empty

    def __call__(self, value: object, context: Mapping) -> bool | None:
        if isinstance(value, bool):
            return value
        text = text_of(value).casefold()
        if not text:
            return self.empty
        if text in YES:
            return True
        if text in NO:
            return False
        raise BadCell(_("write Yes or No."))


class Choice:
    """One of `choices` ((code, label) pairs), by its code or its label in either language."""

    def __init__(self, choices: Iterable[tuple[str, Any]] | Callable[[], Iterable]):
        self.choices = choices

    def codes(self) -> dict[str, str]:
        choices = list(self.choices() if callable(self.choices) else self.choices)
        lookup = {}
        for code, label in choices:
            for text in in_both_languages(label):
                lookup[text.casefold()] = code
        return lookup | {str(code).casefold(): code for code, _label in choices}

    def __call__(self, value: object, context: Mapping) -> str:
        text = text_of(value)
        if not text:
            return ""
        codes = self.codes()
        if text.casefold() not in codes:
            raise BadCell(_("unknown value “%(text)s”.") % {"text": short(text)})
        return codes[text.casefold()]


class Lookup:
    """An object named by its code or name in a dictionary the importer prepares per file
    (`context[name]`, keys case-folded): only objects the user may use are ever in it."""

    def __init__(self, name: str, message: str | Any):
        self.name, self.message = name, message

    def __call__(self, value: object, context: Mapping):
        text = text_of(value)
        if not text:
            return None
        found = context[self.name].get(text.casefold())
        if found is None:
            raise BadCell(str(self.message) % {"text": short(text)})
        return found


# --- Columns and sheets -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    heading: Any  # str or lazily translated
    kind: Callable[[object, Mapping], Any] = field(default_factory=Text)
    required: bool = False


@dataclass
class Row:
    """One data row, its typed values by key, and the keys whose cells were refused."""

    number: int
    values: dict[str, Any]
    bad: set[str] = field(default_factory=set)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


@dataclass
class Parsed:
    sheet: str  # the title the file used
    rows: list[Row]
    errors: list[CellError]
    headers: list[object] = field(default_factory=list)
    # What an importer with its own layout parsed (e.g. the monthly import's checked plan).
    extra: Any = None


@dataclass(frozen=True)
class SheetSpec:
    """A template's data sheet: title (either language), columns in order, and its limits."""

    title: Any
    columns: Sequence[Column]
    max_rows: int = 5_000
    # Columns after the declared ones that may hold values (ignored), e.g. a user's notes.
    spare_columns: int = 0
    # Whether the last declared column may be missing from the heading row (older templates).
    optional_last: bool = False

    def titles(self) -> list[str]:
        return in_both_languages(self.title)

    def letter(self, key: str) -> str:
        return get_column_letter([c.key for c in self.columns].index(key) + 1)

    def headings(self) -> list[str]:
        return [str(column.heading) for column in self.columns]

    def check_headings(self, sheet: str, headers: list[object]) -> list[CellError]:
        size = len(self.columns)
        found = [text_of(h).casefold() for h in headers[:size]]
        found += [""] * (size - len(found))
        accepted = []
        for language in ("id", "en"):
            with translation.override(language):
                accepted.append([str(c.heading).casefold() for c in self.columns])
        for wanted in accepted:
            if found == wanted or (
                self.optional_last and found[:-1] == wanted[:-1] and not found[-1]
            ):
                return []
        message = _("the column headings must be, in order: %(headers)s.")
        return [CellError(sheet, 1, None, message % {"headers": ", ".join(self.headings())})]

    def read(self, workbook: Workbook, context: Mapping | None = None) -> Parsed:
        """Every data row typed, or the located errors; never raises for a bad file."""
        context = context or {}
        titles = [t for t in self.titles() if t in workbook.sheet_names]
        title = titles[0] if titles else self.titles()[0]
        if not titles:
            missing = _("the workbook has no sheet with this name; use the template.")
            return Parsed(title, [], [CellError(title, None, None, missing)])
        rows, errors = [], []
        headers: list[object] = []
        width = len(self.columns) + self.spare_columns
        try:
            for number, values in workbook.rows(
                title, max_rows=self.max_rows + 1, max_columns=width
            ):
                if not headers:
                    headers = values if number == 1 else [None]
                    errors += self.check_headings(title, headers)
                    if errors:
                        return Parsed(title, [], errors, headers)
                    if number == 1:
                        continue
                rows.append(self.typed(title, number, values, context, errors))
                if len(errors) > MAX_ERRORS:
                    break
        except FileRefused as refused:
            # A refused cell (a formula) is told once: not also as a bad or missing value.
            refused_at = {(error.row, error.column) for error in refused.errors}
            errors = [error for error in errors if (error.row, error.column) not in refused_at]
            return Parsed(title, [], errors + refused.errors, headers)
        if not headers:
            errors += self.check_headings(title, [])
        elif not rows and not errors:
            errors.append(CellError(title, None, None, _("the sheet has no rows.")))
        return Parsed(title, rows, errors, headers)

    def typed(self, sheet: str, number: int, values: list, context: Mapping, errors: list) -> Row:
        row = Row(number=number, values={})
        for index, column in enumerate(self.columns):
            value = values[index] if index < len(values) else None
            try:
                typed = column.kind(value, context)
            except BadCell as problem:
                row.bad.add(column.key)
                errors.append(CellError(sheet, number, get_column_letter(index + 1), str(problem)))
                typed = None
            if column.required and typed in (None, "") and column.key not in row.bad:
                row.bad.add(column.key)
                errors.append(
                    CellError(
                        sheet,
                        number,
                        get_column_letter(index + 1),
                        _("%(column)s is required.") % {"column": column.heading},
                    )
                )
            row.values[column.key] = typed
        return row


def capped(errors: Sequence[CellError]) -> list[str]:
    """The errors as messages in file order, at most MAX_ERRORS of them and a count of the rest."""
    ordered = sorted(
        errors, key=lambda e: (e.sheet, e.row or 0, len(e.column or ""), e.column or "")
    )
    messages = [str(error) for error in ordered[:MAX_ERRORS]]
    if len(ordered) > MAX_ERRORS:
        messages.append(_("and %(count)s more problems.") % {"count": len(ordered) - MAX_ERRORS})
    return messages
