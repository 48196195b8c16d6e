"""Demo data of the supervision part (issue #18), for `manage.py seed_demo`: Hulu Sungai
Utara's supervision of 2026 by dinkes.hsu: five visits held (Puskesmas Alabio and Puskesmas
Danau Panggang among them) with their checklist scores and findings, RTL actions in every
status (one overdue), and two visits planned in the coming weeks. Written through the
supervision services. Idempotent: a visit already there (same puskesmas and purpose) is kept.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from kernel.models import Puskesmas, User

from ..models import Item, SupervisionAction, SupervisionVisit
from . import supervision as services

DISTRICT = "63.08"  # Hulu Sungai Utara
PLANNER = "dinkes.hsu"
TEAM = "Rahmadi Noor, perencana Dinkes\nKasi Pelayanan Kesehatan Primer\nApoteker Dinkes"

# (puskesmas, visit date, purpose, level per section code A-E, findings, RTL actions:
#  (finding, action, responsible, days after the visit it is due, status, note)).
DONE = [
    (
        "Alabio",
        datetime.date(2026, 3, 11),
        "Supervisi terpadu triwulan I",
        {"A": "7", "B": "7", "C": "10", "D": "4", "E": "7"},
        "Laporan bulanan SPM dua bulan terlambat; lokmin berjalan, PWS belum dianalisis.",
        [
            (
                "Laporan SPM Januari dan Februari terlambat",
                "Tetapkan petugas pengirim laporan dan tenggat tanggal 5",
                "Kepala Puskesmas",
                30,
                "done",
                "SK petugas pelaporan terbit; laporan Maret tepat waktu",
            ),
            (
                "PWS KIA tidak dianalisis per desa",
                "Bahas PWS KIA per desa di setiap lokmin",
                "Bidan koordinator",
                60,
                "in_progress",
                "",
            ),
        ],
    ),
    (
        "Danau Panggang",
        datetime.date(2026, 4, 22),
        "Supervisi terpadu triwulan II",
        {"A": "4", "B": "7", "C": "4", "D": "7", "E": "4"},
        "RPK belum disusun; stok vaksin dan obat esensial kosong lebih dari sebulan; "
        "lemari es vaksin tanpa catatan suhu.",
        [
            (
                "Stok obat esensial kosong lebih dari sebulan",
                "Ajukan permintaan obat ke Instalasi Farmasi dan perbaiki LPLPO",
                "Apoteker puskesmas",
                21,
                "planned",
                "",
            ),
            (
                "Suhu lemari es vaksin tidak dicatat",
                "Pasang lembar pencatatan suhu dua kali sehari",
                "Koordinator imunisasi",
                14,
                "done",
                "Lembar suhu terpasang, dicek saat kunjungan lanjutan",
            ),
            (
                "RPK belum disusun",
                "Susun RPK dari RUK yang disetujui",
                "Kepala Puskesmas",
                45,
                "dropped",
                "Digabung dengan pendampingan penyusunan RPK kabupaten",
            ),
        ],
    ),
    (
        "Babirik",
        datetime.date(2026, 6, 9),
        "Supervisi program gizi dan imunisasi",
        {"A": "7", "B": "4", "C": "7", "D": "7", "E": "7"},
        "Balita gizi kurang belum ditindaklanjuti; cakupan imunisasi dasar di bawah target.",
        [
            (
                "Balita gizi kurang belum dikunjungi",
                "Kunjungan rumah balita gizi kurang bersama kader",
                "Nutrisionis",
                30,
                "in_progress",
                "",
            ),
        ],
    ),
    (
        "Amuntai Tengah",
        datetime.date(2026, 8, 18),
        "Supervisi terpadu triwulan III",
        {"A": "10", "B": "7", "C": "10", "D": "10", "E": "7"},
        "Manajemen baik; alat laboratorium belum dikalibrasi.",
        [
            (
                "Alat laboratorium belum dikalibrasi",
                "Jadwalkan kalibrasi dengan BPFK",
                "Pengelola barang",
                60,
                "planned",
                "",
            ),
        ],
    ),
    (
        "Paminggir",
        datetime.date(2026, 10, 7),
        "Supervisi puskesmas perairan",
        {"A": "4", "B": "4", "C": "7", "D": "4", "E": "4"},
        "Lokmin hanya tiga kali setahun; laporan SPM tidak lengkap; genset rusak.",
        [
            (
                "Lokmin tidak rutin",
                "Jadwalkan lokmin bulanan dengan lintas program",
                "Kepala Puskesmas",
                30,
                "planned",
                "",
            ),
        ],
    ),
]

OPEN = ("planned", "in_progress")
OVERDUE = "Stok obat esensial kosong lebih dari sebulan"  # the one RTL action left overdue

PLANNED = [
    ("Sungai Pandan", 10, "Supervisi terpadu triwulan IV"),
    ("Haur Gading", 24, "Supervisi terpadu triwulan IV"),
]


def _puskesmas(name: str) -> Puskesmas | None:
    return Puskesmas.objects.filter(district__code=DISTRICT, name=f"Puskesmas {name}").first()


def _exists(puskesmas: Puskesmas, purpose: str) -> bool:
    return SupervisionVisit.objects.filter(puskesmas=puskesmas, purpose=purpose).exists()


def demo_seed() -> None:
    planner = User.objects.filter(username=PLANNER).first()
    if planner is None:
        return
    today = timezone.localdate()
    for name, day, purpose, levels, findings, actions in DONE:
        puskesmas = _puskesmas(name)
        if puskesmas is None or _exists(puskesmas, purpose):
            continue
        day = min(day, today)
        visit = services.visit_plan(
            puskesmas=puskesmas, planned_on=day, team=TEAM, purpose=purpose, by=planner
        )
        items = Item.objects.filter(section__instrument=visit.instrument).select_related("section")
        scores = {item.pk: (levels.get(item.section.code, ""), "") for item in items}
        visit = services.visit_record(
            visit=visit,
            visited_on=day,
            findings=findings,
            scores=scores,
            by=planner,
            version=visit.version,
        )
        for finding, action_text, responsible, days, status, note in actions:
            due = day + datetime.timedelta(days=days)
            if status in OPEN and finding != OVERDUE:  # open ones due ahead, but one
                due = max(due, today + datetime.timedelta(days=days))
            action = services.action_save(
                action=SupervisionAction(
                    visit=visit,
                    finding=finding,
                    action=action_text,
                    responsible=responsible,
                    due_on=due,
                ),
                by=planner,
                version=None,
            )
            if status == "done":
                services.action_status_change(action=action, status="in_progress", by=planner)
            if status != "planned":
                services.action_status_change(action=action, status=status, note=note, by=planner)
    for name, days, purpose in PLANNED:
        puskesmas = _puskesmas(name)
        if puskesmas is None or _exists(puskesmas, purpose):
            continue
        services.visit_plan(
            puskesmas=puskesmas,
            planned_on=today + datetime.timedelta(days=days),
            team=TEAM,
            purpose=purpose,
            by=planner,
        )
