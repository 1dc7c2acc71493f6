"""The agencies' websites on the indicators page: the evidence beside the stage ladder, and the
administrator's button that checks the sites in the background (survey.webcheck.runs) while the
page stays usable, its progress redrawn every second until the run ends."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from analysis.indicators import website_evidence as evidence
from analysis.tables.summary_table import SummaryTable
from survey.locale import pick
from survey.webcheck import runs, snapshots
from survey.webcheck.crawler import Limits
from ui import auth
from ui.i18n import t
from ui.results.result_view import table_ui
from ui.store import data_dir

KEY = "indicators_webcheck"
LIMITS = Limits()      # the command's defaults: 30 pages, 1 s between requests, 10 s per request


def evidence_ui(stages: SummaryTable, lang: str) -> None:
    """Each agency's answers beside what its website shows, the disagreements first."""
    st.subheader(t("website_evidence", lang))
    stored = snapshots.read_all(data_dir())
    if not stored:
        st.info(t("website_none", lang), icon=":material/travel_explore:")
        return
    agency_labels = stages.value_labels.get("agency", {})
    table = evidence.evidence_table(stages.data, stored, agency_labels)
    flags = table.data[~table.data["agrees"]] if len(table) else table.data
    if len(flags):
        lines = [f"- **{table.value_label('agency', row.agency, lang)}**: {table.value_label('flag', row.flag, lang)}"
                 for row in flags.itertuples()]
        st.warning(t("website_disagreements", lang, n=len(flags)) + "\n" + "\n".join(lines),
                   icon=":material/report:")
    elif len(table):
        st.success(t("website_agree", lang), icon=":material/check_circle:")
    if len(table):
        table_ui(table, f"{KEY}_evidence", lang)
    table_ui(evidence.site_table(stored, stages.data, agency_labels), f"{KEY}_sites", lang)
    with st.expander(pick(evidence.history_table(stored).title, lang)):
        table_ui(evidence.history_table(stored, agency_labels), f"{KEY}_history", lang, title=False)


def evidence_tables(stages: Callable[[], SummaryTable | None]) -> dict[str, Callable[[], SummaryTable | None]]:
    """The websites' tables for the page's downloads (key -> how to build it; None without a check)."""
    def build(kind: str) -> SummaryTable | None:
        stored, table = snapshots.read_all(data_dir()), stages()
        if not stored or table is None:
            return None
        labels = table.value_labels.get("agency", {})
        if kind == "evidence":
            return evidence.evidence_table(table.data, stored, labels)
        return evidence.site_table(stored, table.data, labels) if kind == "sites" else \
            evidence.history_table(stored, labels)

    return {f"{KEY}_{kind}": (lambda kind=kind: build(kind)) for kind in ("evidence", "sites", "history")}


def webcheck_ui(lang: str) -> None:
    """Administrators: the button that starts the check, or the running check's progress."""
    user = auth.current_user()
    if user is None or user.role != "admin":
        return
    run = runs.background_run(data_dir())
    if run is not None and not run.finished:
        _progress(lang)
        return
    if run is not None:
        _outcome(run, lang)
    if st.button(t("webcheck_run", lang), key=KEY, help=t("webcheck_help", lang), icon=":material/travel_explore:"):
        if not snapshots.agency_addresses(data_dir()):
            st.info(t("webcheck_no_addresses", lang), icon=":material/info:")
            return
        runs.start_background(data_dir(), LIMITS)
        st.rerun()


def _outcome(run: runs.Run, lang: str) -> None:
    if run.error:
        st.error(t("webcheck_failed", lang, error=run.error), icon=":material/error:")
    else:
        st.success(t("webcheck_done", lang, n=len(run.sites)), icon=":material/check_circle:")


@st.fragment(run_every=1.0)
def _progress(lang: str) -> None:
    """Redrawn every second while the check runs; the whole page once it has ended (its tables change)."""
    run = runs.background_run(data_dir())
    if run is None or run.finished:
        st.rerun(scope="app")
        return
    text = t("webcheck_running", lang, url=run.current, done=run.done + 1, total=run.total) if run.total else \
        t("webcheck_starting", lang)
    st.progress(run.done / run.total if run.total else 0.0, text=text)
