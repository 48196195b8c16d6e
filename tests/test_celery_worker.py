"""Jobs through a real Celery worker on Redis, killed in the middle: an import and an aggregation.

Runs where REDIS_URL and PostgreSQL are set (CI); skipped elsewhere. The worker is a separate
process on the test database; tasks go through Redis to a private queue, not eagerly. After the
kill nothing is half-saved, the sweep fails the job (as its page then says), and a retry on a
fresh worker ends it done, saved once.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone, translation
from openpyxl import load_workbook

from indicators import services
from indicators.models import (
    Achievement,
    AggregationRun,
    MonthlyReport,
    MonthlyValue,
    ReportingYear,
    SPMEdition,
    ValueChange,
)
from kernel import tasks as kernel_tasks
from kernel.imports.runner import import_retry, import_start
from kernel.models import ImportJob
from kernel.services import jobs

from .factories import VillageFactory
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

    def __init__(self, queue: str, step_seconds: float = 0, job_step_seconds: float = 0) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": REDIS_URL,
            "SECRET_KEY": "worker-test-key-" + "x" * 50,
            "SIMPUL_AGGREGATION_STEP_SECONDS": str(step_seconds),
            "SIMPUL_JOB_STEP_SECONDS": str(job_step_seconds),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),  # where the test stored the upload
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
    client = Celery(broker=REDIS_URL, set_as_current=False)  # tasks keep their app
    client.send_task("indicators.tasks.aggregate_quarter", args=[run.pk], queue=queue)


def _wait(
    run: AggregationRun | ImportJob, predicate, *, seconds: float, worker: Worker
) -> AggregationRun:
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
    # Time passes beyond the run's limits: the sweep fails it, and its page says so.
    later = timezone.now() + timedelta(
        seconds=settings.SIMPUL_AGGREGATION_SOFT_TIME_LIMIT + 60 + settings.SIMPUL_JOB_GRACE + 1
    )
    assert jobs.jobs_sweep(now=later)["runs"] == 1
    run.refresh_from_db()
    assert run.status == "failed" and run.error == str(jobs.WORKER_LOST)
    assert _snapshot() == old

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


# --- An import killed midway ---------------------------------------------------------------------


def _monthly_file(world) -> tuple[bytes, int]:
    """A year of a puskesmas with 40 desa, every value filled: thousands of values, so the
    import reports progress many times (a batch of 500 values each)."""
    puskesmas = world["hsu"]["puskesmas"]
    VillageFactory.create_batch(38, subdistrict=world["hsu"]["subdistrict"], puskesmas=puskesmas)
    with translation.override("en"):
        content = services.monthly_template(
            puskesmas_list=[puskesmas], year=YEAR, months=list(range(1, 13))
        )
    workbook = load_workbook(BytesIO(content))
    sheet = workbook["Data"]
    values = 0
    for row in range(2, sheet.max_row + 1):
        for column in range(7, 19):  # G..R: January to December
            sheet.cell(row=row, column=column, value=(row * column) % 17 + 1)
            values += 1
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), values


def _send_import(queue: str, monkeypatch) -> None:
    """import_start and import_retry enqueue with `.delay`; here it goes to the private queue."""
    client = Celery(broker=REDIS_URL, set_as_current=False)  # tasks keep their app
    monkeypatch.setattr(
        kernel_tasks.import_run,
        "delay",
        lambda *args: client.send_task("kernel.tasks.import_run", args=list(args), queue=queue),
    )


def test_a_killed_import_saves_nothing_is_failed_by_the_sweep_and_its_retry_saves_once(
    world, puskesmas_head, monkeypatch, settings
):
    edition = SPMEdition.objects.order_by("-first_year").first()
    ReportingYear.objects.get_or_create(year=YEAR, defaults={"edition": edition})
    content, values = _monthly_file(world)
    assert values > 2_000
    queue = f"simpul-test-{uuid.uuid4().hex[:8]}"
    _send_import(queue, monkeypatch)

    slow = Worker(queue, job_step_seconds=1.0)
    try:
        with translation.override("en"):
            job = import_start(
                kind=ImportJob.Kind.MONTHLY_VALUES,
                upload=SimpleUploadedFile("tahun.xlsx", content),
                user=puskesmas_head,
            )
        job = _wait(job, lambda j: j.status == "running" and j.done > 0, seconds=90, worker=slow)
        assert job.done < job.total == values  # midway, its page shows how far
        slow.kill()
    finally:
        slow.stop()
    time.sleep(0.5)  # PostgreSQL notices the dead connection and rolls its transaction back
    assert MonthlyValue.objects.count() == 0
    assert ValueChange.objects.count() == 0 and MonthlyReport.objects.count() == 0
    job.refresh_from_db()
    assert job.status == "running"

    later = timezone.now() + timedelta(
        seconds=settings.SIMPUL_IMPORT_SOFT_TIME_LIMIT + 60 + settings.SIMPUL_JOB_GRACE + 1
    )
    assert jobs.jobs_sweep(now=later)["imports"] == 1
    job.refresh_from_db()
    with translation.override(job.language):
        assert job.status == "failed" and job.errors == [str(jobs.WORKER_LOST)]

    worker = Worker(queue)
    try:
        job = import_retry(job=job, by=puskesmas_head)
        assert job.status == "queued" and job.attempt == 2
        job = _wait(job, lambda j: j.status in ("done", "failed"), seconds=90, worker=worker)
    finally:
        log = worker.stop()
    assert job.status == "done", (job.errors, log)
    assert job.done == values and job.result["values_created"] == values
    assert MonthlyValue.objects.count() == values
    assert ValueChange.objects.count() == values  # each value saved and audited once
    assert MonthlyReport.objects.count() == 12
