"""How the analysis pages draw a result: the count line, design warnings, table, notes, downloads.

Each takes a SummaryTable (or its Provenance) and the language and draws the same
parts in the same places on every page, so a reader always finds "n responses, the
last at 14:05 WIB" above the results and the sources below them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.provenance import Provenance
from analysis.tables import SummaryTable
from survey.i18n import pick
from ui.downloads import table_downloads
from ui.i18n import t

ROW_PIXELS = 35       # st.dataframe's row height
MAX_ROWS_SHOWN = 25   # longer tables scroll


def count_ui(provenance: Provenance, key: str, lang: str) -> None:
    """"1,234 responses, the last at 14:05 WIB" (in a keyed container, for the browser test)."""
    with st.container(key=f"{key}_count"):
        st.markdown(f"**{provenance.sentence(lang)}**")


def design_notes_ui(provenance: Provenance, lang: str) -> None:
    """Why the weights are not what the design asks for (no frame, empty cells, ...)."""
    notes = [note.text(lang) for note in provenance.notes]
    if notes:
        st.warning("\n".join(f"- {note}" for note in notes), icon=":material/warning:")


def empty_ui(provenance: Provenance, lang: str) -> bool:
    """Say what to do when there is nothing to show; True when the page should stop there."""
    if provenance.responses == 0:
        st.info(t("no_data", lang), icon=":material/info:")
        return True
    if provenance.in_filter == 0:
        st.info(t("no_data_in_filter", lang), icon=":material/filter_alt_off:")
        return True
    return False


def table_ui(table: SummaryTable, page: str, key: str, lang: str, title: bool = True, shown: tuple = ()) -> None:
    """The table as the language writes it, its notes (but those ``shown`` already), the sources and
    the downloads."""
    if title:
        st.markdown(f"**{pick(table.title, lang)}**" + (f" · {pick(table.subtitle, lang)}" if table.subtitle else ""))
    frame = table.to_frame(lang, formatted=True)
    # long labels get a column of their own width (the whole text shows on hover)
    wide = {}
    for column in frame.columns:
        longest = frame[column].astype(str).str.len().max() if len(frame) else 0
        if longest > 24 and not pd.api.types.is_numeric_dtype(frame[column]):
            wide[column] = st.column_config.TextColumn(width="large" if longest > 50 else "medium")
    height = ROW_PIXELS * (min(len(frame), MAX_ROWS_SHOWN) + 1) + 3   # short tables show every row
    st.dataframe(frame, hide_index=True, width="stretch", height=height, key=f"{key}_table", column_config=wide)
    for note in table.notes:
        if note not in shown:
            st.caption(pick(note, lang))
    if table.provenance is not None:
        with st.expander(t("sources", lang), icon=":material/info:"):
            for line in table.provenance.lines(lang):
                st.caption(line)
    table_downloads(table, page, key, lang)


def chart_ui(chart, key: str) -> None:
    if chart is not None:
        st.altair_chart(chart, width="stretch", key=f"{key}_chart")
