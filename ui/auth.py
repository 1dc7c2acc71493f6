"""Who is logged in, which pages each role may open, and when a session ends.

`ACCESS` says which roles may open each page, as the page registry's rows
(ui/pages/registry.py) give them: `app.py` builds the navigation of the logged-in
role from it, and every page checks it again itself (`gate`), so a page reached by
any other way (a URL, a page file run directly, a switch_page) shows nothing without
a login and "no access" without the role.

A session lasts while the user acts: every full run of the app (a click, a widget
change, a page switch) and every rerun of the entry form counts as an action; a
page refreshing itself (`st.fragment(run_every=...)`) does not, and after
`IDLE_SECONDS` without an action the next run logs the user out.

A download built when it is clicked (`st.download_button(data=<callable>)`) is built
by Streamlit in a worker thread, outside the script run, where `st.session_state` is
not the session's: `session_user` and `guarded` read the user from the session's own
state object, taken while the page runs, so the role is checked again at build time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from survey.fieldwork.accounts import DEFAULT_HASHER, ROLES, Accounts
from ui.i18n import current_lang, t
from ui.pages.registry import PAGES
from ui.store import data_dir

# page -> the roles that may open it, from the page registry's rows
ACCESS: Mapping[str, frozenset[str]] = MappingProxyType({page.name: page.roles for page in PAGES})
IDLE_SECONDS = 30 * 60

_USER, _ROLE, _LAST = "_auth_user", "_auth_role", "_auth_last_action"
_ENDED = "_auth_ended"  # why the last session ended, for the login page


def clock() -> float:
    """Seconds since the epoch; tests replace it to move time."""
    return time.time()


@dataclass(frozen=True)
class User:
    name: str
    role: str


# Argon2id as in production; the in-process UI tests replace it with a cheap one.
HASHER = DEFAULT_HASHER


def accounts() -> Accounts:
    return Accounts(data_dir(), clock=lambda: clock(), hasher=HASHER)


def _user_in(state) -> User | None:
    """The user a session state (st.session_state, or a session's own state) holds."""
    name = state[_USER] if _USER in state else None
    role = state[_ROLE] if _ROLE in state else None
    return User(name, role) if name and role in ROLES else None


def current_user() -> User | None:
    return _user_in(st.session_state)


def _idle_in(state) -> bool:
    last = state[_LAST] if _LAST in state else None
    return last is not None and clock() - last > IDLE_SECONDS


def _session_reader() -> Callable[[], tuple[User | None, bool]]:
    """A reader of (this session's user, whether it went idle) when it is called, from any
    thread (see the module docstring); outside a script run (tests, a bare import), the
    current session's."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return lambda: (current_user(), idle())
    state = ctx.session_state
    return lambda: (_user_in(state), _idle_in(state))


def session_user() -> Callable[[], User | None]:
    """A reader of this session's user when it is called, from any thread."""
    session = _session_reader()
    return lambda: session()[0]


def allowed(page: str, user: User | None = None) -> bool:
    user = user if user is not None else current_user()
    return user is not None and user.role in ACCESS.get(page, ())


def pages_for(role: str) -> list[str]:
    return [page for page, roles in ACCESS.items() if role in roles]


def log_in(name: str, role: str) -> None:
    st.session_state[_USER], st.session_state[_ROLE] = name, role
    st.session_state[_LAST] = clock()
    st.session_state.pop(_ENDED, None)


def log_out(reason: str = "logout") -> None:
    """End the session: forget everything but the language, remember why for the login page."""
    user = current_user()
    if user is not None:
        try:
            accounts().audit.record("session_expired" if reason == "expired" else "logout", user.name, user.name)
        except OSError:
            pass  # logging out must always work
    for key in list(st.session_state.keys()):
        if key != "lang":
            del st.session_state[key]
    st.session_state[_ENDED] = reason


def ended_reason() -> str | None:
    return st.session_state.get(_ENDED)


def idle() -> bool:
    return _idle_in(st.session_state)


def touch() -> None:
    """A user action: the session goes on."""
    if current_user() is not None:
        st.session_state[_LAST] = clock()


def refresh_session() -> User | None:
    """At the start of every full run: end an idle session, follow account changes
    (a disabled account or a changed role takes effect at the next action), then touch."""
    user = current_user()
    if user is None:
        return None
    if idle():
        log_out("expired")
        return None
    account = accounts().get(user.name)
    if account is None or account.disabled:
        log_out("disabled")
        return None
    if account.role != user.role:
        st.session_state[_ROLE] = account.role
        user = User(user.name, account.role)
    touch()
    return user


def end_if_idle() -> None:
    """For self-refreshing fragments: an idle session ends (the app reruns to the login)."""
    if current_user() is not None and idle():
        st.rerun(scope="app")


def gate(page: str) -> User:
    """The logged-in user if the role may open `page`; otherwise the page stops here.

    With no one logged in the page shows nothing at all; with another role it shows
    "no access" and nothing else.
    """
    user = current_user()
    if user is None:
        st.stop()
        raise PermissionError("no one is logged in")  # st.stop() does not stop a bare import
    if not allowed(page, user):
        st.error(t("no_access", current_lang()), icon=":material/block:")
        st.stop()
        raise PermissionError(f"{user.role} may not open {page}")
    return user


def guarded(page: str, build: Callable[[], bytes | str]) -> Callable[[], bytes | str]:
    """A download's data callable that checks the role again when the file is built:
    a session that logged out, went idle or lost the role by then gets no file."""
    session = _session_reader()

    def data() -> bytes | str:
        user, went_idle = session()
        if user is None or went_idle or not allowed(page, user):
            raise PermissionError(f"no access to the downloads of {page}")
        return build()

    return data
