"""Cells a spreadsheet cannot run, and file names a browser or shell cannot misuse.

CSV injection (OWASP, "CSV Injection"): a spreadsheet runs a cell that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula, so such a text
cell gets a leading apostrophe in CSV. The check also looks past leading whitespace
and at the full-width forms of the four signs, which some spreadsheets accept too.
A text that is just a number (``-5``, ``+62812``, ``1.5e3``) is left as it is:
a spreadsheet reads it as that number, never as a formula (defusedcsv does the same).
Numeric columns are written as numbers and never touched.

XLSX text is always written with xlsxwriter's ``write_string`` in a workbook made with
``strings_to_formulas=False`` (and no number or URL guessing), so the file holds a
text cell, never a formula; formula-like text also gets Excel's quote prefix, so
that editing the cell later keeps it text. The text is otherwise the stored value,
except that a carriage return becomes the line feed Excel uses for line breaks.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
from typing import Any

import pandas as pd
import xlsxwriter

from survey.questionnaire.validate import survey_today

FORMULA_SIGNS = "=+-@\uff1d\uff0b\uff0d\uff20"  # and their full-width forms
_FORMULA = re.compile(rf"^(?:[\t\r]|\s*[{re.escape(FORMULA_SIGNS)}])")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could run `text` as a formula."""
    return bool(_FORMULA.match(text)) and not _PLAIN_NUMBER.fullmatch(text)


def csv_text(text: str) -> str:
    """`text` as a CSV cell: a leading apostrophe when it could run as a formula."""
    return "'" + text if is_formula_like(text) else text


def csv_text_column(values: pd.Series) -> pd.Series:
    """csv_text for a whole text column (missing values stay missing)."""
    values = values.astype("string")
    risky = values.str.match(_FORMULA.pattern).fillna(False) & ~values.str.fullmatch(_PLAIN_NUMBER.pattern).fillna(False)
    return values.mask(risky, "'" + values)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, default: str = "export") -> str:
    """A download name made of ASCII letters, digits, '.', '_' and '-' only: no path
    separators, no leading dot or dash, at most 120 characters, never empty."""
    ascii_name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    cleaned = _UNSAFE.sub("_", ascii_name).strip("._-")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)[:120].rstrip("._-")
    return cleaned or default


def export_filename(what: str, ext: str, identified: bool | None = None, lang: str | None = None,
                    day: dt.date | None = None) -> str:
    """The suggested download name, e.g. ``household_members_deidentified_en_2026-05-01.sav``."""
    parts = [what]
    if identified is not None:
        parts.append("identified" if identified else "deidentified")
    if lang:
        parts.append(lang)
    parts.append((day or survey_today()).isoformat())   # the study's day (WIB), as everywhere
    return safe_filename("_".join(parts)) + "." + safe_filename(ext, "bin")


class XlsxCells:
    """An xlsxwriter workbook in memory that only writes typed cells: text as text
    (never a formula, URL or guessed number), numbers as numbers, dates as dates."""

    def __init__(self, constant_memory: bool = False, target=None):
        self.buffer = io.BytesIO() if target is None else target  # `target`: a file to write the book to
        self.book = xlsxwriter.Workbook(self.buffer, {
            "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
            # constant_memory streams rows through temporary files; in_memory would override it
            "constant_memory": constant_memory, "in_memory": not constant_memory,
        })
        self.quoted = self.book.add_format({"quote_prefix": True})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.bold = self.book.add_format({"bold": True})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})

    def sheet(self, name: str):
        return self.book.add_worksheet(name[:31])

    def text(self, sheet, row: int, col: int, value: Any, fmt=None) -> None:
        if value is None or value is pd.NA or value == "":
            sheet.write_blank(row, col, None, fmt)  # an empty cell, not an empty text
            return
        # A CR would be stored as the escape _x000D_, which Excel decodes but openpyxl and
        # pandas show as is; a line break in a cell is LF in Excel's own files.
        text = str(value).replace("\r\n", "\n").replace("\r", "\n")
        sheet.write_string(row, col, text, self.quoted if fmt is None and is_formula_like(text) else fmt)

    def number(self, sheet, row: int, col: int, value: Any, fmt=None) -> None:
        if value is None or value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
            sheet.write_blank(row, col, None, fmt)
        else:
            sheet.write_number(row, col, value, fmt)

    def day(self, sheet, row: int, col: int, value: dt.date | None) -> None:
        if value is None or value is pd.NaT:
            sheet.write_blank(row, col, None)
        else:
            sheet.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), self.date)

    def moment(self, sheet, row: int, col: int, value: Any) -> None:
        """A UTC timestamp, written without its zone (spreadsheets have none)."""
        if value is None or value is pd.NaT:
            sheet.write_blank(row, col, None)
        else:
            sheet.write_datetime(row, col, pd.Timestamp(value).tz_convert("UTC").tz_localize(None).to_pydatetime(),
                                 self.datetime)

    def header(self, sheet, row: int, values: list[str]) -> None:
        for col, value in enumerate(values):
            self.text(sheet, row, col, value, self.bold)

    def close(self) -> bytes | None:
        """The workbook's bytes (None when it was written to a `target` file)."""
        self.book.close()
        return self.buffer.getvalue() if isinstance(self.buffer, io.BytesIO) else None
