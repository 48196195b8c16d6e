"""Platform promises of the Foundation issue: no third-party hosts, light pages, long cache, CSP,
production settings and login lock-out (STYLE.md §8, §10). Fast: no browser.
"""

import gzip
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import whitenoise.compress
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from whitenoise.compress import Compressor
from whitenoise.middleware import WhiteNoiseFileResponse

from indicators import urls as indicator_urls
from planning import urls as planning_urls
from tests.factories import UserFactory, meeting_with_records
from workshops import urls as workshop_urls

BASE_DIR = Path(settings.BASE_DIR)
ROLES = ["province_user", "district_user", "puskesmas_head", "puskesmas_staff"]
PAGE_BUDGET_BYTES = 100 * 1024
ONE_YEAR_SECONDS = 365 * 24 * 60 * 60
MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "srcset", "poster", "data"}


class _PageParser(HTMLParser):
    """Every URL-bearing attribute, the static assets a browser fetches, and inline code."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.assets: list[str] = []
        self.inline: list[tuple[str, str]] = []  # (directive it needs, what)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value:
                values = (
                    [part.split()[0] for part in value.split(",")] if name == "srcset" else [value]
                )
                self.urls.extend((tag, name, v.strip()) for v in values if v.strip())
        rel = (attributes.get("rel") or "").lower().split()
        if tag == "link" and {"stylesheet", "icon", "preload", "modulepreload"} & set(rel):
            if not attributes["href"].startswith("data:"):  # inline: nothing to fetch
                self.assets.append(attributes["href"])
        elif tag in ("script", "img") and attributes.get("src"):
            self.assets.append(attributes["src"])
        if tag == "script" and not attributes.get("src"):
            self.inline.append(("script-src", "<script> without src"))
        if tag == "style":
            self.inline.append(("style-src", "<style> block"))
        if "style" in attributes:
            self.inline.append(("style-src", f"style attribute on <{tag}>"))
        for name in attributes:
            if name.startswith("on"):
                self.inline.append(("script-src", f"{name} handler on <{tag}>"))


def _parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    return parser


# Pages of a meeting (its id is the argument) that the page-wide checks open too.
MEETING_PAGES = [
    "meeting-detail",
    "meeting-participants",
    "meeting-invitation",
    "meeting-attendance",
    "meeting-pack",
    "meeting-problems",
    "meeting-rtl",
    "meeting-commitments",
    "meeting-proposals",
    "meeting-minutes",
    "meeting-photos",
    "meeting-agreement",
]
# Links people follow to another host (nothing is loaded from it): sharing on WhatsApp.
OUTSIDE_LINKS = ("https://wa.me/",)


def _main_urls(world) -> list[str]:
    """Every page without arguments, the detail page of our own puskesmas, and the pages of a
    lokmin with every kind of record."""
    urls = []
    for namespace, module in (
        ("indicators", indicator_urls),
        ("workshops", workshop_urls),
        ("planning", planning_urls),
    ):
        names = [p.name for p in module.urlpatterns if not p.pattern.converters]
        urls += [reverse(f"{namespace}:{name}") for name in names]
    hsu = world["hsu"]
    urls.append(reverse("kernel:puskesmas-detail", args=[hsu["puskesmas"].pk]))
    head = hsu["puskesmas"].users.filter(role="puskesmas_head").first() or UserFactory(
        role="puskesmas_head", puskesmas=hsu["puskesmas"], district=None
    )
    meeting = meeting_with_records(hsu["puskesmas"], head, hsu["partner"])
    urls += [reverse(f"workshops:{name}", args=[meeting.pk]) for name in MEETING_PAGES]
    return urls


def _rendered_pages(client: Client, world) -> list[tuple[str, object]]:
    """The HTML pages among the main URLs (some, like spreadsheet templates, are downloads)."""
    pages = []
    for url in _main_urls(world):
        response = client.get(url)
        # Create pages answer 403 to roles that may not add; that page must still be clean.
        # POST-only actions (starting a report) answer 405 to a GET.
        assert response.status_code in (200, 403, 405), f"{url} answered {response.status_code}"
        if response["Content-Type"].startswith("text/html"):
            pages.append((url, response))
    return pages


def _foreign_urls(html: str) -> list[str]:
    offending = []
    for tag, attribute, value in _parse(html).urls:
        lowered = value.lower()
        if tag == "a" and lowered.startswith(OUTSIDE_LINKS):
            continue
        if lowered.startswith(("http://", "https://", "//")):
            if urlsplit(value).hostname != "testserver":
                offending.append(f'<{tag} {attribute}="{value}">')
    return offending


def _csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


@pytest.mark.parametrize("role", ROLES)
def test_no_page_loads_anything_from_another_host(client, world, role, request):
    client.force_login(request.getfixturevalue(role))
    pages = _rendered_pages(client, world) + [("/login/", Client().get(reverse("login")))]
    problems = {url: _foreign_urls(response.content.decode()) for url, response in pages}
    assert not {url: found for url, found in problems.items() if found}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_sends_a_strict_content_security_policy(client, world, role, request):
    client.force_login(request.getfixturevalue(role))
    pages = _rendered_pages(client, world) + [("/login/", Client().get(reverse("login")))]
    for url, response in pages:
        header = response.get("Content-Security-Policy")
        assert header, f"{url} has no Content-Security-Policy header"
        directives = _csp_directives(header)
        assert directives.get("default-src") == ["'self'"], f"{url}: {header}"
        script_src = directives.get("script-src", directives["default-src"])
        assert "'unsafe-inline'" not in script_src, f"{url}: {header}"
        # Inline code the policy refuses would silently break the page in the browser.
        blocked = [
            what
            for directive, what in _parse(response.content.decode()).inline
            if "'unsafe-inline'" not in directives.get(directive, directives["default-src"])
        ]
        assert not blocked, f"{url} has inline code its own CSP blocks: {blocked}"


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory) -> Path:
    """`collectstatic` once with the production storage: hashed names plus .gz/.br copies."""
    root = tmp_path_factory.mktemp("staticfiles")
    # Speed only, hashing is untouched: Brotli at top quality makes this take ~10 s instead of
    # under 1 s; the .gz copies show compression just as well. Users never fetch source maps.
    skip = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
    with (
        pytest.MonkeyPatch.context() as patch,
        override_settings(
            STATIC_ROOT=root, STORAGES=MANIFEST_STORAGES, WHITENOISE_SKIP_COMPRESS_EXTENSIONS=skip
        ),
    ):
        patch.setattr(whitenoise.compress, "brotli_installed", False)
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production_static(collected_static):
    """Production static handling: manifest storage; a new Client rebuilds WhiteNoise on it."""
    with override_settings(
        STATIC_ROOT=collected_static,
        STORAGES=MANIFEST_STORAGES,
        WHITENOISE_AUTOREFRESH=False,
        WHITENOISE_USE_FINDERS=False,
        DEBUG=False,
    ):
        yield collected_static


def _static_path(root: Path, url: str) -> Path:
    assert url.startswith(settings.STATIC_URL), f"{url} is not a static file"
    return root / url[len(settings.STATIC_URL) :]


def _css_references(root: Path, assets: list[str]) -> list[str]:
    """Files that the stylesheets themselves pull in with url(...) (fonts, images)."""
    found = []
    for url in assets:
        if url.endswith(".css"):
            css = _static_path(root, url).read_text()
            for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
                if not ref.startswith(("data:", "#")):
                    found.append(urljoin(url, ref.split("?")[0].split("#")[0]))
    return found


def test_first_visit_of_home_and_puskesmas_list_is_under_100_kb_gzipped(
    production_static, district_user, capsys
):
    # A fresh client builds its middleware, so it sees the manifest storage.
    client = Client()
    client.force_login(district_user)
    for name in ("kernel:home", "kernel:puskesmas-list"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        html = response.content
        assets = _parse(html.decode()).assets
        assert assets, "the page references no stylesheet at all"
        sizes = {"HTML": len(gzip.compress(html, compresslevel=6))}
        for url in dict.fromkeys(assets + _css_references(production_static, assets)):
            data = _static_path(production_static, url).read_bytes()
            sizes[url] = len(gzip.compress(data, compresslevel=6))
        total = sum(sizes.values())
        with capsys.disabled():
            detail = ", ".join(f"{url} {size:,}" for url, size in sizes.items())
            print(f"\n{name}: {total:,} bytes gzipped ({detail})")
        assert total <= PAGE_BUDGET_BYTES, f"{name} weighs {total:,} bytes gzipped: {sizes}"


def test_static_files_have_hashed_names_and_are_cached_for_a_year(production_static, district_user):
    client = Client()
    client.force_login(district_user)
    assets = _parse(client.get(reverse("kernel:home")).content.decode()).assets
    assert assets
    for url in dict.fromkeys(assets):
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", url), f"{url} has no content hash in its name"
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, url
        assert isinstance(response, WhiteNoiseFileResponse), f"{url} not served by WhiteNoise"
        cache_control = response["Cache-Control"]
        max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
        assert max_age >= ONE_YEAR_SECONDS, f"{url}: Cache-Control {cache_control}"
        assert "immutable" in cache_control, f"{url}: Cache-Control {cache_control}"
        if url.endswith((".css", ".js")):
            assert response.get("Content-Encoding") == "gzip", f"{url} is not served compressed"
    # The year is earned by the hash: the same file under its plain name is cached briefly.
    plain = client.get(f"{settings.STATIC_URL}css/simpul.css")
    assert isinstance(plain, WhiteNoiseFileResponse)
    assert "immutable" not in plain["Cache-Control"]


def _production_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    for key in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"):
        env.pop(key, None)
    env.update(DJANGO_SETTINGS_MODULE="config.settings.base", DEBUG="0")
    env.update(overrides)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_reports_nothing_with_debug_off():
    env = _production_env(SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="simpul.example.id")
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output, output


def test_deploy_check_refuses_the_development_secret_key():
    env = _production_env(
        SECRET_KEY=settings.DEVELOPMENT_SECRET_KEY, ALLOWED_HOSTS="simpul.example.id"
    )
    result = _manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = _production_env(ALLOWED_HOSTS="simpul.example.id")
    # What gunicorn does: load the WSGI application with the production settings.
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0, "the app starts with DEBUG off and no SECRET_KEY"
    assert "SECRET_KEY" in result.stderr


def test_login_locks_out_after_repeated_failures(client, district_user):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": district_user.username, "password": "wrong password"})

    response = client.post(url, {"username": district_user.username, "password": "simpul-test"})

    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("kernel:home")).status_code == 302


def test_login_with_the_right_password_before_the_limit_still_works(client, district_user):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": district_user.username, "password": "wrong password"})

    response = client.post(url, {"username": district_user.username, "password": "simpul-test"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(district_user.pk)


def test_system_admin_edits_the_spm_catalogue_in_admin(client, admin_user):
    from indicators.models import SPMService

    client.force_login(admin_user)
    service = SPMService.objects.filter(level="district").first()
    for name in (
        "spmedition",
        "spmservice",
        "estimaterule",
        "reportingyear",
        "indexband",
        "indexweight",
        "ageband",
    ):
        assert client.get(f"/admin/indicators/{name}/").status_code == 200, name
    assert client.get(f"/admin/indicators/spmservice/{service.pk}/change/").status_code == 200
