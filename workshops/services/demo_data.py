"""The demo meetings' people and texts (made up; places, sectors and services are real)."""

from __future__ import annotations

from typing import Any

# One demo row's values by name (a problem, an RTL item, a commitment, a proposal).
Spec = dict[str, Any]

# --- The demo's people and texts (made up; places and services are real) ------------------------

PUSKESMAS = "Puskesmas Danau Panggang"
USERS = ("kapus.danaupanggang", "staf.danaupanggang", "dinkes.hsu")
MONTHS = "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November".split()
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
OTHER_MONTHLY_LOKMIN = {"Puskesmas Alabio": 6}
SUBDISTRICT_HALL = "Aula Kantor Kecamatan Danau Panggang"
SEKCAM = ("H. Muhammad Yusran, S.Sos., M.AP", "Sekretaris Camat Danau Panggang")
SPEAKER = "Dinas Kesehatan Kabupaten Hulu Sungai Utara (Bidang Kesehatan Masyarakat)"

MONTHLY_AGENDA = """Capaian program bulan lalu per desa dibanding sasaran (PWS)
Masalah dan penyebab capaian yang rendah
Rencana kegiatan bulan berjalan dan pembagian tugas"""
MONTHLY_MINUTES = """Capaian %(month)s dibahas per desa dan per klaster. Pelayanan ibu hamil dan \
balita masih di bawah target di desa-desa rawa; penyebab utama: jadwal posyandu bergeser karena \
air pasang dan bidan desa merangkap tugas di pustu.
Disepakati: jadwal posyandu disesuaikan dengan pasang surut, sweeping balita yang tidak datang \
dilakukan kader bersama bidan desa, laporan PWS dikumpulkan paling lambat tanggal 5."""

QUARTERLY_AGENDA = """Pembukaan oleh Sekretaris Camat
Paparan capaian SPM kesehatan triwulan lalu per desa (Kepala Puskesmas)
Paparan Dinas Kesehatan: kematian ibu dan percepatan penurunan stunting
Tindak lanjut RTL dan komitmen triwulan lalu
Diskusi masalah, prioritas (USG) dan akar penyebab
Penyusunan RTL lintas sektor, komitmen dan usulan Musrenbang kecamatan
Penandatanganan kesepakatan bersama"""
LAST_MINUTES = """Rapat dibuka Sekretaris Camat pukul 09.15. Kepala Puskesmas memaparkan capaian \
semester I: cakupan imunisasi dasar lengkap 74%, ibu hamil K6 55%, balita ditimbang 68%.
Lintas sektor menyepakati pendataan ibu hamil oleh pembakal, sweeping imunisasi dan penyuluhan \
gizi di posyandu. Rapat ditutup pukul 12.40."""
LAST_AGREEMENT = """Kami yang bertanda tangan di bawah ini sepakat mendukung pendataan ibu \
hamil, imunisasi dasar lengkap dan gizi balita di seluruh desa wilayah kerja Puskesmas Danau \
Panggang sesuai peran masing-masing."""
CURRENT_MINUTES = """Rapat dibuka oleh Sekretaris Camat Danau Panggang pukul 09.10 dan dihadiri \
unsur kecamatan, Polsek, Koramil, KUA, TP-PKK, PLKB, penyuluh pertanian, koordinator pendidikan, \
kepala sekolah, para pembakal dan tim puskesmas.
1. Kepala Puskesmas memaparkan capaian triwulan lalu: terjadi 2 kematian ibu (Desa Sungai Namang \
dan Desa Pararain), keduanya terlambat dirujuk saat air pasang; prevalensi stunting 27,4% \
(e-PPGBM), tertinggi di Desa Pandamaan dan Desa Longkong; K6 baru 58%.
2. Narasumber Dinas Kesehatan menekankan rujukan tepat waktu, kelas ibu hamil dan intervensi \
gizi spesifik dan sensitif yang melibatkan desa.
3. RTL triwulan lalu: pendataan ibu hamil dan sweeping imunisasi selesai; penyuluhan gizi belum \
selesai di 5 posyandu; pengadaan alat ukur masih menunggu anggaran.
4. Masalah diprioritaskan dengan metode USG, akar penyebab dibahas dengan diagram tulang ikan, \
lalu disusun RTL, komitmen tiap sektor dan usulan untuk Musrenbang kecamatan.
Rapat ditutup pukul 13.05 dengan penandatanganan kesepakatan bersama."""
CURRENT_AGREEMENT = """Pada hari ini kami, unsur pemerintah kecamatan, TNI/Polri, KUA, TP-PKK, \
PLKB, penyuluh pertanian, pendidikan, pemerintah desa dan Puskesmas Danau Panggang, sepakat \
untuk:
1. Mencegah kematian ibu dengan mendata dan mendampingi setiap ibu hamil berisiko tinggi serta \
menyiagakan transportasi rujukan di setiap desa, termasuk saat air pasang.
2. Mempercepat penurunan stunting melalui pemeriksaan calon pengantin, pemberian makanan \
tambahan berbahan pangan lokal, sanitasi dan penguatan posyandu.
3. Melaksanakan rencana tindak lanjut dan komitmen yang tercantum dalam kesepakatan ini serta \
melaporkan kemajuannya pada lokakarya mini triwulan berikutnya.
4. Memperjuangkan usulan kesehatan dalam Musrenbang kecamatan dan Dana Desa."""

# name, position, organisation, sector, partner (short name or name), signs, attended
_KECAMATAN = [
    (*SEKCAM, "Kecamatan Danau Panggang", "subdistrict", "Kecamatan Danau Panggang", True, True),
    ("Rusdiana, S.AP", "Kepala Seksi Kesejahteraan Sosial", "Kecamatan Danau Panggang",
     "subdistrict", "Kecamatan Danau Panggang", False, True),
    ("AKP Hendra Saputra", "Kapolsek Danau Panggang", "Polsek Danau Panggang", "police",
     "Polsek Danau Panggang", True, True),
    ("Kapten Inf. Samsul Bahri", "Danramil Danau Panggang", "Koramil Danau Panggang",
     "military", "Koramil Danau Panggang", True, True),
    ("H. Ahmad Rifa'i, S.Ag", "Kepala KUA Danau Panggang", "KUA Danau Panggang", "religious",
     "KUA Danau Panggang", True, True),
    ("Hj. Norhayati", "Ketua TP-PKK Kecamatan Danau Panggang", "TP-PKK Kecamatan", "pkk",
     "TP-PKK Kecamatan Danau Panggang", True, True),
    ("Siti Aminah, S.Sos", "Penyuluh KB (PLKB) Kecamatan Danau Panggang", "DP2KB Hulu Sungai Utara",
     "family_planning", "DP2KB", True, True),
    ("Abdul Gani, S.P.", "Penyuluh Pertanian Lapangan", "BPP Danau Panggang", "agriculture",
     None, False, True),
    ("Drs. Fahrurrazi", "Koordinator Wilayah Pendidikan Kecamatan Danau Panggang",
     "Dinas Pendidikan Hulu Sungai Utara", "education", "Disdik", True, True),
    ("Hairani, S.Pd", "Kepala SDN Danau Panggang 1", "SDN Danau Panggang 1", "education",
     None, False, True),
    ("Muhammad Ridha, S.Pd.I", "Kepala MTsN 5 Hulu Sungai Utara", "MTsN 5 Hulu Sungai Utara",
     "religious", None, False, False),
    ("dr. Siti Rahmah", "Kepala Puskesmas Danau Panggang", PUSKESMAS, "health", None, True, True),
]  # fmt: skip
_PUSKESMAS_TEAM = [
    ("Aulia Rahmi, A.Md.Keb", "Bidan koordinator (KIA)"),
    ("Nurul Hidayah, S.Gz", "Pengelola program gizi"),
    ("Rizky Ananda, S.KM", "Promosi kesehatan"),
    ("Muhammad Iqbal, S.KM", "Sanitarian (kesehatan lingkungan)"),
    ("Fitriani, A.Md.Kep", "Pengelola imunisasi"),
    ("Rabiatul Adawiyah, A.Md.Keb", "Bidan desa, Pustu Manarap"),
    ("Mardiana, A.Md.Keb", "Bidan desa, Polindes Sungai Namang"),
    ("Jumiati, A.Md.Keb", "Bidan desa, Poskesdes Pararain"),
]
_VILLAGE_HEADS = (
    "H. Arbani, Mahyuni, Saberi, Juhran, Masrani, H. Ibrahim, Syahrani, Norman, Aspiannor, "
    "M. Rasyidi, Bahrudin, Taufik Hidayat, Suriansyah, Jumberi, Akhmad Fauzan, Hamdani, Sarmili"
).split(", ")


def _kecamatan_people(villages: list[str]) -> list[tuple]:
    """The quarterly lokmin's people: sectors first, then every village head, then the team."""
    heads = [
        (_VILLAGE_HEADS[index % len(_VILLAGE_HEADS)], f"Kepala Desa (Pembakal) {village}",
         f"Pemerintah Desa {village}", "village", None, True, index % 7 != 3)
        for index, village in enumerate(sorted(villages))
    ]  # fmt: skip
    team = [(n, p, PUSKESMAS, "health", None, False, True) for n, p in _PUSKESMAS_TEAM]
    return [*_KECAMATAN, *heads, *team]


def _problem(
    key: str,
    statement: str,
    evidence: str,
    service: int | None,
    village: str | None,
    u: int,
    s: int,
    g: int,
    causes: list[tuple[str, str]],
) -> Spec:
    return {"key": key, "statement": statement, "evidence": evidence, "service": service,
            "village": village, "scores": {"u": u, "s": s, "g": g}, "causes": causes}  # fmt: skip


CURRENT_PROBLEMS = [
    _problem("maternal", "Dua kematian ibu pada triwulan lalu, keduanya terlambat dirujuk saat "
             "air pasang", "2 kematian ibu (Desa Sungai Namang, Desa Pararain); persalinan di "
             "fasilitas kesehatan 71%", 2, "Sungai Namang", 5, 5, 4, [
                 ("man", "Bidan desa belum tinggal di desa (2 dari 16 desa)"),
                 ("method", "Ibu hamil risiko tinggi belum dipetakan bersama desa"),
                 ("machine", "Tidak ada perahu (klotok) siaga untuk rujukan di desa rawa"),
                 ("money", "Dana Desa belum dialokasikan untuk transportasi rujukan"),
                 ("environment", "Desa rawa hanya terjangkau lewat sungai; air pasang "
                  "memperlambat rujukan")]),
    _problem("stunting", "Prevalensi stunting balita 27,4%, tertinggi di Desa Pandamaan dan Desa "
             "Longkong", "e-PPGBM Agustus: 212 dari 774 balita diukur pendek atau sangat pendek",
             4, "Pandamaan", 5, 4, 4, [
                 ("man", "Kader posyandu belum terampil mengukur panjang badan"),
                 ("material", "Makanan tambahan berbahan pangan lokal belum tersedia rutin"),
                 ("method", "Calon pengantin belum diperiksa Hb dan LILA sebelum menikah"),
                 ("environment", "38% keluarga belum memiliki jamban sehat")]),
    _problem("anc", "Kunjungan ibu hamil K6 baru 58% sampai bulan lalu", "K6: 151 dari 260 "
             "sasaran ibu hamil", 1, "Pararain", 4, 4, 3, [
                 ("method", "Kelas ibu hamil tidak berjalan di 6 desa"),
                 ("man", "Pemeriksaan dokter trimester 1 dan 3 belum terjadwal")]),
]  # fmt: skip

# History of an item: (status, days after its meeting or None: at the reviewing meeting, note,
# by: head/staff/planner, reviewed in: a key of the demo's meetings or None)
LAST_RTL: list[Spec] = [
    {"activity": "Sweeping imunisasi dasar di desa dengan cakupan rendah", "due": 30,
     "responsible": "Pengelola imunisasi", "sector": "health", "cost": 3_000_000, "funding": "bok",
     "history": [("done", 33, "Sweeping 14 desa: 37 bayi dilengkapi imunisasinya (laporan "
                  "terlampir).", "staff", None)]},
    {"activity": "Pendataan ibu hamil oleh pembakal dan bidan desa", "due": 45,
     "responsible": "Pembakal dan bidan desa", "sector": "village",
     "partner": "Kecamatan Danau Panggang",
     "history": [("in_progress", 20, "Data 11 desa masuk.", "staff", None),
                 ("done", None, "Data 16 desa lengkap: 260 ibu hamil, 41 berisiko tinggi.",
                  "head", "current")]},
    {"activity": "Penyuluhan gizi seimbang di seluruh posyandu", "due": 64,
     "responsible": "Pengelola program gizi", "sector": "health",
     "partner": "TP-PKK Kecamatan Danau Panggang", "cost": 2_500_000, "funding": "bok",
     "history": [("in_progress", 25, "Sudah di 17 dari 22 posyandu.", "staff", None)]},
    {"activity": "Pengadaan alat ukur panjang badan untuk 16 posyandu", "due": 140,
     "responsible": "Kepala Puskesmas", "sector": "health", "cost": 28_000_000,
     "funding": "dak_fisik"},
    {"activity": "Kunjungan rumah ibu nifas oleh kader", "due": 45, "responsible": "Kader posyandu",
     "sector": "pkk", "history": [("dropped", None, "Digabung dengan pendampingan ibu hamil "
                                   "berisiko tinggi pada RTL triwulan ini.", "head", "current")]},
]  # fmt: skip
LAST_COMMITMENTS = [
    {"party": "Kecamatan Danau Panggang", "partner": "Kecamatan Danau Panggang",
     "sector": "subdistrict", "signatory": SEKCAM[0], "due": 30,
     "description": "Menerbitkan surat edaran Camat: pembakal melaporkan ibu hamil baru ke bidan "
     "desa setiap bulan", "history": [("done", 21, "Surat edaran Camat terbit dan dibagikan ke 16 "
                                        "desa.", "head", None)]},
    {"party": "Koramil Danau Panggang", "partner": "Koramil Danau Panggang", "sector": "military",
     "signatory": "Kapten Inf. Samsul Bahri", "due": 60,
     "description": "Babinsa mendampingi kunjungan rumah balita gizi buruk",
     "history": [("in_progress", 30, "Pendampingan di 4 desa.", "staff", None)]},
    {"party": "KUA Danau Panggang", "partner": "KUA Danau Panggang", "sector": "religious",
     "signatory": "H. Ahmad Rifa'i, S.Ag", "due": 150,
     "description": "Materi 1000 hari pertama kehidupan dalam bimbingan perkawinan"},
]  # fmt: skip
LAST_PROPOSALS: list[Spec] = [
    {"title": "Insentif dan pelatihan kader posyandu", "village": None, "service": 4,
     "volume": "88 kader", "cost": 52_800_000, "outcome": "funded", "funding": "dana_desa",
     "description": "Kader aktif menjadi kunci penimbangan dan pengukuran balita.",
     "note": "Masuk APBDes di 16 desa."},
    {"title": "Pembangunan gedung posyandu Desa Longkong", "village": "Longkong", "service": 4,
     "volume": "1 unit", "cost": 150_000_000, "outcome": "accepted",
     "description": "Posyandu masih menumpang di rumah warga."},
    {"title": "USG portabel untuk pemeriksaan ibu hamil", "village": None, "service": 1,
     "volume": "1 unit", "cost": 95_000_000, "outcome": "rejected",
     "description": "Pemeriksaan dokter dan USG trimester 1 dan 3 bagi ibu hamil.",
     "note": "Bukan kewenangan kecamatan; diusulkan lewat RUK puskesmas ke Dinkes."},
    {"title": "Alat antropometri posyandu", "village": None, "service": 4, "volume": "16 set",
     "cost": 40_000_000, "outcome": "funded", "funding": "apbd",
     "description": "Pengukuran panjang badan yang benar untuk deteksi stunting."},
]  # fmt: skip
CURRENT_RTL: list[Spec] = [
    {"activity": "Pemetaan dan kunjungan rumah ibu hamil berisiko tinggi bersama kader dan "
     "pembakal", "problem": "maternal", "cause": "maternal:method", "due": 45,
     "goal": "Semua ibu hamil risti terdata dan didampingi", "target_group": "Ibu hamil risti",
     "target": "41 ibu hamil di 16 desa", "responsible": "Bidan koordinator", "sector": "health",
     "cost": 4_500_000, "funding": "bok", "indicator": "Daftar ibu hamil risti diperbarui tiap "
     "bulan"},
    {"activity": "Menyiagakan perahu desa sebagai ambulans air untuk rujukan persalinan",
     "problem": "maternal", "cause": "maternal:machine", "due": 90,
     "goal": "Rujukan ibu bersalin tidak terlambat", "target_group": "Ibu bersalin di desa rawa",
     "target": "9 desa rawa", "responsible": "Pembakal, dikoordinasi Sekcam", "sector": "village",
     "partner": "Kecamatan Danau Panggang", "cost": 15_000_000, "funding": "dana_desa",
     "indicator": "Perahu siaga dan nomor kontak terpasang di setiap desa rawa"},
    {"activity": "Pelatihan kader mengukur panjang dan tinggi badan balita", "problem": "stunting",
     "cause": "stunting:man", "due": 60, "target_group": "Kader posyandu", "target": "88 kader",
     "responsible": "Pengelola program gizi", "sector": "health", "cost": 6_000_000,
     "funding": "bok", "indicator": "Hasil ukur kader sesuai hasil ukur petugas"},
    {"activity": "Makanan tambahan berbahan pangan lokal (ikan haruan, telur) untuk balita gizi "
     "kurang", "problem": "stunting", "cause": "stunting:material", "due": 120,
     "target_group": "Balita gizi kurang", "target": "60 balita, 90 hari",
     "responsible": "TP-PKK dan kader", "sector": "pkk",
     "partner": "TP-PKK Kecamatan Danau Panggang", "cost": 24_000_000, "funding": "dana_desa",
     "indicator": "Berat badan naik pada 80% balita sasaran"},
    {"activity": "Pemeriksaan Hb dan LILA calon pengantin sebelum akad nikah",
     "problem": "stunting", "cause": "stunting:method", "due": 75,
     "target_group": "Calon pengantin", "target": "Semua catin yang mendaftar ke KUA",
     "responsible": "Bidan koordinator dan KUA", "sector": "religious",
     "partner": "KUA Danau Panggang", "cost": 2_000_000, "funding": "bok"},
    {"activity": "Pemicuan STBM di desa dengan akses jamban rendah", "problem": "stunting",
     "cause": "stunting:environment", "due": 100, "responsible": "Sanitarian", "sector": "health",
     "cost": 3_500_000, "funding": "bok", "indicator": "2 desa deklarasi stop BAB sembarangan"},
    {"activity": "Kelas ibu hamil bergilir di balai desa", "problem": "anc", "due": 60,
     "responsible": "Bidan desa", "sector": "village", "cost": 5_000_000, "funding": "dana_desa",
     "indicator": "Kelas berjalan di 16 desa"},
]  # fmt: skip


def _commitment(
    party: str, partner: str | None, sector: str, signatory: str, due: int, description: str
) -> Spec:
    return {"party": party, "partner": partner, "sector": sector, "signatory": signatory,
            "due": due, "description": description}  # fmt: skip


CURRENT_COMMITMENTS = [
    _commitment("Kecamatan Danau Panggang", "Kecamatan Danau Panggang", "subdistrict", SEKCAM[0],
                90, "Mengawal usulan ambulans air dan makanan tambahan lokal di Musrenbang "
                "kecamatan dan memantau alokasi Dana Desa untuk stunting"),
    _commitment("Polsek Danau Panggang", "Polsek Danau Panggang", "police", "AKP Hendra Saputra",
                60, "Bhabinkamtibmas membantu pengawalan rujukan ibu bersalin pada malam hari "
                "dan saat air pasang"),
    _commitment("Koramil Danau Panggang", "Koramil Danau Panggang", "military",
                "Kapten Inf. Samsul Bahri", 90, "Babinsa ikut kunjungan rumah balita stunting "
                "dan ibu hamil berisiko tinggi bersama bidan desa"),
    _commitment("KUA Danau Panggang", "KUA Danau Panggang", "religious", "H. Ahmad Rifa'i, S.Ag",
                60, "Meminta surat keterangan pemeriksaan kesehatan (Hb, LILA) dari calon "
                "pengantin sebelum akad nikah"),
    _commitment("TP-PKK Kecamatan Danau Panggang", "TP-PKK Kecamatan Danau Panggang", "pkk",
                "Hj. Norhayati", 120, "Menggerakkan dasawisma memasak makanan tambahan lokal "
                "dua kali sebulan di setiap posyandu"),
    _commitment("PLKB Kecamatan Danau Panggang", "DP2KB", "family_planning",
                "Siti Aminah, S.Sos", 45, "Menyerahkan data keluarga berisiko stunting per desa "
                "kepada puskesmas setiap bulan"),
    _commitment("Koordinator Wilayah Pendidikan", "Disdik", "education", "Drs. Fahrurrazi", 90,
                "Skrining anemia dan pemberian tablet tambah darah bagi remaja putri di SMP dan "
                "MTs"),
]  # fmt: skip
CURRENT_PROPOSALS: list[Spec] = [
    {"title": "Ambulans air (klotok) untuk rujukan dari desa rawa", "village": "Sungai Namang",
     "service": 2, "volume": "2 unit", "cost": 120_000_000,
     "description": "Dua kematian ibu terjadi karena rujukan terlambat saat air pasang."},
    {"title": "Jamban sehat keluarga", "village": "Pandamaan", "service": None,
     "volume": "40 unit", "cost": 200_000_000,
     "description": "38% keluarga belum memiliki jamban sehat; sanitasi buruk memicu stunting."},
    {"title": "Rumah tunggu kelahiran", "village": "Pararain", "service": 2, "volume": "1 paket",
     "cost": 85_000_000, "description": "Ibu hamil dari desa jauh menunggu persalinan dekat "
     "puskesmas."},
    {"title": "Makanan tambahan lokal balita gizi kurang", "village": None, "service": 4,
     "volume": "60 balita x 12 bulan", "cost": 36_000_000,
     "description": "Lanjutan RTL makanan tambahan lokal yang dibiayai Dana Desa."},
]  # fmt: skip

FORUM_CHAIR = "dr. H. Ahmad Fauzi, M.Kes"
FORUM_PLACE = "Ruang rapat Bappeda Kabupaten Hulu Sungai Utara, Amuntai"
FORUM_SPEAKER = "Bappeda; Dinas Kesehatan Kabupaten Hulu Sungai Utara"
FORUM_AGENDA = """Capaian 12 SPM kesehatan dan peran tiap OPD
Data kepesertaan JKN-PBI dan penduduk miskin
Percepatan penurunan stunting dan kesehatan ibu
Pembagian peran, alur kerja dan komitmen OPD"""
FORUM_MINUTES = """Kepala Dinas Kesehatan menegaskan bahwa kesehatan urusan semua OPD: 12 SPM \
kesehatan tidak tercapai tanpa dukungan lintas sektor. Dinkes membayar iuran JKN-PBI, tetapi \
data kepesertaan ada di Dinas Sosial; stunting dan kesehatan ibu memerlukan DP2KB; puskesmas \
ramah anak memerlukan DP3A; skrining anak sekolah memerlukan Disdik dan Kemenag; NIK bayi baru \
lahir memerlukan Disdukcapil. Forum menyepakati alur kerja dan pembagian peran agar program \
tidak tumpang tindih dan anggaran tidak terbuang."""
FORUM_AGREEMENT = """Para kepala OPD sepakat menjalankan komitmen masing-masing untuk mendukung \
pencapaian SPM bidang kesehatan, berbagi data sesuai kewenangan dan melaporkan kemajuannya pada \
forum berikutnya."""
_AGENCY = [
    ("Ir. H. Rahmadi Noor, M.T.", "Kepala Bidang Pemerintahan dan Pembangunan Manusia", "Bappeda",
     "planning"),
    ("Hj. Mariatul Kiptiah, S.H.", "Kepala Bagian Pemerintahan", "Setda", "setda"),
    ("Drs. Syahriansyah", "Kepala Bidang Perlindungan dan Jaminan Sosial", "Dinsos", "social"),
    ("Nanang Qomaruddin, S.KM", "Kepala Bidang Pengendalian Penduduk", "DP2KB", "family_planning"),
    ("Hj. Nurul Hasanah, S.Sos", "Kepala Bidang Pemenuhan Hak Anak", "DP3A", "women_children"),
    ("H. Fathurrahman, S.Pd, M.Pd", "Kepala Bidang Pembinaan SD", "Disdik", "education"),
    ("H. Mukhlis, S.Ag", "Kepala Seksi Pendidikan Madrasah", "Kemenag", "religious"),
    ("Ahmad Riduan, S.Kom", "Kepala Bidang Pelayanan Pendaftaran Penduduk", "Disdukcapil",
     "civil_registry"),
]  # fmt: skip
FORUM_PEOPLE = [
    *((name, position, short, sector, short, True, True) for name, position, short, sector
      in _AGENCY),
    ("Hj. Rusmilawati, S.KM, M.Kes", "Kepala Bidang Kesehatan Masyarakat", "Dinas Kesehatan",
     "health", None, False, True),
    ("Rahmadi, S.KM", "Perencana, Subbagian Perencanaan dan Keuangan", "Dinas Kesehatan",
     "health", None, False, True),
]  # fmt: skip
FORUM_PROBLEMS = [
    _problem("pbi", "Ibu hamil dan balita dari keluarga miskin belum terdaftar sebagai peserta "
             "JKN-PBI", "Pemadanan awal: 1.214 ibu hamil dan balita miskin tanpa JKN aktif",
             None, None, 5, 4, 3, [("method", "Data DTSEN dan data sasaran puskesmas tidak "
                                    "pernah dipadankan")]),
    _problem("stunting", "Prevalensi stunting kabupaten 24,7%, di atas target 18%",
             "SSGI dan e-PPGBM", 4, None, 5, 5, 4, [
                 ("method", "Intervensi OPD berjalan sendiri-sendiri tanpa data sasaran "
                  "bersama")]),
]  # fmt: skip
FORUM_RTL: list[Spec] = [
    {"activity": "Rapat teknis pemadanan data sasaran puskesmas dengan DTSEN", "problem": "pbi",
     "cause": "pbi:method", "due": 14, "responsible": "Subbagian Perencanaan Dinkes",
     "sector": "social", "partner": "Dinsos",
     "history": [("done", 12, "Berita acara pemadanan ditandatangani.", "planner", None)]},
    {"activity": "Dasbor bersama sasaran stunting per desa untuk semua OPD",
     "problem": "stunting", "due": 150, "responsible": "Seksi Kesehatan Keluarga dan Gizi",
     "sector": "health", "cost": 15_000_000, "funding": "apbd"},
]  # fmt: skip


def _agency(short: str, due: int, description: str, *history: tuple[object, ...]) -> Spec:
    party = next(name for name, _p, s, _sector in _AGENCY if s == short)
    sector = next(sector for _n, _p, s, sector in _AGENCY if s == short)
    return {"party": short, "partner": short, "sector": sector, "signatory": party, "due": due,
            "description": description, "history": list(history)}  # fmt: skip


FORUM_COMMITMENTS = [
    _agency("Dinsos", 30, "Memadankan DTSEN dengan data ibu hamil dan balita gizi kurang, lalu "
            "mengusulkan yang belum terdaftar sebagai peserta JKN-PBI",
            ("in_progress", 10, "Pemadanan 9 kecamatan.", "planner", None),
            ("done", 40, "1.214 orang diusulkan; SK penambahan PBI terbit.", "planner", None)),
    _agency("Disdukcapil", 45, "Menerbitkan NIK dan akta bagi bayi baru lahir di puskesmas "
            "rawat inap (layanan 3 in 1)",
            ("in_progress", 30, "Berjalan di 2 dari 5 puskesmas rawat inap.", "planner", None)),
    _agency("DP2KB", 30, "Membagikan data keluarga berisiko stunting per desa kepada Dinkes "
            "setiap triwulan", ("done", 28, "Data triwulan diterima.", "planner", None)),
    _agency("DP3A", 60, "Mendampingi 3 puskesmas menuju puskesmas ramah anak"),
    _agency("Disdik", 75, "Memasukkan skrining kesehatan anak sekolah dalam kalender UKS "
            "semua SD", ("in_progress", 45, "Surat edaran kepala dinas disiapkan.", "planner",
                         None)),
    _agency("Kemenag", 150, "Skrining kesehatan di madrasah dan materi 1000 HPK dalam "
            "bimbingan perkawinan"),
    _agency("Bappeda", 120, "Memasukkan indikator SPM kesehatan dan penandaan anggarannya ke "
            "dalam RKPD", ("in_progress", 60, "Masuk rancangan awal RKPD.", "planner", None)),
    _agency("Setda", 60, "Menghimpun laporan SPM triwulanan lintas OPD untuk e-SPM",
            ("done", 55, "Laporan triwulan dikirim lewat e-SPM.", "planner", None)),
]  # fmt: skip
