"""The instrument import on the one import pipeline (issue #18, ImportJob.Kind.INSTRUMENTS).

A system administrator adds a new edition of an assessment instrument from a workbook of five
sheets (titles and headings in Bahasa Indonesia or English, as downloaded):

- Edition: one row: kind, code, applies from year, name, name (English), source, highest score,
  verified, notes;
- Sections: code, part, name, name (English), weight;
- Items: section code, code, text, text (English), weight, data rule, how to verify, variable,
  sub-variable, unit, annual target (%), SPM service code;
- Levels: item code, score, definition, definition (English);
- Rank bands: applies to, rank, from (inclusive).

Every cell is checked and every problem located by sheet, row and column; the edition is then
created through `services.instruments.edition_create` (THE loader), or nothing. An existing
edition (same code and year) is refused: a new edition needs a new year. `edition_workbook`
writes any edition in this same shape (export, change the year, import: a new edition).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from indicators.models import SPMService
from kernel.imports import (
    BadCell,
    Choice,
    Code,
    Column,
    DecimalNumber,
    Importer,
    Integer,
    Outcome,
    Parsed,
    SheetSpec,
    Target,
    Text,
    YesNo,
    refusal,
    register,
)
from kernel.imports.schema import in_both_languages
from kernel.models import ImportJob, User
from kernel.spreadsheets import CellError, Sheet, build_workbook

from .data_rules import RULES, rule_choices
from .models import Instrument, Part, Rank, RankBand
from .rights import can_keep_instruments
from .services import instruments as services

WEIGHT_MAX = Decimal("9999.99")
SCORE_MAX = Decimal("9999.99")


class Weight(DecimalNumber):
    """A weight: a number from 0, empty is 1."""

    def __call__(self, value: object, context: Mapping) -> Decimal | None:
        number = super().__call__(value, context)
        if number is None:
            return None
        if number < 0:
            raise BadCell(_("the number cannot be below %(min)s.") % {"min": 0})
        if number > WEIGHT_MAX:
            raise BadCell(_("the number is implausibly large."))
        return number


class Percent(DecimalNumber):
    def __call__(self, value: object, context: Mapping) -> Decimal | None:
        number = super().__call__(value, context)
        if number is not None and not 0 <= number <= 100:
            raise BadCell(_("write a percentage from 0 to 100."))
        return number


class Score(DecimalNumber):
    def __call__(self, value: object, context: Mapping) -> Decimal | None:
        number = super().__call__(value, context)
        if number is not None and abs(number) > SCORE_MAX:
            raise BadCell(_("the number is implausibly large."))
        return number


class Rule:
    """A key of assessments.data_rules.RULES (or its label), or empty: entered by hand."""

    def __call__(self, value: object, context: Mapping) -> str:
        if value in (None, ""):
            return ""
        try:
            return Choice(lambda: rule_choices()[1:])(value, context)
        except BadCell as error:
            raise BadCell(
                _("unknown data rule “%(text)s”; leave it empty or use one of: %(keys)s.")
                % {"text": str(value)[:40], "keys": ", ".join(sorted(RULES)) or "-"}
            ) from error


class Service(Code):
    """An SPM service by its code (any SPM edition's; the loader picks the one of the year)."""

    def __call__(self, value: object, context: Mapping) -> str:
        code = super().__call__(value, context)
        if code and code.casefold() not in context["services"]:
            raise BadCell(_("no SPM service has the code “%(text)s”.") % {"text": code[:40]})
        return context["services"].get(code.casefold(), "")


EDITION_SHEET = SheetSpec(
    title=gettext_lazy("Edition"),
    columns=(
        Column("kind", gettext_lazy("Kind"), Choice(Instrument.Kind.choices), required=True),
        Column("code", gettext_lazy("Code"), Code(40), required=True),
        Column(
            "valid_from",
            gettext_lazy("Applies from year"),
            Integer(minimum=2000, maximum=2100),
            required=True,
        ),
        Column("name", gettext_lazy("Name"), Text(300, multiline=False), required=True),
        Column("name_en", gettext_lazy("Name (English)"), Text(300, multiline=False)),
        Column("source", gettext_lazy("Source"), Text(300, multiline=False)),
        Column("scale_max", gettext_lazy("Highest score"), Score(), required=True),
        Column("is_verified", gettext_lazy("Verified"), YesNo(empty=False)),
        Column("notes", gettext_lazy("Notes"), Text(4000)),
    ),
    max_rows=5,
)
SECTION_SHEET = SheetSpec(
    title=gettext_lazy("Sections"),
    columns=(
        Column("code", gettext_lazy("Code"), Code(20), required=True),
        Column("part", gettext_lazy("Part"), Choice(Part.choices), required=True),
        Column("name", gettext_lazy("Name"), Text(300, multiline=False), required=True),
        Column("name_en", gettext_lazy("Name (English)"), Text(300, multiline=False)),
        Column("weight", gettext_lazy("Weight"), Weight()),
    ),
    max_rows=200,
)
ITEM_SHEET = SheetSpec(
    title=gettext_lazy("Items"),
    columns=(
        Column("section", gettext_lazy("Section code"), Code(20), required=True),
        Column("code", gettext_lazy("Code"), Code(20), required=True),
        Column("text", gettext_lazy("Text"), Text(4000), required=True),
        Column("text_en", gettext_lazy("Text (English)"), Text(4000)),
        Column("weight", gettext_lazy("Weight"), Weight()),
        Column("rule", gettext_lazy("Data rule"), Rule()),
        Column("guidance", gettext_lazy("How to verify"), Text(4000)),
        Column("variable", gettext_lazy("Variable"), Text(300, multiline=False)),
        Column("sub_variable", gettext_lazy("Sub-variable"), Text(300, multiline=False)),
        Column("unit", gettext_lazy("Unit"), Text(60, multiline=False)),
        Column("target_pct", gettext_lazy("Annual target (%)"), Percent()),
        Column("service", gettext_lazy("SPM service code"), Service()),
    ),
    max_rows=2000,
)
LEVEL_SHEET = SheetSpec(
    title=gettext_lazy("Levels"),
    columns=(
        Column("item", gettext_lazy("Item code"), Code(20), required=True),
        Column("score", gettext_lazy("Score"), Score(), required=True),
        Column("definition", gettext_lazy("Definition"), Text(4000), required=True),
        Column("definition_en", gettext_lazy("Definition (English)"), Text(4000)),
    ),
    max_rows=10_000,
)
BAND_SHEET = SheetSpec(
    title=gettext_lazy("Rank bands"),
    columns=(
        Column(
            "applies_to",
            gettext_lazy("Applies to"),
            Choice(RankBand.Applies.choices),
            required=True,
        ),
        Column("rank", gettext_lazy("Rank"), Choice(Rank.choices), required=True),
        Column("min_value", gettext_lazy("From (inclusive)"), Score(), required=True),
    ),
    max_rows=50,
)
SHEETS = (EDITION_SHEET, SECTION_SHEET, ITEM_SHEET, LEVEL_SHEET, BAND_SHEET)
# Sheets that may hold no rows (an edition without levels or bands, e.g. service items only).
MAY_BE_EMPTY = (LEVEL_SHEET, BAND_SHEET)
SCORED_PARTS = (Part.MANAGEMENT, Part.TOPIC)


def _number(value: object) -> object:
    if value in (None, ""):
        return None
    return Decimal(str(value))


def _yes_no(value: bool) -> str:
    return str(_("Yes") if value else _("No"))


def _how_to_fill() -> Sheet:
    def codes(choices) -> str:
        return ", ".join(f"{code} ({label})" for code, label in choices)

    return Sheet(
        title=str(_("How to fill")),
        headers=[str(_("Assessment instruments")), ""],
        rows=[
            (
                str(EDITION_SHEET.title),
                _(
                    "One row: the kind, the code, the year the edition applies from, its name, "
                    "source, the highest score of its scale (10 for 0/4/7/10) and whether it was "
                    "checked against the official guidance (Yes or No)."
                ),
            ),
            (str(_("Kind")), codes(Instrument.Kind.choices)),
            (
                str(SECTION_SHEET.title),
                _("One row per section, in order; the code is unique in the edition."),
            ),
            (str(_("Part")), codes(Part.choices)),
            (
                str(ITEM_SHEET.title),
                _(
                    "One row per item, in order, under its section's code; item codes are unique "
                    "in the edition. Items of the management part or of scored topics need "
                    "levels. The SPM service code and the annual target are for the service part."
                ),
            ),
            (str(_("Data rule")), ", ".join(sorted(RULES)) or "-"),
            (
                str(LEVEL_SHEET.title),
                _("One row per scoring level of an item: the item code, the score, what it means."),
            ),
            (str(BAND_SHEET.title), codes(RankBand.Applies.choices)),
            (str(_("Rank")), codes(Rank.choices)),
            (
                str(_("Import")),
                _(
                    "If any cell has a problem nothing is saved. An edition that exists (same code "
                    "and year) is never changed: a change is a new edition with a new year."
                ),
            ),
        ],
    )


def edition_workbook(instrument: Instrument | None = None) -> bytes:
    """The import's workbook: blank (the template) or holding `instrument` (its export), in the
    active language."""
    data = services.edition_data(instrument) if instrument else None
    edition_rows: list[tuple] = []
    sections: list[tuple] = []
    items: list[tuple] = []
    levels: list[tuple] = []
    bands: list[tuple] = []
    if data is not None:
        edition_rows.append(
            (
                data["kind"],
                data["code"],
                data["valid_from"],
                data["name"],
                data["name_en"],
                data["source"],
                _number(data["scale_max"]),
                _yes_no(data["is_verified"]),
                data["notes"],
            )
        )
        for section in data["sections"]:
            sections.append(
                (
                    section["code"],
                    section["part"],
                    section["name"],
                    section["name_en"],
                    _number(section["weight"]),
                )
            )
            for item in section["items"]:
                items.append(
                    (
                        section["code"],
                        item["code"],
                        item["text"],
                        item["text_en"],
                        _number(item["weight"]),
                        item["rule"],
                        item["guidance"],
                        item["variable"],
                        item["sub_variable"],
                        item["unit"],
                        _number(item["target_pct"]),
                        item["service"] or "",
                    )
                )
                for level in item["levels"]:
                    levels.append(
                        (
                            item["code"],
                            _number(level["score"]),
                            level["definition"],
                            level["definition_en"],
                        )
                    )
        for band in data["bands"]:
            bands.append((band["applies_to"], band["rank"], _number(band["min_value"])))
    return build_workbook(
        sheet=str(EDITION_SHEET.title),
        headers=EDITION_SHEET.headings(),
        rows=edition_rows,
        more=[
            Sheet(str(SECTION_SHEET.title), SECTION_SHEET.headings(), sections),
            Sheet(str(ITEM_SHEET.title), ITEM_SHEET.headings(), items),
            Sheet(str(LEVEL_SHEET.title), LEVEL_SHEET.headings(), levels),
            Sheet(str(BAND_SHEET.title), BAND_SHEET.headings(), bands),
            _how_to_fill(),
        ],
    )


def _read(spec: SheetSpec, workbook, context: Mapping) -> Parsed:
    parsed = spec.read(workbook, context)
    if spec in MAY_BE_EMPTY:
        empty = set(in_both_languages(gettext_lazy("the sheet has no rows.")))
        parsed.errors = [
            error for error in parsed.errors if error.row is not None or error.problem not in empty
        ]
    return parsed


class Check:
    """The cross-sheet checks of one file, building the loader's shape as it goes."""

    def __init__(self, parsed: dict[SheetSpec, Parsed]):
        self.parsed = parsed
        self.errors: list[CellError] = []

    def error(self, spec: SheetSpec, row: int | None, key: str | None, message: str) -> None:
        column = spec.letter(key) if key else None
        self.errors.append(CellError(self.parsed[spec].sheet, row, column, message))

    def edition(self) -> dict[str, Any] | None:
        rows = self.parsed[EDITION_SHEET].rows
        if not rows:
            return None
        for extra in rows[1:]:
            self.error(EDITION_SHEET, extra.number, None, _("the edition has one row only."))
        row = rows[0]
        code, year, scale = row["code"], row["valid_from"], row["scale_max"]
        if code and year and services.edition_exists(code=code, year=year):
            self.error(
                EDITION_SHEET,
                row.number,
                "valid_from",
                services.existing_edition_message(code=code, year=year),
            )
        if scale is not None and scale <= 0:
            self.error(
                EDITION_SHEET, row.number, "scale_max", _("the highest score must be above 0.")
            )
        return {
            "kind": row["kind"],
            "code": code,
            "valid_from": year,
            "name": row["name"],
            "name_en": row["name_en"],
            "source": row["source"],
            "scale_max": str(scale if scale is not None else 10),
            "is_verified": bool(row["is_verified"]),
            "notes": row["notes"],
            "sections": [],
            "bands": [],
        }

    def sections(self, data: dict) -> dict[str, dict]:
        found: dict[str, dict] = {}
        first: dict[str, int] = {}
        for row in self.parsed[SECTION_SHEET].rows:
            code = row["code"]
            if not code:
                continue
            key = code.casefold()
            if key in first:
                self.error(
                    SECTION_SHEET,
                    row.number,
                    "code",
                    _("the code “%(code)s” is already on row %(row)s.")
                    % {"code": code, "row": first[key]},
                )
                continue
            first[key] = row.number
            section = {
                "part": row["part"] or Part.TOPIC,
                "code": code,
                "name": row["name"],
                "name_en": row["name_en"],
                "weight": str(row["weight"] if row["weight"] is not None else 1),
                "items": [],
            }
            found[key] = section
            data["sections"].append(section)
        return found

    def items(self, sections: dict[str, dict]) -> dict[str, tuple[dict, dict, int]]:
        found: dict[str, tuple[dict, dict, int]] = {}
        for row in self.parsed[ITEM_SHEET].rows:
            code, section_code = row["code"], row["section"]
            if not code or not section_code:
                continue
            section = sections.get(section_code.casefold())
            if section is None:
                if "section" not in row.bad:
                    self.error(
                        ITEM_SHEET,
                        row.number,
                        "section",
                        _("no section has the code “%(code)s” on the sections sheet.")
                        % {"code": section_code},
                    )
                continue
            key = code.casefold()
            if key in found:
                self.error(
                    ITEM_SHEET,
                    row.number,
                    "code",
                    _("the code “%(code)s” is already on row %(row)s.")
                    % {"code": code, "row": found[key][2]},
                )
                continue
            item = {
                "code": code,
                "text": row["text"],
                "text_en": row["text_en"],
                "weight": str(row["weight"] if row["weight"] is not None else 1),
                "rule": row["rule"] or "",
                "guidance": row["guidance"],
                "variable": row["variable"],
                "sub_variable": row["sub_variable"],
                "unit": row["unit"],
                "target_pct": None if row["target_pct"] is None else str(row["target_pct"]),
                "service": row["service"] or None,
                "levels": [],
            }
            found[key] = (item, section, row.number)
            section["items"].append(item)
        return found

    def levels(self, items: dict[str, tuple[dict, dict, int]], scale_max: Decimal) -> None:
        scores: dict[tuple[str, Decimal], int] = {}
        for row in self.parsed[LEVEL_SHEET].rows:
            code, score = row["item"], row["score"]
            if not code:
                continue
            found = items.get(code.casefold())
            if found is None:
                self.error(
                    LEVEL_SHEET,
                    row.number,
                    "item",
                    _("no item has the code “%(code)s” on the items sheet.") % {"code": code},
                )
                continue
            if score is None:
                continue
            if not 0 <= score <= scale_max:
                self.error(
                    LEVEL_SHEET,
                    row.number,
                    "score",
                    _("the score must be from 0 to the highest score, %(max)s.")
                    % {"max": scale_max},
                )
                continue
            key = (code.casefold(), score)
            if key in scores:
                self.error(
                    LEVEL_SHEET,
                    row.number,
                    "score",
                    _("this item already has the score %(score)s on row %(row)s.")
                    % {"score": score, "row": scores[key]},
                )
                continue
            scores[key] = row.number
            found[0]["levels"].append(
                {
                    "score": str(score),
                    "definition": row["definition"],
                    "definition_en": row["definition_en"],
                }
            )
        for item, section, number in items.values():
            if section["part"] in SCORED_PARTS and not item["levels"]:
                self.error(
                    ITEM_SHEET,
                    number,
                    "code",
                    _("a scored item needs its levels on the levels sheet."),
                )
        for item, _section, _number in items.values():
            item["levels"].sort(key=lambda level: Decimal(level["score"]))

    def bands(self, data: dict) -> None:
        first: dict[tuple[str, str], int] = {}
        for row in self.parsed[BAND_SHEET].rows:
            if row.bad or not row["applies_to"] or not row["rank"]:
                continue
            key = (row["applies_to"], row["rank"])
            if key in first:
                self.error(
                    BAND_SHEET,
                    row.number,
                    "rank",
                    _("this rank is already given for this part on row %(row)s.")
                    % {"row": first[key]},
                )
                continue
            first[key] = row.number
            data["bands"].append(
                {
                    "applies_to": row["applies_to"],
                    "rank": row["rank"],
                    "min_value": str(row["min_value"]),
                }
            )


@register
class InstrumentsImporter(Importer):
    """A new edition of an assessment instrument: system administrators only; no params."""

    kind = ImportJob.Kind.INSTRUMENTS
    sheet = EDITION_SHEET

    def target(self, *, user: User, params: Mapping) -> Target:
        if not can_keep_instruments(user):
            raise PermissionDenied(_("Only system administrators keep the assessment instruments."))
        return Target(
            label=str(_("Assessment instruments")),
            back_url=reverse("assessments:instrument-list"),
        )

    def lookups(self, *, user: User, params: Mapping, target: Target) -> dict:
        codes = SPMService.objects.values_list("code", flat=True).distinct()
        return {"services": {code.casefold(): code for code in codes}}

    def parse(self, workbook, *, user, params: Mapping, target: Target) -> Parsed:
        context = self.lookups(user=user, params=params, target=target)
        parsed = {spec: _read(spec, workbook, context) for spec in SHEETS}
        errors = [error for sheet in parsed.values() for error in sheet.errors]
        check = Check(parsed)
        data = check.edition()
        if data is not None:
            sections = check.sections(data)
            items = check.items(sections)
            check.levels(items, Decimal(data["scale_max"]))
            check.bands(data)
        edition = parsed[EDITION_SHEET]
        return Parsed(
            sheet=edition.sheet,
            rows=edition.rows,
            errors=errors + check.errors,
            headers=edition.headers,
            extra=data,
        )

    def apply(self, *, rows, parsed: Parsed, user, params, target, progress) -> Outcome:
        data = parsed.extra
        try:
            instrument = services.edition_create(data=data, by=user)
        except ValidationError as error:
            raise refusal(
                [CellError(parsed.sheet, 2, None, message) for message in error.messages]
            ) from error
        count = sum(len(section["items"]) for section in data["sections"])
        summary = ngettext(
            "Edition %(name)s added with %(count)s item.",
            "Edition %(name)s added with %(count)s items.",
            count,
        ) % {"name": str(instrument), "count": count}
        progress(count, count)
        return Outcome(summary=summary, done=count, details={"instrument": instrument.pk})
