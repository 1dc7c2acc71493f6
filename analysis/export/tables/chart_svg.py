"""SummaryTable -> Altair chart (Vega-Lite), and that chart as inline SVG for HTML files.

One chart spec for every table the app shows, read from the table alone (plain
Altair, no Streamlit, so a page can show the same chart with ``st.altair_chart``):
horizontal bars of the table's estimate per row label, its confidence interval as a
line across the bar's end, and the estimate written beside it as the app writes it
(``45,2%*``), with BPS's reliability mark (analysis.tables.summary_table). What each kind plots:

* estimates, indicators, leadership, cross-tabs: ``estimate`` with ``ci_low``-``ci_high``
  per category (the key that names the row: a choice, statistic, indicator -- labelled
  with its code first --, row),
  side by side in colours by ``col`` (a cross-tab's column) or ``by`` (a breakdown),
  one panel per ``layer``. Only rows in the table's main unit are drawn (percentages
  when there are any: the indicator tables' rupiah mean HH16 stays in the table only);
* stages: each agency's level on the ladder (0-5);
* distribution: the number of agencies at each stage.

Percentages (0-100) are drawn on a 0-100 axis. Axis numbers follow the language
(Vega's number locale: ``1.234,5`` in Bahasa Indonesia).

The SVG is rendered by vl-convert: Vega-Lite and Vega compiled into the wheel and run
by an embedded JavaScript engine, so no browser and no network are needed; external
data requests are refused. The SVG has no namespace URLs (HTML's parser gives inline
SVG its namespace), so an HTML page that holds it names no outside address.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import vl_convert

from analysis.tables.summary_table import RELIABILITY_MARKS, SummaryTable
from survey import locale as formatting
from survey.locale import pick

VALUE_COLUMN = {"stages": "stage_number", "distribution": "agencies"}  # else "estimate"
WIDTH = 340          # pixels of the plotting area
STEP = 18            # pixels per bar
LABEL_CHARS = 56     # characters of a category label before it is cut with an ellipsis (the tooltip has it all)
LEGEND_CHARS = 40
BAR_COLOR = "#4C78A8"
_SUPPORTED = set(vl_convert.get_vegalite_versions())
_WANTED = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])  # Altair's Vega-Lite, e.g. "6.4"
VL_VERSION = _WANTED if _WANTED in _SUPPORTED else None           # None: vl-convert's newest


def roles(table: SummaryTable) -> dict[str, str | None]:
    """Which key names the bars (label), colours them (group) and splits panels (facet)."""
    keys = list(table.keys)
    facet = "layer" if "layer" in keys else None
    group = "col" if "col" in keys else ("by" if "by" in keys and len(keys) > 1 else None)
    rest = [k for k in keys if k not in (facet, group)]
    return {"label": rest[-1] if rest else None, "group": group, "facet": facet}


def _plain(value: Any) -> Any:
    if isinstance(value, (np.floating, float)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _cut(label: str, limit: int) -> str:
    """A label cut in its middle (its end tells categories apart: "Internet users, by place
    of use: at home"), at spaces where it can be. Cut here: Vega's own cutting
    (labelLimit) measures the text over and over and makes a long chart slow to render."""
    if len(label) <= limit:
        return label
    room = limit - 3                      # the " … " between
    start = len(label) - room * 3 // 5    # the tail: the last three fifths
    space = label.rfind(" ", start - 8, start)
    start = space + 1 if space >= 0 else start
    head = label[: max(room - (len(label) - start), 1)]
    space = head.rfind(" ")
    if space >= len(head) - 8:
        head = head[:space]
    return f"{head.rstrip(' ,;:')} … {label[start:].lstrip(' ,;:')}"


def _distinct(labels: list[str], keys: list) -> list[str]:
    """Labels made distinct again where cutting made two categories look alike."""
    seen: dict[str, object] = {}
    out = []
    for label, key in zip(labels, keys):
        n, candidate = 1, label
        while candidate in seen and seen[candidate] != key:
            n += 1
            candidate = f"{label} ({n})"
        seen[candidate] = key
        out.append(candidate)
    return out


def chart_data(table: SummaryTable, lang: str) -> pd.DataFrame | None:
    """The rows a chart draws: label (cut), full (the whole label), group, facet, value,
    low, high, end, text, unit."""
    value = VALUE_COLUMN.get(table.kind, "estimate")
    data = table.data
    if len(data) == 0 or value not in data or value not in table.columns:
        return None
    kinds = np.asarray(table.kinds(value), dtype=object)
    unit = "percent" if (kinds == "percent").any() else str(kinds[0])
    values = pd.to_numeric(data[value], errors="coerce").to_numpy(dtype=float)
    keep = (kinds == unit) & np.isfinite(values)
    if not keep.any():
        return None
    who = roles(table)
    decimals = table.columns[value].decimals
    out = pd.DataFrame({"value": values})
    for role, column in who.items():
        out[role] = ([table.value_label(column, v, lang) for v in data[column]] if column is not None
                     else [table.label(value, lang)] * len(data))
    if table.kind == "indicators" and "code" in data:  # the code tells long, alike labels apart
        out["label"] = [f"{code} {label}" for code, label in zip(data["code"], out["label"])]
    out["full"] = out["label"]
    out["label"] = _distinct([_cut(x, LABEL_CHARS) for x in out["label"]], list(out["full"]))
    out["group"] = _distinct([_cut(x, LEGEND_CHARS) for x in out["group"]], list(out["group"]))
    has_ci = "ci_low" in data and "ci_high" in data and value == "estimate"
    out["low"] = pd.to_numeric(data["ci_low"], errors="coerce").to_numpy(dtype=float) if has_ci else np.nan
    out["high"] = pd.to_numeric(data["ci_high"], errors="coerce").to_numpy(dtype=float) if has_ci else np.nan
    out["end"] = np.fmax(out["value"], out["high"])
    flags = data["reliability"].tolist() if "reliability" in data else [""] * len(data)
    out["text"] = [formatting.value(v, unit, lang, decimals) + RELIABILITY_MARKS.get(f if isinstance(f, str) else "", "")
                   for v, f in zip(values, flags)]
    if table.kind == "stages" and "stage" in data:  # the stage's name says more than its number
        out["text"] = [table.value_label("stage", v, lang) for v in data["stage"]]
    out["unit"] = unit
    return out[keep].reset_index(drop=True)


def chart(table: SummaryTable, lang: str):
    """The table's chart (an Altair chart with its configuration), or None when there is
    nothing to draw (no rows, no estimate)."""
    frame = chart_data(table, lang)
    if frame is None:
        return None
    who = roles(table)
    value = VALUE_COLUMN.get(table.kind, "estimate")
    unit = frame["unit"].iloc[0]
    labels = list(dict.fromkeys(frame["label"]))
    groups = list(dict.fromkeys(frame["group"])) if who["group"] else []
    records = [{k: _plain(v) for k, v in row.items()} for row in
               frame[["label", "full", "group", "facet", "value", "low", "high", "end", "text"]].to_dict("records")]
    y = alt.Y("label:N", sort=labels, title=None, axis=alt.Axis(labelLimit=0))
    shared: dict[str, Any] = {"y": y}
    if groups:
        shared["yOffset"] = alt.YOffset("group:N", sort=groups)
        color = alt.Color("group:N", sort=groups, title=_cut(table.label(who["group"], lang), 2 * LEGEND_CHARS),
                          legend=alt.Legend(orient="bottom", columns=3, labelLimit=0, titleLimit=0))
    else:
        color = alt.value(BAR_COLOR)
    title = table.label(value, lang) + (" (%)" if unit == "percent" else "")
    scale = alt.Scale(domain=[0, 100]) if unit == "percent" else alt.Scale(zero=True, nice=True)
    axis = alt.Axis(tickMinStep=1, format="d") if unit in ("count", "integer") else alt.Axis()
    tooltip = [alt.Tooltip("full:N", title=table.label(who["label"], lang) if who["label"] else title)]
    if groups:
        tooltip.append(alt.Tooltip("group:N", title=table.label(who["group"], lang)))
    tooltip.append(alt.Tooltip("text:N", title=table.label(value, lang)))
    layers = [alt.Chart().mark_bar().encode(x=alt.X("value:Q", title=title, scale=scale, axis=axis), color=color,
                                            tooltip=tooltip, **shared)]
    if frame["high"].notna().any():
        layers.append(alt.Chart().mark_rule(color="#222222", strokeWidth=1.2).encode(x="low:Q", x2="high:Q", **shared))
    layers.append(alt.Chart().mark_text(align="left", dx=4, fontSize=10, color="#222222").encode(
        x="end:Q", text="text:N", **shared))
    per_panel = len(labels) * max(1, len(groups))
    layered = alt.layer(*layers, data=alt.Data(values=records)).properties(width=WIDTH, height=per_panel * STEP)
    if who["facet"]:
        panels = list(dict.fromkeys(frame["facet"]))
        layered = layered.facet(row=alt.Row("facet:N", sort=panels, title=table.label("layer", lang),
                                            header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=0)))
    return layered.configure(locale={"number": formatting.number_locale(lang)}).configure_view(stroke=None)


_NAMESPACES = re.compile(r'\s+xmlns(?::xlink)?="[^"]*"')


def chart_svg(table: SummaryTable, lang: str) -> str | None:
    """The chart as an ``<svg>`` element for inline use in HTML, or None (no chart)."""
    spec = chart(table, lang)
    if spec is None:
        return None
    svg = vl_convert.vegalite_to_svg(spec.to_dict(), vl_version=VL_VERSION, allowed_base_urls=[])
    head, rest = svg.split(">", 1)
    head = _NAMESPACES.sub("", head)
    label = escape(pick(table.title, lang), quote=True)
    return f'{head} role="img" aria-label="{label}">{rest}'
