"""/health/ (kernel/health.py): one entry per part, 200 when all are fine, 503 otherwise; no
login, no cookie; worker and beat skipped when Celery runs inline (the embedded default)."""

import datetime
import os

import pytest
from django.core.cache import caches
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from kernel import health
from kernel import tasks as kernel_tasks

PARTS = {"database", "cache", "storage", "migrations", "worker", "beat"}
REDIS_URL = os.environ.get("REDIS_URL", "")


def _json(client, **headers):
    response = client.get("/health/?format=json", **headers)
    return response, response.json()


def test_every_part_is_reported_and_worker_and_beat_are_skipped_on_the_embedded_default(client, db):
    assert reverse("health") == "/health/"
    response, body = _json(client)
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == PARTS
    for name in ("database", "cache", "storage", "migrations"):
        assert body["checks"][name]["status"] == "ok", body["checks"][name]
    for name in ("worker", "beat"):
        assert body["checks"][name]["status"] == "skipped"
        assert "inline" in body["checks"][name]["message"]
    assert response["Cache-Control"].startswith("max-age=0")


def test_json_by_accept_header_and_html_otherwise_without_login_or_cookie(client, db):
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and set(response.json()["checks"]) == PARTS
    page = client.get("/health/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert 'data-part="migrations"' in html and "<form" not in html and "<style" not in html
    for answer in (response, page):
        assert not answer.cookies  # no session, no CSRF cookie: a load balancer polls it
        assert "Set-Cookie" not in answer


def test_no_https_redirect_for_health_but_for_pages(client, db):
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get("/health/?format=json").status_code == 200
        assert client.get("/login/").status_code == 301


def test_an_unapplied_migration_answers_503_naming_it(client, db):
    latest = MigrationRecorder.Migration.objects.filter(app="kernel").order_by("-name").first()
    latest.delete()  # as if the code was deployed without `migrate` (rolled back after the test)
    response, body = _json(client)
    assert response.status_code == 503
    assert body["status"] == "failing"
    assert body["checks"]["migrations"]["status"] == "failing"
    assert f"kernel.{latest.name}" in body["checks"]["migrations"]["message"]
    assert body["checks"]["database"]["status"] == "ok"


def test_an_unwritable_media_root_answers_503(client, db, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    with override_settings(MEDIA_ROOT=blocker / "media"):  # (root ignores file modes)
        response, body = _json(client)
    assert response.status_code == 503
    assert body["checks"]["storage"]["status"] == "failing"
    assert "MEDIA_ROOT" in body["checks"]["storage"]["message"]


def _redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_an_unreachable_redis_cache_answers_503(client, db):
    with override_settings(CACHES=_redis_cache("redis://127.0.0.1:1/0")):
        response, body = _json(client)
        caches["default"].close()
    assert response.status_code == 503
    assert body["checks"]["cache"]["status"] == "failing"


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (as in CI)")
def test_the_cache_check_on_redis(client, db):
    with override_settings(CACHES=_redis_cache(REDIS_URL)):
        response, body = _json(client)
        caches["default"].close()
    assert body["checks"]["cache"]["status"] == "ok", body
    assert response.status_code == 200


# --- Worker and beat, when Celery has a broker ---------------------------------------------------


def test_heartbeat_freshness():
    now = timezone.now()
    assert "No heartbeat yet" in health.heartbeat_problem(None, now=now, max_age=180)
    fresh = {"at": now - datetime.timedelta(seconds=179), "worker": "w"}
    assert health.heartbeat_problem(fresh, now=now, max_age=180) is None
    stale = {"at": now - datetime.timedelta(seconds=181), "worker": "w"}
    assert "181 s ago" in health.heartbeat_problem(stale, now=now, max_age=180)


@pytest.fixture
def with_broker(settings, monkeypatch):
    """Celery as in production (not inline); the worker's ping answered as the test says."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    answers = {"ping": [{"celery@web1": {"ok": "pong"}}]}
    monkeypatch.setattr(health.Worker, "ping", lambda self, limit: answers["ping"])
    monkeypatch.setattr(health.Worker, "check_active_queues", lambda self, *workers: None)
    health.cache.delete(health.HEARTBEAT_KEY)
    yield answers
    health.cache.delete(health.HEARTBEAT_KEY)


def _parts() -> dict:
    from asgiref.sync import async_to_sync

    return {part.name: part for part in async_to_sync(health.health_results)()}


def test_beat_fails_without_a_heartbeat_and_passes_after_the_task_ran(db, with_broker):
    parts = _parts()
    assert parts["worker"].status == "ok"
    assert parts["beat"].status == "failing" and "No heartbeat yet" in parts["beat"].message
    kernel_tasks.heartbeat.apply()  # what a worker does when beat sends it
    assert health.heartbeat_last()["at"] > timezone.now() - datetime.timedelta(seconds=5)
    assert _parts()["beat"].status == "ok"


def test_beat_fails_when_the_last_heartbeat_is_too_old(db, with_broker, settings):
    old = timezone.now() - datetime.timedelta(seconds=settings.SIMPUL_BEAT_MAX_AGE + 10)
    health.heartbeat_record(worker="celery@worker1", now=old)
    beat = _parts()["beat"]
    assert beat.status == "failing" and "stopped" in beat.message


def test_worker_fails_when_no_worker_answers(client, db, with_broker):
    with_broker["ping"] = []
    health.heartbeat_record(worker="celery@worker1")
    response, body = _json(client)
    assert response.status_code == 503
    assert body["checks"]["worker"]["status"] == "failing"
    assert "No Celery worker answered" in body["checks"]["worker"]["message"]
    assert body["checks"]["beat"]["status"] == "ok"
