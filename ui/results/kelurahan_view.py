""""By kelurahan (model-based)" on the explore and indicators pages (issue 18, item 4).

A breakdown option (:data:`MODEL_BY`) beside the choice questions: the question's (or the
indicator's) direct and model-based estimates per kelurahan,
:func:`analysis.tables.kelurahan_tables.kelurahan_table` on the data folder's ``kelurahan.csv``,
cached on the store's state (which includes kelurahan.csv) like every result.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis.dataset.datafiles import AREA, area_auxiliaries
from analysis.indicators.itu import HOUSEHOLD_INDICATORS
from analysis.tables import out_of_core
from analysis.tables.kelurahan_tables import kelurahan_table
from analysis.tables.summary_table import SummaryTable
from survey import locale as formatting
from ui.i18n import t
from ui.results import data_cache as data
from ui.results.data_cache import View

MODEL_BY = "@kelurahan_model"   # not a question name: names are identifiers


def offered(breakdowns) -> bool:
    """Whether the model-based option goes with these breakdowns (the kelurahan question is one)."""
    return any(v.name == AREA for v in breakdowns)


def label(lang: str) -> str:
    return t("by_kelurahan_model", lang)


def option(instrument: str, breakdowns, lang: str) -> tuple[dict, str | None]:
    """The breakdown option ``{MODEL_BY: label}`` where the kelurahan question is among the
    breakdowns, and no note; past the out-of-core setting no option and the note saying why (the
    model needs the in-memory Dataset, which the analysis pages no longer build there: issue 24),
    for the page to show under its breakdown selector."""
    if not offered(breakdowns):
        return {}, None
    if data.out_of_core(instrument):
        return {}, t("kelurahan_model_out_of_core", lang, rows=formatting.number(out_of_core.row_limit(), lang, 0))
    return {MODEL_BY: label(lang)}, None


def _build(store, view: View, question: str, choices: tuple | None, benchmark: bool) -> SummaryTable:
    dataset = view.apply(data.dataset(view.instrument, view.lang, store))
    return kelurahan_table(dataset, question, area_auxiliaries(Path(store.root)), benchmark=benchmark,
                           choices=choices)


def kelurahan_table_of(view: View, question: str, choices: tuple | None = None,
                       benchmark: bool = False) -> SummaryTable:
    return data.cached("kelurahan_model", _build, view, question, choices, benchmark)


def indicators() -> dict:
    """The household indicators that are one question's share of "yes" (or its mean), by code:
    those the kelurahan model can take as they are (no denominator of their own)."""
    return {i.code: i for i in HOUSEHOLD_INDICATORS
            if i.among is None and i.zero_where is None and i.values is None and i.choice_labels is None}


def indicator_ui(page: str, lang: str) -> str:
    """Choose one of :func:`indicators`; returns its code."""
    offered = indicators()
    return st.selectbox(t("kelurahan_indicator", lang), list(offered), key=f"{page}_kelurahan_indicator",
                        format_func=lambda c: f"{c} · {offered[c].label[lang]}")


def indicator_table_of(view: View, code: str, benchmark: bool = False) -> SummaryTable:
    """The indicator's kelurahan table: the mean, or the share answering "yes"."""
    indicator = indicators()[code]
    return kelurahan_table_of(view, indicator.question, None if indicator.mean else ("yes",), benchmark)


def benchmark_ui(page: str, lang: str) -> bool:
    return st.toggle(t("kelurahan_benchmark", lang), key=f"{page}_benchmark", help=t("kelurahan_benchmark_help", lang))
