"""An XLSForm workbook as plain rows: each sheet's rows as {column: text} with the row number
the spreadsheet shows (the header is row 1), and each column's language read from its name.

ODK and Kobo name a translated column ``label::English (en)``; the code in brackets decides
the language, else the name does (``label::Indonesian``, ``label::Bahasa Indonesia``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

from survey.locale import LANGUAGES

_CODE = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\s*\)\s*$")
_NAMES = {"english": "en", "inggris": "en", "bahasa inggris": "en",
          "indonesian": "id", "indonesia": "id", "bahasa indonesia": "id", "bahasa": "id"}
_ISO = {"eng": "en", "ind": "id"}


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it: the header is row 1
    cells: dict[str, str]  # column (as written, stripped) -> text; empty cells left out


@dataclass(frozen=True)
class Sheet:
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def language_of(name: str) -> str | None:
    """Our language code of an XLSForm language name, or None when it is not one of ours."""
    if m := _CODE.search(name):
        code = m[1].lower()
        code = _ISO.get(code, code)
        return code if code in LANGUAGES else None
    return _NAMES.get(name.strip().lower())


def split_column(column: str) -> tuple[str, str | None]:
    """``label::English (en)`` -> ("label", "English (en)"); ``label`` -> ("label", None)."""
    key, sep, language = column.partition("::")
    return key.strip().lower(), (language.strip() if sep else None)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value).strip()


def read_workbook(path: Path | str) -> dict[str, Sheet]:
    """{sheet name in lower case: Sheet} of an .xlsx XLSForm."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = {}
        for ws in book.worksheets:
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None) or ()
            columns = tuple(_text(c) if c is not None else "" for c in header)
            out = []
            for number, values in enumerate(rows, start=2):
                cells = {columns[i]: _text(v) for i, v in enumerate(values)
                         if i < len(columns) and columns[i] and v is not None and _text(v) != ""}
                if cells:
                    out.append(Row(number, cells))
            sheets[ws.title.strip().lower()] = Sheet(tuple(c for c in columns if c), tuple(out))
        return sheets
    finally:
        book.close()
