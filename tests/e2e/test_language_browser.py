"""End to end, in Bahasa Indonesia: what Streamlit writes in English itself.

* The uploader (Sampling design, at 1280x900 and 390x844): our words, drawn by ui.uploader's
  CSS, in place of Streamlit's "Upload" and "200MB per file"; the button's accessible name too.
* The server stops: one message, ours, in Indonesian (ui.connection); Streamlit's English
  "Connection error" dialog and its "CONNECTING" status are hidden; after a restart the
  banner goes away.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from survey.fieldwork.accounts import Accounts
from tests.support import browser as chromium
from tests.support.analysis_store import copy_to
from tests.support.browser import Server, require_chromium, widget

require_chromium()

pytestmark = pytest.mark.browser
PASSWORD = "admin-pass-123"


@pytest.fixture(scope="module")
def server(tmp_path_factory, analysis_store):
    data = copy_to(analysis_store, tmp_path_factory.mktemp("language") / "store")
    Accounts(data).add("admin", "admin", PASSWORD)
    running = Server(data, data.parent / "server.log")
    running.start()
    yield running
    running.stop()


def log_in_indonesian(browser, url: str, width: int, height: int):
    page = chromium.new_page(browser, viewport={"width": width, "height": height})
    page.set_default_timeout(30_000)
    page.goto(url + "/?lang=id")
    chromium.settle(page, timeout=60_000)
    widget(page, "login_user").locator("input").fill("admin")
    widget(page, "login_password").locator("input").fill(PASSWORD)
    widget(page, "login").locator("button").click()
    chromium.settle(page, timeout=60_000)
    return page


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_the_uploader_speaks_indonesian(server, browser, width, height):
    page = log_in_indonesian(browser, server.url, width, height)
    sidebar = page.get_by_test_id("stSidebar")
    if sidebar.get_attribute("data-collapsed") == "true":
        page.get_by_test_id("stExpandSidebarButton").click()
    sidebar.get_by_role("link", name="Desain sampel").click()
    chromium.settle(page, timeout=60_000)
    uploader = page.get_by_test_id("stFileUploader").first
    uploader.scroll_into_view_if_needed()
    expect(uploader.locator("button")).to_be_visible()
    names = uploader.evaluate("u => [...u.querySelectorAll('button, input')].map(e => e.getAttribute('aria-label'))")
    assert set(names) == {"Pilih berkas"}          # not Streamlit's "file upload" / "Upload"
    shown = uploader.evaluate("u => [...u.querySelectorAll('*')].map(e => getComputedStyle(e, '::after').content).join(' ')")
    assert "Pilih berkas" in shown and "paling besar 200 MB" in shown
    visible_text = uploader.evaluate("""u => [...u.querySelectorAll('*')].filter(e => e.children.length === 0
        && e.checkVisibility({visibilityProperty: true}) && getComputedStyle(e).fontSize !== '0px')
        .map(e => e.innerText).join(' | ')""")
    for english in ("Upload", "per file", "Drag and drop", "Browse files"):
        assert english not in visible_text
    page.context.close()


def test_a_stopped_server_shows_one_message_in_indonesian(server, browser):
    page = log_in_indonesian(browser, server.url, 1280, 900)
    banner = page.locator("#survey-offline")
    expect(banner).to_be_hidden()
    server.stop()
    try:
        expect(banner).to_be_visible(timeout=20_000)
        expect(banner).to_contain_text("Koneksi ke server terputus")
        # Streamlit's own dialog comes a moment later: wait for it to be there, then for it to be hidden
        dialog = page.get_by_test_id("stDialog").filter(has_text="Connection error")
        expect(dialog).to_have_count(1, timeout=30_000)
        expect(dialog).to_be_hidden()
        expect(page.get_by_text("Connection error")).to_be_hidden()
        expect(page.get_by_test_id("stConnectionStatus")).to_be_hidden()
    finally:
        server.start()
    expect(banner).to_be_hidden(timeout=30_000)
    page.context.close()
