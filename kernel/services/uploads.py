"""Uploaded import files are kept only as long as someone may look into them.

An import job keeps its row (who uploaded what, when, the outcome and every error) for good; the
uploaded workbook itself is deleted from storage once the job has finished long enough ago. A
weekly Celery beat job calls `import_files_purge`.
"""

from __future__ import annotations

import datetime
import functools
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import ImportJob

logger = logging.getLogger(__name__)

KEEP_UPLOADS_FOR = datetime.timedelta(days=90)
FINISHED = (ImportJob.Status.DONE, ImportJob.Status.FAILED)


def import_files_purge(
    *,
    keep_for: datetime.timedelta = KEEP_UPLOADS_FOR,
    now: datetime.datetime | None = None,
    model: Any = ImportJob,
) -> int:
    """Delete the uploaded files of import jobs finished more than `keep_for` ago; keep the jobs.

    Returns how many files were deleted. A job still queued or running keeps its file. `model`:
    any job model with `file`, `status` (done, failed) and `finished_at` (the export jobs'
    files go the same way, kernel/services/exports.py).
    """
    cutoff = (now or timezone.now()) - keep_for
    finished = (model.Status.DONE, model.Status.FAILED)
    jobs = model.objects.filter(status__in=finished, finished_at__lt=cutoff).exclude(file="")
    purged = 0
    for job in jobs.only("pk", "file").iterator():
        name = job.file.name
        assert name is not None  # the query excludes jobs without a file
        with transaction.atomic():
            model.objects.filter(pk=job.pk).update(file="")
            # Delete the file only once the row no longer points at it (and not at all if the
            # update rolls back).
            transaction.on_commit(functools.partial(job.file.storage.delete, name))
        purged += 1
    if purged:
        logger.info("Deleted %s files of %s finished before %s", purged, model.__name__, cutoff)
    return purged
