"""Load the budget sub-activities of activity 1.02.02.2.02 (regional nomenclature).

.0001 to .0012 are the 12 SPM services in order (DOMAIN.md §2): verified, tied by service number.
The others were found in district planning listings that agree with each other but could not be
checked against the regulation's own text, and some codes differ between nomenclature updates:
they are loaded unverified. Administrators correct and add codes in admin; never in code.
"""

from django.db import migrations

NOMENCLATURE = "Kepmendagri 050-5889/2021 (nomenklatur perencanaan dan keuangan daerah)"

# code suffix, SPM number (or None), name_id, name_en, verified
SUB_ACTIVITIES = [
    (1, 1, "Pengelolaan Pelayanan Kesehatan Ibu Hamil",
     "Health services for pregnant women", True),
    (2, 2, "Pengelolaan Pelayanan Kesehatan Ibu Bersalin",
     "Health services for women giving birth", True),
    (3, 3, "Pengelolaan Pelayanan Kesehatan Bayi Baru Lahir",
     "Health services for newborns", True),
    (4, 4, "Pengelolaan Pelayanan Kesehatan Balita",
     "Health services for under-fives", True),
    (5, 5, "Pengelolaan Pelayanan Kesehatan pada Usia Pendidikan Dasar",
     "Health services at basic-education age", True),
    (6, 6, "Pengelolaan Pelayanan Kesehatan pada Usia Produktif",
     "Health services at productive age", True),
    (7, 7, "Pengelolaan Pelayanan Kesehatan pada Usia Lanjut",
     "Health services for the elderly", True),
    (8, 8, "Pengelolaan Pelayanan Kesehatan Penderita Hipertensi",
     "Health services for people with hypertension", True),
    (9, 9, "Pengelolaan Pelayanan Kesehatan Penderita Diabetes Melitus",
     "Health services for people with diabetes mellitus", True),
    (10, 10, "Pengelolaan Pelayanan Kesehatan Orang dengan Gangguan Jiwa Berat",
     "Health services for people with severe mental illness", True),
    (11, 11, "Pengelolaan Pelayanan Kesehatan Orang Terduga Tuberkulosis",
     "Health services for people with presumptive tuberculosis", True),
    (12, 12, "Pengelolaan Pelayanan Kesehatan Orang dengan Risiko Terinfeksi HIV",
     "Health services for people at risk of HIV infection", True),
    (15, None, "Pengelolaan Pelayanan Kesehatan Gizi Masyarakat",
     "Community nutrition services", False),
    (16, None, "Pengelolaan Pelayanan Kesehatan Kerja dan Olahraga",
     "Occupational and sports health services", False),
    (17, None, "Pengelolaan Pelayanan Kesehatan Lingkungan",
     "Environmental health services", False),
    (18, None, "Pengelolaan Pelayanan Promosi Kesehatan",
     "Health promotion services", False),
    (20, None, "Pengelolaan Surveilans Kesehatan",
     "Health surveillance", False),
    (25, None, "Pelayanan Kesehatan Penyakit Menular dan Tidak Menular",
     "Services for communicable and non-communicable diseases", False),
]


def load(apps, schema_editor):
    BudgetSubActivity = apps.get_model("planning", "BudgetSubActivity")
    for suffix, number, name_id, name_en, verified in SUB_ACTIVITIES:
        BudgetSubActivity.objects.update_or_create(
            code=f"1.02.02.2.02.{suffix:04d}",
            defaults={
                "name_id": name_id, "name_en": name_en, "spm_number": number,
                "nomenclature": NOMENCLATURE, "is_verified": verified, "order": suffix,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_plans_activities_schedule")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
