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
from analysis.tables.kelurahan_tables import kelurahan_table
from analysis.tables.summary_table import SummaryTable
from ui.i18n import t
from ui.results import data_cache as data
from ui.results.data_cache import View

MODEL_BY = "@kelurahan_model"   # not a question name: names are identifiers


def offered(breakdowns) -> bool:
    """Whether the model-based option goes with these breakdowns (the kelurahan question is one)."""
    return any(v.name == AREA for v in breakdowns)


def label(lang: str) -> str:
    return t("by_kelurahan_model", lang)


def _build(store, view: View, question: str, choices: tuple | None, benchmark: bool) -> SummaryTable:
    dataset = view.apply(data.dataset(view.instrument, view.lang, store))
    return kelurahan_table(dataset, question, area_auxiliaries(Path(store.root)), benchmark=benchmark,
                           choices=choices)


def kelurahan_table_of(view: View, question: str, choices: tuple | None = None,
                       benchmark: bool = False) -> SummaryTable:
    return data.cached("kelurahan_model", _build, view, question, choices, benchmark)


def benchmark_ui(page: str, lang: str) -> bool:
    return st.toggle(t("kelurahan_benchmark", lang), key=f"{page}_benchmark", help=t("kelurahan_benchmark_help", lang))
