"""End to end: past SURVEY_OUT_OF_CORE_ROWS (10 here) the Explore and Cross-tab pages of the real app
(``streamlit run app.py``) draw their tables from the store's rows through DuckDB, say so, and show
no error, at 1280x900 and 390x844."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from survey.fieldwork.accounts import Accounts
from tests.e2e.test_researcher_browser import PASSWORDS, SIZES, log_in, new_page, open_page
from tests.support.analysis_store import copy_to
from tests.support.browser import Server, require_chromium

require_chromium()
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, analysis_store):
    data = copy_to(analysis_store, tmp_path_factory.mktemp("out_of_core") / "store")
    Accounts(data).add("admin", "admin", PASSWORDS["admin"])
    running = Server(data, data.parent / "server.log", env={"SURVEY_OUT_OF_CORE_ROWS": "10"})
    running.start()
    yield running.url
    running.stop()


def test_explore_and_crosstab_say_they_computed_out_of_core(server, browser):
    for width, height in SIZES:
        page = new_page(browser, width, height)
        log_in(page, server, "admin")
        for name, title in (("explore", "Explore a question"), ("crosstab", "Cross-tabulation")):
            open_page(page, title)
            expect(page.locator(f"[class*='st-key-{name}'][class*='_count']").first).to_be_visible()
            expect(page.get_by_text("Computed out of core (DuckDB)", exact=False).first).to_be_visible(timeout=60_000)
            assert not page.get_by_test_id("stException").count()
        page.context.close()
