"""Explore: one question's design-based estimates, as a chart and a table, live.

Choose a questionnaire and a question (the first household question by default),
optionally a breakdown, filters (area, days, enumerators, review status) and the
weighted / unweighted switch, which names the design in force.  The results redraw
themselves while the page is open (``ui.results.live``) and are computed again only when
the store changed (``ui.results.data_cache``).  Choices: the fitting chart (bars with confidence
intervals; one bar per option for a select_multiple); numbers: a histogram, a box
plot and the mean with its interval.  "Kelurahan (model-based)" among the breakdowns shows each
kelurahan's direct and Fay-Herriot estimates (``ui.results.kelurahan_view``).  Below them, a
design-based linear or logistic model (``ui.results.model_form``).
"""

from __future__ import annotations

import streamlit as st

from analysis import charts
from analysis.tables.histograms import histogram_table
from analysis.tables.question_tables import question_table
from survey.locale import pick
from ui import auth
from ui.i18n import current_lang, t
from ui.pages import registry
from ui.results import data_cache as data
from ui.results import kelurahan_view
from ui.results.choices import filters_ui, instrument_ui, weighted_ui
from ui.results.data_cache import View
from ui.results.live import live
from ui.results.model_form import model_ui
from ui.results.result_view import chart_ui, count_ui, design_notes_ui, downloads_ui, empty_ui, table_ui

PAGE = "explore"


def question_ui(facets: data.Facets, lang: str) -> str | None:
    names = [q.name for q in facets.questions]
    if not names:
        return None
    labels = {q.name: pick(q.labels, lang) for q in facets.questions}
    first = names.index(facets.explore) if facets.explore in names else 0   # the questionnaire's analysis: block
    return st.selectbox(t("question", lang), names, index=first, format_func=labels.get, key=f"{PAGE}_question")


def breakdown_ui(facets: data.Facets, question: str | None, lang: str) -> str | None:
    if question is None:
        return None
    labels = {v.name: pick(v.labels, lang) for v in facets.breakdowns(question)}
    note = None
    if facets.question(question).kind in ("categorical", "number"):
        model, note = kelurahan_view.option(facets.instrument, facets.breakdowns(question), lang)
        labels.update(model)
    by = st.selectbox(t("breakdown", lang), [None, *labels], key=f"{PAGE}_by",
                      format_func=lambda name: t("breakdown_none", lang) if name is None else labels[name])
    if note:
        st.caption(note)
    return by


def tables(view: View, question: str | None, by: str | None, kind: str | None, benchmark: bool = False) -> dict:
    """The page's tables: key -> how to build it (for the results and for the downloads)."""
    if question is None:
        return {}
    if by == kelurahan_view.MODEL_BY:
        return {PAGE: lambda: kelurahan_view.kelurahan_table_of(view, question, benchmark=benchmark)}
    out = {PAGE: lambda: data.table(question_table, view, question=question, by=by)}
    if kind == "number" and by is None:
        out[f"{PAGE}_histogram"] = lambda: data.table(histogram_table, view, question=question)
    return out


@live
def results(view: View, question: str | None, by: str | None, kind: str | None, benchmark: bool = False) -> None:
    lang = view.lang
    with st.spinner(t("computing", lang)):
        built = {key: build() for key, build in tables(view, question, by, kind, benchmark).items()}
    estimates = built.get(PAGE)
    provenance = estimates.provenance if estimates is not None else data.facets(view.instrument, lang).provenance
    count_ui(provenance, PAGE, lang)
    design_notes_ui(provenance, lang)
    if empty_ui(provenance, lang) or estimates is None:
        return
    if len(estimates) == 0:
        st.info(t("no_answers", lang), icon=":material/info:")
        return
    histogram = built.get(f"{PAGE}_histogram")
    if by != kelurahan_view.MODEL_BY:   # the kelurahan rows (direct and model-based) have no chart yet
        chart_ui(charts.number_charts(estimates, histogram, lang) if kind == "number"
                 else charts.shares_chart(estimates, lang), PAGE)
    for key, table in built.items():
        if len(table):
            table_ui(table, key, lang)


def page() -> None:
    auth.gate(PAGE)
    lang = current_lang()
    st.header(registry.title(PAGE, lang))
    instrument = instrument_ui(PAGE, lang)
    with st.spinner(t("computing", lang)):
        facets = data.facets(instrument, lang)
    question = question_ui(facets, lang)
    left, right = st.columns(2)
    with left:
        by = breakdown_ui(facets, question, lang)
    with right:
        weighted = weighted_ui(PAGE, facets, lang)
    filters = filters_ui(PAGE, facets, lang)
    kind = facets.question(question).kind if question else None
    view = View(instrument, lang, weighted, **filters)
    benchmark = kelurahan_view.benchmark_ui(PAGE, lang) if by == kelurahan_view.MODEL_BY else False
    results(view, question, by, kind, benchmark)
    model = model_ui(view, facets, lang)   # design-based regression (issue 18, item 5)
    downloads = tables(view, question, by, kind, benchmark)
    if model is not None:
        downloads["explore_model"] = model
    downloads_ui(downloads, PAGE, lang)


page()
