"""Shipped edition: the planning-capacity assessment of a district health office (capacity_2024).

The FGD that opens a planning-capacity mentoring (pendampingan tata kelola) assesses the Dinkes
on eleven topics (DOMAIN.md §1 and §7, the HSU field report). No official scoring instrument was
found, so this edition is Simpul's own proposal: two or three items per topic, each scored at
the levels 0 / 4 / 7 / 10 with a written definition, like the PKP management part. It is not
verified: the ministry's planning bureau or the mentoring university should check it, and a
checked version is a new edition (imported or added in the admin), never an edit of this one
once used."""

from __future__ import annotations

from typing import Any


def _levels(
    none: tuple[str, str], low: tuple[str, str], mid: tuple[str, str], full: tuple[str, str]
):
    return [
        {"score": score, "definition": text[0], "definition_en": text[1]}
        for score, text in (("0", none), ("4", low), ("7", mid), ("10", full))
    ]


def _item(code: str, text: str, text_en: str, levels: list[dict[str, str]]) -> dict[str, Any]:
    return {"code": code, "text": text, "text_en": text_en, "levels": levels}


SECTIONS: list[dict[str, Any]] = [
    {
        "code": "1",
        "name": "Derajat kesehatan",
        "name_en": "Health status",
        "items": [
            _item(
                "1.1",
                "Dinkes memahami derajat kesehatan kabupaten (kematian ibu dan bayi, gizi, "
                "penyakit) dari data terbaru",
                "The Dinkes knows the district's health status (maternal and infant deaths, "
                "nutrition, disease) from recent data",
                _levels(
                    ("Tidak ada gambaran derajat kesehatan", "No picture of the health status"),
                    (
                        "Gambaran ada tetapi data lebih dari dua tahun",
                        "A picture exists but the data are over two years old",
                    ),
                    (
                        "Gambaran dari data tahun lalu untuk sebagian indikator",
                        "A picture from last year's data for some indicators",
                    ),
                    (
                        "Gambaran dari data tahun lalu untuk semua indikator utama, per kecamatan",
                        "A picture from last year's data for every main indicator, by kecamatan",
                    ),
                ),
            ),
            _item(
                "1.2",
                "Masalah kesehatan prioritas ditetapkan dari capaian SPM dan derajat kesehatan",
                "Priority health problems are set from SPM achievement and the health status",
                _levels(
                    ("Tidak ada penetapan masalah prioritas", "No priority problems set"),
                    (
                        "Masalah prioritas ditetapkan tanpa data",
                        "Priority problems set without data",
                    ),
                    (
                        "Masalah prioritas ditetapkan dari sebagian data",
                        "Priority problems set from some of the data",
                    ),
                    (
                        "Masalah prioritas ditetapkan dengan metode dan data SPM lengkap",
                        "Priority problems set by a method on complete SPM data",
                    ),
                ),
            ),
        ],
    },
    {
        "code": "2",
        "name": "Manajemen data dan informasi",
        "name_en": "Data and information management",
        "items": [
            _item(
                "2.1",
                "Laporan bulanan puskesmas lengkap dan tepat waktu",
                "The puskesmas's monthly reports are complete and on time",
                _levels(
                    ("Kurang dari 50% laporan masuk", "Under 50% of reports received"),
                    ("50-79% laporan masuk", "50-79% of reports received"),
                    ("80-94% laporan masuk, sebagian terlambat", "80-94% received, some late"),
                    ("95% atau lebih laporan masuk tepat waktu", "95% or more received on time"),
                ),
            ),
            _item(
                "2.2",
                "Data divalidasi dan diolah menjadi informasi untuk perencanaan",
                "Data are checked and turned into information for planning",
                _levels(
                    ("Data tidak divalidasi atau diolah", "Data neither checked nor analysed"),
                    ("Validasi sesekali, tanpa analisis", "Checked now and then, not analysed"),
                    (
                        "Validasi rutin, analisis sebagian program",
                        "Checked routinely, analysed for some programmes",
                    ),
                    (
                        "Validasi rutin dan analisis dipakai dalam dokumen perencanaan",
                        "Checked routinely and the analysis used in the planning documents",
                    ),
                ),
            ),
            _item(
                "2.3",
                "Data sasaran (proyeksi penduduk, sasaran SPM) disepakati dan dipakai bersama",
                "Target populations (projections, SPM targets) are agreed and shared",
                _levels(
                    ("Tidak ada data sasaran yang disepakati", "No agreed target data"),
                    (
                        "Tiap program memakai angka sasaran sendiri",
                        "Each programme uses its own targets",
                    ),
                    (
                        "Sasaran disepakati, belum dipakai semua program",
                        "Targets agreed, not yet used by every programme",
                    ),
                    (
                        "Sasaran disepakati dan dipakai semua program dan puskesmas",
                        "Targets agreed and used by every programme and puskesmas",
                    ),
                ),
            ),
        ],
    },
    {
        "code": "3",
        "name": "Proses perencanaan",
        "name_en": "The planning process",
        "items": [
            _item(
                "3.1",
                "Renja dan RKA disusun dari analisis situasi dan RUK puskesmas (bottom-up)",
                "The Renja and RKA are built from a situation analysis and the puskesmas's RUK "
                "(bottom-up)",
                _levels(
                    ("Renja menyalin tahun lalu", "The Renja copies last year's"),
                    (
                        "Analisis situasi ada, RUK puskesmas tidak dipakai",
                        "A situation analysis exists, the puskesmas's RUK unused",
                    ),
                    ("RUK dipakai untuk sebagian program", "The RUK used for some programmes"),
                    (
                        "Renja dan RKA menelusuri analisis situasi dan RUK semua puskesmas",
                        "The Renja and RKA trace the situation analysis and every puskesmas's RUK",
                    ),
                ),
            ),
            _item(
                "3.2",
                "Jadwal perencanaan (Musrenbang, forum OPD, RKA) diikuti dan didokumentasikan",
                "The planning calendar (Musrenbang, OPD forum, RKA) is followed and documented",
                _levels(
                    ("Tahapan tidak diikuti", "The steps are not followed"),
                    (
                        "Sebagian tahapan diikuti, tanpa dokumen",
                        "Some steps followed, undocumented",
                    ),
                    (
                        "Semua tahapan diikuti, dokumen sebagian",
                        "Every step followed, partly documented",
                    ),
                    (
                        "Semua tahapan diikuti tepat waktu dan terdokumentasi",
                        "Every step followed on time and documented",
                    ),
                ),
            ),
            _item(
                "3.3",
                "Kegiatan dan anggaran diarahkan untuk mencapai target SPM",
                "Activities and budgets are aimed at reaching the SPM targets",
                _levels(
                    ("Tidak ada kaitan dengan SPM", "No link to SPM"),
                    ("Sebagian kecil kegiatan terkait SPM", "A few activities linked to SPM"),
                    (
                        "Sebagian besar layanan SPM punya kegiatan",
                        "Most SPM services have activities",
                    ),
                    (
                        "Setiap layanan SPM punya kegiatan dan anggaran sesuai kesenjangan",
                        "Every SPM service has activities and budget sized to its gap",
                    ),
                ),
            ),
        ],
    },
    {
        "code": "4",
        "name": "Jumlah dan kompetensi SDM",
        "name_en": "Number and competence of staff",
        "items": [
            _item(
                "4.1",
                "Jumlah tenaga Dinkes dan puskesmas sesuai kebutuhan (9 jenis tenaga di puskesmas)",
                "Staff numbers at the Dinkes and puskesmas meet the need (the 9 kinds at each "
                "puskesmas)",
                _levels(
                    ("Kebutuhan tenaga tidak dihitung", "Staff needs not counted"),
                    (
                        "Dihitung, kurang dari separuh puskesmas lengkap",
                        "Counted, under half of puskesmas complete",
                    ),
                    ("Separuh atau lebih puskesmas lengkap", "Half or more of puskesmas complete"),
                    (
                        "Semua puskesmas lengkap atau ada rencana pemenuhan",
                        "Every puskesmas complete or a plan to fill the gaps",
                    ),
                ),
            ),
            _item(
                "4.2",
                "Tenaga mendapat pelatihan sesuai tugas, berdasarkan analisis kebutuhan",
                "Staff are trained for their tasks, from a training-needs analysis",
                _levels(
                    ("Tidak ada pelatihan", "No training"),
                    (
                        "Pelatihan sesekali tanpa analisis kebutuhan",
                        "Occasional training, no needs analysis",
                    ),
                    (
                        "Analisis kebutuhan ada, pelatihan sebagian",
                        "A needs analysis, some training",
                    ),
                    ("Rencana pengembangan kompetensi dijalankan", "A competence plan carried out"),
                ),
            ),
        ],
    },
    {
        "code": "5",
        "name": "Pembiayaan",
        "name_en": "Financing",
        "items": [
            _item(
                "5.1",
                "Sumber dana (APBD, DAK, BOK, JKN, Dana Desa) dipetakan dan dipadukan",
                "Funding sources (APBD, DAK, BOK, JKN, Dana Desa) are mapped and combined",
                _levels(
                    ("Tidak dipetakan", "Not mapped"),
                    ("Sebagian sumber dipetakan", "Some sources mapped"),
                    (
                        "Semua sumber dipetakan, belum dipadukan",
                        "Every source mapped, not combined",
                    ),
                    (
                        "Semua sumber dipetakan dan dipadukan per kegiatan",
                        "Every source mapped and combined per activity",
                    ),
                ),
            ),
            _item(
                "5.2",
                "Anggaran kesehatan dan realisasinya dipantau",
                "The health budget and its spending are followed",
                _levels(
                    ("Realisasi tidak dipantau", "Spending not followed"),
                    ("Dipantau di akhir tahun", "Followed at year end"),
                    ("Dipantau per triwulan", "Followed each quarter"),
                    (
                        "Dipantau per bulan dan dipakai untuk revisi",
                        "Followed monthly and used for revisions",
                    ),
                ),
            ),
        ],
    },
    {
        "code": "6",
        "name": "Tenaga perencana",
        "name_en": "Planning staff",
        "items": [
            _item(
                "6.1",
                "Ada tenaga perencana (fungsional atau ditunjuk) di Dinkes",
                "The Dinkes has planners (functional or appointed)",
                _levels(
                    ("Tidak ada", "None"),
                    ("Ditunjuk, tugas rangkap", "Appointed, with other duties"),
                    ("Perencana khusus, belum terlatih", "Dedicated planners, untrained"),
                    (
                        "Perencana fungsional terlatih dan cukup",
                        "Enough trained functional planners",
                    ),
                ),
            ),
            _item(
                "6.2",
                "Puskesmas punya penanggung jawab perencanaan yang terlatih",
                "Each puskesmas has a trained person in charge of planning",
                _levels(
                    ("Tidak ada", "None"),
                    ("Kurang dari separuh puskesmas", "Under half of the puskesmas"),
                    ("Separuh atau lebih puskesmas", "Half or more of the puskesmas"),
                    ("Semua puskesmas, terlatih", "Every puskesmas, trained"),
                ),
            ),
        ],
    },
    {
        "code": "7",
        "name": "Sarana dan prasarana",
        "name_en": "Facilities",
        "items": [
            _item(
                "7.1",
                "Sarana kerja perencanaan (komputer, internet, ruang) tersedia",
                "Planning tools (computers, internet, a room) are available",
                _levels(
                    ("Tidak tersedia", "Not available"),
                    ("Terbatas, dipakai bergantian", "Few, shared"),
                    (
                        "Cukup di Dinkes, kurang di puskesmas",
                        "Enough at the Dinkes, short at puskesmas",
                    ),
                    ("Cukup di Dinkes dan puskesmas", "Enough at the Dinkes and puskesmas"),
                ),
            ),
            _item(
                "7.2",
                "Sarana dan prasarana fasilitas kesehatan dipetakan (ASPAK) untuk perencanaan",
                "Health facilities' equipment and buildings are mapped (ASPAK) for planning",
                _levels(
                    ("Tidak dipetakan", "Not mapped"),
                    ("Dipetakan sebagian, tidak mutakhir", "Partly mapped, out of date"),
                    ("Dipetakan lengkap, belum dipakai", "Fully mapped, not used"),
                    (
                        "Dipetakan mutakhir dan dipakai dalam perencanaan",
                        "Mapped, current and used in planning",
                    ),
                ),
            ),
        ],
    },
    {
        "code": "8",
        "name": "Dukungan lintas sektor",
        "name_en": "Cross-sector support",
        "items": [
            _item(
                "8.1",
                "Bappeda/Bappelitbang, kecamatan dan desa terlibat dalam perencanaan kesehatan",
                "The planning agency (Bappeda), kecamatan and desa take part in health planning",
                _levels(
                    ("Tidak terlibat", "Not involved"),
                    ("Diundang sesekali", "Invited now and then"),
                    ("Terlibat di forum perencanaan", "Take part in the planning forums"),
                    (
                        "Terlibat dan berkomitmen dengan kegiatan dan dana",
                        "Take part and commit activities and funds",
                    ),
                ),
            ),
            _item(
                "8.2",
                "Kesepakatan lintas sektor ditindaklanjuti dan dipantau",
                "Cross-sector agreements are followed up and tracked",
                _levels(
                    ("Tidak ada kesepakatan", "No agreements"),
                    ("Kesepakatan ada, tidak dipantau", "Agreements exist, not tracked"),
                    ("Sebagian dipantau", "Some tracked"),
                    ("Semua dipantau sampai selesai", "All tracked to done"),
                ),
            ),
        ],
    },
    {
        "code": "9",
        "name": "Pembinaan unit kesehatan",
        "name_en": "Supervision of health units",
        "items": [
            _item(
                "9.1",
                "Supervisi/pembinaan puskesmas terjadwal dan memakai instrumen",
                "Supervision of puskesmas is scheduled and uses a checklist",
                _levels(
                    ("Tidak ada supervisi", "No supervision"),
                    ("Sesekali, tanpa instrumen", "Occasional, no checklist"),
                    ("Terjadwal, sebagian puskesmas", "Scheduled, some puskesmas"),
                    (
                        "Terjadwal untuk semua puskesmas dengan instrumen",
                        "Scheduled for every puskesmas with a checklist",
                    ),
                ),
            ),
            _item(
                "9.2",
                "Hasil supervisi diumpanbalikkan dan RTL dipantau",
                "Supervision findings are fed back and the RTL tracked",
                _levels(
                    ("Tidak ada umpan balik", "No feedback"),
                    ("Umpan balik lisan", "Spoken feedback"),
                    (
                        "Umpan balik tertulis, RTL tidak dipantau",
                        "Written feedback, RTL not tracked",
                    ),
                    (
                        "Umpan balik tertulis dan RTL dipantau sampai selesai",
                        "Written feedback and the RTL tracked to done",
                    ),
                ),
            ),
        ],
    },
    {
        "code": "10",
        "name": "Monitoring dan evaluasi",
        "name_en": "Monitoring and evaluation",
        "items": [
            _item(
                "10.1",
                "Capaian SPM dan program dipantau berkala (lokmin, rapat evaluasi)",
                "SPM and programme results are reviewed regularly (lokmin, review meetings)",
                _levels(
                    ("Tidak dipantau", "Not reviewed"),
                    ("Dipantau tahunan", "Reviewed yearly"),
                    ("Dipantau per triwulan", "Reviewed each quarter"),
                    ("Dipantau per bulan dengan tindak lanjut", "Reviewed monthly with follow-up"),
                ),
            ),
            _item(
                "10.2",
                "Penilaian kinerja puskesmas (PKP) dilakukan dan diumpanbalikkan",
                "The puskesmas performance assessment (PKP) is done and fed back",
                _levels(
                    ("Tidak dilakukan", "Not done"),
                    ("Penilaian mandiri saja", "Self-assessment only"),
                    (
                        "Diverifikasi Dinkes, tanpa umpan balik",
                        "Verified by the Dinkes, no feedback",
                    ),
                    (
                        "Diverifikasi, diumpanbalikkan dan diperingkat",
                        "Verified, fed back and ranked",
                    ),
                ),
            ),
        ],
    },
    {
        "code": "11",
        "name": "Komitmen",
        "name_en": "Commitment",
        "items": [
            _item(
                "11.1",
                "Pimpinan Dinkes mendukung perbaikan perencanaan (arahan, waktu, keputusan)",
                "The Dinkes leadership backs better planning (direction, time, decisions)",
                _levels(
                    ("Tidak ada dukungan", "No backing"),
                    ("Dukungan lisan", "Spoken backing"),
                    (
                        "Arahan tertulis atau tim ditetapkan",
                        "Written direction or a team appointed",
                    ),
                    (
                        "Tim ditetapkan, dipantau pimpinan dan didanai",
                        "A team appointed, followed by the leadership and funded",
                    ),
                ),
            ),
            _item(
                "11.2",
                "Pemerintah daerah berkomitmen pada target SPM kesehatan",
                "The local government commits to the health SPM targets",
                _levels(
                    ("Tidak ada komitmen", "No commitment"),
                    ("Komitmen lisan", "Spoken commitment"),
                    ("Target SPM ada di RPJMD/Renstra", "SPM targets in the RPJMD/Renstra"),
                    (
                        "Target SPM di RPJMD/Renstra dan didanai",
                        "SPM targets in the RPJMD/Renstra and funded",
                    ),
                ),
            ),
        ],
    },
]

EDITION: dict[str, Any] = {
    "kind": "capacity",
    "code": "capacity",
    "valid_from": 2024,
    "name": "Penilaian kapasitas perencanaan Dinas Kesehatan",
    "name_en": "Planning-capacity assessment of the district health office",
    "source": "Simpul, dari topik FGD pendampingan tata kelola (laporan lapangan HSU)",
    "is_verified": False,
    "scale_max": "10",
    "notes": (
        "Belum diverifikasi. Sebelas topik FGD pendampingan tata kelola perencanaan (laporan "
        "lapangan Hulu Sungai Utara); butir, tingkat 0/4/7/10 dan definisinya adalah usulan "
        "Simpul, bukan instrumen resmi. Batas peringkat (baik >= 7,5; cukup >= 5; kurang) juga "
        "usulan. Not verified: the eleven FGD topics of the HSU field report; the items, the "
        "0/4/7/10 levels and their definitions, and the rank bands are Simpul's proposal."
    ),
    "sections": [{**section, "part": "topic", "weight": "1"} for section in SECTIONS],
    "bands": [
        {"applies_to": "overall", "rank": "good", "min_value": "7.5"},
        {"applies_to": "overall", "rank": "fair", "min_value": "5"},
        {"applies_to": "overall", "rank": "poor", "min_value": "0"},
    ],
}
