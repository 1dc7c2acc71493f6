"""A SummaryTable as a report-ready XLSX sheet: title, labelled columns, numbers as
numbers with number formats, reliability marks, and a notes block.

Layout: the title (row 1), the subtitle (row 2), the header of column labels in the
chosen language (row 4, frozen and repeated on every printed page), one row per
table row, then the notes block: the table's notes, design and weights, statuses,
what was left out, questionnaire and project versions, when the data are from and
when the file was made (table_cells.note_lines), and a cross-tab's test statistics
as numbers.

Numbers are number cells, so a spreadsheet computes with them; what they mean is in
the format, which Excel shows with the reader's own separators:

    percent    0.0"%"        45.2 shown as 45.2% (stored 0-100, as in the CSV and the app)
    points     0.0           a percentage's SE, in percentage points
    count      #,##0         thousands grouped
    number     #,##0.0
    idr        "Rp"#,##0     (English: "IDR "#,##0)
    ratio      0.00          design effects, Cramér's V
    pvalue     0.000

An estimate that BPS's rule marks is shown with its mark, ``*`` (RSE 25-50%, use with
caution) or ``**`` (above 50%, unreliable), added by the number format (the cell
stays a number) and shaded; the rule is among the notes. Text (value labels, notes,
titles) is always a text cell, never a formula (cells.XlsxCells).
"""

from __future__ import annotations

import datetime as dt

from analysis.export.safe_cells import XlsxCells
from analysis.export.tables.cells import Cell, header, note_lines, rows, test_rows, text
from analysis.tables.summary_table import SummaryTable
from survey import locale as formatting
from survey.locale import pick

HEADER_ROW = 3  # 0-based: title, subtitle, a blank row, then the header
_SHADE = {"caution": "#FFF2CC", "unreliable": "#F8CBAD"}
_WIDTH = {"text": 28, "percent": 10, "points": 10, "count": 12, "integer": 10, "number": 12, "ratio": 9,
          "idr": 16, "pvalue": 9}


def _zeros(decimals: int) -> str:
    return "0." + "0" * decimals if decimals > 0 else "0"


def number_format(kind: str, decimals: int | None, lang: str, mark: str = "") -> str:
    """The Excel number format of a kind (formatting.KINDS), with a reliability mark."""
    places = formatting.DECIMALS.get(kind, 3) if decimals is None else decimals
    suffix = ("%" if kind == "percent" else "") + mark
    literal = f'"{suffix}"' if suffix else ""
    if kind in ("count", "number"):
        return f"#,##{_zeros(places)}{literal}"
    if kind == "idr":
        return f'"{formatting.currency(lang)}"#,##{_zeros(places)}{literal}'
    if kind == "pvalue":
        return f"0.000{literal}"
    return f"{_zeros(places)}{literal}"


class Formats:
    """xlsxwriter formats made once per workbook and looked up by what they show."""

    def __init__(self, cells: XlsxCells):
        self.cells = cells
        self._made: dict[tuple, object] = {}
        book = cells.book
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.subtitle = book.add_format({"italic": True, "font_color": "#444444"})
        self.header = book.add_format({"bold": True, "text_wrap": True, "valign": "bottom", "bottom": 1,
                                       "bg_color": "#EEEEEE"})
        self.heading = book.add_format({"bold": True})
        self.note = book.add_format({"font_color": "#333333"})

    def number(self, kind: str, decimals: int | None, lang: str, reliability: str = ""):
        mark = {"caution": "*", "unreliable": "**"}.get(reliability, "")
        key = (kind, decimals, lang, reliability)
        if key not in self._made:
            spec = {"num_format": number_format(kind, decimals, lang, mark)}
            if reliability in _SHADE:
                spec["bg_color"] = _SHADE[reliability]
            self._made[key] = self.cells.book.add_format(spec)
        return self._made[key]


def _write_cell(cells: XlsxCells, formats: Formats, sheet, row: int, col: int, cell: Cell, lang: str) -> None:
    if cell.kind == "text":
        cells.text(sheet, row, col, cell.value)
    else:
        cells.number(sheet, row, col, cell.value, formats.number(cell.kind, cell.decimals, lang, cell.reliability))


def write_sheet(cells: XlsxCells, formats: Formats, sheet, table: SummaryTable, lang: str,
                made: dt.datetime | None = None) -> int:
    """Write `table` on `sheet`; returns the number of its data rows."""
    cells.text(sheet, 0, 0, pick(table.title, lang), formats.title)
    if table.subtitle:
        cells.text(sheet, 1, 0, pick(table.subtitle, lang), formats.subtitle)
    labels = header(table, lang)
    for col, label in enumerate(labels):
        cells.text(sheet, HEADER_ROW, col, label, formats.header)
    body = rows(table, lang)
    for r, row in enumerate(body, start=HEADER_ROW + 1):
        for col, cell in enumerate(row):
            _write_cell(cells, formats, sheet, r, col, cell, lang)
    for col, column in enumerate(table.columns):
        kind = table.columns[column].kind
        width = _WIDTH.get("number" if kind in ("row", "row_se") else kind, 12)
        if body and body[0][col].kind == "text":
            longest = max((len(str(row[col].value or "")) for row in body), default=0)
            width = min(max(width, longest + 2, len(labels[col]) // 2 + 2), 60)
        sheet.set_column(col, col, width)
    r = HEADER_ROW + len(body) + 2
    cells.text(sheet, r, 0, text("notes", lang), formats.heading)
    for line in note_lines(table, lang, made):
        r += 1
        cells.text(sheet, r, 0, line, formats.note)
    tests_header, tests = test_rows(table, lang)
    if tests:
        r += 2
        cells.text(sheet, r, 0, text("tests", lang), formats.heading)
        r += 1
        for col, label in enumerate(tests_header):
            cells.text(sheet, r, col, label, formats.header)
        for row in tests:
            r += 1
            for col, cell in enumerate(row):
                _write_cell(cells, formats, sheet, r, col, cell, lang)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.repeat_rows(HEADER_ROW)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.hide_gridlines(2)
    return len(body)


def render(table: SummaryTable, lang: str) -> bytes:
    cells = XlsxCells()
    write_sheet(cells, Formats(cells), cells.sheet(sheet_name(pick(table.title, lang))), table, lang)
    return cells.close()


_SHEET_UNSAFE = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(name: str, taken: set[str] | None = None) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\, not quoted."""
    base = " ".join(name.translate(_SHEET_UNSAFE).split()).strip("'")[:31] or "Table"
    taken = taken if taken is not None else set()
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base[:31 - len(str(n)) - 1]} {n}"
    taken.add(candidate.lower())
    return candidate
