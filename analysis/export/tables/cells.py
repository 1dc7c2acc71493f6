"""A SummaryTable as the cells every table file writes: one source for CSV, XLSX and HTML.

Each shown column (``SummaryTable.columns``, in order) gives one cell per row:

* a labelled column (value labels, or tuples of values such as the criteria an agency
  meets) gives its labels in the chosen language as text;
* a ``text`` column its values as text;
* every other column numbers: the raw value (percentages 0-100, as the table holds
  them), its formatting kind for the row (``SummaryTable.kinds``) and decimals, and on
  the ``estimate`` column the row's reliability (BPS: RSE up to 25% reliable, 25-50%
  caution ``*``, above 50% unreliable ``**``; analysis.tables.summary_table). Missing and infinite
  numbers are blank.

The notes block is the table's notes and provenance (``SummaryTable.note_lines``) and
two lines of its own: when the data are from (the newest response in the analysis, a
date and WIB time) and when the file was made; a cross-tab's test statistics are also
given as numbers (:func:`test_rows`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.tables.summary_table import RELIABILITY_MARKS, WIB_KINDS, SummaryTable
from survey import locale as formatting
from survey.locale import pick

TEXTS = {
    "notes": {"id": "Catatan", "en": "Notes"},
    "tests": {"id": "Statistik uji", "en": "Test statistics"},
    "data_as_of": {"id": "Data per {when} (respons terbaru dalam analisis); {n} respons dalam analisis.",
                   "en": "Data as of {when} (the newest response in the analysis); {n} responses in the analysis."},
    "no_data": {"id": "Belum ada respons dalam analisis.", "en": "No responses in the analysis yet."},
    "made": {"id": "Tabel dibuat {when}.", "en": "Table made {when}."},
    "percent_numbers": {"id": "Persentase disimpan sebagai angka 0-100.",
                        "en": "Percentages are stored as numbers from 0 to 100."},
    "layer": {"id": "Lapisan", "en": "Layer"},
}
TEST_COLUMNS = {  # (header {lang: text}, kind)
    "f": ({"id": "F Rao-Scott", "en": "Rao-Scott F"}, "ratio"),
    "ndf": ({"id": "db pembilang", "en": "Numerator df"}, "ratio"),
    "ddf": ({"id": "db penyebut", "en": "Denominator df"}, "ratio"),
    "p": ({"id": "Nilai p", "en": "p-value"}, "pvalue"),
    "cramers_v": ({"id": "V Cramér", "en": "Cramér's V"}, "ratio"),
    "n": ({"id": "n", "en": "n"}, "count"),
}


def text(key: str, lang: str, **values) -> str:
    """The table file text `key` in `lang`, its placeholders filled (survey.locale.text)."""
    return formatting.text(TEXTS, key, lang, **values)


@dataclass(frozen=True)
class Cell:
    """One cell: text (``kind="text"``) or a number with its formatting kind."""

    value: Any                 # str, float, or None (blank)
    kind: str = "text"
    decimals: int | None = None
    reliability: str = ""      # the estimate's flag: "", reliable, caution, unreliable

    @property
    def mark(self) -> str:
        return RELIABILITY_MARKS.get(self.reliability, "")

    def formatted(self, lang: str) -> str:
        """The cell as text for `lang` (numbers as the app writes them), with the mark."""
        if self.value is None:
            return "" if self.kind == "text" else formatting.MISSING
        if self.kind == "text":
            return str(self.value)
        return formatting.value(self.value, self.kind, lang, self.decimals) + self.mark


def _number(value: Any) -> float | None:
    if value is None or value is pd.NA or isinstance(value, (str, tuple)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def labelled(table: SummaryTable, column: str) -> bool:
    values = table.data[column]
    return column in table.value_labels or bool(values.dtype == object and values.map(
        lambda v: isinstance(v, tuple)).any())


def column_cells(table: SummaryTable, column: str, lang: str) -> list[Cell]:
    data = table.data
    values = data[column].tolist()
    if labelled(table, column):
        return [Cell(None if _missing(v) else table.value_label(column, v, lang)) for v in values]
    spec = table.columns[column]
    if spec.kind == "text":
        return [Cell(None if _missing(v) else str(v)) for v in values]
    if spec.kind in WIB_KINDS:   # a moment is text as a person reads it: "7 Des 2026 03.58 WIB"
        stamps = formatting.wib_stamps(values, lang, spec.kind == "wib_seconds")
        return [Cell(None if s == formatting.MISSING else str(s)) for s in stamps]
    kinds = table.kinds(column)
    flags = data["reliability"].tolist() if column == "estimate" and "reliability" in data else [""] * len(values)
    return [Cell(_number(v), str(k), spec.decimals, str(f) if isinstance(f, str) else "")
            for v, k, f in zip(values, kinds, flags)]


def header(table: SummaryTable, lang: str) -> list[str]:
    return [table.label(c, lang) for c in table.columns]


def rows(table: SummaryTable, lang: str) -> list[list[Cell]]:
    """The table's cells, row by row, in the order of its shown columns."""
    columns = [column_cells(table, c, lang) for c in table.columns]
    return [list(row) for row in zip(*columns)] if columns else []


def _when(moment: Any, lang: str) -> str:
    return f"{formatting.date(moment, lang)}, {formatting.wib_time(moment, lang)}"


def note_lines(table: SummaryTable, lang: str, made: dt.datetime | None = None) -> list[str]:
    """The notes block: the table's notes and provenance, when the data are from, when made."""
    lines = table.note_lines(lang)
    provenance = table.provenance
    if provenance is not None:
        if provenance.last_submitted_at is None:
            lines.append(text("no_data", lang))
        else:
            lines.append(text("data_as_of", lang, when=_when(provenance.last_submitted_at, lang),
                              n=formatting.number(provenance.responses, lang, 0)))
    if any(spec.kind in ("percent", "row") for spec in table.columns.values()):
        lines.append(text("percent_numbers", lang))
    lines.append(text("made", lang, when=_when(made or dt.datetime.now(dt.timezone.utc), lang)))
    return lines


def test_rows(table: SummaryTable, lang: str) -> tuple[list[str], list[list[Cell]]]:
    """A cross-tab's tests as numbers (header, rows); empty for other tables."""
    tests = table.stats.get("tests") or ()
    if not tests:
        return [], []
    layered = any(t.get("layer") is not None for t in tests)
    head = ([text("layer", lang)] if layered else []) + [pick(h, lang) for h, _ in TEST_COLUMNS.values()]
    out = []
    for test in tests:
        f, ndf, ddf, p = test.get("rao_scott", (None,) * 4)
        numbers = {"f": f, "ndf": ndf, "ddf": ddf, "p": p, "cramers_v": test.get("cramers_v"), "n": test.get("n")}
        row = [Cell(table.value_label("layer", test["layer"], lang))] if layered else []
        row += [Cell(_number(numbers[key]), kind) for key, (_, kind) in TEST_COLUMNS.items()]
        out.append(row)
    return head, out
