"""Every import's job page, its poller and its retry; and the one way a view starts an import.

An upload page binds its form, then calls `start_import`: the file is kept on a queued job
and the user lands on the job's page, which follows the work and ends done (with what was
saved) or failed (with every problem located by sheet, row and column, and a retry).
This module ends with its own `urlpatterns`, which kernel/urls.py appends.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..imports import importer_for, runner
from ..models import ExportJob, ImportJob
from ..scoping import get_in_area_or_404
from ..services import jobs
from ..web import run_service


def start_import(request, form, *, kind: str, params: Mapping | None = None):
    """Start an import of the form's `file`; a redirect to its job page, or None with the
    refusal (no right on the target, file too large) on the form."""
    started: list[ImportJob] = []
    if run_service(
        request,
        form,
        lambda: started.append(
            runner.import_start(
                kind=kind, upload=form.cleaned_data["file"], user=request.user, params=params
            )
        ),
    ):
        return redirect("kernel:importjob-detail", pk=started[0].pk)
    return None


def job_status(job: ImportJob | ExportJob) -> dict:
    """What a job's page and its poller show (import or export job): status, progress and a
    sentence saying it."""
    label = job.get_status_display()
    if job.status == job.Status.RUNNING and job.total:
        label = _("Working: %(done)s of %(total)s") % {
            "done": number_format(job.done),
            "total": number_format(job.total),
        }
    return {
        "status": job.status,
        "label": str(label),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.status in (job.Status.DONE, job.Status.FAILED),
    }


def _job(request, pk) -> ImportJob:
    job = get_in_area_or_404(ImportJob.objects.select_related("created_by"), request.user, pk=pk)
    if jobs.job_overdue(job):  # its worker died: never show "working" past the job's limit
        jobs.jobs_sweep()
        job.refresh_from_db()
    return job


def _result_template(job: ImportJob) -> str | None:
    try:
        return importer_for(job.kind).result_template
    except KeyError:
        return None


@never_cache  # its poller must see the latest progress
@login_required
def importjob_detail(request, pk):
    job = _job(request, pk)  # scoped first: another area's job is a 404 whatever the method
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if request.GET.get("format") == "json":
        return JsonResponse(job_status(job))
    context = {
        "job": job,
        "state": job_status(job),
        "result": job.result,
        "result_template": _result_template(job),
        "back_url": job.params.get("_back", ""),
        "target_label": job.params.get("_label", ""),
        "can_retry": job.status == ImportJob.Status.FAILED
        and job.created_by_id == request.user.pk
        and bool(job.file),
    }
    return render(request, "kernel/importjob_detail.html", context)


@login_required
@require_POST
def importjob_retry(request, pk):
    job = _job(request, pk)
    try:
        runner.import_retry(job=job, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("kernel:importjob-detail", pk=job.pk)


urlpatterns = [
    path("imports/<int:pk>/", importjob_detail, name="importjob-detail"),
    path("imports/<int:pk>/retry/", importjob_retry, name="importjob-retry"),
]
