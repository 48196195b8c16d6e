"""Every download (.xlsx, PDF, template, file) as every role: no other area's data, and for the
province no value of a report its district has not approved (issue #11, "reads never leak").

Like tests/test_cross_area.py the test walks the URL configuration: every page (id-taking ones
with the objects listed there), each also asked as `?format=xlsx` and `?format=pdf`, plus every
download link the pages show. Each user's area holds monthly values with a distinctive number per
report status, so a leak shows as a number in a file or page where it must not be.

Import job pages are left out (issue #11 covers them separately).
"""

import io
import re
import zipfile
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from indicators import services
from indicators.models import MonthlyReport, MonthlyValue, Target
from kernel.models import ExportJob, User

from .exports import download_export
from .factories import UserFactory
from .test_cross_area import OBJECTS, SKIPPED_NAMESPACES

pytestmark = pytest.mark.django_db

YEAR = 2026

# Hulu Sungai Utara: approved and locked months, and one report in each unapproved status.
HSU_REPORTS = [
    (1, "locked", 11101),
    (2, "draft", 77701),
    (3, "submitted", 77702),
    (4, "returned", 77703),
    (5, "approved", 11102),
]
BJM_REPORTS = [(1, "approved", 55501), (2, "draft", 55502)]  # Kota Banjarmasin, same province
BTG_REPORTS = [(1, "approved", 99901), (2, "draft", 99902)]  # Kota Bontang, another province

UNAPPROVED_HSU = r"77[.,\s]?70[123]"
HSU_ANY = r"(?:11[.,\s]?10[12]|77[.,\s]?70[123])"
BJM_ANY = r"55[.,\s]?50[12]"
BJM_UNAPPROVED = r"55[.,\s]?502"
BTG_ANY = r"99[.,\s]?90[12]"

# URL names left out: the log-in flow and the language switch; import job pages are covered
# with the import jobs (issue #11, another part).
SKIPPED_NAMES = {"login", "logout", "set_language"}
# Export job pages are reached below by asking for the files, as a person does.
SKIPPED_PREFIXES = ("indicators:importjob", "kernel:exportjob")
FILE_TYPES = ("application/vnd.openxmlformats", "application/pdf")


def _seed(world) -> None:
    spm = services.monthly_services(YEAR)
    seeds = {"hsu": HSU_REPORTS, "banjarmasin": BJM_REPORTS, "bontang": BTG_REPORTS}
    for key, reports in seeds.items():
        area = world[key]
        village = area["villages"][0]
        Target.objects.create(
            village=village,
            year=YEAR,
            service=spm[0],
            source="estimate",
            value=200000,
            is_of_record=True,
        )
        for month, status, value in reports:
            submitted = None if status == "draft" else f"{YEAR}-{month + 1:02d}-05T10:00Z"
            report = MonthlyReport.objects.create(
                puskesmas=area["puskesmas"],
                year=YEAR,
                month=month,
                status=status,
                due_on=f"{YEAR}-{month + 1:02d}-10",
                first_submitted_at=submitted,
            )
            MonthlyValue.objects.create(report=report, village=village, service=spm[0], value=value)
    services.quarter_aggregate(year=YEAR, quarter=1)
    services.quarter_aggregate(year=YEAR, quarter=2)


class _FakeHTML:
    """WeasyPrint stand-in: the 'PDF' is the HTML it was given, so its text can be searched."""

    def __init__(self, *, string: str, **kwargs):
        self.string = string

    def write_pdf(self) -> bytes:
        return b"%PDF-fake\n" + self.string.encode()


@pytest.fixture(autouse=True)
def _searchable_pdfs(monkeypatch):
    monkeypatch.setattr("kernel.documents.HTML", _FakeHTML)


def _walk(patterns, namespace: str = "", has_id: bool = False):
    for entry in patterns:
        takes_id = has_id or bool(entry.pattern.converters)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full = f"{namespace}:{ns}".strip(":") if ns else namespace
            yield from _walk(entry.url_patterns, full, takes_id)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), takes_id


def _page_urls(world) -> list[str]:
    """Every GET-able page of the site, id-taking ones with the Hulu Sungai Utara objects."""
    urls = []
    for name, takes_id in sorted(set(_walk(get_resolver().url_patterns))):
        if name.split(":")[0] in SKIPPED_NAMESPACES or name in SKIPPED_NAMES:
            continue
        if name.startswith(SKIPPED_PREFIXES) or (takes_id and name not in OBJECTS):
            continue  # test_cross_area fails for an id-taking URL it does not list
        if takes_id:
            urls.append(reverse(name, kwargs={"pk": OBJECTS[name](world).pk}))
        else:
            urls.append(reverse(name))
    return urls


class _Links(HTMLParser):
    """Same-site links that download something: a format, a template, an export, a file."""

    WANTED = re.compile(r"format=(xlsx|pdf)|/template/|/export/|download|/file/|/scan/|/evidence/")

    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.links: set[str] = set()

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        on_site = href.startswith(("/", "?")) and not href.startswith("//")
        if tag == "a" and on_site and self.WANTED.search(href):
            self.links.add(urljoin(self.page, href))


def _links(page: str, html: str) -> set[str]:
    parser = _Links(page)
    parser.feed(html)
    return parser.links


def _text(response) -> str:
    """What a person could read in the response: an .xlsx's cells, a PDF's or page's text."""
    content_type = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            " ".join("" if cell is None else str(cell) for cell in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if content_type.startswith(("image/", "application/zip")) or zipfile.is_zipfile(
        io.BytesIO(content)
    ):
        return ""
    text = content.decode("utf-8", errors="replace")
    # A choice's value is a row id and a form's one-time token a random UUID, not figures
    # anyone reads: on PostgreSQL, whose sequences run on across the suite, an id can be one
    # of the distinctive numbers below (and a UUID can hold one by chance).
    text = re.sub(r'(<option\b[^>]*?\svalue=")\d+"', r'\1"', text)
    return re.sub(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "", text)


def _is_file(response) -> bool:
    return response.status_code == 200 and (
        response.get("Content-Type", "").startswith(FILE_TYPES) or "Content-Disposition" in response
    )


def _is_export_offer(response) -> bool:
    """The page a heavy file's address answers on GET: one button that starts its job."""
    return response.status_code == 200 and any(
        t.name == "kernel/exportjob_confirm.html" for t in getattr(response, "templates", [])
    )


def _get(client, url: str):
    """A page or a download; a file made by an export job is asked for and downloaded."""
    response = client.get(url)
    if _is_export_offer(response):
        response = download_export(client, url)
    return response


def _downloads(client, user, pages: list[str], extra: set[str]) -> dict[str, object]:
    """Every page, and every download, `user` can reach: url -> response."""
    client.force_login(user)
    seen: dict[str, object] = {}
    links = set(extra)
    for url in pages:
        response = _get(client, url)
        assert response.status_code != 500, url
        seen[url] = response
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            links |= _links(url, response.content.decode())
    for url in sorted(links - set(seen)):
        response = _get(client, url)
        assert response.status_code != 500, url
        seen[url] = response
    return seen


def _format_variants(client, admin, pages: list[str]) -> set[str]:
    """The pages that answer a file when asked `?format=xlsx` or `?format=pdf` (as the
    system administrator, who reaches everything), linked or not."""
    client.force_login(admin)
    found = set()
    for url in pages:
        for fmt in ("xlsx", "pdf"):
            variant = f"{url}?format={fmt}"
            if _is_file(_get(client, variant)):
                found.add(variant)
    return found


@pytest.fixture
def roles(world, puskesmas_staff, puskesmas_head, district_user, province_user,
          other_district_user, admin_user):  # fmt: skip
    """Each role, with the numbers and names that must never reach them."""
    return [
        (puskesmas_staff, [BJM_ANY, BTG_ANY], ["Puskesmas Banjarmasin", "Puskesmas Bontang"]),
        (puskesmas_head, [BJM_ANY, BTG_ANY], ["Puskesmas Banjarmasin", "Puskesmas Bontang"]),
        (district_user, [BJM_ANY, BTG_ANY], ["Puskesmas Banjarmasin", "Puskesmas Bontang"]),
        (province_user, [UNAPPROVED_HSU, BJM_UNAPPROVED, BTG_ANY], ["Puskesmas Bontang"]),
        (other_district_user, [HSU_ANY, BTG_ANY], ["Puskesmas Hsu", "Puskesmas Bontang"]),
        (admin_user, [], []),
    ]


def test_every_download_shows_each_role_only_what_it_may_read(client, world, roles):
    _seed(world)
    client.cookies["django_language"] = "en"
    pages = _page_urls(world)
    admin = roles[-1][0]
    variants = _format_variants(client, admin, pages)
    downloads_seen: dict[str, set[str]] = {}
    for user, numbers, names in roles:
        responses = _downloads(client, user, pages, variants)
        files = {url for url, response in responses.items() if _is_file(response)}
        downloads_seen[user.username] = files
        for url, response in responses.items():
            if response.status_code != 200:
                continue
            text = _text(response)
            for number in numbers:
                match = re.search(number, text)
                assert match is None, f"{user.username} reads {match[0]!r} in {url}"
            if url in files:
                for name in names:
                    assert name not in text, f"{user.username} reads {name!r} in {url}"
    # The walk did reach the downloads: each role got files, the province its approved values.
    for user, __, __ in roles:
        assert downloads_seen[user.username], f"no download reached as {user.username}"
    assert reverse("indicators:monthly-export") in downloads_seen["prov"]
    assert any("format=pdf" in url for url in downloads_seen["prov"])
    assert any("format=xlsx" in url for url in downloads_seen["kapus"])
    # Files made by export jobs open only for the person who asked: anyone else gets a 404.
    users = [user for user, __, __ in roles]
    made = {(job.created_by_id, job.kind): job for job in ExportJob.objects.order_by("pk")}
    assert {user_id for user_id, __ in made} >= {user.pk for user in users}
    for job in made.values():
        download = reverse("kernel:exportjob-download", args=[job.pk])
        page = reverse("kernel:exportjob-detail", args=[job.pk])
        for user in users:
            if user.pk != job.created_by_id:
                client.force_login(user)
                assert client.get(download).status_code == 404, (user.username, job.kind)
                assert client.get(page).status_code == 404, (user.username, job.kind)


def test_province_monthly_export_holds_approved_values_only(client, world, province_user):
    _seed(world)
    client.force_login(province_user)
    text = _text(download_export(client, reverse("indicators:monthly-export"), {"year": YEAR}))
    assert "11101" in text and "11102" in text and "55501" in text  # approved and locked
    assert not re.search(UNAPPROVED_HSU, text) and "55502" not in text
    assert not re.search(BTG_ANY, text)


def test_district_monthly_export_holds_every_status_of_its_own_area(client, world, district_user):
    _seed(world)
    client.force_login(district_user)
    text = _text(download_export(client, reverse("indicators:monthly-export"), {"year": YEAR}))
    for __, __, value in HSU_REPORTS:
        assert str(value) in text
    assert not re.search(BJM_ANY, text) and not re.search(BTG_ANY, text)


def test_province_gets_404_for_an_unapproved_report_and_its_history(client, world, province_user):
    _seed(world)
    client.force_login(province_user)
    for report in MonthlyReport.objects.filter(puskesmas=world["hsu"]["puskesmas"]):
        expected = 200 if report.is_approved else 404
        for name in ("report-entry", "report-history", "feedback-detail"):
            url = reverse(f"indicators:{name}", kwargs={"pk": report.pk})
            assert client.get(url).status_code == expected, (url, report.status)


def test_province_entry_page_counts_only_approved_months_before(client, world, province_user):
    """May's year to date, as the province reads it: January (locked) and May, not the draft,
    submitted and returned months between."""
    _seed(world)
    may = MonthlyReport.objects.get(puskesmas=world["hsu"]["puskesmas"], month=5)
    client.cookies["django_language"] = "en"
    client.force_login(province_user)
    html = client.get(reverse("indicators:report-entry", kwargs={"pk": may.pk})).content.decode()
    assert re.search(r"22,203", html)  # 11101 + 11102
    assert not re.search(r"255,309", html)  # with the unapproved months


def test_readable_values_by_role(world, province_user, district_user, puskesmas_head, admin_user):
    from indicators.selectors import readable_reports, readable_values

    _seed(world)
    hsu = {v for __, __, v in HSU_REPORTS}
    kalsel_approved = {11101, 11102, 55501}
    got = lambda user: set(readable_values(user=user).values_list("value", flat=True))  # noqa: E731
    assert got(province_user) == kalsel_approved
    assert got(district_user) == hsu
    assert got(puskesmas_head) == hsu
    assert len(got(admin_user)) == 9
    assert {r.status for r in readable_reports(user=province_user)} == {"approved", "locked"}
    nobody = UserFactory(username="nobody", role=User.Role.PROVINCE_REVIEWER, province=None)
    assert not readable_values(user=nobody).exists()
