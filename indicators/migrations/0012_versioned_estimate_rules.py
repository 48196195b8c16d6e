import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0011_versioned_organisation_and_notes"),
        ("indicators", "0001_initial_areas_organisation_users"),
    ]

    operations = [
        migrations.AddField(
            model_name="estimaterule",
            name="updated_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="saved at"),
        ),
        migrations.AddField(
            model_name="estimaterule",
            name="updated_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to='indicators.user',
                verbose_name="saved by",
            ),
        ),
        migrations.AddField(
            model_name="estimaterule",
            name="version",
            field=models.PositiveIntegerField(default=1, verbose_name="version"),
        ),
    ]
