"""The downloads of a table a page shows: built only when asked for, the role checked then.

:func:`table_downloads` is the one place that draws a SummaryTable's download
buttons (CSV today; the exports add XLSX and HTML here).  Each file is made by a
callable (``st.download_button(data=...)``) that Streamlit runs when the button is
pressed, wrapped in ``auth.guarded`` so the role is checked again at that moment.

Draw the buttons outside a live fragment (``ui.live``): Streamlit 1.67 drops the deferred
download of a button that a fragment's refresh redrew once another session closes, so
the button would lead nowhere (tests/e2e/test_researcher_browser.py).  Given a function
that builds the table, the file has the numbers as they are at the click.

CSV: the table as ``SummaryTable.to_frame(lang)``: headers and category labels in
the chosen language, numbers as plain numbers (a dot for decimals, any precision),
UTF-8 with a byte-order mark so spreadsheets in any locale read the accents, lines
ending in CR LF (RFC 4180, so a cell holding a CR is quoted).  A
text cell that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) gets a leading apostrophe (OWASP, "CSV
Injection"); numbers are never touched, so -5 stays a number.  This is a private
writer until ``analysis.export``'s lands.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Callable

import pandas as pd
import streamlit as st

from analysis.formatting import WIB
from analysis.tables import SummaryTable
from survey.i18n import pick
from ui import auth
from ui.i18n import t

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralised(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def csv_bytes(table: SummaryTable, lang: str) -> bytes:
    frame = table.to_frame(lang)
    frame.columns = [_neutralised(str(c)) for c in frame.columns]
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].map(_neutralised)
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")   # RFC 4180: CR LF, CR quoted


def file_name(table: SummaryTable, page: str, lang: str, suffix: str) -> str:
    """``<page>-<title>-<date>.<suffix>``: ASCII letters, digits and dashes only."""
    ascii_title = unicodedata.normalize("NFKD", pick(table.title, lang)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].rstrip("-") or "table"
    return f"{page}-{slug}-{dt.datetime.now(WIB):%Y-%m-%d}.{suffix}"


def table_downloads(table: SummaryTable | Callable[[], SummaryTable], page: str, key: str, lang: str) -> None:
    """The download buttons of ``table`` on ``page`` (widget keys start with ``key``).

    ``table`` may be a function that returns it: the file is then made from the table as it
    is when the button is pressed (a live page's latest numbers).
    """
    build = table if callable(table) else (lambda: table)
    now = build()
    label = t("download_csv_of", lang, title=pick(now.title, lang))
    st.download_button(label, data=auth.guarded(page, lambda: csv_bytes(build(), lang)),
                       file_name=file_name(now, page, lang, "csv"), mime="text/csv", key=f"{key}_csv",
                       on_click="ignore", icon=":material/download:")
