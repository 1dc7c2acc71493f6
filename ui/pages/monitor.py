"""Fieldwork monitor: progress against the sample, response rates, quality flags, precision.

For supervisors and administrators. Everything comes from the store's visit records
(refusals and non-contacts included), the data folder's frame.csv and the
instrument's quality and design blocks, computed in ``analysis`` and ``survey.fieldwork.quality``
(ui.supervision.monitor_data, through ui.results.data_cache's cache on the store's state). The numbers follow
the analysis pages' rule: rejected interviews are left out until corrected. The page
refreshes itself like the analysis pages (ui.results.live: ``SURVEY_REFRESH_SECONDS``, 30 s)
without counting as a user action.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import MappingProxyType

import numpy as np
import streamlit as st

from analysis.charts import durations_chart, per_day_chart, precision_chart
from survey import locale as formatting
from survey.fieldwork.quality import FLAGS
from survey.locale import pick
from survey.odk.inbox import Inbox
from ui import auth
from ui.i18n import current_lang, t
from ui.pages import registry
from ui.results import data_cache as data
from ui.results.data_cache import data_token
from ui.results.downloads import table_downloads
from ui.results.live import live, refresh_seconds
from ui.results.result_view import chart_ui, table_ui
from ui.store import get_store, usable_instruments
from ui.supervision.monitor_data import Snapshot, precision, precision_ready, snapshot
from ui.supervision.monitor_tables import monitor_tables, precision_table
from ui.supervision.review_view import OPEN_IN_REVIEW

log = logging.getLogger(__name__)
REVIEW_PAGE = str(Path(__file__).resolve().parent / "review.py")
AREA_TABLES = ("monitor_areas", "monitor_areas_kelurahan", "monitor_areas_psu")   # ui.supervision.monitor_tables


# On a phone, metrics two by two instead of one per row.
_CSS = """<style>
@media (max-width: 640px) {
  .st-key-monitor_metrics [data-testid="stHorizontalBlock"] { flex-flow: row wrap; gap: 0.25rem 1rem; }
  .st-key-monitor_metrics [data-testid="stColumn"] {
    flex: 1 1 calc(50% - 1rem) !important; min-width: calc(50% - 1rem) !important; width: calc(50% - 1rem) !important;
  }
  .st-key-monitor_metrics [data-testid="stMetricValue"] { font-size: 1.75rem; }
}
</style>"""


def heading(text: str) -> None:
    st.markdown(f"#### {text}")


def choose_ui(lang: str) -> str:
    usable, _ = usable_instruments()   # a broken questionnaire file is monitored once it is fixed
    titles = {name: inst.title[lang] for name, inst in usable.items()}
    return st.selectbox(t("instrument", lang), list(titles), key="monitor_instrument", format_func=titles.get)


def _count(value, lang: str) -> str:
    return formatting.number(value, lang, 0)


def metrics_ui(snap: Snapshot, lang: str) -> None:
    visits = snap.visits
    overall = snap.rates.get("overall")
    rr = overall["rr1_visited"].iloc[0] if overall is not None and len(overall) else np.nan
    flagged = len(snap.flag_reasons)
    st.html(_CSS)
    box = st.container(key="monitor_metrics")
    cols = box.columns(4)
    cols[0].metric(t("m_visits", lang), _count(len(visits), lang))
    cols[1].metric(t("m_complete", lang), _count(int((visits["disposition"] == "complete").sum()), lang))
    cols[2].metric(t("m_rr", lang), formatting.percent(rr, lang), help=t("m_rr_help", lang))
    cols[3].metric(t("m_flagged", lang), _count(flagged, lang))
    cols = box.columns(3)
    cols[0].metric(t("m_approved", lang), _count(snap.statuses.get("approved", 0), lang))
    cols[1].metric(t("m_waiting", lang), _count(snap.statuses.get("submitted", 0) + snap.statuses.get("on_hold", 0),
                                                lang))
    cols[2].metric(t("m_rejected", lang), _count(snap.statuses.get("rejected", 0), lang))


def tables_of(store, instrument_id: str, lang: str) -> dict:
    """Every table the monitor shows (ui.supervision.monitor_tables), built once per state of the
    store and shared: a refresh draws the same objects, whose text result_view has kept."""
    return data.shared("monitor_tables", _tables, instrument_id, lang, store=store)


def _tables(store, instrument_id: str, lang: str) -> dict:
    """The tables (by the key of their widgets), and the charts under ``chart:<key>`` (an Altair
    chart is only read when drawn); the precision tracker's apart (:func:`precision_tables_of`);
    the flagged interviews' choices under :data:`FLAGGED_CHOICES`."""
    snap, inst = snapshot(store, instrument_id, lang), store.instrument(instrument_id)
    out = monitor_tables(snap, inst)
    out[FLAGGED_CHOICES] = flagged_choices(snap, lang)
    if len(snap.per_day):
        out["chart:monitor_per_day"] = per_day_chart(snap.per_day, lang)
    if snap.durations["n"]:
        done = snap.visits.loc[snap.visits["disposition"] == "complete", "minutes"].dropna()
        out["chart:monitor_durations"] = durations_chart(done, lang, inst.quality.min_minutes)
    return out


FLAGGED_CHOICES = "choices:monitor_flagged"   # (a colon: no table, so no downloads)


def flagged_choices(snap: Snapshot, lang: str) -> MappingProxyType:
    """Response id -> its line in the list of flagged interviews ("1a2b3c4d · enum07 · Too fast"),
    the interviews with other flags than the common ones first: written once per state of the
    store (10,000 flagged interviews took 0.05 s each run), read-only as the shared cache hands it out."""
    if snap.flagged is None or snap.flagged.empty:
        return MappingProxyType({})
    counts = snap.flag_counts
    common = set(counts.loc[counts["common"], "flag"])
    flag_names = {f: t(f"flag_{f}", lang) for f in FLAGS}
    enumerators = dict(zip(snap.flagged["_response_id"].tolist(), snap.flagged["_enumerator"].tolist()))
    reasons = sorted(snap.flag_reasons.items(), key=lambda item: set(item[1]) <= common)   # other flags first
    return MappingProxyType({rid: f"{rid[:8]} · {enumerators[rid]} · " + ", ".join(flag_names.get(f, f) for f in why)
                             for rid, why in reasons})


def precision_tables_of(store, instrument_id: str, lang: str) -> dict:
    """The precision tracker's table (``monitor_precision``, empty without one), each indicator's
    chart and table under ``chart:monitor_precision_<code>`` and ``precision:<code>``: built once per
    state of the store, only for the precision tab or in the background after the first tab."""
    return data.shared("monitor_precision_tables", _precision_tables, instrument_id, lang, store=store)


def _precision_tables(store, instrument_id: str, lang: str) -> dict:
    found = precision(store, instrument_id, lang)
    provenance = data.dataset(instrument_id, lang, store=store).provenance   # the tracker's Dataset's
    table = precision_table(found, provenance, store.instrument(instrument_id))
    out = {}
    if table is not None:
        out["monitor_precision"] = table
        codes = found["indicator"].to_numpy()
        for code in dict.fromkeys(codes):
            out[f"chart:monitor_precision_{code}"] = precision_chart(table.with_rows(codes == code), lang)
            out[f"precision:{code}"] = table.with_rows(codes == code).with_notes(())
    return out


def progress_ui(snap: Snapshot, tables: dict, lang: str) -> None:
    heading(t("per_day_title", lang))
    if len(snap.per_day):
        chart_ui(tables["chart:monitor_per_day"], "monitor_per_day")
    st.caption(t("per_day_note", lang))
    if snap.areas:
        heading(t("area_title", lang))
        if not snap.has_frame:
            st.caption(t("area_no_frame", lang))
        for key, table in ((k, tables[k]) for k in AREA_TABLES if k in tables):
            if key == "monitor_areas":
                table_ui(table, key, lang, title=False, table_key=key)
            else:
                with st.expander(pick(table.title, lang)):
                    table_ui(table, key, lang, title=False, table_key=key)
    heading(t("enumerators_title", lang))
    table_ui(tables["monitor_enumerators"], "monitor_enumerators", lang, title=False, table_key="monitor_enumerators")


def rates_ui(tables: dict, lang: str) -> None:
    heading(t("rates_title", lang))
    if "monitor_rates" in tables:
        table_ui(tables["monitor_rates"], "monitor_rates", lang, title=False, table_key="monitor_rates")
    if "monitor_rates_psu" in tables:
        with st.expander(t("rates_psu", lang)):
            table_ui(tables["monitor_rates_psu"], "monitor_rates_psu", lang, title=False,
                     table_key="monitor_rates_psu")
    if "monitor_adjustment" in tables:
        with st.expander(t("adjustment_title", lang)):
            table_ui(tables["monitor_adjustment"], "monitor_adjustment", lang, title=False,
                     table_key="monitor_adjustment")


def quality_ui(snap: Snapshot, inst, tables: dict, lang: str) -> None:
    heading(t("durations_title", lang))
    summary = snap.durations
    if summary["n"]:
        left, right = st.columns(2)
        left.metric(t("dur_median", lang), t("dur_minutes", lang, value=formatting.number(summary["median"], lang, 0)))
        right.metric(t("dur_middle", lang), t("dur_minutes", lang, value=formatting.number(summary["p25"], lang, 0)
                                              + "–" + formatting.number(summary["p75"], lang, 0)))
        chart_ui(tables["chart:monitor_durations"], "monitor_durations")
        table_ui(tables["monitor_durations"], "monitor_durations", lang, title=False, table_key="monitor_durations")
    else:
        st.caption(t("dur_none", lang))
    heading(t("flags_title", lang))
    flags = snap.flagged
    if flags.empty:
        st.caption(t("flags_none", lang))
        return
    counts = snap.flag_counts.set_index("flag")
    common = set(counts.index[counts["common"]])
    flag_names = {f: t(f"flag_{f}", lang) for f in FLAGS}
    cols = st.columns(3)
    for i, flag in enumerate(f for f in counts.index if f not in common):
        cols[i % 3].metric(flag_names[flag], _count(int(counts.at[flag, "flagged"]), lang))
    for flag in (f for f in counts.index if f in common):   # a threshold to check: said, and listed last
        st.warning(t("flags_common", lang, flag=flag_names[flag], n=_count(int(counts.at[flag, "flagged"]), lang),
                     checked=_count(int(counts.at[flag, "checked"]), lang),
                     share=formatting.percent(100 * counts.at[flag, "share"], lang, 0)), icon=":material/tune:")
    table_ui(tables["monitor_flags"], "monitor_flags", lang, title=False, table_key="monitor_flags")
    labels = tables[FLAGGED_CHOICES]
    choice = st.selectbox(t("flags_choose", lang), list(labels), key="monitor_flagged", format_func=labels.get)
    if st.button(t("flags_open", lang), key="monitor_open_review", icon=":material/fact_check:"):
        st.session_state[OPEN_IN_REVIEW] = {"instrument": inst.id, "response_id": choice}
        st.switch_page(REVIEW_PAGE)


def precision_ui(store, inst, lang: str) -> None:
    heading(t("precision_title", lang))
    tables = precision_tables_of(store, inst.id, lang)
    table = tables.get("monitor_precision")
    if table is None:
        st.caption(t("precision_none", lang))
        return
    found = precision(store, inst.id, lang)
    status = found["status"].to_numpy()
    target = inst.design.target_moe
    if target is None:
        st.caption(t("precision_no_target", lang))
    else:
        st.caption(t("precision_target", lang, moe=formatting.number(target, lang, 1),
                     misses=int((status == "miss").sum()), rows=len(status)))
    codes = found["indicator"].to_numpy()
    for code in dict.fromkeys(codes):
        rows = codes == code
        st.markdown(f"**{code}** · {table.value_label('indicator', code, lang)}")
        chart_ui(tables[f"chart:monitor_precision_{code}"], f"monitor_precision_{code}")
        table_ui(tables[f"precision:{code}"], f"monitor_precision_{code}", lang, title=False,
                 highlight=status[rows] == "miss", table_key=f"monitor_precision_{code}")
    st.caption(pick(table.notes[0], lang))


def downloads_of_ui(instrument_id: str, lang: str) -> None:
    """The download buttons of the monitor's tables, under the live part (ui.results.downloads: a
    fragment's refresh would leave them leading nowhere); each file has the numbers of its click."""
    store = get_store()
    try:
        snap = snapshot(store, instrument_id, lang)
    except Exception:   # the live part has said what went wrong
        return
    if snap.records == 0:
        return
    built = {data_token(store): tables_of(store, instrument_id, lang)}   # every table once per state of the store

    def current() -> dict:
        token = data_token(store)
        if token not in built:   # a click after new data: the tables of that moment
            built.clear()
            built[token] = tables_of(store, instrument_id, lang)
        return built[token]

    def build(key):
        return lambda: current().get(key)

    keys = [key for key in current() if ":" not in key]   # the tables, not the charts (see _tables)
    if precision_ready(store, instrument_id, lang):   # once computed (its tab, or in the background)
        found = precision_tables_of(store, instrument_id, lang)
        if "monitor_precision" in found:
            keys.append("monitor_precision")

    def precision_table_now():
        return precision_tables_of(store, instrument_id, lang).get("monitor_precision")


    with st.expander(t("monitor_downloads", lang), icon=":material/download:"):
        for key in keys:   # one table's three buttons a line: eight tables side by side would not fit
            table_downloads(precision_table_now if key == "monitor_precision" else build(key), "monitor", key, lang)


@live
def monitor_ui(instrument_id: str, lang: str) -> None:
    """The monitor itself, redrawn every refresh (ui.results.live: a refresh is no user action)."""
    store = get_store()
    try:
        snap = snapshot(store, instrument_id, lang)
        inst = store.instrument(instrument_id)
        tables = tables_of(store, instrument_id, lang)
    except Exception:   # a read problem must not take the page down; the log says why
        log.exception("the monitor could not read %s", instrument_id)
        st.warning(t("monitor_failed", lang))
        return
    if snap.records == 0:
        st.info(t("monitor_empty", lang), icon=":material/info:")
        return
    sentence = snap.sentence(lang).removesuffix(" WIB")
    seconds = refresh_seconds()
    st.caption(t("monitor_refresh", lang, sentence=sentence, seconds=formatting.number(seconds, lang, 0))
               if seconds else t("monitor_refresh_off", lang, sentence=sentence))
    metrics_ui(snap, lang)
    # The precision tab runs only when open (its tracker needs the indicators' estimates); the
    # others are drawn every run. Until it is opened it is computed in the background.
    progress, rates, quality, accuracy = st.tabs([t("tab_progress", lang), t("tab_rates", lang),
                                                  t("tab_quality", lang), t("tab_precision", lang)],
                                                 key=f"monitor_tab_{lang}", on_change="rerun")
    with progress:
        progress_ui(snap, tables, lang)
    with rates:
        rates_ui(tables, lang)
    with quality:
        quality_ui(snap, inst, tables, lang)
    if accuracy.open:
        with accuracy:
            precision_ui(store, inst, lang)
    else:
        data.prefetch(f"monitor_precision:{instrument_id}:{lang}",
                      [lambda: precision_tables_of(store, instrument_id, lang)], store=store)


def inbox_count_ui(lang: str) -> None:
    """The submissions from ODK Collect waiting in the inbox (survey.odk.inbox), when there are any."""
    waiting = Inbox(get_store().root).count()
    if waiting:
        st.warning(t("monitor_inbox", lang, n=_count(waiting, lang)), icon=":material/move_to_inbox:")


def page() -> None:
    auth.gate("monitor")
    st.set_page_config(layout="wide")   # tables of many columns: the whole width of a desktop screen
    lang = current_lang()
    st.header(registry.title("monitor", lang), anchor=False)
    inbox_count_ui(lang)
    instrument_id = choose_ui(lang)
    if instrument_id is not None:
        monitor_ui(instrument_id, lang)
        downloads_of_ui(instrument_id, lang)


page()
