"""End to end: the real app served by `streamlit run`, driven in Debian's headless Chromium.

An enumerator switches to Bahasa Indonesia, logs in, interviews a household of one
(a 3-year-old is not asked about the internet), submits twice, and one response lands
in Parquet under the login's name.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from survey import ResponseStore
from survey.users import Accounts

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium (see .ci/run)")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("store")
    Accounts(data).add("enum01", "enumerator", "field-password-1")
    port = free_port()
    env = {**os.environ, "SURVEY_DATA_DIR": str(data)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stderr.read().decode(errors="replace")[-2000:])
    yield url, data
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def page(server):
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(20_000)
        yield page
        browser.close()


def widget(page, key: str):
    return page.locator(f".st-key-{key}")


def settle(page) -> None:
    """Wait until the app has finished its rerun, as a person waits for the form to update."""
    page.wait_for_timeout(150)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=20_000)


def choose(page, key: str, label: str) -> None:
    widget(page, key).get_by_text(label, exact=True).click()
    settle(page)
    expect(widget(page, key).get_by_role("radio", name=label, exact=True)).to_be_checked()


def type_in(page, key: str, text: str) -> None:
    box = widget(page, key).locator("input, textarea").first
    box.fill(text)
    box.press("Enter")
    settle(page)


def pick(page, key: str, label: str) -> None:
    """Choose `label` in a select box or multiselect (its list may close on a rerun: reopen)."""
    option = page.get_by_role("option").filter(has_text=label).first
    for _ in range(5):
        widget(page, key).locator("input").first.click()
        try:
            option.wait_for(timeout=3000)
            option.click()
            settle(page)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")


def test_enumerator_interviews_a_household_in_bahasa_indonesia(server, page):
    url, data = server
    page.goto(url)
    choose(page, "lang", "Bahasa Indonesia")
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
    widget(page, "login_user").locator("input").fill("enum01")
    widget(page, "login_password").locator("input").fill("field-password-1")
    widget(page, "login").locator("button").click()
    expect(page.get_by_role("heading", name="Survei Rumah Tangga", exact=False)).to_be_visible()
    settle(page)

    widget(page, "interview_date").get_by_role("spinbutton").first.click()
    page.keyboard.type(dt.date.today().strftime("%Y%m%d"))
    page.keyboard.press("Enter")
    choose(page, "kecamatan", "Jebres")
    pick(page, "kelurahan", "Mojosongo")
    type_in(page, "rw", "4")
    type_in(page, "rt", "2")
    type_in(page, "psu", "JEB-007")
    type_in(page, "respondent_name", "Sri Rahayu")
    type_in(page, "address", "Jl. Ki Hajar Dewantara 12")
    for key in ("has_radio", "has_tv", "has_fixed_phone", "has_computer", "has_internet"):
        choose(page, key, "Tidak")
    choose(page, "has_mobile", "Ya")
    pick(page, "no_internet_reason", "Biaya layanan/langganan terlalu mahal")
    type_in(page, "hh_size", "1")
    type_in(page, "member_name__0", "Bagus")
    choose(page, "sex__0", "Laki-laki")
    type_in(page, "age__0", "250")
    expect(page.get_by_text("Masukkan nilai dari 0 sampai 120.")).to_be_visible()
    type_in(page, "age__0", "3")
    expect(page.get_by_text("Masukkan nilai dari 0 sampai 120.")).to_have_count(0)
    pick(page, "relationship__0", "Anak (kandung, tiri, angkat)")
    expect(widget(page, "used_internet__0")).to_have_count(0)  # not asked of a 3-year-old
    choose(page, "used_egov", "Tidak")

    submit = widget(page, "submit").locator("button")
    submit.dblclick()
    expect(page.get_by_text("Tersimpan. ID respons:", exact=False)).to_be_visible()
    page.screenshot(path=str(data / "receipt.png"), full_page=True)

    store = ResponseStore(data)
    households = store.read("household")
    assert len(households) == 1
    row = households.iloc[0]
    assert (row["kecamatan"], row["kelurahan"], row["_enumerator"], row["_lang"]) == ("jebres", "mojosongo", "enum01", "id")
    members = store.read("household_members")
    assert list(members["age"]) == [3] and list(members["age_group"]) == ["0-4"]
