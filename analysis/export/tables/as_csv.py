"""A SummaryTable as CSV: one header row of column labels in the chosen language, then
one row per table row (RFC 4180, CRLF, UTF-8 with a byte-order mark for Excel).

Made to be read by a program: numbers are plain numbers with a point (``45.2``,
``-5``, ``1234500``; percentages 0-100, as the table holds them), missing ones empty;
categories are their labels in the chosen language; text a spreadsheet would run as a
formula (a hostile value label) gets a leading apostrophe (cells.py). The title,
notes and provenance are in the XLSX and HTML files, which are made to be read by
people.
"""

from __future__ import annotations

import csv
import io

from analysis.export.safe_cells import csv_text
from analysis.export.tables.cells import Cell, header, rows
from analysis.tables.summary_table import SummaryTable


def _csv_cell(cell: Cell) -> str:
    if cell.value is None:
        return ""
    if cell.kind == "text":
        return csv_text(str(cell.value))
    if cell.kind in ("count", "integer") and float(cell.value).is_integer():
        return str(int(cell.value))
    return repr(float(cell.value))


def render(table: SummaryTable, lang: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_text(h) for h in header(table, lang)])
    writer.writerows([_csv_cell(c) for c in row] for row in rows(table, lang))
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
