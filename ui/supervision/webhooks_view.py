"""The Administration page's Webhooks tab: register endpoints, see each one's delivery log, send again.

The secret is shown once, right after the endpoint is registered (kept for one rerun in the
session); the data folder keeps it in a file only its owner can read (survey.webhooks.endpoints).
"""

from __future__ import annotations

import time

import streamlit as st

from analysis.tables import admin_tables
from survey.webhooks import EVENTS, EndpointError, Endpoints, delivery
from ui.i18n import TEXT, t
from ui.plain_text import plain_line
from ui.results.result_view import summary_ui
from ui.store import data_dir

_SECRET = "_webhook_secret"  # (endpoint url, secret): shown on the next run only
LOG_SHOWN = 500


def webhooks_ui(lang: str, questionnaires: list[str]) -> None:
    root = data_dir()
    shown = st.session_state.pop(_SECRET, None)
    if shown:
        st.success(t("webhook_added", lang, url=plain_line(shown[0])))
        st.code(shown[1], language=None)
        st.caption(t("webhook_secret_once", lang))
    register_ui(root, lang, questionnaires)
    endpoints = Endpoints(root).list()
    if not endpoints:
        st.info(t("webhook_none", lang))
        return
    st.subheader(t("webhook_log", lang))
    chosen = st.selectbox(t("webhook_endpoint", lang), [e.id for e in endpoints], key="webhook_chosen",
                          format_func=lambda i: next(plain_line(e.url) for e in endpoints if e.id == i))
    endpoint = next(e for e in endpoints if e.id == chosen)
    st.caption(t("webhook_about", lang, events=", ".join(endpoint.events),
                 questionnaire=endpoint.questionnaire or t("filter_all", lang)))
    log = delivery.deliveries(root, endpoint.id)[:LOG_SHOWN]
    statuses = {s: TEXT[f"webhook_status_{s}"] for s in ("pending", "delivered", "failed")}
    summary_ui(admin_tables.deliveries_table(log, statuses), "webhook_log", "admin", lang, title=False,
               table_key="webhook_log_table")
    if log:
        again = st.selectbox(t("webhook_col_event", lang), [s["event"] for s in log], key="webhook_again_event")
        if st.button(t("webhook_send_again", lang), key="webhook_send_again"):
            delivery.send_again(root, endpoint.id, again, time.time())
            st.success(t("webhook_queued", lang))
    if st.button(t("webhook_remove", lang), key="webhook_remove"):
        delivery.remove_endpoint(root, endpoint.id)
        st.rerun()


def register_ui(root, lang: str, questionnaires: list[str]) -> None:
    with st.form("webhook_form", clear_on_submit=False):
        st.subheader(t("webhook_new", lang))
        url = st.text_input(t("webhook_url", lang), key="webhook_url", max_chars=2000, help=t("webhook_url_help", lang))
        events = st.multiselect(t("webhook_events", lang), EVENTS, default=list(EVENTS[:3]), key="webhook_events",
                                placeholder=t("choose_many", lang))
        questionnaire = st.selectbox(t("webhook_questionnaire", lang), ["", *questionnaires], key="webhook_questionnaire",
                                     format_func=lambda q: q or t("filter_all", lang))
        record = st.checkbox(t("webhook_include_record", lang), key="webhook_include_record")
        pressed = st.form_submit_button(t("webhook_add", lang), key="webhook_add", type="primary")
    if pressed:
        try:
            endpoint = Endpoints(root).add(url, events, questionnaire or None, record)
        except EndpointError:
            st.error(t("webhook_bad", lang))
            return
        st.session_state[_SECRET] = (endpoint.url, endpoint.secret)
        st.rerun()
