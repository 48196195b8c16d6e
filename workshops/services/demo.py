"""Demo meetings of Hulu Sungai Utara, loaded by `manage.py seed_demo` after the indicators demo.

Puskesmas Danau Panggang holds its monthly lokmin this year up to last month, last quarter's
cross-sector lokmin (closed; some RTL items done, some still open) and this quarter's, chaired by
the Sekcam with the Dinkes as speaker and every sector of DOMAIN.md §1 item 5 around the table.
The Dinkes holds a district cross-sector forum like Kutai Kartanegara's (§1 item 4) with
commitments per agency, some done, some overdue. People and figures are made up; most people have
a made-up mobile number (`kernel.services.demo.demo_phone`) so the invitation's WhatsApp links
work, and the quarterly lokmin and the forum have a few photos drawn at seed time (Pillow) and
stored through the upload service, as a phone's photos would be.

Rows are written through the models with `full_clean()`, looked up by a natural key, so a re-run
updates them and never duplicates (nor deletes what other demos link to).
"""

from __future__ import annotations

import datetime
import io
import random
import zlib
from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from indicators.models import ReportingYear, SPMService
from kernel.models import District, HealthOffice, PartnerOrganisation, Puskesmas, User
from kernel.services.demo import demo_phone

from ..models import (
    Commitment,
    FollowUp,
    Meeting,
    MusrenbangProposal,
    Participant,
    Problem,
    RootCause,
    StatusUpdate,
)
from ..priority import METHODS
from .demo_data import (  # noqa: F401
    CURRENT_AGREEMENT,
    CURRENT_COMMITMENTS,
    CURRENT_MINUTES,
    CURRENT_PROBLEMS,
    CURRENT_PROPOSALS,
    CURRENT_RTL,
    FORUM_AGENDA,
    FORUM_AGREEMENT,
    FORUM_CHAIR,
    FORUM_COMMITMENTS,
    FORUM_MINUTES,
    FORUM_PEOPLE,
    FORUM_PLACE,
    FORUM_PROBLEMS,
    FORUM_RTL,
    FORUM_SPEAKER,
    LAST_AGREEMENT,
    LAST_COMMITMENTS,
    LAST_MINUTES,
    LAST_PROPOSALS,
    LAST_RTL,
    MONTHLY_AGENDA,
    MONTHLY_MINUTES,
    MONTHS,
    OTHER_MONTHLY_LOKMIN,
    PUSKESMAS,
    QUARTERLY_AGENDA,
    ROMAN,
    SEKCAM,
    SPEAKER,
    SUBDISTRICT_HALL,
    USERS,
    Spec,
    _kecamatan_people,
)
from .records import photos_add


def _scan_pdf(*, title: str, subtitle: str, text: str, signers: list[tuple[str, str]]) -> bytes:
    """A grey, slightly crooked A4 page with the agreement and inked signatures: a demo 'scan'."""
    page = Image.new("L", (827, 1169), 246)
    draw = ImageDraw.Draw(page)
    big, small = ImageFont.load_default(size=22), ImageFont.load_default(size=12)
    draw.text((413, 60), title, font=big, fill=20, anchor="mm")
    draw.text((413, 92), subtitle, font=small, fill=40, anchor="mm")
    y = 130
    for paragraph in text.splitlines():
        words, line = paragraph.split(), ""
        for word in words:
            if draw.textlength(f"{line} {word}", font=small) > 700:
                draw.text((60, y), line.strip(), font=small, fill=30)
                y, line = y + 17, ""
            line = f"{line} {word}"
        draw.text((60, y), line.strip(), font=small, fill=30)
        y += 22
    for index, (name, position) in enumerate(signers[:24]):
        x, row_y = 60 + (index % 3) * 245, y + 20 + (index // 3) * 78
        draw.line([(x + 10, row_y + 30), (x + 60, row_y + 12), (x + 95, row_y + 34),
                   (x + 140, row_y + 16)], fill=60, width=2)  # fmt: skip
        draw.text((x, row_y + 42), name[:36], font=small, fill=20)
        draw.text((x, row_y + 57), position[:34], font=small, fill=70)
    buffer = io.BytesIO()
    page.rotate(0.6, fillcolor=255, expand=False).save(buffer, "PDF", resolution=100)
    return buffer.getvalue()


BULAN = ("Januari Februari Maret April Mei Juni Juli Agustus September Oktober November "
         "Desember").split()  # fmt: skip
_SHIRTS = [(180, 40, 50), (30, 90, 160), (230, 230, 225), (40, 120, 80), (120, 60, 140),
           (200, 140, 40), (90, 90, 95), (20, 60, 110)]  # fmt: skip
_SKIN = [(224, 180, 140), (198, 150, 110), (170, 120, 85), (140, 95, 65)]
_HIJAB = [(30, 30, 60), (150, 40, 70), (60, 110, 120), (210, 200, 190), (110, 70, 40)]


def _person(draw: ImageDraw.ImageDraw, x: int, y: int, scale: float, rng: random.Random) -> None:
    """A seated or standing figure: shirt, head and (one in two) a hijab; (x, y) is the neck."""
    shirt, skin = rng.choice(_SHIRTS), rng.choice(_SKIN)
    w, h, r = int(70 * scale), int(120 * scale), int(30 * scale)
    draw.rounded_rectangle([x - w, y, x + w, y + h], radius=int(28 * scale), fill=shirt)
    if rng.random() < 0.5:
        veil = rng.choice(_HIJAB)
        draw.ellipse([x - r - 8, y - 2 * r - 10, x + r + 8, y + 12], fill=veil)
        draw.ellipse([x - r + 6, y - 2 * r + 2, x + r - 6, y - 4], fill=skin)
    else:
        draw.ellipse([x - r, y - 2 * r - 4, x + r, y + 4], fill=skin)
        draw.chord([x - r, y - 2 * r - 6, x + r, y - r + 6], 180, 360, fill=(35, 30, 28))


def _photo_jpeg(*, title: str, subtitle: str, scene: str, seed: str) -> bytes:
    """A simple 'photo' of the meeting (1280 x 960): a hall with its banner (the meeting's title
    and date), people at a table and, by scene, a screen with a chart or papers being signed."""
    rng = random.Random(seed)
    width, height = 1280, 960
    wall = rng.choice([(236, 226, 204), (214, 228, 222), (226, 218, 236), (240, 232, 214)])
    image = Image.new("RGB", (width, height), wall)
    draw = ImageDraw.Draw(image)
    for y in range(620, height):  # a tiled floor, darker towards the camera
        shade = int(150 - (y - 620) * 0.12)
        draw.line([(0, y), (width, y)], fill=(shade + 30, shade + 10, shade - 20))
    for x in range(-400, width + 400, 160):
        draw.line([(x, 620), (x + (x - width // 2) // 2, height)], fill=(120, 100, 80), width=2)
    # The banner: the meeting's title and date, as printed for the day.
    banner = rng.choice([(150, 20, 30), (10, 90, 60), (20, 60, 120)])
    draw.rectangle([90, 40, width - 90, 210], fill=banner, outline=(240, 200, 60), width=6)
    big, small = ImageFont.load_default(size=40), ImageFont.load_default(size=28)
    lines, line = [], ""
    for word in title.upper().split():
        if draw.textlength(f"{line} {word}", font=big) > width - 260:
            lines.append(line.strip())
            line = ""
        line = f"{line} {word}"
    lines.append(line.strip())
    for index, text in enumerate(lines[:2]):
        top = 95 if len(lines) > 1 else 110
        draw.text((width // 2, top + index * 48), text, font=big, fill="white", anchor="mm")
    draw.text((width // 2, 182), subtitle, font=small, fill=(250, 230, 160), anchor="mm")
    if scene == "presentation":  # the screen with last quarter's bars, the speaker beside it
        draw.rectangle([700, 250, 1180, 560], fill=(250, 250, 250), outline=(60, 60, 60), width=4)
        for index in range(8):
            bar = rng.randint(60, 250)
            colour = (200, 60, 60) if bar < 130 else (60, 150, 90)
            draw.rectangle([730 + index * 55, 530 - bar, 765 + index * 55, 530], fill=colour)
        _person(draw, 650, 420, 1.2, rng)
        seats = [(130 + i * 105, 560) for i in range(5)]
    else:
        seats = [(160 + i * 140, 540) for i in range(8)]
    for x, y in seats:  # the people behind the table
        _person(draw, x + rng.randint(-12, 12), y - rng.randint(0, 20), 1.0, rng)
    table_right = 590 if scene == "presentation" else width - 80
    draw.rectangle([60, 640, table_right, 700], fill=(120, 70, 40))
    draw.rectangle([60, 700, table_right, 760], fill=(90, 50, 30))
    for x in range(120, table_right - 60, 150):  # papers and water bottles on the table
        draw.rectangle([x, 618, x + 70, 640], fill=(250, 250, 245), outline=(180, 180, 180))
        draw.rectangle([x + 90, 590, x + 104, 640], fill=(190, 220, 240))
    if scene == "signing":
        draw.rectangle([520, 560, 760, 640], fill=(255, 255, 250), outline=(120, 120, 120))
        draw.line([(560, 610), (600, 590), (640, 615), (690, 595)], fill=(20, 40, 140), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def _photos(meeting: Meeting, *, by: User, scenes: list[tuple[str, str]]) -> None:
    """Add the meeting's demo photos (scene, caption) once, through the upload service: checked,
    re-encoded without metadata, resized, with thumbnails, like a phone's photos."""
    if meeting.photos.exists():
        return
    held_on = meeting.held_on
    subtitle = f"{meeting.place} · {held_on.day} {BULAN[held_on.month - 1]} {held_on.year}"
    for index, (scene, caption) in enumerate(scenes, start=1):
        content = _photo_jpeg(
            title=meeting.title, subtitle=subtitle, scene=scene, seed=f"{meeting.title}-{index}"
        )
        upload = SimpleUploadedFile(
            f"IMG_{held_on:%Y%m%d}_{index:03d}.jpg", content, content_type="image/jpeg"
        )
        photos_add(meeting=meeting, uploads=[upload], caption=caption, by=by)


Kind, Status = Meeting.Kind, Meeting.Status
ItemStatus = FollowUp.Status
M = TypeVar("M", bound=models.Model)
K = TypeVar("K")
T = TypeVar("T")
# A status change of demo_data: status, days after the meeting, note, by, reviewing meeting.
Change = tuple[str, int | None, str, User, str | None]


def _pick(rows: Mapping[K, T], key: K | None) -> T | None:
    """The row named `key`; None when the spec names none."""
    return rows.get(key) if key is not None else None


def _upsert(model: type[M], lookup: dict[str, Any], **values: Any) -> M:
    """The row matching `lookup`, created or updated with `values`; saved only when it changed."""
    obj = model._default_manager.filter(**lookup).first() or model(**lookup)
    changed = obj.pk is None
    for name, value in values.items():
        field = obj._meta.get_field(name)
        assert isinstance(field, models.Field)  # values are the row's own fields
        if field.is_relation:
            current, new = getattr(obj, field.attname), getattr(value, "pk", value)
        else:
            current, new = getattr(obj, name), value
        changed = changed or current != new
        setattr(obj, name, value)
    if changed:
        obj.full_clean()
        obj.save()
    return obj


def _working_day(day: datetime.date) -> datetime.date:
    """The day itself, or the Monday after a weekend."""
    return day + datetime.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _quarter_meeting_day(year: int, quarter: int) -> datetime.date:
    """ILP: quarterly lokmin in the middle month of each quarter (February, May, ...)."""
    return _working_day(datetime.date(year, quarter * 3 - 1, 12))


def _services(year: int) -> dict[int, SPMService]:
    setting = ReportingYear.objects.filter(year=year).first()
    if setting is None:
        return {}
    services = SPMService.objects.filter(edition_id=setting.edition_id, level="district")
    return {service.number: service for service in services}


class _World:
    """What the demo builds on, from the indicators demo."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.puskesmas = Puskesmas.objects.select_related("subdistrict", "district").get(
            name=PUSKESMAS
        )
        self.district = self.puskesmas.district
        users = {u.username: u for u in User.objects.filter(username__in=USERS)}
        self.head, self.staff, self.planner = (users[name] for name in USERS)
        self.villages = {v.name: v for v in self.puskesmas.villages.all()}
        partners = PartnerOrganisation.objects.filter(district=self.district)
        self.partners = {p.short_name or p.name: p for p in partners}
        self.services = _services(today.year)

    def partner(self, key: str | None) -> PartnerOrganisation | None:
        return self.partners.get(key) if key else None


def _meeting(
    world: _World, *, area: Puskesmas | District, kind: str, title: str, by: User, **values: Any
) -> Meeting:
    owner = {"puskesmas": area} if kind in Meeting.LOKMIN_KINDS else {"district": area}
    district = area.district if isinstance(area, Puskesmas) else area
    return _upsert(
        Meeting,
        {"kind": kind, "title": title, **owner},
        district=district,
        province_id=district.province_id,
        created_by=by,
        **values,
    )


def _phone(name: str) -> str:
    """A person's made-up mobile number, the same in every meeting; one in eight has none (the
    invitation page then says so)."""
    number = zlib.crc32(name.encode())
    return "" if number % 8 == 5 else demo_phone(1000 + number % 9000)


def _participants(meeting: Meeting, world: _World, people: list[tuple]) -> dict[str, Participant]:
    saved: dict[str, Participant] = {}
    for order, (name, position, organisation, sector, partner, signs, attended) in enumerate(
        people, start=1
    ):
        saved[name] = _upsert(
            Participant,
            {"meeting": meeting, "name": name},
            position=position,
            organisation=organisation,
            sector=sector,
            partner=world.partner(partner),
            phone=_phone(name),
            signs_agreement=signs,
            attended=attended,
            order=order,
        )
    return saved


def _problems(
    meeting: Meeting, world: _World, problems: list[Spec]
) -> dict[str, Problem | RootCause]:
    """The problems by key, and their causes by "key:category"."""
    method = METHODS[meeting.priority_method]
    saved: dict[str, Problem | RootCause] = {}
    for order, spec in enumerate(problems, start=1):
        problem = _upsert(
            Problem,
            {"meeting": meeting, "statement": spec["statement"]},
            evidence=spec["evidence"],
            service=world.services.get(spec["service"]),
            village=_pick(world.villages, spec.get("village")),
            scores=spec["scores"],
            priority_score=method.score(spec["scores"]),
            order=order,
        )
        saved[spec["key"]] = problem
        for category, description in spec["causes"]:
            cause = _upsert(
                RootCause, {"problem": problem, "description": description}, category=category
            )
            saved[f"{spec['key']}:{category}"] = cause
    return saved


def _track(
    item: FollowUp | Commitment, history: list[Change], *, meetings: dict[str, Meeting]
) -> None:
    """Write the item's status changes (status, days after its meeting, note, by, reviewed in)
    and leave it in the last one."""
    old: str = ItemStatus.PLANNED
    key = "follow_up" if isinstance(item, FollowUp) else "commitment"
    for status, days, note, by, reviewed_in in history:
        if days is None:
            assert reviewed_in is not None  # a change dated by the meeting that reviewed it
            at = _at(meetings[reviewed_in].held_on, 12)
        else:
            at = _at(item.meeting.held_on + datetime.timedelta(days=days), 14)
        _upsert(
            StatusUpdate,
            {key: item, "new_status": status},
            old_status=old,
            note=note,
            at=at,
            by=by,
            reviewed_in=_pick(meetings, reviewed_in),
        )
        old = status
        item.status, item.status_note, item.status_changed_at = status, note, at
        item.status_changed_by = by
    if history:
        item.full_clean()
        item.save()


def _follow_ups(
    meeting: Meeting,
    world: _World,
    problems: dict[str, Problem | RootCause],
    specs: list[Spec],
    *,
    meetings: dict[str, Meeting],
) -> None:
    users = {"head": world.head, "staff": world.staff, "planner": world.planner}
    for spec in specs:
        item = _upsert(
            FollowUp,
            {"meeting": meeting, "activity": spec["activity"]},
            problem=_pick(problems, spec.get("problem")),
            root_cause=_pick(problems, spec.get("cause")),
            goal=spec.get("goal", ""),
            target_group=spec.get("target_group", ""),
            target=spec.get("target", ""),
            responsible=spec["responsible"],
            sector=spec["sector"],
            partner=world.partner(spec.get("partner")),
            cost_idr=spec.get("cost"),
            funding_source=spec.get("funding", ""),
            success_indicator=spec.get("indicator", ""),
            due_on=meeting.held_on + datetime.timedelta(days=spec["due"]),
            created_by=meeting.created_by,
        )
        history: list[Change] = [
            (s, d, n, users[b], r) for s, d, n, b, r in spec.get("history", [])
        ]
        _track(item, history, meetings=meetings)


def _commitments(
    meeting: Meeting,
    world: _World,
    participants: dict[str, Participant],
    specs: list[Spec],
    *,
    meetings: dict[str, Meeting],
) -> None:
    users = {"head": world.head, "staff": world.staff, "planner": world.planner}
    for spec in specs:
        signatory = _pick(participants, spec.get("signatory"))
        item = _upsert(
            Commitment,
            {"meeting": meeting, "party": spec["party"]},
            partner=world.partner(spec.get("partner")),
            sector=spec["sector"],
            description=spec["description"],
            signatory_name=signatory.name if signatory else "",
            signatory_position=signatory.position if signatory else "",
            due_on=meeting.held_on + datetime.timedelta(days=spec["due"]),
            created_by=meeting.created_by,
        )
        history: list[Change] = [
            (s, d, n, users[b], r) for s, d, n, b, r in spec.get("history", [])
        ]
        _track(item, history, meetings=meetings)


def _proposals(meeting: Meeting, world: _World, specs: list[Spec]) -> None:
    for priority, spec in enumerate(specs, start=1):
        outcome = spec.get("outcome", MusrenbangProposal.Outcome.PENDING)
        decided = outcome != MusrenbangProposal.Outcome.PENDING
        _upsert(
            MusrenbangProposal,
            {"meeting": meeting, "title": spec["title"]},
            subdistrict=world.puskesmas.subdistrict,
            village=_pick(world.villages, spec.get("village")),
            description=spec["description"],
            service=_pick(world.services, spec.get("service")),
            volume=spec["volume"],
            estimated_cost_idr=spec["cost"],
            priority=priority,
            outcome=outcome,
            funding_source=spec.get("funding", ""),
            budget_year=meeting.held_on.year + 1 if spec.get("funding") else None,
            outcome_note=spec.get("note", ""),
            outcome_at=_at(meeting.held_on + datetime.timedelta(days=60)) if decided else None,
            outcome_by=world.planner if decided else None,
            created_by=meeting.created_by,
        )


def _monthly_lokmin(world: _World) -> None:
    year = world.today.year
    for month in range(1, world.today.month):
        held_on = _working_day(datetime.date(year, month, 3))
        _meeting(
            world,
            area=world.puskesmas,
            kind=Kind.MONTHLY_LOKMIN,
            title=f"Lokakarya mini bulanan {MONTHS[month - 1]} {year}",
            by=world.head,
            is_team_forming=month == 1,
            held_on=held_on,
            starts_at=datetime.time(8, 30),
            ends_at=datetime.time(12, 0),
            place=f"Aula {PUSKESMAS}",
            chair_name=world.puskesmas.head_name,
            chair_position=f"Kepala {PUSKESMAS}",
            agenda=MONTHLY_AGENDA,
            minutes=MONTHLY_MINUTES % {"month": MONTHS[month - 2] if month > 1 else "Desember"},
            status=Status.CLOSED if month < world.today.month - 1 else Status.HELD,
        )


def _other_monthly_lokmin(world: _World) -> None:
    """A neighbour that held fewer monthly lokmin, so the management score shows its bands."""
    year = world.today.year
    for name, held in OTHER_MONTHLY_LOKMIN.items():
        puskesmas = Puskesmas.objects.filter(name=name, district=world.district).first()
        head = User.objects.filter(puskesmas=puskesmas, role=User.Role.PUSKESMAS_HEAD).first()
        if puskesmas is None or head is None:
            continue
        for month in range(1, min(held + 1, world.today.month)):
            _meeting(
                world,
                area=puskesmas,
                kind=Kind.MONTHLY_LOKMIN,
                title=f"Lokakarya mini bulanan {MONTHS[month - 1]} {year}",
                by=head,
                is_team_forming=month == 1,
                held_on=_working_day(datetime.date(year, month, 5)),
                place=f"Aula {name}",
                chair_name=puskesmas.head_name,
                agenda=MONTHLY_AGENDA,
                status=Status.CLOSED,
            )


def _quarterly_lokmin(world: _World) -> Meeting:
    today = world.today
    quarter = (today.month - 1) // 3 + 1
    last_year, last_quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    common = {
        "starts_at": datetime.time(9, 0),
        "ends_at": datetime.time(13, 0),
        "place": SUBDISTRICT_HALL,
        "chair_name": SEKCAM[0],
        "chair_position": SEKCAM[1],
        "speaker": SPEAKER,
    }
    last = _meeting(
        world,
        area=world.puskesmas,
        kind=Kind.QUARTERLY_LOKMIN,
        by=world.head,
        title=f"Lokakarya mini lintas sektor triwulan {ROMAN[last_quarter]} {last_year}",
        held_on=_quarter_meeting_day(last_year, last_quarter),
        agenda=QUARTERLY_AGENDA,
        minutes=LAST_MINUTES,
        agreement_text=LAST_AGREEMENT,
        status=Status.CLOSED,
        **common,
    )
    current = _meeting(
        world,
        area=world.puskesmas,
        kind=Kind.QUARTERLY_LOKMIN,
        by=world.head,
        title=f"Lokakarya mini lintas sektor triwulan {ROMAN[quarter]} {today.year}",
        held_on=max(
            min(_quarter_meeting_day(today.year, quarter), today),
            datetime.date(today.year, quarter * 3 - 2, 1),
        ),
        agenda=QUARTERLY_AGENDA,
        minutes=CURRENT_MINUTES,
        agreement_text=CURRENT_AGREEMENT,
        status=Status.HELD,
        **common,
    )
    meetings = {"last": last, "current": current}
    people = _kecamatan_people(list(world.villages))
    for meeting, chosen in ((last, people[:12]), (current, people)):
        participants = _participants(meeting, world, chosen)
    _follow_ups(last, world, {}, LAST_RTL, meetings=meetings)
    _commitments(last, world, participants, LAST_COMMITMENTS, meetings=meetings)
    _proposals(last, world, LAST_PROPOSALS)
    problems = _problems(current, world, CURRENT_PROBLEMS)
    _follow_ups(current, world, problems, CURRENT_RTL, meetings=meetings)
    _commitments(current, world, participants, CURRENT_COMMITMENTS, meetings=meetings)
    _proposals(current, world, CURRENT_PROPOSALS)
    _signed_scan(current, world, signers=[p for p in people if p[5]])
    _photos(
        current,
        by=world.head,
        scenes=[
            ("presentation", "Paparan capaian SPM oleh Dinkes"),
            ("discussion", "Diskusi masalah dan rencana tindak lanjut bersama lintas sektor"),
            ("signing", "Penandatanganan kesepakatan bersama"),
        ],
    )
    _photos(
        last,
        by=world.head,
        scenes=[
            ("presentation", "Paparan hasil triwulan oleh kepala puskesmas"),
            ("discussion", "Peserta lintas sektor kecamatan"),
        ],
    )
    return current


def _district_forum(world: _World) -> Meeting:
    held_on = _working_day(world.today - datetime.timedelta(days=100))
    office = HealthOffice.objects.filter(district=world.district).first()
    chair = office.head_name if office and office.head_name else FORUM_CHAIR
    forum = _meeting(
        world,
        area=world.district,
        kind=Kind.DISTRICT_FORUM,
        title=f"Forum lintas sektor percepatan SPM bidang kesehatan {held_on.year}",
        by=world.planner,
        held_on=held_on,
        starts_at=datetime.time(9, 0),
        ends_at=datetime.time(15, 0),
        place=FORUM_PLACE,
        chair_name=chair,
        chair_position=f"Kepala Dinas Kesehatan {world.district.name}",
        speaker=FORUM_SPEAKER,
        agenda=FORUM_AGENDA,
        minutes=FORUM_MINUTES,
        agreement_text=FORUM_AGREEMENT,
        status=Status.CLOSED,
    )
    people = [(chair, f"Kepala Dinas Kesehatan {world.district.name}", "Dinas Kesehatan",
               "health", None, True, True), *FORUM_PEOPLE]  # fmt: skip
    participants = _participants(forum, world, people)
    problems = _problems(forum, world, FORUM_PROBLEMS)
    meetings = {"forum": forum}
    _follow_ups(forum, world, problems, FORUM_RTL, meetings=meetings)
    _commitments(forum, world, participants, FORUM_COMMITMENTS, meetings=meetings)
    _photos(
        forum,
        by=world.planner,
        scenes=[
            ("presentation", "Paparan capaian SPM kabupaten"),
            ("signing", "Penandatanganan komitmen lintas sektor"),
        ],
    )
    return forum


def _signed_scan(meeting: Meeting, world: _World, *, signers: list[tuple]) -> None:
    """A one-page 'scan' of the signed agreement (drawn with Pillow), uploaded once."""
    name = meeting.signed_agreement.name
    if name and meeting.signed_agreement.storage.exists(name):
        return
    content = _scan_pdf(
        title="KESEPAKATAN BERSAMA",
        subtitle=f"{meeting.title} · {meeting.place} · {meeting.held_on:%d-%m-%Y}",
        text=meeting.agreement_text,
        signers=[(name, position) for name, position, *_rest in signers],
    )
    meeting.signed_agreement.save(
        f"kesepakatan-{meeting.held_on:%Y%m%d}-{world.puskesmas.code}.pdf",
        ContentFile(content),
        save=False,
    )
    meeting.signed_agreement_at = _at(meeting.held_on + datetime.timedelta(days=2), 11)
    meeting.signed_agreement_by = world.head
    meeting.save(update_fields=["signed_agreement", "signed_agreement_at", "signed_agreement_by"])


@transaction.atomic
def demo_seed(*, today: datetime.date | None = None) -> dict[str, Meeting]:
    """Load (or refresh) the demo meetings of Hulu Sungai Utara; idempotent and atomic."""
    world = _World(today or timezone.localdate())
    _monthly_lokmin(world)
    _other_monthly_lokmin(world)
    current = _quarterly_lokmin(world)
    forum = _district_forum(world)
    return {"quarterly": current, "forum": forum}
