"""Dashboards read the quarter tables from a PostgreSQL replica (DATABASE_REPLICA_URL).

Only the aggregation job writes `Achievement` and `ReportingRate` (indicators/services/
aggregation.py): what the dashboards, quarterly reports and gap lists read most. With a streaming
replica configured, web requests read those two tables there; every other read, every write and
every migration stays on `default`. Two cases read them from `default` all the same:

- inside a transaction on `default`: a service that reads what it is about to write (the
  aggregation itself, a report's approval refreshing its quarters) must see its own database;
- inside a Celery task: a job decides what to rebuild from what it reads, and a replica a few
  seconds behind must not decide that.

A dashboard therefore shows a new quarter once the replica has replayed it (usually well under a
second; docs/deployment.md, "Scaling past one machine", says how to watch the lag). Without
DATABASE_REPLICA_URL this router is not installed and nothing changes.
"""

from __future__ import annotations

from celery import current_task
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# (app label, model name) of the tables only the aggregation job writes.
REPLICA_MODELS = frozenset({("indicators", "achievement"), ("indicators", "reportingrate")})


def _in_task() -> bool:
    """True while a Celery task runs in this process (a worker, or an eager task in a test)."""
    return current_task is not None and bool(current_task)


class ReplicaRouter:
    """Reads of the aggregated tables to `replica` (outside transactions and tasks); the rest,
    and every write and migration, to `default`."""

    def db_for_read(self, model, **hints) -> str:
        if (model._meta.app_label, model._meta.model_name) not in REPLICA_MODELS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block or _in_task():
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica is a copy of `default`: rows of either may point to rows of the other.
        both = {obj1._state.db, obj2._state.db}
        return True if both <= {DEFAULT_DB_ALIAS, REPLICA, None} else None

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        # The replica replays the primary's changes, schema included.
        return db == DEFAULT_DB_ALIAS
