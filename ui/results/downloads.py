"""The downloads of a table a page shows: built only when asked for, the role checked then.

:func:`table_downloads` is the one place that draws a SummaryTable's download buttons:
CSV (for programs), XLSX (for a report) and HTML (a printable page with the chart), all
rendered by ``analysis.export.table_file`` from the same SummaryTable (formula-safe
cells, numbers as numbers; see analysis/export/tables/formats.py). Each file is made by a
callable (``st.download_button(data=...)``) that Streamlit runs when the button is
pressed, wrapped in ``auth.guarded`` so the role is checked again at that moment, and
recorded in the audit log under the user's name, as every export is.

Draw the buttons outside a live fragment (``ui.results.live``): Streamlit 1.67 drops the deferred
download of a button that a fragment's refresh redrew once another session closes, so
the button would lead nowhere (tests/e2e/test_researcher_browser.py).  Given a function
that builds the table, the file has the numbers as they are at the click.
"""

from __future__ import annotations

import re
from typing import Callable

import streamlit as st

from analysis.export import MEDIA_TYPES, TABLE_FORMATS, table_file, table_filename
from analysis.tables.summary_table import SummaryTable
from survey.locale import pick
from ui import auth
from ui.i18n import t
from ui.store import get_store

ICONS = {"csv": ":material/csv:", "xlsx": ":material/table_view:", "html": ":material/print:"}


def table_downloads(table: SummaryTable | Callable[[], SummaryTable], page: str, key: str, lang: str) -> None:
    """The download buttons of ``table`` on ``page`` (widget keys ``<key>_csv``, ``_xlsx``, ``_html``),
    under a line naming the table.

    ``table`` may be a function that returns it: the file is then made from the table as it
    is when the button is pressed (a live page's latest numbers).
    """
    build = table if callable(table) else (lambda: table)
    now = build()
    user = auth.current_user()
    audit = get_store().audit
    # Which table the buttons are for: a page may show two sets side by side (or, on a phone, one under the other).
    title = re.sub(r"([\\`*_\[\]<>#|~$])", r"\\\1", pick(now.title, lang))   # a title is text, not markdown
    st.caption(t("download_table_of", lang, title=title))
    columns = st.columns(len(TABLE_FORMATS))
    for column, fmt in zip(columns, TABLE_FORMATS):
        def data(fmt=fmt) -> bytes:
            return table_file(build(), fmt, lang, user=user.name if user else None, audit=audit)

        column.download_button(
            t(f"download_table_{fmt}", lang), data=auth.guarded(page, data), file_name=table_filename(now, fmt, lang),
            mime=MEDIA_TYPES[fmt], key=f"{key}_{fmt}", on_click="ignore", icon=ICONS[fmt], width="stretch")
