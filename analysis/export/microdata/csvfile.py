"""Microdata as CSV (RFC 4180: comma, double quotes, CRLF), UTF-8 with a byte-order mark
so that Excel reads accented names correctly (pandas, R's readr and haven skip it).

One header row of export names; a select_one holds its choice name, dates are
``YYYY-MM-DD``, timestamps ISO 8601 in UTC (``2026-05-01T08:15:02.123456Z``),
numbers plain (``-5`` stays a number). Text that a spreadsheet would run as a formula
gets a leading apostrophe (see cells.py). Labels are in the codebook.
"""

from __future__ import annotations

from typing import Iterable

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


def _text(variables: list[Variable], frame: pd.DataFrame, header: bool) -> str:
    cells = pd.DataFrame({v.name: _cells(v, frame[v.name]) for v in variables}, index=frame.index)
    return cells.to_csv(index=False, header=header, lineterminator="\r\n")


def write(variables: list[Variable], frame: pd.DataFrame, info: ExportInfo) -> bytes:
    return "\ufeff".encode() + _text(variables, frame, True).encode("utf-8")


def write_batches(variables: list[Variable], batches: Iterable[pd.DataFrame], info: ExportInfo, handle) -> int:
    """The same file written to the binary `handle` a batch at a time; returns the rows written."""
    handle.write("\ufeff".encode() + ",".join(_quoted(v.name) for v in variables).encode("utf-8") + b"\r\n")
    rows = 0
    for frame in batches:
        handle.write(_text(variables, frame, False).encode("utf-8"))
        rows += len(frame)
    return rows


def _quoted(name: str) -> str:
    return pd.DataFrame(columns=[name]).to_csv(index=False, lineterminator="").strip()
