"""Microdata as CSV (RFC 4180: comma, double quotes, CRLF), UTF-8 with a byte-order mark
so that Excel reads accented names correctly (pandas, R's readr and haven skip it).

One header row of export names; a select_one holds its choice name, dates are
``YYYY-MM-DD``, timestamps ISO 8601 in UTC (``2026-05-01T08:15:02.123456Z``),
numbers plain (``-5`` stays a number). Text that a spreadsheet would run as a formula
gets a leading apostrophe (see cells.py). Labels are in the codebook.
"""

from __future__ import annotations

import pandas as pd

from analysis.export.microdata.frame import ExportInfo
from analysis.export.microdata.variables import Variable
from analysis.export.safe_cells import csv_text_column


def _cells(v: Variable, values: pd.Series) -> pd.Series:
    if v.kind in ("text", "choice"):
        return csv_text_column(values)
    if v.kind == "date":
        return values.map(lambda d: None if d is None else d.isoformat())
    if v.kind == "timestamp":
        return values.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return values


def write(variables: list[Variable], frame: pd.DataFrame, info: ExportInfo) -> bytes:
    cells = pd.DataFrame({v.name: _cells(v, frame[v.name]) for v in variables}, index=frame.index)
    text = cells.to_csv(index=False, lineterminator="\r\n")
    return "\ufeff".encode() + text.encode("utf-8")
