"""Drive the real app through streamlit.testing.v1.AppTest, widget by widget key.

Accounts are made with survey.users (as `python -m survey.users add` does) and the
tests log in through the real login form.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from survey import load_instrument
from survey.users import Accounts

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PASSWORDS = {"enumerator": "enumerator-pass-1", "supervisor": "supervisor-pass-1", "admin": "admin-pass-123"}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    root = tmp_path / "store"
    monkeypatch.setenv("SURVEY_DATA_DIR", str(root))
    return root


def make_user(data_dir, name: str, role: str) -> str:
    """Create an account (if new) and return its password."""
    accounts = Accounts(data_dir)
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


@pytest.fixture
def app(data_dir):
    """The entry page, logged in as the enumerator enum01."""
    return open_app(data_dir, "enum01")


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


def fill(at: AppTest, instrument_id: str, answers: dict, lang: str = "en") -> AppTest:
    """Set every answer through its widget, rerunning as skip logic reveals more questions."""
    inst = load_instrument(instrument_id)
    if at.selectbox(key="instrument").value != instrument_id:
        at.selectbox(key="instrument").set_value(instrument_id).run()
    if at.radio(key="lang").value != lang:
        at.radio(key="lang").set_value(lang).run()
    wanted = widget_values(inst, answers)
    for _ in range(12):
        changed = False
        for key, value in wanted.items():
            widget = _widget(at, key)
            if widget is None:
                continue
            if widget.value != value:
                widget.set_value(value)
                changed = True
        if not changed:
            break
        at.run()
        assert not at.exception, at.exception
    return at
