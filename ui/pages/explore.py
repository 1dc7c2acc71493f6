"""Explore: one question's design-based estimates, as a chart and a table, live.

Choose a questionnaire and a question (the first household question by default),
optionally a breakdown, filters (area, days, enumerators, review status) and the
weighted / unweighted switch, which names the design in force.  The results redraw
themselves while the page is open (``ui.live``) and are computed again only when
the store changed (``ui.data``).  Choices: the fitting chart (bars with confidence
intervals; one bar per option for a select_multiple); numbers: a histogram, a box
plot and the mean with its interval.
"""

from __future__ import annotations

import streamlit as st

from survey.i18n import pick
from ui import auth, charts, data
from ui.choices import filters_ui, instrument_ui, weighted_ui
from ui.data import View
from ui.i18n import current_lang, t
from ui.live import live
from ui.results import chart_ui, count_ui, design_notes_ui, empty_ui, table_ui

PAGE = "explore"


def question_ui(facets: data.Facets, where, lang: str) -> tuple[str | None, str | None]:
    """The question and its optional breakdown (drawn in ``where``)."""
    names = [q.name for q in facets.questions]
    if not names:
        return None, None
    labels = {q.name: pick(q.labels, lang) for q in facets.questions}
    question = st.selectbox(t("question", lang), names, format_func=labels.get, key=f"{PAGE}_question")
    options = [None, *(v.name for v in facets.breakdowns(question))]
    by_labels = {v.name: pick(v.labels, lang) for v in facets.breakdowns(question)}
    by = where.selectbox(t("breakdown", lang), options, key=f"{PAGE}_by",
                         format_func=lambda name: t("breakdown_none", lang) if name is None else by_labels[name])
    return question, by


@live
def results(view: View, question: str | None, by: str | None, kind: str | None) -> None:
    lang = view.lang
    facts = data.facets(view.instrument, lang)
    estimates = data.table("question", view, question=question, by=by) if question else None
    provenance = estimates.provenance if estimates is not None else facts.provenance
    count_ui(provenance, PAGE, lang)
    design_notes_ui(provenance, lang)
    if empty_ui(provenance, lang) or estimates is None:
        return
    if len(estimates) == 0:
        st.info(t("no_answers", lang), icon=":material/info:")
        return
    if kind == "number":
        histogram = data.table("histogram", view, question=question) if by is None else None
        chart_ui(charts.number_chart(estimates, histogram, lang), PAGE)
        table_ui(estimates, PAGE, PAGE, lang)
        if histogram is not None and len(histogram):
            table_ui(histogram, PAGE, f"{PAGE}_histogram", lang)
    else:
        chart_ui(charts.shares_chart(estimates, lang), PAGE)
        table_ui(estimates, PAGE, PAGE, lang)


def page() -> None:
    auth.gate(PAGE)
    lang = current_lang()
    st.header(t("page_explore", lang))
    instrument = instrument_ui(PAGE, lang)
    facets = data.facets(instrument, lang)
    left, right = st.columns(2, vertical_alignment="bottom")
    question, by = question_ui(facets, left, lang)
    with right:
        weighted = weighted_ui(PAGE, facets, lang)
    filters = filters_ui(PAGE, facets, lang)
    kind = facets.question(question).kind if question else None
    results(View(instrument, lang, weighted, **filters), question, by, kind)


page()
