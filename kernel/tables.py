"""Tables declared once (issue #12, STYLE.md §15 "Tables"): a list page and its .xlsx export
come from one declaration, so the file always matches the screen.

    PARTNERS = Table(
        filename="partners.xlsx",
        sheet=gettext_lazy("Partners"),
        empty=gettext_lazy("No partner organisation in your area matches."),
        columns=[
            Col(gettext_lazy("Name"), "name", wrap=True, link=lambda p: ...),
            Col(gettext_lazy("Sector"), "get_sector_display", phone=False),
            ...
        ],
    )

    return table_page(request, table=PARTNERS, rows=selectors.partner_list(...),
                      template="kernel/partner_list.html", context={...})

`templates/includes/_table.html` renders it: every column on a desktop, those marked
`phone=False` hidden below 768 px, numbers right-aligned and formatted for the language;
the export writes the same columns with raw numbers and dates. Row actions (an "Edit" link) are
for the screen only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .spreadsheets import XLSX_CONTENT_TYPE, Sheet, build_workbook
from .web import paginate, wants_xlsx

NUMERIC = {"number", "idr", "percent"}


def _get(obj: object, path: str) -> Any:
    """`path` of `obj`: attributes (or keys of a dict row) separated by dots; a method is called
    (get_kind_display)."""
    value: Any = obj
    for part in path.split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, Mapping) else getattr(value, part)
        if callable(value):
            value = value()
    return value


@dataclass(frozen=True)
class Col:
    """One column: its heading, how to get its value from a row, and how to show it."""

    label: Any
    value: str | Callable[[Any], Any]
    format: str = "text"  # text | number | idr | percent | date | datetime | yesno
    phone: bool = True  # shown on a 360 px screen; otherwise from 768 px on
    wrap: bool = False  # long text wraps instead of widening the table
    link: Callable[[Any], str | None] | None = None  # on screen only
    # On screen only: the CSS class of a badge around the value, from the row ("status-draft");
    # "" or None for no badge.
    badge: Callable[[Any], str | None] | None = None

    def raw(self, row: Any) -> Any:
        return self.value(row) if callable(self.value) else _get(row, self.value)

    def shown(self, value: Any) -> str:
        """The value as the page shows it, in the active language."""
        if value is None or value == "":
            return "–"
        if self.format == "yesno":
            return _("Yes") if value else _("No")
        if self.format in NUMERIC and isinstance(value, int | float | Decimal):
            places = 1 if self.format == "percent" else 0
            text = number_format(value, decimal_pos=places, force_grouping=True)
            return f"{text}%" if self.format == "percent" else text
        if self.format == "date" and isinstance(value, datetime.date):
            return date_format(value, "SHORT_DATE_FORMAT")
        if self.format == "datetime" and isinstance(value, datetime.datetime):
            return date_format(_local(value), "SHORT_DATETIME_FORMAT")
        return str(value)

    def exported(self, value: Any) -> Any:
        """The value as the .xlsx file holds it: numbers and dates stay numbers and dates."""
        if self.format == "yesno":
            return _("Yes") if value else _("No")
        if value is None:
            return None
        if isinstance(value, int | float | Decimal | datetime.date):
            if isinstance(value, datetime.datetime) and value.tzinfo is not None:
                return _local(value).replace(tzinfo=None)  # Excel has no time zones
            return value
        return str(value)


def _local(value: datetime.datetime) -> datetime.datetime:
    """An aware datetime in the active time zone (WITA for a Kalimantan user), as shown."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


@dataclass(frozen=True)
class Cell:
    text: str
    link: str | None
    css: str
    badge: str | None = None


@dataclass(frozen=True)
class Action:
    """A link beside each row on screen ("Edit"), shown when `when(row)` says so."""

    label: Any
    url: Callable[[Any], str]
    when: Callable[[Any], bool] = lambda row: True


@dataclass(frozen=True)
class Table:
    columns: Sequence[Col]
    filename: str
    sheet: Any
    empty: Any
    actions: Sequence[Action] = field(default_factory=tuple)

    def headers(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    def header_cells(self) -> list[tuple[str, str]]:
        return [(str(column.label), _css(column)) for column in self.columns]

    def cells(self, row: Any) -> list[Cell]:
        cells = []
        for column in self.columns:
            value = column.raw(row)
            link = column.link(row) if column.link else None
            badge = column.badge(row) if column.badge else None
            cells.append(Cell(column.shown(value), link, _css(column), badge))
        return cells

    def row_actions(self, row: Any) -> list[tuple[str, str]]:
        return [(str(a.label), a.url(row)) for a in self.actions if a.when(row)]

    def export(self, rows: Iterable[Any], *, more: Sequence[Sheet] = ()) -> HttpResponse:
        """The rows as an .xlsx file; `more` sheets (a legend, totals) follow the table's."""
        content = build_workbook(
            sheet=str(self.sheet),
            headers=self.headers(),
            rows=([c.exported(c.raw(row)) for c in self.columns] for row in rows),
            more=more,
        )
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


def _css(column: Col) -> str:
    classes = []
    if not column.phone:
        classes.append("d-none d-md-table-cell")
    if column.format in NUMERIC:
        classes.append("text-end")
    if column.wrap:
        classes.append("wrap")
    return " ".join(classes)


def table_page(
    request: HttpRequest,
    *,
    table: Table,
    rows,
    template: str,
    context: dict | None = None,
    actions: bool = True,
    prepare: Callable[[Sequence[Any]], Iterable[Any]] | None = None,
    more: Sequence[Sheet] = (),
) -> HttpResponse:
    """A list page of `rows` (paginated, 50 a page) or, with ?format=xlsx, all of them as the
    same table in a file, followed by the `more` sheets.

    `prepare` turns the rows of a page (or of the file) into what the columns read, in bulk:
    e.g. scores computed from bands loaded once, so the query count stays flat."""
    if wants_xlsx(request):
        return table.export(prepare(rows) if prepare else rows, more=more)
    page = paginate(request, rows)
    if prepare:
        page["rows"] = list(prepare(page["rows"]))
    shown = [(table.cells(row), table.row_actions(row) if actions else []) for row in page["rows"]]
    return render(
        request,
        template,
        {**(context or {}), **page, "table": table, "table_rows": shown, "table_actions": actions},
    )


class FilterForm(forms.Form):
    """A list's filters: GET fields, all optional; a bad value is ignored, never a 500."""

    def value(self, name: str, default: Any = "") -> Any:
        """The cleaned value of filter `name`, or `default` when it is absent or invalid."""
        if not self.is_bound:
            return default
        self.is_valid()  # fills cleaned_data with the valid fields only
        return self.cleaned_data.get(name) or default


class SearchFilter(FilterForm):
    """A list's one search box (name or code)."""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        help_text=gettext_lazy("Name or code"),
        required=False,
        max_length=100,
    )
