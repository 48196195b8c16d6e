"""Reading a filled template: cells to values, and every problem located by sheet, row and
column; nothing here writes."""

from __future__ import annotations

import datetime
import re
from typing import IO

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from indicators.models import PartnerOrganisation
from indicators.spreadsheets import CellError, read_table

from ...models import Problem
from .layout import LISTS, MAX_COST, MAX_ERRORS, Layout

YES = {"ya", "y", "yes", "1", "true", "benar"}
NO = {"tidak", "t", "no", "n", "0", "false", "salah"}
_RUPIAH = re.compile(r"-?(?:[0-9]{1,3}(?:[.,][0-9]{3})+|[0-9]+)")


class BadCell(Exception):
    """A cell that cannot be read; the message says why."""


def text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


def codes_of(choices) -> dict[str, str]:
    """Code of each choice by its code or its label in either language, case-blind."""
    lookup = {}
    for language in ("en", "id"):
        with translation.override(language):
            lookup |= {str(label).casefold(): code for code, label in choices}
    return lookup | {code.casefold(): code for code, _label in choices}


def yes_no_of(value: object, *, empty: bool | None) -> bool | None:
    if isinstance(value, bool):
        return value
    text = text_of(value).casefold()
    if not text:
        return empty
    if text in YES or text == _("Yes").casefold():
        return True
    if text in NO or text == _("No").casefold():
        return False
    if empty is None:
        raise BadCell(_("write Yes or No, or leave it empty."))
    raise BadCell(_("write Yes or No."))


def date_of(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = text_of(value)
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise BadCell(_("“%(text)s” is not a date; write it as DD/MM/YYYY.") % {"text": text})


def rupiah_of(value: object) -> int | None:
    """Whole rupiah from a number or from text like "Rp 1.500.000"; negatives are left to the
    service, which refuses them with the form's message."""
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
        if not _RUPIAH.fullmatch(digits):
            raise BadCell(_("“%(text)s” is not a whole number of rupiah.") % {"text": text})
        number = int(re.sub(r"[.,]", "", digits))
    if abs(number) > MAX_COST:
        raise BadCell(_("the cost is implausibly large."))
    return number


def id_of(value: object) -> int | None:
    text = text_of(value)
    if not text:
        return None
    if text.isdigit():
        return int(text)
    message = _("the hidden id “%(text)s” was not written by Simpul; clear it.")
    raise BadCell(message % {"text": text})


class RowReader:
    """One row being read: its cells by key, and its problems added to the file's list."""

    def __init__(self, sheet: str, layout: Layout, number: int, values: dict, errors: list):
        self.sheet, self.layout, self.number = sheet, layout, number
        self.values, self.errors = values, errors
        self.bad: set[str | None] = set()  # keys with a problem: later ones are not repeated

    def error(self, key: str | None, message: str) -> None:
        self.bad.add(key)
        column = self.layout.letter(key) if key else None
        self.errors.append(CellError(self.sheet, self.number, column, message))

    def text(self, key: str, *, required: bool = False) -> str:
        text = text_of(self.values[key])
        if required and not text:
            heading = self.layout.headings()[[k for k, _h in self.layout.columns].index(key)]
            self.error(key, _("%(column)s is required.") % {"column": heading})
        return text

    def read(self, key: str, reader, *, required: bool = False):
        try:
            value = reader(self.values[key])
        except BadCell as problem:
            self.error(key, str(problem))
            return None
        if required and value is None:
            self.text(key, required=True)
        return value

    def code(self, key: str, codes: dict[str, str], *, required: bool = False) -> str:
        text = self.text(key, required=required)
        if text and text.casefold() not in codes:
            message = _("unknown code “%(code)s”; use a code from the %(sheet)s sheet.")
            self.error(key, message % {"code": text, "sheet": LISTS})
        return codes.get(text.casefold(), "")

    def existing(self, rows: dict, seen: dict[int, int]):
        """The saved row the id names (None for a new row); False when the id is wrong."""
        pk = self.read("id", id_of)
        if "id" in self.bad:
            return False
        if pk is None:
            return None
        if pk in seen:
            message = _("the hidden id is also in row %(row)s; clear it in the copied row.")
            self.error("id", message % {"row": seen[pk]})
            return False
        seen[pk] = self.number
        if pk not in rows:
            self.error(
                "id", _("the hidden id %(id)s is not of this meeting; clear it.") % {"id": pk}
            )
            return False
        return rows[pk]

    def refused(self, error: ValidationError) -> None:
        """A service's refusal, at the column of each field it names."""
        keys = {k for k, _h in self.layout.columns}
        fields = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for field, messages in fields.items():
            key = "problem" if field == "root_cause" else field if field in keys else None
            if key is None or key not in self.bad:
                for message in messages:
                    self.error(key, message)


def read_rows(upload: IO[bytes], layout: Layout):
    """(sheet title, [(row number, {key: value})] or None, errors): the data sheet under its
    title in either language, its headings checked in either language."""
    titles = layout.titles()
    missing = _("the workbook has no sheet with this name; use the template.")
    for title in titles:
        upload.seek(0)
        table, errors = read_table(upload, sheet=title)
        if table is not None or [e.problem for e in errors] != [missing]:
            break
    else:
        return titles[0], None, [CellError(titles[0], None, None, missing)]
    if table is None:
        return title, None, errors
    size, keys = len(layout.columns), [k for k, _h in layout.columns]
    found = [text_of(h).casefold() for h in table.headers[:size]]
    found += [""] * (size - len(found))
    wanted = [[h.casefold() for h in layout.headings(lang)] for lang in ("id", "en")]
    if not any(found[:-1] == heads[:-1] and found[-1] in ("", "id") for heads in wanted):
        message = _("the column headings must be, in order: %(headers)s.")
        headings = ", ".join(layout.headings()[:-1])
        return title, None, [*errors, CellError(title, 1, None, message % {"headers": headings})]
    rows = []
    for number, values in table.rows:
        values = (list(values) + [None] * size)[:size]
        if any(value not in (None, "") for value in values):
            rows.append((number, dict(zip(keys, values, strict=True))))
    if not rows:
        errors.append(CellError(title, None, None, _("the sheet has no rows.")))
    return title, rows, errors


def refusal(errors: list[CellError]) -> ValidationError:
    errors = sorted(errors, key=lambda e: (e.row or 0, len(e.column or ""), e.column or ""))
    messages = [str(error) for error in errors[:MAX_ERRORS]]
    if len(errors) > MAX_ERRORS:
        messages.append(_("and %(count)s more problems.") % {"count": len(errors) - MAX_ERRORS})
    return ValidationError(messages)


def problem_of(value: object, *, problems: dict[str, Problem]) -> Problem | None:
    text = text_of(value).rstrip(".")
    if not text:
        return None
    if text not in problems:
        message = _("there is no problem %(number)s in this meeting's problems list.")
        raise BadCell(message % {"number": text})
    return problems[text]


def partner_of(value: object, *, partners: dict[str, PartnerOrganisation]):
    text = text_of(value)
    if not text:
        return None
    if text.casefold() not in partners:
        message = _("unknown partner organisation “%(name)s”; use a name from the %(sheet)s sheet.")
        raise BadCell(message % {"name": text, "sheet": LISTS})
    return partners[text.casefold()]
