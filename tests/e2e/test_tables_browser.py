"""End to end: the monitor, review and admin pages' tables (issue 23, item 1), at a laptop's and a
phone's size, in both languages: every table is drawn whole within the page's width, with its
CSV, Excel and printable buttons, and a downloaded file is the table in the page's language.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from survey.fieldwork.accounts import Accounts
from survey.simulate import main as simulate
from tests.support import browser as chromium
from tests.support.browser import Server, require_chromium

require_chromium()

pytestmark = pytest.mark.browser
PASSWORD = "admin-pass-123"
SIZES = [(1280, 900), (390, 844)]
WORDS = {
    "en": {"monitor": "Fieldwork monitor", "review": "Review interviews", "admin": "Administration",
           "print": "Print (HTML)", "downloads": "Download the monitor's tables", "queue": "Download: Review queue",
           "accounts": "Download: Accounts", "queue_header": "Response ID"},
    "id": {"monitor": "Pemantauan lapangan", "review": "Pemeriksaan wawancara", "admin": "Administrasi",
           "print": "Cetak (HTML)", "downloads": "Unduh tabel pemantauan", "queue": "Unduh: Antrean pemeriksaan",
           "accounts": "Unduh: Akun", "queue_header": "ID respons"},
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("tables") / "store"
    simulate(["--households", "60", "--seed", "12", "--outcomes", "--bad", "2", "--out", str(data)])
    Accounts(data).add("admin", "admin", PASSWORD)
    running = Server(data, data.parent / "server.log")
    running.start()
    yield running
    running.stop()


def log_in(browser, url: str, lang: str, width: int, height: int):
    page = chromium.new_page(browser, viewport={"width": width, "height": height}, accept_downloads=True)
    page.set_default_timeout(30_000)
    page.goto(f"{url}/?lang={lang}")
    chromium.settle(page, timeout=60_000)
    chromium.widget(page, "login_user").locator("input").fill("admin")
    chromium.widget(page, "login_password").locator("input").fill(PASSWORD)
    chromium.widget(page, "login").locator("button").click()
    chromium.settle(page, timeout=60_000)
    return page


def go_to(page, title: str) -> None:
    """Follow the sidebar's link; on a phone open the sidebar first and fold it again after."""
    sidebar = page.get_by_test_id("stSidebar")
    if sidebar.get_attribute("data-collapsed") == "true":
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
    sidebar.get_by_role("link", name=title).click()
    chromium.settle(page, timeout=60_000)
    if page.viewport_size["width"] < 600 and sidebar.get_attribute("data-collapsed") == "false":
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        expect(sidebar).to_have_attribute("data-collapsed", "true")
    chromium.drawn(page)


def tables_fit(page, width: int) -> int:
    """The visible tables, each within the page's width (none pushed out of view on a phone)."""
    shown = [t for t in page.get_by_test_id("stDataFrame").all() if t.is_visible()]
    for table in shown:
        box = table.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, box
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    return len(shown)


@pytest.mark.parametrize("width, height", SIZES)
@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_fieldwork_and_admin_tables_with_their_downloads(server, browser, lang, width, height):
    words = WORDS[lang]
    page = log_in(browser, server.url, lang, width, height)

    go_to(page, words["monitor"])
    assert tables_fit(page, width) >= 2        # per kecamatan and per enumerator, in the first tab
    page.get_by_text(words["downloads"]).click()
    buttons = page.get_by_test_id("stDownloadButton")
    expect(buttons.filter(has_text=words["print"]).first).to_be_visible()
    assert buttons.count() >= 3 * 7            # areas, enumerators, rates, lengths, flags, precision...

    go_to(page, words["review"])
    assert tables_fit(page, width) >= 2        # the queue and the chosen interview's revisions
    expect(page.get_by_text(words["queue"])).to_be_visible()
    csv = page.locator(".st-key-review_queue_csv").locator("button")
    csv.scroll_into_view_if_needed()
    with page.expect_download() as download:
        csv.click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert words["queue_header"] in text and " WIB" in text

    go_to(page, words["admin"])
    assert tables_fit(page, width) >= 1
    expect(page.get_by_text(words["accounts"])).to_be_visible()
    expect(page.locator(".st-key-accounts_xlsx").locator("button")).to_be_visible()
    page.context.close()


def test_the_precision_tab_runs_when_opened(server, browser):
    """Issue 22, section 3: the precision tab's content runs only once it is chosen (st.tabs tracking
    which is open); a click draws its heading, its tables and its note."""
    page = log_in(browser, server.url, "en", *SIZES[0])
    go_to(page, WORDS["en"]["monitor"])
    title = page.get_by_text("Precision of the headline indicators")
    expect(title).to_have_count(0)
    page.get_by_role("tab", name="Precision").click()
    chromium.settle(page, timeout=60_000)
    expect(title).to_be_visible()
    expect(page.get_by_text("Margin of error (MOE) = t × SE", exact=False)).to_be_visible()
    assert tables_fit(page, SIZES[0][0]) >= 1
    page.context.close()
