"""The deployment files (deploy/, docs/deployment.md) agree with the code: every variable the
settings read is documented in the example environment file, the units run what the Procfile
runs with the hardening the guide promises, systemd and nginx accept the files.

tests/test_deployment_smoke.py starts the stack from the same files (PostgreSQL and Redis only).
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from .test_deployment_smoke import (
    DEPLOY,
    ENV_FILE,
    HOME,
    UNITS,
    env_file_read,
    nginx_main,
    nginx_site,
    unit_command,
    unit_read,
)

BASE_DIR = Path(settings.BASE_DIR)
EXAMPLE = (DEPLOY / "simpul.env.example").read_text()
GUIDE = (BASE_DIR / "docs" / "deployment.md").read_text()
# Read only by tests that stop a job midway (fault injection); never set on a server.
NOT_FOR_SERVERS = {"SIMPUL_JOB_STEP_SECONDS", "SIMPUL_AGGREGATION_STEP_SECONDS"}


def _variables_read() -> set[str]:
    names = set()
    for path in (BASE_DIR / "config" / "settings" / "base.py", BASE_DIR / "config" / "gunicorn.py"):
        text = path.read_text()
        names |= set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]+)"', text))
        names |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z][A-Z0-9_]+)"', text))
        names |= set(re.findall(r'_int\(\s*"([A-Z][A-Z0-9_]+)"', text))
    return names - NOT_FOR_SERVERS


def test_every_variable_the_settings_read_is_in_the_example_environment_file():
    documented = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", EXAMPLE, re.M))
    missing = _variables_read() - documented
    assert not missing, f"add to deploy/simpul.env.example: {sorted(missing)}"


def test_the_example_is_readable_by_systemd_and_sh_and_names_the_production_settings():
    values = env_file_read(EXAMPLE)
    assert values["DJANGO_SETTINGS_MODULE"] == "config.settings.base"
    assert values["SIMPUL_TRUSTED_PROXIES"] == "1"
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "MEDIA_ROOT"):
        assert values[name], name
    for name, value in values.items():
        # simpul-manage sources the file with sh: no spaces, quotes, "$" or redirections.
        assert not re.search(r"[\s'\"$<>`;&|]", value), f"{name}={value}"
    assert "DEBUG" not in values  # DEBUG stays off on a server


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_runs_what_the_procfile_runs_hardened_from_one_environment_file(name):
    unit = unit_read(f"{name}.service")
    assert unit["EnvironmentFile"] == [ENV_FILE]
    assert unit["User"] == ["simpul"] and unit["Group"] == ["simpul"]
    assert unit["WorkingDirectory"] == [HOME]
    assert unit["Restart"] == ["on-failure"]
    assert unit["PartOf"] == ["simpul.target"] and unit["WantedBy"] == ["simpul.target"]
    for key, value in {
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert unit[key] == [value], (name, key)
    writable = unit["ReadWritePaths"][0].split()
    assert f"{HOME}/var" in writable
    assert (f"{HOME}/media" in writable) == (name != "simpul-beat")

    env_file = env_file_read(EXAMPLE)
    argv, env, workdir = unit_command(name, home=Path(HOME), env_file=env_file)
    assert workdir == Path(HOME)
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.base"
    procfile = {
        line.split(":", 1)[0]: line.split(":", 1)[1].split()
        for line in (BASE_DIR / "Procfile").read_text().splitlines()
        if line.strip()
    }
    expected = procfile[name.removeprefix("simpul-")]
    assert argv[0] == f"{HOME}/{expected[0]}"
    # The same program and arguments (the Procfile's shell defaults become the unit's Environment=).
    assert [a for a in argv[1:] if not a.startswith("$")][:4] == [
        a.replace("config/", f"{HOME}/config/") for a in expected[1:5]
    ]


def test_the_units_expand_without_the_optional_variables():
    """A variable ExecStart uses has a default in the unit: an env file without it still runs."""
    for name in UNITS:
        argv, _env, _ = unit_command(name, home=Path(HOME), env_file={})
        assert all("$" not in arg for arg in argv), (name, argv)


def _rendered_units(tmp_path: Path) -> list[Path]:
    env_file = tmp_path / "simpul.env"
    env_file.write_text(EXAMPLE)
    user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    paths = []
    for source in sorted((DEPLOY / "systemd").iterdir()):
        if source.suffix not in (".service", ".target", ".timer"):
            continue
        text = source.read_text().replace(ENV_FILE, str(env_file)).replace(HOME, str(BASE_DIR))
        text = re.sub(r"^(User|Group)=simpul$", rf"\1={user}", text, flags=re.M)
        path = tmp_path / source.name
        path.write_text(text)
        paths.append(path)
    return paths


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_systemd_accepts_the_units(tmp_path):
    """`systemd-analyze verify`: every key known and well-formed, every program executable."""
    paths = _rendered_units(tmp_path)
    if not (BASE_DIR / ".venv" / "bin" / "gunicorn").exists():
        pytest.skip("the units run .venv/bin/gunicorn and .venv/bin/celery of this checkout")
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"},
    )
    problems = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        # Not about our files: systemd without a running manager in a container says these.
        if line.strip() and "/etc/systemd/system" not in line and "Failed to " not in line[:9]
    ]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr


def _nginx() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


@pytest.mark.skipif(not _nginx() or not shutil.which("openssl"), reason="needs nginx and openssl")
def test_nginx_accepts_the_site(tmp_path):
    (tmp_path / "tmp").mkdir()
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    site = tmp_path / "simpul.conf"
    site.write_text(
        nginx_site(
            http_port=18080,
            https_port=18443,
            web_port=18000,
            static_root=tmp_path,
            cert=cert,
            key=key,
            acme=tmp_path,
        )
    )
    main = tmp_path / "nginx.conf"
    main.write_text(nginx_main(tmp_path, site))
    done = subprocess.run(
        [_nginx(), "-t", "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "e.log")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_the_site_proxies_with_the_client_address_caps_uploads_and_hides_media():
    site = (DEPLOY / "nginx" / "simpul.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "client_max_body_size 12m;" in site
    assert re.search(r"location \^~ /media/ \{\s*return 404;", site)
    assert "return 301 https://$host$request_uri;" in site
    assert re.search(r"alias /srv/simpul/staticfiles/;", site)
    assert env_file_read(EXAMPLE)["STATIC_ROOT"] == "/srv/simpul/staticfiles"


def test_the_guide_names_every_deployment_file_and_each_step():
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file():
            assert str(path.relative_to(BASE_DIR)) in GUIDE, f"docs/deployment.md: {path}"
    for words in (
        "apt-get install",
        "postgresql",
        "redis-server",
        "certbot",
        "manage migrate",
        "manage collectstatic",
        "createsuperuser",
        "systemctl enable",
        "manage backup",
        "manage restore",
        "/health/",
        "DATABASE_REPLICA_URL",
        "SESSION_ENGINE",
        "exactly one",
    ):
        assert words in GUIDE, words
