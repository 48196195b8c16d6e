"""/health/ with a real Celery worker and beat on Redis: worker and beat fail without them and
turn healthy once they run (the heartbeat beat sends at start reaches the worker).

Runs where REDIS_URL is set (CI); skipped elsewhere. Worker and beat use a private queue, so
other tests' workers on the same Redis neither answer for them nor take their heartbeat.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.core.cache import caches

from kernel import health

pytestmark = [pytest.mark.worker]

REDIS_URL = os.environ.get("REDIS_URL", "")
BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def _needs_redis():
    if not REDIS_URL:
        reason = "needs REDIS_URL (as in CI)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def production_celery(settings, monkeypatch):
    """This process as a web server of the production stack: Celery through Redis, not
    inline, the cache on Redis, tasks to a private queue."""
    queue = f"simpul-health-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    app = current_app._get_current_object()
    before = {key: app.conf[key] for key in ("broker_url", "task_default_queue")}
    app.conf.update(broker_url=REDIS_URL, task_default_queue=queue)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    caches["default"].delete(health.HEARTBEAT_KEY)
    try:
        yield queue
    finally:
        caches["default"].delete(health.HEARTBEAT_KEY)
        caches["default"].close()
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.update(before)


def _start(queue: str, tmp_path: Path, *command: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "health-worker-test-key-" + "x" * 50,
        "SIMPUL_CELERY_QUEUE": queue,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", *command],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    return process.stdout.read().decode(errors="replace")[-3000:]


def _checks(client) -> tuple[int, dict]:
    response = client.get("/health/?format=json")
    return response.status_code, response.json()["checks"]


def test_worker_and_beat_turn_healthy_when_they_run(client, db, production_celery, tmp_path):
    status, checks = _checks(client)
    assert status == 503
    assert checks["worker"]["status"] == "failing" and checks["beat"]["status"] == "failing"
    assert checks["cache"]["status"] == "ok"

    queue = production_celery
    worker = _start(
        queue,
        tmp_path,
        "worker",
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "--hostname",
        f"{queue}@test",
    )
    beat = _start(queue, tmp_path, "beat", "--schedule", str(tmp_path / "beat-schedule"))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, checks = _checks(client)
            if status == 200:
                break
            for process in (worker, beat):
                if process.poll() is not None:
                    pytest.fail(f"a Celery process died:\n{_stop(process)}")
            time.sleep(1)
    finally:
        logs = _stop(beat) + _stop(worker)
    assert status == 200, (checks, logs)
    assert checks["worker"]["status"] == "ok" and checks["beat"]["status"] == "ok"
    assert health.heartbeat_last()["worker"] == f"{queue}@test"
