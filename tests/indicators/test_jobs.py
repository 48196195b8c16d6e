"""Jobs end: every import job and aggregation run is done or failed with a retry, never
"working" forever; a late message of an earlier attempt does nothing (issue #11)."""

import datetime

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from indicators import services
from indicators.models import AggregationRun, MonthlyValue
from kernel.imports import runner
from kernel.models import ImportJob
from kernel.services import jobs
from kernel.tasks import import_run

from .test_monthly_excel import YEAR, _save, _template_for

pytestmark = pytest.mark.django_db


def _queued_job(world, user, capture, value=11) -> ImportJob:
    workbook = _template_for(world, months=[1])
    workbook["Data"]["G2"] = value
    upload = SimpleUploadedFile("januari.xlsx", _save(workbook))
    with capture(execute=False), translation.override("en"):
        return runner.import_start(kind=ImportJob.Kind.MONTHLY_VALUES, upload=upload, user=user)


def test_a_job_whose_worker_died_is_failed_by_the_sweep_and_its_retry_saves_once(
    world, puskesmas_head, django_capture_on_commit_callbacks
):
    job = _queued_job(world, puskesmas_head, django_capture_on_commit_callbacks)
    # A worker claimed it and died: the row says "working", nothing was saved.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    assert jobs.jobs_sweep() == {"imports": 0, "exports": 0, "runs": 0}  # inside its time limit
    later = timezone.now() + datetime.timedelta(hours=1)
    assert jobs.jobs_sweep(now=later) == {"imports": 1, "exports": 0, "runs": 0}
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "stopped before it finished" in job.errors[0]  # in the uploader's language (en)
    assert not MonthlyValue.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        runner.import_retry(job=job, by=puskesmas_head)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.attempt == 2
    assert MonthlyValue.objects.get().value == 11
    # The dead worker's message comes back late (acks late): its attempt is over.
    assert import_run(job.pk, 1) == {"job": job.pk, "skipped": True}
    assert MonthlyValue.objects.count() == 1


def test_a_job_never_picked_up_is_failed_with_its_own_message(
    world, puskesmas_head, django_capture_on_commit_callbacks
):
    job = _queued_job(world, puskesmas_head, django_capture_on_commit_callbacks)
    jobs.jobs_sweep(now=timezone.now() + datetime.timedelta(hours=2))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "never started" in job.errors[0]


def test_the_job_page_never_says_working_past_the_limit_and_offers_a_retry(
    client, world, puskesmas_head, django_capture_on_commit_callbacks
):
    job = _queued_job(world, puskesmas_head, django_capture_on_commit_callbacks)
    long_ago = timezone.now() - datetime.timedelta(hours=3)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, started_at=long_ago, created_at=long_ago
    )
    client.force_login(puskesmas_head)
    url = reverse("kernel:importjob-detail", args=[job.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["state"]["finished"] is True
    assert b'data-testid="job-retry"' in response.content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("kernel:importjob-retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE


def test_only_the_uploader_retries_and_only_a_failed_job(
    client, world, puskesmas_head, puskesmas_staff, django_capture_on_commit_callbacks
):
    job = _queued_job(world, puskesmas_head, django_capture_on_commit_callbacks)
    with pytest.raises(Exception, match="tidak gagal"):
        runner.import_retry(job=job, by=puskesmas_head)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED)
    client.force_login(puskesmas_staff)  # same puskesmas: sees the job, may not rerun it
    response = client.post(reverse("kernel:importjob-retry", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.attempt == 1
    assert response.status_code == 200


def test_a_job_over_its_time_limit_is_failed_and_rolled_back(
    world, puskesmas_head, django_capture_on_commit_callbacks, monkeypatch
):
    job = _queued_job(world, puskesmas_head, django_capture_on_commit_callbacks)
    from indicators import importers

    def too_slow(self, **kwargs):
        MonthlyValue.objects.all().delete()  # any write in the transaction is rolled back
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(importers.MonthlyValuesImporter, "apply", too_slow)
    assert import_run(job.pk, job.attempt)["failed"] == "time"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "longer than" in job.errors[0]


def test_an_unexpected_error_fails_the_job_with_a_message_not_a_crash(
    world, puskesmas_head, django_capture_on_commit_callbacks, monkeypatch
):
    job = _queued_job(world, puskesmas_head, django_capture_on_commit_callbacks)
    from indicators import importers

    def broken(self, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(importers.MonthlyValuesImporter, "apply", broken)
    assert import_run(job.pk, job.attempt)["failed"] == "unexpected"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "boom" not in job.errors[0] and "unexpected error" in job.errors[0]


def test_an_aggregation_run_left_running_is_failed_and_can_be_computed_again(
    client, world, district_user, django_capture_on_commit_callbacks
):
    district = world["hsu"]["district"]
    long_ago = timezone.now() - datetime.timedelta(hours=3)
    run = AggregationRun.objects.create(
        year=YEAR, quarter=1, district=district, status=AggregationRun.Status.RUNNING
    )
    AggregationRun.objects.filter(pk=run.pk).update(started_at=long_ago, created_at=long_ago)
    client.force_login(district_user)
    response = client.get(reverse("indicators:aggregation-detail", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == AggregationRun.Status.FAILED and run.error
    assert b'data-testid="run-retry"' in response.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("indicators:aggregation-start", args=[district.pk]),
            {"year": YEAR, "quarter": 1},
        )
    assert response.status_code == 302
    rerun = AggregationRun.objects.exclude(pk=run.pk).get()
    assert rerun.status == AggregationRun.Status.DONE


def test_every_task_has_time_limits():
    from config.celery import app

    app.loader.import_default_modules()
    ours = {
        name: task
        for name, task in app.tasks.items()
        if name.split(".")[0] in {"indicators", "workshops", "planning"}
    }
    assert ours
    for name, task in ours.items():
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard and soft < hard, name


def test_the_aggregation_service_is_unchanged_by_the_sweep(world):
    run = services.quarter_aggregate(year=YEAR, quarter=1)
    assert jobs.jobs_sweep(now=timezone.now() + datetime.timedelta(days=1))["runs"] == 0
    run.refresh_from_db()
    assert run.status == AggregationRun.Status.DONE
