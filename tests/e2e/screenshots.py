"""The pictures of docs/ (shown in the README), made again from the real app:

    python -m tests.e2e.screenshots [--out docs]

A simulated field team (``survey.simulate``: 300 households with realistic visit outcomes
and three bad interviews, civil servants and agencies) in a temporary data folder, served by
``streamlit run`` and photographed in Debian's headless Chromium: the entry page on a phone
(``entry-phone.png``, 390x844) and, on a laptop's screen drawn 1000 pixels wide, the
fieldwork monitor's precision tab (``monitor.png``), the review queue (``review.png``), a
cross-tabulation (``crosstab.png``), the indicators (``indicators.png``) and, from 90 days of
simulated web server logs imported by ``survey.traffic``, the website traffic (``traffic.png``). Each picture is
taken once the app has settled and its charts are drawn; a page that shows an error stops
the command.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from playwright.sync_api import expect, sync_playwright

from survey.fieldwork.accounts import Accounts
from survey.simulate import main as simulate
from survey.traffic import import_files
from tests.support.browser import CHROMIUM, ROOT, Server, drawn, launch, new_page, settle, widget

PASSWORDS = {"admin": "admin-pass-123", "enum01": "field-password-1"}
SIMULATION = ["--households", "300", "--civil-servants", "60", "--agencies", "20", "--outcomes", "--bad", "3",
              "--seed", "1", "--bulk"]
TRAFFIC = ["--traffic-days", "90", "--traffic-visits", "300", "--seed", "1"]
PHONE = (390, 844)
# A laptop's screen (1250 CSS pixels wide) drawn at 0.8: pictures 1000 pixels wide.
WIDTH, SCALE = 1250, 0.8
# picture -> (sidebar title, viewport height in CSS pixels, tab to open)
DESKTOP = {
    "monitor": ("Fieldwork monitor", 1660, "Precision"),
    "review": ("Review interviews", 1464, None),
    "crosstab": ("Cross-tabulation", 1464, None),
    "indicators": ("Indicators", 1366, None),
    "traffic": ("Website traffic", 1700, None),
}


def log_in(page, url: str, name: str) -> None:
    page.goto(url)
    settle(page, timeout=60_000)
    widget(page, "login_user").locator("input").fill(name)
    widget(page, "login_password").locator("input").fill(PASSWORDS[name])
    widget(page, "login").locator("button").click()
    settle(page, timeout=60_000)


def photograph(page, path: Path) -> None:
    """The viewport once the page is drawn; never a page with an error on it."""
    drawn(page)
    errors = page.get_by_test_id("stException")
    if errors.count():
        raise SystemExit(f"{path.name}: the page shows an error: {errors.first.inner_text()[:500]}")
    page.screenshot(path=str(path))
    print(path)


def take(url: str, out: Path, browser) -> None:
    phone = new_page(browser, viewport={"width": PHONE[0], "height": PHONE[1]}, is_mobile=True, has_touch=True)
    phone.set_default_timeout(60_000)
    log_in(phone, url, "enum01")
    expect(widget(phone, "next_step")).to_be_visible()
    photograph(phone, out / "entry-phone.png")
    phone.context.close()

    for name, (title, height, tab) in DESKTOP.items():
        page = new_page(browser, viewport={"width": WIDTH, "height": height}, device_scale_factor=SCALE)
        page.set_default_timeout(60_000)
        log_in(page, url, "admin")
        page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
        settle(page, timeout=60_000)
        if tab:
            page.get_by_role("tab", name=tab).click()
            expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
        photograph(page, out / f"{name}.png")
        page.context.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.screenshots", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder of the pictures (default: docs/)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print("Debian's chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="survey-screenshots-") as folder:
        data = Path(folder) / "store"
        simulate([*SIMULATION, "--out", str(data)])
        simulate([*TRAFFIC, "--out", str(Path(folder) / "logs")])
        import_files(data, [Path(folder) / "logs" / "access.log.gz"], user="admin")
        accounts = Accounts(data)
        accounts.add("admin", "admin", PASSWORDS["admin"])
        accounts.add("enum01", "enumerator", PASSWORDS["enum01"])
        server = Server(data, Path(folder) / "server.log")
        server.start()
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                take(server.url, args.out, browser)
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
