"""Administration: accounts (create, role, password, disable), the audit log, the data store,
which questionnaires ODK Collect may send without an account, and webhooks.

Every change goes through survey.fieldwork.accounts, which checks it (user names, password
length, never removing the last administrator) and records it in the audit log.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from analysis.tables import admin_tables
from survey import InstrumentError
from survey.fieldwork.accounts import MIN_PASSWORD, ROLES, Account, AccountError
from survey.fieldwork.audit_log import ACTIONS, AuditLog
from survey.locale import LANGUAGES, MISSING, WIB, wib_datetime
from survey.odk.settings import anonymous_forms, set_anonymous
from ui import auth
from ui.api_tokens import all_tokens_ui
from ui.i18n import TEXT, current_lang, t
from ui.login import account_error
from ui.pages import registry
from ui.plain_text import plain_line
from ui.results.result_view import summary_ui
from ui.store import data_dir, get_store
from ui.supervision.audit_view import audit_csv, audit_frame
from ui.supervision.webhooks_view import webhooks_ui

PAGE = "admin"
AUDIT_SHOWN = 2000  # newest entries shown on screen; the download has them all


def _states(account: Account, now: float) -> dict:
    """An account's state in both languages (a table's files are written in either)."""
    return {lang: _state(account, lang, now) for lang in LANGUAGES}


def _state(account: Account, lang: str, now: float) -> str:
    if account.disabled:
        return t("state_disabled", lang)
    if account.locked_until and account.locked_until > now:
        until = wib_datetime(dt.datetime.fromtimestamp(account.locked_until, WIB), lang)
        return t("state_locked", lang, until=until)
    return t("state_active", lang)


_FLASH = "_admin_flash"
_CREATE_PROBLEM = "_admin_create_problem"


def accounts_ui(user: auth.User, lang: str) -> None:
    if _FLASH in st.session_state:
        st.success(st.session_state.pop(_FLASH))
    accounts = auth.accounts()
    listed = accounts.list()
    now = auth.clock()
    table = admin_tables.accounts_table(listed, [_states(a, now) for a in listed],
                                        {r: TEXT[f"role_{r}"] for r in ROLES})
    summary_ui(table, "accounts", PAGE, lang, title=False, table_key="accounts_table")
    left, right = st.columns(2)
    with left:
        create_ui(user, lang)
    with right:
        manage_ui(user, [a.name for a in listed], lang)


def create_ui(user: auth.User, lang: str) -> None:
    st.subheader(t("account_new", lang))
    # Kept on a mistake (so it can be fixed), emptied once the account exists (by _create).
    with st.form("create_user_form", clear_on_submit=False):
        st.text_input(t("username", lang), key="new_user", help=t("username_help", lang))
        st.selectbox(t("role", lang), ROLES, key="new_role", format_func=lambda r: t(f"role_{r}", lang))
        st.text_input(t("password", lang), key="new_password", type="password",
                      help=t("password_help", lang, min=MIN_PASSWORD))
        st.text_input(t("password_again", lang), key="new_password2", type="password")
        st.form_submit_button(t("account_create", lang), key="create_user", type="primary",
                              on_click=_create, args=(user, lang))
    problem = st.session_state.pop(_CREATE_PROBLEM, None)
    if problem:
        st.error(problem)


def _create(user: auth.User, lang: str) -> None:
    """The create button: the account, then an empty form; a mistake keeps what was typed."""
    state = st.session_state
    if state.get("new_password") != state.get("new_password2"):
        state[_CREATE_PROBLEM] = t("account_mismatch", lang)
        return
    try:
        account = auth.accounts().add(state.get("new_user") or "", state.get("new_role"),
                                      state.get("new_password") or "", by=user.name)
    except AccountError as exc:
        state[_CREATE_PROBLEM] = account_error(exc, lang)
        return
    state[_FLASH] = t("account_created", lang, name=plain_line(account.name), role=t(f"role_{account.role}", lang))
    for key in ("new_user", "new_password", "new_password2"):
        state[key] = ""


def manage_ui(user: auth.User, names: list[str], lang: str) -> None:
    st.subheader(t("account_manage", lang))
    name = st.selectbox(t("username", lang), names, key="manage_user")
    account = auth.accounts().get(name) if name else None
    if account is None:
        return
    role = st.selectbox(t("role", lang), ROLES, index=ROLES.index(account.role), key="manage_role",
                        format_func=lambda r: t(f"role_{r}", lang))
    if st.button(t("account_set_role", lang), key="change_role"):
        _apply(lambda: auth.accounts().set_role(name, role, by=user.name), lang)
    with st.form("password_form", clear_on_submit=True):
        password = st.text_input(t("password_new", lang), key="reset_password", type="password",
                                 help=t("password_help", lang, min=MIN_PASSWORD))
        again = st.text_input(t("password_again", lang), key="reset_password2", type="password")
        pressed = st.form_submit_button(t("account_set_password", lang), key="set_password")
    if pressed:
        if password != again:
            st.error(t("account_mismatch", lang))
        else:
            _apply(lambda: auth.accounts().set_password(name, password, by=user.name), lang)
    label = "account_enable" if account.disabled else "account_disable"
    if st.button(t(label, lang), key="toggle_user", disabled=name == user.name and not account.disabled):
        _apply(lambda: auth.accounts().set_disabled(name, not account.disabled, by=user.name), lang)


def _apply(change, lang: str) -> None:
    try:
        change()
    except AccountError as exc:
        st.error(account_error(exc, lang))
        return
    st.session_state[_FLASH] = t("account_saved", lang)
    st.rerun()


def audit_ui(lang: str) -> None:
    log = AuditLog(data_dir())
    frame = audit_frame(log.entries())
    a, b, c = st.columns(3)
    users = a.multiselect(t("audit_user", lang), sorted(frame["user"].dropna().astype(str).unique()),
                          key="audit_users", placeholder=t("filter_all", lang))
    actions = b.multiselect(t("audit_action", lang), sorted(set(ACTIONS) | set(frame["action"].astype(str))),
                            key="audit_actions", placeholder=t("filter_all", lang))
    text = c.text_input(t("audit_search", lang), key="audit_search", max_chars=100)
    shown = frame
    if users:
        shown = shown[shown["user"].astype(str).isin(users)]
    if actions:
        shown = shown[shown["action"].isin(actions)]
    if text.strip():
        needle = text.strip().lower()
        hay = shown[["user", "object", "detail", "outcome"]].astype(str).agg(" ".join, axis=1).str.lower()
        shown = shown[hay.str.contains(needle, regex=False)]
    st.caption(t("audit_count", lang, shown=min(len(shown), AUDIT_SHOWN), total=len(frame)))
    summary_ui(admin_tables.audit_table(shown.head(AUDIT_SHOWN)), "audit", PAGE, lang, title=False,
               table_key="audit_table")
    st.download_button(t("download_csv", lang), auth.guarded("admin", lambda: audit_csv(shown)),
                       file_name="audit_log.csv", mime="text/csv", key="audit_download", on_click="ignore")



def store_ui(lang: str) -> None:
    """Rows per table, files set aside in quarantine, and the questionnaire versions kept."""
    store = get_store()
    quarantined = store.quarantine_counts()
    counts = [(name, store.count(name), quarantined.get(name, 0)) for name in store.tables()]
    summary_ui(admin_tables.store_table(counts), "store", PAGE, lang, title=False, table_key="store_table")
    if any(quarantined.values()):
        st.warning(t("store_quarantine_note", lang, n=sum(quarantined.values())), icon=":material/inventory_2:")
    versions = []
    for instrument_id in store.instrument_ids():
        try:
            current = store.instrument(instrument_id)
            problem = ""
        except InstrumentError as exc:
            current, problem = None, str(exc)
        versions.append((instrument_id, str(current.version) if current else MISSING,
                         ", ".join(map(str, store.instrument_versions(instrument_id))) or MISSING, problem))
    summary_ui(admin_tables.versions_table(versions), "versions", PAGE, lang, title=False, table_key="versions_table")


_ODK_FLASH = "_admin_odk_flash"


def odk_ui(lang: str) -> None:
    """One switch per questionnaire: anonymous submission from ODK Collect (off until turned on)."""
    flash = st.session_state.pop(_ODK_FLASH, None)
    if flash:
        (st.success if flash[0] else st.error)(flash[1])
    st.caption(t("odk_anonymous_help", lang))
    store, root = get_store(), data_dir()
    on = anonymous_forms(root)
    for instrument_id in store.instrument_ids():
        try:
            title = store.instrument(instrument_id).title[lang]
        except (InstrumentError, KeyError):
            title = instrument_id
        key = f"odk_anonymous_{instrument_id}"
        st.session_state[key] = instrument_id in on  # the file decides (another admin may have changed it)
        st.toggle(t("odk_anonymous_toggle", lang, title=plain_line(title), id=instrument_id), key=key,
                  on_change=_set_anonymous, args=(instrument_id, lang))


def _set_anonymous(instrument_id: str, lang: str) -> None:
    user = auth.current_user()
    if not auth.allowed("admin", user):  # the session ended or lost the role since the page was drawn
        return
    wanted = bool(st.session_state.get(f"odk_anonymous_{instrument_id}"))
    try:
        set_anonymous(data_dir(), instrument_id, wanted, by=user.name)
    except (OSError, ValueError) as exc:
        st.session_state[_ODK_FLASH] = (False, t("odk_anonymous_failed", lang, error=plain_line(str(exc))))
        return
    done = "odk_anonymous_now_on" if wanted else "odk_anonymous_now_off"
    st.session_state[_ODK_FLASH] = (True, t(done, lang, id=instrument_id))


def page() -> None:
    user = auth.gate("admin")
    lang = current_lang()
    st.header(registry.title("admin", lang))
    accounts_tab, audit_tab, store_tab, odk_tab, hooks_tab = st.tabs(
        [t("tab_accounts", lang), t("tab_audit", lang), t("tab_store", lang), t("tab_odk", lang),
         t("tab_webhooks", lang)])
    with accounts_tab:
        accounts_ui(user, lang)
        all_tokens_ui(user, lang)
    with audit_tab:
        audit_ui(lang)
    with store_tab:
        store_ui(lang)
    with odk_tab:
        odk_ui(lang)
    with hooks_tab:
        webhooks_ui(lang, get_store().instrument_ids())


page()
