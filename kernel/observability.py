"""What a log line and an error report say about where they come from (issue #14).

- `RequestContextMiddleware` (first in MIDDLEWARE) takes the reverse proxy's `X-Request-ID`
  when it is sane (or makes one), sends it back as a response header, keeps the request id, the
  user id and the area ("district:12") in context variables while the request runs, and logs
  one line per request (method, path, status, duration) on the `simpul.request` logger.
- `ContextFilter` (on the log handler) adds those variables, and a Celery task's id and name,
  to every record: the JSON formatter then writes them as fields.
- Celery tasks set the task id through its signals (`celery_signals_connect`, called by
  config/celery.py); the worker and beat keep Django's LOGGING (`celery_setup_logging`).
- `sentry_init`: error reports only when SENTRY_DSN is set (config/settings/base.py), without
  personal data; events carry the request id and area as tags.

This module is imported by the settings: it must not import models or read settings at import.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from typing import Any

from django.core.signals import request_finished
from django.utils.functional import LazyObject, empty

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "simpul_request_id", default=None
)
user_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "simpul_user_id", default=None
)
area_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("simpul_area", default=None)
task_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "simpul_task_id", default=None
)
task_name_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "simpul_task_name", default=None
)

REQUEST_ID_HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits; other proxies send UUIDs or similar tokens. Anything
# else (too long, spaces, quotes, control characters) is replaced by one of our own, so a
# client cannot write into the logs through this header.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")

request_logger = logging.getLogger("simpul.request")


def request_id_from(header: str | None) -> str:
    """The proxy's request id when it is sane, else a new one (32 hex digits)."""
    if header and SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def area_label(user: Any) -> str | None:
    """Where a user works, for logs: "puskesmas:7", "district:12", "province:3", "national"
    for a system administrator; None for anonymous users. Reads only the user's own row."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "is_system_admin", False):
        return "national"
    for kind in ("puskesmas", "district", "province"):
        area_id = getattr(user, f"{kind}_id", None)
        if area_id is not None:
            return f"{kind}:{area_id}"
    return None


def _loaded_user(request) -> Any:
    """The request's user if something has already loaded it (no query of our own)."""
    user = getattr(request, "user", None)
    if isinstance(user, LazyObject) and user._wrapped is empty:
        return None  # a lazy user nobody asked for: the view did not need it
    return user


def request_context_clear(**kwargs) -> None:
    """The request is over: its id, user and area leave the context."""
    request_id_var.set(None)
    user_id_var.set(None)
    area_var.set(None)


class RequestContextMiddleware:
    """Request id in and out, request context for the logs, one log line per request."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Cleared when the response is closed: Django logs 4xx and 5xx answers (django.request)
        # after the middleware returned, and those lines keep the request's id too.
        request_finished.connect(request_context_clear, dispatch_uid="simpul-request-context")

    def __call__(self, request):
        started = time.perf_counter()
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        request_id_var.set(request_id)
        user_id_var.set(None)
        area_var.set(None)
        response = self.get_response(request)
        response.headers[REQUEST_ID_HEADER] = request_id
        self._log(request, response.status_code, started)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """After authentication: the user id and area, for what the view logs."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_id_var.set(user.pk)
            area_var.set(area_label(user))
        return None

    def _log(self, request, status: int, started: float) -> None:
        if not request_logger.isEnabledFor(logging.INFO):
            return
        # The user after the view (a login or logout changes it), if it was loaded at all.
        user = _loaded_user(request)
        if user is not None and user.is_authenticated:
            user_id_var.set(user.pk)
            area_var.set(area_label(user))
        elif user is not None:
            user_id_var.set(None)
            area_var.set(None)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        # The path without its query string: queries can carry names and search terms.
        request_logger.info(
            "%s %s %s %sms",
            request.method,
            request.path,
            status,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": duration_ms,
            },
        )


class ContextFilter(logging.Filter):
    """Adds request_id, user_id, area, task_id and task_name to every record (None outside a
    request or task). Put it on the handler, so records of every logger get it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get()
        record.area = area_var.get()
        record.task_id = task_id_var.get()
        record.task_name = task_name_var.get()
        return True


JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


def logging_config(*, log_format: str = "json", level: str = "WARNING") -> dict:
    """LOGGING for the settings: one console handler, JSON lines (`log_format="json"`) or
    plain text; Simpul's own loggers (the request line) and Celery's at INFO."""
    formatters = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "kernel.observability.ContextFilter"}},
        "formatters": formatters,
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["context"],
                "formatter": "json" if log_format == "json" else "text",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # One line per request (RequestContextMiddleware); the access log of the site.
            "simpul": {"level": "INFO"},
            # A line per task received and finished, with its id (worker and beat).
            "celery": {"level": "INFO"},
            # A failing part is in /health/'s answer and its 503; not a traceback per poll.
            "health_check": {"level": "ERROR"},
        },
    }


# --- Celery ------------------------------------------------------------------------------------


def _task_started(task_id=None, task=None, **kwargs) -> None:
    task_id_var.set(task_id)
    task_name_var.set(getattr(task, "name", None))


def _task_ended(**kwargs) -> None:
    task_id_var.set(None)
    task_name_var.set(None)


def celery_setup_logging(loglevel=None, **kwargs) -> None:
    """Receiver of Celery's `setup_logging`: Celery then leaves logging alone, and the worker
    and beat log through Django's LOGGING (JSON in production) like the web processes. Their
    `--loglevel` still sets how much Celery itself says (Procfile: info, a line per task)."""
    if loglevel:
        logging.getLogger("celery").setLevel(
            loglevel.upper() if isinstance(loglevel, str) else loglevel
        )


def celery_signals_connect() -> None:
    """Task id and name on every record a task logs; Django's LOGGING in worker and beat."""
    from celery import signals

    signals.task_prerun.connect(_task_started, weak=False, dispatch_uid="simpul-task-context")
    signals.task_postrun.connect(_task_ended, weak=False, dispatch_uid="simpul-task-context")
    signals.setup_logging.connect(
        celery_setup_logging, weak=False, dispatch_uid="simpul-celery-logging"
    )


# --- Sentry ------------------------------------------------------------------------------------


def sentry_before_send(event: dict, hint: dict) -> dict:
    """Tag an error report with the request id, area and task id; drop any user data."""
    tags = event.setdefault("tags", {})
    for name, var in (("request_id", request_id_var), ("area", area_var), ("task_id", task_id_var)):
        value = var.get()
        if value is not None:
            tags[name] = value
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        request.pop("data", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            for name in list(headers):
                if name.lower() in ("cookie", "authorization", "x-csrftoken"):
                    headers.pop(name)
    return event


def sentry_init(
    *,
    dsn: str,
    environment: str | None = None,
    release: str | None = None,
    traces_sample_rate: float | None = None,
    transport: Any = None,
) -> None:
    """Error reports to Sentry (or a compatible service such as GlitchTip), without personal
    data: no user, cookies, request bodies or client addresses. Traces only when asked."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    options: dict[str, Any] = {
        "dsn": dsn,
        "environment": environment or None,
        "release": release or None,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        "send_default_pii": False,
        # Form posts carry personal and health data; a report never includes them.
        "max_request_body_size": "never",
        "traces_sample_rate": traces_sample_rate,
        "before_send": sentry_before_send,
    }
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(**options)
