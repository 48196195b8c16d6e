"""A district's year for DHIS2 (JSON or ADX), made by an export job (kernel/services/exports):
twelve months of every desa are too many for the request; a month or a quarter downloads
inline from the export page."""

from __future__ import annotations

from typing import BinaryIO

from django.utils.translation import gettext_lazy

from indicators.models import MonthlyReport
from kernel.models import District, ExportJob
from kernel.scoping import get_in_area_or_404
from kernel.services.exports import ExportKind, Progress, export_kind_register

from .services import as_adx, as_json, dhis2_values

DHIS2_YEAR = "exchange.dhis2_year"


def dhis2_year(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    """Read as the requester, scoped again when it runs (a right lost since: 404)."""
    user, params = job.created_by, job.params
    district = get_in_area_or_404(District, user, pk=params["district"])
    approved = params.get("status") == "approved"
    result = dhis2_values(
        user=user,
        district=district,
        year=int(params["year"]),
        months=range(1, 13),
        statuses=MonthlyReport.APPROVED_STATUSES if approved else None,
    )
    progress(0, len(result.values))
    out.write(as_adx(result) if params.get("format") == "adx" else as_json(result))
    progress(len(result.values), len(result.values))


export_kind_register(
    DHIS2_YEAR, ExportKind(label=gettext_lazy("DHIS2 values of a year"), build=dhis2_year)
)
