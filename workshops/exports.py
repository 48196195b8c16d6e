"""The meeting papers made in the background (kernel/services/exports.py): the invitation letter,
the attendance list, the meeting pack, the minutes, the joint agreement and the RTL as PDF, and
the pack as .xlsx.

Each builder reads as the person who asked, through the same scoping and selectors as the
meeting's pages: a meeting they may no longer open fails the job (404) instead of leaking.
"""

from __future__ import annotations

from typing import BinaryIO

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kernel.documents import pdf_from_html
from kernel.models import ExportJob
from kernel.scoping import get_in_area_or_404
from kernel.services.exports import ExportKind, Progress, export_kind_register

from . import agreement, documents, selectors
from .forms.meetings import LetterForm
from .models import Meeting
from .selectors import meetings as read
from .selectors import records
from .selectors.pack import meeting_pack

INVITATION_PDF = "workshops.invitation_pdf"
ATTENDANCE_PDF = "workshops.attendance_pdf"
PACK_PDF = "workshops.pack_pdf"
PACK_XLSX = "workshops.pack_xlsx"
MINUTES_PDF = "workshops.minutes_pdf"
AGREEMENT_PDF = "workshops.agreement_pdf"
RTL_PDF = "workshops.rtl_pdf"

MEETING = Meeting.objects.select_related(
    "puskesmas__subdistrict", "district__health_office", "province", "signed_agreement_by"
)


def _meeting(job: ExportJob) -> Meeting:
    return get_in_area_or_404(MEETING, job.created_by, pk=job.params["meeting"])


def invitation_pdf(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    meeting, user = _meeting(job), job.created_by
    number, letter_date = LetterForm(job.params.get("letter") or {}).letter()
    invitees = read.participant_list(user=user, meeting=meeting).filter(is_invited=True)
    invitation = documents.Invitation(meeting, list(invitees), number, letter_date)
    out.write(documents.invitation_pdf(invitation, base_url=job.params["_base_url"]))


def attendance_pdf(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    meeting = _meeting(job)
    participants = read.participant_list(user=job.created_by, meeting=meeting)
    sheet = documents.AttendanceSheet(meeting, list(participants))
    out.write(documents.attendance_pdf(sheet, base_url=job.params["_base_url"]))


def pack_pdf(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    pack = meeting_pack(user=job.created_by, meeting=_meeting(job))
    out.write(documents.pack_pdf(pack, base_url=job.params["_base_url"]))


def pack_xlsx(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    out.write(documents.pack_xlsx(meeting_pack(user=job.created_by, meeting=_meeting(job))))


def minutes_pdf(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    meeting = _meeting(job)
    attended = records.attended_count(user=job.created_by, meeting=meeting)
    base_url = job.params["_base_url"]
    out.write(agreement.minutes_pdf(meeting, attended_count=attended, base_url=base_url))


def agreement_pdf(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    signed = records.agreement_get(user=job.created_by, meeting=_meeting(job))
    out.write(agreement.agreement_pdf(signed, base_url=job.params["_base_url"]))


def rtl_pdf(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    meeting = _meeting(job)
    items = list(selectors.follow_up_list(user=job.created_by, meeting=meeting))
    context = {"meeting": meeting, "items": items, "today": timezone.localdate()}
    html = render_to_string("workshops/rtl_pdf.html", context)
    out.write(pdf_from_html(html, base_url=job.params["_base_url"]))


export_kind_register(
    INVITATION_PDF, ExportKind(label=gettext_lazy("Invitation letter (PDF)"), build=invitation_pdf)
)
export_kind_register(
    ATTENDANCE_PDF, ExportKind(label=gettext_lazy("Attendance list (PDF)"), build=attendance_pdf)
)
export_kind_register(PACK_PDF, ExportKind(label=gettext_lazy("Meeting pack (PDF)"), build=pack_pdf))
export_kind_register(
    PACK_XLSX, ExportKind(label=gettext_lazy("Meeting pack (Excel)"), build=pack_xlsx)
)
export_kind_register(
    MINUTES_PDF, ExportKind(label=gettext_lazy("Minutes (PDF)"), build=minutes_pdf)
)
export_kind_register(
    AGREEMENT_PDF, ExportKind(label=gettext_lazy("Joint agreement (PDF)"), build=agreement_pdf)
)
export_kind_register(RTL_PDF, ExportKind(label=gettext_lazy("Follow-up plan (PDF)"), build=rtl_pdf))
