"""Hostile Markdown in an interview, seen in Chromium: a supervisor opens it on the review page,
its enumerator opens the entry page (drafts) and "My submissions" (the reviewer's comment).

The names, address, comments and the review comment hold a link, a remote image, a
heading, emphasis and HTML pointing at evil.test. What the browser draws must hold no
link or image to that host and the browser must ask it for nothing; the text shows as
typed, and no escape of it leaks into an accessible name (aria-label) as a backslash.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from survey import ResponseStore
from survey.fieldwork.accounts import Accounts
from survey.fieldwork.drafts import Draft, Drafts
from survey.simulate import generate
from tests.support.app import widget_values
from tests.support.browser import Server, drawn, new_page, require_chromium, settle, widget
from ui.plain_text import JOINER

require_chromium()

pytestmark = pytest.mark.browser

HOSTILE = ("[Login again](http://evil.test/phish) ![p](http://evil.test/pixel.png) # H *em* <img src=x> "
           "__bold__ ~~gone~~ www.evil.test/w x@evil.test $x^2$ :red[red] :smile:")
ENUMERATOR = "__enum01__"   # a valid account name that is bold in Markdown
NOTE = "Call back: [Login again](http://evil.test/note) ![n](http://evil.test/note.png)"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("store")
    Accounts(data).add("sup1", "supervisor", "super-password-1")
    Accounts(data).add(ENUMERATOR, "enumerator", "field-password-1")
    store = ResponseStore(data)
    answers = generate("household", n=1, seed=3)[0]
    for key in ("respondent_name", "address", "comments"):
        answers[key] = HOSTILE
    for member in answers["members"]:
        member["member_name"] = HOSTILE
    store.submit("household", answers, enumerator=ENUMERATOR, response_id="hostile-1")
    store.set_status("household", "hostile-1", "on_hold", editor="sup1", note=NOTE, base_revision=1)
    store.submit("household", answers, enumerator=ENUMERATOR, response_id="hostile-2")
    store.set_status("household", "hostile-2", "rejected", editor="sup1", note=NOTE, base_revision=1)
    typed = widget_values(store.instrument("household"), answers)
    for rid in ("draft-1", "draft-2"):
        Drafts(data).save(Draft(ENUMERATOR, "household", rid, typed, step="members__0"))
    running = Server(data, data.parent / "server.log")
    running.start()
    yield running
    running.stop()


def watched(browser):
    """A page, and the list of every address it asks for."""
    page = new_page(browser, viewport={"width": 1280, "height": 1000})
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    return page, asked


def log_in(page, url: str, name: str, password: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    widget(page, "login_user").locator("input").fill(name)
    widget(page, "login_password").locator("input").fill(password)
    widget(page, "login").locator("button").click()
    settle(page)


def assert_inert(page, asked: list[str]) -> None:
    """Nothing on the page links to or loads from evil.test, it was asked for nothing, and the
    hostile text shows as typed."""
    drawn(page)
    page.wait_for_timeout(500)   # an image would have been requested by now
    assert page.locator('a[href*="evil.test"]').count() == 0
    assert page.locator('img[src*="evil.test"], img[src="x"], source[srcset*="evil.test"]').count() == 0
    assert [url for url in asked if "evil.test" in url] == []
    main = page.locator("[data-testid='stMain']")
    assert main.locator("h1, h2, h3, h4, h5, h6").filter(has_text=re.compile(r"^H\b")).count() == 0   # "# H" made none
    assert main.locator("em, strong, del").filter(has_text=re.compile(r"^(em|bold|gone)$")).count() == 0
    assert main.locator(".katex, a[href^='mailto:']").count() == 0 and "😄" not in main.inner_text()
    # (the static labels' own escapes, such as a required question's "\\*", are another matter)
    leaked = page.evaluate("() => [...document.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))"
                           ".filter(l => /Login again|enum01/.test(l) && l.includes('\\\\'))")
    assert leaked == []


def test_the_review_page_shows_hostile_answers_and_notes_as_text(server, browser):
    page, asked = watched(browser)
    log_in(page, f"{server.url}/review", "sup1", "super-password-1")   # a new session asks to log in, then opens it
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_text("Login again", exact=False).first).to_be_visible()
    member = main.get_by_test_id("stExpander").filter(has_text="Login again").first
    member.locator("summary").click()
    settle(page)
    assert_inert(page, asked)
    text = main.inner_text().replace(JOINER, "")   # the invisible joiners that stop bare addresses
    assert HOSTILE in text and "[Login again](http://evil.test/note)" in text   # shown as typed
    assert "\\[" not in text and "\\*" not in text   # no escape shows
    page.context.close()


def test_the_enumerators_pages_show_hostile_drafts_and_comments_as_text(server, browser):
    page, asked = watched(browser)
    log_in(page, server.url, ENUMERATOR, "field-password-1")
    expect(page.get_by_text("Log out __enum01__")).to_be_visible()   # the name as typed, not in bold
    main = page.locator("[data-testid='stMain']")
    listed = main.get_by_test_id("stExpander").filter(has_text="Interviews in progress")
    if listed.locator("details[open]").count() == 0:
        listed.locator("summary").click()
        settle(page)
    expect(listed.get_by_text("Login again", exact=False).first).to_be_visible()   # the drafts, by name
    assert_inert(page, asked)
    assert HOSTILE in main.inner_text().replace(JOINER, "")
    widget(page, "resume_draft_0").locator("button").click()
    settle(page)
    expect(main.locator("h3").filter(has_text="Login again")).to_be_visible()   # the member's step, by name
    assert_inert(page, asked)
    log_in(page, f"{server.url}/my_submissions", ENUMERATOR, "field-password-1")
    expect(main.get_by_text("Call back", exact=False).first).to_be_visible()   # the rejection's comment
    assert NOTE in main.inner_text().replace(JOINER, "")
    assert_inert(page, asked)
    page.context.close()
