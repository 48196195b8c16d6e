"""Scaling past one machine (issue #14, must-have 6): sessions and cache in Redis, and the
dashboards' reads of the quarter tables from a PostgreSQL replica (config/routers.py), turned on
by one variable each; unset, nothing changes.

The test settings have a `replica` alias that is a test mirror of `default` (the same database
through a second connection), so a test can install the router and see which connection a
page's queries used.
"""

import json
import os
import re
import subprocess
import sys

import pytest
from celery import shared_task
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext

from config.routers import ReplicaRouter
from indicators import services
from indicators.models import (
    Achievement,
    AggregationRun,
    MonthlyReport,
    MonthlyValue,
    ReportingRate,
)
from kernel.models import User

from .indicators.test_aggregation import YEAR, data  # noqa: F401  (the fixture)

ROUTER = ReplicaRouter()
AGGREGATED = (Achievement, ReportingRate)
OTHERS = (AggregationRun, MonthlyReport, MonthlyValue, User)


def test_reads_of_the_quarter_tables_go_to_the_replica_everything_else_to_default():
    for model in AGGREGATED:
        assert ROUTER.db_for_read(model) == "replica"
        assert ROUTER.db_for_write(model) == "default"
    for model in OTHERS:
        assert ROUTER.db_for_read(model) == "default"
        assert ROUTER.db_for_write(model) == "default"


def test_inside_a_transaction_the_quarter_tables_are_read_where_they_are_written(monkeypatch):
    """The aggregation, or an approval refreshing its quarters, reads its own database."""
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)
    assert ROUTER.db_for_read(Achievement) == "default"


@shared_task
def _where_a_task_reads() -> str:
    return ROUTER.db_for_read(Achievement)


def test_a_celery_task_reads_the_quarter_tables_from_default():
    """A job decides what to rebuild from what it reads: never from a lagging replica."""
    assert _where_a_task_reads.apply().get() == "default"
    assert ROUTER.db_for_read(Achievement) == "replica"  # and outside the task again


def test_migrations_run_on_default_only_and_rows_of_both_may_relate():
    assert ROUTER.allow_migrate("default", "indicators", "achievement") is True
    assert ROUTER.allow_migrate("replica", "indicators", "achievement") is False
    assert ROUTER.allow_migrate("replica", "kernel", "user") is False
    on_replica, on_default = Achievement(), User()
    on_replica._state.db, on_default._state.db = "replica", "default"
    assert ROUTER.allow_relation(on_replica, on_default) is True
    elsewhere = User()
    elsewhere._state.db = "archive"
    assert ROUTER.allow_relation(on_replica, elsewhere) is None


_SETTINGS = """
import json
import config.settings.base as s
print(json.dumps({
    "aliases": sorted(s.DATABASES),
    "replica": {k: s.DATABASES.get("replica", {}).get(k) for k in ("HOST", "NAME", "TEST")},
    "routers": getattr(s, "DATABASE_ROUTERS", []),
    "session": getattr(s, "SESSION_ENGINE", "django.contrib.sessions.backends.db"),
    "cache": s.CACHES["default"]["BACKEND"],
}))
"""


def _production_settings(**env) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DATABASE_REPLICA_URL", "SENTRY_DSN"}
    }
    environment.update(SECRET_KEY="settings-test-key-" + "x" * 50, **env)
    output = subprocess.run(
        [sys.executable, "-c", _SETTINGS],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_one_variable_each_turns_on_redis_sessions_and_the_replica_router():
    plain = _production_settings()
    assert plain["aliases"] == ["default"] and plain["routers"] == []
    assert plain["session"] == "django.contrib.sessions.backends.db"
    assert plain["cache"].endswith("LocMemCache")

    scaled = _production_settings(
        DATABASE_URL="postgres://simpul@db1.internal:5432/simpul",
        DATABASE_REPLICA_URL="postgres://simpul_ro@db2.internal:5432/simpul",
        REDIS_URL="redis://redis.internal:6379/0",
    )
    assert scaled["aliases"] == ["default", "replica"]
    assert scaled["replica"]["HOST"] == "db2.internal" and scaled["replica"]["NAME"] == "simpul"
    assert scaled["replica"]["TEST"] == {"MIRROR": "default"}
    assert scaled["routers"] == ["config.routers.ReplicaRouter"]
    # Any web server reads any session (Redis), and a Redis restart logs nobody out (database).
    assert scaled["session"] == "django.contrib.sessions.backends.cached_db"
    assert scaled["cache"].endswith("RedisCache")


def _tables(queries: list[dict]) -> set[str]:
    """The tables each statement reads FROM first (the main table of a query)."""
    found = set()
    for query in queries:
        match = re.search(r'\bFROM\s+"?(\w+)"?', query["sql"])
        if match:
            found.add(match.group(1))
    return found


def _page(client) -> str:
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_dashboard_reads_its_quarter_from_the_replica_and_shows_the_same_page(
    client,
    world,
    data,  # noqa: F811
    district_user,
    settings,
):
    services.quarter_aggregate(year=YEAR, quarter=2)
    client.force_login(district_user)
    without_router = _page(client)

    settings.DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        with_router = _page(client)

    replica_tables = _tables(on_replica.captured_queries)
    assert replica_tables, "the dashboard read nothing from the replica"
    assert replica_tables <= {"indicators_achievement", "indicators_reportingrate"}
    assert "indicators_achievement" in replica_tables
    # Everything else (the user, reports, runs) came from default, and the quarter tables were
    # not read from default as a query's main table.
    default_tables = _tables(on_default.captured_queries)
    assert default_tables.isdisjoint(replica_tables)
    assert {User._meta.db_table, AggregationRun._meta.db_table} <= default_tables
    # The same data either way: the same page.
    assert with_router == without_router
