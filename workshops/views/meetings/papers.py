"""The meeting's documents: the invitation letter with its WhatsApp share, the attendance list
and the meeting pack; each a printable page and a PDF (`?format=pdf`), the pack also a workbook
(`?format=xlsx`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from kernel.spreadsheets import XLSX_CONTENT_TYPE
from kernel.web import wants_xlsx

from ... import documents
from ...forms.meetings import LetterForm
from ...rights import can_manage_meeting
from ...selectors import meetings as read
from ...selectors.pack import meeting_pack as pack_get
from .base import download, meeting_in_area, pdf


@login_required
def meeting_invitation(request, pk):
    meeting = meeting_in_area(request, pk)
    letter_form = LetterForm(request.GET)
    number, letter_date = letter_form.letter()
    invitees = read.participant_list(user=request.user, meeting=meeting).filter(is_invited=True)
    invitation = documents.Invitation(meeting, list(invitees), number, letter_date)
    if request.GET.get("format") == "pdf":
        return pdf(request, documents.invitation_pdf, invitation, f"invitation-{meeting.pk}")
    text = documents.whatsapp_text(meeting, invitation.head)
    params = request.GET.copy()
    params["format"] = "pdf"
    context = {
        "pdf_query": params.urlencode(),
        "invitation": invitation,
        "letter_form": letter_form,
        "whatsapp": documents.whatsapp_link(text),
        "whatsapp_text": text,
        "personal": [
            (p, phone and documents.whatsapp_link(text, phone))
            for p in invitation.invitees
            for phone in [documents.whatsapp_phone(p.phone)]
        ],
        "can_manage": can_manage_meeting(request.user, meeting),
    }
    return render(request, "workshops/invitation.html", context)


@login_required
def meeting_attendance(request, pk):
    meeting = meeting_in_area(request, pk)
    participants = read.participant_list(user=request.user, meeting=meeting)
    sheet = documents.AttendanceSheet(meeting, list(participants))
    if request.GET.get("format") == "pdf":
        return pdf(request, documents.attendance_pdf, sheet, f"attendance-{meeting.pk}")
    return render(request, "workshops/attendance.html", {"sheet": sheet})


@login_required
def meeting_pack(request, pk):
    meeting = meeting_in_area(request, pk)
    pack = pack_get(user=request.user, meeting=meeting)
    name = f"pack-{meeting.pk}-{pack.year}-{pack.month:02d}"
    if request.GET.get("format") == "pdf":
        return pdf(request, documents.pack_pdf, pack, name)
    if wants_xlsx(request):
        content = documents.pack_xlsx(pack)
        return download(content, filename=f"{name}.xlsx", content_type=XLSX_CONTENT_TYPE)
    return render(request, "workshops/pack.html", {"pack": pack})
