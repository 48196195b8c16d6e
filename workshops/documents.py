"""Documents of a meeting to print, send or file: the invitation letter (PDF and a WhatsApp
text), the attendance list (PDF) and the meeting pack (PDF and .xlsx).

Pure: they take what a selector returned and give bytes or text; no database access. PDFs go
through `kernel.documents.pdf_from_html`, which fetches only our own static files.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kernel.documents import pdf_from_html
from kernel.spreadsheets import Sheet, build_workbook

from .models import Meeting, Participant
from .selectors.pack import MeetingPack

# --- Letterhead and signature ---------------------------------------------------------------------


@dataclass(frozen=True)
class Letterhead:
    government: str  # PEMERINTAH KABUPATEN ...
    office: str  # DINAS KESEHATAN ...
    unit: str  # PUSKESMAS ... (puskesmas meetings only)
    address: str
    phone: str
    signer_position: str
    signer_name: str
    place: str  # where the letter is signed


def letterhead(meeting: Meeting) -> Letterhead:
    """Whose paper the meeting's letters are on, and who signs: the puskesmas head for a lokmin,
    the head of the Dinkes for a district meeting (needs the owner loaded with the meeting)."""
    if meeting.level == "province":
        province = meeting.province
        return Letterhead(
            government=_("GOVERNMENT OF THE PROVINCE OF %(name)s")
            % {"name": province.name.upper()},
            office=_("PROVINCIAL HEALTH OFFICE"),
            unit="",
            address="",
            phone="",
            signer_position=_("Head of the Provincial Health Office"),
            signer_name="",
            place=province.name,
        )
    district = meeting.district
    office = getattr(district, "health_office", None)
    head = Letterhead(
        government=_("GOVERNMENT OF %(name)s") % {"name": district.name.upper()},
        office=(office.name if office else _("DISTRICT HEALTH OFFICE")).upper(),
        unit="",
        address=office.address if office else "",
        phone=office.phone if office else "",
        signer_position=_("Head of the District Health Office"),
        signer_name=office.head_name if office else "",
        place=district.name,
    )
    if meeting.level == "district":
        return head
    puskesmas = meeting.puskesmas
    return Letterhead(
        government=head.government,
        office=head.office,
        unit=puskesmas.name.upper(),
        address=puskesmas.address,
        phone=puskesmas.phone,
        signer_position=_("Head of %(puskesmas)s") % {"puskesmas": puskesmas.name},
        signer_name=puskesmas.head_name,
        place=puskesmas.subdistrict.name if puskesmas.subdistrict_id else district.name,
    )


# --- Invitation -----------------------------------------------------------------------------------

INLINE_INVITEES = 10  # more than this go on an attached list ("Daftar terlampir")


@dataclass
class Invitation:
    meeting: Meeting
    invitees: list[Participant]
    number: str
    letter_date: datetime.date
    head: Letterhead = field(init=False)

    def __post_init__(self) -> None:
        self.head = letterhead(self.meeting)

    @property
    def agenda_items(self) -> list[str]:
        return agenda_items(self.meeting)

    @property
    def attaches_list(self) -> bool:
        return len(self.invitees) > INLINE_INVITEES


def agenda_items(meeting: Meeting) -> list[str]:
    return [line.strip(" -•\t") for line in meeting.agenda.splitlines() if line.strip(" -•\t")]


def time_range(meeting: Meeting) -> str:
    """ "09.00 – 12.00", "09.00 – selesai" (until done) or "" without a start time."""
    if not meeting.starts_at:
        return ""
    start = meeting.starts_at.strftime("%H.%M")
    end = meeting.ends_at.strftime("%H.%M") if meeting.ends_at else _("until done")
    return f"{start} – {end}"


def whatsapp_text(meeting: Meeting, head: Letterhead) -> str:
    """The invitation as a WhatsApp message (WhatsApp shows *text* in bold)."""
    lines = [
        f"*{_('Invitation')}: {meeting.title}*",
        "",
        _("We kindly invite you to attend:"),
        f"{_('Day, date')}: {date_format(meeting.held_on, 'l, j F Y')}",
    ]
    if meeting.starts_at:
        lines.append(f"{_('Time')}: {time_range(meeting)}")
    lines.append(f"{_('Place')}: {meeting.place}")
    items = agenda_items(meeting)
    if items:
        lines += ["", f"{_('Agenda')}:"] + [f"{n}. {item}" for n, item in enumerate(items, 1)]
    lines += ["", _("Thank you for your attendance."), "", head.signer_position]
    if head.signer_name:
        lines.append(head.signer_name)
    return "\n".join(lines)


def whatsapp_phone(phone: str) -> str | None:
    """An Indonesian number as wa.me wants it: digits with the country code, 08xx -> 628xx;
    None when it does not look like a mobile number."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not digits.startswith("628") or not 10 <= len(digits) <= 15:
        return None
    return digits


def whatsapp_link(text: str, phone: str | None = None) -> str:
    """A link that opens WhatsApp with `text` ready to send, to `phone` or to a chosen chat."""
    return f"https://wa.me/{phone or ''}?text={quote(text, safe='')}"


def invitation_pdf(invitation: Invitation, *, base_url: str) -> bytes:
    html = render_to_string("workshops/invitation_pdf.html", {"invitation": invitation})
    return pdf_from_html(html, base_url=base_url)


# --- Attendance list ------------------------------------------------------------------------------


def blank_rows(invitees: int) -> int:
    """Empty numbered rows for walk-ins under the invitees: a quarter more, at least five."""
    return max(5, -(-invitees // 4))


@dataclass
class AttendanceSheet:
    meeting: Meeting
    participants: list[Participant]
    head: Letterhead = field(init=False)

    def __post_init__(self) -> None:
        self.head = letterhead(self.meeting)

    @property
    def rows(self) -> list[tuple[int, Participant | None]]:
        """(number, participant or None for a blank row)."""
        filled = list(enumerate(self.participants, start=1))
        start = len(filled) + 1
        blanks = [(start + n, None) for n in range(blank_rows(len(filled)))]
        return filled + blanks


def attendance_pdf(sheet: AttendanceSheet, *, base_url: str) -> bytes:
    html = render_to_string("workshops/attendance_pdf.html", {"sheet": sheet})
    return pdf_from_html(html, base_url=base_url)


# --- Meeting pack ---------------------------------------------------------------------------------


def pack_pdf(pack: MeetingPack, *, base_url: str) -> bytes:
    html = render_to_string("workshops/pack_pdf.html", {"pack": pack})
    return pdf_from_html(html, base_url=base_url)


def _yes_no(flag: bool) -> str:
    return _("Yes") if flag else _("No")


def pack_xlsx(pack: MeetingPack) -> bytes:
    """The pack as a workbook: per service, per desa (or puskesmas, district) and service, and
    the open items of earlier meetings."""
    figures = pack.figures
    per_service = [
        [
            line.service.number,
            line.service.label,
            line.figure.target,
            line.figure.served_ytd,
            line.figure.achievement,
            line.figure.pace,
            line.figure.shortfall,
            _yes_no(line.figure.is_below_pace),
        ]
        for line in figures.services
    ]
    if pack.is_puskesmas:
        by_area = [
            (village.code, village.name, line.service, cell)
            for line in figures.services
            for village, cell in line.villages
        ]
        area_header = _("Desa")
    else:
        by_area = [
            ("", area.name, service, cell)
            for area in figures.areas
            for service, cell in zip(figures.service_list, area.cells, strict=True)
        ]
        area_header = "Puskesmas" if pack.meeting.level == "district" else _("District")
    detail = [
        [
            code,
            name,
            service.number,
            service.label,
            cell.target,
            cell.served_ytd,
            cell.achievement,
            cell.shortfall,
            _yes_no(cell.is_below_pace),
        ]
        for code, name, service, cell in by_area
    ]
    items = [
        [
            _("RTL item"),
            item.activity,
            item.meeting.title,
            item.responsible,
            item.due_on,
            item.get_status_display(),
            _yes_no(item.is_overdue(pack.printed_on)),
        ]
        for item in pack.open_items.follow_ups
    ] + [
        [
            _("Commitment"),
            item.description,
            item.meeting.title,
            item.party,
            item.due_on,
            item.get_status_display(),
            _yes_no(item.is_overdue(pack.printed_on)),
        ]
        for item in pack.open_items.commitments
    ]
    return build_workbook(
        sheet=_("Per service"),
        headers=[
            _("No."),
            _("Service"),
            _("Annual target"),
            _("Served year to date"),
            _("Achievement (%)"),
            _("Expected pace (%)"),
            _("Still to serve to be on pace"),
            _("Below pace"),
        ],
        rows=per_service,
        more=[
            Sheet(
                _("Per %(area)s") % {"area": area_header},
                [
                    _("Code"),
                    area_header,
                    _("No."),
                    _("Service"),
                    _("Annual target"),
                    _("Served year to date"),
                    _("Achievement (%)"),
                    _("Still to serve to be on pace"),
                    _("Below pace"),
                ],
                detail,
            ),
            Sheet(
                _("Open items"),
                [
                    _("Kind"),
                    _("Item"),
                    _("Meeting"),
                    _("Responsible"),
                    _("Due date"),
                    _("Status"),
                    _("Overdue"),
                ],
                items,
            ),
            # Sections of the apps above workshops (pack_sections.py): one sheet each.
            *[
                Sheet(
                    section.sheet_title,
                    [str(header) for header in section.headers],
                    [list(row) for row in section.rows]
                    + (
                        [[], *[[label, value] for label, value in section.summary]]
                        if section.summary
                        else []
                    ),
                )
                for section in pack.extra_sections
            ],
        ],
    )
