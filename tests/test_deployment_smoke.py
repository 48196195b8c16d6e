"""The production smoke test (issue #14, must-have 5): the stack started from the repository's
unit files the way docs/deployment.md starts it, then used over HTTPS as a real client.

- the environment file is deploy/simpul.env.example with this machine's values put in (a scratch
  PostgreSQL database, a Redis database of its own, temporary MEDIA_ROOT and STATIC_ROOT);
- `simpul-manage` (deploy/) runs migrate, collectstatic and seed_demo as the guide does;
- web, worker and beat are the ExecStart of deploy/systemd/simpul-*.service with their
  Environment= and the env file (which wins, as with systemd), /srv/simpul being this checkout;
  they run as the current user (the units' User=simpul needs root and systemd);
- nginx runs deploy/nginx/simpul.conf in a scratch prefix with a self-signed certificate when
  nginx is installed (CI installs it: .ci/run); without it the client talks to gunicorn over
  plain HTTP (SIMPUL_HTTPS=0).

Then: /health/ until every part is ok (worker and beat included), each demo role logs in (the
system admin with its two-factor code), a puskesmas user saves a cell, another imports a month
from the Excel template through the worker, a district planner runs its quarter's aggregation
through the worker. Everything is stopped in the end, and the processes' logs are printed when
something fails.

Runs where REDIS_URL and PostgreSQL are set (CI's second run; marked `worker`).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookies import SimpleCookie
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

pytestmark = pytest.mark.worker

BASE_DIR = Path(settings.BASE_DIR)
DEPLOY = BASE_DIR / "deploy"
HOME = "/srv/simpul"  # where the units and the env file put the checkout
ENV_FILE = "/etc/simpul/simpul.env"
UNITS = ("simpul-web", "simpul-worker", "simpul-beat")
DEMO_PASSWORD = "simpul-demo-2026"  # kernel/services/demo.py
ROLES = {  # a demo login per role (kernel/services/demo.py)
    "system_admin": "admin",
    "province_reviewer": "prov.kalsel",
    "district_planner": "dinkes.hsu",
    "puskesmas_head": "kapus.danaupanggang",
    "puskesmas_staff": "staf.danaupanggang",
}
SMOKE_REDIS_DB = 13
# Seconds each step may take before the test fails (never hangs CI); about 60 s in all on a
# quiet 2-core machine, most of it migrate, collectstatic (its brotli pass) and the demo.
STEP_TIMEOUT = 300


# --- Reading the repository's deployment files ---------------------------------------------------


def unit_read(name: str) -> dict[str, list[str]]:
    """The [Service] (and other) settings of a unit file: key -> values in order."""
    settings_: dict[str, list[str]] = {}
    text = (DEPLOY / "systemd" / name).read_text().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        settings_.setdefault(key.strip(), []).append(value.strip())
    return settings_


def env_file_read(text: str) -> dict[str, str]:
    """NAME=value lines, as systemd's EnvironmentFile= and `set -a; . file` both read them."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def _expand(word: str, env: dict[str, str]) -> list[str]:
    """systemd's ExecStart expansion: ${NAME} is one word, $NAME splits on whitespace."""
    if re.fullmatch(r"\$\{(\w+)\}", word):
        return [env[word[2:-1]]]
    if re.fullmatch(r"\$(\w+)", word):
        return env[word[1:]].split()
    return [re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], word)]


def unit_command(name: str, *, home: Path, env_file: dict[str, str]) -> tuple[list, dict, Path]:
    """What systemd would run for unit `name`: argv, environment and working directory, with
    /srv/simpul being `home` and the environment file's values `env_file`."""
    unit = unit_read(f"{name}.service")
    assert unit["EnvironmentFile"] == [ENV_FILE], name
    (start,) = unit["ExecStart"]
    assert "%" not in start, "no systemd specifiers: the test does not expand them"
    env: dict[str, str] = {}
    for line in unit.get("Environment", []):
        for assignment in shlex.split(line):
            key, _, value = assignment.partition("=")
            env[key] = value.replace(HOME, str(home))
    env.update(env_file)  # an EnvironmentFile= wins over Environment=
    argv = [
        part.replace(HOME, str(home)) for word in shlex.split(start) for part in _expand(word, env)
    ]
    (workdir,) = unit["WorkingDirectory"]
    return argv, env, Path(workdir.replace(HOME, str(home)))


def nginx_site(
    *, http_port: int, https_port: int, web_port: int, static_root: Path, cert: Path, key: Path,
    acme: Path,
) -> str:  # fmt: skip
    """deploy/nginx/simpul.conf with this machine's ports, paths and certificate."""
    text = (DEPLOY / "nginx" / "simpul.conf").read_text()
    replacements = [
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("server 127.0.0.1:8000", f"server 127.0.0.1:{web_port}"),
        ("/etc/letsencrypt/live/simpul.example.go.id/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/simpul.example.go.id/privkey.pem", str(key)),
        (f"{HOME}/staticfiles/", f"{static_root}/"),
        ("/var/www/letsencrypt", str(acme)),
    ]
    for old, new in replacements:
        assert old in text, f"deploy/nginx/simpul.conf no longer has {old!r}: update this test"
        text = text.replace(old, new)
    return text


def nginx_main(prefix: Path, site: Path) -> str:
    """A main nginx.conf around the site, as Debian's /etc/nginx/nginx.conf includes it."""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/tmp/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers read the pytest tmp dirs
    return f"""{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
daemon off;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {prefix}/access.log;
{temp}
    include {site};
}}
"""


# --- Processes -----------------------------------------------------------------------------------


class Stack:
    """The processes started, their logs, and stopping them all."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.processes: dict[str, subprocess.Popen] = {}
        self.more_logs: list[Path] = []  # nginx's error log
        self.started = time.monotonic()
        self.timings: list[str] = []

    def mark(self, step: str) -> None:
        """Note the time a step ended at (printed at the end, and with the logs on failure)."""
        self.timings.append(f"{time.monotonic() - self.started:6.1f} s  {step}")

    def start(self, name: str, argv: list[str], *, env: dict, cwd: Path) -> None:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()

    def wait(self, name: str, *, timeout: float) -> str:
        """Wait for a one-off command started with `start`; its output (it must succeed)."""
        process = self.processes.pop(name)
        try:
            process.wait(timeout=timeout)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        output = (self.logs / f"{name}.log").read_text(errors="replace")
        assert process.returncode == 0, f"{name} failed:\n{output[-3000:]}"
        return output

    def alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}")

    def stop(self) -> None:
        """As systemd stops a unit with KillMode=mixed: SIGTERM to the main process (gunicorn
        and Celery then stop their children gracefully), SIGKILL to what is left after."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)

    def report(self) -> str:
        parts = []
        for path in [*sorted(self.logs.glob("*.log")), *self.more_logs]:
            if not path.exists():
                continue
            lines = path.read_text(errors="replace").splitlines()[-40:]
            parts.append(f"----- {path.name} (last {len(lines)} lines)\n" + "\n".join(lines))
        return "\n".join(["----- steps", *self.timings, *parts])


def _run(stack: Stack, name: str, argv: list[str], *, env: dict, timeout: float) -> str:
    with open(stack.logs / f"{name}.log", "wb") as log:
        done = subprocess.run(
            argv, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout
        )
    output = (stack.logs / f"{name}.log").read_text(errors="replace")
    assert done.returncode == 0, f"{' '.join(argv)} failed:\n{output[-3000:]}"
    return output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- A browser-like client -----------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status: int, headers, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)


class Client:
    """Cookies, CSRF tokens and Referer as a browser sends them; redirects not followed."""

    def __init__(self, base: str, context: ssl.SSLContext | None) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        handlers: list = [_NoRedirect()]
        if context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, method: str, path: str, *, data=None, headers=None) -> Response:
        url = urllib.parse.urljoin(self.base, path)
        headers = {"Referer": url, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=30) as answer:
                response = Response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            response = Response(error.code, error.headers, error.read())
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, fields: dict, *, page: str | None = None, **kwargs) -> Response:
        """A form POST with the CSRF token of `page` (or of the cookie)."""
        token = _csrf(page) if page else self.cookies.get("csrftoken", "")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}, doseq=True)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **kwargs.pop("headers", {})}
        return self.request("POST", path, data=body.encode(), headers=headers, **kwargs)

    def upload(self, path: str, fields: dict, files: dict[str, tuple[str, bytes]], page: str):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in {"csrfmiddlewaretoken": _csrf(page), **fields}.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                .encode()
            )  # fmt: skip
        for name, (filename, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request("POST", path, data=body, headers=headers)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _path(response: Response) -> str:
    """Where a redirect sends the client (path and query)."""
    assert response.status in (301, 302, 303), (response.status, response.text[:500])
    location = urllib.parse.urlsplit(response.headers["Location"])
    return location.path + (f"?{location.query}" if location.query else "")


def _totp(device: dict) -> str:
    from django_otp.oath import totp

    code = totp(bytes.fromhex(device["key"]), device["step"], device["t0"], device["digits"])
    return str(code).zfill(device["digits"])


def log_in(client: Client, username: str, *, device: dict | None = None) -> None:
    page = client.get("/login/")
    assert page.status == 200, page.status
    answer = client.post(
        "/login/", {"username": username, "password": DEMO_PASSWORD}, page=page.text
    )
    assert answer.status == 302, f"{username} did not log in: {answer.status} {answer.text[:300]}"
    target = _path(answer)
    if device is not None:  # two-factor: the gate sends the session to the code page first
        if "/account/two-factor/verify/" not in target:
            home = client.get(target)
            target = _path(home) if home.status == 302 else target
        assert target.startswith("/account/two-factor/verify/"), target
        verify = client.get(target)
        assert verify.status == 200, verify.status
        answer = client.post(target, {"otp_token": _totp(device)}, page=verify.text)
        assert answer.status == 302, f"two-factor code refused: {answer.text[:500]}"
        target = _path(answer)
    home = client.get(target)
    assert home.status == 200, f"{username} after login: {target} {home.status}"
    dashboard = client.get("/dashboard/")
    assert dashboard.status == 200, f"{username}'s dashboard: {dashboard.status}"


def _wait(what: str, probe, *, seconds: float, stack: Stack):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        stack.alive()
        last = probe()
        if last[0]:
            return last[1]
        time.sleep(0.5)
    raise AssertionError(f"{what}: still {last[1] if last else None!r} after {seconds} s")


# --- The test ------------------------------------------------------------------------------------


def _postgres_and_redis() -> tuple[str, str]:
    database, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database.startswith(("postgres://", "postgresql://")) or not redis_url:
        reason = "needs DATABASE_URL (PostgreSQL) and REDIS_URL (as in CI)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return database, redis_url


def _scratch_database(url: str, name: str, *, drop: bool = False, copy: bool = False) -> str:
    """Create (or drop) database `name` on `url`'s server. With `copy`, a copy of `url`'s own
    database when nobody is using it (in CI, the demo `make test` has just migrated and seeded:
    the guide's migrate and seed_demo then run over it, as on an upgrade), else an empty one."""
    import psycopg2

    parts = urllib.parse.urlsplit(url)
    server = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password or "") or None,
        dbname="postgres",
    )
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        source = parts.path.lstrip("/")
        if not drop:
            try:
                if not (copy and source):
                    raise psycopg2.Error("an empty database")
                cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            except psycopg2.Error:
                cursor.execute(f'CREATE DATABASE "{name}"')
    server.close()
    return parts._replace(path=f"/{name}").geturl()


def _demo_facts(stack: Stack, manage: list[str], env: dict) -> dict:
    """Enrol the system admin's authenticator (as the admin would on first login) and read the
    demo's district id: one `manage.py shell -c`, as an operator would."""
    script = (
        "import json\n"
        "from kernel.models import District, User\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "admin = User.objects.get(username='admin')\n"
        "device = TOTPDevice.objects.create(user=admin, name='smoke', confirmed=True)\n"
        "print('FACTS', json.dumps({'district': District.objects.get(code='63.08').pk,\n"
        "  'device': {'key': device.key, 'step': device.step, 't0': device.t0,\n"
        "             'digits': device.digits}}))\n"
    )
    output = _run(stack, "shell", [*manage, "shell", "-c", script], env=env, timeout=STEP_TIMEOUT)
    (line,) = [line for line in output.splitlines() if line.startswith("FACTS ")]
    return json.loads(line[len("FACTS ") :])


def _monthly_upload(client: Client, year: int, month: int) -> bytes:
    """The month's template as the puskesmas downloads it, every value cell filled."""
    from openpyxl import load_workbook

    template = client.get(f"/reports/excel/template/?year={year}&months={month}")
    assert template.status == 200, template.status
    workbook = load_workbook(BytesIO(template.body))
    sheet = workbook.worksheets[0]
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=7, value=(row % 7) + 1)  # G: the month's people served
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _poll_job(client: Client, url: str, stack: Stack, *, seconds: float) -> dict:
    def probe():
        answer = client.get(f"{url}?format=json")
        assert answer.status == 200, (url, answer.status)
        state = answer.json()
        return state["status"] in ("done", "failed"), state

    return _wait(url, probe, seconds=seconds, stack=stack)


def test_the_stack_from_the_unit_files_serves_each_role_and_runs_jobs(tmp_path):
    database_url, redis_url = _postgres_and_redis()
    logs = tmp_path / "logs"
    logs.mkdir()
    stack = Stack(logs)
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if nginx is None and os.environ.get("CI"):
        pytest.fail("CI runs the smoke test through nginx: .ci/run installs nginx-light")
    web_port, http_port, https_port = _free_port(), _free_port(), _free_port()
    database_name = f"simpul_smoke_{os.getpid()}"
    scratch_url = _scratch_database(database_url, database_name, copy=True)
    redis_db = urllib.parse.urlsplit(redis_url)._replace(path=f"/{SMOKE_REDIS_DB}").geturl()
    import redis

    redis.Redis.from_url(redis_db).flushdb()  # no heartbeat or job left from an earlier run

    for name in ("media", "static", "var", "backups", "acme", "nginx/tmp"):
        (tmp_path / name).mkdir(parents=True)
    origin = f"https://127.0.0.1:{https_port}" if nginx else f"http://127.0.0.1:{web_port}"
    env_file = env_file_read((DEPLOY / "simpul.env.example").read_text())
    env_file.update(
        SECRET_KEY="smoke-test-key-" + uuid.uuid4().hex + uuid.uuid4().hex,
        DATABASE_URL=scratch_url,
        REDIS_URL=redis_db,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS=origin,
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
        SIMPUL_BACKUP_DIR=str(tmp_path / "backups"),
        SIMPUL_BEAT_SCHEDULE=str(tmp_path / "var" / "celerybeat-schedule"),
        SIMPUL_STATIC_BUILD_DIR=str(tmp_path / "var" / "build"),
        XDG_CACHE_HOME=str(tmp_path / "var" / "cache"),
        SIMPUL_BIND=f"127.0.0.1:{web_port}",
        WEB_CONCURRENCY="2",
        SIMPUL_CELERY_QUEUE=f"smoke-{uuid.uuid4().hex[:8]}",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        LOG_LEVEL="INFO",
    )
    if not nginx:  # gunicorn straight, over plain HTTP on this machine (as `make serve`)
        env_file.update(SIMPUL_HTTPS="0", SIMPUL_TRUSTED_PROXIES="0")
    assert env_file["DJANGO_SETTINGS_MODULE"] == "config.settings.base"
    env_path = tmp_path / "simpul.env"
    env_path.write_text("".join(f"{key}={value}\n" for key, value in env_file.items()))
    base_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    base_env["HOME"] = str(tmp_path)
    manage_env = {
        **base_env,
        "SIMPUL_HOME": str(BASE_DIR),
        "SIMPUL_ENV_FILE": str(env_path),
        "SIMPUL_USER": subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip(),
    }
    manage = [str(DEPLOY / "simpul-manage")]
    failed = True
    try:
        # The guide's install steps: collectstatic (no database) alongside migrate, then the demo.
        stack.start(
            "collectstatic", [*manage, "collectstatic", "--noinput", "-v0"], env=manage_env,
            cwd=BASE_DIR,
        )  # fmt: skip
        _run(
            stack,
            "migrate",
            [*manage, "migrate", "--noinput", "-v0"],
            env=manage_env,
            timeout=STEP_TIMEOUT,
        )
        stack.mark("migrate")
        # The demo (test servers only) loads while the services start: neither needs the other.
        stack.start("seed_demo", [*manage, "seed_demo", "--quiet"], env=manage_env, cwd=BASE_DIR)
        stack.wait("collectstatic", timeout=STEP_TIMEOUT)
        stack.mark("collectstatic (started with migrate)")

        for name in UNITS:
            argv, env, cwd = unit_command(name, home=BASE_DIR, env_file=env_file)
            assert argv[0] == str(BASE_DIR / ".venv" / "bin" / Path(argv[0]).name)
            if not Path(argv[0]).exists():  # a checkout whose venv is elsewhere
                argv[0] = str(Path(sys.executable).parent / Path(argv[0]).name)
            stack.start(name, argv, env={**base_env, **env}, cwd=cwd)
        context = None
        if nginx:
            context = _nginx_start(stack, nginx, tmp_path, web_port, http_port, https_port)
        stack.wait("seed_demo", timeout=STEP_TIMEOUT)
        stack.mark("seed_demo (started with the services)")
        facts = _demo_facts(stack, manage, manage_env)
        stack.mark("two-factor device of the system admin (manage.py shell)")
        client = Client(origin, context)

        # /health/: every part ok, the worker's ping and beat's heartbeat included.
        def healthy():
            try:
                answer = client.get("/health/?format=json")
            except OSError as error:
                return False, str(error)
            if answer.status not in (200, 503):
                return False, answer.status
            checks = answer.json()["checks"]
            return answer.status == 200, {k: v["status"] for k, v in checks.items()}

        parts = _wait("/health/", healthy, seconds=120, stack=stack)
        assert {"database", "cache", "worker", "beat", "storage", "migrations"} <= set(parts)
        assert set(parts.values()) == {"ok"}, parts
        stack.mark("services started, /health/ ok")

        if nginx:
            _proxy_checks(client, http_port, tmp_path)
            stack.mark("nginx: redirect, static files, /media/ closed")

        # Each role logs in; the system admin with the code from its authenticator.
        for role, username in ROLES.items():
            device = facts["device"] if role == "system_admin" else None
            log_in(Client(origin, context), username, device=device)
        stack.mark("each role logged in")

        today = timezone.localdate()
        year, month = today.year, today.month

        # A puskesmas staff member opens this month's report and saves one cell.
        staff = Client(origin, context)
        log_in(staff, ROLES["puskesmas_staff"])
        reports = staff.get("/reports/")
        answer = staff.post("/reports/start/", {"year": year, "month": month}, page=reports.text)
        entry_path = _path(answer)
        entry = staff.get(entry_path)
        assert entry.status == 200, entry.status
        version = re.search(r'data-version="(\d+)"|name="version" value="(\d+)"', entry.text)
        cell = re.search(r'name="(v-\d+-\d+)"', entry.text)
        assert version and cell, "the entry page has no cells"
        key = cell.group(1)[1:]
        saved = staff.post(
            f"{entry_path.rstrip('/')}/cells/",
            {
                "base": version.group(1) or version.group(2),
                f"v{key}": "7",
                f"c{key}": "",
                f"o{key}": "",
                f"oc{key}": "",
            },
            headers={"X-CSRFToken": staff.cookies["csrftoken"], "X-Requested-With": "fetch"},
        )
        assert saved.status == 200, (saved.status, saved.text[:500])
        assert saved.json().get("version"), saved.text[:500]
        stack.mark("a cell saved")

        # Another puskesmas imports the month from the Excel template, through the worker.
        head = Client(origin, context)
        log_in(head, "kapus.alabio")
        reports = head.get("/reports/")
        head.post("/reports/start/", {"year": year, "month": month}, page=reports.text)
        upload = _monthly_upload(head, year, month)
        page = head.get("/reports/excel/")
        answer = head.upload("/reports/excel/", {}, {"file": ("bulan.xlsx", upload)}, page.text)
        job_path = _path(answer)
        assert job_path.startswith("/imports/"), job_path
        job = _poll_job(head, job_path, stack, seconds=120)
        assert job["status"] == "done", job
        stack.mark("a month imported through the worker")

        # The district planner computes its quarter now, through the worker.
        planner = Client(origin, context)
        log_in(planner, ROLES["district_planner"])
        reports = planner.get("/reports/")
        answer = planner.post(
            f"/quarterly/compute/{facts['district']}/",
            {"year": year, "quarter": (month - 1) // 3 + 1},
            page=reports.text,
        )
        run_path = _path(answer)
        assert run_path.startswith("/quarterly/runs/"), run_path
        run = _poll_job(planner, run_path, stack, seconds=120)
        assert run["status"] == "done", run
        stack.mark("a quarter aggregated through the worker")
        stack.alive()
        failed = False
    finally:
        stack.stop()
        if failed:
            print(stack.report(), file=sys.stderr)
        _scratch_database(database_url, database_name, drop=True)
    stack.mark("stopped")
    print("\n".join(["smoke test:", *stack.timings]))


def _nginx_start(stack: Stack, nginx: str, tmp_path: Path, web_port, http_port, https_port):
    """deploy/nginx/simpul.conf in a scratch prefix, with a self-signed certificate."""
    prefix = tmp_path / "nginx"
    cert, key = prefix / "cert.pem", prefix / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    site = prefix / "simpul.conf"
    site.write_text(
        nginx_site(
            http_port=http_port,
            https_port=https_port,
            web_port=web_port,
            static_root=tmp_path / "static",
            cert=cert,
            key=key,
            acme=tmp_path / "acme",
        )
    )
    main = prefix / "nginx.conf"
    main.write_text(nginx_main(prefix, site))
    argv = [nginx, "-p", str(prefix), "-c", str(main), "-e", str(prefix / "error.log")]
    checked = subprocess.run([*argv, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    stack.more_logs.append(prefix / "error.log")
    stack.start("nginx", argv, env={"PATH": os.environ.get("PATH", "")}, cwd=prefix)
    return ssl.create_default_context(cafile=str(cert))


def _proxy_checks(client: Client, http_port: int, tmp_path: Path) -> None:
    """What the nginx site itself promises: HTTP to HTTPS, static files with a long cache,
    uploads never served from disk, /health/ on plain HTTP too."""
    plain = Client(f"http://127.0.0.1:{http_port}", None)
    moved = plain.get("/login/")
    assert moved.status == 301 and moved.headers["Location"].startswith("https://"), moved.status
    assert plain.get("/health/?format=json").status == 200

    login = client.get("/login/")
    assert login.headers.get("Strict-Transport-Security"), "HSTS from Django over HTTPS"
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', login.text)
    assert stylesheet, "the login page links a hashed stylesheet"
    static = client.get(stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    assert static.status == 200
    cache = ", ".join(static.headers.get_all("Cache-Control") or [])
    assert "max-age=31536000" in cache and "immutable" in cache, cache
    assert static.headers.get("Content-Encoding") == "gzip"  # the .gz collectstatic wrote

    (tmp_path / "media" / "secret.txt").write_text("uploaded")
    assert client.get("/media/secret.txt").status == 404
