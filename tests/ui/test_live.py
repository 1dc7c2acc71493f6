"""Live refresh: a page's results redraw themselves, and a refresh is not a user action.

AppTest does not fire ``run_every``, so the refresh function itself is driven here,
inside a small script that stands for the app: a tick runs only the refresh (as a
fragment rerun does), any other run starts as app.py's full run does
(``auth.refresh_session``).  The session clock (``ui.auth.clock``) is the test's.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from survey.fieldwork.audit_log import AuditLog
from tests.support.app import make_user
from ui import auth
from ui.results import live

NOW = 1_900_000_000.0


def app_with_a_live_result():
    """A tick (session_state "_tick") runs only the refresh; other runs are full runs."""
    import streamlit as st

    from ui import auth
    from ui.results import live

    if st.session_state.pop("_tick", False):
        live.refresh(lambda: st.markdown("results drawn"))
    else:
        user = auth.refresh_session()
        st.markdown(f"full run: {user.name if user else 'logged out'}")


@pytest.fixture
def clock(monkeypatch):
    now = [NOW]
    monkeypatch.setattr(auth, "clock", lambda: now[0])
    return now


def logged_in(data_dir) -> AppTest:
    make_user(data_dir, "sup1", "supervisor")
    at = AppTest.from_function(app_with_a_live_result, default_timeout=30)
    at.session_state["_auth_user"], at.session_state["_auth_role"] = "sup1", "supervisor"
    at.session_state["_auth_last_action"] = NOW
    return at


def texts(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_a_refresh_draws_the_results_and_leaves_the_session_clock_alone(data_dir, clock):
    at = logged_in(data_dir)
    clock[0] = NOW + 20 * 60
    at.session_state["_tick"] = True
    at.run()
    assert texts(at) == ["results drawn"]
    assert at.session_state["_auth_last_action"] == NOW      # not touched: a refresh is no action
    clock[0] = NOW + 29 * 60
    at.session_state["_tick"] = True
    at.run()
    assert texts(at) == ["results drawn"] and at.session_state["_auth_last_action"] == NOW


def test_a_page_left_open_is_logged_out_after_30_idle_minutes_while_it_refreshes(data_dir, clock):
    at = logged_in(data_dir)
    for minutes in (10, 20, 29):        # refreshes every few minutes: none of them keeps the session alive
        clock[0] = NOW + minutes * 60
        at.session_state["_tick"] = True
        at.run()
        assert texts(at) == ["results drawn"]
    clock[0] = NOW + 31 * 60
    at.session_state["_tick"] = True
    at.run()
    assert texts(at) == ["full run: logged out"]            # the refresh asked for a full run, which logged out
    assert "_auth_user" not in at.session_state and at.session_state["_auth_ended"] == "expired"
    assert AuditLog(data_dir).entries()[0]["action"] == "session_expired"    # newest first


def test_a_full_run_is_an_action_and_keeps_the_session(data_dir, clock):
    at = logged_in(data_dir)
    clock[0] = NOW + 29 * 60
    at.run()
    assert texts(at) == ["full run: sup1"] and at.session_state["_auth_last_action"] == NOW + 29 * 60


@pytest.mark.parametrize("value, seconds", [(None, 30.0), ("", 30.0), ("5", 5.0), ("2.5", 2.5), ("0", None),
                                            ("-1", None), ("often", 30.0)])
def test_the_refresh_interval_comes_from_survey_refresh_seconds(monkeypatch, value, seconds):
    if value is None:
        monkeypatch.delenv("SURVEY_REFRESH_SECONDS", raising=False)
    else:
        monkeypatch.setenv("SURVEY_REFRESH_SECONDS", value)
    assert live.refresh_seconds() == seconds


def test_live_results_are_a_fragment_that_reruns_every_interval(monkeypatch):
    seen = {}

    def fragment(func, run_every=None):
        seen["run_every"] = run_every
        return func

    monkeypatch.setenv("SURVEY_REFRESH_SECONDS", "7")
    monkeypatch.setattr(live.st, "fragment", fragment)
    monkeypatch.setattr(live.auth, "end_if_idle", lambda: seen.setdefault("idle_checked", True))
    drawn = live.live(lambda x: seen.setdefault("drawn", x))
    drawn(3)
    assert seen == {"run_every": 7.0, "idle_checked": True, "drawn": 3}
