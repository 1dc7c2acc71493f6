"""The explore page's regression form: outcome, predictors, and the fitted model as a table.

Plain widgets (keys ``explore_model_outcome``, ``explore_model_choice``, ``explore_model_predictors``),
not an ``st.form``: the answer to model and the predictors offered follow the outcome as it
changes.  The model is fitted on the page's View (its filters and weighted switch) by
:func:`analysis.tables.model_tables.model_table`, cached on the store's state like every result; past
``SURVEY_OUT_OF_CORE_ROWS`` rows by :func:`analysis.tables.out_of_core_models.model_table`, out of core.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import streamlit as st

from analysis.tables.model_tables import KINDS, model_table
from analysis.tables.summary_table import SummaryTable
from survey.locale import pick
from ui.i18n import t
from ui.results import data_cache as data
from ui.results import out_of_core_pages
from ui.results.data_cache import Facets, View
from ui.results.result_view import table_ui

KEY = "explore_model"


def _fit(store, view: View, outcome: str, predictors: tuple[str, ...], choice: str | None) -> SummaryTable:
    def in_memory() -> SummaryTable:
        return model_table(view.apply(data.dataset(view.instrument, view.lang, store)), outcome, predictors,
                           choice=choice)

    # past SURVEY_OUT_OF_CORE_ROWS from the store's rows through DuckDB, never the Dataset (issue 24)
    return out_of_core_pages.model_table(store, view, outcome, predictors, choice, in_memory)


def model_table_of(view: View, outcome: str, predictors: tuple[str, ...], choice: str | None) -> SummaryTable:
    return data.cached("model", _fit, view, outcome, predictors, choice)


def model_ui(view: View, facets: Facets, lang: str) -> Callable[[], SummaryTable] | None:
    """Draw the form and, once an outcome and a predictor are chosen, the model's table; return
    how to build that table (for the page's downloads), None while there is none."""
    st.subheader(t("model_header", lang))
    st.caption(t("model_intro", lang))
    usable = [q for q in facets.questions if q.kind in KINDS]
    labels = {q.name: pick(q.labels, lang) for q in usable}
    outcome = st.selectbox(t("model_outcome", lang), [None, *labels], key=f"{KEY}_outcome",
                           format_func=lambda name: t("model_outcome_none", lang) if name is None else labels[name])
    if outcome is None:
        return None
    chosen = facets.question(outcome)
    choice = None
    if chosen.kind == "categorical":
        names = [name for name, _ in chosen.choices]
        choice_labels = dict(chosen.choices)
        first = names.index("yes") if "yes" in names else len(names) - 1
        choice = st.selectbox(t("model_choice", lang), names, index=first, key=f"{KEY}_choice",
                              format_func=lambda name: pick(choice_labels[name], lang))
    offered = [q.name for q in usable if q.table == chosen.table and q.name != outcome]
    predictors = st.multiselect(t("model_predictors", lang), offered, key=f"{KEY}_predictors",
                                format_func=labels.get, placeholder=t("model_predictors_placeholder", lang))
    if not predictors:
        st.info(t("model_choose_predictors", lang), icon=":material/info:")
        return None
    predictors = tuple(predictors)
    try:
        with st.spinner(t("computing", lang)):
            table = model_table_of(view, outcome, predictors, choice)
    except (ValueError, np.linalg.LinAlgError) as error:   # a plain reason: too few rows, one level...
        st.error(t("model_failed", lang, detail=str(error)), icon=":material/error:")
        return None
    table_ui(table, KEY, lang)
    return lambda: model_table_of(view, outcome, predictors, choice)
