"""A SummaryTable of cells already written in words, one frame per language (a questionnaire's design
block, a list of examples): the page and its files show the same table, each in its language.

The frames have the same shape; their columns are the headers. The table's data holds each
cell's row number, and value labels give the cell's text in every language, so every renderer
(screen, CSV, XLSX, printable HTML) writes it as it writes any labelled value.
"""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from analysis.tables.summary_table import Column, SummaryTable

Texts = Mapping[str, str]


def worded_table(frames: Mapping[str, pd.DataFrame], title: Texts, kind: str = "worded") -> SummaryTable:
    """The table of ``frames`` ({lang: frame of text}); the first column names a row."""
    langs = list(frames)
    first = frames[langs[0]]
    if any(frames[lang].shape != first.shape for lang in langs):
        raise ValueError("the frames of a worded table must have the same shape in every language")
    names = [f"c{i}" for i in range(first.shape[1])]
    data = pd.DataFrame({name: range(len(first)) for name in names})
    columns = {name: Column({lang: str(frames[lang].columns[i]) for lang in langs}) for i, name in enumerate(names)}
    labels = {name: {row: {lang: str(frames[lang].iat[row, i]) for lang in langs} for row in range(len(first))}
              for i, name in enumerate(names)}
    return SummaryTable(data, title, columns, value_labels=labels, kind=kind, keys=names[:1])
