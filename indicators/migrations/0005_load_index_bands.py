"""Load the SPM achievement index categories and equal service weights, as editable data.

Names, order and edges are unverified (DOMAIN.md §2: published dashboards disagree); this loads
the cuts one of them uses: 100 / 90-99 / 80-89 / 70-79 / 60-69 / below 60.
"""

from decimal import Decimal

from django.db import migrations

BANDS = [
    ("Tuntas Paripurna", "100", "#0f5132"),
    ("Tuntas Utama", "90", "#198754"),
    ("Tuntas Madya", "80", "#79b791"),
    ("Tuntas Pratama", "70", "#e0b000"),
    ("Tuntas Muda", "60", "#fd7e14"),
    ("Belum Tuntas", "0", "#dc3545"),
]


def load(apps, schema_editor):
    SPMEdition = apps.get_model("indicators", "SPMEdition")
    SPMService = apps.get_model("indicators", "SPMService")
    IndexBand = apps.get_model("indicators", "IndexBand")
    IndexWeight = apps.get_model("indicators", "IndexWeight")
    for edition in SPMEdition.objects.all():
        for order, (name, lower, colour) in enumerate(BANDS, start=1):
            IndexBand.objects.update_or_create(
                edition=edition, name=name,
                defaults={"lower_bound": Decimal(lower), "order": order, "colour": colour},
            )
    for service in SPMService.objects.filter(level="district"):
        IndexWeight.objects.get_or_create(service=service, defaults={"weight": Decimal(1)})


class Migration(migrations.Migration):
    dependencies = [("indicators", "0004_quarterly_achievement")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
