"""Microdata as XLSX: a ``data`` sheet (one header row of export names, one row per
record) and a ``variables`` sheet (name, store column, label, type, value labels in the
chosen language), written by xlsxwriter row by row in constant memory.

Numbers are number cells, dates and timestamps (UTC) date cells, text always a text
cell (never a formula; see cells.py). A select_one holds its choice name, as in the
CSV -- a number cell when the list's names are whole numbers (a 1-5 scale). Excel's sheet has at most 1,048,576 rows, so a larger table is refused with a
pointer to CSV or Parquet.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from analysis.export.errors import ExportError
from analysis.export.microdata.frame import ExportInfo
from analysis.export.microdata.variables import Variable, value_labels
from analysis.export.safe_cells import XlsxCells
from survey.locale import LANGUAGES, number, pick, texts

MAX_ROWS = 1_048_576 - 1  # Excel's limit, less the header row
TEXTS = {
    "too_many_rows": {
        "id": "Tabel ini punya {rows} baris, lebih dari batas Excel ({limit}); pakai CSV atau Parquet.",
        "en": "This table has {rows} rows, more than Excel allows ({limit}); use CSV or Parquet.",
    },
}
_HEADERS = {
    "id": ["variabel", "kolom", "label", "jenis", "label nilai"],
    "en": ["variable", "column", "label", "type", "value labels"],
}


def _whole(count: int) -> dict[str, str]:
    return {lang: number(count, lang, 0) for lang in LANGUAGES}


def _writer(cells: XlsxCells, v: Variable):
    if v.kind == "choice" and v.codes and all(str(code) == name for code, name, _ in v.codes):
        return lambda sheet, row, col, value: cells.number(sheet, row, col, None if value is None else int(value))
    if v.kind in ("text", "choice"):
        return cells.text
    if v.kind == "date":
        return cells.day
    if v.kind == "timestamp":
        return cells.moment
    return cells.number


def _too_many(rows: int) -> ExportError:
    return ExportError(texts(TEXTS, "too_many_rows", rows=_whole(rows), limit=_whole(MAX_ROWS)))


def write(variables: list[Variable], frame: pd.DataFrame, info: ExportInfo) -> bytes:
    if len(frame) > MAX_ROWS:
        raise _too_many(len(frame))
    cells = XlsxCells(constant_memory=True)
    _fill(cells, variables, [frame], info)
    return cells.close()


def write_batches(variables: list[Variable], batches: Iterable[pd.DataFrame], info: ExportInfo, handle) -> int:
    """The same workbook written to the file `handle` a batch at a time (rows stream through
    xlsxwriter's temporary files); refused before anything is read when the table is too long."""
    if info.rows > MAX_ROWS:
        raise _too_many(info.rows)
    cells = XlsxCells(constant_memory=True, target=handle)
    rows = _fill(cells, variables, batches, info)
    cells.close()
    return rows


def _fill(cells: XlsxCells, variables: list[Variable], batches: Iterable[pd.DataFrame], info: ExportInfo) -> int:
    data = cells.sheet("data")
    data.freeze_panes(1, 0)
    cells.header(data, 0, [v.name for v in variables])
    writers = [_writer(cells, v) for v in variables]
    row = 0
    for frame in batches:
        if row + len(frame) > MAX_ROWS:  # rows added since the count: still refused, never cut short
            raise _too_many(row + len(frame))
        columns = [frame[v.name].astype(object).where(frame[v.name].notna(), None).tolist() for v in variables]
        for i in range(len(frame)):
            row += 1
            for col, write_cell in enumerate(writers):
                write_cell(data, row, col, columns[col][i])
    sheet = cells.sheet("variables")
    cells.header(sheet, 0, _HEADERS.get(info.lang, _HEADERS["en"]))
    for n, v in enumerate(variables, start=1):
        kind = v.question.type if v.question is not None else v.kind
        labels = "; ".join(f"{name} = {text}" if v.kind == "choice" else f"{code} = {text}"
                           for (code, name, _), text in zip(v.codes, value_labels(v, info.lang).values()))
        for col, value in enumerate([v.name, v.column, pick(v.label, info.lang), kind, labels]):
            cells.text(sheet, n, col, value)
    return row
