"""Cross-tabulation: two choice questions (and an optional layer) with the Rao-Scott test, live.

Row, column and layer variables of one table (a household question and the head of
household's answers, or two members' answers), percent of row, column or total,
grouped or stacked bars or a heatmap, the test in a sentence ("Computer ownership
differs by education: F(3.7, 149) = 10.7, p < 0.001"), Cramér's V and a warning
when expected cell counts are small.  The page opens on the questionnaire's headline
cross-tab (its YAML's ``analysis: crosstab:``; the household survey: computer
ownership by the head's education, as percent of each education level).
"""

from __future__ import annotations

import streamlit as st

from analysis import charts
from analysis.tables.question_tables import crosstab_table
from survey.locale import pick
from survey.questionnaire.analysis_defaults import PERCENT_OF
from ui import auth
from ui.i18n import current_lang, t
from ui.pages import registry
from ui.results import data_cache as data
from ui.results.choices import instrument_ui, weighted_ui
from ui.results.data_cache import View
from ui.results.live import live
from ui.results.result_view import chart_ui, count_ui, design_notes_ui, downloads_ui, empty_ui, table_ui

PAGE = "crosstab"


def _pick_default(options: list[str], wanted: str | None, avoid: str | None = None) -> int:
    if wanted in options and wanted != avoid:
        return options.index(wanted)
    return next((i for i, name in enumerate(options) if name != avoid), 0)


def variables_ui(facets: data.Facets, lang: str) -> tuple[str, str, str | None, str] | None:
    """Row, column, layer and percent-of choices; None when the questionnaire has too few choice questions."""
    # A variable may be in two tables (the household's kecamatan is its members' too): it is offered
    # once, and the column and layer come from the tables that hold the row (crosstab_table takes the
    # first table holding the row and the column, in the same order).
    tables = {table: {v.name: v for v in group} for table, group in facets.groups.items()}
    variables: dict = {}
    for group in tables.values():
        for name, v in group.items():
            variables.setdefault(name, v)
    if len(variables) < 2:
        return None
    labels = {name: pick(v.labels, lang) for name, v in variables.items()}
    first = facets.crosstab
    row_default, col_default, percent_default = (first.row, first.col, first.percent) if first else (None, None, "row")
    names = list(variables)
    row = st.selectbox(t("crosstab_row", lang), names, index=_pick_default(names, row_default),
                       format_func=labels.get, key=f"{PAGE}_row")
    same_table = [n for n in names if n != row and any(row in g and n in g for g in tables.values())]
    col = st.selectbox(t("crosstab_col", lang), same_table, index=_pick_default(same_table, col_default),
                       format_func=labels.get, key=f"{PAGE}_col")
    shared = next((g for g in tables.values() if row in g and col in g), {})
    layers = [None, *(n for n in names if n in shared and n not in (row, col))]
    left, right = st.columns(2)
    layer = left.selectbox(t("crosstab_layer", lang), layers, key=f"{PAGE}_layer",
                           format_func=lambda n: t("breakdown_none", lang) if n is None else labels[n])
    percent = right.radio(t("crosstab_percent", lang), PERCENT_OF, index=PERCENT_OF.index(percent_default),
                          format_func=lambda p: t(f"percent_{p}", lang), horizontal=True, key=f"{PAGE}_percent")
    return row, col, layer, percent


def tests_ui(table, lang: str) -> None:
    """Each test in a sentence, Cramér's V beside it, and small expected counts as a warning."""
    for test in table.stats.get("tests", ()):
        st.info(pick(test["sentence"], lang), icon=":material/functions:")
        if test.get("cramers"):
            st.caption(pick(test["cramers"], lang) + " · " + t("cramers_help", lang))
        if test.get("warning"):
            st.warning(pick(test["warning"], lang), icon=":material/warning:")


@live
def results(view: View, row: str, col: str, layer: str | None, percent: str, style: str) -> None:
    lang = view.lang
    with st.spinner(t("computing", lang)):
        table = data.table(crosstab_table, view, row=row, col=col, layer=layer, percent=percent)
    count_ui(table.provenance, PAGE, lang)
    design_notes_ui(table.provenance, lang)
    if empty_ui(table.provenance, lang):
        return
    if len(table) == 0:
        st.info(t("no_answers", lang), icon=":material/info:")
        return
    tests_ui(table, lang)
    chart_ui(charts.crosstab_chart(table, lang, style), PAGE)
    said = tuple(text for test in table.stats.get("tests", ()) for text in
                 (test["sentence"], test.get("cramers"), test.get("warning")) if text)
    table_ui(table, PAGE, lang, shown=said)


def page() -> None:
    auth.gate(PAGE)
    lang = current_lang()
    st.header(registry.title(PAGE, lang))
    instrument = instrument_ui(PAGE, lang)
    with st.spinner(t("computing", lang)):
        facets = data.facets(instrument, lang)
    chosen = variables_ui(facets, lang)
    left, right = st.columns(2)
    style = left.radio(t("crosstab_chart", lang), charts.CROSSTAB_STYLES, horizontal=True, key=f"{PAGE}_style",
                       format_func=lambda s: t(f"chart_{s}", lang))
    with right:
        weighted = weighted_ui(PAGE, facets, lang)
    if chosen is None:
        st.info(t("crosstab_too_few", lang), icon=":material/info:")
        return
    view = View(instrument, lang, weighted)
    results(view, *chosen, style)
    row, col, layer, percent = chosen
    downloads_ui({PAGE: lambda: data.table(crosstab_table, view, row=row, col=col, layer=layer, percent=percent)},
                 PAGE, lang)


page()
