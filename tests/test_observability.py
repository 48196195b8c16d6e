"""Logs and error reports (kernel/observability.py): the request id in and out, every record
with request id, user id and area (or a task's id), JSON lines, and Sentry only with a DSN and
without personal data."""

import json
import logging
import os
import subprocess
import sys
import textwrap

import pytest
from celery import shared_task
from django.conf import settings

from kernel import observability

REQUEST_ID = "X-Request-ID"


@pytest.fixture
def records():
    """Every record reaching the root logger, through the same context filter as the console
    handler (the filter sits on the handler, so caplog's records would not carry it)."""

    class Keep(logging.Handler):
        def __init__(self):
            super().__init__()
            self.records = []
            self.addFilter(observability.ContextFilter())

        def emit(self, record):
            self.records.append(record)

    handler = Keep()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler.records
    root.removeHandler(handler)


def _request_lines(records):
    return [r for r in records if r.name == "simpul.request"]


def test_a_sane_request_id_from_the_proxy_comes_back(client, db, records):
    response = client.get("/login/", HTTP_X_REQUEST_ID="5f0c6a1e9b2d4c7e8a1b3c5d7e9f0a2b")
    assert response[REQUEST_ID] == "5f0c6a1e9b2d4c7e8a1b3c5d7e9f0a2b"
    (line,) = _request_lines(records)
    assert line.request_id == "5f0c6a1e9b2d4c7e8a1b3c5d7e9f0a2b"
    assert (line.method, line.path, line.status) == ("GET", "/login/", 200)
    assert line.duration_ms >= 0 and line.user_id is None and line.area is None


@pytest.mark.parametrize("sent", ["", "has space", "x" * 101, 'quote"d', "line\nbreak", "-start"])
def test_an_insane_or_missing_request_id_is_replaced(client, db, sent):
    headers = {"HTTP_X_REQUEST_ID": sent} if sent else {}
    response = client.get("/login/", **headers)
    made = response[REQUEST_ID]
    assert made != sent and len(made) == 32 and int(made, 16) >= 0


def test_records_of_a_signed_in_request_carry_user_and_area(client, district_user, records):
    client.force_login(district_user)
    response = client.get("/regions/999999/")  # not found: Django logs a warning about it
    assert response.status_code == 404
    request_id = response[REQUEST_ID]
    (line,) = _request_lines(records)
    warning = next(r for r in records if r.name == "django.request")
    for record in (line, warning):
        assert record.request_id == request_id
        assert record.user_id == district_user.pk
        assert record.area == f"district:{district_user.district_id}"
    assert line.status == 404 and line.path == "/regions/999999/"
    # After the request, nothing of it stays in the context.
    logging.getLogger("simpul.test").warning("between requests")
    assert records[-1].request_id is None and records[-1].user_id is None


def test_area_labels(admin_user, puskesmas_head, province_user):
    assert observability.area_label(admin_user) == "national"
    assert observability.area_label(puskesmas_head) == f"puskesmas:{puskesmas_head.puskesmas_id}"
    assert observability.area_label(province_user) == f"province:{province_user.province_id}"
    assert observability.area_label(None) is None


def test_the_console_handler_writes_json_lines_with_the_context(client, district_user):
    root = logging.getLogger()
    console = next(
        h
        for h in root.handlers
        if any(isinstance(f, observability.ContextFilter) for f in h.filters)
    )
    assert settings.LOG_FORMAT == "json"
    record = logging.LogRecord("simpul.request", logging.INFO, __file__, 1, "GET / 200", (), None)
    record.status = 200
    observability.request_id_var.set("abc")
    observability.user_id_var.set(7)
    observability.area_var.set("district:3")
    try:
        console.filter(record)
        line = json.loads(console.format(record))
    finally:
        observability.request_context_clear()
    assert line["message"] == "GET / 200" and line["level"] == "INFO"
    assert line["logger"] == "simpul.request" and "time" in line
    assert (line["request_id"], line["user_id"], line["area"], line["status"]) == (
        "abc",
        7,
        "district:3",
        200,
    )


@shared_task
def _task_that_logs():
    logging.getLogger("simpul.test").warning("inside a task")


def test_a_task_s_records_carry_its_id(records, monkeypatch):
    # The record is caught on its own logger: what other tests of this process left on the
    # loggers above it (levels, propagation) is not what this test is about.
    logger = logging.getLogger("simpul.test")
    monkeypatch.setattr(logger, "disabled", False)
    monkeypatch.setattr(logger, "propagate", False)
    monkeypatch.setattr(logging.root.manager, "disable", 0)
    logger.setLevel(logging.INFO)  # and clears every logger's cached levels
    (keep,) = [h for h in logging.getLogger().handlers if getattr(h, "records", None) is records]
    logger.addHandler(keep)
    try:
        result = _task_that_logs.apply()
    finally:
        logger.removeHandler(keep)
    assert result.successful(), result.traceback
    (record,) = [r for r in records if r.getMessage() == "inside a task"]
    assert record.task_id == result.id
    assert record.task_name.endswith("_task_that_logs")
    logger.addHandler(keep)
    try:
        logger.warning("after the task")
    finally:
        logger.removeHandler(keep)
    assert records[-1].task_id is None


# --- Sentry ------------------------------------------------------------------------------------


def test_sentry_is_off_without_a_dsn():
    import sentry_sdk

    assert not os.environ.get("SENTRY_DSN")
    assert not sentry_sdk.get_client().is_active()


# Run in a process of its own: Sentry's Django integration patches Django for the whole
# process, which the other tests must not inherit.
SENTRY_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import django
    django.setup()
    import sentry_sdk
    from sentry_sdk.transport import Transport
    from django.test.utils import setup_test_environment, override_settings
    from django.urls import path, include
    from django.test import Client

    events = []

    class Keep(Transport):
        def capture_envelope(self, envelope):
            event = envelope.get_event()
            if event is not None:
                events.append(event)

    client = sentry_sdk.get_client()
    assert client.is_active(), "SENTRY_DSN set: the settings initialise Sentry"
    client.transport = Keep(client.options)
    options = {k: client.options[k] for k in ("send_default_pii", "environment",
                                              "traces_sample_rate", "max_request_body_size")}

    def boom(request):
        raise RuntimeError("the view broke")

    urlpatterns = [path("boom/", boom)]
    setup_test_environment()
    with override_settings(ROOT_URLCONF=__name__):
        browser = Client(raise_request_exception=False)
        browser.cookies["preference"] = "secret-cookie-value"  # (no session: no database here)
        response = browser.post(
            "/boom/",
            {"username": "kapus", "password": "secret-password-123"},
            HTTP_X_REQUEST_ID="req-42",
        )
    sentry_sdk.flush()
    print(json.dumps({"status": response.status_code, "options": options, "events": events},
                     default=str))
    """
)


def test_an_exception_in_a_view_is_reported_without_personal_data():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SENTRY_DSN": "https://public@sentry.example.invalid/1",
        "SENTRY_ENVIRONMENT": "staging",
    }
    env.pop("SENTRY_TRACES_SAMPLE_RATE", None)
    done = subprocess.run(
        [sys.executable, "-c", SENTRY_SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["status"] == 500
    assert out["options"]["send_default_pii"] is False
    assert out["options"]["environment"] == "staging"
    assert out["options"]["traces_sample_rate"] is None  # no traces unless asked
    (event,) = out["events"]
    raised = [(e["type"], e["value"]) for e in event["exception"]["values"]]
    assert ("RuntimeError", "the view broke") in raised
    assert event["tags"]["request_id"] == "req-42"
    text = json.dumps(event)
    for secret in ("secret-password-123", "secret-cookie-value", "kapus"):
        assert secret not in text
    assert "user" not in event
    assert "cookies" not in event.get("request", {})
    assert "data" not in event.get("request", {})


def test_error_reports_are_tagged_with_request_id_area_and_task_without_user():
    observability.request_id_var.set("req-7")
    observability.area_var.set("puskesmas:4")
    observability.user_id_var.set(12)
    try:
        event = observability.sentry_before_send(
            {
                "user": {"id": 12, "ip_address": "10.0.0.1"},
                "request": {
                    "url": "https://simpul.example/x/",
                    "cookies": {"sessionid": "s"},
                    "data": {"password": "p"},
                    "headers": {"Cookie": "sessionid=s", "User-Agent": "phone"},
                },
            },
            {},
        )
    finally:
        observability.request_context_clear()
    assert event["tags"] == {"request_id": "req-7", "area": "puskesmas:4"}
    assert "user" not in event
    assert event["request"] == {
        "url": "https://simpul.example/x/",
        "headers": {"User-Agent": "phone"},
    }
