"""Reading a filled monthly template: every problem located, nothing written."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from kernel.models import Puskesmas, User, Village
from kernel.scoping import in_area
from kernel.spreadsheets import CellError, read_table, whole_number

from ...models import MonthlyReport, MonthlyValue, ValueChange
from ...reporting import monthly_services, reporting_year
from ..reports import CellInput
from .layout import (
    COMMENT_MONTH,
    DATA_SHEET,
    FIXED_COLUMNS,
    MAX_ERRORS,
    MAX_ROWS,
    META_KIND,
    META_SHEET,
    MONTH_HEADER,
    Cell,
    Key,
    can_import_monthly,
    month_header,
    monthly_headers,
)


@dataclass
class ImportPlan:
    """A parsed and checked file: what each of its cells must hold. Nothing is written yet."""

    file_name: str
    year: int
    months: list[int]
    downloaded_at: datetime.datetime
    puskesmas: dict[int, Puskesmas]
    cells: dict[Key, dict[Cell, CellInput]]
    # (puskesmas, month, village, service) -> (row, column letter), to locate later refusals
    places: dict[tuple[int, int, int, int], tuple[int, str]]
    rows: int
    changes: int = 0  # cells that differ from the database when the file was checked


@dataclass
class _Layout:
    year: int
    months: list[tuple[int, int]]  # (0-based column index, month)
    comment: int  # 0-based column index of the comment


@dataclass
class PlanDiff:
    reports: dict[Key, MonthlyReport]
    # (puskesmas, month) -> [(village, service, (value id, old value, old comment) or None, new)]
    changed: dict[Key, list[tuple[int, int, tuple | None, CellInput]]] = field(default_factory=dict)


def _column(index: int) -> str:
    return get_column_letter(index + 1)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _month_of(value: object) -> tuple[int, int] | None:
    """(year, month) of a month heading: "2026-01", or a date if Excel turned it into one."""
    if isinstance(value, datetime.date):
        return value.year, value.month
    match = MONTH_HEADER.fullmatch(_text(value))
    if match and 1 <= int(match[2]) <= 12:
        return int(match[1]), int(match[2])
    return None


def _read_headers(headers: list[object]) -> tuple[_Layout | None, list[CellError]]:
    def located(index: int, problem: str) -> CellError:
        return CellError(DATA_SHEET, 1, _column(index), problem)

    texts = [_text(h) for h in headers]
    languages = {
        "id": monthly_headers(year=0, months=[], language="id"),
        "en": monthly_headers(year=0, months=[], language="en"),
    }
    fixed = len(FIXED_COLUMNS)
    language = next(
        (code for code, names in languages.items() if texts[:fixed] == names[:fixed]), None
    )
    errors = []
    if language is None:
        expected = monthly_headers(year=0, months=[])
        for index, name in enumerate(expected[:fixed]):
            got = texts[index] if index < len(texts) else ""
            if got not in (languages["id"][index], languages["en"][index]):
                errors.append(
                    located(
                        index,
                        _("the heading must be “%(heading)s”; use the template.")
                        % {"heading": name},
                    )
                )
        return None, errors
    months: list[tuple[int, int, int]] = []  # (column, year, month)
    index = fixed
    while index < len(headers) and (month_of := _month_of(headers[index])) is not None:
        months.append((index, *month_of))
        index += 1
    comment = languages[language][-1]
    if not months:
        errors.append(
            located(
                fixed,
                _("the headings after “%(after)s” must be months, such as %(example)s.")
                % {
                    "after": languages[language][fixed - 1],
                    "example": month_header(timezone.localdate().year, 1),
                },
            )
        )
        return None, errors
    if index >= len(texts) or texts[index] != comment:
        errors.append(
            located(
                index,
                _("the heading must be “%(heading)s” (or a month such as %(example)s).")
                % {"heading": comment, "example": month_header(*months[0][1:])},
            )
        )
    errors += [
        located(extra, _("unexpected column “%(heading)s”; remove it.") % {"heading": text})
        for extra, text in enumerate(texts)
        if extra > index and text
    ]
    year = months[0][1]
    today = timezone.localdate()
    seen: set[int] = set()
    for column, month_year, month in months:
        heading = month_header(month_year, month)
        if month_year != year:
            errors.append(
                located(
                    column,
                    _(
                        "%(month)s is not in %(year)s, the year of this file's first month; "
                        "one file holds one year."
                    )
                    % {"month": heading, "year": year},
                )
            )
        elif month in seen:
            errors.append(located(column, _("%(month)s appears twice.") % {"month": heading}))
        elif (month_year, month) > (today.year, today.month):
            errors.append(located(column, _("%(month)s has not started yet.") % {"month": heading}))
        seen.add(month)
    try:
        reporting_year(year)
    except ValidationError as error:
        errors.append(located(months[0][0], " ".join(error.messages)))
    if errors:
        return None, errors
    return _Layout(year=year, months=[(c, m) for c, _y, m in months], comment=index), []


def _read_meta(rows: list[list[object]] | None) -> tuple[datetime.datetime | None, list[CellError]]:
    values = {_text(row[0]): row[1] for row in rows or [] if len(row) >= 2}
    downloaded = None
    if values.get("kind") == META_KIND:
        try:
            downloaded = datetime.datetime.fromisoformat(_text(values.get("downloaded_at")))
        except ValueError:
            downloaded = None
    if downloaded is None or timezone.is_naive(downloaded):
        return None, [
            CellError(
                META_SHEET,
                None,
                None,
                _(
                    "this hidden sheet is missing or changed; copy your figures into a template "
                    "downloaded from Simpul."
                ),
            )
        ]
    return downloaded, []


def _split_comment(
    text: str, *, year: int, months: list[int], filled: list[int]
) -> tuple[dict[int, str], str | None]:
    """The comment of each month of a row, or the problem with the comment cell."""
    if not text:
        return {}, None
    matches = list(COMMENT_MONTH.finditer(text))
    if not matches or matches[0].start() != 0:
        if len(months) == 1:
            return {months[0]: text}, None
        if not filled:
            return {}, _("say which month this comment is for, for example “%(example)s”.") % {
                "example": f"{month_header(year, months[0])}: …"
            }
        return {month: text for month in filled}, None
    comments: dict[int, str] = {}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        month_year, month = int(match[1]), int(match[2])
        end = following.start() if following else len(text)
        if month_year != year or month not in months:
            return {}, _("the comment names %(month)s, which has no column in this file.") % {
                "month": f"{match[1]}-{match[2]}"
            }
        comments[month] = text[match.end() : end].strip(" ;\n")
    return comments, None


def _read_rows(
    rows: list[tuple[int, list[object]]], layout: _Layout, *, user: User, plan: ImportPlan
) -> list[CellError]:
    """Fill `plan.cells` from the rows; return every problem, located."""
    width = layout.comment + 1
    rows = [(number, (values + [None] * width)[:width]) for number, values in rows]
    codes = {_text(values[0]) for _n, values in rows}
    allowed = {p.code: p for p in in_area(Puskesmas.objects.filter(code__in=codes), user)}
    villages = {
        v.code: v
        for v in Village.objects.filter(code__in={_text(values[1]) for _n, values in rows})
    }
    services = {s.code: s for s in monthly_services(layout.year)}
    months = [month for _c, month in layout.months]
    errors: list[CellError] = []
    refused: set[str] = set()
    seen: dict[tuple[int, int, int], int] = {}
    for number, values in rows:

        def located(index: int, problem: str, number: int = number) -> CellError:
            return CellError(DATA_SHEET, number, _column(index), problem)

        code = _text(values[0])
        puskesmas = allowed.get(code)
        if code in refused:
            continue
        if not code:
            errors.append(located(0, _("the puskesmas code is empty.")))
            continue
        if puskesmas is None:
            refused.add(code)
            errors.append(
                located(
                    0,
                    _("puskesmas %(code)s is not in your area; the file is refused.")
                    % {"code": code},
                )
            )
            continue
        if not can_import_monthly(user, puskesmas):
            refused.add(code)
            errors.append(
                located(
                    0,
                    _("your role cannot enter data for %(puskesmas)s.")
                    % {"puskesmas": puskesmas.name},
                )
            )
            continue
        village = villages.get(_text(values[1]))
        if village is None:
            errors.append(
                located(1, _("unknown village code %(code)s.") % {"code": _text(values[1]) or "–"})
            )
            continue
        if village.puskesmas_id != puskesmas.pk:
            errors.append(
                located(
                    1,
                    _("village %(code)s is not in the working area of %(puskesmas)s.")
                    % {"code": village.code, "puskesmas": puskesmas.name},
                )
            )
            continue
        service = services.get(_text(values[3]))
        if service is None:
            errors.append(
                located(
                    3,
                    _("unknown service code %(code)s for %(year)s.")
                    % {"code": _text(values[3]) or "–", "year": layout.year},
                )
            )
            continue
        key = (puskesmas.pk, village.pk, service.pk)
        if key in seen:
            errors.append(
                located(
                    1,
                    _("this puskesmas, village and service are already on row %(row)s.")
                    % {"row": seen[key]},
                )
            )
            continue
        seen[key] = number
        numbers = {}
        for column, month in layout.months:
            value, problem = whole_number(values[column])
            if problem:
                errors.append(located(column, problem))
            numbers[month] = value
        filled = [month for month in months if numbers[month] is not None]
        comments, problem = _split_comment(
            _text(values[layout.comment]), year=layout.year, months=months, filled=filled
        )
        if problem:
            errors.append(located(layout.comment, problem))
        plan.puskesmas[puskesmas.pk] = puskesmas
        for column, month in layout.months:
            cell_key = (puskesmas.pk, month)
            plan.cells.setdefault(cell_key, {})[(village.pk, service.pk)] = CellInput(
                numbers[month], comments.get(month, "")
            )
            plan.places[(puskesmas.pk, month, village.pk, service.pk)] = (number, _column(column))
    return errors


def plan_diff(
    plan: ImportPlan, *, user: User, lock: bool = False
) -> tuple[PlanDiff, list[CellError]]:
    """What the plan changes in the database, and what forbids it (status, newer edits).

    A constant number of queries; with `lock`, the existing reports are locked for the write.
    """
    reports = MonthlyReport.objects.filter(
        puskesmas_id__in=list(plan.puskesmas), year=plan.year, month__in=plan.months
    )
    if lock:
        reports = reports.select_for_update()
    diff = PlanDiff(reports={(r.puskesmas_id, r.month): r for r in reports})
    by_id = {r.pk: key for key, r in diff.reports.items()}
    existing = {}
    for pk, report_id, village_id, service_id, value, comment in MonthlyValue.objects.filter(
        report_id__in=list(by_id)
    ).values_list("pk", "report_id", "village_id", "service_id", "value", "comment"):
        existing[(*by_id[report_id], village_id, service_id)] = (pk, value, comment)
    for key, cells in plan.cells.items():
        for (village_id, service_id), new in cells.items():
            old = existing.get((*key, village_id, service_id))
            if (old[1:] if old else (None, "")) != (new.value, new.comment):
                diff.changed.setdefault(key, []).append((village_id, service_id, old, new))
    errors = []
    for key, items in diff.changed.items():
        report = diff.reports.get(key)
        if report is not None and report.status not in MonthlyReport.EDITABLE_STATUSES:
            row, column = plan.places[(*key, items[0][0], items[0][1])]
            errors.append(
                CellError(
                    DATA_SHEET,
                    row,
                    column,
                    _(
                        "the %(month)s report of %(puskesmas)s is %(status)s: an import cannot "
                        "change it (ask the district to unlock it first)."
                    )
                    % {
                        "month": month_header(plan.year, key[1]),
                        "puskesmas": plan.puskesmas[key[0]].name,
                        "status": report.get_status_display().lower(),
                    },
                )
            )
    changed_cells = {(*key, v, s) for key, items in diff.changed.items() for v, s, _o, _n in items}
    newer = (
        ValueChange.objects.filter(report_id__in=list(by_id), changed_at__gt=plan.downloaded_at)
        .exclude(changed_by=user)
        .order_by("changed_at")
        .values_list(
            "report_id",
            "village_id",
            "service_id",
            "changed_by__username",
            "changed_by__first_name",
            "changed_by__last_name",
            "changed_at",
        )
    )
    reported = set()
    for report_id, village_id, service_id, username, first, last, changed_at in newer:
        cell = (*by_id[report_id], village_id, service_id)
        if cell in changed_cells and cell not in reported:
            reported.add(cell)
            row, column = plan.places[cell]
            errors.append(
                CellError(
                    DATA_SHEET,
                    row,
                    column,
                    _(
                        "%(who)s changed this value in Simpul on %(when)s, after this file was "
                        "downloaded; download a new template so their change is not overwritten."
                    )
                    % {
                        "who": f"{first} {last}".strip() or username,
                        "when": timezone.localtime(changed_at).strftime("%Y-%m-%d %H:%M"),
                    },
                )
            )
    return diff, errors


def capped_errors(errors: list[CellError]) -> list[CellError]:
    if len(errors) <= MAX_ERRORS:
        return errors
    more = len(errors) - MAX_ERRORS
    return [
        *errors[:MAX_ERRORS],
        CellError(DATA_SHEET, None, None, _("and %(count)s more problems.") % {"count": more}),
    ]


def monthly_import_parse(
    *, upload: IO[bytes], user: User, file_name: str | None = None
) -> tuple[ImportPlan | None, list[CellError]]:
    """Read and check a filled template whole; writes nothing.

    Returns a plan for `monthly_import_apply`, or None and every problem located by sheet, row
    and column in the active language (at most MAX_ERRORS, then a count of the rest).
    """
    file_name = os.path.basename(file_name or getattr(upload, "name", "") or "upload.xlsx")
    table, errors = read_table(upload, sheet=DATA_SHEET, others=[META_SHEET], max_rows=MAX_ROWS)
    if table is None:
        return None, errors
    layout, header_errors = _read_headers(table.headers)
    downloaded_at, meta_errors = _read_meta(table.others.get(META_SHEET))
    errors += header_errors + meta_errors
    if layout is None or downloaded_at is None:
        return None, capped_errors(errors)
    if not table.rows:
        errors.append(CellError(DATA_SHEET, None, None, _("the sheet has no rows.")))
        return None, errors
    plan = ImportPlan(
        file_name=file_name,
        year=layout.year,
        months=[m for _c, m in layout.months],
        downloaded_at=downloaded_at,
        puskesmas={},
        cells={},
        places={},
        rows=len(table.rows),
    )
    errors += _read_rows(table.rows, layout, user=user, plan=plan)
    diff, state_errors = plan_diff(plan, user=user)
    errors += state_errors
    if errors:
        return None, capped_errors(errors)
    plan.changes = sum(len(items) for items in diff.changed.values())
    return plan, []
