"""The monthly entry page's grid in a real browser (issue #15, Must have 3): a desa x service grid
on a desktop, moved through with the keyboard, taking a block pasted from Excel; cards on phones."""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from indicators import services
from indicators.models import MonthlyValue

from ..factories import VillageFactory
from .test_roles import CHECKS

pytestmark = pytest.mark.browser

YEAR = timezone.localdate().year
SHOTS = Path("/tmp/shots-partd")
# As Excel for Windows puts a 2 x 3 selection on the clipboard: tabs, \r\n, a trailing newline,
# the empty third cell of the first row as nothing between the last tab and the line's end.
EXCEL_TSV = "12\t7\t\r\n3\t4\t5\r\n"
# Excel's HTML flavour of a selection (trimmed: the real one carries styles and Office markup).
EXCEL_HTML = (
    "<html><body><!--StartFragment--><table><tr><td>8</td><td align=right>1.234</td></tr>"
    "<tr><td>Nama</td><td>6</td></tr></table><!--EndFragment--></body></html>"
)


@pytest.fixture
def report(world, puskesmas_head):
    hsu = world["hsu"]
    VillageFactory.create_batch(14, subdistrict=hsu["subdistrict"], puskesmas=hsu["puskesmas"])
    return services.report_open(puskesmas=hsu["puskesmas"], year=YEAR, month=1, by=puskesmas_head)


@pytest.fixture
def grid(report):
    return services.working_area(report.puskesmas), services.monthly_services(YEAR)


def _open(page, live_server, log_in, user, report):
    log_in(page, user)
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    page.locator(".entry-input").first.wait_for()


def _name(grid, v, s):
    villages, spm = grid
    return f"v-{villages[v].pk}-{spm[s].pk}"


def _cell(page, grid, v, s):
    return page.locator(f'[name="{_name(grid, v, s)}"]')


def _focused(page) -> str:
    return page.evaluate("document.activeElement.name")


def _saved(report, grid) -> dict:
    villages, spm = grid
    v_index = {v.pk: i for i, v in enumerate(villages)}
    s_index = {s.pk: i for i, s in enumerate(spm)}
    return {
        (v_index[v], s_index[s]): value
        for v, s, value in MonthlyValue.objects.filter(report=report).values_list(
            "village_id", "service_id", "value"
        )
    }


def _wait_saved(page, report, grid, expected: dict) -> None:
    for _ in range(50):
        if _saved(report, grid) == expected:
            return
        page.wait_for_timeout(100)
    assert _saved(report, grid) == expected


def _paste(page, field, *, text=None, html=None) -> None:
    """A paste into `field` carrying what the clipboard holds (text/plain and/or text/html)."""
    page.locator(f'[name="{field}"]').focus()
    page.evaluate(
        """([field, text, html]) => {
            const data = new DataTransfer();
            if (text !== null) data.setData("text/plain", text);
            if (html !== null) data.setData("text/html", html);
            const event = new ClipboardEvent("paste", {
                clipboardData: data, bubbles: true, cancelable: true});
            document.querySelector(`[name="${field}"]`).dispatchEvent(event);
        }""",
        [field, text, html],
    )


def test_a_wide_screen_shows_a_desa_by_service_grid_moved_through_with_the_keyboard(
    desktop_page, log_in, live_server, report, grid, puskesmas_head
):
    page = desktop_page
    _open(page, live_server, log_in, puskesmas_head, report)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "entry-1280.png"))
    villages, spm = grid

    # Rows are desa, columns services: a row's cells side by side, a column's one under another.
    heads = page.locator(".entry-grid thead th.service-group")
    assert heads.count() == len(spm) and heads.first.is_visible()
    assert page.locator(".entry-grid tbody th").first.inner_text() == villages[0].name
    first, right, below = (_cell(page, grid, *at).bounding_box() for at in ((0, 0), (0, 1), (1, 0)))
    assert right["x"] > first["x"] and abs(right["y"] - first["y"]) < 2
    assert below["y"] > first["y"] and abs(below["x"] - first["x"]) < 2
    # The grid scrolls sideways inside its box; the page does not.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page.locator(".entry-grid-wrap")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    # Header row and desa column stay in view when the grid scrolls.
    box.evaluate("el => { el.scrollLeft = 600; el.scrollTop = 300; }")
    head_box, desa_box = heads.first.bounding_box(), box.bounding_box()
    assert abs(head_box["y"] - desa_box["y"]) < 3
    desa = page.locator(".entry-grid tbody th").nth(8).bounding_box()
    assert abs(desa["x"] - desa_box["x"]) < 3
    # The comment toggle is a tap target of at least 44 x 44 px.
    toggle = page.locator(".entry-comment > summary").first.bounding_box()
    assert toggle["width"] >= 44 and toggle["height"] >= 44

    # Arrows, Enter and Tab move between cells; leaving a cell saves it.
    _cell(page, grid, 0, 0).click()
    page.keyboard.type("5")
    page.keyboard.press("ArrowRight")  # the caret is at the end: next service
    assert _focused(page) == _name(grid, 0, 1)
    page.keyboard.press("ArrowDown")
    assert _focused(page) == _name(grid, 1, 1)
    page.keyboard.type("2")
    page.keyboard.press("Enter")  # down, not a form submission
    assert _focused(page) == _name(grid, 2, 1)
    page.keyboard.press("Shift+Enter")
    assert _focused(page) == _name(grid, 1, 1)
    page.keyboard.press("Tab")  # along the row, over the comment toggle
    assert _focused(page) == _name(grid, 1, 2)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert _focused(page) == _name(grid, 1, 0)
    page.keyboard.press("ArrowLeft")  # the first column: stays
    assert _focused(page) == _name(grid, 1, 0)
    page.keyboard.type("31")
    page.keyboard.press("ArrowLeft")  # the caret moves inside the value first
    assert _focused(page) == _name(grid, 1, 0)
    page.keyboard.press("ArrowUp")
    assert _focused(page) == _name(grid, 0, 0)
    _wait_saved(page, report, grid, {(0, 0): 5, (1, 1): 2, (1, 0): 31})
    # Shift+F2 opens the cell's comment, Escape comes back to the value.
    page.keyboard.press("Shift+F2")
    assert page.evaluate("document.activeElement.name") == "c" + _name(grid, 0, 0)[1:]
    page.keyboard.press("Escape")
    assert _focused(page) == _name(grid, 0, 0)
    assert page.url.endswith(f"/reports/{report.pk}/")  # no Enter ever submitted the form


def test_a_block_pasted_from_excel_fills_the_grid_and_reaches_the_server(
    desktop_page, log_in, live_server, report, grid, puskesmas_head
):
    page = desktop_page
    _open(page, live_server, log_in, puskesmas_head, report)
    villages, spm = grid
    status = page.locator("#eg-status")

    _paste(page, _name(grid, 0, 0), text=EXCEL_TSV)
    assert _cell(page, grid, 0, 2).input_value() == ""  # the blank cell is left alone
    assert _cell(page, grid, 1, 2).input_value() == "5"
    _wait_saved(page, report, grid, {(0, 0): 12, (0, 1): 7, (1, 0): 3, (1, 1): 4, (1, 2): 5})
    assert re.findall(r"\d+", status.inner_text()) == ["5"]
    assert page.locator(".entry-row").nth(0).locator(".ytd").inner_text() == "12"

    # A header row and a column of desa names are left out; thousands separators are read;
    # words are skipped and counted; nothing is written outside the grid.
    last = len(villages) - 1
    _paste(
        page,
        _name(grid, last, len(spm) - 2),
        text="Desa\tK1\tK4\tx\r\nDesa A\t1.234\t2,345\t9\r\nDesa B\tada\t6\t\r\n",
    )
    expected = {(0, 0): 12, (0, 1): 7, (1, 0): 3, (1, 1): 4, (1, 2): 5}
    expected |= {(last, len(spm) - 2): 1234, (last, len(spm) - 1): 2345}
    _wait_saved(page, report, grid, expected)
    # Pasted 2; skipped 7 (the header row's 4 cells, 2 desa names, "ada"); 2 outside (9, 6).
    assert re.findall(r"\d+", status.inner_text()) == ["2", "7", "2"]

    # Excel's HTML flavour alone (as some registers and web pages give) works the same way.
    _paste(page, _name(grid, 3, 3), text=None, html=EXCEL_HTML)
    expected |= {(3, 3): 8, (3, 4): 1234, (4, 4): 6}
    _wait_saved(page, report, grid, expected)

    # A cell someone else saved since the page was read: refused with their value, as a typed
    # cell would be; the rest of the pasted row is saved.
    report.refresh_from_db()
    services.report_save(
        report=report,
        cells={(villages[5].pk, spm[1].pk): services.CellInput(40)},
        version=report.version,
        by=puskesmas_head,
    )
    expected |= {(5, 1): 40}
    _paste(page, _name(grid, 5, 0), text="1\t2\t3\r\n")
    expected |= {(5, 0): 1, (5, 2): 3}
    _wait_saved(page, report, grid, expected)
    conflict = page.locator(f'td:has([name="{_name(grid, 5, 1)}"]) .entry-state.text-danger')
    conflict.wait_for()
    assert "40" in conflict.inner_text()


def test_a_phone_keeps_the_cards_grouped_by_service(
    page, log_in, live_server, report, grid, puskesmas_head
):
    _open(page, live_server, log_in, puskesmas_head, report)
    villages, spm = grid
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "entry-360.png"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not page.locator(".entry-grid tbody th").first.is_visible()
    # The first service's cards, one under another, each named by its desa.
    first, second = _cell(page, grid, 0, 0), _cell(page, grid, 1, 0)
    assert first.is_visible() and second.bounding_box()["y"] > first.bounding_box()["y"]
    assert page.locator(".entry-row .entry-label").first.inner_text() == villages[0].name
    # Other services are closed until their header is tapped.
    assert not _cell(page, grid, 0, 1).is_visible()
    head = page.locator(".entry-grid thead th.service-group").nth(1).locator("summary")
    assert head.bounding_box()["y"] > _cell(page, grid, len(villages) - 1, 0).bounding_box()["y"]
    head.click()
    assert _cell(page, grid, 0, 1).is_visible()
    toggle = page.locator(".entry-comment > summary").first.bounding_box()
    assert toggle["width"] >= 44 and toggle["height"] >= 44
    # The crawl's own checks (test_roles): every tap target 44 px, the table has its headers.
    assert page.evaluate(CHECKS["tap_targets"]) == []
    assert page.evaluate(CHECKS["table_headers"]) == []
    # Enter moves to the next desa of the service, the card below.
    first.fill("3")
    first.press("Enter")
    assert _focused(page) == _name(grid, 1, 0)
    _wait_saved(page, report, grid, {(0, 0): 3})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.wait_for_timeout(300)  # the focus scroll settles
    page.screenshot(path=str(SHOTS / "entry-360-open.png"))
    # A link to a cell of a closed service (the review notes' links) opens that service.
    last = _name(grid, len(villages) - 1, len(spm) - 1)
    page.goto(f"{live_server.url}/reports/{report.pk}/#cell{last[1:]}")
    assert page.locator(f'[name="{last}"]').is_visible()
