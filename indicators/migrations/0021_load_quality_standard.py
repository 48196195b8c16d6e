"""Load the SPM index parts (A people served 80 / B quality 20) and a quality checklist per
district SPM service, for every edition, as editable and UNVERIFIED data (issue #16).

What is known (DOMAIN.md §2, §7): PP 2/2018 Art. 6 makes quality the standard amount and
quality of goods/services and of health staff per service; e-SPM lists goods per service (for
pregnant women: KIA book, iron tablets, Td vaccine, mother's record card, pregnancy / Hb / blood
group / urine tests); existing SPM reporting tools split the index into A 80 % and B 20 %.
Everything else here (which items, how many per person, per puskesmas or per desa, the staff
and equipment, the unit costs) is an example a district replaces with the technical standard's
own text: every row is is_verified=False with its source, and all of it is editable in admin.

Unit costs are rough market prices in rupiah (2024), given only where a plausible figure
exists; staff have none. Quantities per person are for the year's target group.
"""

from decimal import Decimal

from django.db import migrations

PARTS_SOURCE = (
    "Aplikasi pelaporan SPM yang ada: A orang terlayani sesuai standar 80 %, B mutu minimal "
    "20 % (belum diverifikasi terhadap Permendagri 59/2021; DOMAIN.md §7)"
)
ITEM_SOURCE = (
    "Contoh, belum diverifikasi: daftar barang/jasa, SDM dan sarana per layanan seperti bagian "
    "B (mutu minimal) aplikasi pelaporan SPM dan e-SPM; jumlah dan harga satuan perkiraan "
    "(DOMAIN.md §7). Cocokkan dengan %(regulation)s."
)

G, S, F = "goods", "staff", "facility"
PERSON, PKM, DESA = "per_person", "per_puskesmas", "per_village"
BOTH, OLD, NEW = None, "pmk-4-2019", "pmk-6-2024"

# service number -> items:
# (code, kind, basis, quantity (or {edition: quantity}), unit, unit cost Rp or None,
#  name_id, name_en, edition (None: every edition))
ITEMS = {
    1: [
        ("buku-kia", G, PERSON, "1", "buku", 20000,
         "Buku KIA", "KIA (mother and child) book", BOTH),
        ("ttd-90", G, PERSON, "90", "tablet", 300,
         "Tablet tambah darah (minimal 90 tablet)", "Iron-folic acid tablets (at least 90)", BOTH),
        ("imunisasi-td", G, PERSON, "1", "dosis", 10000,
         "Imunisasi Td sesuai status T", "Td immunisation by tetanus status", BOTH),
        ("kunjungan-anc", G, PERSON, {OLD: "4", NEW: "6"}, "kunjungan", None,
         "Kunjungan antenatal sesuai standar", "Antenatal visits to standard", BOTH),
        ("usg-dokter", G, PERSON, "2", "pemeriksaan", 150000,
         "Pemeriksaan USG oleh dokter (trimester 1 dan 3)",
         "Ultrasound by a doctor (trimesters 1 and 3)", NEW),
        ("tes-kehamilan", G, PERSON, "1", "tes", 5000,
         "Tes kehamilan", "Pregnancy test", BOTH),
        ("lab-hb", G, PERSON, {OLD: "1", NEW: "2"}, "tes", 15000,
         "Pemeriksaan kadar hemoglobin (Hb)", "Haemoglobin (Hb) test", BOTH),
        ("lab-golongan-darah", G, PERSON, "1", "tes", 10000,
         "Pemeriksaan golongan darah", "Blood group test", BOTH),
        ("lab-protein-urin", G, PERSON, "1", "tes", 5000,
         "Pemeriksaan protein urin", "Urine protein test", BOTH),
        ("lab-gula-darah", G, PERSON, "1", "tes", 15000,
         "Pemeriksaan gula darah", "Blood glucose test", NEW),
        ("tes-hiv", G, PERSON, "1", "tes", 25000,
         "Tes HIV (triple eliminasi)", "HIV test (triple elimination)", BOTH),
        ("tes-sifilis", G, PERSON, "1", "tes", 20000,
         "Tes sifilis (triple eliminasi)", "Syphilis test (triple elimination)", BOTH),
        ("tes-hbsag", G, PERSON, "1", "tes", 20000,
         "Tes hepatitis B / HBsAg (triple eliminasi)",
         "Hepatitis B (HBsAg) test (triple elimination)", BOTH),
        ("kartu-ibu", G, PERSON, "1", "lembar", 1000,
         "Kartu ibu / rekam medis ibu hamil", "Mother's record card", BOTH),
        ("dokter", S, PKM, "1", "orang", None, "Dokter", "Doctor", BOTH),
        ("bidan-desa", S, DESA, "1", "orang", None, "Bidan desa", "Village midwife", BOTH),
        ("tenaga-gizi", S, PKM, "1", "orang", None, "Tenaga gizi", "Nutritionist", BOTH),
        ("atlm", S, PKM, "1", "orang", None,
         "Ahli teknologi laboratorium medik (ATLM)", "Medical laboratory technologist", BOTH),
        ("usg", F, PKM, "1", "unit", 150000000, "Alat USG", "Ultrasound machine", NEW),
        ("hemoglobinometer", F, PKM, "1", "unit", 1500000,
         "Hemoglobinometer digital", "Digital haemoglobinometer", BOTH),
        ("bidan-kit", F, DESA, "1", "set", 3000000,
         "Bidan kit (set pemeriksaan kehamilan)", "Midwife kit (antenatal examination set)", BOTH),
    ],
    2: [
        ("persalinan-faskes", G, PERSON, "1", "persalinan", None,
         "Pertolongan persalinan di fasilitas kesehatan sesuai standar",
         "Delivery to standard in a health facility", BOTH),
        ("partograf", G, PERSON, "1", "lembar", 1000,
         "Formulir partograf", "Partograph form", BOTH),
        ("oksitosin", G, PERSON, "1", "ampul", 5000,
         "Oksitosin 10 IU (manajemen aktif kala III)",
         "Oxytocin 10 IU (active management of third stage)", BOTH),
        ("vitamin-a-nifas", G, PERSON, "2", "kapsul", 500,
         "Vitamin A 200.000 IU ibu nifas", "Vitamin A 200,000 IU after delivery", BOTH),
        ("kunjungan-nifas", G, PERSON, "4", "kunjungan", None,
         "Kunjungan nifas (KF1-KF4)", "Postnatal visits (KF1-KF4)", NEW),
        ("dokter", S, PKM, "1", "orang", None, "Dokter", "Doctor", BOTH),
        ("bidan-desa", S, DESA, "1", "orang", None, "Bidan desa", "Village midwife", BOTH),
        ("perawat", S, PKM, "2", "orang", None, "Perawat", "Nurse", BOTH),
        ("partus-set", F, PKM, "4", "set", 2500000, "Partus set", "Delivery set", BOTH),
        ("ruang-bersalin", F, PKM, "1", "ruang", None,
         "Ruang bersalin layak", "Delivery room fit for use", BOTH),
        ("ambulans", F, PKM, "1", "unit", None,
         "Ambulans rujukan", "Referral ambulance", BOTH),
    ],
    3: [
        ("kunjungan-neonatal", G, PERSON, "3", "kunjungan", None,
         "Kunjungan neonatal (KN1-KN3)", "Neonatal visits (KN1-KN3)", BOTH),
        ("vitamin-k1", G, PERSON, "1", "ampul", 3000,
         "Injeksi vitamin K1", "Vitamin K1 injection", BOTH),
        ("salep-mata", G, PERSON, "1", "tube", 5000,
         "Salep mata antibiotik", "Antibiotic eye ointment", BOTH),
        ("hb0", G, PERSON, "1", "dosis", 8000,
         "Imunisasi hepatitis B0", "Hepatitis B birth-dose immunisation", BOTH),
        ("formulir-mtbm", G, PERSON, "1", "lembar", 500,
         "Formulir bayi baru lahir / MTBM", "Newborn / young infant (MTBM) form", BOTH),
        ("shk", G, PERSON, "1", "tes", 30000,
         "Skrining hipotiroid kongenital (SHK)", "Congenital hypothyroidism screening", NEW),
        ("dokter", S, PKM, "1", "orang", None, "Dokter", "Doctor", BOTH),
        ("bidan-desa", S, DESA, "1", "orang", None, "Bidan desa", "Village midwife", BOTH),
        ("resusitasi-bayi", F, PKM, "2", "set", 1500000,
         "Set resusitasi bayi", "Newborn resuscitation set", BOTH),
        ("timbangan-bayi", F, DESA, "1", "unit", 500000, "Timbangan bayi", "Baby scale", BOTH),
    ],
    4: [
        ("penimbangan", G, PERSON, "8", "kali", None,
         "Pemantauan pertumbuhan (penimbangan)", "Growth monitoring (weighing)", BOTH),
        ("sdidtk", G, PERSON, "2", "kali", None,
         "Stimulasi, deteksi dan intervensi dini tumbuh kembang (SDIDTK)",
         "Child development screening (SDIDTK)", BOTH),
        ("vitamin-a", G, PERSON, "2", "kapsul", 300,
         "Kapsul vitamin A", "Vitamin A capsules", BOTH),
        ("imunisasi-lanjutan", G, PERSON, "1", "paket", 20000,
         "Imunisasi lanjutan (DPT-HB-Hib, campak rubela)",
         "Booster immunisation (DPT-HB-Hib, measles-rubella)", BOTH),
        ("buku-kia", G, PERSON, "1", "buku", 20000,
         "Buku KIA (bagian anak)", "KIA book (child part)", BOTH),
        ("dokter", S, PKM, "1", "orang", None, "Dokter", "Doctor", BOTH),
        ("bidan-desa", S, DESA, "1", "orang", None, "Bidan desa", "Village midwife", BOTH),
        ("tenaga-gizi", S, PKM, "1", "orang", None, "Tenaga gizi", "Nutritionist", BOTH),
        ("antropometri-kit", F, DESA, "1", "set", 3000000,
         "Antropometri kit posyandu", "Posyandu anthropometry kit", BOTH),
        ("sdidtk-kit", F, PKM, "1", "set", 2000000, "Kit SDIDTK", "SDIDTK kit", BOTH),
        ("lemari-es-vaksin", F, PKM, "1", "unit", 25000000,
         "Lemari es vaksin", "Vaccine refrigerator", BOTH),
    ],
    5: [
        ("skrining-sekolah", G, PERSON, "1", "kali", None,
         "Skrining kesehatan di sekolah (1 kali setahun)",
         "Health screening at school (once a year)", BOTH),
        ("rapor-kesehatan", G, PERSON, "1", "buku", 15000,
         "Buku rapor kesehatanku", "My health record book", BOTH),
        ("obat-cacing", G, PERSON, "1", "tablet", 500,
         "Obat cacing", "Deworming tablet", BOTH),
        ("dokter", S, PKM, "1", "orang", None, "Dokter", "Doctor", BOTH),
        ("perawat", S, PKM, "1", "orang", None, "Perawat", "Nurse", BOTH),
        ("tenaga-gigi", S, PKM, "1", "orang", None,
         "Dokter gigi / terapis gigi", "Dentist / dental therapist", BOTH),
        ("kit-uks", F, PKM, "1", "set", 5000000,
         "Kit UKS (skrining sekolah)", "School health (UKS) screening kit", BOTH),
        ("snellen", F, PKM, "1", "unit", 150000,
         "Kartu Snellen", "Snellen eye chart", BOTH),
    ],
    6: [
        ("ukur-tekanan-darah", G, PERSON, "1", "kali", None,
         "Pengukuran tekanan darah", "Blood pressure measurement", BOTH),
        ("tes-gula-darah", G, PERSON, "1", "tes", 10000,
         "Pemeriksaan gula darah (strip)", "Blood glucose test (strip)", BOTH),
        ("ukur-imt", G, PERSON, "1", "kali", None,
         "Pengukuran IMT dan lingkar perut", "BMI and waist measurement", BOTH),
        ("formulir-ptm", G, PERSON, "1", "lembar", 500,
         "Formulir skrining faktor risiko PTM", "NCD risk-factor screening form", BOTH),
        ("dokter", S, PKM, "1", "orang", None, "Dokter", "Doctor", BOTH),
        ("perawat", S, PKM, "1", "orang", None, "Perawat", "Nurse", BOTH),
        ("tenaga-promkes", S, PKM, "1", "orang", None,
         "Tenaga promosi kesehatan", "Health promotion officer", BOTH),
        ("posbindu-kit", F, DESA, "1", "set", 3500000,
         "Posbindu PTM kit", "Posbindu (NCD post) kit", BOTH),
        ("tensimeter", F, PKM, "2", "unit", 600000,
         "Tensimeter digital", "Digital blood pressure monitor", BOTH),
        ("glukometer", F, PKM, "2", "unit", 350000, "Glukometer", "Glucometer", BOTH),
    ],
    7: [
        ("ukur-tekanan-darah", G, PERSON, "1", "kali", None,
         "Pengukuran tekanan darah", "Blood pressure measurement", BOTH),
        ("tes-gula-darah", G, PERSON, "1", "tes", 10000,
         "Pemeriksaan gula darah", "Blood glucose test", BOTH),
        ("tes-kolesterol", G, PERSON, "1", "tes", 15000,
         "Pemeriksaan kolesterol", "Cholesterol test", BOTH),
        ("instrumen-geriatri", G, PERSON, "1", "lembar", 500,
         "Skrining geriatri (AKS, mental, risiko jatuh)",
         "Geriatric screening (daily living, mental state, falls)", BOTH),
        ("buku-lansia", G, PERSON, "1", "buku", 15000,
         "Buku kesehatan lansia", "Elderly health book", BOTH),
        ("dokter", S, PKM, "1", "orang", None, "Dokter", "Doctor", BOTH),
        ("perawat", S, PKM, "1", "orang", None, "Perawat", "Nurse", BOTH),
        ("kader-lansia", S, DESA, "2", "orang", None,
         "Kader posyandu lansia", "Elderly posyandu cadres", BOTH),
        ("lansia-kit", F, DESA, "1", "set", 3500000,
         "Kit posyandu lansia", "Elderly posyandu kit", BOTH),
    ],
    8: [
        ("kontrol-tekanan-darah", G, PERSON, "12", "kali", None,
         "Pengukuran tekanan darah bulanan", "Monthly blood pressure check", BOTH),
        ("amlodipin", G, PERSON, "360", "tablet", 150,
         "Obat antihipertensi (amlodipin)", "Antihypertensive drug (amlodipine)", BOTH),
        ("edukasi-ptm", G, PERSON, "1", "kali", None,
         "Edukasi gaya hidup sehat", "Healthy lifestyle counselling", BOTH),
        ("dokter", S, PKM, "1", "orang", None, "Dokter", "Doctor", BOTH),
        ("perawat", S, PKM, "1", "orang", None, "Perawat", "Nurse", BOTH),
        ("tenaga-gizi", S, PKM, "1", "orang", None, "Tenaga gizi", "Nutritionist", BOTH),
        ("tensimeter", F, PKM, "3", "unit", 600000,
         "Tensimeter digital", "Digital blood pressure monitor", BOTH),
    ],
    9: [
        ("tes-gula-darah", G, PERSON, "12", "tes", 10000,
         "Pemeriksaan gula darah bulanan", "Monthly blood glucose test", BOTH),
        ("metformin", G, PERSON, "720", "tablet", 100,
         "Obat antidiabetes oral (metformin)", "Oral antidiabetic drug (metformin)", BOTH),
        ("edukasi-ptm", G, PERSON, "1", "kali", None,
         "Edukasi gaya hidup sehat", "Healthy lifestyle counselling", BOTH),
        ("dokter", S, PKM, "1", "orang", None, "Dokter", "Doctor", BOTH),
        ("perawat", S, PKM, "1", "orang", None, "Perawat", "Nurse", BOTH),
        ("tenaga-gizi", S, PKM, "1", "orang", None, "Tenaga gizi", "Nutritionist", BOTH),
        ("glukometer", F, PKM, "2", "unit", 350000, "Glukometer", "Glucometer", BOTH),
    ],
    10: [
        ("pemeriksaan-jiwa", G, PERSON, "12", "kali", None,
         "Pemeriksaan kesehatan jiwa", "Mental health check", BOTH),
        ("antipsikotik", G, PERSON, "720", "tablet", 400,
         "Obat antipsikotik (risperidon)", "Antipsychotic drug (risperidone)", BOTH),
        ("kunjungan-rumah", G, PERSON, "4", "kunjungan", None,
         "Kunjungan rumah", "Home visits", BOTH),
        ("edukasi-keluarga", G, PERSON, "1", "kali", None,
         "Edukasi keluarga", "Family education", BOTH),
        ("dokter-keswa", S, PKM, "1", "orang", None,
         "Dokter terlatih kesehatan jiwa", "Doctor trained in mental health", BOTH),
        ("perawat-keswa", S, PKM, "1", "orang", None,
         "Perawat terlatih kesehatan jiwa", "Nurse trained in mental health", BOTH),
        ("alat-fiksasi", F, PKM, "1", "set", 1000000,
         "Kit alat fiksasi", "Restraint kit", BOTH),
        ("ppdgj", F, PKM, "1", "buku", 100000,
         "Buku pedoman diagnosis (PPDGJ III)", "Diagnostic guideline book (PPDGJ III)", BOTH),
    ],
    11: [
        ("pot-dahak", G, PERSON, "2", "pot", 2000, "Pot dahak", "Sputum pot", BOTH),
        ("tcm", G, PERSON, "1", "kartrid", 250000,
         "Pemeriksaan TCM (kartrid)", "Rapid molecular test (cartridge)", BOTH),
        ("formulir-tb", G, PERSON, "1", "lembar", 500,
         "Formulir terduga TBC (TB 06)", "Presumptive TB register form (TB 06)", BOTH),
        ("dokter", S, PKM, "1", "orang", None, "Dokter", "Doctor", BOTH),
        ("pengelola-tb", S, PKM, "1", "orang", None,
         "Perawat pengelola program TBC", "TB programme nurse", BOTH),
        ("atlm", S, PKM, "1", "orang", None,
         "Ahli teknologi laboratorium medik (ATLM)", "Medical laboratory technologist", BOTH),
        ("mikroskop", F, PKM, "1", "unit", 20000000,
         "Mikroskop binokuler", "Binocular microscope", BOTH),
        ("transport-spesimen", F, PKM, "1", "set", 1500000,
         "Sarana transportasi spesimen", "Specimen transport kit", BOTH),
    ],
    12: [
        ("tes-hiv", G, PERSON, "1", "tes", 25000,
         "Tes cepat HIV (reagen pertama)", "HIV rapid test (first reagent)", BOTH),
        ("bhp-tes", G, PERSON, "1", "paket", 5000,
         "Bahan habis pakai tes (lanset, kapas alkohol, sarung tangan)",
         "Test consumables (lancet, alcohol swab, gloves)", BOTH),
        ("konseling-hiv", G, PERSON, "1", "kali", None,
         "Konseling dan KIE HIV", "HIV counselling and information", BOTH),
        ("dokter", S, PKM, "1", "orang", None, "Dokter", "Doctor", BOTH),
        ("konselor", S, PKM, "1", "orang", None,
         "Perawat / bidan konselor HIV", "HIV counsellor (nurse or midwife)", BOTH),
        ("atlm", S, PKM, "1", "orang", None,
         "Ahli teknologi laboratorium medik (ATLM)", "Medical laboratory technologist", BOTH),
        ("ruang-konseling", F, PKM, "1", "ruang", None,
         "Ruang konseling tertutup", "Private counselling room", BOTH),
    ],
}


def load(apps, schema_editor):
    SPMEdition = apps.get_model("indicators", "SPMEdition")
    SPMService = apps.get_model("indicators", "SPMService")
    IndexParts = apps.get_model("indicators", "IndexParts")
    QualityItem = apps.get_model("indicators", "QualityItem")
    for edition in SPMEdition.objects.all():
        IndexParts.objects.get_or_create(
            edition=edition,
            defaults={"people_served_weight": Decimal(80), "quality_weight": Decimal(20),
                      "is_verified": False, "source": PARTS_SOURCE},
        )
        source = ITEM_SOURCE % {"regulation": edition.regulation}
        services = {
            s.number: s for s in SPMService.objects.filter(edition=edition, level="district")
        }
        for number, items in ITEMS.items():
            service = services.get(number)
            if service is None:
                continue
            order = 0
            for code, kind, basis, quantity, unit, cost, name_id, name_en, only in items:
                if only is not None and only != edition.code:
                    continue
                if isinstance(quantity, dict):
                    quantity = quantity.get(edition.code, next(iter(quantity.values())))
                order += 10
                # Created once: a district's edits of a loaded row survive a re-run.
                QualityItem.objects.get_or_create(
                    service=service, code=code,
                    defaults={"kind": kind, "basis": basis, "quantity": Decimal(quantity),
                              "unit": unit,
                              "unit_cost_idr": None if cost is None else Decimal(cost),
                              "weight": Decimal(1), "order": order, "name_id": name_id,
                              "name_en": name_en, "is_active": True, "is_verified": False,
                              "source": source[:250]},
                )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0020_quality")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
