"""End to end: the Website traffic page (issue 16) in Chromium, as the issue's check opens it.

The real app on a data folder holding three weeks of the simulator's access logs imported by
survey.traffic (and population.csv). An admin opens the page from the sidebar on a laptop and on a phone:
the privacy statement, the study's charts drawn, no error; uploads a log and reads what it added. A
supervisor sees the same tables, no upload, and downloads the countries as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from survey import traffic
from survey.fieldwork.accounts import Accounts
from survey.simulate.sampling import write_population
from survey.simulate.traffic_logs import traffic_lines
from tests.support import browser as chromium
from tests.support.browser import Server, drawn, require_chromium, widget

require_chromium()

pytestmark = pytest.mark.browser
PASSWORDS = {"admin": "admin-pass-123", "sup1": "supervisor-pass-1"}
TITLE = "Website traffic"


def _log(days: int, seed: int, start: dt.date) -> bytes:
    return "".join(f"{host}:443 {line}\n" for host, line in traffic_lines(days, seed, start, visits_per_day=40)).encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("traffic") / "store"
    data.mkdir()
    log = data.parent / "access.log.gz"
    log.write_bytes(gzip.compress(_log(21, 2, dt.date(2026, 9, 20))))
    assert traffic.import_files(data, [log]).added
    write_population(data / "population.csv")
    accounts = Accounts(data)
    for name, role in (("admin", "admin"), ("sup1", "supervisor")):
        accounts.add(name, role, PASSWORDS[name])
    running = Server(data, data.parent / "server.log")
    running.start()
    yield running.url, data
    running.stop()


def _open(browser, url: str, name: str, width: int = 1280, height: int = 900):
    page = chromium.new_page(browser, viewport={"width": width, "height": height}, accept_downloads=True)
    page.set_default_timeout(60_000)
    page.goto(url)
    chromium.settle(page, timeout=60_000)
    widget(page, "login_user").locator("input").fill(name)
    widget(page, "login_password").locator("input").fill(PASSWORDS[name])
    widget(page, "login").locator("button").click()
    chromium.settle(page, timeout=60_000)
    sidebar = page.get_by_test_id("stSidebar")
    if sidebar.get_attribute("data-collapsed") == "true":
        page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_test_id("stSidebarNav").get_by_text(TITLE, exact=True).click()
    chromium.settle(page, timeout=60_000)
    drawn(page, timeout=60_000)
    return page


def _looks_right(page) -> None:
    expect(page.get_by_text("raw IP addresses are never stored", exact=False)).to_be_visible()
    expect(page.get_by_text("The study's table", exact=False)).to_be_visible()
    assert page.locator("[data-testid='stVegaLiteChart']").count() == 4
    assert not page.get_by_test_id("stException").count()


def test_admin_on_a_laptop_and_a_phone_and_an_upload(server, browser):
    url, data = server
    for width, height in ((1280, 900), (390, 844)):
        page = _open(browser, url, "admin", width, height)
        _looks_right(page)
        expect(widget(page, "traffic_file")).to_be_visible()
        page.context.close()
    page = _open(browser, url, "admin")
    log = data.parent / "access-late.log"
    log.write_bytes(_log(2, 8, dt.date(2026, 10, 12)))
    widget(page, "traffic_file").locator("input[type=file]").set_input_files(str(log))
    chromium.settle(page)
    widget(page, "traffic_import").locator("button").click()
    chromium.settle(page, timeout=60_000)
    added = len(log.read_bytes().splitlines())
    expect(page.get_by_text(f"{added:,} request(s) added, 0 already stored", exact=False)).to_be_visible()
    assert len(traffic.import_history(data)) == 2
    page.context.close()


def test_supervisor_sees_the_tables_and_downloads_them_but_imports_nothing(server, browser):
    url, _ = server
    page = _open(browser, url, "sup1")
    _looks_right(page)
    expect(widget(page, "traffic_file")).to_have_count(0)
    with page.expect_download() as download:
        widget(page, "traffic_by_country_csv").locator("button").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_bytes().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Country", "Page views", "Share"] and rows[1][0] == "Indonesia"
    page.context.close()
