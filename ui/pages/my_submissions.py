"""My submissions: the logged-in enumerator's interviews of today and the last 7 days.

Only the logged-in user's own rows are read out of the store, newest first by the
full time of submission (WIB), with their review status and the reviewer's comment.
An interview no supervisor has reviewed yet can be reopened for a correction.
"""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import streamlit as st

from survey import load_instrument
from survey.validate import SURVEY_TIMEZONE
from ui import auth
from ui.correct import CORRECTABLE, open_correction
from ui.i18n import current_lang, t
from ui.store import get_store
from ui.submissions import DAYS, my_submissions

log = logging.getLogger(__name__)


def table_ui(rows: pd.DataFrame, lang: str) -> None:
    titles = {name: load_instrument(name).title[lang] for name in rows["instrument"].unique()}
    st.dataframe(
        pd.DataFrame({
            t("col_time", lang): rows["submitted_at"].dt.strftime("%Y-%m-%d %H:%M"),
            t("col_instrument", lang): rows["instrument"].map(titles),
            t("col_response", lang): rows["response_id"],
            t("col_revision", lang): rows["revision"],
            t("col_status", lang): rows["status"].map(lambda s: t(f"status_{s}", lang)),
            t("col_note", lang): rows["note"].fillna(""),
        }),
        hide_index=True, width="stretch", key="my_submissions_table",
    )


def correction_ui(rows: pd.DataFrame, user: auth.User, lang: str) -> None:
    open_ones = rows[rows["status"].isin(CORRECTABLE)]
    st.subheader(t("correct_title", lang))
    if open_ones.empty:
        st.caption(t("correct_none", lang))
        return
    labels = {
        f"{r.instrument}/{r.response_id}": f"{r.submitted_at:%d-%m %H:%M} · {load_instrument(r.instrument).title[lang]}"
                                           f" · {r.response_id[:8]}"
        for r in open_ones.itertuples()
    }
    chosen = st.selectbox(t("correct_choose", lang), list(labels), format_func=labels.get, key="correct_choice")
    if st.button(t("correct_open", lang), key="correct_open", icon=":material/edit:"):
        instrument, rid = chosen.split("/", 1)
        if not open_correction(get_store(), user, instrument, rid):
            st.error(t("correct_closed", lang))


def page() -> None:
    user = auth.gate("my_submissions")
    lang = current_lang()
    st.header(t("page_my_submissions", lang))
    today = dt.datetime.now(SURVEY_TIMEZONE).date()
    try:
        rows = my_submissions(get_store(), user.name, today)
    except Exception:  # a read problem must not take the page down; the log says why
        log.exception("listing %s's submissions failed", user.name)
        st.warning(t("today_failed", lang))
        return
    left, right = st.columns(2)
    left.metric(t("count_today", lang), int((rows["submitted_at"].dt.date == today).sum()))
    right.metric(t("count_week", lang, days=DAYS), len(rows))
    if rows.empty:
        st.caption(t("today_none", lang))
        return
    table_ui(rows, lang)
    correction_ui(rows, user, lang)


page()
