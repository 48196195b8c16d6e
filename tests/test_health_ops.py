"""The ops page (`kernel:ops`): system administrators only; health per part, the queue, jobs of
the last 7 days by kind and status, the latest failures; a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.models import AggregationRun
from kernel.models import ExportJob, ImportJob

URL = "/ops/"


def test_the_address():
    assert reverse("kernel:ops") == URL


@pytest.mark.parametrize(
    "role",
    [
        "province_user",
        "district_user",
        "puskesmas_head",
        "puskesmas_staff",
        "other_district_user",
        "other_province_user",
    ],
)
def test_every_other_role_is_refused(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == 403


def test_anonymous_goes_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response.url


def _jobs(world, user, n: int) -> None:
    """n jobs of each kind and status, some old; failures with their error."""
    district = world["hsu"]["district"]
    for _ in range(n):
        for status in ("queued", "running", "done", "failed"):
            ImportJob.objects.create(
                kind=ImportJob.Kind.SERVICE_POINTS,
                district=district,
                file="imports/x.xlsx",
                file_name="x.xlsx",
                created_by=user,
                status=status,
                errors=["Sheet 1, row 4: no such village"] if status == "failed" else [],
                finished_at=timezone.now() if status == "failed" else None,
            )
            ExportJob.objects.create(
                kind="test.kind",
                title="A year",
                file_name="y.xlsx",
                created_by=user,
                status=status,
                error="The export ran out of time" if status == "failed" else "",
                finished_at=timezone.now() if status == "failed" else None,
            )
            AggregationRun.objects.create(
                year=2026,
                quarter=1,
                district=district,
                status=status,
                error="The computation stopped" if status == "failed" else "",
            )
    # Over a week old: not counted.
    ImportJob.objects.filter(
        pk=ImportJob.objects.create(
            kind=ImportJob.Kind.SERVICE_POINTS,
            district=district,
            file="imports/old.xlsx",
            file_name="old.xlsx",
            created_by=user,
            status="queued",
        ).pk
    ).update(created_at=timezone.now() - datetime.timedelta(days=8))


def test_the_page_shows_health_queue_jobs_and_failures(client, world, admin_user):
    _jobs(world, admin_user, 2)
    client.force_login(admin_user)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for part in ("database", "cache", "storage", "migrations", "worker", "beat"):
        assert f'data-part="{part}"' in html
    assert {p.name: p.status for p in response.context["parts"]}["worker"] == "skipped"
    assert response.context["inline"] is True and response.context["queues"] is None
    counts = {row.label: row for row in response.context["counts"]}
    service_points = str(ImportJob.Kind.SERVICE_POINTS.label)
    imports = next(row for label, row in counts.items() if service_points in label)
    assert (imports.waiting, imports.working, imports.failed, imports.done) == (2, 2, 2, 2)
    assert len(counts) == 3  # import (one kind), export (one kind), aggregation runs
    errors = {failure.error for failure in response.context["failures"]}
    assert errors == {
        "Sheet 1, row 4: no such village",
        "The export ran out of time",
        "The computation stopped",
    }
    assert "Sheet 1, row 4: no such village" in html
    assert reverse("kernel:ops") in html  # the navigation links it for system admins


def test_the_navigation_links_it_only_for_system_admins(client, district_user):
    client.force_login(district_user)
    assert reverse("kernel:ops") not in client.get(reverse("kernel:home")).content.decode()


def test_the_number_of_queries_does_not_grow_with_the_jobs(client, world, admin_user):
    client.force_login(admin_user)
    client.get(URL)  # warm up (session, content types)
    _jobs(world, admin_user, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    _jobs(world, admin_user, 5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200
    assert len(few) == len(many), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 15
