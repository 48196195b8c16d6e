"""The meeting's documents: the invitation letter with its WhatsApp share, the attendance list
and the meeting pack; each a printable page and a PDF (`?format=pdf`), the pack also a workbook
(`?format=xlsx`). The files are made by export jobs (workshops/exports.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from kernel.views.exports import export_offer
from kernel.web import wants_xlsx

from ... import documents, exports
from ...forms.meetings import LetterForm
from ...rights import can_manage_meeting
from ...selectors import meetings as read
from ...selectors.pack import meeting_pack as pack_get
from .base import meeting_in_area


@login_required
def meeting_invitation(request, pk):
    meeting = meeting_in_area(request, pk)
    letter_form = LetterForm(request.GET)
    if request.GET.get("format") == "pdf":
        letter = {key: request.GET.get(key, "") for key in ("number", "date")}
        return export_offer(
            request,
            kind=exports.INVITATION_PDF,
            params={"meeting": meeting.pk, "letter": letter},
            file_name=f"invitation-{meeting.pk}.pdf",
            title=_("Invitation letter: %(meeting)s") % {"meeting": meeting.title},
        )
    number, letter_date = letter_form.letter()
    invitees = read.participant_list(user=request.user, meeting=meeting).filter(is_invited=True)
    invitation = documents.Invitation(meeting, list(invitees), number, letter_date)
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
    if request.GET.get("format") == "pdf":
        return export_offer(
            request,
            kind=exports.ATTENDANCE_PDF,
            params={"meeting": meeting.pk},
            file_name=f"attendance-{meeting.pk}.pdf",
            title=_("Attendance list: %(meeting)s") % {"meeting": meeting.title},
        )
    participants = read.participant_list(user=request.user, meeting=meeting)
    sheet = documents.AttendanceSheet(meeting, list(participants))
    return render(request, "workshops/attendance.html", {"sheet": sheet})


@login_required
def meeting_pack(request, pk):
    meeting = meeting_in_area(request, pk)
    pdf = request.GET.get("format") == "pdf"
    if pdf or wants_xlsx(request):
        year, month = meeting.review_month
        name = f"pack-{meeting.pk}-{year}-{month:02d}"
        return export_offer(
            request,
            kind=exports.PACK_PDF if pdf else exports.PACK_XLSX,
            params={"meeting": meeting.pk},
            file_name=f"{name}.pdf" if pdf else f"{name}.xlsx",
            title=_("Meeting pack: %(meeting)s") % {"meeting": meeting.title},
        )
    pack = pack_get(user=request.user, meeting=meeting)
    return render(request, "workshops/pack.html", {"pack": pack})
