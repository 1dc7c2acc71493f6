"""A table's chart as inline SVG for HTML files: the chart the pages draw (analysis.charts).

:func:`chart` is ``analysis.charts.chart_of``: one chart spec per kind of table, shared by the
pages (``st.altair_chart``) and the printable files, so screen and paper draw the same numbers the
same way. Here it gets a fixed width (a page fits it to the screen's; paper has none) and is
rendered by vl-convert: Vega-Lite and Vega compiled into the wheel and run by an embedded
JavaScript engine, so no browser and no network are needed; external data requests are refused.
The SVG has no namespace URLs (HTML's parser gives inline SVG its namespace), so an HTML page that
holds it names no outside address.
"""

from __future__ import annotations

import re
from html import escape

import altair as alt
import vl_convert

from analysis.charts import chart_of
from analysis.tables.summary_table import SummaryTable
from survey.locale import pick

WIDTH = 340          # pixels of the plotting area
_SUPPORTED = set(vl_convert.get_vegalite_versions())
_WANTED = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])  # Altair's Vega-Lite, e.g. "6.4"
VL_VERSION = _WANTED if _WANTED in _SUPPORTED else None           # None: vl-convert's newest


def chart(table: SummaryTable, lang: str):
    """The table's chart (an Altair chart with its configuration), or None when there is
    nothing to draw (no rows, no estimate, a kind of table without a chart)."""
    return chart_of(table, lang)


def _sized(spec: dict) -> dict:
    """The spec with a plotting area WIDTH wide where it has none (in a facet, each panel's)."""
    inner = spec.get("spec", spec) if "facet" in spec else spec
    if "width" not in inner and not any(k in inner for k in ("hconcat", "vconcat", "concat")):
        inner["width"] = WIDTH
    return spec


_NAMESPACES = re.compile(r'\s+xmlns(?::xlink)?="[^"]*"')


def chart_svg(table: SummaryTable, lang: str) -> str | None:
    """The chart as an ``<svg>`` element for inline use in HTML, or None (no chart)."""
    spec = chart(table, lang)
    if spec is None:
        return None
    svg = vl_convert.vegalite_to_svg(_sized(spec.to_dict()), vl_version=VL_VERSION, allowed_base_urls=[])
    head, rest = svg.split(">", 1)
    head = _NAMESPACES.sub("", head)
    label = escape(pick(table.title, lang), quote=True)
    return f'{head} role="img" aria-label="{label}">{rest}'
