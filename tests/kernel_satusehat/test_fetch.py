"""The fetch from SATUSEHAT against a local fake server (never the real network)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from kernel.models import FacilityProposal, ImportJob, SatusehatConnection
from kernel.satusehat import SAMPLE_DIR
from kernel.satusehat.services import connection_save, fetch_start
from kernel.satusehat.tasks import fetch_run

pytestmark = pytest.mark.django_db

SAMPLE = json.loads((SAMPLE_DIR / "facilities-demo.json").read_text())["data"]


class Fake(BaseHTTPRequestHandler):
    mode = "ok"
    page_size = 100
    seen: list = []

    def log_message(self, *args):
        pass

    def _send(self, status, body):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = parse_qs(self.rfile.read(length).decode())
        type(self).seen.append(("token", self.path, body))
        if self.mode == "401" or body.get("client_secret") != ["s3cret"]:
            return self._send(401, {"error": "invalid_client"})
        if self.mode == "timeout":
            time.sleep(2)
        return self._send(200, {"access_token": "tok", "expires_in": "3599"})

    def do_GET(self):
        query = parse_qs(urlsplit(self.path).query)
        type(self).seen.append(("get", self.path, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != "Bearer tok":
            return self._send(401, {})
        if self.mode == "badjson":
            return self._send(200, b"<html>oops")
        page = int(query["page"][0])
        size = int(query["limit"][0])
        items = SAMPLE[(page - 1) * size : page * size]
        return self._send(200, {"data": items, "meta": {"page": page}})


@pytest.fixture
def server(settings):
    Fake.mode, Fake.seen = "ok", []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    settings.SIMPUL_SATUSEHAT_HOSTS = ("127.0.0.1",)
    settings.SIMPUL_SATUSEHAT_TIMEOUT = 0.5
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def connected(server, world, district_user):
    connection_save(
        district=world["hsu"]["district"],
        by=district_user,
        base_url=server,
        client_id="simpul",
        client_secret="s3cret",
    )
    return server


def _fetch(user, district, capture) -> ImportJob:
    with capture(execute=True):
        job = fetch_start(district=district, by=user)
    job.refresh_from_db()
    return job


def test_the_fetch_pages_through_and_stages_proposals(
    connected, world, district_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("kernel.satusehat.client.PAGE_SIZE", 5)
    job = _fetch(district_user, world["hsu"]["district"], django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.errors
    gets = [path for kind, path, _auth in Fake.seen if kind == "get"]
    assert len(gets) == 3 and "kabkota=6308" in gets[0] and "page=3" in gets[2]
    token = next(entry for entry in Fake.seen if entry[0] == "token")
    assert token[1] == "/oauth2/v1/accesstoken?grant_type=client_credentials"
    assert FacilityProposal.objects.filter(job=job).count() == 13  # the clinic skipped
    assert job.result["counts"]["skipped"] == 1
    # Run again (a second delivery): nothing more happens.
    assert fetch_run(job_id=job.pk, attempt=job.attempt) == {"job": job.pk, "skipped": True}


@pytest.mark.parametrize(
    ("mode", "expected"), [("401", "401"), ("timeout", "0 "), ("badjson", "JSON")]
)
def test_a_failing_server_fails_the_job_with_a_clear_message(
    connected, world, district_user, django_capture_on_commit_callbacks, mode, expected
):
    Fake.mode = mode
    job = _fetch(district_user, world["hsu"]["district"], django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED
    assert len(job.errors) == 1 and expected in job.errors[0]
    assert "s3cret" not in job.errors[0]
    assert job.finished_at is not None
    assert not FacilityProposal.objects.exists()


def test_an_unreachable_server_fails_the_job(
    connected, world, district_user, django_capture_on_commit_callbacks
):
    connection = SatusehatConnection.objects.get()
    connection.base_url = "http://127.0.0.1:9"  # nothing listens on the discard port
    connection.save()
    job = _fetch(district_user, world["hsu"]["district"], django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED and job.errors


def test_an_unexpected_error_still_ends_the_job(
    connected, world, district_user, django_capture_on_commit_callbacks, monkeypatch
):
    def boom(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("kernel.satusehat.tasks.facilities_fetch", boom)
    job = _fetch(district_user, world["hsu"]["district"], django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED


def test_the_credentials_page_never_shows_the_secret(client, connected, world, district_user):
    client.force_login(district_user)
    url = reverse("kernel:satusehat-credentials")
    response = client.get(url)
    assert response.status_code == 200
    assert b"s3cret" not in response.content and b"simpul" in response.content
    # Saving without a secret keeps the saved one.
    response = client.post(
        url, {"base_url": connected, "client_id": "simpul2", "client_secret": ""}
    )
    assert response.status_code == 302
    saved = SatusehatConnection.objects.get()
    assert saved.client_secret == "s3cret" and saved.client_id == "simpul2"


def test_only_satusehat_hosts_are_accepted(client, server, world, district_user):
    client.force_login(district_user)
    response = client.post(
        reverse("kernel:satusehat-credentials"),
        {"base_url": "http://10.0.0.1/", "client_id": "a", "client_secret": "b"},
    )
    assert response.status_code == 200
    assert not SatusehatConnection.objects.exists()


def test_the_fetch_button_runs_the_job(
    client, connected, world, district_user, django_capture_on_commit_callbacks
):
    client.force_login(district_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("kernel:satusehat-fetch"))
    assert response.status_code == 302 and "/imports/" in response.url
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.errors
    page = client.get(reverse("kernel:satusehat"))
    assert b"Puskesmas Hambuku Raya" in page.content


def test_another_district_cannot_fetch_or_see_credentials(
    client, connected, world, other_district_user, puskesmas_head
):
    client.force_login(other_district_user)
    response = client.post(reverse("kernel:satusehat-fetch"))
    assert response.status_code == 302  # its own district has no credentials
    assert not ImportJob.objects.exists()
    client.force_login(puskesmas_head)
    assert client.get(reverse("kernel:satusehat-credentials")).status_code == 403
    assert client.post(reverse("kernel:satusehat-fetch")).status_code == 403
