"""Shipped edition: the district's supervision checklist for puskesmas, from 2024.

Simpul's own first checklist (not from a regulation, unverified): five topics the district's
supervision team looks at on a visit (management and planning, programme services, pharmacy and
supplies, recording and reporting, facilities and equipment), each item scored 0, 4, 7 or 10
with a written definition, and overall bands (good from 8, fair from 6). Edit it as data (admin
or Excel import of a new edition) once the district has agreed its own checklist.
"""

from __future__ import annotations


def _levels(*definitions: tuple[str, str]) -> list[dict]:
    """Levels 0, 4, 7, 10 with their (Indonesian, English) definitions."""
    return [
        {"score": score, "definition": text, "definition_en": text_en}
        for score, (text, text_en) in zip(("0", "4", "7", "10"), definitions, strict=True)
    ]


def _item(code: str, text: str, text_en: str, guidance: str, *levels: tuple[str, str]) -> dict:
    return {
        "code": code,
        "text": text,
        "text_en": text_en,
        "guidance": guidance,
        "levels": _levels(*levels),
    }


SECTIONS = [
    {
        "code": "A",
        "name": "Manajemen dan perencanaan",
        "name_en": "Management and planning",
        "items": [
            _item(
                "A1",
                "RUK dan RPK tahun berjalan disusun berbasis data",
                "RUK and RPK of the year drawn up from data",
                "Lihat dokumen RUK/RPK dan analisis situasinya.",
                ("Tidak ada RUK maupun RPK", "No RUK and no RPK"),
                ("Ada RUK atau RPK, tanpa analisis data", "RUK or RPK, without data analysis"),
                (
                    "RUK dan RPK ada, analisis data sebagian",
                    "RUK and RPK, data partly analysed",
                ),
                (
                    "RUK dan RPK lengkap, berbasis data SPM dan masalah prioritas",
                    "Complete RUK and RPK, from SPM data and priority problems",
                ),
            ),
            _item(
                "A2",
                "Lokakarya mini bulanan dilaksanakan dan RTL-nya dipantau",
                "Monthly lokmin held and its RTL followed up",
                "Lihat notulen dan daftar hadir lokmin 12 bulan terakhir.",
                ("Tidak ada lokmin", "No lokmin"),
                ("Lokmin kurang dari 5 kali setahun", "Lokmin under 5 times a year"),
                ("Lokmin 5-8 kali setahun", "Lokmin 5-8 times a year"),
                (
                    "Lokmin 9-12 kali setahun, RTL dipantau",
                    "Lokmin 9-12 times a year, RTL followed up",
                ),
            ),
            _item(
                "A3",
                "PWS dibuat dan dipakai untuk tindak lanjut",
                "PWS drawn up and used for follow-up",
                "Lihat grafik PWS per desa dan tindak lanjutnya.",
                ("PWS tidak dibuat", "No PWS"),
                ("PWS dibuat tidak rutin", "PWS drawn up irregularly"),
                ("PWS rutin, belum dianalisis", "PWS monthly, not analysed"),
                (
                    "PWS rutin, dianalisis, ada tindak lanjut per desa",
                    "PWS monthly, analysed, with follow-up per desa",
                ),
            ),
        ],
    },
    {
        "code": "B",
        "name": "Pelayanan program",
        "name_en": "Programme services",
        "items": [
            _item(
                "B1",
                "Pelayanan KIA sesuai standar (ANC, persalinan, nifas, bayi baru lahir)",
                "KIA services to standard (ANC, delivery, postnatal, newborn)",
                "Cek kohort ibu dan bayi serta buku KIA.",
                ("Kohort tidak ada", "No cohort registers"),
                ("Kohort ada, banyak yang tidak lengkap", "Cohort registers, many incomplete"),
                (
                    "Kohort lengkap, sebagian sesuai standar",
                    "Complete registers, partly to standard",
                ),
                (
                    "Kohort lengkap dan pelayanan sesuai standar",
                    "Complete registers, services to standard",
                ),
            ),
            _item(
                "B2",
                "Gizi dan imunisasi: pemantauan pertumbuhan dan imunisasi dasar lengkap",
                "Nutrition and immunisation: growth monitoring and full basic immunisation",
                "Cek register gizi, e-PPGBM dan register imunisasi.",
                ("Tidak ada pencatatan", "Nothing recorded"),
                ("Pencatatan sebagian, tidak dianalisis", "Partly recorded, not analysed"),
                (
                    "Pencatatan lengkap, cakupan di bawah target",
                    "Fully recorded, coverage below target",
                ),
                (
                    "Pencatatan lengkap, cakupan mencapai target, balita berisiko ditindaklanjuti",
                    "Fully recorded, coverage on target, children at risk followed up",
                ),
            ),
            _item(
                "B3",
                "P2P: penemuan dan pengobatan kasus (TB, hipertensi, DM) sesuai standar",
                "Disease control: case finding and treatment (TB, hypertension, diabetes)",
                "Cek register TB, PTM dan laporan skrining.",
                ("Tidak ada kegiatan penemuan kasus", "No case finding"),
                ("Penemuan kasus pasif saja", "Passive case finding only"),
                (
                    "Penemuan aktif, pengobatan sebagian dipantau",
                    "Active case finding, treatment partly followed",
                ),
                (
                    "Penemuan aktif, pengobatan dipantau sampai tuntas",
                    "Active case finding, treatment followed to completion",
                ),
            ),
        ],
    },
    {
        "code": "C",
        "name": "Kefarmasian dan perbekalan",
        "name_en": "Pharmacy and supplies",
        "items": [
            _item(
                "C1",
                "Ketersediaan obat dan vaksin esensial",
                "Essential medicines and vaccines available",
                "Cek kartu stok dan LPLPO; hitung item kosong.",
                ("Banyak obat esensial kosong", "Many essential medicines out of stock"),
                ("Beberapa item kosong lebih dari sebulan", "Some items out over a month"),
                ("Kosong sesekali, cepat dipenuhi", "Occasional stock-outs, soon filled"),
                ("Tidak ada kekosongan", "No stock-outs"),
            ),
            _item(
                "C2",
                "Penyimpanan obat dan rantai dingin sesuai standar",
                "Storage and cold chain to standard",
                "Cek gudang obat, lemari es vaksin dan catatan suhu.",
                ("Penyimpanan tidak layak", "Storage unfit"),
                ("Layak sebagian, suhu tidak dicatat", "Partly fit, temperature not logged"),
                ("Layak, pencatatan suhu tidak rutin", "Fit, temperature logged irregularly"),
                ("Layak, suhu dicatat dua kali sehari", "Fit, temperature logged twice a day"),
            ),
        ],
    },
    {
        "code": "D",
        "name": "Pencatatan dan pelaporan",
        "name_en": "Recording and reporting",
        "items": [
            _item(
                "D1",
                "Laporan bulanan SPM dikirim tepat waktu",
                "SPM monthly reports sent on time",
                "Lihat tanggal kirim laporan bulanan SPM di Simpul.",
                ("Laporan tidak dikirim", "Reports not sent"),
                ("Kurang dari separuh tepat waktu", "Under half on time"),
                ("Sebagian besar tepat waktu", "Most on time"),
                ("Semua tepat waktu", "All on time"),
            ),
            _item(
                "D2",
                "Laporan bulanan SPM lengkap dan sesuai register",
                "SPM monthly reports complete and matching the registers",
                "Bandingkan satu bulan laporan dengan register program.",
                ("Laporan tidak lengkap", "Reports incomplete"),
                ("Lengkap, banyak selisih dengan register", "Complete, many differences"),
                ("Lengkap, sedikit selisih", "Complete, few differences"),
                ("Lengkap dan sesuai register", "Complete and matching the registers"),
            ),
        ],
    },
    {
        "code": "E",
        "name": "Sarana, prasarana dan alat",
        "name_en": "Facilities and equipment",
        "items": [
            _item(
                "E1",
                "Bangunan, air bersih, listrik dan pengelolaan limbah",
                "Building, clean water, electricity and waste handling",
                "Keliling gedung; cek sumber air, listrik dan tempat limbah medis.",
                ("Tidak layak", "Unfit"),
                ("Sebagian besar tidak layak", "Mostly unfit"),
                ("Sebagian kecil perlu perbaikan", "Some repairs needed"),
                ("Layak semua", "All fit"),
            ),
            _item(
                "E2",
                "Alat kesehatan lengkap, berfungsi dan terkalibrasi",
                "Medical equipment complete, working and calibrated",
                "Cek daftar inventaris alat dan jadwal kalibrasi.",
                ("Banyak alat tidak ada atau rusak", "Much equipment missing or broken"),
                ("Sebagian alat rusak, tidak dilaporkan", "Some broken, not reported"),
                ("Lengkap, kalibrasi tidak rutin", "Complete, calibrated irregularly"),
                ("Lengkap, berfungsi dan terkalibrasi", "Complete, working and calibrated"),
            ),
        ],
    },
]

EDITION: dict = {
    "kind": "supervision",
    "code": "supervision",
    "valid_from": 2024,
    "name": "Daftar tilik supervisi puskesmas",
    "name_en": "Puskesmas supervision checklist",
    "source": "Simpul",
    "is_verified": False,
    "scale_max": "10",
    "notes": (
        "Simpul's own first checklist, not from a regulation: adapt it to the district's "
        "own supervision guide (import a new edition) before relying on its scores."
    ),
    "sections": [{"part": "topic", "weight": "1", **section} for section in SECTIONS],
    "bands": [
        {"applies_to": "overall", "rank": "good", "min_value": "8"},
        {"applies_to": "overall", "rank": "fair", "min_value": "6"},
        {"applies_to": "overall", "rank": "poor", "min_value": "0"},
    ],
}
