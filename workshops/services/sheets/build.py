"""The templates: the meeting's rows to correct and extend, a hidden id column, an Instructions
sheet and a Lists sheet of codes and names that the dropdowns offer."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from kernel.imports import SheetSpec
from kernel.models import FundingSource, PartnerOrganisation, User
from kernel.scoping import in_area
from kernel.spreadsheets import Sheet, build_workbook

from ...models import SECTOR_CHOICES, FollowUp, Meeting, Participant
from ...selectors.outcomes import partners_of_meeting, service_points_of_meeting
from .layout import (
    LISTS,
    PARTICIPANTS,
    RTL,
    SPARE_ROWS,
    problem_numbers,
    service_point_names,
)

# --- Templates ------------------------------------------------------------------------------------


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def _lists_sheet(tables: Sequence[tuple[Sequence[str], Sequence[Sequence[object]]]]) -> Sheet:
    """Reference tables side by side, an empty column between them."""
    headers: list[str] = []
    columns: list[list[object]] = []
    for heads, rows in tables:
        if headers:
            headers.append("")
            columns.append([])
        for index, head in enumerate(heads):
            headers.append(head)
            columns.append([row[index] for row in rows])
    height = max((len(c) for c in columns), default=0)
    rows = [[c[i] if i < len(c) else None for c in columns] for i in range(height)]
    return Sheet(title=str(LISTS), headers=headers, rows=rows)


def _instructions(lines: Iterable[str]) -> Sheet:
    return Sheet(
        title=_("Instructions"),
        headers=[_("How to fill in this file")],
        rows=[[line] for line in lines],
    )


def _workbook(
    layout: SheetSpec,
    rows: Sequence[Sequence[object]],
    *,
    more: list[Sheet],
    dropdowns: dict[str, str],
    formats: dict[str, str],
) -> bytes:
    """The data sheet (id column hidden), dropdowns from `dropdowns` {key: formula} and number
    formats from `formats` {key: format} on the data rows and spare rows below them."""
    content = build_workbook(
        sheet=str(layout.title), headers=layout.headings(), rows=rows, more=more
    )
    workbook = load_workbook(io.BytesIO(content))
    worksheet = workbook[str(layout.title)]
    last = len(rows) + 1 + SPARE_ROWS
    worksheet.column_dimensions[layout.letter("id")].hidden = True
    for key, formula in dropdowns.items():
        letter = layout.letter(key)
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.errorStyle = "warning"
        validation.error = _("Choose a value from the list.")
        validation.add(f"{letter}2:{letter}{last}")
        worksheet.add_data_validation(validation)
    for key, number_format in formats.items():
        column = layout.letter(key)
        for row in range(2, last + 1):
            worksheet[f"{column}{row}"].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _list_range(column: str, count: int) -> str:
    return f"'{LISTS}'!${column}$2:${column}${count + 1}"


def _sector_rows() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in SECTOR_CHOICES]


def participants_template(*, meeting: Meeting, user: User) -> bytes:
    """The meeting's participants as an .xlsx to correct and extend; two queries."""
    participants = in_area(Participant.objects.filter(meeting=meeting), user).order_by(
        "order", "pk"
    )
    rows = [
        [p.name, p.position, p.organisation, p.sector, p.phone]
        + [_yes_no(p.attended), _yes_no(p.signs_agreement), p.pk]
        for p in participants
    ]
    sectors = _sector_rows()
    yes_no = f'"{_("Yes")},{_("No")}"'
    lines = [
        _("One row per person: name, position, organisation and sector are enough to invite."),
        _("Sector: a code from the %(sheet)s sheet.") % {"sheet": LISTS},
        _("Phone in digits, for example 0812 3456 7890."),
        _("Present: Yes, No, or empty while attendance is not taken."),
        _("Signs the agreement: Yes or No."),
        *_common_lines(),
    ]
    return _workbook(
        PARTICIPANTS,
        rows,
        more=[
            _instructions(lines),
            _lists_sheet([((_("Sector code"), _("Sector")), sectors)]),
        ],
        dropdowns={
            "sector": _list_range("A", len(sectors)),
            "attended": yes_no,
            "signs_agreement": yes_no,
        },
        formats={"phone": "@"},
    )


def _common_lines() -> list[str]:
    return [
        _(
            "Keep the hidden id column: it tells Simpul which rows are saved already. Rows with "
            "an id correct that row; rows without an id are added."
        ),
        _("Removing a row here deletes nothing in Simpul."),
        _(
            "If anything in the file is wrong, nothing is saved and every problem is listed with "
            "its sheet, row and column."
        ),
    ]


def _partners(meeting: Meeting, user: User, used: set[int]) -> list[PartnerOrganisation]:
    """Partners the Lists sheet offers: active ones of the meeting's area, and those in use."""
    partners = in_area(partners_of_meeting(meeting), user).order_by("subdistrict__code", "name")
    return [p for p in partners if p.is_active or p.pk in used]


def rtl_service_points(meeting: Meeting, user: User, used: set[int] | None = None) -> list:
    """The posyandu and other UKBM the RTL sheet may name: the meeting's area's active ones the
    user may see, and those in use (issue #17)."""
    used = used or set()
    points = (
        in_area(service_points_of_meeting(meeting), user)
        .select_related("village")
        .order_by("name", "pk")
    )
    return [p for p in points if p.is_active or p.pk in used]


def rtl_template(*, meeting: Meeting, user: User) -> bytes:
    """The meeting's RTL items in the RTL column layout as an .xlsx; four queries."""
    items = list(
        in_area(FollowUp.objects.filter(meeting=meeting), user)
        .select_related("partner", "service_point")
        .order_by("due_on", "pk")
    )
    problems = problem_numbers(meeting)
    # By problem id; an item without a problem looks up None and gets no number.
    number_of: dict[int | None, int] = {problem.pk: number for number, problem in problems.items()}
    used = {item.partner_id for item in items if item.partner_id is not None}
    partners = _partners(meeting, user, used)
    points = rtl_service_points(
        meeting, user, {item.service_point_id for item in items if item.service_point_id}
    )
    point_names, __ = service_point_names(points)
    rows = [
        [
            number_of.get(item.problem_id),
            item.activity,
            item.goal,
            item.target_group,
            item.target,
            item.due_on,
            item.responsible,
            item.sector,
            item.partner.name if item.partner else "",
            item.cost_idr,
            item.funding_source,
            item.success_indicator,
            point_names.get(item.service_point, item.service_point.name)
            if item.service_point
            else "",
            item.pk,
        ]
        for item in items
    ]
    sectors, funds = _sector_rows(), [(code, str(label)) for code, label in FundingSource.choices]
    partner_rows = [(p.name, p.get_sector_display()) for p in partners]
    problem_rows = [(number, problem.statement) for number, problem in problems.items()]
    point_rows = [(point_names[p], p.village.name if p.village_id else "") for p in points]
    lists = _lists_sheet(
        [
            ((_("Sector code"), _("Sector")), sectors),
            ((_("Partner organisation"), _("Sector")), partner_rows),
            ((_("Funding source code"), _("Funding source")), funds),
            ((_("Problem no."), _("Problem")), problem_rows),
            ((_("Posyandu or UKBM"), _("Desa")), point_rows),
        ]
    )
    dropdowns = {
        "sector": _list_range("A", len(sectors)),
        "funding_source": _list_range("G", len(funds)),
    }
    if partner_rows:
        dropdowns["partner"] = _list_range("D", len(partner_rows))
    if problem_rows:
        dropdowns["problem"] = _list_range("J", len(problem_rows))
    if point_rows:
        dropdowns["service_point"] = _list_range("M", len(point_rows))
    held_on = date_format(meeting.held_on, "d/m/Y")
    lines = [
        _("One row per RTL item: activity, due date and person responsible are required."),
        _(
            "Problem no.: the number of one of the meeting's problems, listed in the %(sheet)s "
            "sheet."
        )
        % {"sheet": LISTS},
        _("Due date: not before the meeting (%(date)s), written as DD/MM/YYYY.")
        % {"date": held_on},
        _(
            "Sector and funding source: codes from the %(sheet)s sheet. Partner organisation: a "
            "name from that sheet; its sector fills an empty sector."
        )
        % {"sheet": LISTS},
        _("Cost: whole rupiah, not negative."),
        _(
            "Posyandu or UKBM (optional): a name from the %(sheet)s sheet, when the item is "
            "about one posyandu or other UKBM of the meeting's area."
        )
        % {"sheet": LISTS},
        _("The status is not imported: change it on each item's status page in Simpul."),
        *_common_lines(),
    ]
    return _workbook(
        RTL,
        rows,
        more=[_instructions(lines), lists],
        dropdowns=dropdowns,
        formats={"due_on": "dd/mm/yyyy", "cost_idr": "#,##0"},
    )
