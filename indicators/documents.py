"""Documents to print or file: the district's quarterly SPM report and the puskesmas's monthly
feedback, as PDF (kernel.documents) and .xlsx (through kernel.spreadsheets.build_workbook).

Pure: they take what a selector returned and give bytes; no database access.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kernel.documents import pdf_from_html
from kernel.spreadsheets import Sheet, build_workbook

from .selectors.quarterly import STAGES, Feedback, QuarterlyReport

# --- PDF ----------------------------------------------------------------------------------------


def quarterly_pdf(report: QuarterlyReport, *, base_url: str) -> bytes:
    html = render_to_string("indicators/quarterly_pdf.html", {"report": report})
    return pdf_from_html(html, base_url=base_url)


def feedback_pdf(feedback: Feedback, *, base_url: str) -> bytes:
    html = render_to_string("indicators/feedback_pdf.html", {"feedback": feedback})
    return pdf_from_html(html, base_url=base_url)


# --- Excel --------------------------------------------------------------------------------------


def _yes_no(flag: bool) -> str:
    return _("Yes") if flag else _("No")


def _ratio(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def quarterly_xlsx(report: QuarterlyReport) -> bytes:
    """The quarterly report as a workbook: per service, puskesmas x service (as printed), per
    puskesmas and service in detail, reporting rates, and budget (from indicators.budget),
    stages, problems and actions."""
    services = [line.service for line in report.services]
    per_service = [
        [
            s.service.number,
            s.service.label,
            s.service.budget_code,
            s.target,
            s.served_quarter,
            s.served_ytd,
            s.achievement,
            s.pace,
            _yes_no(s.is_below_pace),
            s.quality,
            s.service_index,
            s.index_band.name if s.index_band else None,
        ]
        for s in report.services
    ]
    matrix = [
        [line.puskesmas.code, line.puskesmas.name]
        + [cell.achievement if cell else None for cell in line.cells]
        for line in report.puskesmas
    ]
    detail = [
        [
            line.puskesmas.code,
            line.puskesmas.name,
            service.number,
            service.label,
            cell.target,
            cell.served_quarter,
            cell.served_ytd,
            cell.achievement,
        ]
        for line in report.puskesmas
        for service, cell in zip(services, line.cells, strict=True)
        if cell is not None
    ]
    rates = [
        [
            line.puskesmas.code,
            line.puskesmas.name,
            line.rate.expected,
            line.rate.approved,
            line.rate.on_time,
            _ratio(line.rate.approved, line.rate.expected),
            _ratio(line.rate.on_time, line.rate.expected),
        ]
        for line in report.puskesmas
        if line.rate is not None
    ]
    if report.rate is not None:
        rate = report.rate
        rates.append(
            [
                report.district.code,
                report.district.name,
                rate.expected,
                rate.approved,
                rate.on_time,
                _ratio(rate.approved, rate.expected),
                _ratio(rate.on_time, rate.expected),
            ]
        )
    notes = [
        [
            s.service.number,
            s.service.label,
            s.service.budget_code,
            s.budget_allocated_idr,
            s.budget_realised_idr,
            s.budget_difference_idr,
            s.budget_percent,
            *[status for _stage, status in s.stages],
            s.problems,
            s.planned_actions,
        ]
        for s in report.services
    ]
    return build_workbook(
        sheet=_("Per service"),
        headers=[
            _("No."),
            _("Service"),
            _("Budget code"),
            _("Target"),
            _("Served in quarter"),
            _("Served year to date"),
            _("Achievement (%)"),
            _("Expected pace (%)"),
            _("Below pace"),
            _("Quality (%)"),
            _("SPM index"),
            _("Category"),
        ],
        rows=per_service,
        more=[
            Sheet(
                _("Puskesmas x service (%)"),
                [_("Code"), "Puskesmas", *[str(s.number) for s in services]],
                matrix,
            ),
            Sheet(
                _("Per puskesmas"),
                [
                    _("Code"),
                    "Puskesmas",
                    _("No."),
                    _("Service"),
                    _("Target"),
                    _("Served in quarter"),
                    _("Served year to date"),
                    _("Achievement (%)"),
                ],
                detail,
            ),
            Sheet(
                _("Reporting rates"),
                [
                    _("Code"),
                    _("Puskesmas or district"),
                    _("Reports expected"),
                    _("Reports approved"),
                    _("Reports on time"),
                    _("Completeness (%)"),
                    _("Timeliness (%)"),
                ],
                rates,
            ),
            Sheet(
                _("Budget and actions"),
                [
                    _("No."),
                    _("Service"),
                    _("Budget code"),
                    _("Budget allocated (Rp)"),
                    _("Budget realised (Rp)"),
                    _("Difference (Rp)"),
                    _("Budget realised (%)"),
                    *[str(label) for _name, label in STAGES],
                    _("Problems"),
                    _("Planned actions"),
                ],
                notes,
            ),
        ],
    )
