"""Website traffic (supervisors and admins; admins also import): the city's own web server logs as the study's
table, "visitors per month, visitors by country, the most visited hosts", the device classes month by month
(the study's "from electronic to mobile government"), and the most downloaded documents.

The numbers are ``survey.traffic``'s (imported and counted there), the tables ``analysis.indicators.traffic``'s
with their definitions and caveats; a period and a host narrow them. The privacy statement stands at the top:
no raw IP address is ever stored. An admin uploads a log (``survey.traffic.import_bytes``, in the audit log) and
sees what each import added (``import_history``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from analysis import charts
from analysis.indicators import traffic as indicators
from analysis.tables import admin_tables
from survey import locale as formatting
from survey import traffic
from ui import auth, uploader
from ui.i18n import current_lang, t
from ui.pages import registry
from ui.plain_text import plain_line
from ui.results import data_cache as data
from ui.results.downloads import table_downloads
from ui.results.result_view import chart_ui, summary_ui, table_ui
from ui.store import data_dir, get_store

PAGE = "traffic"
FORMATS = (None, "combined", "vhost_combined", "json", "matomo", "ga4")
_OUTCOME = f"_{PAGE}_outcome"


def _state(history: pd.DataFrame) -> tuple:
    """What the stored traffic is now: every import that stored anything is a row of the history."""
    if history.empty:
        return ()
    return len(history), str(history["at"].iloc[-1]), int(history["added"].sum())


def _compute(store, start: dt.date | None, end: dt.date | None, host: str | None, state: tuple) -> dict:
    return indicators.traffic_tables(store.root, start, end, host)


def _tables(root: str, start: dt.date | None, end: dt.date | None, host: str | None, state: tuple) -> dict:
    """The tables, cached on the traffic's state (and by data_cache on population.csv's: the population share)."""
    return data.cached("traffic", _compute, start, end, host, state)


def filters_ui(overall: dict, lang: str) -> tuple[dt.date, dt.date, str | None]:
    """The period (within the data's days) and the host."""
    first, last = overall["summary"].stats["period"]
    state, key = st.session_state, f"{PAGE}_period"
    if state.get(f"_{key}_range") != (first, last):   # new data: an untouched period follows the data's days
        if state.get(key) in (None, state.get(f"_{key}_range")) or not _within(state.get(key), first, last):
            state[key] = (first, last)
        state[f"_{key}_range"] = (first, last)
    left, right = st.columns([3, 2])
    picked = left.date_input(t("traffic_period", lang), min_value=first, max_value=last, key=key,
                             format="DD/MM/YYYY")
    start, end = (tuple(picked) + (last,))[:2] if isinstance(picked, (tuple, list)) and picked else (first, last)
    hosts = [None, *overall["by_host"].data["host"]]
    host = right.selectbox(t("traffic_host", lang), hosts, key=f"{PAGE}_host",
                           format_func=lambda h: t("traffic_all_hosts", lang) if h is None else h)
    return start, end, host


def _within(period, first: dt.date, last: dt.date) -> bool:
    return isinstance(period, (tuple, list)) and all(first <= day <= last for day in period)


def metrics_ui(tables: dict, lang: str) -> None:
    summary = tables["summary"]
    measures = dict(zip(summary.data["measure"], summary.data["value"]))
    persons = summary.stats["persons"]
    help_text = t("traffic_visitors_help", lang, share=formatting.percent(measures["visitors_population"], lang),
                  persons=formatting.number(persons, lang, 0)) if persons else t("traffic_visitors_help_plain", lang)
    columns = st.columns(4)
    columns[0].metric(t("traffic_pageviews", lang), formatting.number(measures["pageviews"], lang, 0))
    columns[1].metric(t("traffic_visits", lang), formatting.number(measures["visits"], lang, 0))
    columns[2].metric(t("traffic_visitors_month", lang), formatting.number(measures["visitors_month_mean"], lang, 0),
                      help=help_text)
    columns[3].metric(t("traffic_bot_requests", lang), formatting.number(measures["bot_requests"], lang, 0))


def _shown(table, key: str, lang: str, chart=None) -> None:
    chart_ui(chart, f"{PAGE}_{key}")
    table_ui(table, f"{PAGE}_{key}", lang)
    table_downloads(table, PAGE, f"{PAGE}_{key}", lang)


def results_ui(tables: dict, lang: str) -> None:
    metrics_ui(tables, lang)
    st.subheader(t("traffic_study_title", lang))
    _shown(tables["by_month"], "by_month", lang, charts.visitors_chart(tables["by_month"], lang))
    _shown(tables["by_country"], "by_country", lang, charts.traffic_shares_chart(tables["by_country"], "country", lang))
    _shown(tables["by_host"], "by_host", lang, charts.traffic_shares_chart(tables["by_host"], "host", lang))
    st.subheader(t("traffic_mobile_title", lang))
    _shown(tables["by_device"], "by_device", lang, charts.device_chart(tables["by_device"], lang))
    st.subheader(t("traffic_documents_title", lang))
    _shown(tables["top_documents"], "top_documents", lang)
    st.subheader(t("traffic_summary_title", lang))
    _shown(tables["summary"], "summary", lang)


# ---- the admin's import ----------------------------------------------------------------------------------
def import_file(user: auth.User) -> None:
    """Import button handler: the uploaded file through survey.traffic (a refused file changes nothing)."""
    state = st.session_state
    state.pop(_OUTCOME, None)
    if not auth.allowed(PAGE, user) or user.role != "admin":
        return
    uploaded = state.get(f"{PAGE}_file")
    if uploaded is None:
        state[_OUTCOME] = {"none": True}
        return
    host = (state.get(f"{PAGE}_host_name") or "").strip() or None
    try:
        result = traffic.import_bytes(Path(data_dir()), uploaded.name, uploaded.getvalue(),
                                      format=state.get(f"{PAGE}_format"), host=host, user=user.name)
    except OSError as exc:   # a full disk, a folder it may not write: importing the file again adds only the rest
        state[_OUTCOME] = {"failed": str(exc.strerror or exc)}
        return
    store = get_store()
    if store.audit is not None:
        store.audit.record("traffic_import", user.name, uploaded.name, "refused" if result.refused else "ok",
                           format=result.format, added=result.added, present=result.present, bad=result.bad)
    state[_OUTCOME] = {"file": uploaded.name, "format": result.format or "–", "added": result.added,
                       "present": result.present, "bad": result.bad, "refused": result.refused,
                       "examples": [(line, reason, text) for _, line, reason, text in result.bad_examples]}


def outcome_ui(lang: str) -> None:
    outcome = st.session_state.get(_OUTCOME)
    if outcome is None:
        return
    if outcome.get("none"):
        st.warning(t("traffic_choose_file", lang), icon=":material/upload_file:")
        return
    if outcome.get("failed"):
        st.error(t("traffic_failed", lang, error=plain_line(outcome["failed"])), icon=":material/error:")
        return
    name = plain_line(outcome["file"])   # a file name is the uploader's text, not markdown
    if outcome["refused"]:
        st.error(t("traffic_refused", lang, file=name), icon=":material/error:")
        st.caption(plain_line(outcome["refused"]))
        return
    numbers = {k: formatting.number(outcome[k], lang, 0) for k in ("added", "present", "bad")}
    st.success(t("traffic_imported", lang, file=name, format=outcome["format"], **numbers),
               icon=":material/check_circle:")
    if outcome["examples"]:
        st.caption(t("traffic_bad_examples", lang))
        table_ui(admin_tables.bad_lines_table(outcome["examples"]), f"{PAGE}_bad_examples", lang, title=False,
                 table_key=f"{PAGE}_bad_examples")


def history_ui(history: pd.DataFrame, lang: str) -> None:
    st.markdown(f"**{t('traffic_history_title', lang)}**")
    if history.empty:
        st.caption(t("traffic_history_none", lang))
        return
    # newest first, as the audit log; its downloads under it (this part of the page does not refresh itself)
    summary_ui(admin_tables.import_history_table(history), f"{PAGE}_history", PAGE, lang, title=False,
               table_key=f"{PAGE}_history")


def import_ui(user: auth.User, history: pd.DataFrame, lang: str) -> None:
    st.divider()
    st.subheader(t("traffic_import_title", lang))
    st.caption(t("traffic_import_about", lang))
    uploader.style(lang)
    st.file_uploader(t("traffic_file", lang), key=f"{PAGE}_file")
    left, right = st.columns(2)
    left.selectbox(t("traffic_format", lang), FORMATS, key=f"{PAGE}_format",
                   format_func=lambda f: t("traffic_format_auto", lang) if f is None else f)
    right.text_input(t("traffic_host_name", lang), key=f"{PAGE}_host_name", max_chars=253)
    st.button(t("traffic_import", lang), key=f"{PAGE}_import", on_click=import_file, args=(user,),
              icon=":material/upload:")
    outcome_ui(lang)
    history_ui(history, lang)


def page() -> None:
    user = auth.gate(PAGE)
    lang = current_lang()
    st.header(registry.title(PAGE, lang))
    st.info(t("traffic_privacy", lang), icon=":material/shield_lock:")
    root = str(data_dir())
    history = traffic.import_history(Path(root))
    state = _state(history)
    with st.spinner(t("computing", lang)):
        overall = _tables(root, None, None, None, state)
    if overall["summary"].stats["period"] is None:
        st.info(t("traffic_none" if user.role == "admin" else "traffic_none_ask_admin", lang), icon=":material/info:")
    else:
        start, end, host = filters_ui(overall, lang)
        first, last = overall["summary"].stats["period"]
        with st.spinner(t("computing", lang)):   # the whole period is the overall tables' key: computed once
            tables = _tables(root, None if start == first else start, None if end == last else end, host, state)
        if tables["summary"].stats["period"] is None:
            st.info(t("traffic_empty_period", lang), icon=":material/filter_alt_off:")
        else:
            results_ui(tables, lang)
    if user.role == "admin":
        import_ui(user, history, lang)


page()
