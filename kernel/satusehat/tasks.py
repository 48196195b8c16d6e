"""The fetch from SATUSEHAT (STYLE.md §6): an import job of the district's facilities whose file
is read from the endpoints first, then run by the one import runner (the same path as an
upload). Idempotent (a finished or superseded attempt is left alone), time-limited, and it
always ends the job done or failed."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..imports import runner
from ..models import ImportJob, SatusehatConnection
from .client import TIMEOUT, FetchFailed, facilities_fetch

logger = logging.getLogger(__name__)
Status = ImportJob.Status
SOFT_LIMIT = 600


def _fail(job_id: int, attempt: int, message: str) -> None:
    ImportJob.objects.filter(
        pk=job_id, attempt=attempt, status__in=[Status.QUEUED, Status.RUNNING]
    ).update(status=Status.FAILED, errors=[message], finished_at=timezone.now())


def fetch_run(*, job_id: int, attempt: int) -> dict:
    """Read the district's facilities from SATUSEHAT into the job's file, then run the import."""
    claimed = ImportJob.objects.filter(pk=job_id, attempt=attempt, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now(), done=0, total=0
    )
    if not claimed:
        return {"job": job_id, "skipped": True}
    job = ImportJob.objects.select_related("district").get(pk=job_id)
    district = job.district
    assert district is not None  # a fetch job is always a district's (fetch_start)
    with translation.override(job.language):
        try:
            connection = SatusehatConnection.objects.filter(district=district).first()
            if connection is None:
                raise FetchFailed(_("This district has no SATUSEHAT credentials; save them first."))
            data = facilities_fetch(
                base_url=connection.base_url,
                client_id=connection.client_id,
                client_secret=connection.client_secret,
                district_code=district.code,
                timeout=float(getattr(settings, "SIMPUL_SATUSEHAT_TIMEOUT", TIMEOUT)),
            )
        except FetchFailed as error:
            _fail(job_id, attempt, str(error))
            return {"job": job_id, "failed": "fetch"}
        except SoftTimeLimitExceeded:
            _fail(job_id, attempt, _("Reading from SATUSEHAT took too long and was stopped."))
            return {"job": job_id, "failed": "time"}
        except Exception:
            logger.exception("SATUSEHAT fetch of job %s failed unexpectedly", job_id)
            _fail(job_id, attempt, str(runner.UNEXPECTED))
            return {"job": job_id, "failed": "unexpected"}
    job.file.save(f"satusehat-{district.code}.json", ContentFile(data), save=False)
    ImportJob.objects.filter(pk=job_id).update(file=job.file.name)
    return runner.import_run(job_id=job_id, attempt=attempt)


@shared_task(soft_time_limit=SOFT_LIMIT, time_limit=SOFT_LIMIT + 60)
def satusehat_fetch(job_id: int, attempt: int = 1) -> dict:
    """Fetch a district's facilities from SATUSEHAT and stage them as proposals; safe to run
    twice; ends the job done or failed."""
    return fetch_run(job_id=job_id, attempt=attempt)
