"""The mentoring demo (issue #18): mentor.hsu assigned to Hulu Sungai Utara by prov.kalsel from
1 January 2026; the FGD as a district meeting of the FGD format with the baseline capacity
assessment (low-ish), a review some months later with some topics higher; a plan of five
activities (two done with evidence), two visits (the Dinkes and Puskesmas Alabio) and four RTL
items in different states (one overdue). Idempotent: rows are found by their natural keys and
left alone when they exist."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from kernel.models import District, MentorAssignment, Puskesmas, User
from workshops.models import Meeting, Participant

from ..editions import load_edition
from ..editions.capacity_2024 import EDITION
from ..models import (
    CapacityAssessment,
    CapacityScore,
    Instrument,
    Item,
    MentoringActivity,
    MentoringItem,
    MentoringVisit,
    Part,
    Section,
)
from .mentoring import capacity_score_refresh

DISTRICT_CODE = "63.08"
START = datetime.date(2026, 1, 1)
FGD_DAY = datetime.date(2026, 2, 10)
REVIEW_DAY = datetime.date(2026, 8, 12)
FGD_TITLE = "FGD penilaian kapasitas perencanaan Dinas Kesehatan"
ORGANISATION = "Biro Perencanaan Kemenkes dan Universitas Lambung Mangkurat"

# Section code -> level at the baseline and at the review (the review moves some topics up).
BASELINE = {
    "1": 4,
    "2": 4,
    "3": 0,
    "4": 4,
    "5": 4,
    "6": 0,
    "7": 4,
    "8": 4,
    "9": 0,
    "10": 4,
    "11": 7,
}
REVIEW = {"1": 7, "2": 7, "3": 4, "4": 4, "5": 4, "6": 4, "7": 4, "8": 7, "9": 4, "10": 7, "11": 7}

PEOPLE = [
    ("Kepala Dinas Kesehatan", "Dinas Kesehatan", "health"),
    ("Sekretaris Dinas (Kasubag Perencanaan)", "Dinas Kesehatan", "health"),
    ("Kabid Kesehatan Masyarakat", "Dinas Kesehatan", "health"),
    ("Kasi Yankes Primer", "Dinas Kesehatan", "health"),
    ("Perencana Bappelitbang", "Bappelitbang", "planning"),
    ("Pendamping Biro Perencanaan", "Kemenkes", "health"),
]

ACTIVITIES = [
    ("Pemetaan masalah kesehatan dari data SPM", "2", (1, 15), (2, 28), "done",
     "Peta masalah per kecamatan disepakati dalam FGD (notulen 10/02)"),
    ("Pendampingan penyusunan analisis situasi Renja", "3", (3, 1), (4, 30), "done",
     "Draf analisis situasi Renja 2027 memuat kesenjangan SPM (dokumen v2)"),
    ("Pendampingan RUK puskesmas berbasis SPM", "3", (5, 1), (7, 31), "in_progress", ""),
    ("Pelatihan perencana puskesmas", "6", (9, 1), (10, 31), "planned", ""),
    ("Kawal alur perencanaan ke RKA 2027", "11", (10, 1), (12, 31), "planned", ""),
]  # fmt: skip

ITEMS = [
    ("Data sasaran tiap program berbeda", "Belum ada kesepakatan data sasaran",
     "Tetapkan data sasaran bersama lewat SK Kepala Dinas", "Kasubag Perencanaan", "2",
     (4, 30), "done", "SK data sasaran 2027 terbit"),
    ("RUK puskesmas tidak dipakai dalam Renja", "Jadwal penyusunan tidak selaras",
     "Selaraskan jadwal RUK puskesmas dengan penyusunan Renja", "Kasubag Perencanaan", "3",
     (6, 30), "in_progress", ""),
    ("Supervisi puskesmas tanpa instrumen", "Belum ada instrumen baku",
     "Gunakan instrumen supervisi dan jadwalkan per triwulan", "Kasi Yankes Primer", "9",
     (7, 31), "planned", ""),
    ("Perencana puskesmas belum terlatih", "Belum ada anggaran pelatihan",
     "Usulkan pelatihan perencana dalam RKA perubahan", "Kabid SDK", "6",
     (11, 30), "planned", ""),
]  # fmt: skip


def _capacity_instrument() -> Instrument:
    """The shipped capacity edition, reloaded when the database still holds its empty
    placeholder (loaded before the edition was written) and nothing was assessed with it."""
    instrument = Instrument.objects.filter(
        code=EDITION["code"], valid_from=EDITION["valid_from"]
    ).first()
    if instrument is not None and not instrument.sections.exists() and not instrument.is_in_use():
        instrument.delete()
        instrument = None
    if instrument is None:
        instrument = load_edition(apps.get_model, EDITION)
    return instrument


def _fgd(district: District, planner: User) -> Meeting:
    meeting = Meeting.objects.filter(
        district=district, format=Meeting.Format.FGD, title=FGD_TITLE
    ).first()
    if meeting is None:
        meeting = Meeting.objects.create(
            kind=Meeting.Kind.DISTRICT_MEETING,
            format=Meeting.Format.FGD,
            title=FGD_TITLE,
            province_id=district.province_id,
            district=district,
            held_on=FGD_DAY,
            starts_at=datetime.time(9, 0),
            ends_at=datetime.time(14, 0),
            place="Aula Dinas Kesehatan",
            chair_name="Kepala Dinas Kesehatan",
            agenda="Paparan pendampingan\nPenilaian kapasitas perencanaan per topik\nRTL",
            minutes="Sebelas topik dinilai bersama; kelemahan utama: proses perencanaan, "
            "tenaga perencana dan pembinaan unit kesehatan.",
            status=Meeting.Status.HELD,
            created_by=planner,
        )
    for order, (position, organisation, sector) in enumerate(PEOPLE, start=1):
        Participant.objects.get_or_create(
            meeting=meeting,
            name=position,
            defaults={
                "position": position,
                "organisation": organisation,
                "sector": sector,
                "attended": True,
                "order": order,
            },
        )
    return meeting


def _assessment(
    *,
    district: District,
    instrument: Instrument,
    stage: str,
    held_on: datetime.date,
    levels: dict[str, int],
    mentor: User,
    meeting: Meeting | None = None,
    summary: str = "",
) -> CapacityAssessment:
    found = CapacityAssessment.objects.filter(district=district, stage=stage, held_on=held_on)
    assessment = found.first()
    if assessment is not None:
        return assessment
    assessment = CapacityAssessment.objects.create(
        district=district,
        instrument=instrument,
        stage=stage,
        held_on=held_on,
        meeting=meeting,
        summary=summary,
        created_by=mentor,
        updated_by=mentor,
    )
    items = Item.objects.filter(
        section__instrument=instrument, section__part=Part.TOPIC
    ).select_related("section")
    CapacityScore.objects.bulk_create(
        CapacityScore(
            assessment=assessment,
            item=item,
            # The first item of a topic at the topic's level, the others a step lower or equal.
            score=Decimal(_level(levels.get(item.section.code, 0), item.order)),
            updated_by=mentor,
        )
        for item in items
    )
    capacity_score_refresh(assessment)
    return assessment


def _level(level: int, order: int) -> int:
    steps = [0, 4, 7, 10]
    if order <= 1 or level == 0:
        return level
    return steps[max(0, steps.index(level) - (order - 1) % 2)]


def _month_day(year: int, pair: tuple[int, int]) -> datetime.date:
    return datetime.date(year, *pair)


@transaction.atomic
def demo_seed() -> None:
    district = District.objects.filter(code=DISTRICT_CODE).first()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["mentor.hsu", "prov.kalsel", "dinkes.hsu"])
    }
    mentor, province, planner = (
        users.get("mentor.hsu"),
        users.get("prov.kalsel"),
        users.get("dinkes.hsu"),
    )
    if district is None or mentor is None or province is None or planner is None:
        return  # the kernel's demo did not run
    instrument = _capacity_instrument()
    if not MentorAssignment.objects.filter(user=mentor, district=district).exists():
        MentorAssignment.objects.create(
            user=mentor,
            district=district,
            starts_on=START,
            organisation=ORGANISATION,
            created_by=province,
            updated_by=province,
        )
    fgd = _fgd(district, planner)
    baseline = _assessment(
        district=district,
        instrument=instrument,
        stage=CapacityAssessment.Stage.BASELINE,
        held_on=FGD_DAY,
        levels=BASELINE,
        mentor=mentor,
        meeting=fgd,
        summary="Baseline dari FGD: proses perencanaan, tenaga perencana dan pembinaan "
        "puskesmas paling lemah.",
    )
    _assessment(
        district=district,
        instrument=instrument,
        stage=CapacityAssessment.Stage.REVIEW,
        held_on=REVIEW_DAY,
        levels=REVIEW,
        mentor=mentor,
        summary="Data sasaran disepakati, analisis situasi memakai data SPM; tenaga perencana "
        "puskesmas masih kurang.",
    )
    topics = {s.code: s for s in Section.objects.filter(instrument=instrument, part=Part.TOPIC)}
    year = START.year
    now = timezone.now()
    activities = {}
    for title, topic, starts, due, status, note in ACTIVITIES:
        activity = MentoringActivity.objects.filter(district=district, title=title).first()
        if activity is None:
            activity = MentoringActivity.objects.create(
                district=district,
                title=title,
                section=topics.get(topic),
                starts_on=_month_day(year, starts),
                due_on=_month_day(year, due),
                status=status,
                status_note=note,
                status_changed_at=now if status != "planned" else None,
                status_changed_by=mentor if status != "planned" else None,
                created_by=mentor,
                updated_by=mentor,
            )
        activities[title] = activity
    alabio = Puskesmas.objects.filter(district=district, name__icontains="Alabio").first()
    visits = [
        (datetime.date(2026, 3, 18), None, ACTIVITIES[1][0], "Analisis situasi Renja",
         "Telaah draf analisis situasi bersama Kasubag Perencanaan; data SPM triwulan IV "
         "belum lengkap dari tiga puskesmas.",
         "Lengkapi data SPM; jadwalkan telaah kedua."),
        (datetime.date(2026, 6, 9), alabio, ACTIVITIES[2][0], "RUK puskesmas",
         "Pendampingan penyusunan RUK Puskesmas Alabio: analisis situasi memakai dasbor SPM, "
         "usulan kegiatan kelas ibu hamil dan posyandu remaja.",
         "Puskesmas mengirim RUK ke Dinkes sebelum akhir Juni."),
    ]  # fmt: skip
    saved_visits = []
    for day, puskesmas, activity_title, topics_text, notes, next_steps in visits:
        visit = MentoringVisit.objects.filter(district=district, visited_on=day).first()
        if visit is None:
            visit = MentoringVisit.objects.create(
                district=district,
                visited_on=day,
                mentor=mentor,
                puskesmas=puskesmas,
                activity=activities.get(activity_title),
                topics=topics_text,
                notes=notes,
                next_steps=next_steps,
                created_by=mentor,
                updated_by=mentor,
            )
        saved_visits.append(visit)
    for index, (problem, cause, action, responsible, topic, due, status, note) in enumerate(ITEMS):
        if MentoringItem.objects.filter(district=district, problem=problem).exists():
            continue
        MentoringItem.objects.create(
            district=district,
            problem=problem,
            cause=cause,
            action=action,
            responsible=responsible,
            section=topics.get(topic),
            assessment=baseline,
            visit=saved_visits[0] if index == 1 else None,
            due_on=_month_day(year, due),
            status=status,
            status_note=note,
            status_changed_at=now if status != "planned" else None,
            status_changed_by=planner if status == "done" else None,
            created_by=mentor,
            updated_by=mentor,
        )
