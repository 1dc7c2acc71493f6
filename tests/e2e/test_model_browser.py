"""End to end: a researcher fits a design-based model on the explore page (issue 18, item 5).

The real app (``streamlit run app.py``) on a copy of the seeded sample of
tests/support/analysis_store.py. An administrator opens Explore, chooses Internet at home as the
outcome and household size and district as predictors, in the browser as a person does; the
odds-ratio table appears with the model's notes, and its CSV download has the same terms and
odds ratios that analysis.tables.model_tables gives.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analysis.dataset.dataset import load_dataset
from analysis.tables.model_tables import model_table
from survey import ResponseStore
from survey.fieldwork.accounts import Accounts
from tests.support import browser as chromium
from tests.support.analysis_store import copy_to
from tests.support.browser import Server, require_chromium, widget

require_chromium()

PASSWORD = "admin-pass-123"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, analysis_store):
    data = copy_to(analysis_store, tmp_path_factory.mktemp("model") / "store")
    Accounts(data).add("admin", "admin", PASSWORD)
    running = Server(data, data.parent / "server.log")
    running.start()
    yield running.url, data
    running.stop()


def settle(page) -> None:
    chromium.settle(page, timeout=60_000)


def choose(page, key: str, label: str) -> None:
    """Choose ``label`` in the select box or multiselect ``key`` by typing it and pressing Enter."""
    box = widget(page, key).locator("input").first
    box.click()
    box.fill(label)
    page.get_by_role("option").filter(has_text=label).first.wait_for()
    page.keyboard.press("Enter")
    settle(page)
    if page.get_by_role("listbox").count():   # a multiselect's list stays open
        page.keyboard.press("Escape")
        settle(page)


def test_a_logistic_model_from_the_explore_page(server, browser):
    url, data = server
    page = chromium.new_page(browser, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.set_default_timeout(30_000)
    page.goto(url)
    settle(page)
    widget(page, "login_user").locator("input").fill("admin")
    widget(page, "login_password").locator("input").fill(PASSWORD)
    widget(page, "login").locator("button").click()
    settle(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Explore a question", exact=True).click()
    settle(page)

    choose(page, "explore_model_outcome", "Does this household have Internet access at home?")
    # the choice box comes with the rerun the outcome starts, which a busy machine may not have begun
    # when choose() settles: wait for it as long as settle() waits for a rerun
    expect(widget(page, "explore_model_choice").locator("input")).to_have_value("Yes", timeout=20_000)
    expect(page.get_by_text("Choose at least one predictor to fit the model.")).to_be_visible(timeout=20_000)
    choose(page, "explore_model_predictors", "How many people belong to this household?")
    choose(page, "explore_model_predictors", "District (kecamatan)")

    title = "Regression model: Does this household have Internet access at home? = Yes"
    expect(page.get_by_text(title, exact=True)).to_be_visible()   # (the downloads' line names it too)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(2)   # the question's table, the model's
    expect(page.get_by_text("Logistic model weighted by the design", exact=False)).to_be_visible()
    expect(page.get_by_text("Reference categories: District (kecamatan): Banjarsari.")).to_be_visible()
    assert not page.get_by_test_id("stException").count()

    with page.expect_download() as download:
        widget(page, "explore_model_csv").locator("button").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_bytes().decode("utf-8-sig"))))
    expected = model_table(load_dataset(ResponseStore(data, audit=False), "household"), "has_internet",
                           ["hh_size", "kecamatan"], choice="yes").to_frame("en")
    assert rows[0][:2] == ["Term", "Odds ratio"]
    body = rows[1:len(expected) + 1]   # the notes follow the rows
    assert [r[0] for r in body] == expected["Term"].tolist()
    assert [float(r[1]) for r in body] == pytest.approx(expected["Odds ratio"].tolist(), rel=1e-9)
    page.context.close()
