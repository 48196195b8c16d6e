"""The production server (issue #13): gunicorn with a config that follows the machine, the
client's address read safely behind reverse proxies, and the stack `make serve` starts."""

import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.test import RequestFactory
from django.urls import reverse

from kernel.web import client_ip

CONFIG = Path(settings.BASE_DIR) / "config" / "gunicorn.py"


def _config(monkeypatch, **env) -> dict:
    for name in (
        "WEB_CONCURRENCY",
        "SIMPUL_WEB_THREADS",
        "SIMPUL_WEB_TIMEOUT",
        "SIMPUL_BIND",
        "SIMPUL_GC_GEN0",
        "SIMPUL_WEB_WARM_UP",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_gunicorn_workers_follow_the_machine_unless_the_environment_says(monkeypatch):
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 4)
    config = _config(monkeypatch)
    assert config["workers"] == 9 and config["worker_class"] == "sync"
    assert config["timeout"] == 30 and config["bind"] == "127.0.0.1:8000"
    assert config["wsgi_app"] == "config.wsgi:application"

    config = _config(monkeypatch, WEB_CONCURRENCY="3", SIMPUL_WEB_THREADS="4")
    assert config["workers"] == 3 and config["worker_class"] == "gthread"


def test_gunicorn_freezes_the_loaded_application_and_widens_the_young_generation(monkeypatch):
    """The master freezes what the preloaded application holds before forking (full
    collections in the workers never walk it again); each worker's first generation collects
    after SIMPUL_GC_GEN0 allocations; 0 keeps Python's collector as it is."""
    import gc

    calls = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append("collect") or 0)
    monkeypatch.setattr(gc, "set_threshold", lambda *t: calls.append(t))
    config = _config(monkeypatch, SIMPUL_WEB_WARM_UP="0")
    config["when_ready"](None)
    config["post_fork"](None, None)
    assert calls == ["collect", "freeze", (50_000, 20, 20)]

    calls.clear()
    config = _config(monkeypatch, SIMPUL_GC_GEN0="0", SIMPUL_WEB_WARM_UP="0")
    config["when_ready"](None)
    config["post_fork"](None, None)
    assert calls == []


class _Server:
    """What gunicorn's arbiter gives when_ready: its log."""

    def __init__(self):
        self.lines: list[str] = []
        self.log = self

    def info(self, message, *args):
        self.lines.append(message % args)


def test_the_master_warms_up_before_the_workers_fork(monkeypatch):
    """The URL conf (every view, the API's schemas), each language's reverse map and every
    template are loaded in the master, then frozen: a new or recycled worker's first request
    does not load them again (it took 0.4-0.8 s)."""
    import gc

    from django.template import engines
    from django.urls import get_resolver

    engine = engines["django"].engine
    loader = engine.template_loaders[0]
    loader.reset()
    resolver = get_resolver()
    resolver._reverse_dict.clear()
    order = []
    monkeypatch.setattr(gc, "freeze", lambda: order.append("freeze"))
    monkeypatch.setattr(gc, "collect", lambda *a: order.append("collect") or 0)
    server = _Server()
    config = _config(monkeypatch)
    config["when_ready"](server)

    assert order == ["collect", "freeze"]  # frozen after the warm-up, so it is frozen too
    assert server.lines and server.lines[0].startswith("Warmed up in")
    cached = loader.get_template_cache
    for name in ("base.html", "indicators/report_entry.html", "registration/login.html"):
        assert name in cached and not isinstance(cached[name], type), name
    assert {code for code, _ in settings.LANGUAGES} <= set(resolver._reverse_dict)

    monkeypatch.setattr(gc, "collect", lambda *a: 0)
    server = _Server()
    _config(monkeypatch, SIMPUL_WEB_WARM_UP="0")["when_ready"](server)
    assert server.lines == []


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.2"),  # no proxy trusted: a client's header never counts
        (1, "203.0.113.7", "203.0.113.7"),  # nginx appended the client's address
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # what the client wrote stays left
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),  # balancer, then nginx
        (2, "203.0.113.7", "10.0.0.2"),  # not through both proxies: the direct peer
        (1, "", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
        (1, "6.6.6.6, 2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_is_what_the_trusted_proxies_saw(settings, proxies, forwarded, expected):
    settings.SIMPUL_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_behind_a_proxy_one_client_locked_out_does_not_lock_out_another(
    client, settings, district_user
):
    """Everyone reaches the app from nginx's address: the lock-out must follow the client."""
    settings.SIMPUL_TRUSTED_PROXIES = 1
    url = reverse("login")
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            url,
            {"username": district_user.username, "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
            **proxy,
        )
    locked = client.post(
        url,
        {"username": district_user.username, "password": "simpul-test"},
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        **proxy,
    )
    # A spoofed header does not get the attacker out of the lock either.
    spoofed = client.post(
        url,
        {"username": district_user.username, "password": "simpul-test"},
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7",
        **proxy,
    )
    colleague = client.post(
        url,
        {"username": district_user.username, "password": "simpul-test"},
        HTTP_X_FORWARDED_FOR="198.51.100.20",
        **proxy,
    )

    assert locked.status_code == 429 and spoofed.status_code == 429
    assert colleague.status_code == 302


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_with_its_config_serves_the_login_page(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        # The test settings serve static files from their sources: no collectstatic (whose
        # Brotli pass takes tens of seconds); the production settings' boot is test_platform's.
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SECRET_KEY": "a-long-random-test-key-" + "x" * 40,
        "SIMPUL_HTTPS": "0",
        "SIMPUL_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "-c", str(CONFIG)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body, status = b"", 0
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as page:
                    body, status = page.read(), page.status
                break
            except OSError:
                time.sleep(0.25)
        assert status == 200, "gunicorn did not answer"
        assert b'name="username"' in body
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "Booting worker" in output


@pytest.mark.django_db
def test_a_password_stored_with_pbkdf2_logs_in_and_is_stored_again_with_argon2id(
    client, settings, district_user
):
    from config.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    district_user.password = make_password(
        "simpul-test", hasher="pbkdf2_sha256"
    )  # as every account was stored before
    district_user.save(update_fields=["password"])

    response = client.post(
        reverse("login"), {"username": district_user.username, "password": "simpul-test"}
    )

    assert response.status_code == 302
    district_user.refresh_from_db()
    assert district_user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("simpul-test", district_user.password)
