"""The instrument editions Simpul ships (assessments/editions/): the PKP, the planning-capacity
assessment and the supervision checklist. Editable in the admin until used; a new edition is
imported or added, never an edit of a used one."""

from django.db import migrations


def load(apps, schema_editor):
    from assessments.editions import load_edition, shipped_editions

    Instrument = apps.get_model("assessments", "Instrument")
    for data in shipped_editions():
        if not Instrument.objects.filter(code=data["code"], valid_from=data["valid_from"]).exists():
            load_edition(apps.get_model, data)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_schema"),
        ("indicators", "0021_load_quality_standard"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
