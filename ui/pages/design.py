"""Sampling design (admin): the design in force per questionnaire, its files, the weighting summary.

The design comes from each questionnaire's ``design:`` block (strata, PSU, one or two
stages, fpc, lonely-PSU rule, how the weights are made); the line above the block names
the design in force (a two-stage design falls back to one stage when frame.csv lacks the
stage sizes, and its note says so); the weights also need the data
folder's ``frame.csv`` (sampled PSUs and their selection probabilities) and
``population.csv`` (totals to calibrate to); ``kelurahan.csv`` gives the small-area model its
area auxiliaries (census or Podes counts per kelurahan).  An uploaded file is checked with
``analysis.dataset.datafiles`` (unknown PSUs, missing strata, negative or non-numeric
counts, ...) and replaces the file only when it has no problem: a bad file changes
nothing.  Every upload is in the audit log.  The weighting summary (weights in
force, their range, Kish's design effect; weighted totals against the targets)
redraws itself like the other analysis pages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from analysis.dataset.datafiles import (
    FRAME_FILE,
    KELURAHAN_FILE,
    MAX_CSV_BYTES,
    POPULATION_FILE,
    check_frame,
    parse_csv,
    save_frame,
    save_kelurahan,
    save_population,
)
from analysis.messages import unit_texts
from analysis.tables.weighting_tables import totals_table, weights_table
from analysis.tables.worded import worded_table
from survey.locale import LANGUAGES, WIB, number, pick, wib_datetime
from ui import auth, uploader
from ui.i18n import TEXT, current_lang, t
from ui.pages import registry
from ui.plain_text import plain_line
from ui.results import data_cache as data
from ui.results.choices import instrument_ui
from ui.results.data_cache import View
from ui.results.live import live
from ui.results.result_view import count_ui, design_notes_ui, downloads_ui, table_ui
from ui.store import data_dir, get_store, unusable_texts, usable_instruments

PAGE = "design"
FILES = {"frame": FRAME_FILE, "population": POPULATION_FILE, "kelurahan": KELURAHAN_FILE}


def _label(inst, name: str | None, lang: str) -> str:
    if name is None:
        return "–"
    questions = {q.name: q for q in inst.all_questions()}
    if name not in questions:
        return name
    label = pick(questions[name].label, lang)
    return label if name in label else f"{label} ({name})"


def _rule(inst, rule, lang: str) -> str:
    if rule is None:
        return "–"
    by = " × ".join(_label(inst, name, lang) for name in rule.by)
    return t(f"design_{rule.method}", lang, unit=unit_texts(rule.unit), by=by)


def _stages(inst, spec, lang: str) -> str:
    """How many stages the variance has: one (PSUs) or two (PSUs, then households)."""
    if spec.psu is None:
        return "–"
    units = _label(inst, spec.psu, lang)
    if spec.strata:
        units = t("design_within", lang, psu=units, strata=_label(inst, spec.strata, lang))
    return t(f"design_stages_{'two' if spec.stages == 2 else 'one'}", lang, units=units)


def design_block(inst, lang: str) -> pd.DataFrame:
    """The questionnaire's design block in words."""
    spec = inst.design
    rows = [(t("design_strata", lang), _label(inst, spec.strata, lang)),
            (t("design_psu", lang), _label(inst, spec.psu, lang)),
            (t("design_stages", lang), _stages(inst, spec, lang)),
            (t("design_fpc", lang), _label(inst, spec.fpc, lang) if spec.fpc else
             t("design_fpc_stages", lang) if spec.stages == 2 else
             (t("design_fpc_counts", lang) if spec.counts_fpc else "–")),
            (t("design_lonely", lang), t(f"lonely_{spec.lonely_psu}", lang)),
            (t("design_base", lang), t(f"base_{spec.base}", lang, instrument=spec.counts.instrument,
                                       question=spec.counts.question) if spec.counts else t(f"base_{spec.base}", lang)),
            (t("design_calibrate", lang), _rule(inst, spec.calibrate, lang))]
    rows += [(t("design_repeat", lang, name=pick(r.label, lang)), _rule(inst, spec.repeats.get(r.name), lang))
             for r in inst.repeats]
    if spec.census:
        rows.append((t("design_census", lang), _label(inst, spec.census, lang)))
    if spec.target_moe:
        rows.append((t("design_target_moe", lang), number(spec.target_moe, lang, 1)))
    return pd.DataFrame(rows, columns=[t("design_part", lang), t("design_value", lang)])


def design_table(inst):
    """The design block in words, in both languages (its downloads are written in either)."""
    return worded_table({lang: design_block(inst, lang) for lang in LANGUAGES}, TEXT["design_in_force_title"],
                        kind="design")


@live
def results(instrument: str, lang: str) -> None:
    inst = get_store().instrument(instrument)
    view = View(instrument, lang)
    with st.spinner(t("computing", lang)):
        facets = data.facets(instrument, lang)
    provenance = facets.provenance
    st.subheader(t("design_in_force_title", lang))
    count_ui(provenance, PAGE, lang)
    st.markdown(f"**{pick(provenance.design, lang)}**")
    for table, text in provenance.weights.items():
        st.caption(t("design_weights_of", lang, table=table, weights=pick(text, lang)))
    design_notes_ui(provenance, lang)
    table_ui(design_table(inst), f"{PAGE}_block", lang, title=False, table_key=f"{PAGE}_block")
    st.subheader(t("design_weighting_title", lang))
    if provenance.responses == 0:
        st.info(t("no_data", lang), icon=":material/info:")
        return
    weights = data.table(weights_table, view)
    for row in weights.data.itertuples():
        st.markdown(f"**{weights.value_label('table', row.table, lang)}**")
        left, middle, right = st.columns(3)
        left.metric(t("weights_range", lang), f"{number(row.min, lang, 2)}–{number(row.max, lang, 2)}")
        middle.metric(t("weights_ratio", lang), number(row.ratio, lang, 2))
        right.metric(t("kish_deff", lang), number(row.deff, lang, 2), help=t("kish_help", lang))
        totals = data.table(totals_table, view, table=row.table)
        if len(totals):
            table_ui(totals, f"{PAGE}_totals_{row.table}", lang)
    table_ui(weights, f"{PAGE}_weights", lang)


def _file_state(path: Path, lang: str) -> str:
    if not path.is_file():
        return t("design_file_missing", lang, file=path.name)
    frame, problems = parse_csv(path.read_bytes(), path.name)
    rows = len(frame) if frame is not None else 0
    when = wib_datetime(dt.datetime.fromtimestamp(path.stat().st_mtime, WIB), lang)
    return t("design_file_present", lang, file=path.name, rows=number(rows, lang, 0), when=when)


def save(kind: str, user: auth.User) -> None:
    """Save button handler: check the uploaded file, replace ours only if it has no problem."""
    state = st.session_state
    state.pop(f"_{PAGE}_{kind}_outcome", None)
    if not auth.allowed(PAGE, user):
        return
    uploaded = state.get(f"{PAGE}_{kind}_file")
    if uploaded is None:
        state[f"_{PAGE}_{kind}_outcome"] = ("none", [])
        return
    store, content = get_store(), uploaded.getvalue()
    usable, broken = usable_instruments(store)
    if broken:   # the files are checked against every questionnaire's design: they wait for its fix
        state[f"_{PAGE}_{kind}_outcome"] = ("invalid", [unusable_texts(name, exc) for name, exc in broken.items()])
        return
    instruments = list(usable.values())
    if kind == "frame":
        users = [inst for inst in instruments if inst.design.base == "frame"]
        table, problems = parse_csv(content, FRAME_FILE)
        for inst in users[1:]:
            problems = problems or check_frame(table, inst, store.read(inst.id))
        if users and not problems:
            problems = save_frame(data_dir(), content, users[0], responses=store.read(users[0].id))
    elif kind == "kelurahan":   # area auxiliaries of the small-area model (issue 18, item 4)
        problems = save_kelurahan(data_dir(), content, instruments)
    else:
        problems = save_population(data_dir(), content, instruments)
    outcome = "invalid" if problems else "ok"
    if store.audit is not None:
        store.audit.record("design", user.name, FILES[kind], outcome, upload=uploaded.name, bytes=len(content),
                           problems=[p.code for p in problems])
    state[f"_{PAGE}_{kind}_outcome"] = (outcome, [dict(p.texts) for p in problems])


def file_ui(kind: str, user: auth.User, lang: str) -> None:
    name = FILES[kind]
    st.markdown(f"**{name}** · {t(f'design_{kind}_about', lang)}")
    st.caption(_file_state(Path(data_dir()) / name, lang))
    st.file_uploader(t("design_upload", lang, file=name), type=["csv"], key=f"{PAGE}_{kind}_file",
                     max_upload_size=MAX_CSV_BYTES // 1_000_000)  # the browser refuses more; parse_csv checks again
    st.button(t("design_save", lang, file=name), key=f"{PAGE}_{kind}_save", on_click=save, args=(kind, user),
              icon=":material/upload:")
    outcome = st.session_state.get(f"_{PAGE}_{kind}_outcome")
    if outcome is None:
        return
    result, problems = outcome
    if result == "ok":
        st.success(t("design_saved", lang, file=name), icon=":material/check_circle:")
    elif result == "none":
        st.warning(t("design_choose_file", lang), icon=":material/upload_file:")
    else:
        lines = (f"- {plain_line(pick(p, lang))}" for p in problems)   # they quote the file's cells
        st.error("\n".join([t("design_unchanged", lang, file=name), *lines]), icon=":material/error:")


def page() -> None:
    user = auth.gate(PAGE)
    lang = current_lang()
    st.header(registry.title(PAGE, lang))
    instrument = instrument_ui(PAGE, lang)
    results(instrument, lang)
    view = View(instrument, lang)
    downloads_ui({f"{PAGE}_block": lambda: design_table(get_store().instrument(instrument)),
                  f"{PAGE}_weights": lambda: data.table(weights_table, view),
                  f"{PAGE}_totals": lambda: data.table(totals_table, view)}, PAGE, lang)
    st.divider()
    st.subheader(t("design_files_title", lang))
    uploader.style(lang)    # Streamlit's "Upload" and "200MB per file" in the user's language
    for kind in FILES:
        file_ui(kind, user, lang)


page()
