"""Keep half of each page of the quarter tables free (PostgreSQL only; no model change).

The quarterly job rewrites a quarter's rows in place (MERGE): with room on the page, each update
is heap-only (HOT) and touches none of the table's indexes. See indicators/services/aggregation.py.
"""

from django.db import migrations

MODELS = ("achievement", "reportingrate")


def _set_fillfactor(setting: str):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in MODELS:
            table = schema_editor.quote_name(apps.get_model("indicators", name)._meta.db_table)
            schema_editor.execute(f"ALTER TABLE {table} {setting}")

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0008_target_approval_events"),
    ]

    operations = [
        migrations.RunPython(
            _set_fillfactor("SET (fillfactor = 50)"), _set_fillfactor("RESET (fillfactor)")
        ),
    ]
