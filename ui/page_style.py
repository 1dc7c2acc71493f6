"""What every page shares in the browser: room for a table's toolbar, and no download outside the audit log.

Every download is recorded in the audit log (ui.results.downloads), so the exports that
Streamlit's own toolbars offer are switched off: a table's "Download as CSV" and clipboard
copy by ``client.disableDataExport`` in .streamlit/config.toml, and a chart's "Download as
PNG" and "Copy Vega-Lite spec" (its data) here, where the pages offer audited CSV, Excel
and printable files instead.

On a phone a table's toolbar, shown once the table is touched, stays above its top edge
and would cover the table's title: a table gets that much room above it.
"""

from __future__ import annotations

import streamlit as st

CSS = """<style>
[data-testid="stElementToolbarButton"]:has(button[aria-label^="Download as"]),
[data-testid="stElementToolbarButton"]:has(button[aria-label^="Copy Vega-Lite"]) { display: none; }
@media (max-width: 640px) {
  .stMain [data-testid="stElementContainer"]:has(> [data-testid="stFullScreenFrame"] > [data-testid="stDataFrame"]) {
    margin-top: 2rem;   /* with the 1rem gap: the 44 px toolbar */
  }
}
</style>"""


def style() -> None:
    """The shared CSS (drawn by app.py on every page)."""
    st.html(CSS)
