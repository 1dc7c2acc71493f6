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

import numpy as np
import pandas as pd
import streamlit as st

from analysis.dataset.response_rates import response_rate_table
from analysis.monitoring.precision import precision_summary
from survey import locale as formatting
from survey.fieldwork.quality import FLAGS
from survey.odk.inbox import Inbox
from survey.questionnaire.schema import STATUSES
from ui import auth
from ui.i18n import current_lang, t
from ui.pages import registry
from ui.results.live import live, refresh_seconds
from ui.store import get_store, usable_instruments
from ui.supervision.monitor_charts import durations_chart, per_day_chart
from ui.supervision.monitor_data import Snapshot, snapshot
from ui.supervision.review_view import OPEN_IN_REVIEW

log = logging.getLogger(__name__)
REVIEW_PAGE = str(Path(__file__).resolve().parent / "review.py")


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


def _choice_labels(inst, question: str | None, lang: str) -> dict:
    if question is None:
        return {}
    return {name: labels[lang] for name, labels in inst.question(question).choices.items()} \
        if inst.question(question).kind.choices == "one" else {}


def _ordered(table: pd.DataFrame, inst, question: str | None) -> pd.DataFrame:
    """Rows in the order of the strata question's choices, then by area."""
    if question is None or inst.question(question).kind.choices != "one":
        return table
    order = {c: i for i, c in enumerate(inst.question(question).choices)}
    column = "stratum" if "stratum" in table.columns else "area"
    keys = ["_order"] + (["area"] if column == "stratum" else [])
    return table.assign(_order=table[column].map(lambda v: order.get(v, len(order)))) \
        .sort_values(keys, kind="stable").drop(columns="_order")


def area_table(snap: Snapshot, inst, level: str, lang: str) -> tuple[pd.DataFrame, dict]:
    table = snap.areas[level]
    strata = inst.design.strata
    names = _choice_labels(inst, strata, lang)
    table = _ordered(table, inst, strata)
    out = {}
    if level != "stratum":
        out[pick_label(inst, strata, lang)] = table["stratum"].map(lambda v: names.get(v, v))
        area_names = _choice_labels(inst, "kelurahan", lang) if level == "kelurahan" and \
            "kelurahan" in {q.name for q in inst.questions} else {}
        out[t("area_kelurahan" if level == "kelurahan" else "area_psu", lang)] = \
            table["area"].map(lambda v: area_names.get(v, v))
    else:
        out[pick_label(inst, strata, lang)] = table["area"].map(lambda v: names.get(v, v))
    out[t("col_progress", lang)] = table["progress"].clip(upper=100).to_numpy()
    out[t("col_visited", lang)] = [formatting.number(v, lang, 0) for v in table["visited"]]
    out[t("col_completed", lang)] = [formatting.number(v, lang, 0) for v in table["complete"]]
    out[t("col_target", lang)] = [formatting.number(v, lang, 0) for v in table["target"]]
    config = {t("col_progress", lang): st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f%%")}
    return pd.DataFrame(out).reset_index(drop=True), config


def pick_label(inst, question: str | None, lang: str) -> str:
    return inst.question(question).label[lang] if question else t("col_area", lang)


def progress_ui(snap: Snapshot, inst, lang: str) -> None:
    heading(t("per_day_title", lang))
    if len(snap.per_day):
        st.altair_chart(per_day_chart(snap.per_day, lang), width="stretch")
    st.caption(t("per_day_note", lang))
    if snap.areas:
        heading(t("area_title", lang))
        if not snap.has_frame:
            st.caption(t("area_no_frame", lang))
        table, config = area_table(snap, inst, "stratum", lang)
        st.dataframe(table, hide_index=True, width="stretch", column_config=config, key="monitor_areas")
        for level, title in (("kelurahan", "area_kelurahan"), ("psu", "area_psu")):
            if level in snap.areas:
                with st.expander(t(title, lang)):
                    table, config = area_table(snap, inst, level, lang)
                    st.dataframe(table, hide_index=True, width="stretch", column_config=config,
                                 key=f"monitor_areas_{level}")
    heading(t("enumerators_title", lang))
    people = snap.per_enumerator
    st.dataframe(pd.DataFrame({
        t("col_enumerator", lang): people["enumerator"],
        t("col_visits", lang): [formatting.number(v, lang, 0) for v in people["visits"]],
        t("col_completed", lang): [formatting.number(v, lang, 0) for v in people["complete"]],
        t("col_rr", lang): [formatting.percent(v, lang) for v in people["rr1_visited"]],
        t("col_median_minutes", lang): [formatting.number(v, lang, 0) for v in people["median_minutes"]],
        t("col_flagged", lang): [formatting.number(v, lang, 0) for v in people["flagged"]],
        t("col_last", lang): [_when(v, lang) for v in people["last_submitted_at"]],
    }), hide_index=True, width="stretch", key="monitor_enumerators")


def _when(moment, lang: str) -> str:
    if moment is None or pd.isna(moment):
        return formatting.MISSING
    return formatting.wib_datetime(moment, lang)


def rates_ui(snap: Snapshot, inst, lang: str) -> None:
    heading(t("rates_title", lang))
    levels = [level for level in ("overall", "stratum") if level in snap.rates]
    frames = []
    for level in levels:
        table = response_rate_table(inst, snap.rates[level], level).to_frame(lang, formatted=True)
        if level == "overall" and inst.design.strata:
            table.insert(0, pick_label(inst, inst.design.strata, lang), t("col_all", lang))
        frames.append(table)
    shown = pd.concat(frames[::-1], ignore_index=True) if frames else pd.DataFrame()
    st.dataframe(shown, hide_index=True, width="stretch", key="monitor_rates")
    st.caption(response_rate_table(inst, snap.rates["overall"], "overall").notes[0][lang])
    if "psu" in snap.rates:
        with st.expander(t("rates_psu", lang)):
            st.dataframe(response_rate_table(inst, snap.rates["psu"], "psu").to_frame(lang, formatted=True),
                         hide_index=True, width="stretch", key="monitor_rates_psu")
    if snap.adjustment is not None and len(snap.adjustment):
        with st.expander(t("adjustment_title", lang)):
            st.caption(t("adjustment_note", lang))
            adj = snap.adjustment
            names = _choice_labels(inst, inst.design.strata, lang)
            st.dataframe(pd.DataFrame({
                pick_label(inst, inst.design.strata, lang): adj[inst.design.strata].map(lambda v: names.get(v, v)),
                "PSU": adj[inst.design.psu],
                t("col_sampled", lang): [formatting.number(v, lang, 0) for v in adj["sampled"]],
                t("col_ineligible", lang): [formatting.number(v, lang, 0) for v in adj["ineligible"]],
                t("col_responded", lang): [formatting.number(v, lang, 0) for v in adj["responded"]],
                t("col_factor", lang): [formatting.number(v, lang, 3) for v in adj["factor"]],
            }), hide_index=True, width="stretch", key="monitor_adjustment")



def quality_ui(snap: Snapshot, inst, lang: str) -> None:
    heading(t("durations_title", lang))
    summary = snap.durations
    if summary["n"]:
        left, right = st.columns(2)
        left.metric(t("dur_median", lang), t("dur_minutes", lang, value=formatting.number(summary["median"], lang, 0)))
        right.metric(t("dur_middle", lang), t("dur_minutes", lang, value=formatting.number(summary["p25"], lang, 0)
                                              + "–" + formatting.number(summary["p75"], lang, 0)))
        done = snap.visits.loc[snap.visits["disposition"] == "complete", "minutes"].dropna()
        st.altair_chart(durations_chart(done, lang, inst.quality.min_minutes), width="stretch")
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
    flags = flags.assign(_last=flags["flag"].isin(common)).sort_values("_last", kind="stable")
    strata_names = _choice_labels(inst, inst.design.strata, lang)
    status_names = {s: t(f"status_{s}", lang) for s in STATUSES}
    st.dataframe(pd.DataFrame({
        t("col_response", lang): flags["_response_id"].str[:8].to_numpy(),
        t("col_enumerator", lang): flags["_enumerator"].to_numpy(),
        pick_label(inst, inst.design.strata, lang): flags["stratum"].map(lambda v: strata_names.get(v, v)).to_numpy(),
        t("col_flag", lang): flags["flag"].map(lambda f: flag_names.get(f, f)).to_numpy(),
        t("col_status", lang): flags["_status"].map(lambda s: status_names.get(s, s)).to_numpy(),
        t("col_detail", lang): flags["detail"].to_numpy(),
    }), hide_index=True, width="stretch", key="monitor_flags",
        column_config={t("col_detail", lang): st.column_config.TextColumn(width="large")})
    enumerators = dict(zip(flags["_response_id"], flags["_enumerator"]))
    reasons = sorted(snap.flag_reasons.items(), key=lambda item: set(item[1]) <= common)   # other flags first
    labels = {rid: f"{rid[:8]} · {enumerators[rid]} · " + ", ".join(flag_names.get(f, f) for f in why)
              for rid, why in reasons}
    choice = st.selectbox(t("flags_choose", lang), list(labels), key="monitor_flagged", format_func=labels.get)
    if st.button(t("flags_open", lang), key="monitor_open_review", icon=":material/fact_check:"):
        st.session_state[OPEN_IN_REVIEW] = {"instrument": inst.id, "response_id": choice}
        st.switch_page(REVIEW_PAGE)


PRECISION_SHOWN = ("stratum", "estimate", "moe", "n", "deff", "n_target", "moe_target", "status")


def precision_ui(snap: Snapshot, inst, lang: str) -> None:
    heading(t("precision_title", lang))
    if snap.precision is None or snap.precision.empty:
        st.caption(t("precision_none", lang))
        return
    table = precision_summary(inst, snap.precision, snap.provenance)
    table = table.with_columns({c: table.columns[c] for c in PRECISION_SHOWN})
    status = snap.precision["status"].to_numpy()
    target = inst.design.target_moe
    if target is None:
        st.caption(t("precision_no_target", lang))
    else:
        st.caption(t("precision_target", lang, moe=formatting.number(target, lang, 1),
                     misses=int((status == "miss").sum()), rows=len(status)))
    shown = table.to_frame(lang, formatted=True)
    column = table.label("status", lang)
    shown[column] = [("✗ " if s == "miss" else "✓ " if s == "meet" else "") + v for s, v in zip(status, shown[column])]
    for code in dict.fromkeys(snap.precision["indicator"]):
        rows = np.flatnonzero(snap.precision["indicator"].to_numpy() == code)
        st.markdown(f"**{code}** · {table.value_label('indicator', code, lang)}")
        part = shown.iloc[rows].reset_index(drop=True)
        misses = status[rows]
        styled = part.style.apply(lambda row: ["background-color: #fdecea" if misses[row.name] == "miss" else ""
                                               for _ in row], axis=1)
        st.dataframe(styled, hide_index=True, width="stretch", key=f"monitor_precision_{code}")
    st.caption(table.notes[0][lang])


@live
def monitor_ui(instrument_id: str, lang: str) -> None:
    """The monitor itself, redrawn every refresh (ui.results.live: a refresh is no user action)."""
    store = get_store()
    try:
        snap = snapshot(store, instrument_id, lang)
        inst = store.instrument(instrument_id)
    except Exception:   # a read problem must not take the page down; the log says why
        log.exception("the monitor could not read %s", instrument_id)
        st.warning(t("monitor_failed", lang))
        return
    if snap.records == 0:
        st.info(t("monitor_empty", lang), icon=":material/info:")
        return
    sentence = snap.provenance.sentence(lang).removesuffix(" WIB") if snap.provenance is not None else ""
    seconds = refresh_seconds()
    st.caption(t("monitor_refresh", lang, sentence=sentence, seconds=formatting.number(seconds, lang, 0))
               if seconds else t("monitor_refresh_off", lang, sentence=sentence))
    metrics_ui(snap, lang)
    progress, rates, quality, precision = st.tabs([t("tab_progress", lang), t("tab_rates", lang),
                                                   t("tab_quality", lang), t("tab_precision", lang)])
    with progress:
        progress_ui(snap, inst, lang)
    with rates:
        rates_ui(snap, inst, lang)
    with quality:
        quality_ui(snap, inst, lang)
    with precision:
        precision_ui(snap, inst, lang)


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


page()
