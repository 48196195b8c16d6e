"""Shipped edition: the puskesmas performance assessment (PKP, Permenkes 44/2016 P3) from 2024.

Seen (DOMAIN.md §3, §7): the service part's layout (programme > variable > sub-variable >
activity, annual target %, target group, target count, actual, coverage, % of target capped at
100, problem, cause, RTL); the management part's variables A (general management), B (resources),
C (finance and assets), each scored 0, 4, 7 or 10 with a written definition; the lokmin levels
(monthly 9-12 a year 10, 5-8 7, under 5 4; quarterly 4 a year 10, 2-3 7, under 2 4).
Simpul's own (unverified): the wording of the other levels' definitions, the non-SPM activities
and their targets, the choice of programmes, and the rank bands. Edit them as data (admin or
Excel import of a new edition) once checked against the district's own sheet.
"""

from __future__ import annotations


def _levels(*definitions: tuple[str, str]) -> list[dict]:
    """Levels 0, 4, 7, 10 with their (Indonesian, English) definitions."""
    return [
        {"score": score, "definition": text, "definition_en": text_en}
        for score, (text, text_en) in zip(("0", "4", "7", "10"), definitions, strict=True)
    ]


def _spm(code: str, service: str, text: str, text_en: str, variable: str, unit: str) -> dict:
    return {
        "code": code,
        "text": text,
        "text_en": text_en,
        "rule": "spm_service",
        "service": service,
        "target_pct": "100",
        "variable": variable,
        "sub_variable": "SPM",
        "unit": unit,
        "guidance": "Sasaran dan capaian dari target dan laporan bulanan SPM di Simpul.",
    }


def _manual(code: str, text: str, text_en: str, variable: str, unit: str, target: str) -> dict:
    return {
        "code": code,
        "text": text,
        "text_en": text_en,
        "target_pct": target,
        "variable": variable,
        "unit": unit,
        "guidance": "Diisi puskesmas dari register program.",
    }


SERVICE_SECTIONS = [
    {
        "part": "service",
        "code": "KIA",
        "name": "KIA-KB",
        "name_en": "Maternal and child health, family planning (KIA-KB)",
        "items": [
            _spm(
                "KIA1",
                "SPM-01",
                "Pelayanan kesehatan ibu hamil sesuai standar",
                "Antenatal care to standard",
                "Kesehatan ibu",
                "ibu hamil",
            ),
            _spm(
                "KIA2",
                "SPM-02",
                "Persalinan sesuai standar di fasilitas kesehatan",
                "Deliveries to standard in a health facility",
                "Kesehatan ibu",
                "ibu bersalin",
            ),
            _spm(
                "KIA3",
                "SPM-03",
                "Pelayanan kesehatan bayi baru lahir sesuai standar",
                "Newborn care to standard",
                "Kesehatan anak",
                "bayi",
            ),
            _spm(
                "KIA4",
                "SPM-04",
                "Pelayanan kesehatan balita sesuai standar",
                "Under-five care to standard",
                "Kesehatan anak",
                "balita",
            ),
            _manual(
                "KIA5",
                "Peserta KB aktif",
                "Active family-planning users",
                "Keluarga berencana",
                "PUS",
                "70",
            ),
        ],
    },
    {
        "part": "service",
        "code": "GIZI",
        "name": "Gizi",
        "name_en": "Nutrition (Gizi)",
        "items": [
            _manual(
                "GIZI1",
                "Balita ditimbang (D/S)",
                "Under-fives weighed (D/S)",
                "Pemantauan pertumbuhan",
                "balita",
                "85",
            ),
            _manual(
                "GIZI2",
                "Bayi usia kurang dari 6 bulan mendapat ASI eksklusif",
                "Infants under 6 months exclusively breastfed",
                "ASI eksklusif",
                "bayi",
                "50",
            ),
        ],
    },
    {
        "part": "service",
        "code": "IMUN",
        "name": "Imunisasi",
        "name_en": "Immunisation (Imunisasi)",
        "items": [
            _manual(
                "IMUN1",
                "Bayi mendapat imunisasi dasar lengkap",
                "Infants fully immunised",
                "Imunisasi dasar",
                "bayi",
                "95",
            ),
        ],
    },
    {
        "part": "service",
        "code": "UKS",
        "name": "Kesehatan usia sekolah dan produktif",
        "name_en": "School-age and productive-age health",
        "items": [
            _spm(
                "UKS1",
                "SPM-05",
                "Skrining kesehatan anak usia pendidikan dasar",
                "Health screening at basic-education age",
                "Usia sekolah",
                "anak",
            ),
            _spm(
                "UKS2",
                "SPM-06",
                "Skrining kesehatan usia produktif (15-59 tahun)",
                "Health screening at productive age (15-59)",
                "Usia produktif",
                "orang",
            ),
        ],
    },
    {
        "part": "service",
        "code": "LANSIA",
        "name": "Kesehatan usia lanjut",
        "name_en": "Health of the elderly",
        "items": [
            _spm(
                "LANSIA1",
                "SPM-07",
                "Skrining kesehatan usia lanjut (60+ tahun)",
                "Health screening of the elderly (60+)",
                "Usia lanjut",
                "orang",
            ),
        ],
    },
    {
        "part": "service",
        "code": "PTM",
        "name": "P2P penyakit tidak menular dan kesehatan jiwa",
        "name_en": "Non-communicable disease control and mental health",
        "items": [
            _spm(
                "PTM1",
                "SPM-08",
                "Pelayanan kesehatan penderita hipertensi sesuai standar",
                "People with hypertension served to standard",
                "Hipertensi",
                "orang",
            ),
            _spm(
                "PTM2",
                "SPM-09",
                "Pelayanan kesehatan penderita diabetes melitus sesuai standar",
                "People with diabetes served to standard",
                "Diabetes melitus",
                "orang",
            ),
            _spm(
                "PTM3",
                "SPM-10",
                "Pelayanan kesehatan ODGJ berat sesuai standar",
                "People with severe mental illness served to standard",
                "Kesehatan jiwa",
                "orang",
            ),
        ],
    },
    {
        "part": "service",
        "code": "P2P",
        "name": "P2P penyakit menular",
        "name_en": "Communicable disease control (P2P)",
        "items": [
            _spm(
                "P2P1",
                "SPM-11",
                "Pelayanan kesehatan orang terduga tuberkulosis",
                "Presumptive TB examined",
                "Tuberkulosis",
                "orang",
            ),
            _spm(
                "P2P2",
                "SPM-12",
                "Pemeriksaan HIV orang dengan risiko terinfeksi HIV",
                "People at risk of HIV tested",
                "HIV",
                "orang",
            ),
        ],
    },
    {
        "part": "service",
        "code": "PROMKES",
        "name": "Promosi kesehatan",
        "name_en": "Health promotion (Promkes)",
        "items": [
            _manual(
                "PROMKES1",
                "Rumah tangga ber-PHBS",
                "Households with clean and healthy living (PHBS)",
                "PHBS",
                "rumah tangga",
                "60",
            ),
            _manual(
                "PROMKES2",
                "Posyandu strata Purnama dan Mandiri",
                "Posyandu of the Purnama and Mandiri strata",
                "UKBM",
                "posyandu",
                "74",
            ),
        ],
    },
    {
        "part": "service",
        "code": "KESLING",
        "name": "Kesehatan lingkungan",
        "name_en": "Environmental health (Kesling)",
        "items": [
            _manual(
                "KESLING1",
                "Penduduk dengan akses sanitasi layak",
                "People with access to adequate sanitation",
                "Sanitasi",
                "orang",
                "80",
            ),
            _manual(
                "KESLING2",
                "Tempat pengelolaan pangan memenuhi syarat",
                "Food premises meeting the standard",
                "Keamanan pangan",
                "TPP",
                "60",
            ),
        ],
    },
]


def _scored(code: str, text: str, text_en: str, levels: list[dict], rule: str = "") -> dict:
    return {"code": code, "text": text, "text_en": text_en, "rule": rule, "levels": levels}


MANAGEMENT_SECTIONS = [
    {
        "part": "management",
        "code": "A",
        "name": "Manajemen umum",
        "name_en": "General management",
        "items": [
            _scored(
                "A1",
                "Rencana lima tahunan puskesmas",
                "The puskesmas's five-year plan",
                _levels(
                    ("Tidak ada", "None"),
                    (
                        "Ada, disusun tanpa analisis situasi",
                        "There is one, made without a situation analysis",
                    ),
                    (
                        "Ada, berdasarkan analisis situasi, belum ditetapkan kepala",
                        "There is one from a situation analysis, not yet signed by the head",
                    ),
                    (
                        "Ada, berdasarkan analisis situasi dan ditetapkan kepala puskesmas",
                        "There is one from a situation analysis, signed by the head",
                    ),
                ),
            ),
            _scored(
                "A2",
                "RUK tahun berikutnya disusun berdasarkan analisis situasi",
                "Next year's RUK built from a situation analysis",
                _levels(
                    ("Tidak ada RUK", "No RUK"),
                    (
                        "RUK disusun, tidak ada kegiatan dari analisis situasi",
                        "A RUK, none of its activities from a situation analysis",
                    ),
                    (
                        "RUK disusun, sebagian kegiatan dari kesenjangan SPM atau masalah lokmin",
                        "A RUK, some activities from SPM gaps or lokmin problems",
                    ),
                    (
                        "RUK dikirim ke Dinkes, sedikitnya separuh kegiatan dari kesenjangan "
                        "SPM atau masalah lokmin",
                        "A RUK sent to the Dinkes, at least half "
                        "of its activities from SPM gaps or lokmin problems",
                    ),
                ),
                rule="ruk_situation_analysis",
            ),
            _scored(
                "A3",
                "RPK rinci (jadwal bulanan kegiatan RUK yang disetujui)",
                "Detailed RPK (monthly schedule of the approved RUK's activities)",
                _levels(
                    ("Tidak ada RPK", "No RPK"),
                    (
                        "Kurang dari separuh kegiatan dijadwalkan",
                        "Fewer than half of the activities scheduled",
                    ),
                    (
                        "Separuh atau lebih kegiatan dijadwalkan",
                        "Half or more of the activities scheduled",
                    ),
                    ("Semua kegiatan dijadwalkan", "Every activity scheduled"),
                ),
                rule="rpk_detailed",
            ),
            _scored(
                "A4",
                "Lokakarya mini bulanan dilaksanakan",
                "Monthly lokmin held",
                _levels(
                    ("Tidak ada data", "No data"),
                    ("Kurang dari 5 kali setahun", "Fewer than 5 a year"),
                    ("5-8 kali setahun", "5-8 a year"),
                    ("9-12 kali setahun", "9-12 a year"),
                ),
                rule="lokmin_monthly",
            ),
            _scored(
                "A5",
                "Lokakarya mini lintas sektor triwulanan dilaksanakan",
                "Quarterly cross-sector lokmin held",
                _levels(
                    ("Tidak ada data", "No data"),
                    ("Kurang dari 2 kali setahun", "Fewer than 2 a year"),
                    ("2-3 kali setahun", "2-3 a year"),
                    ("4 kali setahun", "4 a year"),
                ),
                rule="lokmin_quarterly",
            ),
            _scored(
                "A6",
                "PKP tahun lalu dibuat, dikirim ke Dinkes dan mendapat umpan balik",
                "Last year's PKP made, sent to the Dinkes and answered",
                _levels(
                    ("Tidak dibuat", "Not made"),
                    ("Dibuat, belum dikirim", "Made, not sent"),
                    (
                        "Dikirim ke Dinkes, belum ada umpan balik",
                        "Sent to the Dinkes, no feedback yet",
                    ),
                    ("Disetujui Dinkes dengan umpan balik", "Approved by the Dinkes with feedback"),
                ),
                rule="pkp_last_year",
            ),
        ],
    },
    {
        "part": "management",
        "code": "B",
        "name": "Manajemen sumber daya",
        "name_en": "Resources",
        "items": [
            _scored(
                "B1",
                "Inventaris peralatan dan sarana",
                "Equipment and facility inventories",
                _levels(
                    ("Tidak ada", "None"),
                    ("Ada, tidak lengkap", "There are some, incomplete"),
                    ("Lengkap, tidak diperbarui tahun ini", "Complete, not updated this year"),
                    ("Lengkap dan diperbarui tahun ini", "Complete and updated this year"),
                ),
            ),
            _scored(
                "B2",
                "Pencatatan obat per unit pelayanan",
                "Drug records per unit",
                _levels(
                    ("Tidak ada", "None"),
                    ("Ada di sebagian unit", "In some units"),
                    ("Ada di semua unit, tidak rutin", "In every unit, not kept routinely"),
                    (
                        "Ada di semua unit, rutin dan sesuai stok",
                        "In every unit, routine and matching the stock",
                    ),
                ),
            ),
            _scored(
                "B3",
                "Struktur organisasi",
                "Organisation chart",
                _levels(
                    ("Tidak ada", "None"),
                    ("Ada, tidak sesuai keadaan sekarang", "There is one, out of date"),
                    ("Ada dan sesuai, belum ditetapkan", "Up to date, not yet signed"),
                    (
                        "Ada, sesuai dan ditetapkan kepala puskesmas",
                        "Up to date and signed by the head",
                    ),
                ),
            ),
            _scored(
                "B4",
                "Pembagian tugas dan uraian tugas staf",
                "Division of duties",
                _levels(
                    ("Tidak ada", "None"),
                    ("Ada untuk sebagian staf", "For some staff"),
                    (
                        "Ada untuk semua staf, belum ditetapkan",
                        "For every staff member, not yet signed",
                    ),
                    (
                        "Ada untuk semua staf dan ditetapkan dengan SK",
                        "For every staff member, signed by decree",
                    ),
                ),
            ),
            _scored(
                "B5",
                "Penilaian kinerja staf",
                "Staff performance review",
                _levels(
                    ("Tidak dilakukan", "Not done"),
                    ("Dilakukan untuk sebagian staf", "Done for some staff"),
                    (
                        "Dilakukan untuk semua staf, tanpa tindak lanjut",
                        "Done for every staff member, without follow-up",
                    ),
                    (
                        "Dilakukan untuk semua staf dengan tindak lanjut",
                        "Done for every staff member, with follow-up",
                    ),
                ),
            ),
        ],
    },
    {
        "part": "management",
        "code": "C",
        "name": "Manajemen keuangan dan barang milik negara/daerah",
        "name_en": "Finance and assets",
        "items": [
            _scored(
                "C1",
                "Buku kas umum diisi setiap bulan",
                "Monthly cash book kept",
                _levels(
                    ("Tidak ada", "None"),
                    ("Ada, tidak diisi tiap bulan", "There is one, not filled monthly"),
                    (
                        "Diisi tiap bulan, belum ditutup tiap bulan",
                        "Filled monthly, not closed monthly",
                    ),
                    ("Diisi dan ditutup tiap bulan", "Filled and closed every month"),
                ),
            ),
            _scored(
                "C2",
                "Pemeriksaan keuangan berkala oleh kepala puskesmas",
                "Periodic checks of the finances by the head",
                _levels(
                    ("Tidak dilakukan", "Not done"),
                    ("Dilakukan sekali setahun", "Once a year"),
                    ("Dilakukan tiap triwulan", "Every quarter"),
                    (
                        "Dilakukan tiap bulan dengan berita acara",
                        "Every month, with a signed record",
                    ),
                ),
            ),
        ],
    },
]

EDITION: dict = {
    "kind": "pkp",
    "code": "pkp",
    "valid_from": 2024,
    "name": "Penilaian Kinerja Puskesmas (PKP)",
    "name_en": "Puskesmas performance assessment (PKP)",
    "source": "Permenkes 44/2016 (P3); lembar PKP 2018, 2019, 2022 (DOMAIN.md §3, §7)",
    "is_verified": False,
    "scale_max": "10",
    "notes": (
        "Seen (DOMAIN.md §3/§7): layout of the service part; management variables A, B, C "
        "scored 0/4/7/10; lokmin levels (monthly 9-12: 10, 5-8: 7, under 5: 4; quarterly 4: 10, "
        "2-3: 7, under 2: 4). Simpul's own, unverified: the other level definitions, the "
        "non-SPM activities and targets, the programmes, and the rank bands (service part good "
        ">= 91, fair >= 81 % of target; management part good >= 8.5, fair >= 5.5)."
    ),
    "sections": SERVICE_SECTIONS + MANAGEMENT_SECTIONS,
    "bands": [
        {"applies_to": "service", "rank": "good", "min_value": "91"},
        {"applies_to": "service", "rank": "fair", "min_value": "81"},
        {"applies_to": "service", "rank": "poor", "min_value": "0"},
        {"applies_to": "management", "rank": "good", "min_value": "8.5"},
        {"applies_to": "management", "rank": "fair", "min_value": "5.5"},
        {"applies_to": "management", "rank": "poor", "min_value": "0"},
    ],
}
