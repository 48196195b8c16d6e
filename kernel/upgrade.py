"""Databases created before the kernel app existed: one step `migrate` takes first.

The kernel app took over the user model and the models of regions and organisation from
`indicators`, in the migration state only (kernel 0001 changes no table). Django's migrations
that refer to the user model (admin's, for one) now depend on kernel 0001, so on a database
where they were applied long ago Django would refuse to migrate ("applied before its
dependency"). `kernel_adopt` brings `indicators` to its last migration before the move, as it
was, and records kernel 0001 as applied: true, since it has nothing to do in the database.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

KERNEL_FIRST = ("kernel", "0001_initial")
INDICATORS_FIRST = ("indicators", "0001_initial_areas_organisation_users")
LAST_BEFORE_KERNEL = ("indicators", "0015_drop_report_and_target_events")


def kernel_adopt(connection: BaseDatabaseWrapper) -> bool:
    """Record kernel 0001 on a database from before the kernel app; True when it did."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return False  # a new database: migrate does everything in order
    applied = recorder.applied_migrations()
    if KERNEL_FIRST in applied or INDICATORS_FIRST not in applied:
        return False
    if LAST_BEFORE_KERNEL not in applied:
        MigrationExecutor(connection).migrate([LAST_BEFORE_KERNEL])
    recorder.record_applied(*KERNEL_FIRST)
    return True


class StateOnly(migrations.SeparateDatabaseAndState):
    """State operations that change nothing in the database, applied as one step.

    Django re-renders every model related to a changed one after each state operation; the
    move of the kernel's models changes about two hundred references, most of them to the user
    model, which everything refers to. Applied one by one that re-rendered the whole project
    state hundreds of times (every new database, every test run: the test databases took
    50 s instead of 20). Here the rendered state is dropped first, the operations change only
    the model states, and the next reader renders the project once.
    """

    def __init__(self, state_operations):
        super().__init__(database_operations=[], state_operations=state_operations)

    def state_forwards(self, app_label, state):
        state.__dict__.pop("apps", None)  # rendered again, once, by whoever reads it next
        super().state_forwards(app_label, state)

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {"state_operations": self.state_operations})
