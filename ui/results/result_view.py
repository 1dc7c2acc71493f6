"""How the analysis pages draw a result: the count line, design warnings, table, notes, downloads.

Each takes a SummaryTable (or its Provenance) and the language and draws the same
parts in the same places on every page, so a reader always finds "n responses, the
last at 14:05 WIB" above the results and the sources below them.  The downloads are
drawn outside the live results (see ``ui.results.downloads``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
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
# Text longer than its column wraps instead of being cut (the eleven HH14 rows differ only at the
# end of their label): Streamlit 1.67 wraps a cell's text once the rows are taller than 4rem.
# In a table wider than TABLE_PIXELS (a laptop's page), the columns wider than WIDE_PIXELS share what
# the others leave, in proportion to their text and each at least WRAP_PIXELS wide, so that the last one (the stage
# table's "Missing for the next stage") is not pushed out of view; the rows are as tall as the
# longest text needs, up to MAX_LINES.
TABLE_PIXELS, WIDE_PIXELS, WRAP_PIXELS, MAX_LINES = 740, 200, 130, 6
LINE_PIXELS, WRAP_ROW_PIXELS = 19, 65


def _longest(frame: pd.DataFrame, column) -> int:
    return int(frame[column].astype(str).str.len().max()) if len(frame) else len(str(column))


def _lines(chars: int, width: int) -> int:
    """Lines a text of ``chars`` characters takes in a column ``width`` pixels wide (CHAR_PIXELS
    is a little more than a character's width: words wrap whole)."""
    return 1 if CHAR_PIXELS * chars + 24 <= width else -(-CHAR_PIXELS * chars // (width - 16))


def table_layout(table: SummaryTable, frame: pd.DataFrame, lang: str) -> tuple[dict, int]:
    """(column config, row height): each column as wide as its values, and text too long for its
    column wrapped whole on taller rows. A long header is cut; hovering shows it whole."""
    first = frame.columns[0] if len(frame.columns) and table.keys and table.label(table.keys[0], lang) == \
        frame.columns[0] else None
    longest = {column: _longest(frame, column) for column in frame.columns}
    widths = {column: min(COLUMN_PIXELS[1], max(COLUMN_PIXELS[0], CHAR_PIXELS * max(chars, 4) + 24))
              for column, chars in longest.items()}
    wide = [column for column in frame.columns if widths[column] > WIDE_PIXELS]
    if len(wide) > 1 and sum(widths.values()) > TABLE_PIXELS:
        spare = TABLE_PIXELS - sum(width for column, width in widths.items() if column not in wide)
        chars = sum(longest[column] for column in wide)
        for column in wide:
            widths[column] = max(WRAP_PIXELS, min(widths[column], spare * longest[column] // chars))
    lines = min(MAX_LINES, max(_lines(longest[column], widths[column]) for column in frame.columns)) \
        if len(frame.columns) else 1
    config = {column: st.column_config.Column(
        width=widths[column], help=column if len(column) > longest[column] else None,
        pinned=True if column == first and widths[column] <= PIN_PIXELS else None) for column in frame.columns}
    return config, ROW_PIXELS if lines == 1 else max(WRAP_ROW_PIXELS, 8 + LINE_PIXELS * lines)


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


# A table a cache shares between reruns (the review queue, the monitor's tables: the same SummaryTable
# object until the store or the filters change) is written as text once, not on every rerun (1 s for a
# queue of 100,000 interviews).  SummaryTables are immutable: while one is held here, its id names its
# text.  At most DRAWN_ENTRIES tables and DRAWN_ROWS rows in all (the oldest drawn leave first).
_DRAWN: OrderedDict = OrderedDict()   # (id(table), lang) -> (table, frame, layout)
DRAWN_ENTRIES, DRAWN_ROWS = 64, 400_000
_drawn_lock = threading.Lock()


def _drawn(table: SummaryTable, lang: str) -> tuple[pd.DataFrame, tuple[dict, int]]:
    """(the table as text in ``lang``, its layout), from the memo when this very table was drawn before."""
    key = (id(table), lang)
    with _drawn_lock:
        found = _DRAWN.get(key)
        if found is not None and found[0] is table:
            _DRAWN.move_to_end(key)
            return found[1].copy(deep=False), found[2]
    frame = table.to_frame(lang, formatted=True)
    layout = table_layout(table, frame, lang)
    if len(frame) <= DRAWN_ROWS:
        with _drawn_lock:
            _DRAWN[key] = (table, frame, layout)
            while len(_DRAWN) > DRAWN_ENTRIES or sum(len(kept[1]) for kept in _DRAWN.values()) > DRAWN_ROWS:
                _DRAWN.popitem(last=False)
    return frame.copy(deep=False), layout


HIGHLIGHT = "background-color: #fdecea"   # a row that misses its target (the monitor's precision)


def table_ui(table: SummaryTable, key: str, lang: str, title: bool = True, shown: tuple = (),
             highlight=None, table_key: str | None = None) -> None:
    """The table as the language writes it, its notes (but those ``shown`` already) and the sources.
    ``highlight``: one truth value per row, the rows to tint; ``table_key``: the table's widget key
    (``<key>_table`` unless a page's tests know another)."""
    if title:
        st.markdown(f"**{pick(table.title, lang)}**" + (f" · {pick(table.subtitle, lang)}" if table.subtitle else ""))
    frame, (config, row) = _drawn(table, lang)
    height = ROW_PIXELS + row * min(len(frame), MAX_ROWS_SHOWN) + 3
    shown_frame = frame
    if highlight is not None:
        marks = list(highlight)
        shown_frame = frame.style.apply(lambda r: [HIGHLIGHT if marks[r.name] else "" for _ in r], axis=1)
    st.dataframe(shown_frame, hide_index=True, width="stretch", height=height, key=table_key or f"{key}_table",
                 column_config=config, row_height=row)
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


def summary_ui(table: SummaryTable, key: str, page: str, lang: str, **options) -> None:
    """A table with its notes and its download buttons under it (a page that does not refresh itself:
    a live one draws its downloads outside its fragment with :func:`downloads_ui`)."""
    table_ui(table, key, lang, **options)
    if len(table):
        table_downloads(table, page, key, lang)


def chart_ui(chart, key: str) -> None:
    """A chart, or a list of charts drawn one under the other (None: nothing to draw)."""
    charts = chart if isinstance(chart, list) else [chart]
    for i, one in enumerate(c for c in charts if c is not None):
        st.altair_chart(one, width="stretch", key=f"{key}_chart" + (f"_{i}" if i else ""))
