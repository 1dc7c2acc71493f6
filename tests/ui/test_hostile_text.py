"""Hostile Markdown typed by a user is shown as text on every page that shows user text.

An interview whose names, address and comments are Markdown (a link, a remote image, a
heading, emphasis, HTML, a colour directive, LaTeX), rejected with a comment of the same
kind, and a draft of the same kind, are opened by each role on the pages that show them.
Every Markdown body the app draws (st.markdown, captions, alerts, st.table cells,
expander labels, headings) must hold the text escaped: with every backslash-escaped
character taken out, none of the payload's Markdown remains. The browser test
(tests/e2e/test_hostile_browser.py) checks what Chromium then draws and fetches.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from survey import ResponseStore
from survey.fieldwork.drafts import Draft, Drafts
from survey.simulate import generate
from tests.support.app import APP, open_app, widget_values
from ui.auth import pages_for
from ui.plain_text import JOINER, plain, plain_line

HOSTILE = ("[Login again](http://evil.test/phish) ![p](http://evil.test/pixel.png) # H *em* __bold__ "
           "<img src=x> :red[red] $x^2$ `code` ~~gone~~ www.evil.test")
# what Markdown would act on, were it not escaped
ACTIVE = ("[Login again](", "](http", "![p]", "<img", "*em*", "__bold__", ":red[", "$x^2$", "`code`", "~~gone~~",
          "www.evil.test", "http://")
ENUMERATOR = "__enum01__"   # a valid account name that is bold in Markdown


def seed(data_dir) -> ResponseStore:
    store = ResponseStore(data_dir)
    answers = generate("household", n=1, seed=3)[0]
    for key in ("respondent_name", "address", "comments"):
        answers[key] = HOSTILE
    for member in answers["members"]:
        member["member_name"] = HOSTILE
    store.submit("household", answers, enumerator=ENUMERATOR, response_id="hostile-1")
    store.set_status("household", "hostile-1", "rejected", editor="sup1", note=HOSTILE + "\n# second line",
                     base_revision=1)
    typed = widget_values(store.instrument("household"), answers)
    for rid in ("draft-1", "draft-2"):   # two: one comes back in the form, both are listed
        Drafts(data_dir).save(Draft(ENUMERATOR, "household", rid, typed, step="members__0"))
    return store


def bodies(at) -> list[str]:
    """Every Markdown text the run drew."""
    out = [e.value for kind in ("markdown", "caption", "warning", "error", "info", "success", "header",
                                "subheader", "title") for e in getattr(at, kind)]
    out += [e.label for e in at.expander]
    for table in at.table:
        frame = table.value
        out += [str(v) for v in frame.to_numpy().ravel()] + [str(c) for c in frame.columns]
    return out


def live(body: str) -> list[str]:
    """The payload's Markdown still active in `body` once escaped characters are taken out."""
    bare = re.sub(r"\\.", "", body, flags=re.S)
    return [token for token in ACTIVE if token in bare]


def assert_shown_as_text(at) -> int:
    """No body holds live Markdown; the number of bodies that show the payload."""
    assert not at.exception, at.exception
    found = [b for b in bodies(at) if "Login again" in b]
    assert [(b, live(b)) for b in bodies(at) if live(b)] == []
    return len(found)


def test_plain_escapes_every_markdown_character_and_keeps_line_breaks():
    assert live(plain_line(HOSTILE)) == [] and live(plain(HOSTILE)) == []
    assert re.sub(r"\\(.)", r"\1", plain_line(HOSTILE)).replace(JOINER, "") == HOSTILE   # as typed
    assert plain("one\ntwo") == "one  \ntwo" and plain_line("one\n# two") == "one \\# two"
    assert plain(None) == "" and plain_line(12.5) == "12\\.5"


def test_the_review_page_shows_answers_names_and_notes_as_text(data_dir):
    seed(data_dir)
    at = open_app(data_dir, "sup1", "supervisor")
    at.switch_page("ui/pages/review.py").run()
    at.selectbox(key="review_instrument").set_value("household").run()
    at.multiselect(key="review_status").set_value(["rejected"]).run()
    at.selectbox(key="review_choice").set_value("hostile-1").run()
    # the answer tables (respondent, address, comments), a member's expander and table, the last comment
    assert assert_shown_as_text(at) >= 6
    assert any("\\_\\_enum01\\_\\_" in b for b in bodies(at))   # the enumerator's name, not in bold
    at.text_area(key="review_note").input(HOSTILE)   # a decision's flash keeps quoting nothing raw
    at.radio(key="review_decision").set_value("on_hold")
    at.button(key="review_save").click().run()
    assert_shown_as_text(at)


def test_the_enumerators_pages_show_comments_and_drafts_as_text(data_dir):
    seed(data_dir)
    at = open_app(data_dir, ENUMERATOR, "enumerator")
    assert assert_shown_as_text(at) >= 1   # the draft in the list of interviews in progress
    assert any("\\_\\_enum01\\_\\_" in b for b in bodies(at))   # "Logged in as"
    assert at.button(key="logout").label == "Log out \\_\\_enum01\\_\\_"
    at.button(key="resume_draft_0").click().run()
    assert any("Login again" in s.value for s in at.subheader)   # the member's step, titled by the name
    assert_shown_as_text(at)
    at.switch_page("ui/pages/my_submissions.py").run()
    assert assert_shown_as_text(at) >= 1   # the rejection's comment


def test_the_first_run_names_the_new_administrator_as_typed(data_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="setup_user").input("__boss__")
    at.text_input(key="setup_password").input("admin-pass-123")
    at.text_input(key="setup_password2").input("admin-pass-123")
    at.button(key="setup").click().run()
    assert "\\_\\_boss\\_\\_" in at.success[0].value


@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_the_other_pages_of_each_role_draw_no_live_markdown(data_dir, role):
    seed(data_dir)
    at = open_app(data_dir, f"{role}1", role)
    for page in pages_for(role):
        at.switch_page(f"ui/pages/{page}.py").run()
        assert_shown_as_text(at)
