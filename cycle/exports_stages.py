"""The four stages worksheet and the district's overview as .xlsx files: the same figures as
the pages (cycle/selectors/stages.py), numbers kept as numbers. Small files (one district, one
year): made in the request, like the list exports of kernel/tables.py."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.spreadsheets import XLSX_CONTENT_TYPE, Sheet, build_workbook
from kernel.tables import Col, Table

from .selectors.stages import STAGES, OverviewRow, Worksheet, stage_label


def _status(name: str):
    return lambda row: row.status_label_of(name)


def overview_table() -> Table:
    """The overview's columns: a service per row, its four stages, the figures beside them."""
    return Table(
        filename="spm-four-stages.xlsx",
        sheet=gettext_lazy("Four stages"),
        empty=gettext_lazy("No SPM service in this year's edition."),
        columns=[
            Col(gettext_lazy("No."), "service.number", format="number"),
            Col(gettext_lazy("Service"), "service.label", wrap=True),
            *[Col(stage_label(name), _status(name)) for name, _number, _section in STAGES],
            Col(gettext_lazy("People to serve"), "people.target", format="number"),
            Col(gettext_lazy("Served year to date"), "people.served", format="number"),
            Col(gettext_lazy("Not yet served"), "people.not_served", format="number"),
            Col(gettext_lazy("Cost of meeting the need (Rp)"), "needs_total_idr", format="idr"),
            Col(gettext_lazy("Plan activities"), "activity_count", format="number"),
            Col(gettext_lazy("Problems from meetings"), "problem_count", format="number"),
        ],
    )


def overview_xlsx(rows: list[OverviewRow], *, filename: str) -> HttpResponse:
    table = overview_table()
    response = table.export(rows)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _num(value):
    return value if value is not None else None


def worksheet_xlsx(ws: Worksheet, *, filename: str) -> HttpResponse:
    """The worksheet in seven sheets: summary, what is available against needed, partners,
    needs with their cost, plan activities, regional plans, problems and RTL."""
    sheet = ws.sheet
    people = ws.people
    summary: list[list[object]] = [
        [_("District"), ws.district.name, ""],
        [_("Service"), f"{ws.service.number}. {ws.service.label}", ""],
        [_("Year"), ws.year, ""],
    ]
    summary += [[stage.name, stage.label, ""] for stage in ws.stages]
    summary += [
        [_("People to serve"), _num(people.target), _("targets of record")],
        [_("Served year to date"), _num(people.served), people.source],
        [_("Not yet served"), _num(people.not_served), ""],
        [_("Achievement (%)"), _num(people.achievement), ""],
        [
            _("Quality achievement (%)"),
            ws.quality.quality if ws.quality is not None else None,
            _("approved quality reports, Q%(quarter)s") % {"quarter": ws.quality_quarter}
            if ws.quality_quarter
            else "",
        ],
        [_("Cost of meeting the need (Rp)"), ws.needs_total_idr, ""],
        [_("Plan activities (Rp)"), ws.activities_total_idr, ""],
    ]
    if sheet is not None:
        summary += [
            [_("Services delivered by partners"), sheet.partner_services, ""],
            [_("Notes on the data"), sheet.data_notes, ""],
            [_("Fiscal capacity for this service (Rp)"), sheet.fiscal_capacity_idr, ""],
            [_("Notes on the needs"), sheet.needs_notes, ""],
            [_("Target (people)"), sheet.target_people, ""],
            [_("Financing strategy"), sheet.get_financing_display(), ""],
            [_("Delivery strategy"), sheet.get_delivery_display(), ""],
            [_("Notes on the plan"), sheet.planning_notes, ""],
        ]
    more = [
        Sheet(
            title=_("1 Available vs needed"),
            headers=[_("Kind"), _("Item"), _("Unit"), _("Needed"), _("Available"), _("Gap")],
            rows=[
                [
                    line.item.get_kind_display(),
                    line.item.label,
                    line.item.unit,
                    line.needed,
                    line.available,
                    line.gap,
                ]
                for line in ws.items
            ],
        ),
        Sheet(
            title=_("1 Partners"),
            headers=[_("Agency"), _("What it does")],
            rows=[[role.agency_name, role.description] for role in ws.partners],
        ),
        Sheet(
            title=_("2 Needs"),
            headers=[
                _("Kind"),
                _("Need"),
                _("Unit"),
                _("Gap"),
                _("Unit cost (Rp)"),
                _("Cost (Rp)"),
                _("Plan activities answering it"),
            ],
            rows=[
                [
                    need.get_kind_display(),
                    need.name,
                    need.unit,
                    need.gap_quantity,
                    need.unit_cost_idr,
                    need.cost_idr,
                    "; ".join(activity.name for activity in need.activities.all()),
                ]
                for need in ws.needs
            ],
        ),
        Sheet(
            title=_("3 Plan activities"),
            headers=[_("Plan"), _("Activity"), _("Funding source"), _("Budget (Rp)")],
            rows=[
                [
                    a.plan.puskesmas.name if a.plan.puskesmas is not None else _("Dinkes plan"),
                    a.name,
                    a.get_funding_source_display(),
                    a.budget_idr,
                ]
                for a in ws.activities
            ],
        ),
        Sheet(
            title=_("4 Regional plans"),
            headers=[
                _("Document"),
                _("Chapter or section"),
                _("Program"),
                _("Budget (Rp)"),
                _("Note"),
            ],
            rows=[
                [
                    line.get_document_display(),
                    line.chapter,
                    line.program,
                    line.budget_idr,
                    line.note,
                ]
                for line in ws.integrations
            ],
        ),
        Sheet(
            title=_("Problems and RTL"),
            headers=[
                _("Meeting"),
                _("Date"),
                _("Problem"),
                _("RTL item"),
                _("Person responsible"),
                _("Due date"),
                _("Status"),
            ],
            rows=[
                row
                for line in ws.problems
                for row in (
                    [
                        [
                            line.problem.meeting.title,
                            line.problem.meeting.held_on,
                            line.problem.statement,
                            item.activity,
                            item.responsible,
                            item.due_on,
                            item.get_status_display(),
                        ]
                        for item in line.follow_ups
                    ]
                    or [
                        [
                            line.problem.meeting.title,
                            line.problem.meeting.held_on,
                            line.problem.statement,
                            "",
                            "",
                            None,
                            "",
                        ]
                    ]
                )
            ],
        ),
    ]
    content = build_workbook(
        sheet=_("Summary"), headers=[_("Part"), _("Value"), _("Source")], rows=summary, more=more
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
