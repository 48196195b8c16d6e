"""Files made in the background: the one way a view offers a heavy file, the job's page with its
poller, the download, the retry, and the list of a person's recent files.

A page's link (`?format=pdf`, an export link) keeps working: on GET, `export_offer` answers a
short page with one button, "Prepare the file" (GET never starts work); the button POSTs to the
same address, which starts an export job and lands on its page: progress, then the download.
A form may POST there directly. Only the person who asked sees a job and downloads its file
(another person's job is a 404, whatever their area); files are never public media URLs.
This module ends with its own `urlpatterns`, which kernel/urls.py appends.
"""

from __future__ import annotations

import datetime
import mimetypes
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.functional import Promise
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from ..models import ExportJob
from ..scoping import get_in_area_or_404, in_area
from ..services import exports, jobs
from .imports import job_status

# A ready file of the same request, made this recently, is offered again on the confirm page.
REUSE_WITHIN = datetime.timedelta(hours=1)


def _back_url(request) -> str:
    """The page the file was asked from: this address without its `format`."""
    query = request.GET.copy()
    query.pop("format", None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def export_offer(
    request,
    *,
    kind: str,
    params: Mapping[str, Any],
    file_name: str,
    title: str | Promise,
    back_url: str | None = None,
):
    """Offer a file made by a job: on POST start it and go to its page; on GET a page with
    the button (and a ready file of the same request, if one was made within the hour).
    `back_url`: the page the file is asked from, when it is not this address without `format`.

    The caller has scoped what the file is about; the builder checks again as it runs."""
    back = back_url or _back_url(request)
    params = {**params, "_base_url": request.build_absolute_uri("/"), "_back": back}
    if request.method == "POST":
        job = exports.export_start(
            kind=kind, user=request.user, params=params, file_name=file_name, title=title
        )
        return redirect("kernel:exportjob-detail", pk=job.pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    context = {
        "title": title,
        "file_name": file_name,
        "back_url": params["_back"],
        "ready": _ready(request, kind=kind, params=params),
    }
    return render(request, "kernel/exportjob_confirm.html", context)


def _own_jobs(request) -> QuerySet[ExportJob]:
    return in_area(ExportJob.objects.filter(created_by=request.user), request.user)


def _ready(request, *, kind: str, params: Mapping[str, Any]) -> ExportJob | None:
    since = timezone.now() - REUSE_WITHIN
    recent = _own_jobs(request).filter(
        kind=kind, status=ExportJob.Status.DONE, finished_at__gte=since
    )
    # Parameters are compared here, not in SQL: JSON equality differs between databases.
    return next((job for job in recent[:10] if job.params == params and job.file), None)


def _job(request, pk) -> ExportJob:
    job = get_in_area_or_404(
        ExportJob.objects.filter(created_by=request.user).select_related("created_by"),
        request.user,
        pk=pk,
    )
    if jobs.job_overdue(job):  # its worker died: never show "working" past the job's limit
        jobs.jobs_sweep()
        job.refresh_from_db()
    return job


@never_cache  # its poller must see the latest progress
@login_required
def exportjob_detail(request, pk):
    job = _job(request, pk)  # scoped first: another person's job is a 404 whatever the method
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if request.GET.get("format") == "json":
        return JsonResponse(job_status(job))
    context = {
        "job": job,
        "state": job_status(job),
        "kind_label": _kind_label(job),
        "back_url": job.params.get("_back", ""),
    }
    return render(request, "kernel/exportjob_detail.html", context)


def _kind_label(job: ExportJob) -> str:
    try:
        return str(exports.export_kind(job.kind).label)
    except KeyError:
        return job.kind


@never_cache
@login_required
def exportjob_download(request, pk):
    job = _job(request, pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    content_type = mimetypes.guess_type(job.file_name)[0] or "application/octet-stream"
    return FileResponse(
        job.file.open("rb"),
        as_attachment=not job.is_pdf,  # a PDF opens in the browser, as it did before
        filename=job.file_name,
        content_type=content_type,
    )


@login_required
@require_POST
def exportjob_retry(request, pk):
    job = _job(request, pk)
    try:
        exports.export_retry(job=job, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("kernel:exportjob-detail", pk=job.pk)


@never_cache
@login_required
@require_safe
def exportjob_list(request):
    """The files this person asked for lately (the last 20)."""
    recent = _own_jobs(request).order_by("-created_at")[:20]
    rows = [(job, _kind_label(job)) for job in recent]
    return render(request, "kernel/exportjob_list.html", {"rows": rows})


urlpatterns = [
    path("files/", exportjob_list, name="exportjob-list"),
    path("files/<int:pk>/", exportjob_detail, name="exportjob-detail"),
    path("files/<int:pk>/download/", exportjob_download, name="exportjob-download"),
    path("files/<int:pk>/retry/", exportjob_retry, name="exportjob-retry"),
]
