"""The ops page for system administrators (`/ops/`): each part's health, the Celery queue,
background jobs of the last 7 days by kind and status, the latest failures with their error,
and beat's last heartbeat with the worker that ran it. Every other role: 403.
This module ends with its own `urlpatterns`, which kernel/urls.py appends.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .. import health
from ..roles import is_system_admin
from ..selectors.ops import job_overview


def _queues() -> tuple[dict[str, int] | None, str]:
    """Queue lengths, or why they are unknown (Redis down: the health table says more)."""
    try:
        return health.queue_lengths(), ""
    except Exception as error:  # redis-py's errors; the page must still show the rest
        return None, type(error).__name__


@never_cache
@login_required
@require_safe
def ops(request):
    if not is_system_admin(request.user):
        raise PermissionDenied
    parts = async_to_sync(health.health_results)()
    queues, queue_error = _queues()
    try:
        beat = health.heartbeat_last()
    except Exception:  # the cache is down: the health table says so
        beat = None
    context = {
        "parts": parts,
        "healthy": all(part.ok for part in parts),
        "inline": health.celery_inline(),
        "queues": queues,
        "queue_error": queue_error,
        "beat": beat,
        "beat_problem": None if health.celery_inline() else health.heartbeat_problem(beat),
        **job_overview(user=request.user),
    }
    return render(request, "kernel/ops.html", context)


urlpatterns = [path("ops/", ops, name="ops")]
