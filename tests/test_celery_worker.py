"""The quarterly aggregation through a real Celery worker on Redis, killed in the middle of a run.

Runs where REDIS_URL and PostgreSQL are set (CI); skipped elsewhere. The worker is a separate
process on the test database; tasks go through Redis, not eagerly.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from indicators import services
from indicators.models import Achievement, AggregationRun, MonthlyValue

from .indicators.test_aggregation import YEAR, data  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("REDIS_URL", "")
BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def _needs_redis_and_postgresql():
    if not REDIS_URL or connection.vendor != "postgresql":
        reason = "needs REDIS_URL and PostgreSQL (as in CI)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


class Worker:
    """A `celery worker` process on its own queue, against the test database."""

    def __init__(self, queue: str, step_seconds: float = 0) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": REDIS_URL,
            "SECRET_KEY": "worker-test-key-" + "x" * 50,
            "SIMPUL_AGGREGATION_STEP_SECONDS": str(step_seconds),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> str:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.stdout.read().decode(errors="replace")[-3000:]


def _send(queue: str, run: AggregationRun) -> None:
    client = Celery(broker=REDIS_URL)
    client.send_task("indicators.tasks.aggregate_quarter", args=[run.pk], queue=queue)


def _wait(run: AggregationRun, predicate, *, seconds: float, worker: Worker) -> AggregationRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if predicate(run):
            return run
        if worker.process.poll() is not None:
            pytest.fail(f"the worker died:\n{worker.stop()}")
        time.sleep(0.2)
    pytest.fail(f"run {run.pk} stayed {run.status} {run.done}/{run.total}:\n{worker.stop()}")


def _snapshot() -> dict:
    return {
        (a.level, a.area_id, a.service_id): (a.served_quarter, a.served_ytd, a.target)
        for a in Achievement.objects.filter(year=YEAR, quarter=2)
    }


def test_a_killed_worker_leaves_the_old_quarter_and_a_rerun_gives_the_full_new_one(
    world,
    data,  # noqa: F811
):
    queue = f"simpul-test-{uuid.uuid4().hex[:8]}"
    services.quarter_aggregate(year=YEAR, quarter=2)
    old = _snapshot()
    # New approved data arrives: the next run must show it, whole or not at all.
    MonthlyValue.objects.filter(report__month=4).update(value=50)

    slow = Worker(queue, step_seconds=1.5)
    try:
        run = AggregationRun.objects.create(year=YEAR, quarter=2)
        _send(queue, run)
        run = _wait(run, lambda r: r.status == "running" and r.done >= 2, seconds=60, worker=slow)
        # Mid-run: the worker has rewritten the puskesmas and district rows in its open
        # transaction; readers still see the old quarter, whole.
        assert _snapshot() == old
        slow.kill()
    finally:
        slow.stop()
    time.sleep(0.5)  # PostgreSQL notices the dead connection and rolls its transaction back
    assert _snapshot() == old
    run.refresh_from_db()
    assert run.status == "running"  # never finished: the page says it has not completed

    worker = Worker(queue)
    try:
        rerun = AggregationRun.objects.create(year=YEAR, quarter=2)
        _send(queue, rerun)
        rerun = _wait(rerun, lambda r: r.status in ("done", "failed"), seconds=60, worker=worker)
    finally:
        log = worker.stop()
    assert rerun.status == "done", log
    through_worker = _snapshot()
    assert through_worker != old
    # The same rows as an in-process rebuild of the same data: full and correct.
    services.quarter_aggregate(year=YEAR, quarter=2)
    assert _snapshot() == through_worker
