"""The first editions of the community layer's data (DOMAIN.md §1, §7): the posyandu strata and
active-posyandu criteria (older guidance, seen), the desa/kelurahan siaga aktif strata
(Kepmenkes 1529/2010: Pratama seen, higher strata unverified), the cadres' 25 basic skills in 5
groups (8 seen, 17 unverified) with badge and level rules (unverified), and the UKBM indicators a
province can agree with its districts. All editable in the admin; a new edition never changes a
past review (each keeps the edition it was computed with)."""

from decimal import Decimal

from django.db import migrations

POSYANDU = [
    # goal, measure, minimum, seen
    ("madya", "sessions_held", 8, True),
    ("madya", "active_cadres", 5, True),
    ("purnama", "weighing_coverage", 50, True),
    ("purnama", "kia_coverage", 50, True),
    ("purnama", "kb_coverage", 50, True),
    ("purnama", "immunisation_coverage", 50, True),
    ("purnama", "extra_programmes", 1, True),
    ("mandiri", "fund_coverage", 50, True),
    ("active", "sessions_held", 8, False),
    ("active", "weighing_coverage", 50, True),
    ("active", "kia_coverage", 50, True),
    ("active", "kb_coverage", 50, True),
    ("active", "immunisation_coverage", 50, True),
]
VILLAGE = [
    ("pratama", "forum_meetings", 1, True),
    ("pratama", "active_cadres", 2, True),
    ("pratama", "daily_access", 1, True),
    ("pratama", "posyandu_count", 1, True),
    ("pratama", "village_funding", 1, True),
    ("pratama", "community_activities", 1, True),
    ("madya", "forum_meetings", 2, False),
    ("madya", "active_cadres", 3, False),
    ("madya", "active_posyandu", 1, False),
    ("madya", "phbs_households", 40, False),
    ("purnama", "forum_meetings", 4, False),
    ("purnama", "active_cadres", 6, False),
    ("purnama", "ukbm_count", 2, False),
    ("purnama", "phbs_households", 60, False),
    ("mandiri", "forum_meetings", 12, False),
    ("mandiri", "active_cadres", 9, False),
    ("mandiri", "ukbm_count", 4, False),
    ("mandiri", "phbs_households", 70, False),
]
SKILLS = [
    # group, Indonesian, English, seen
    ("management", "Menjelaskan paket layanan posyandu untuk setiap siklus hidup",
     "Explain the posyandu service package of every life stage", True),
    ("management", "Melakukan pencatatan dan pelaporan", "Record and report", True),
    ("management", "Melakukan kunjungan rumah", "Make home visits", True),
    ("management", "Melakukan komunikasi efektif", "Communicate effectively", True),
    ("management", "Menggerakkan masyarakat untuk datang ke posyandu",
     "Mobilise the community to come to the posyandu", False),
    ("infants", "Menggunakan buku KIA bagian anak", "Use the child part of the KIA book", True),
    ("infants", "Memberikan penyuluhan ASI eksklusif dan MP-ASI kaya protein hewani",
     "Counsel exclusive breastfeeding and protein-rich complementary food", True),
    ("infants", "Melakukan penimbangan dan pengukuran panjang/tinggi badan, lingkar kepala dan lingkar lengan",
     "Weigh and measure length/height, head and arm circumference", True),
    ("infants", "Menjelaskan hasil penimbangan dan pengukuran serta tindak lanjutnya",
     "Explain the results of weighing and measuring and the follow-up", True),
    ("infants", "Mengingatkan imunisasi rutin lengkap", "Remind of complete routine immunisation",
     False),
    ("infants", "Mengenali tanda bahaya pada bayi dan balita serta merujuk",
     "Recognise danger signs in infants and under-fives and refer", False),
    ("infants", "Memantau perkembangan anak", "Monitor a child's development", False),
    ("pregnancy", "Menggunakan buku KIA bagian ibu", "Use the mother's part of the KIA book",
     False),
    ("pregnancy", "Menjelaskan tanda bahaya kehamilan, persalinan dan nifas",
     "Explain danger signs of pregnancy, childbirth and the postpartum period", False),
    ("pregnancy", "Memberikan penyuluhan gizi dan tablet tambah darah ibu hamil",
     "Counsel pregnant women on nutrition and iron tablets", False),
    ("pregnancy", "Mengukur lingkar lengan atas ibu hamil",
     "Measure a pregnant woman's upper arm circumference", False),
    ("pregnancy", "Memberikan penyuluhan KB pasca persalinan",
     "Counsel family planning after childbirth", False),
    ("school_age", "Memberikan penyuluhan gizi dan tablet tambah darah remaja",
     "Counsel adolescents on nutrition and iron tablets", False),
    ("school_age", "Mengukur berat dan tinggi badan remaja serta risiko anemia",
     "Measure adolescents' weight and height and anaemia risk", False),
    ("school_age", "Memberikan penyuluhan kesehatan reproduksi dan perilaku berisiko",
     "Counsel on reproductive health and risky behaviour", False),
    ("adults", "Mengukur berat badan, tinggi badan dan lingkar perut",
     "Measure weight, height and waist circumference", False),
    ("adults", "Melakukan skrining faktor risiko penyakit tidak menular",
     "Screen risk factors of non-communicable diseases", False),
    ("adults", "Memberikan penyuluhan pengendalian hipertensi dan diabetes",
     "Counsel on controlling hypertension and diabetes", False),
    ("adults", "Melakukan skrining kemandirian lansia", "Screen the elderly's independence",
     False),
    ("adults", "Mengenali gejala TBC dan merujuk", "Recognise TB symptoms and refer", False),
]
LEVELS = [("purwa", 5, 1), ("madya", 15, 3), ("utama", 25, 5)]
INDICATORS = [
    ("posyandu-purnama-mandiri", "posyandu_purnama_mandiri",
     "Persentase posyandu strata Purnama dan Mandiri", "% posyandu Purnama or Mandiri", True),
    ("posyandu-aktif", "posyandu_active", "Persentase posyandu aktif", "% active posyandu", True),
    ("posyandu-ilp", "posyandu_ilp", "Persentase posyandu yang menjalankan ILP",
     "% posyandu running ILP", False),
    ("kader-terampil", "cadres_assessed",
     "Persentase kader yang dinilai 25 keterampilan dasar",
     "% cadres assessed in the 25 basic skills", False),
    ("desa-siaga-aktif", "village_siaga_aktif", "Persentase desa/kelurahan siaga aktif",
     "% desa/kelurahan siaga aktif", True),
]


def load(apps, schema_editor):
    Standard = apps.get_model("community", "UkbmStandard")
    Criterion = apps.get_model("community", "Criterion")
    SkillSet = apps.get_model("community", "SkillSet")
    Skill = apps.get_model("community", "Skill")
    LevelRule = apps.get_model("community", "LevelRule")
    Indicator = apps.get_model("community", "UkbmIndicator")
    posyandu = Standard.objects.create(
        subject="posyandu",
        name="Strata posyandu (pedoman lama)",
        valid_from=2011,
        source="Older Kemenkes posyandu guidance and app forms (DOMAIN.md §7); "
        "active-posyandu session count unverified",
        is_verified=False,
    )
    village = Standard.objects.create(
        subject="village",
        name="Desa/kelurahan siaga aktif",
        valid_from=2010,
        source="Kepmenkes 1529/2010 (DOMAIN.md §7): Pratama seen, higher strata unverified",
        is_verified=False,
    )
    for standard, rows in ((posyandu, POSYANDU), (village, VILLAGE)):
        Criterion.objects.bulk_create(
            Criterion(
                standard=standard,
                goal=goal,
                measure=measure,
                minimum=Decimal(minimum),
                is_verified=seen,
                order=order,
            )
            for order, (goal, measure, minimum, seen) in enumerate(rows)
        )
    skill_set = SkillSet.objects.create(
        name="25 keterampilan dasar kader posyandu",
        valid_from=2024,
        source="Kemenkes cadre curriculum 2024 (DOMAIN.md §1, §7): 8 skills seen, 17 and the "
        "level rules unverified",
        is_verified=False,
        badge_share=Decimal(100),
    )
    Skill.objects.bulk_create(
        Skill(
            skill_set=skill_set,
            group=group,
            number=number,
            name_id=name_id,
            name_en=name_en,
            is_verified=seen,
        )
        for number, (group, name_id, name_en, seen) in enumerate(SKILLS, start=1)
    )
    LevelRule.objects.bulk_create(
        LevelRule(skill_set=skill_set, level=level, min_skills=skills, min_badges=badges)
        for level, skills, badges in LEVELS
    )
    Indicator.objects.bulk_create(
        Indicator(
            code=code, measure=measure, name_id=name_id, name_en=name_en, order=order,
            is_verified=seen,
        )
        for order, (code, measure, name_id, name_en, seen) in enumerate(INDICATORS)
    )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("community", "0001_schema")]
    # Backwards: nothing to undo here (0001's backwards drops the tables with their rows).
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
