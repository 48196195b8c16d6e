"""The SPM cycle's files made in the background (kernel/services/exports.py): the district's
e-SPM package as PDF and as .xlsx.

Each builder reads as the person who asked, through the same scoping and selectors as the
package's page: a district they may no longer open fails the job (404) instead of leaking.
"""

from __future__ import annotations

from typing import BinaryIO

from django.utils.translation import gettext_lazy

from kernel.models import ExportJob
from kernel.scoping import get_in_area_or_404
from kernel.services.exports import ExportKind, Progress, export_kind_register

from . import documents
from .selectors import package as selectors

PACKAGE_PDF = "cycle.package_pdf"
PACKAGE_XLSX = "cycle.package_xlsx"


def _package(job: ExportJob) -> selectors.Package:
    user, params = job.created_by, job.params
    district = get_in_area_or_404(
        selectors.package_districts(user=user), user, pk=params["district"]
    )
    return selectors.package_get(
        user=user, district=district, year=int(params["year"]), quarter=int(params["quarter"])
    )


def package_pdf(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    out.write(documents.package_pdf(_package(job), base_url=job.params["_base_url"]))


def package_xlsx(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    out.write(documents.package_xlsx(_package(job)))


# Issue #16: package
export_kind_register(
    PACKAGE_PDF, ExportKind(label=gettext_lazy("e-SPM package (PDF)"), build=package_pdf)
)
export_kind_register(
    PACKAGE_XLSX, ExportKind(label=gettext_lazy("e-SPM package (Excel)"), build=package_xlsx)
)
