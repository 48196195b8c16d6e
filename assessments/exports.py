"""The PKP's PDF, made in the background (kernel/services/exports.py).

The builder reads as the person who asked, through the same readable PKPs as the page: a PKP
they may no longer open (returned, or their area changed) fails the job (404) instead of leaking.
"""

from __future__ import annotations

from typing import BinaryIO

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kernel.documents import pdf_from_html
from kernel.models import ExportJob, HealthOffice
from kernel.scoping import get_in_area_or_404
from kernel.services.exports import ExportKind, Progress, export_kind_register

from .models import PkpAssessment
from .selectors import pkp_review as selectors

PKP_PDF = "assessments.pkp_pdf"


def pkp_readable(user):
    """The PKPs `user` may open, with what their pages and files show."""
    return selectors.readable_pkps(user=user).select_related(
        "puskesmas__district__province", "instrument", "submitted_by", "decided_by", "ranked_by"
    )


def pkp_file_name(pkp: PkpAssessment, ext: str) -> str:
    return f"pkp-{pkp.puskesmas.code or pkp.puskesmas.pk}-{pkp.year}.{ext}"


def pkp_pdf(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    user = job.created_by
    pkp = get_in_area_or_404(pkp_readable(user), user, pk=job.params["pkp"])
    html = render_to_string(
        "assessments/pkp_review/pkp_pdf.html",
        {
            "view": selectors.pkp_view(pkp=pkp),
            "pkp": pkp,
            "office": HealthOffice.objects.filter(district_id=pkp.puskesmas.district_id).first(),
            "printed_on": timezone.localdate(),
        },
    )
    out.write(pdf_from_html(html, base_url=job.params["_base_url"]))


export_kind_register(PKP_PDF, ExportKind(label=gettext_lazy("PKP (PDF)"), build=pkp_pdf))
