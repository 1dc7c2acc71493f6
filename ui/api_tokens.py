"""Personal API tokens on the pages: an account's own (Export page) and everyone's (Administration).

A token is shown once, on the run that created it (it is stored only as a hash); listing and
revoking show its label, its id and when it was made. Changes go through
survey.fieldwork.api_tokens, which records them in the audit log.
"""

from __future__ import annotations

import streamlit as st

from analysis.tables import admin_tables
from survey.fieldwork.accounts import AccountError
from survey.fieldwork.api_tokens import TOKEN_ROLES, ApiTokens
from ui import auth
from ui.i18n import t
from ui.login import account_error
from ui.plain_text import plain_line
from ui.results.result_view import summary_ui
from ui.store import data_dir

_NEW = "_api_token_new"  # the token just made: shown on the next run only
_PROBLEM = "_api_token_problem"


def _tokens() -> ApiTokens:
    return ApiTokens(data_dir())


def _table(tokens, lang: str, owner: bool) -> None:
    """The tokens (analysis.tables.admin_tables.tokens_table): a table's cells are text, never Markdown."""
    key, page = ("api_tokens_all", "admin") if owner else ("api_tokens_mine", "export")
    summary_ui(admin_tables.tokens_table(tokens, owner), key, page, lang, title=False)


def _create(user: auth.User, lang: str) -> None:
    try:
        st.session_state[_NEW] = _tokens().create(user.name, st.session_state.get("api_token_label") or "",
                                                  by=user.name)
        st.session_state["api_token_label"] = ""
    except AccountError as exc:
        st.session_state[_PROBLEM] = account_error(exc, lang)


def _revoke(change, lang: str) -> None:
    try:
        change()
    except AccountError as exc:  # a damaged tokens file: said, not written over
        st.error(account_error(exc, lang))
        return
    st.rerun()


def own_tokens_ui(user: auth.User, lang: str) -> None:
    """Create, list and revoke the logged-in account's tokens (supervisors and admins)."""
    st.subheader(t("api_tokens", lang))
    st.caption(t("api_tokens_intro", lang))
    if user.role not in TOKEN_ROLES:
        return
    st.text_input(t("api_token_label", lang), key="api_token_label", max_chars=60)
    st.button(t("api_token_create", lang), key="api_token_create", on_click=_create, args=(user, lang))
    new = st.session_state.pop(_NEW, None)
    if new:
        st.success(t("api_token_shown_once", lang), icon=":material/key:")
        st.code(new, language=None)
    problem = st.session_state.pop(_PROBLEM, None)
    if problem:
        st.error(problem)
    mine = _tokens().list(user.name)
    if not mine:
        st.caption(t("api_tokens_none", lang))
        return
    _table(mine, lang, owner=False)
    pick = st.selectbox(t("api_token_pick", lang), [x.id for x in mine], key="api_token_pick",
                        format_func=lambda i: next(f"{plain_line(x.label) or '–'} ({i})" for x in mine if x.id == i))
    if st.button(t("api_token_revoke", lang), key="api_token_revoke") and pick:
        _revoke(lambda: _tokens().revoke(pick, by=user.name, account=user.name), lang)


def all_tokens_ui(user: auth.User, lang: str) -> None:
    """Every account's tokens, any of which an admin may revoke."""
    st.subheader(t("api_tokens_all", lang))
    everyone = _tokens().list()
    if not everyone:
        st.caption(t("api_tokens_none", lang))
        return
    _table(everyone, lang, owner=True)
    pick = st.selectbox(t("api_token_pick", lang), [x.id for x in everyone], key="api_token_admin_pick",
                        format_func=lambda i: next(f"{plain_line(x.account)}: {plain_line(x.label) or '–'} ({i})"
                                                   for x in everyone if x.id == i))
    if st.button(t("api_token_revoke", lang), key="api_token_admin_revoke") and pick:
        _revoke(lambda: _tokens().revoke(pick, by=user.name), lang)
