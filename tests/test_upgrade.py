"""A database from before the kernel app migrates (issue #12): the kernel took over the user
model in the migration state only, so Django's admin migration, applied long ago, now depends
on kernel 0001. `migrate` records kernel 0001 first (kernel/upgrade.py).

The old database is made the honest way: this test database rolled back to the move's last
migrations, then with the five state-only migrations of the move taken out of its history and
the content types put back, which is exactly what a database of the previous release holds."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.exceptions import InconsistentMigrationHistory
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

MOVE = [
    ("kernel", "0001_initial"),
    ("indicators", "0016_point_to_kernel_models"),
    ("indicators", "0017_kernel_models_leave_indicators"),
    ("workshops", "0006_point_to_kernel_models"),
    ("planning", "0006_point_to_kernel_models"),
]


@pytest.mark.django_db(transaction=True)
def test_migrate_adopts_a_database_from_before_the_kernel_app(rolls_migrations_back):
    # What came after the move is not in the old database: roll each app back to its last
    # migration of the move (and whatever depends on later ones), then forget the move.
    last = {app: name for app, name in MOVE}
    for app, name in last.items():
        call_command("migrate", app, name, verbosity=0)
    recorder = MigrationRecorder(connection)
    for app, name in MOVE:
        recorder.record_unapplied(app, name)
    ContentType.objects.filter(app_label="kernel").update(app_label="indicators")
    ContentType.objects.clear_cache()
    # Django alone refuses it: admin 0001 is applied before its dependency kernel 0001.
    with pytest.raises(InconsistentMigrationHistory):
        MigrationLoader(connection).check_consistent_history(connection)

    out = io.StringIO()
    call_command("migrate", stdout=out)

    assert "Recorded kernel.0001_initial" in out.getvalue()
    assert set(MOVE) <= set(recorder.applied_migrations())
    labels = dict(ContentType.objects.values_list("model", "app_label"))
    assert labels["puskesmas"] == labels["user"] == labels["auditevent"] == "kernel"
    assert labels["monthlyreport"] == "indicators"
    MigrationLoader(connection).check_consistent_history(connection)  # raises if not
    ContentType.objects.clear_cache()
