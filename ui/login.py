"""The two pages a visitor can see before logging in: the first-run set-up and the login.

The first-run page shows while the data folder has no account at all; creating the
administrator there is refused once any account exists (another visitor, or the
command line, may have made one meanwhile). Messages never say whether a user name
exists: an unknown name and a wrong password get the same answer.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from survey.fieldwork.accounts import MIN_PASSWORD, AccountError
from survey.locale import WIB, wib_time
from ui import auth
from ui.i18n import current_lang, t
from ui.plain_text import plain_line

_UNRECORDED = "_login_unrecorded"


def account_error(exc: AccountError, lang: str) -> str:
    """An AccountError in the user's language."""
    key = f"account_{exc.code}"
    return t(key, lang, min=MIN_PASSWORD) if key in _KNOWN_CODES else str(exc)


_KNOWN_CODES = {f"account_{code}" for code in (
    "username", "password_short", "password_long", "password_chars", "password_name", "exists",
    "role", "unknown", "last_admin", "mismatch", "simulated")}


def _local_time(epoch: float, lang: str) -> str:
    return wib_time(dt.datetime.fromtimestamp(epoch, WIB), lang)


def setup_page() -> None:
    lang = current_lang()
    st.header(t("setup_title", lang))
    st.write(t("setup_intro", lang))
    with st.form("setup_form"):
        name = st.text_input(t("username", lang), key="setup_user", help=t("username_help", lang))
        password = st.text_input(t("password", lang), key="setup_password", type="password",
                                 help=t("password_help", lang, min=MIN_PASSWORD))
        again = st.text_input(t("password_again", lang), key="setup_password2", type="password")
        pressed = st.form_submit_button(t("setup_button", lang), key="setup", type="primary")
    if not pressed:
        return
    if password != again:
        st.error(t("account_mismatch", lang))
        return
    try:
        account = auth.accounts().add(name, "admin", password, only_if_none=True)
    except AccountError as exc:
        st.error(account_error(exc, lang))
        return
    st.session_state["_auth_created"] = account.name
    st.rerun()


def login_page() -> None:
    lang = current_lang()
    st.header(t("login_title", lang))
    reason = auth.ended_reason()
    if reason in ("expired", "disabled"):
        st.info(t(f"session_{reason}", lang))
    if st.session_state.get("_auth_created"):
        st.success(t("setup_done", lang, name=plain_line(st.session_state["_auth_created"])))
    with st.form("login_form"):
        name = st.text_input(t("username", lang), key="login_user")
        password = st.text_input(t("password", lang), key="login_password", type="password")
        pressed = st.form_submit_button(t("login_button", lang), key="login", type="primary")
    if not pressed:
        return
    result = auth.accounts().login(name, password)
    if result.ok:
        auth.log_in(result.account.name, result.account.role)
        st.session_state[_UNRECORDED] = result.unrecorded
        st.rerun()
    elif result.outcome == "locked":
        st.error(t("login_locked", lang, until=_local_time(result.locked_until, lang), minutes=15),
                 icon=":material/lock_clock:")
    elif result.outcome == "disabled":
        st.error(t("login_disabled", lang))
    else:
        st.error(t("login_wrong", lang))
    if result.unrecorded:
        st.warning(t("login_unrecorded", lang), icon=":material/storage:")


def unrecorded_ui(lang: str) -> None:
    """Once, on the first page after a login the full disk kept out of the audit log."""
    if st.session_state.pop(_UNRECORDED, False):
        st.warning(t("login_unrecorded", lang), icon=":material/storage:")
