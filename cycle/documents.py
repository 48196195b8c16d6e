"""The e-SPM package as files: PDF (A4 landscape, kernel.documents) and .xlsx (one sheet per part,
kernel.spreadsheets.build_workbook).

Pure: they take the package `cycle.selectors.package.package_get` returned and give bytes; no
database access.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kernel.documents import pdf_from_html
from kernel.spreadsheets import Sheet, build_workbook

from .selectors.package import BudgetRow, Package

# --- PDF ----------------------------------------------------------------------------------------


def package_pdf(package: Package, *, base_url: str) -> bytes:
    html = render_to_string("cycle/package_pdf.html", {"package": package, "for_print": True})
    return pdf_from_html(html, base_url=base_url)


# --- Excel --------------------------------------------------------------------------------------


def _month_names(package: Package) -> list[str]:
    return [name for _month, name, _within in package.months]


def _people_sheet(package: Package) -> tuple[list[str], list[list]]:
    headers = [
        _("No."),
        _("Code"),
        _("Service"),
        _("Unit"),
        _("Total to serve"),
        *_month_names(package),
        _("Served"),
        _("Not yet served"),
        _("Achievement (%)"),
    ]
    rows = []
    for line in package.services:
        people = line.people
        rows.append(
            [
                line.service.number,
                line.service.budget_code or line.service.code,
                line.service.label,
                _("persons"),
                people.target,
                *people.by_month,
                people.served,
                people.not_served,
                people.achievement,
            ]
        )
    total = package.people_total
    rows.append(
        [
            None,
            None,
            _("Total"),
            _("persons"),
            total.target,
            *total.by_month,
            total.served,
            total.not_served,
            None,
        ]
    )
    return headers, rows


def _quality_sheet(package: Package) -> tuple[list[str], list[list]]:
    headers = [
        _("No."),
        _("Service"),
        _("Quality (%)"),
        _("Quality reports counted"),
        _("Item"),
        _("Kind"),
        _("Unit"),
        _("Needed"),
        _("Available"),
        _("Gap"),
        _("Met (%)"),
    ]
    rows = []
    for line in package.services:
        head = [
            line.service.number,
            line.service.label,
            line.quality_percent,
            getattr(line.quality, "reports_counted", 0),
        ]
        items = line.quality_items
        if not items:
            rows.append([*head, None, None, None, None, None, None, None])
        for entry in items:
            rows.append(
                [
                    *head,
                    entry.item.label,
                    entry.item.get_kind_display(),
                    entry.item.unit,
                    entry.needed,
                    entry.available,
                    entry.gap,
                    entry.met_percent,
                ]
            )
    return headers, rows


def _budget_cells(row: BudgetRow | None) -> list:
    if row is None:
        return []
    return [
        *row.allocated,
        row.allocated_idr,
        *row.realised_by_month,
        row.realised_idr,
        row.difference_idr,
        row.percent,
    ]


def _budget_sheet(package: Package) -> tuple[list[str], list[list]]:
    headers = [
        _("No."),
        _("Sub-activity code"),
        _("Service"),
        *[
            _("Allocated %(source)s (Rp)") % {"source": label}
            for _code, label in package.funding_sources
        ],
        _("Allocated (Rp)"),
        *[_("Realised %(month)s (Rp)") % {"month": name} for name in _month_names(package)],
        _("Realised (Rp)"),
        _("Difference (Rp)"),
        _("Realised (%)"),
    ]
    rows = [
        [
            line.service.number,
            line.service.budget_code,
            line.service.label,
            *_budget_cells(line.budget),
        ]
        for line in package.services
    ]
    if package.budget_other is not None and not package.budget_other.line.is_empty:
        rows.append(
            [None, None, _("Not tied to an SPM service"), *_budget_cells(package.budget_other)]
        )
    rows.append([None, None, _("Total"), *_budget_cells(package.budget_totals)])
    return headers, rows


def _stages_sheet(package: Package) -> tuple[list[str], list[list]]:
    stage_labels = (
        [str(label) for label, _value, _status in package.services[0].stages.statuses]
        if package.services
        else []
    )
    headers = [
        _("No."),
        _("Service"),
        *stage_labels,
        _("Total to serve"),
        _("Served"),
        _("Not yet served"),
        _("Services delivered by partners"),
        _("Needs"),
        _("Cost of meeting the needs (Rp)"),
        _("Fiscal capacity (Rp)"),
        _("Target (people)"),
        _("Financing strategy"),
        _("Delivery strategy"),
        _("Plan activities answering the needs"),
        _("Regional plans"),
        _("Budget in regional plans (Rp)"),
    ]
    rows = []
    for line in package.services:
        stages = line.stages
        sheet = stages.sheet
        rows.append(
            [
                line.service.number,
                line.service.label,
                *[str(status) for _label, _value, status in stages.statuses],
                line.people.target,
                line.people.served,
                line.people.not_served,
                sheet.partner_services if sheet else None,
                len(stages.needs),
                stages.needs_cost_idr,
                sheet.fiscal_capacity_idr if sheet else None,
                stages.plan_target,
                stages.financing,
                stages.delivery,
                stages.activities,
                ", ".join(stages.documents),
                stages.regional_budget_idr,
            ]
        )
    return headers, rows


def _problems_sheet(package: Package) -> tuple[list[str], list[list]]:
    headers = [
        _("No."),
        _("Service"),
        _("Meeting"),
        _("Held on"),
        _("Problem"),
        _("Action (RTL)"),
        _("Person responsible"),
        _("Due date"),
        _("Status"),
    ]
    rows = []
    for line in package.services:
        for found in line.problems:
            problem = found.problem
            head = [
                line.service.number,
                line.service.label,
                problem.meeting.title,
                problem.meeting.held_on,
                problem.statement,
            ]
            if not found.follow_ups:
                rows.append([*head, None, None, None, None])
            for item in found.follow_ups:
                rows.append(
                    [*head, item.activity, item.responsible, item.due_on, item.get_status_display()]
                )
    return headers, rows


def _index_sheet(package: Package) -> tuple[list[str], list[list]]:
    headers = [
        _("No."),
        _("Service"),
        _("Weight"),
        _("A: people served (%)"),
        _("B: quality (%)"),
        _("SPM index"),
        _("Category"),
    ]
    rows = [
        [
            line.service.number,
            line.service.label,
            line.weight,
            line.index_achievement,
            line.index_quality,
            line.index,
            line.band.name if line.band else None,
        ]
        for line in package.services
    ]
    rows.append(
        [
            None,
            package.district.name,
            None,
            None,
            None,
            package.index,
            package.band.name if package.band else None,
        ]
    )
    return headers, rows


def _missing_sheet(package: Package) -> tuple[list[str], list[list]]:
    headers = [_("Not yet in the package"), _("Services")]
    rows = [
        [str(item.message), ", ".join(str(service.number) for service in item.services)]
        for item in package.missing
    ]
    return headers, rows


def package_xlsx(package: Package) -> bytes:
    """The package as a workbook: one sheet per part (A, B, C, the four stages, problems and
    action plan, the index) and what is not yet in it."""
    headers, rows = _people_sheet(package)
    more = [
        Sheet(_("B Quality"), *_quality_sheet(package)),
        Sheet(_("C Budget"), *_budget_sheet(package)),
        Sheet(_("Four stages"), *_stages_sheet(package)),
        Sheet(_("Problems and action plan"), *_problems_sheet(package)),
        Sheet(_("SPM index"), *_index_sheet(package)),
        Sheet(_("Not yet in the package"), *_missing_sheet(package)),
    ]
    return build_workbook(sheet=_("A People served"), headers=headers, rows=rows, more=more)
