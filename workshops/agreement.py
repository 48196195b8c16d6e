"""The joint agreement (kesepakatan bersama) of a meeting as PDF and .xlsx, and its minutes
(notulen) as PDF.

Pure: takes what `selectors.agreement_get` returned and gives bytes; no database access. The PDF
is WeasyPrint through `kernel.documents.pdf_from_html`, which fetches only our static files.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kernel.documents import pdf_from_html
from kernel.spreadsheets import Sheet, build_workbook

from .models import Meeting
from .selectors.records import Agreement


def minutes_pdf(meeting: Meeting, *, attended_count: int, base_url: str) -> bytes:
    context = {"meeting": meeting, "attended_count": attended_count}
    html = render_to_string("workshops/minutes_pdf.html", context)
    return pdf_from_html(html, base_url=base_url)


def agreement_filename(meeting: Meeting, extension: str) -> str:
    return f"kesepakatan-{meeting.pk}-{meeting.held_on:%Y%m%d}.{extension}"


def agreement_pdf(agreement: Agreement, *, base_url: str) -> bytes:
    html = render_to_string("workshops/agreement_pdf.html", {"agreement": agreement})
    return pdf_from_html(html, base_url=base_url)


def agreement_xlsx(agreement: Agreement) -> bytes:
    """The commitments by party (with signatories and status) and the signature blocks."""
    commitments = [
        [
            group.party,
            commitment.description,
            commitment.due_on,
            commitment.get_status_display(),
            commitment.signatory_name,
            commitment.signatory_position,
        ]
        for group in agreement.parties
        for commitment in group.commitments
    ]
    signatories = [
        [number, person.name, person.position, person.organisation]
        for number, person in enumerate(agreement.signatories, start=1)
    ]
    return build_workbook(
        sheet=_("Commitments"),
        headers=[
            _("Party"),
            _("Commitment"),
            _("Due date"),
            _("Status"),
            _("Signed by"),
            _("Signatory's position"),
        ],
        rows=commitments,
        more=[
            Sheet(
                _("Signatures"),
                [_("No."), _("Name"), _("Position"), _("Organisation")],
                signatories,
            )
        ],
    )
