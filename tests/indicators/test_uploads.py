"""Uploaded import workbooks are deleted once their job finished long ago; the job rows stay."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from kernel.models import ImportJob
from kernel.services.uploads import import_files_purge
from kernel.tasks import purge_import_files
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _job(world, *, status, finished_days_ago):
    head = UserFactory(role="puskesmas_head", puskesmas=world["hsu"]["puskesmas"], district=None)
    job = ImportJob(
        kind=ImportJob.Kind.MONTHLY_VALUES,
        district=world["hsu"]["district"],
        puskesmas=world["hsu"]["puskesmas"],
        file_name="laporan-mei.xlsx",
        status=status,
        created_by=head,
        finished_at=(
            None
            if finished_days_ago is None
            else timezone.now() - datetime.timedelta(days=finished_days_ago)
        ),
    )
    job.file.save("laporan.xlsx", ContentFile(b"PK fake workbook"), save=False)
    job.save()
    return job


def test_old_finished_uploads_are_deleted_and_their_jobs_kept(world, media_root):
    old_done = _job(world, status=ImportJob.Status.DONE, finished_days_ago=120)
    old_refused = _job(world, status=ImportJob.Status.FAILED, finished_days_ago=91)
    recent = _job(world, status=ImportJob.Status.DONE, finished_days_ago=10)
    running = _job(world, status=ImportJob.Status.RUNNING, finished_days_ago=None)
    paths = {job.pk: media_root / job.file.name for job in (old_done, old_refused, recent, running)}

    assert purge_import_files.delay().get() == 2

    for job in (old_done, old_refused):
        job.refresh_from_db()
        assert job.file.name == "" and job.file_name == "laporan-mei.xlsx"
        assert not paths[job.pk].exists()
    for job in (recent, running):
        job.refresh_from_db()
        assert job.file.name and paths[job.pk].exists()
    assert import_files_purge() == 0  # nothing left to purge
