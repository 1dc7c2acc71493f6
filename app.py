"""The survey app: log in, then the pages of the logged-in user's role.

The same port serves the OpenRosa server for ODK Collect under /odk/ (api/odk.py).

The pages are the rows of ui/pages/registry.py (module, roles, icon, title), in its
order: the navigation holds those of the logged-in user's role. Before login it holds
only the first-run set-up (while no account exists) or the login page, so no other
page can be reached by URL. An error inside a page is logged here and shown as a
short message: a visitor never sees a traceback or a server path.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from api.data import ROUTES as DATA_ROUTES
from api.estimates import ROUTES as ESTIMATE_ROUTES
from api.odata import ROUTES as ODATA_ROUTES
from api.odk import ROUTES as ODK_ROUTES
from api.odk import lifespan as odk_lifespan
from survey.fieldwork.accounts import ACCOUNTS_DIR, RESTORE_COMMAND, USERS_FILE, AccountsDamaged
from survey.locale import LANGUAGE_NAMES, LANGUAGES

# ui.results.data_cache is imported with the login page, so an analysis page's first visit does not wait
# for pandas, scipy and altair to load (about 2 s on a fresh server).
from ui import auth, connection, login, page_style  # noqa: F401
from ui.i18n import current_lang, t
from ui.pages import registry
from ui.plain_text import plain_line

PAGES_DIR = Path(__file__).resolve().parent / "ui" / "pages"
log = logging.getLogger("survey.app")


def restore_lang() -> None:
    """A new session (a reload, a server restart) takes the language from the address."""
    if "lang" not in st.session_state and st.query_params.get("lang") in LANGUAGES:
        st.session_state["lang"] = st.query_params["lang"]


def language_ui() -> str:
    """The language toggle, drawn on every page (so its choice is never dropped); the choice
    also rides in the address (?lang=id), so that a reload opens the login in that language."""
    _, right = st.columns([3, 2])
    lang = right.radio("Language / Bahasa", list(LANGUAGE_NAMES), key="lang", format_func=LANGUAGE_NAMES.get,
                       horizontal=True, label_visibility="collapsed")
    wanted = None if lang == "en" else lang   # English, the default, needs no parameter (nor a history entry)
    if st.query_params.get("lang") != wanted:
        if wanted is None:
            del st.query_params["lang"]
        else:
            st.query_params["lang"] = wanted
    return lang


def sidebar_ui(user: auth.User, lang: str) -> None:
    with st.sidebar:
        st.caption(t("logged_in_as", lang, name=plain_line(user.name), role=t(f"role_{user.role}", lang)))
        if st.button(t("logout", lang, name=plain_line(user.name)), key="logout", icon=":material/logout:"):
            auth.log_out()
            st.rerun()


def navigation(user: auth.User | None, lang: str):
    if user is None:
        first_run = not auth.accounts().exist()
        view = login.setup_page if first_run else login.login_page
        title = t("setup_title" if first_run else "login_title", lang)
        # Every page's address shows the login too (a reload of /entry asks to log in,
        # then opens the entry page), never a page of the app.
        addresses = [st.Page(view, title=title, url_path=name, visibility="hidden") for name in registry.names()]
        return st.navigation([st.Page(view, title=title, url_path="setup" if first_run else "login", default=True),
                              *addresses], position="hidden")
    pages = [
        st.Page(str(PAGES_DIR / f"{page.name}.py"), title=registry.title(page.name, lang), icon=page.icon,
                url_path=page.name, default=user.role in page.home_of)
        for page in registry.PAGES if auth.allowed(page.name, user)
    ]
    if not pages:
        pages = [st.Page(lambda: st.info(t("no_pages", lang)), title=t("app_title", lang), url_path="home")]
    return st.navigation(pages)


def accounts_damaged_ui(exc: AccountsDamaged, lang: str) -> None:
    """The app stops: with a damaged accounts file nobody may log in, nor create an administrator."""
    log.error("%s", exc)
    st.error(t("accounts_damaged", lang, file=f"{ACCOUNTS_DIR}/{USERS_FILE}"), icon=":material/error:")
    st.code(RESTORE_COMMAND, language="bash")
    st.stop()


def main() -> None:
    restore_lang()
    st.set_page_config(page_title=t("app_title", current_lang()), page_icon="📋", layout="wide")
    page_style.style()
    lang = language_ui()
    try:
        user = auth.refresh_session()
        current = navigation(user, lang)
    except AccountsDamaged as exc:
        accounts_damaged_ui(exc, lang)
        return
    if user is not None:
        sidebar_ui(user, lang)
        login.unrecorded_ui(lang)
    # one message when the server is gone, ours, in the user's language (Streamlit's English one hidden)
    connection.watch(t("offline" if current.url_path == "entry" else "offline_page", lang))
    try:
        current.run()
    except Exception:  # script control (st.stop, st.rerun) is not an Exception and passes
        log.exception("page %s failed", current.url_path)
        st.error(t("page_failed", lang), icon=":material/error:")


# `streamlit run app.py` serves this App: the pages and, beside them, the OpenRosa routes under /odk/
# and the data API under /api/v1/ and /odata/v4/. The page code runs only inside a Streamlit run, so
# that importing this file (st.App's discovery) draws nothing, while AppTest.from_file("app.py") still
# renders the pages.
app = st.App(__file__, routes=[*ODK_ROUTES, *DATA_ROUTES, *ESTIMATE_ROUTES, *ODATA_ROUTES], lifespan=odk_lifespan)

if st.runtime.exists():
    main()
