"""Is the site healthy? The checks behind `/health/` and the ops page (issue #14).

One check per part, on django-health-check: the database, the cache (Redis when REDIS_URL is
set), storage (MEDIA_ROOT writable), migrations (none unapplied), the Celery worker (a ping)
and beat (a heartbeat). On the embedded default (no REDIS_URL) Celery tasks run inline: there is
no worker or beat to check, and those two parts say they are skipped, not failing.

The heartbeat: beat sends `kernel.tasks.heartbeat` every minute (config/celery.py) and once when
it starts; the worker that runs it records the time and its own name in the cache. The beat
check fails when the last heartbeat is older than SIMPUL_BEAT_MAX_AGE seconds (a stopped beat,
or no worker to run what it sends).

`/health/` answers 200 when every part is fine, 503 otherwise; JSON with `?format=json` or
`Accept: application/json`, else an HTML table. No login, no cookie, no HTTPS redirect
(SECURE_REDIRECT_EXEMPT): load balancers and monitors poll it. Checks that use the database run
in the request's own thread, on its kept connection (no new connection per poll).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
from typing import Any, ClassVar

import health_check.checks as package_checks
from asgiref.sync import sync_to_async
from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from health_check.base import HealthCheck, HealthCheckResult
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

HEARTBEAT_KEY = "simpul:health:heartbeat"
# Kept long past the freshness limit, so the ops page can still say when beat last ran.
HEARTBEAT_KEPT_SECONDS = 7 * 24 * 3600

OK, SKIPPED, FAILING = "ok", "skipped", "failing"


def celery_inline() -> bool:
    """Celery tasks run in the web process (no REDIS_URL): no worker, no beat."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


NOT_NEEDED = "Celery tasks run inline (no REDIS_URL)"


class Named:
    """A check's part name (the key in the JSON) and, when it had nothing to check, why."""

    name: ClassVar[str] = ""
    skipped: str = ""

    def skip(self, reason: str) -> None:
        self.skipped = reason


async def _in_request_thread(function) -> Any:
    """Run a check that uses the database in the request's thread, on its connection."""
    return await sync_to_async(function, thread_sensitive=True)()


# --- The parts ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Database(Named, package_checks.Database):
    name = "database"

    async def run(self):
        await _in_request_thread(super().run)


@dataclasses.dataclass
class Cache(Named, package_checks.Cache):
    """Sets and reads back a key: the Redis cache when REDIS_URL is set, else local memory."""

    name = "cache"


@dataclasses.dataclass
class Storage(Named, package_checks.Storage):
    """Writes, reads and deletes a small file under MEDIA_ROOT."""

    name = "storage"

    def run(self):
        try:
            super().run()
        except OSError as error:
            raise ServiceUnavailable(f"MEDIA_ROOT is not writable ({error.strerror})") from error


@dataclasses.dataclass
class Migrations(Named, HealthCheck):
    """Every migration the code ships has been applied (else: run `manage.py migrate`)."""

    name = "migrations"

    def check(self) -> None:
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as error:
            raise ServiceUnavailable("Cannot read the applied migrations") from error
        if plan:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
            more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
            raise ServiceUnavailable(f"{len(plan)} unapplied: {names}{more}")

    async def run(self):
        await _in_request_thread(self.check)


@dataclasses.dataclass
class Worker(Named, Ping):
    """A Celery worker answers a ping and reads the queue tasks are sent to."""

    name = "worker"
    timeout: datetime.timedelta = dataclasses.field(
        default_factory=lambda: datetime.timedelta(seconds=settings.SIMPUL_WORKER_PING_TIMEOUT),
        repr=False,
    )

    def ping(self, *, limit: int | None) -> list:
        try:
            return self.app.control.ping(timeout=self.timeout.total_seconds(), limit=limit) or []
        except OSError as error:
            raise ServiceUnavailable("Cannot reach the Celery broker") from error

    def run(self):
        if celery_inline():
            self.skip(NOT_NEEDED)
            return
        # The first worker to answer, at once (a poll costs milliseconds, not the timeout).
        replies = self.ping(limit=1)
        if not replies:
            seconds = self.timeout.total_seconds()
            raise ServiceUnavailable(f"No Celery worker answered within {seconds:g} s")
        try:
            self.check_active_queues(*self.active_workers(replies))
        except ServiceUnavailable:
            # It reads other queues (another site on the same Redis): ask every worker.
            self.check_active_queues(*self.active_workers(self.ping(limit=None)))


def heartbeat_record(*, worker: str | None, now: datetime.datetime | None = None) -> dict:
    """Note that beat's heartbeat reached a worker (kernel.tasks.heartbeat)."""
    beat = {"at": (now or timezone.now()).isoformat(), "worker": worker or ""}
    cache.set(HEARTBEAT_KEY, beat, timeout=HEARTBEAT_KEPT_SECONDS)
    return beat


def heartbeat_last() -> dict | None:
    """The last heartbeat: {"at": datetime, "worker": name}, or None if none is known."""
    beat = cache.get(HEARTBEAT_KEY)
    if not beat:
        return None
    return {"at": datetime.datetime.fromisoformat(beat["at"]), "worker": beat.get("worker", "")}


def heartbeat_problem(
    beat: dict | None, *, now: datetime.datetime | None = None, max_age: int | None = None
) -> str | None:
    """Why the heartbeat says beat is not running, or None when it is fresh."""
    max_age = settings.SIMPUL_BEAT_MAX_AGE if max_age is None else max_age
    if beat is None:
        return "No heartbeat yet: is celery beat running, and a worker?"
    age = ((now or timezone.now()) - beat["at"]).total_seconds()
    if age > max_age:
        return (
            f"Last heartbeat {int(age)} s ago (limit {max_age} s): "
            "celery beat or the worker has stopped"
        )
    return None


@dataclasses.dataclass
class Beat(Named, HealthCheck):
    """Celery beat's heartbeat, run by a worker, is fresh."""

    name = "beat"

    def run(self):
        if celery_inline():
            self.skip(NOT_NEEDED)
            return
        try:
            beat = heartbeat_last()
        except Exception as error:  # the cache's own client errors (Redis) vary
            raise ServiceUnavailable("Cannot read the heartbeat from the cache") from error
        problem = heartbeat_problem(beat)
        if problem:
            raise ServiceUnavailable(problem)


def queue_lengths() -> dict[str, int] | None:
    """Messages waiting in each queue the worker reads (Redis LLEN, with kombu's priority
    lists); None when tasks run inline."""
    if celery_inline():
        return None
    import redis

    queues = [current_app.conf.task_default_queue]
    queues += [queue.name for queue in current_app.conf.task_queues or ()]
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2
    )
    try:
        lengths = {}
        for queue in dict.fromkeys(queues):
            # kombu keeps priorities 3, 6 and 9 in lists of their own beside the queue's.
            keys = [queue] + [f"{queue}\x06\x16{step}" for step in (3, 6, 9)]
            with client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.llen(key)
                lengths[queue] = sum(pipe.execute())
        return lengths
    finally:
        client.close()


CHECKS: tuple[type[HealthCheck], ...] = (Database, Cache, Storage, Migrations, Worker, Beat)


@dataclasses.dataclass(frozen=True)
class Part:
    """One part's result, as the JSON, the HTML table and the ops page show it."""

    name: str
    status: str  # ok, skipped or failing
    message: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status != FAILING


def part_of(result: HealthCheckResult) -> Part:
    check: Any = result.check
    if result.error is not None:
        status, message = FAILING, str(result.error)
    elif check.skipped:
        status, message = SKIPPED, check.skipped
    else:
        status, message = OK, "OK"
    return Part(check.name, status, message, round(result.time_taken, 4))


async def health_results() -> list[Part]:
    """Every part's result; checks run side by side (those on the database in turn)."""
    results = await asyncio.gather(*(check().get_result() for check in CHECKS))
    return [part_of(result) for result in results]


# --- The endpoint ------------------------------------------------------------------------------


class HealthView(HealthCheckView):
    """`/health/`: 200 when every part is fine, else 503 (the package says 500: a load balancer
    reads 503 as "this server is unavailable", not as a bug)."""

    template_name = "kernel/ops_health.html"
    checks = CHECKS

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response

    def parts(self) -> list[Part]:
        return [part_of(result) for result in self.results]

    def get_context_data(self, **kwargs):
        parts = self.parts()
        return {**kwargs, "parts": parts, "healthy": all(part.ok for part in parts)}

    def render_to_response_json(self, status):
        from django.http import JsonResponse

        parts = self.parts()
        return JsonResponse(
            {
                "status": OK if all(part.ok for part in parts) else FAILING,
                "checks": {
                    part.name: {
                        "status": part.status,
                        "message": part.message,
                        "seconds": part.seconds,
                    }
                    for part in parts
                },
            },
            status=status,
        )

    def render_to_response_text(self, status):
        from django.http import HttpResponse

        lines = (f"{part.name}: {part.status}: {part.message}" for part in self.parts())
        return HttpResponse(
            "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8", status=status
        )


health = HealthView.as_view()
