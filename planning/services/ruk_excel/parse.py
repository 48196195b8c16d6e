"""Reading a filled template: every problem located, nothing written."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import IO

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from indicators.models import FundingSource, SPMService, User
from indicators.spreadsheets import CellError, read_table

from ...forms import plan_services
from ...models import Activity, BudgetSubActivity, Plan, PlanEvent
from ...money import parse_rupiah
from ..activities import FIELDS, REQUIRED
from ..activities import activity_fields_clean as clean_columns
from ..plans import require_writer
from .layout import (
    DATA_SHEET,
    HEADERS,
    MAX_BUDGET,
    MAX_ERRORS,
    MAX_ROWS,
    META_KIND,
    META_SHEET,
    SERVICE_NUMBER,
    TEXT_FIELDS,
    cell_text,
    letter,
    lists_title,
    ruk_headers,
    whole,
)


@dataclass
class RukImport:
    """A checked file: what it adds and changes. Nothing is written yet."""

    plan: Plan
    file_name: str
    version: int  # the plan's version when the template was downloaded
    downloaded_at: datetime.datetime
    new: list[dict] = field(default_factory=list)
    changed: list[tuple[Activity, dict]] = field(default_factory=list)
    unchanged: int = 0
    untouched: int = 0  # activities of the plan that are not in the file


def _read_meta(rows: list[list[object]] | None, plan: Plan) -> tuple[dict, list[CellError]]:
    values = {cell_text(row[0]): row[1] for row in rows or [] if len(row) >= 2}
    try:
        downloaded = datetime.datetime.fromisoformat(cell_text(values.get("downloaded_at")))
    except ValueError:
        downloaded = None
    meta = {"plan": whole(values.get("plan")), "version": whole(values.get("version"))}
    if values.get("kind") != META_KIND or None in meta.values() or downloaded is None:
        problem = _(
            "this hidden sheet is missing or changed; copy your rows into a template downloaded "
            "from the plan's page."
        )
        return {}, [CellError(META_SHEET, None, None, problem)]
    if meta["plan"] != plan.pk:
        problem = _(
            "this file is the template of another plan; download this plan's template and copy "
            "your rows into it, with the ID column empty."
        )
        return {}, [CellError(DATA_SHEET, None, None, problem)]
    if timezone.is_naive(downloaded):
        downloaded = timezone.make_aware(downloaded)
    return {**meta, "downloaded_at": downloaded}, []


def _read_headers(headers: list[object]) -> list[CellError]:
    expected = ruk_headers()
    accepted = list(zip(ruk_headers("id"), ruk_headers("en"), strict=True))
    texts = [cell_text(h) for h in headers]
    errors = []
    for index, heading in enumerate(expected):
        got = texts[index] if index < len(texts) else ""
        if got not in accepted[index]:
            problem = _("the heading must be “%(heading)s”; use the template.") % {
                "heading": heading
            }
            errors.append(CellError(DATA_SHEET, 1, get_column_letter(index + 1), problem))
    for index, text in enumerate(texts[len(expected) :], start=len(expected)):
        if text:
            problem = _("unexpected column “%(heading)s”; remove it.") % {"heading": text}
            errors.append(CellError(DATA_SHEET, 1, get_column_letter(index + 1), problem))
    return errors


def who_changed(plan: Plan, *, version: int, since: datetime.datetime, by: User) -> str:
    """Why an old file is refused: who changed the plan after it was downloaded, and when."""
    candidates = []
    event = (
        plan.events.filter(at__gt=since)
        .exclude(action=PlanEvent.Action.CREATED)
        .select_related("by")
        .order_by("-at")
        .first()
    )
    if event:
        candidates.append((event.at, event.by))
    activity = (
        plan.activities.filter(updated_at__gt=since)
        .select_related("updated_by")
        .order_by("-updated_at")
        .first()
    )
    if activity:
        candidates.append((activity.updated_at, activity.updated_by))
    if not candidates:
        return _(
            "This plan changed after this file was downloaded (version %(file)s, now %(now)s): "
            "download the template again and copy your changes into it."
        ) % {"file": version, "now": plan.version}
    when, who = max(candidates, key=lambda candidate: candidate[0])
    when = date_format(timezone.localtime(when), "SHORT_DATETIME_FORMAT")
    if who == by:
        return _(
            "You changed this plan in Simpul on %(when)s, after this file was downloaded: "
            "download the template again and copy your changes into it."
        ) % {"when": when}
    return _(
        "%(who)s changed this plan on %(when)s, after this file was downloaded: download the "
        "template again and copy your changes into it, so that their work is not overwritten."
    ) % {
        "who": who.get_full_name() or who.username,
        "when": when,
    }


class _Row:
    """Reads one row's cells into activity columns; `errors` collects its located problems."""

    def __init__(self, number: int, values: list[object], lookups: dict):
        self.located = partial(CellError, DATA_SHEET, number)
        self.values = (values + [None] * (len(FIELDS) + 1))[: len(FIELDS) + 1]
        self.lookups = lookups
        self.errors: list[CellError] = []

    def cell(self, name: str) -> object:
        return self.values[FIELDS.index(name) + 1]

    def fail(self, name: str, problem: str) -> None:
        self.errors.append(self.located(letter(name), problem))

    def required(self, name: str) -> None:
        heading = _(HEADERS[FIELDS.index(name)])
        self.fail(name, _("“%(heading)s” is required.") % {"heading": heading})

    def unknown(self, name: str, problem: str, value: object) -> None:
        self.fail(name, problem % {"value": cell_text(value), "sheet": lists_title()})

    def columns(self, activity: Activity | None) -> dict:
        data: dict[str, object] = {}
        for name in TEXT_FIELDS:
            text = cell_text(self.cell(name))
            limit = Activity._meta.get_field(name).max_length
            if name in REQUIRED and not text:
                self.required(name)
            elif len(text) > limit:
                problem = _("the text is %(length)s characters long; at most %(max)s fit.")
                self.fail(name, problem % {"length": len(text), "max": limit})
            data[name] = text
        data["budget_idr"] = self.budget()
        source = self.cell("funding_source")
        data["funding_source"] = self.lookups["sources"].get(cell_text(source).casefold())
        if not cell_text(source):
            self.required("funding_source")
        elif data["funding_source"] is None:
            problem = _("unknown funding source “%(value)s”; choose one from the sheet %(sheet)s.")
            self.unknown("funding_source", problem, source)
        data["service"] = self.service(activity)
        data["sub_activity"] = self.sub_activity(activity)
        return data

    def budget(self) -> Decimal | None:
        value = self.cell("budget_idr")
        if value is None or value == "":
            self.required("budget_idr")
            return None
        if isinstance(value, str):
            amount = parse_rupiah(value)
        elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            amount = Decimal(str(value))
            amount = amount if amount.is_finite() and amount % 1 == 0 else None
        else:
            amount = None
        if amount is None:
            problem = _("“%(value)s” is not a whole amount in rupiah, such as 1500000.")
            self.fail("budget_idr", problem % {"value": cell_text(value)})
        elif amount < 0:
            self.fail("budget_idr", _("the budget cannot be negative."))
        elif amount >= MAX_BUDGET:
            self.fail("budget_idr", _("the budget is implausibly large."))
        else:
            return amount
        return None

    def service(self, activity: Activity | None) -> SPMService | None:
        value = self.cell("service")
        if not cell_text(value):
            return None
        match = SERVICE_NUMBER.fullmatch(cell_text(value))
        number = int(match[1]) if match else None
        if activity and activity.service and activity.service.number == number:
            return activity.service  # kept as it is, even from an earlier edition's gap
        service = self.lookups["services"].get(number)
        if service is None:
            problem = _("unknown SPM service “%(value)s”; choose one from the sheet %(sheet)s.")
            self.unknown("service", problem, value)
        return service

    def sub_activity(self, activity: Activity | None) -> BudgetSubActivity | None:
        value = cell_text(self.cell("sub_activity"))
        code = value.split()[0] if value else ""
        if not code:
            return None
        if activity and activity.sub_activity and activity.sub_activity.code == code:
            return activity.sub_activity
        found = self.lookups["codes"].get(code)
        if found is None:
            problem = _(
                "unknown budget sub-activity code “%(value)s”; choose one from the sheet %(sheet)s."
            )
            self.unknown("sub_activity", problem, value)
        return found


def _same(activity: Activity, data: dict) -> bool:
    return all(
        (getattr(activity, f"{name}_id") == (data[name].pk if data[name] else None))
        if name in ("service", "sub_activity")
        else getattr(activity, name) == data[name]
        for name in FIELDS
    )


def _lookups(plan: Plan) -> dict:
    sources = {}
    for value, _label in FundingSource.choices:
        sources[value] = value
        for language in ("id", "en"):
            with translation.override(language):
                sources[str(FundingSource(value).label).casefold()] = value
    codes = {c.code: c for c in BudgetSubActivity.objects.filter(is_active=True)}
    return {
        "sources": sources,
        "services": {s.number: s for s in plan_services(plan.year)},
        "codes": codes,
        "spm_codes": {c.spm_number: c for c in codes.values() if c.spm_number},
    }


def _read_rows(rows, *, plan: Plan, result: RukImport) -> list[CellError]:
    activities = {a.pk: a for a in plan.activities.select_related("service", "sub_activity")}
    lookups = _lookups(plan)
    errors: list[CellError] = []
    seen: dict[int, int] = {}
    for number, values in rows:
        row = _Row(number, values, lookups)
        activity = None
        if values and cell_text(values[0]):
            pk = whole(values[0])
            activity = activities.get(pk)
            if activity is None:
                problem = _(
                    "“%(value)s” is not the ID of an activity of this plan; leave the ID empty "
                    "for a new activity."
                )
                errors.append(row.located("A", problem % {"value": cell_text(values[0])}))
                continue
            if pk in seen:
                problem = _(
                    "this activity is already on row %(row)s; clear the ID of a copied row to "
                    "add it as a new activity."
                )
                errors.append(row.located("A", problem % {"row": seen[pk]}))
                continue
            seen[pk] = number
        data = row.columns(activity)
        if row.errors:
            errors += row.errors
            continue
        if activity is not None and _same(activity, data):
            result.unchanged += 1
            continue
        try:
            if data["service"] is not None and data["sub_activity"] is None:
                # The service's own code, as the activities service would pick (one query less
                # per row).
                data["sub_activity"] = lookups["spm_codes"].get(data["service"].number)
            data = clean_columns(data)  # the activity form's rules, from the activities service
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                column = letter(name) if name in FIELDS else None
                errors.append(row.located(column, " ".join(problems)))
            continue
        if activity is None:
            result.new.append(data)
        else:
            result.changed.append((activity, data))
    result.untouched = len(set(activities) - set(seen))
    return errors


def _capped(errors: list[CellError]) -> list[str]:
    messages = [str(error) for error in errors[:MAX_ERRORS]]
    if len(errors) > MAX_ERRORS:
        more = len(errors) - MAX_ERRORS
        messages.append(_("and %(count)s more problems.") % {"count": more})
    return messages


def ruk_import_parse(
    *, plan: Plan, upload: IO[bytes], by: User, file_name: str | None = None
) -> tuple[RukImport | None, list[str]]:
    """Read and check a filled template whole; writes nothing. Returns what the file adds and
    changes, or None and every problem (located by sheet, row and column where it has a place)
    in the active language. Refuses users who may not change the plan, or a plan not open."""
    require_writer(plan, by)
    file_name = os.path.basename(file_name or getattr(upload, "name", "") or "ruk.xlsx")
    table, errors = read_table(upload, sheet=DATA_SHEET, others=[META_SHEET])
    if table is None:
        return None, _capped(errors)
    meta, meta_errors = _read_meta(table.others.get(META_SHEET), plan)
    errors += meta_errors + _read_headers(table.headers)
    if errors:
        return None, _capped(errors)
    if meta["version"] != plan.version:
        stale = who_changed(plan, version=meta["version"], since=meta["downloaded_at"], by=by)
        return None, [stale]
    if not table.rows:
        return None, [str(CellError(DATA_SHEET, None, None, _("the sheet has no rows.")))]
    if len(table.rows) > MAX_ROWS:
        problem = _("the sheet has more than %(rows)s rows; a RUK is imported %(rows)s at most.")
        return None, [str(CellError(DATA_SHEET, None, None, problem % {"rows": MAX_ROWS}))]
    result = RukImport(
        plan=plan,
        file_name=file_name,
        version=meta["version"],
        downloaded_at=meta["downloaded_at"],
    )
    errors += _read_rows(table.rows, plan=plan, result=result)
    if errors:
        return None, _capped(errors)
    return result, []
