"""Files made by export jobs, fetched as a person does: POST the file's address (the button of
its confirm page), land on the job's page, follow its download link.

Celery is eager in tests and the job is enqueued when the request's transaction commits, so the
POST runs inside `captureOnCommitCallbacks(execute=True)`: the job is done when the POST returns.
"""

from __future__ import annotations

import re

from django.test import TestCase
from django.urls import reverse

from kernel.models import ExportJob

JOB_URL = re.compile(r"/files/(\d+)/$")


def start_export(client, url: str, data: dict | None = None, *, query: dict | None = None):
    """POST to a file's address; (response, the job it started or None). `query` goes in the
    address (as the page's link has it), `data` in the body (as the page's form sends it)."""
    if query:
        from urllib.parse import urlencode

        url = f"{url}{'&' if '?' in url else '?'}{urlencode(query)}"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data or {})
    match = JOB_URL.search(getattr(response, "url", "") or "")
    job = ExportJob.objects.get(pk=int(match[1])) if response.status_code == 302 and match else None
    return response, job


def download_export(client, url: str, data: dict | None = None, *, query: dict | None = None):
    """The file behind a heavy link or form, through its job: the download's response (a 404
    or the failed job's page when it does not give a file)."""
    response, job = start_export(client, url, data, query=query)
    if job is None:
        return response
    job.refresh_from_db()
    if job.status != ExportJob.Status.DONE:
        return client.get(reverse("kernel:exportjob-detail", args=[job.pk]))
    return client.get(reverse("kernel:exportjob-download", args=[job.pk]))


def content_of(response) -> bytes:
    """A download's bytes, streamed (a job's file) or not (a page)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
