"""Load the SPM catalogue (Permenkes 4/2019 and 6/2024), age bands, estimate rules, years.

Sources: DOMAIN.md §2. Rates marked "example" must be replaced by each district with its own
figure; rules are data (admin-editable), never constants in code.
"""

from decimal import Decimal

from django.db import migrations

BANDS = [
    ("all", "Semua penduduk", "All people", 1),
    ("under5", "Balita (0-59 bulan)", "Under-fives (0-59 months)", 2),
    ("age7_15", "Usia pendidikan dasar (7-15 tahun)", "Basic-education age (7-15 years)", 3),
    ("age15_59", "Usia produktif (15-59 tahun)", "Productive age (15-59 years)", 4),
    ("age60plus", "Usia lanjut (60+ tahun)", "Elderly (60+ years)", 5),
    ("age15plus", "Penduduk 15+ tahun", "People aged 15+", 6),
]

# number, name_id, name_en, numerator_id, numerator_en, denominator_id, denominator_en, cap band
SERVICES = [
    (1, "Pelayanan kesehatan ibu hamil", "Health services for pregnant women",
     "Ibu hamil yang mendapat pelayanan antenatal sesuai standar",
     "Pregnant women who received antenatal care to standard",
     "Perkiraan ibu hamil", "Estimated pregnant women", "all"),
    (2, "Pelayanan kesehatan ibu bersalin", "Health services for women giving birth",
     "Ibu bersalin yang mendapat pertolongan persalinan sesuai standar di fasilitas kesehatan",
     "Women who gave birth to standard in a health facility",
     "Perkiraan ibu bersalin", "Estimated women giving birth", "all"),
    (3, "Pelayanan kesehatan bayi baru lahir", "Health services for newborns",
     "Bayi baru lahir usia 0-28 hari yang mendapat pelayanan sesuai standar",
     "Newborns aged 0-28 days served to standard",
     "Perkiraan bayi baru lahir", "Estimated newborns", "all"),
    (4, "Pelayanan kesehatan balita", "Health services for under-fives",
     "Balita yang mendapat pelayanan kesehatan sesuai standar",
     "Under-fives served to standard", "Balita", "Under-fives", "under5"),
    (5, "Pelayanan kesehatan pada usia pendidikan dasar", "Health services at basic-education age",
     "Anak usia pendidikan dasar yang mendapat skrining kesehatan sesuai standar",
     "School-age children screened to standard",
     "Anak usia pendidikan dasar", "Children of basic-education age", "age7_15"),
    (6, "Pelayanan kesehatan pada usia produktif", "Health services at productive age",
     "Penduduk usia 15-59 tahun yang mendapat skrining kesehatan sesuai standar",
     "People aged 15-59 screened to standard",
     "Penduduk usia 15-59 tahun", "People aged 15-59", "age15_59"),
    (7, "Pelayanan kesehatan pada usia lanjut", "Health services for the elderly",
     "Penduduk usia 60+ yang mendapat skrining kesehatan minimal 1 kali",
     "People aged 60+ screened at least once",
     "Penduduk usia 60+ tahun", "People aged 60+", "age60plus"),
    (8, "Pelayanan kesehatan penderita hipertensi", "Health services for people with hypertension",
     "Penderita hipertensi usia 15+ yang mendapat pelayanan sesuai standar",
     "People with hypertension aged 15+ served to standard",
     "Perkiraan penderita hipertensi usia 15+", "Estimated people with hypertension aged 15+",
     "age15plus"),
    (9, "Pelayanan kesehatan penderita diabetes melitus",
     "Health services for people with diabetes mellitus",
     "Penderita diabetes melitus usia 15+ yang mendapat pelayanan sesuai standar",
     "People with diabetes aged 15+ served to standard",
     "Perkiraan penderita diabetes melitus usia 15+", "Estimated people with diabetes aged 15+",
     "age15plus"),
    (10, "Pelayanan kesehatan orang dengan gangguan jiwa berat",
     "Health services for people with severe mental illness",
     "ODGJ berat yang mendapat pelayanan kesehatan jiwa sesuai standar",
     "People with severe mental illness served to standard",
     "Proyeksi ODGJ berat", "Projected people with severe mental illness", "all"),
    (11, "Pelayanan kesehatan orang terduga tuberkulosis",
     "Health services for people with presumptive tuberculosis",
     "Orang terduga TBC yang mendapat pemeriksaan sesuai standar",
     "People with presumptive TB examined to standard",
     "Orang terduga TBC dalam setahun", "People with presumptive TB in the year", "all"),
    (12, "Pelayanan kesehatan orang dengan risiko terinfeksi HIV",
     "Health services for people at risk of HIV infection",
     "Orang berisiko terinfeksi HIV yang mendapat pemeriksaan HIV sesuai standar",
     "People at risk of HIV tested to standard",
     "Orang berisiko terinfeksi HIV", "People at risk of HIV infection", "all"),
]

PROVINCE_SERVICES = [
    (1, "Pelayanan kesehatan bagi penduduk terdampak krisis kesehatan akibat bencana",
     "Health services for people affected by a health crisis from disaster"),
    (2, "Pelayanan kesehatan bagi penduduk pada kondisi kejadian luar biasa (KLB)",
     "Health services for people in an outbreak (KLB)"),
]

STANDARDS = {
    "pmk-4-2019": {
        1: ("Minimal 4 kali selama kehamilan (1-1-2).", "At least 4 visits in pregnancy (1-1-2)."),
    },
    "pmk-6-2024": {
        1: (
            "Minimal 6 kali: 1 kali trimester 1, 2 kali trimester 2, 3 kali trimester 3; minimal "
            "2 kali oleh dokter (trimester 1 dan 3) termasuk USG.",
            "At least 6 visits: 1 in trimester 1, 2 in T2, 3 in T3; at least 2 with a doctor "
            "(T1 and T3) including ultrasound.",
        ),
        5: ("Skrining kesehatan 1 kali setahun.", "Health screening once a year."),
    },
}

# service number -> (factor, band, rate by edition code, source by edition code)
RULES = {
    1: ("1.1", "all", "0.0164", "CBR (contoh; ganti dengan CBR kabupaten/kota)"),
    2: ("1.05", "all", "0.0164", "CBR (contoh; ganti dengan CBR kabupaten/kota)"),
    3: ("1", "all", "0.0164", "CBR (contoh; ganti dengan CBR kabupaten/kota)"),
    4: ("1", "under5", "1", "Seluruh balita"),
    5: ("1", "age7_15", "1", "Seluruh anak usia pendidikan dasar"),
    6: ("1", "age15_59", "1", "Seluruh penduduk 15-59 tahun"),
    7: ("1", "age60plus", "1", "Seluruh penduduk 60+ tahun"),
    10: ("1", "all", "0.0018", "Riskesdas 2018: 1,8 per 1.000 penduduk (analisis individu)"),
}
SURVEY_RATES = {
    "pmk-4-2019": {
        8: ("0.341", "Riskesdas 2018: hipertensi hasil pengukuran, usia 18+, 34,1%"),
        9: ("0.085", "Riskesdas 2018: diabetes hasil pemeriksaan gula darah, usia 15+, 8,5%"),
    },
    "pmk-6-2024": {
        8: ("0.308", "SKI 2023: hipertensi hasil pengukuran, usia 18+, 30,8%"),
        9: ("0.117", "SKI 2023: diabetes hasil pemeriksaan gula darah, usia 15+, 11,7%"),
    },
}

EDITIONS = [
    ("pmk-4-2019", "Permenkes 4/2019",
     "Standar Teknis Pemenuhan Mutu Pelayanan Dasar pada SPM Bidang Kesehatan", 2019, 2024),
    ("pmk-6-2024", "Permenkes 6/2024",
     "Standar Teknis Pemenuhan Standar Pelayanan Minimal Kesehatan", 2025, None),
]


def load(apps, schema_editor):
    AgeBand = apps.get_model("indicators", "AgeBand")
    SPMEdition = apps.get_model("indicators", "SPMEdition")
    SPMService = apps.get_model("indicators", "SPMService")
    EstimateRule = apps.get_model("indicators", "EstimateRule")
    ReportingYear = apps.get_model("indicators", "ReportingYear")

    bands = {}
    for code, name_id, name_en, order in BANDS:
        bands[code], _ = AgeBand.objects.update_or_create(
            code=code, defaults={"name_id": name_id, "name_en": name_en, "order": order}
        )
    editions = {}
    for code, regulation, title, first, last in EDITIONS:
        edition, _ = SPMEdition.objects.update_or_create(
            code=code,
            defaults={"regulation": regulation, "title": title, "first_year": first,
                      "last_year": last},
        )
        editions[code] = edition
        for number, name_id, name_en, num_id, num_en, den_id, den_en, band in SERVICES:
            standard_id, standard_en = STANDARDS.get(code, {}).get(number, ("", ""))
            service, _ = SPMService.objects.update_or_create(
                edition=edition, code=f"SPM-{number:02d}",
                defaults={
                    "level": "district", "number": number, "name_id": name_id,
                    "name_en": name_en, "numerator_id": num_id, "numerator_en": num_en,
                    "denominator_id": den_id, "denominator_en": den_en,
                    "standard_id": standard_id, "standard_en": standard_en,
                    "budget_code": f"1.02.02.2.02.{number:04d}",
                    "population_band": bands[band], "is_reported_monthly": True,
                },
            )
            rule = RULES.get(number)
            survey = SURVEY_RATES[code].get(number)
            if rule or survey:
                factor, band_code, rate, source = rule or ("1", "age15plus", *survey)
                EstimateRule.objects.update_or_create(
                    service=service, district=None,
                    defaults={"band": bands[band_code],
                              "factor": Decimal(factor), "rate": Decimal(rate),
                              "rate_source": source},
                )
        for number, name_id, name_en in PROVINCE_SERVICES:
            SPMService.objects.update_or_create(
                edition=edition, code=f"SPM-P{number:02d}",
                defaults={
                    "level": "province", "number": number, "name_id": name_id,
                    "name_en": name_en, "numerator_id": "Penduduk terdampak yang mendapat "
                    "pelayanan kesehatan sesuai standar",
                    "numerator_en": "Affected people served to standard",
                    "denominator_id": "Penduduk terdampak", "denominator_en": "Affected people",
                    "is_reported_monthly": False,
                },
            )
    for year in range(2024, 2028):
        ReportingYear.objects.update_or_create(
            year=year,
            defaults={"edition": editions["pmk-4-2019" if year <= 2024 else "pmk-6-2024"]},
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_spm_catalogue_targets_monthly_reports")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
