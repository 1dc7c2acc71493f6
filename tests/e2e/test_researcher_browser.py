"""End to end: a supervisor watches the explore page while an enumerator submits an interview.

The real app (``streamlit run app.py`` on 127.0.0.1) on a copy of the seeded sample of
tests/support/analysis_store.py, refreshing every 2 seconds
(``SURVEY_REFRESH_SECONDS``). A supervisor logs in and opens the explore page; an
enumerator, in another browser, logs in and submits a household interview through
the form (:func:`fill_household_interview`, the one helper that knows the form);
the supervisor's count goes up without a reload. The supervisor's CSV download is
built by the server for that session. Then an administrator opens each analysis page from
the sidebar at 1280x900 and at 390x844 (where the sidebar folds away), without an error.
(The pictures in docs/ are made by ``python -m tests.e2e.screenshots``.)
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from survey import ResponseStore
from survey.fieldwork.accounts import Accounts
from tests.support import browser as chromium
from tests.support.analysis_store import copy_to
from tests.support.browser import Server, require_chromium, widget
from ui.pages import registry

require_chromium()

PASSWORDS = {"sup1": "supervisor-pass-1", "enum01": "field-password-1", "admin": "admin-pass-123"}
PAGES = {"explore": "Explore a question", "crosstab": "Cross-tabulation", "indicators": "Indicators",
         "design": "Sampling design"}
SIZES = ((1280, 900), (390, 844))

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, analysis_store):
    data = copy_to(analysis_store, tmp_path_factory.mktemp("researcher") / "store")
    accounts = Accounts(data)
    for name, role in (("sup1", "supervisor"), ("enum01", "enumerator"), ("admin", "admin")):
        accounts.add(name, role, PASSWORDS[name])
    running = Server(data, data.parent / "server.log", env={"SURVEY_REFRESH_SECONDS": "2"})
    running.start()
    yield running.url, data
    running.stop()


def new_page(browser, width: int = 1280, height: int = 900):
    page = chromium.new_page(browser, viewport={"width": width, "height": height}, accept_downloads=True)
    page.set_default_timeout(30_000)
    return page


def settle(page) -> None:
    """Wait until the app has finished its rerun (a first read of the seeded store may be slow)."""
    chromium.settle(page, timeout=60_000)


def log_in(page, url: str, name: str, lang: str = "English") -> None:
    page.goto(url)
    settle(page)
    if lang != "English":
        widget(page, "lang").get_by_text(lang, exact=True).click()
        settle(page)
    widget(page, "login_user").locator("input").fill(name)
    widget(page, "login_password").locator("input").fill(PASSWORDS[name])
    widget(page, "login").locator("button").click()
    settle(page)


def open_page(page, title: str) -> None:
    """Follow the sidebar's link, as a person does (the session stays); on a phone the sidebar
    is folded away: open it first, and fold it again after."""
    sidebar = page.get_by_test_id("stSidebar")
    if sidebar.get_attribute("data-collapsed") == "true":
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    settle(page)
    if page.viewport_size["width"] < 600 and sidebar.get_attribute("data-collapsed") == "false":
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        expect(sidebar).to_have_attribute("data-collapsed", "true")


# ---- the form (the one place that knows it) -------------------------------------------------------
def _choose(page, key: str, label: str) -> None:
    widget(page, key).get_by_text(label, exact=True).click()
    settle(page)


def _type_in(page, key: str, text: str) -> None:
    box = widget(page, key).locator("input, textarea").first
    box.fill(text)
    box.press("Enter")
    settle(page)


def _pick(page, key: str, label: str) -> None:
    option = page.get_by_role("option").filter(has_text=label).first
    for _ in range(5):
        widget(page, key).locator("input").first.click()
        try:
            option.wait_for(timeout=3000)
            option.click()
            settle(page)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")


def _next(page) -> None:
    widget(page, "next_step").locator("button").click()
    settle(page)


def fill_household_interview(page, psu: str) -> None:
    """Fill and submit the household form (in Bahasa Indonesia), one step at a time: a
    household of one in Jebres, in the sampled PSU ``psu`` (a PSU the frame does not list
    would make the weights fall back)."""
    _choose(page, "visit_outcome", "Ada responden: wawancara dilakukan")
    _choose(page, "consent", "Ya")
    _next(page)                                     # location: the date is today already
    _choose(page, "kecamatan", "Jebres")
    _pick(page, "kelurahan", "Mojosongo")
    _type_in(page, "rw", "4")
    _type_in(page, "rt", "2")
    _type_in(page, "psu", psu)
    _type_in(page, "respondent_name", "Sri Rahayu")
    _type_in(page, "address", "Jl. Ki Hajar Dewantara 12")
    _next(page)                                     # household ICT access
    for key in ("has_radio", "has_tv", "has_fixed_phone", "has_computer", "has_internet"):
        _choose(page, key, "Tidak")
    _choose(page, "has_mobile", "Ya")
    _pick(page, "no_internet_reason", "Biaya layanan/langganan terlalu mahal")
    _next(page)                                     # household members
    _type_in(page, "hh_size", "1")
    _next(page)                                     # member 1
    _type_in(page, "member_name__0", "Bagus")
    _choose(page, "sex__0", "Laki-laki")
    _type_in(page, "age__0", "3")
    _pick(page, "relationship__0", "Anak (kandung, tiri, angkat)")
    _next(page)                                     # e-government
    _choose(page, "used_egov", "Tidak")
    _next(page)                                     # closing
    _next(page)                                     # review
    expect(page.get_by_text("Semua jawaban sudah lengkap.")).to_be_visible()
    widget(page, "submit").locator("button").click()
    expect(page.get_by_text("Tersimpan. ID respons:", exact=False)).to_be_visible()


# ---- the tests -------------------------------------------------------------------------------------
def test_the_explore_page_counts_a_new_interview_without_a_reload(server, browser):
    url, data = server
    supervisor = new_page(browser)
    log_in(supervisor, url, "sup1")
    open_page(supervisor, PAGES["explore"])
    count = widget(supervisor, "explore_count")
    expect(count).to_contain_text("120 responses, the last at ")
    supervisor.evaluate("window.__same_document = true")        # a reload would drop this

    enumerator = new_page(browser)
    log_in(enumerator, url, "enum01", lang="Bahasa Indonesia")
    with (data / "frame.csv").open() as frame:
        psu = next(row["psu"] for row in csv.DictReader(frame) if row["kecamatan"] == "jebres")
    fill_household_interview(enumerator, psu)
    assert len(ResponseStore(data).read("household")) == 121

    expect(count).to_contain_text("121 responses, the last at ", timeout=30_000)
    assert supervisor.evaluate("window.__same_document") is True
    expect(supervisor.get_by_text("The weights could not be made")).to_have_count(0)   # a sampled PSU
    enumerator.context.close()

    widget(supervisor, "explore_question").click()   # the page opens on Internet at home; the districts:
    supervisor.get_by_role("option", name="District (kecamatan)", exact=True).click()
    settle(supervisor)
    with supervisor.expect_download() as download:
        widget(supervisor, "explore_csv").locator("button").click()
    content = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][:2] == ["District (kecamatan)", "Estimate"]
    assert [r[0] for r in rows[1:]] == ["Laweyan", "Serengan", "Pasar Kliwon", "Jebres", "Banjarsari"]
    supervisor.context.close()


def test_each_analysis_page_opens_from_the_sidebar_on_a_desktop_and_a_phone(server, browser):
    url, _ = server
    for width, height in SIZES:
        page = new_page(browser, width, height)
        log_in(page, url, "admin")
        for name, title in PAGES.items():
            open_page(page, title)
            expect(page.locator(f"[class*='st-key-{name}'][class*='_count']").first).to_be_visible()
            assert not page.get_by_test_id("stException").count()
        page.context.close()


TOOLBAR_BUTTONS = """toolbar => [...toolbar.querySelectorAll("button")].filter(b => b.checkVisibility())
                                .map(b => b.getAttribute("aria-label"))"""


def test_on_a_phone_the_picker_is_a_44_px_target_and_no_toolbar_offers_an_unaudited_download(server, browser):
    """Every download is in the audit log: a table's toolbar has no CSV download and a chart's no
    picture or spec (the pages' own buttons are audited); on a phone the table's toolbar, shown once
    the table is touched, stays clear of the title above the table. In both languages."""
    url, _ = server
    for lang, language in (("en", "English"), ("id", "Bahasa Indonesia")):
        page = new_page(browser, 390, 844)
        log_in(page, url, "admin", language)
        open_page(page, registry.title("entry", lang))
        assert widget(page, "instrument").get_by_role("combobox").bounding_box()["height"] >= 44
        open_page(page, registry.title("indicators", lang))
        chromium.drawn(page)
        table = page.get_by_test_id("stDataFrame").first
        table.scroll_into_view_if_needed()
        table.click(position={"x": 20, "y": 60})
        toolbar = table.get_by_test_id("stElementToolbar")
        expect(toolbar).to_be_visible()
        shown = toolbar.evaluate(TOOLBAR_BUTTONS)
        assert "Fullscreen" in shown and not [b for b in shown if b.startswith(("Download", "Copy"))], shown
        above = table.locator("xpath=ancestor::*[@data-testid='stElementContainer'][1]/preceding-sibling::*[1]")
        assert above.bounding_box()["y"] + above.bounding_box()["height"] <= toolbar.bounding_box()["y"] + 1
        chart = page.get_by_test_id("stVegaLiteChart").first
        chart.scroll_into_view_if_needed()
        chart.hover()
        buttons = page.locator("[data-testid='stFullScreenFrame']", has=chart).get_by_test_id("stElementToolbar")
        shown = buttons.evaluate(TOOLBAR_BUTTONS)
        assert "Fullscreen" in shown and not [b for b in shown if b.startswith(("Download", "Copy"))], shown
        page.context.close()
