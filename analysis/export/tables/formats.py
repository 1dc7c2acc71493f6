"""One SummaryTable as a file: CSV, XLSX or HTML, for every table the app shows.

    data = table_file(table, "xlsx", "id")               # bytes
    name = table_filename(table, "xlsx", "id")          # a safe download name
    mime = MEDIA_TYPES["xlsx"]                            # analysis.export.files

The renderers: table_csv.py (for programs: numbers and labels), table_xlsx.py (for a
report: title, number formats, reliability marks, notes), table_html.py (a printable
page with the chart as inline SVG). A table download is recorded in the audit log when
an `audit` log and a `user` are given (the pages' table downloads need not be).
"""

from __future__ import annotations

import datetime as dt
import re

from analysis.export.audit import recorded
from analysis.export.errors import check_option
from analysis.export.files import MEDIA_TYPES  # noqa: F401 (the files' media types, for callers)
from analysis.export.safe_cells import export_filename
from analysis.export.tables import as_csv as table_csv
from analysis.export.tables import as_html as table_html
from analysis.export.tables import as_xlsx as table_xlsx
from analysis.tables.summary_table import SummaryTable
from survey.fieldwork.audit_log import AuditLog
from survey.locale import LANGUAGES, pick

TABLE_FORMATS = ("csv", "xlsx", "html")
_RENDERERS = {"csv": table_csv.render, "xlsx": table_xlsx.render, "html": table_html.render}
_NAME_WORDS = 8  # words of the English title kept in a download name


def table_file(table: SummaryTable, fmt: str, lang: str = "en", *, user: str | None = None,
               audit: AuditLog | None = None) -> bytes:
    """`table` as a CSV, XLSX or HTML file in `lang`. ExportError for an unknown format."""
    detail = {"format": fmt, "lang": lang, "identified": False}
    with recorded(audit if user is not None else None, user or "", f"table/{table.kind}", **detail) as done:
        check_option(fmt, TABLE_FORMATS, {"id": "Format", "en": "format"})
        check_option(lang, LANGUAGES, {"id": "Bahasa", "en": "language"})
        data = _RENDERERS[fmt](table, lang)
        done.update(rows=len(table), bytes=len(data), title=pick(table.title, "en"))
    return data


def table_filename(table: SummaryTable, fmt: str, lang: str = "en", day: dt.date | None = None) -> str:
    """A safe download name from the table's English title, e.g.
    ``Household_ICT_indicators_ITU_HH1-HH16_id_2026-05-01.xlsx``."""
    words = re.findall(r"[A-Za-z0-9][A-Za-z0-9-]*", pick(table.title, "en"))[:_NAME_WORDS]
    return export_filename("_".join(words) or table.kind, fmt, None, lang, day)
