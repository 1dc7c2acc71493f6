"""How the analysis pages draw a result: the count line, design warnings, table, notes, downloads.

Each takes a SummaryTable (or its Provenance) and the language and draws the same
parts in the same places on every page, so a reader always finds "n responses, the
last at 14:05 WIB" above the results and the sources below them.  The downloads are
drawn outside the live results (see ``ui.results.downloads``).
"""

from __future__ import annotations

from typing import Callable, Mapping

import pandas as pd
import streamlit as st

from analysis.dataset.provenance import Provenance
from analysis.tables.summary_table import SummaryTable
from survey.locale import pick
from ui.i18n import t
from ui.results.downloads import table_downloads

ROW_PIXELS = 35       # st.dataframe's row height
MAX_ROWS_SHOWN = 25   # longer tables scroll; shorter ones show every row
CHAR_PIXELS, COLUMN_PIXELS = 7, (56, 340)   # a column as wide as its longest value, within bounds
PIN_PIXELS = 180      # the first column (a row's name) stays in view while the numbers scroll, if narrow


def _column_widths(table: SummaryTable, frame: pd.DataFrame, lang: str) -> dict:
    """Each column as wide as its values (a long header is cut; hovering shows it whole)."""
    first = frame.columns[0] if len(frame.columns) and table.keys and table.label(table.keys[0], lang) == \
        frame.columns[0] else None
    config = {}
    for column in frame.columns:
        longest = int(frame[column].astype(str).str.len().max()) if len(frame) else len(column)
        width = min(COLUMN_PIXELS[1], max(COLUMN_PIXELS[0], CHAR_PIXELS * max(longest, 4) + 24))
        config[column] = st.column_config.Column(width=width, help=column if len(column) > longest else None,
                                                 pinned=True if column == first and width <= PIN_PIXELS else None)
    return config


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


def table_ui(table: SummaryTable, key: str, lang: str, title: bool = True, shown: tuple = ()) -> None:
    """The table as the language writes it, its notes (but those ``shown`` already) and the sources."""
    if title:
        st.markdown(f"**{pick(table.title, lang)}**" + (f" · {pick(table.subtitle, lang)}" if table.subtitle else ""))
    frame = table.to_frame(lang, formatted=True)
    height = ROW_PIXELS * (min(len(frame), MAX_ROWS_SHOWN) + 1) + 3
    st.dataframe(frame, hide_index=True, width="stretch", height=height, key=f"{key}_table",
                 column_config=_column_widths(table, frame, lang))
    for note in table.notes:
        if note not in shown:
            st.caption(pick(note, lang))
    if table.provenance is not None:
        with st.expander(t("sources", lang), icon=":material/info:"):
            for line in table.provenance.lines(lang):
                st.caption(line)


def downloads_ui(tables: Mapping[str, Callable[[], SummaryTable | None]], page: str, lang: str) -> None:
    """The download buttons of a page's tables (key -> how to build the table), drawn outside
    its live results: each file is built from the table as it is when the button is pressed."""
    shown = {key: build for key, build in tables.items() if (table := build()) is not None and len(table)}
    if not shown:
        return
    columns = st.columns(len(shown))
    for column, (key, build) in zip(columns, shown.items()):
        with column:
            table_downloads(build, page, key, lang)


def chart_ui(chart, key: str) -> None:
    """A chart, or a list of charts drawn one under the other (None: nothing to draw)."""
    charts = chart if isinstance(chart, list) else [chart]
    for i, one in enumerate(c for c in charts if c is not None):
        st.altair_chart(one, width="stretch", key=f"{key}_chart" + (f"_{i}" if i else ""))
