"""Drive the real app through streamlit.testing.v1.AppTest, widget by widget key.

Accounts are made with survey.fieldwork.accounts (as `python -m survey.users add` does, but
with tests.support.hashing's cheap hasher, which tests/ui/conftest.py gives the app too)
and the tests log in through the real login form.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from survey import load_instrument
from tests.support.hashing import cheap_accounts

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PASSWORDS = {"enumerator": "enumerator-pass-1", "supervisor": "supervisor-pass-1", "admin": "admin-pass-123"}


def make_unusable(monkeypatch, instrument_id: str, question: str) -> None:
    """From now on the store refuses `instrument_id`, as after a type change of `question` that
    its stored answers cannot be read with (survey.store.versions.IncompatibleInstrument)."""
    from survey.store.response_store import ResponseStore
    from survey.store.versions import IncompatibleInstrument, TypeChange

    real = ResponseStore.instrument

    def instrument(self, wanted):
        if wanted == instrument_id:
            raise IncompatibleInstrument(f"{instrument_id}.yaml", [TypeChange(instrument_id, question, "integer", "text", 1)])
        return real(self, wanted)

    monkeypatch.setattr(ResponseStore, "instrument", instrument)


def make_user(data_dir, name: str, role: str) -> str:
    """Create an account (if new, hashed cheaply as the tests' app does) and return its password."""
    accounts = cheap_accounts(data_dir)
    if accounts.get(name) is None:
        accounts.add(name, role, PASSWORDS[role])
    return PASSWORDS[role]


def login(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_user").input(name)
    at.text_input(key="login_password").input(password)
    at.button(key="login").click().run()
    assert not at.exception, at.exception
    return at


def open_app(data_dir, name: str | None = None, role: str = "enumerator") -> AppTest:
    """The app in a new session; logged in as `name` (created with `role`) when given."""
    if name is not None:
        password = make_user(data_dir, name, role)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    if name is not None:
        login(at, name, password)
    return at


def widget_values(inst, answers) -> dict[str, object]:
    """Widget key -> value for a set of answers (roster keys are name__index)."""
    values = {}
    for q in inst.questions:
        if q.type == "repeat":
            for i, item in enumerate(answers.get(q.name, [])):
                values.update({f"{k}__{i}": v for k, v in item.items()})
        elif q.name in answers:
            values[q.name] = answers[q.name]
    return values


def _widget(at: AppTest, key: str):
    for kind in ("radio", "selectbox", "multiselect", "number_input", "text_input", "text_area", "date_input"):
        found = [w for w in getattr(at, kind) if w.key == key]
        if found:
            return found[0]
    return None


def _button(at: AppTest, key: str):
    found = [b for b in at.button if b.key == key]
    return found[0] if found else None


def on_review(at: AppTest) -> bool:
    return _button(at, "submit") is not None


def first_step(at: AppTest) -> AppTest:
    """Back until the first step, as an enumerator would."""
    for _ in range(60):
        back = _button(at, "previous_step")
        if back is None or back.disabled:
            return at
        back.click().run()
        assert not at.exception, at.exception
    raise AssertionError("Back never reached the first step")


def next_step(at: AppTest) -> AppTest:
    at.button(key="next_step").click().run()
    assert not at.exception, at.exception
    return at


def to_review(at: AppTest) -> AppTest:
    """Next until the review step (where the submit button is)."""
    for _ in range(60):
        if on_review(at):
            return at
        next_step(at)
    raise AssertionError("Next never reached the review step")


def go_to(at: AppTest, key: str) -> AppTest:
    """Walk (Back to the start, then Next) to the step that shows widget `key`."""
    if _widget(at, key) is not None:
        return at
    first_step(at)
    for _ in range(60):
        if _widget(at, key) is not None:
            return at
        if on_review(at):
            raise AssertionError(f"no step shows {key}")
        next_step(at)
    raise AssertionError(f"no step shows {key}")


def submit(at: AppTest) -> AppTest:
    to_review(at)
    at.button(key="submit").click().run()
    assert not at.exception, at.exception
    return at


def _set_on_this_step(at: AppTest, wanted: dict) -> set[str]:
    """Set the wanted answers shown on this step (rerunning as skip logic reveals more); the keys set."""
    done: set[str] = set()
    for _ in range(12):
        changed = False
        for key, value in wanted.items():
            widget = _widget(at, key)
            if widget is None or getattr(widget, "disabled", False):
                continue
            done.add(key)
            if widget.value != value:
                widget.set_value(value)
                changed = True
        if not changed:
            break
        at.run()
        assert not at.exception, at.exception
    return done


def fill(at: AppTest, instrument_id: str, answers: dict, lang: str = "en", review: bool = True) -> AppTest:
    """Set every answer through its widget, step by step from the first, as an enumerator would.

    Ends on the review step (where `submit` is), or with `review=False` on the last
    step where it set an answer.
    """
    inst = load_instrument(instrument_id)
    if at.selectbox(key="instrument").value != instrument_id:
        at.selectbox(key="instrument").set_value(instrument_id).run()
    if at.radio(key="lang").value != lang:
        at.radio(key="lang").set_value(lang).run()
    wanted = widget_values(inst, answers)
    first_step(at)
    left, here, last = set(wanted), 0, 0
    for _ in range(60):
        done = _set_on_this_step(at, wanted)
        if done & left:
            last = here
        left -= done
        if on_review(at) or (not left and not review):
            break
        next_step(at)
        here += 1
    else:
        raise AssertionError("the form never reached the review step")
    for _ in range(here - last if not review else 0):
        at.button(key="previous_step").click().run()
    return at


# ---- the results pages -----------------------------------------------------------------------------
def open_page(data_dir, page: str, role: str = "admin", lang: str = "en") -> AppTest:
    """`page` (a module of ui/pages/) opened by a new user `<role>1`, in `lang`."""
    at = open_app(data_dir, f"{role}1", role)
    if lang != "en":
        at.radio(key="lang").set_value(lang).run()
    at.switch_page(f"ui/pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def count_line(at: AppTest) -> str:
    """The page's "n responses, the last at 14:05 WIB"."""
    return next(m.value.strip("*") for m in at.markdown if "responses" in m.value or "respons" in m.value)


def shown(at: AppTest, i: int = 0) -> pd.DataFrame:
    return at.dataframe[i].value.reset_index(drop=True)


def same(table, at: AppTest, i: int = 0, lang: str = "en") -> None:
    """The page's i-th table shows `table` (a SummaryTable), formatted as the page formats it."""
    pd.testing.assert_frame_equal(shown(at, i), table.to_frame(lang, formatted=True), check_dtype=False)


def as_read(markdown: str) -> str:
    """What a reader sees of literal Markdown made by ui.plain_text: no escapes, no joiners."""
    from ui.plain_text import JOINER

    return re.sub(r"\\(.)", r"\1", markdown).replace(JOINER, "")
