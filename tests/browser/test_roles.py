"""Each role in a real browser: logs in, sees its own area, switches language, and no page scrolls
sideways on a 360 px phone (Foundation issue; STYLE.md §8, §9).
"""

import os
import re
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from tests.factories import (
    PartnerFactory,
    ServicePointFactory,
    UnitFactory,
    UserFactory,
    meeting_with_records,
)

pytestmark = pytest.mark.browser

ROLES = ["province_user", "district_user", "puskesmas_head", "puskesmas_staff", "mentor_user"]
# What each role's header must name, and names of areas it must not see there.
AREAS = {
    "province_user": ("Kalimantan Selatan", ["Kalimantan Timur"]),
    "district_user": ("Kabupaten Hulu Sungai Utara", ["Kota Banjarmasin", "Kota Bontang"]),
    "puskesmas_head": ("Puskesmas Hsu", ["Puskesmas Banjarmasin", "Puskesmas Bontang"]),
    "puskesmas_staff": ("Puskesmas Hsu", ["Puskesmas Banjarmasin", "Puskesmas Bontang"]),
    "mentor_user": ("Kabupaten Hulu Sungai Utara", ["Kota Banjarmasin", "Kota Bontang"]),
}
CRAWL_LIMIT = 40
SAME_VIEW_LIMIT = 2  # e.g. two puskesmas detail pages say as much as fifty
SKIPPED_PATHS = ("/logout/", "/admin/", "/i18n/", "/static/", "/media/")
SHOTS_DIR = Path(os.environ.get("SIMPUL_SHOTS_DIR", "/tmp/simpul-shots"))

# Why a page is wider than the screen: the element reaching furthest right that is not inside
# a scrolling box (a .table-responsive may scroll; the page may not).
OVERFLOW_JS = """
() => {
  const root = document.documentElement;
  const width = window.innerWidth;
  if (root.scrollWidth <= width) return null;
  const insideScroller = (el) => {
    for (let a = el.parentElement; a && a !== document.body && a !== root; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  let widest = null;
  let right = width;
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > right + 0.5 && !insideScroller(el)) { widest = el; right = box.right; }
  }
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  return {
    scrollWidth: root.scrollWidth,
    innerWidth: width,
    widest: widest ? name(widest) : "(none found)",
    right: Math.round(right),
    html: widest ? widest.outerHTML.slice(0, 200) : "",
  };
}
"""


@pytest.fixture
def long_names(world):
    """Real names are long; a layout that survives these survives the demo district."""
    hsu = world["hsu"]
    puskesmas = hsu["puskesmas"]
    puskesmas.address = (
        "Jl. Basuki Rahmat No. 17, Kelurahan Sungai Malang, Kecamatan Amuntai Tengah"
    )
    puskesmas.phone = "+62 527 61234 ext. 105"
    puskesmas.save()
    ServicePointFactory(
        puskesmas=puskesmas,
        village=hsu["villages"][1],
        name="Posyandu Melati Indah Kelurahan Sungai Malang RT 04/RW 02 Kecamatan Amuntai Tengah",
    )
    PartnerFactory(
        district=hsu["district"],
        name="Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah Kabupaten Hulu Sungai Utara",
        contact_name="Hj. Siti Nurhalimah Rahmawati, S.K.M., M.Kes.",
        phone="0812-5555-01234",
    )
    UnitFactory(
        office=hsu["office"],
        name="Seksi Pencegahan dan Pengendalian Penyakit Menular serta Kesehatan Jiwa",
        head_name="dr. Muhammad Fadlianoor Rahmatullah, M.P.H.",
    )
    head = UserFactory(username="crawl-head", role="puskesmas_head", puskesmas=puskesmas)
    meeting_with_records(puskesmas, head, hsu["partner"])
    return world


# Further checks a crawl may run on every page (issue #15: phone and accessibility).
CHECKS = {
    # Tap targets of at least 44 x 44 px on a phone. Links inside running text are exempt
    # (WCAG 2.5.5's inline exception); a checkbox or radio counts with its label.
    "tap_targets": """
() => {
  const found = [];
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden";
  };
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, " +
    "[role=button]";
  for (const el of document.querySelectorAll(selector)) {
    if (!visible(el) || el.closest(".visually-hidden, .visually-hidden-focusable")) continue;
    if (el.matches("a") && getComputedStyle(el).display === "inline") continue;
    let target = el;
    if (el.matches(".btn-check")) {
      target = document.querySelector(`label[for="${el.id}"]`) || el;  // its label is the button
    } else if (el.matches("input[type=checkbox], input[type=radio]")) {
      target = el.closest("label, .form-check") || el;
    }
    const box = target.getBoundingClientRect();
    if (box.height < 43.5 || box.width < 43.5) {
      const text = (el.innerText || el.value || el.name || el.getAttribute("aria-label") || "")
        .trim().slice(0, 40);
      found.push(`tap target ${el.tagName.toLowerCase()} "${text}" is ` +
        `${Math.round(box.width)}x${Math.round(box.height)} px`);
    }
  }
  return found.slice(0, 5);
}
""",
    # Every data table has headers: a header cell for each column (or each row).
    "table_headers": """
() => {
  const found = [];
  for (const table of document.querySelectorAll("table")) {
    if (table.getAttribute("role") === "presentation") continue;
    const span = (row) => [...row.cells].reduce((n, c) => n + (c.colSpan || 1), 0);
    const headRows = table.tHead ? [...table.tHead.rows] : [];
    const columns = headRows.length
      ? Math.max(...headRows.map(span)) : 0;
    const bodyRows = [...table.querySelectorAll(":scope > tbody > tr")];
    const widest = bodyRows.length ? Math.max(...bodyRows.map(span)) : 0;
    const rowHeaders = bodyRows.every((row) => row.querySelector("th"));
    if (!table.querySelector("th")) {
      found.push(`a table without any header cell: ${table.outerHTML.slice(0, 120)}`);
    } else if (widest > columns && !rowHeaders) {
      found.push(`a table with ${widest} columns but headers for ${columns}: ` +
        table.outerHTML.slice(0, 120));
    }
  }
  return found;
}
""",
}


def _watch(page: Page) -> list[str]:
    """Script errors and console errors (CSP refusals, failed loads) the page produces."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _area_label(page: Page) -> str:
    return page.locator("[data-testid=area-label]").inner_text()


def _switch_button(page: Page):
    return page.locator("header button[name=language]")


def _crawl_key(url: str) -> tuple:
    """Pages of one view with the same query keys look alike; visit a few of each."""
    parts = urlsplit(url)
    try:
        view = resolve(parts.path).view_name
    except Resolver404:
        view = parts.path
    return view, tuple(sorted(parse_qs(parts.query)))


def _should_follow(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return False
    if parts.path.startswith(SKIPPED_PATHS):
        return False
    query = parse_qs(parts.query)
    return query.get("format") not in (["xlsx"], ["pdf"]) and "download" not in query


def _crawl(
    page: Page,
    start: str,
    shots: Path,
    save: dict[str, str] | None = None,
    *,
    checks: tuple[str, ...] = (),
    limit: int = CRAWL_LIMIT,
    same_view: int = SAME_VIEW_LIMIT,
    views: set[str] | None = None,
) -> list[str]:
    """Visit pages reachable from the home page's nav; return the problems found on them.

    `checks` names further page checks (CHECKS: JavaScript returning a list of problems);
    `views`, when given, collects the view name of every page visited."""
    origin = f"{urlsplit(start).scheme}://{urlsplit(start).netloc}"
    shots.mkdir(parents=True, exist_ok=True)
    queue, seen, per_view = [start], {start}, Counter([_crawl_key(start)])
    visited, problems = 0, []
    console = _watch(page)
    while queue and visited < limit:
        url = queue.pop(0)
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a file download (an Excel template), not a page
            raise
        visited += 1
        if response is None or not response.ok:
            problems.append(f"{url} answered {response.status if response else 'nothing'}")
            continue
        overflow = page.evaluate(OVERFLOW_JS)
        if overflow:
            problems.append(
                f"{url} scrolls sideways: scrollWidth {overflow['scrollWidth']} > innerWidth "
                f"{overflow['innerWidth']}; widest element {overflow['widest']} reaches "
                f"{overflow['right']} px: {overflow['html']}"
            )
        for check in checks:
            problems.extend(f"{url}: {found}" for found in page.evaluate(CHECKS[check]))
        if views is not None:
            views.add(_crawl_key(url)[0])
        slug = re.sub(r"[^a-z0-9]+", "-", urlsplit(url).path + urlsplit(url).query).strip("-")
        page.screenshot(path=shots / f"{visited:02d}-{slug or 'home'}.png")
        view = _crawl_key(url)[0]
        if save and view in save:
            SHOTS_DIR.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SHOTS_DIR / save.pop(view), full_page=True)
        problems.extend(f"{url}: {message}" for message in console)
        console.clear()
        links = page.eval_on_selector_all("a[href]:not([download])", "els => els.map(e => e.href)")
        for link in links:
            link = link.split("#")[0]
            if link in seen or not _should_follow(link, origin):
                continue
            key = _crawl_key(link)
            if per_view[key] >= same_view:
                continue
            seen.add(link)
            per_view[key] += 1
            queue.append(link)
    assert visited >= 5, f"the crawl found only {visited} pages from {start}"
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_each_role_logs_in_through_the_form_and_sees_only_its_own_area(
    page, live_server, log_in, role, request
):
    user = request.getfixturevalue(role)
    own, others = AREAS[role]

    log_in(page, user)

    assert page.url == f"{live_server.url}/"
    label = _area_label(page)
    assert own in label
    for other in others:
        assert other not in label
    assert own in page.locator("h1").inner_text()


@pytest.mark.parametrize("role", ["district_user", "puskesmas_head"])
def test_the_header_shows_the_whole_area_name_on_a_phone(page, log_in, role, request):
    log_in(page, request.getfixturevalue(role))

    label = page.locator("[data-testid=area-label]")
    fits = label.evaluate(
        "el => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right <= innerWidth"
    )
    assert fits, f"the area label is cut off at 360 px: {label.inner_text()!r}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_switches_the_interface_to_english_and_back(page, log_in, role, request):
    log_in(page, request.getfixturevalue(role))
    assert page.locator("html").get_attribute("lang") == "id"
    button = _switch_button(page)
    assert button.inner_text() == "English"

    with page.expect_navigation():
        button.click()

    assert page.locator("html").get_attribute("lang") == "en"
    assert _switch_button(page).inner_text() == "Bahasa Indonesia"
    assert "Monthly reports" in page.locator("nav.main-nav").inner_text()
    with page.expect_navigation():
        _switch_button(page).click()
    assert page.locator("html").get_attribute("lang") == "id"


def test_no_page_scrolls_sideways_on_a_desktop_for_the_district_planner(
    desktop_page, live_server, log_in, long_names, district_user, tmp_path
):
    log_in(desktop_page, district_user)

    problems = _crawl(desktop_page, f"{live_server.url}/", tmp_path)

    assert not problems, "\n".join(problems)


def _english(page: Page) -> None:
    with page.expect_navigation():
        _switch_button(page).click()
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("language", ["id", "en"])
def test_no_page_on_a_360_px_phone_scrolls_sideways_has_small_tap_targets_or_headless_tables(
    page, live_server, log_in, long_names, role, language, request, tmp_path
):
    """On a 360 px phone, in Indonesian and in English (issue #15), no page scrolls sideways,
    every tap target is at least 44 px and every table has headers for its columns.

    Layout does not depend on the database: CI runs the suite on both, so the Indonesian crawl
    runs on the embedded default (SQLite) and the English one on PostgreSQL, each once (a whole
    crawl is about a minute of the CI run); a developer's single run on either still covers its
    language. SIMPUL_CRAWL_ALL=1 runs both languages anywhere."""
    from django.db import connection

    if os.environ.get("SIMPUL_CRAWL_ALL") != "1":
        wanted = "id" if connection.vendor == "sqlite" else "en"
        if language != wanted:
            pytest.skip(f"the {language} crawl runs on the other database in CI")
    log_in(page, request.getfixturevalue(role))
    if language == "en":
        _english(page)
    # The puskesmas head's phone is the one the issue is about: keep those pictures to look at.
    save = None
    if role == "puskesmas_head" and language == "id":
        save = {
            "kernel:home": "360-home.png",
            "kernel:puskesmas-list": "360-puskesmas-list.png",
            "kernel:puskesmas-detail": "360-puskesmas-detail.png",
        }

    problems = _crawl(
        page,
        f"{live_server.url}/",
        tmp_path,
        save,
        checks=("tap_targets", "table_headers"),
        limit=60,
        same_view=1,
    )

    assert not problems, "\n".join(problems)
    assert not save, f"the crawl never reached {sorted(save)}"
