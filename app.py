"""The survey app: navigation between the pages in ui/."""

import streamlit as st

from ui.i18n import t

lang = st.session_state.get("lang", "en")
st.set_page_config(page_title=t("app_title", lang), page_icon="📋", layout="centered")
pages = [
    st.Page("ui/entry.py", title=t("entry_page", lang), icon=":material/edit_note:", url_path="entry", default=True),
]
st.navigation(pages).run()
