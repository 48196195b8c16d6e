"""Load the PKP management-score bands for lokmin held in a year (DOMAIN.md §3, P3)."""

from django.db import migrations

SOURCE = "Permenkes 44/2016, PKP: manajemen lokakarya mini"
BANDS = [
    # kind, held at least, held at most, score
    ("monthly_lokmin", 9, 12, 10),
    ("monthly_lokmin", 5, 8, 7),
    ("monthly_lokmin", 0, 4, 4),
    ("quarterly_lokmin", 4, None, 10),
    ("quarterly_lokmin", 2, 3, 7),
    ("quarterly_lokmin", 0, 1, 4),
]


def load(apps, schema_editor):
    Band = apps.get_model("workshops", "ManagementScoreBand")
    for kind, low, high, score in BANDS:
        Band.objects.update_or_create(
            kind=kind,
            min_held=low,
            defaults={"max_held": high, "score": score, "source": SOURCE},
        )


def unload(apps, schema_editor):
    apps.get_model("workshops", "ManagementScoreBand").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workshops", "0001_meetings")]
    operations = [migrations.RunPython(load, unload)]
