"""The SPM files made in the background (kernel/services/exports.py): the year's monthly values,
the district's quarterly report (PDF and .xlsx) and the puskesmas's monthly feedback (PDF).

Each builder reads as the person who asked, through the same selectors and scoping as the page
the file was asked from: a right lost since the click fails the job (404) instead of leaking.
"""

from __future__ import annotations

from typing import BinaryIO

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.models import ExportJob
from kernel.scoping import get_in_area_or_404
from kernel.services.exports import ExportKind, Progress, export_kind_register
from kernel.spreadsheets import write_workbook_streaming

from . import documents, selectors
from .services.monthly_excel.files import (
    MONTHLY_VALUES_WIDTHS,
    monthly_values_headers,
    monthly_values_rows,
)

MONTHLY_VALUES_YEAR = "indicators.monthly_values_year"
QUARTERLY_PDF = "indicators.quarterly_pdf"
QUARTERLY_XLSX = "indicators.quarterly_xlsx"
FEEDBACK_PDF = "indicators.feedback_pdf"


def monthly_values_year(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    """Every monthly value the requester may read for the year (`indicators.readable`: a
    province gets approved and locked months only), streamed: memory stays flat for a
    province's year (bench/exports.py)."""
    count, rows = monthly_values_rows(user=job.created_by, year=int(job.params["year"]))
    progress(0, count)

    def counted():
        for done, row in enumerate(rows, start=1):
            if done % 5000 == 0:
                progress(done, count)
            yield row

    written = write_workbook_streaming(
        out,
        sheet=_("Monthly values"),
        headers=monthly_values_headers(),
        rows=counted(),
        row_count=count,
        widths=MONTHLY_VALUES_WIDTHS,
    )
    progress(written, max(written, count))


def _quarterly(job: ExportJob):
    user, params = job.created_by, job.params
    districts = selectors.quarterly_districts(user=user)
    district = get_in_area_or_404(districts, user, pk=params["district"])
    report = selectors.quarterly_report(
        user=user, district=district, year=int(params["year"]), quarter=int(params["quarter"])
    )
    if not report.is_computed:
        raise Http404
    return report


def quarterly_pdf(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    out.write(documents.quarterly_pdf(_quarterly(job), base_url=job.params["_base_url"]))


def quarterly_xlsx(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    out.write(documents.quarterly_xlsx(_quarterly(job)))


def feedback_pdf(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    user = job.created_by
    visible = selectors.readable_reports(user=user).select_related(
        "puskesmas__district__province", "puskesmas__district__health_office"
    )
    report = get_in_area_or_404(visible, user, pk=job.params["report"])
    if not report.is_approved:  # no feedback before the district approves the month
        raise Http404
    feedback = selectors.feedback_get(report=report)
    out.write(documents.feedback_pdf(feedback, base_url=job.params["_base_url"]))


export_kind_register(
    MONTHLY_VALUES_YEAR,
    ExportKind(label=gettext_lazy("Monthly values of a year"), build=monthly_values_year),
)
export_kind_register(
    QUARTERLY_PDF, ExportKind(label=gettext_lazy("Quarterly SPM report (PDF)"), build=quarterly_pdf)
)
export_kind_register(
    QUARTERLY_XLSX,
    ExportKind(label=gettext_lazy("Quarterly SPM report (Excel)"), build=quarterly_xlsx),
)
export_kind_register(
    FEEDBACK_PDF, ExportKind(label=gettext_lazy("Monthly feedback (PDF)"), build=feedback_pdf)
)
