"""Heavy files are made by export jobs (issue #13, "heavy work off the request"): the address
offers a button, the POST starts a job, its page follows it and gives the download; only the
person who asked sees the job and its file; a failure says why and offers a retry; stuck jobs are
failed by the sweep and old files purged.
"""

import datetime
import io
import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from indicators import exports as indicator_exports
from indicators import services
from indicators.models import MonthlyReport, MonthlyValue, ReportingYear
from kernel.models import ExportJob, User
from kernel.services import exports, jobs
from kernel.tasks import export_run

from .exports import content_of, download_export, start_export
from .factories import MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1
EXPORT = "indicators:monthly-export"


def _report(puskesmas, month: int, status: str) -> MonthlyReport:
    return MonthlyReport.objects.create(
        puskesmas=puskesmas,
        year=YEAR,
        month=month,
        status=status,
        due_on=ReportingYear.objects.get(year=YEAR).due_on(month),
    )


def _values(world, values: list[tuple[str, int, str, int]]) -> None:
    """(area key, month, report status, value) in the area's first village, first service."""
    service = services.monthly_services(YEAR)[0]
    for key, month, status, value in values:
        report = _report(world[key]["puskesmas"], month, status)
        village = world[key]["villages"][0]
        MonthlyValue.objects.create(report=report, village=village, service=service, value=value)


def _rows(response) -> list[list]:
    book = load_workbook(io.BytesIO(content_of(response)), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def _job_url(job, name="detail") -> str:
    return reverse(f"kernel:exportjob-{name}", args=[job.pk])


# --- Life of a job ------------------------------------------------------------------------------


def test_the_export_address_offers_a_button_and_starts_nothing_on_get(client, district_user):
    client.force_login(district_user)
    page = client.get(reverse(EXPORT), {"year": YEAR})
    assert page.status_code == 200
    assert 'data-testid="export-start"' in page.content.decode()
    assert not ExportJob.objects.exists()


def test_a_year_export_runs_as_a_job_with_its_page_progress_and_download(
    client, world, district_user
):
    _values(world, [("hsu", 1, "approved", 4242), ("hsu", 2, "draft", 5353)])
    client.force_login(district_user)
    client.cookies["django_language"] = "en"
    response, job = start_export(client, reverse(EXPORT), {"year": YEAR})
    assert response.status_code == 302 and response.url == _job_url(job)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.file
    assert (job.created_by, job.district, job.language) == (
        district_user,
        world["hsu"]["district"],
        "en",
    )
    assert (job.done, job.total) == (2, 2)
    page = client.get(_job_url(job))
    assert page.status_code == 200
    assert _job_url(job, "download") in page.content.decode()
    assert "import_progress.js" not in page.content.decode()  # finished: nothing to follow
    state = client.get(_job_url(job), {"format": "json"}).json()
    assert state == {
        "status": "done",
        "label": "Ready",
        "done": 2,
        "total": 2,
        "percent": 100,
        "finished": True,
    }
    download = client.get(_job_url(job, "download"))
    assert download["Content-Disposition"] == (
        f'attachment; filename="spm-monthly-values-{YEAR}.xlsx"'
    )
    assert "no-store" in download["Cache-Control"]  # a logged-in download is never cached
    rows = _rows(download)
    assert rows[0][:2] == ["Puskesmas code", "Puskesmas"]
    assert sorted(row[7] for row in rows[1:]) == [4242, 5353]
    listing = client.get(reverse("kernel:exportjob-list"))
    assert _job_url(job, "download") in listing.content.decode()


def test_a_queued_job_page_follows_the_work_and_reloads_without_javascript(client, district_user):
    job = ExportJob.objects.create(
        kind=indicator_exports.MONTHLY_VALUES_YEAR,
        district=district_user.district,
        params={"year": YEAR},
        title="x",
        file_name="x.xlsx",
        created_by=district_user,
    )
    client.force_login(district_user)
    html = client.get(_job_url(job)).content.decode()
    assert "import_progress.js" in html and f"{_job_url(job)}?format=json" in html
    assert f'href="{_job_url(job)}"' in html  # the reload link
    assert client.get(_job_url(job, "download")).status_code == 404  # nothing to download yet


def test_a_ready_file_of_the_same_request_is_offered_again(client, world, district_user):
    client.force_login(district_user)
    __, job = start_export(client, reverse(EXPORT), query={"year": YEAR})
    page = client.get(reverse(EXPORT), {"year": YEAR})
    assert page.context["ready"] == job
    assert _job_url(job, "download") in page.content.decode()


def test_a_failing_builder_ends_the_job_failed_with_a_message_and_a_retry(
    client, world, district_user, monkeypatch
):
    kind = exports.export_kind(indicator_exports.MONTHLY_VALUES_YEAR)

    def broken(job, out, progress):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(
        exports.KINDS,
        indicator_exports.MONTHLY_VALUES_YEAR,
        exports.ExportKind(label=kind.label, build=broken),
    )
    client.force_login(district_user)
    client.cookies["django_language"] = "en"
    __, job = start_export(client, reverse(EXPORT), {"year": YEAR})
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file
    assert job.error.startswith("The file could not be made")
    page = client.get(_job_url(job)).content.decode()
    assert job.error in page and _job_url(job, "retry") in page
    assert "disk on fire" not in page
    monkeypatch.setitem(exports.KINDS, indicator_exports.MONTHLY_VALUES_YEAR, kind)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(_job_url(job, "retry")).url == _job_url(job)
    job.refresh_from_db()
    assert (job.status, job.attempt, job.error) == (ExportJob.Status.DONE, 2, "")
    assert client.get(_job_url(job, "download")).status_code == 200


def test_a_right_lost_before_the_job_runs_fails_it_without_a_file(client, world, district_user):
    job = exports.export_start(
        kind=indicator_exports.FEEDBACK_PDF,
        user=district_user,
        params={"report": 0, "_base_url": "http://testserver/"},
        file_name="feedback.pdf",
        title="Feedback",
    )
    export_run.apply(args=[job.pk, job.attempt])
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file
    assert job.error == str(exports.GONE)


def test_running_a_job_twice_builds_it_once(world, district_user):
    job = exports.export_start(
        kind=indicator_exports.MONTHLY_VALUES_YEAR,
        user=district_user,
        params={"year": YEAR},
        file_name="x.xlsx",
        title="x",
    )
    assert "bytes" in export_run.apply(args=[job.pk, 1]).get()
    assert export_run.apply(args=[job.pk, 1]).get() == {"job": job.pk, "skipped": True}


def test_the_sweep_fails_a_job_whose_worker_died(world, district_user):
    long_ago = timezone.now() - datetime.timedelta(hours=6)
    job = ExportJob.objects.create(
        kind=indicator_exports.MONTHLY_VALUES_YEAR,
        district=district_user.district,
        title="x",
        file_name="x.xlsx",
        created_by=district_user,
        status=ExportJob.Status.RUNNING,
        started_at=long_ago,
    )
    assert jobs.jobs_sweep()["exports"] == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    with translation.override(job.language):
        assert job.error == str(jobs.WORKER_LOST)


def test_old_files_are_purged_and_the_jobs_kept(world, district_user):
    job = ExportJob(
        kind=indicator_exports.MONTHLY_VALUES_YEAR,
        district=district_user.district,
        title="x",
        file_name="x.xlsx",
        created_by=district_user,
        status=ExportJob.Status.DONE,
        finished_at=timezone.now() - datetime.timedelta(days=8),
    )
    job.file.save("x.xlsx", ContentFile(b"PK"), save=False)
    job.save()
    fresh = ExportJob.objects.create(
        kind=job.kind,
        district=job.district,
        title="y",
        file_name="y.xlsx",
        file="exports/y.xlsx",
        created_by=district_user,
        status=ExportJob.Status.DONE,
        finished_at=timezone.now(),
    )
    assert exports.export_files_purge() == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert not job.file and fresh.file


# --- Who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "outsider", ["other_district_user", "other_province_user", "province_user", "puskesmas_head"]
)
def test_nobody_but_the_requester_opens_a_job_or_its_file(
    client, world, district_user, outsider, request
):
    client.force_login(district_user)
    __, job = start_export(client, reverse(EXPORT), {"year": YEAR})
    colleague = UserFactory(role=User.Role.DISTRICT_PLANNER, district=district_user.district)
    for user in (request.getfixturevalue(outsider), colleague):
        client.force_login(user)
        for name in ("detail", "download"):
            assert client.get(_job_url(job, name)).status_code == 404, (user, name)
        assert client.get(_job_url(job), {"format": "json"}).status_code == 404
        assert client.post(_job_url(job, "retry")).status_code == 404
        assert _job_url(job) not in client.get(reverse("kernel:exportjob-list")).content.decode()


def test_the_province_file_holds_approved_values_of_its_province_only(client, world, province_user):
    _values(
        world,
        [
            ("hsu", 1, "approved", 4242),
            ("hsu", 2, "locked", 4343),
            ("hsu", 3, "submitted", 5353),
            ("banjarmasin", 1, "approved", 6161),
            ("banjarmasin", 2, "draft", 6262),
            ("bontang", 1, "approved", 7171),
        ],
    )
    client.force_login(province_user)
    values = sorted(
        row[7] for row in _rows(download_export(client, reverse(EXPORT), {"year": YEAR}))[1:]
    )
    assert values == [4242, 4343, 6161]


def test_a_file_is_built_with_the_rights_of_when_it_runs(client, world):
    """The builder reads as the requester when it runs: a month approved between the click and
    the run is in the province's file, a month returned meanwhile is not."""
    _values(world, [("hsu", 1, "submitted", 4242), ("hsu", 2, "approved", 5353)])
    province = UserFactory(role=User.Role.PROVINCE_REVIEWER, province=world["kalsel"])
    job = exports.export_start(
        kind=indicator_exports.MONTHLY_VALUES_YEAR,
        user=province,
        params={"year": YEAR},
        file_name="x.xlsx",
        title="x",
    )
    MonthlyReport.objects.filter(month=1).update(status="approved")
    MonthlyReport.objects.filter(month=2).update(status="returned")
    export_run.apply(args=[job.pk, 1])
    client.force_login(province)
    assert [row[7] for row in _rows(client.get(_job_url(job, "download")))[1:]] == [4242]


# --- Costs ----------------------------------------------------------------------------------------


def test_job_page_and_list_queries_do_not_grow(client, world, district_user):
    def make(count):
        return [
            ExportJob.objects.create(
                kind=indicator_exports.MONTHLY_VALUES_YEAR,
                district=district_user.district,
                title=f"x{n}",
                file_name="x.xlsx",
                file="exports/x.xlsx",
                status=ExportJob.Status.DONE,
                finished_at=timezone.now(),
                created_by=district_user,
            )
            for n in range(count)
        ]

    client.force_login(district_user)
    job = make(2)[0]
    urls = [_job_url(job), reverse("kernel:exportjob-list"), reverse(EXPORT) + f"?year={YEAR}"]
    with CaptureQueriesContext(connection) as few:
        for url in urls:
            assert client.get(url).status_code == 200
    make(30)
    with CaptureQueriesContext(connection) as many:
        for url in urls:
            assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_the_year_export_reads_its_rows_in_a_fixed_number_of_queries(client, world, district_user):
    client.force_login(district_user)
    _values(world, [("hsu", 1, "approved", 1)])
    with CaptureQueriesContext(connection) as few:
        download_export(client, reverse(EXPORT), {"year": YEAR})
    _values(world, [("hsu", month, "approved", month) for month in range(2, 13)])
    with CaptureQueriesContext(connection) as many:
        response = download_export(client, reverse(EXPORT), {"year": YEAR})
    assert len(many) == len(few)
    assert len(_rows(response)) == 1 + 12


# --- PDFs -----------------------------------------------------------------------------------------


def test_a_pdf_job_makes_a_pdf_that_opens_in_the_browser(client, world, puskesmas_head):
    meeting = MeetingFactory(puskesmas=world["hsu"]["puskesmas"], created_by=puskesmas_head)
    client.force_login(puskesmas_head)
    url = reverse("workshops:meeting-attendance", args=[meeting.pk])
    offer = client.get(url, {"format": "pdf"})
    assert 'data-testid="export-start"' in offer.content.decode()
    response = download_export(client, url, query={"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert content_of(response).startswith(b"%PDF")


def test_a_pdf_of_another_area_is_neither_offered_nor_made(client, world, other_district_user):
    meeting = MeetingFactory(puskesmas=world["hsu"]["puskesmas"])
    client.force_login(other_district_user)
    url = reverse("workshops:meeting-attendance", args=[meeting.pk]) + "?format=pdf"
    assert client.get(url).status_code == 404
    response, job = start_export(client, url)
    assert response.status_code == 404 and job is None
    assert not ExportJob.objects.exists()


def test_an_unknown_meeting_fails_the_pdf_job(world, puskesmas_head):
    job = exports.export_start(
        kind="workshops.pack_pdf",
        user=puskesmas_head,
        params={"meeting": 0, "_base_url": "http://testserver/"},
        file_name="pack.pdf",
        title="Pack",
    )
    with pytest.raises(Http404):
        exports.export_kind("workshops.pack_pdf").build(job, io.BytesIO(), lambda d, t: None)


# --- Through a real worker ------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_file_off_the_request(client, world, district_user, monkeypatch):
    """Where REDIS_URL and PostgreSQL are set (CI): the POST only queues the job; a separate
    `celery worker` makes the file, and the job's page then links it."""
    import uuid

    from celery import Celery

    from kernel import tasks as kernel_tasks

    from .test_celery_worker import REDIS_URL, Worker

    if not REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs REDIS_URL and PostgreSQL (as in CI)")
    queue = f"simpul-test-{uuid.uuid4().hex[:8]}"
    sender = Celery(broker=REDIS_URL, set_as_current=False)
    monkeypatch.setattr(
        kernel_tasks.export_run,
        "delay",
        lambda *args: sender.send_task("kernel.tasks.export_run", args=list(args), queue=queue),
    )
    _values(world, [("hsu", month, "approved", 100 + month) for month in range(1, 13)])
    client.force_login(district_user)
    response = client.post(reverse(EXPORT), {"year": YEAR})
    job = ExportJob.objects.get()
    assert response.url == _job_url(job) and job.status == ExportJob.Status.QUEUED
    worker = Worker(queue)
    try:
        deadline = timezone.now() + datetime.timedelta(seconds=90)
        while job.status not in ("done", "failed") and timezone.now() < deadline:
            time.sleep(0.3)
            job.refresh_from_db()
    finally:
        log = worker.stop()
    assert job.status == ExportJob.Status.DONE, (job.error, log)
    rows = _rows(client.get(_job_url(job, "download")))
    assert sorted(row[7] for row in rows[1:]) == [100 + month for month in range(1, 13)]
