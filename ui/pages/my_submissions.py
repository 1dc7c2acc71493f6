"""My submissions: the logged-in enumerator's interviews of today and the last 7 days.

Only the logged-in user's own rows are read out of the store, newest first by the
full time of submission (WIB), with their review status and the reviewer's comment.
Interviews a supervisor sent back (rejected) are listed on top with the comment,
whenever they were submitted. An interview no supervisor has reviewed yet, or one
sent back, can be reopened for a correction; saved, it goes back to the review. Each is
named by its identifying answers (the respondent's name, the address: the questionnaire's
``fieldwork: identify``) and its short ID first, which is what stays in view on a phone.
"""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import streamlit as st

from analysis.tables import fieldwork_tables
from survey import load_instrument
from survey.locale import LANGUAGES, WIB, wib_datetime
from survey.questionnaire.schema import STATUSES
from ui import auth
from ui.entry.correct import CORRECTABLE, open_correction
from ui.entry.submissions import DAYS, SHORT_ID, identity_text, my_submissions, sent_back
from ui.i18n import TEXT, current_lang, t
from ui.pages import registry
from ui.plain_text import plain_line
from ui.results.result_view import summary_ui
from ui.store import get_store

log = logging.getLogger(__name__)


def _title(instrument_id: str, lang: str) -> str:
    """The questionnaire's title, from the store's own questionnaire folder."""
    return load_instrument(instrument_id, get_store().instruments_dir).title[lang]


def _who(r, lang: str) -> str:
    """"Sri Wahyuni · Jl. Kenanga 4": what the enumerator typed that tells the interview apart."""
    return identity_text(load_instrument(r.instrument, get_store().instruments_dir), r.identity, lang)


def table_ui(rows: pd.DataFrame, lang: str) -> None:
    """The interviews as a SummaryTable (analysis.tables.fieldwork_tables), with its downloads under it."""
    instruments = {name: load_instrument(name, get_store().instruments_dir) for name in rows["instrument"].unique()}
    who = [{code: identity_text(instruments[r.instrument], r.identity, code) for code in LANGUAGES}
           for r in rows.itertuples()]
    titles = {name: dict(inst.title) for name, inst in instruments.items()}
    statuses = {s: TEXT[f"status_{s}"] for s in STATUSES}
    table = fieldwork_tables.my_submissions_table(rows, who, titles, statuses)
    summary_ui(table, "my_submissions", "my_submissions", lang, title=False, table_key="my_submissions_table")


def sent_back_ui(back: pd.DataFrame, lang: str) -> None:
    """The interviews a supervisor rejected, each with the reviewer's comment."""
    st.subheader(t("sent_back_title", lang))
    st.caption(t("sent_back_intro", lang))
    for r in back.itertuples():
        note = plain_line(r.note) if isinstance(r.note, str) and r.note else t("sent_back_no_note", lang)
        who = plain_line(_who(r, lang))
        st.warning(t("sent_back_item", lang, time=wib_datetime(r.submitted_at, lang),
                     instrument=_title(r.instrument, lang) + (f" · {who}" if who else ""),
                     rid=r.response_id[:SHORT_ID], note=note,
                     editor=plain_line(r.editor)), icon=":material/undo:")


def correction_ui(rows: pd.DataFrame, user: auth.User, lang: str) -> None:
    open_ones = rows[rows["status"].isin(CORRECTABLE)].drop_duplicates(["instrument", "response_id"])
    st.subheader(t("correct_title", lang))
    if open_ones.empty:
        st.caption(t("correct_none", lang))
        return

    def label(r) -> str:   # what tells it apart first: a phone shows the beginning of the line
        who = _who(r, lang)
        back = f" · {t('status_rejected', lang)}" if r.status == "rejected" else ""
        return (f"{who} · " if who else "") + \
            f"{r.response_id[:SHORT_ID]} · {wib_datetime(r.submitted_at, lang)} · {_title(r.instrument, lang)}{back}"

    labels = {f"{r.instrument}/{r.response_id}": label(r) for r in open_ones.itertuples()}
    chosen = st.selectbox(t("correct_choose_open", lang), list(labels), format_func=labels.get, key="correct_choice")
    if st.button(t("correct_open", lang), key="correct_open", icon=":material/edit:"):
        instrument, rid = chosen.split("/", 1)
        if not open_correction(get_store(), user, instrument, rid):
            st.error(t("correct_closed", lang))


def page() -> None:
    user = auth.gate("my_submissions")
    lang = current_lang()
    st.header(registry.title("my_submissions", lang))
    today = dt.datetime.now(WIB).date()
    try:
        rows = my_submissions(get_store(), user.name, today)
        back = sent_back(get_store(), user.name)
    except Exception:  # a read problem must not take the page down; the log says why
        log.exception("listing %s's submissions failed", user.name)
        st.warning(t("today_failed", lang))
        return
    left, right = st.columns(2)
    left.metric(t("count_today", lang), int((rows["submitted_at"].dt.date == today).sum()))
    right.metric(t("count_week", lang, days=DAYS), len(rows))
    if not back.empty:
        sent_back_ui(back, lang)
    if rows.empty and back.empty:
        st.caption(t("today_none", lang))
        return
    if not rows.empty:
        table_ui(rows, lang)
    else:
        st.caption(t("today_none", lang))
    correction_ui(pd.concat([back.drop(columns="editor"), rows], ignore_index=True) if not back.empty else rows,
                  user, lang)


page()
