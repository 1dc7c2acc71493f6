"""Every chart of the app and of its printable files: SummaryTable (or a monitor's frame) -> Altair chart.

The one module of chart specs (issue 23): the pages hand a chart to ``st.altair_chart``
(ui.results.result_view.chart_ui) and the printable HTML (analysis.export.tables.chart_svg, the
indicator report) renders the same chart to SVG, so screen and paper draw the same numbers
the same way. One function per kind of table, each reading only the table (its data, value
labels and stats), so a chart shows exactly the numbers of the table beside it:

* :func:`shares_chart`: a choice question's shares (one bar per option for a
  select_multiple), with their confidence intervals as error bars, grouped by a
  breakdown when there is one;
* :func:`number_charts`: a number's histogram (``analysis.tables.histograms``, each bar
  with its interval) above a box plot (design-based quartiles, Tukey's whiskers)
  and the mean with its interval;
* :func:`crosstab_chart`: grouped or stacked bars, or a heatmap, of a cross-tab's
  percentages (one panel per layer);
* :func:`indicator_chart`, :func:`ladder_chart` (the stage ladder), :func:`city_chart`,
  :func:`leadership_chart`: the indicators page's tables;
* :func:`per_day_chart`, :func:`durations_chart`, :func:`precision_chart`: the fieldwork
  monitor's visits per day, interview lengths and the precision tracker;
* :func:`traffic_shares_chart`, :func:`visitors_chart`, :func:`device_chart`: website traffic;
* :func:`chart_of`: the chart of any table, by its kind (what a printable file draws).

Data are inline (Vega-Lite and its renderer come with Streamlit): no chart fetches
anything.  Axis numbers follow the language through Vega's number locale
(Indonesian ``1.234,5``); the labels on bars and in tooltips are written by
``survey.locale``, as in the tables.
"""

from __future__ import annotations

import textwrap

import altair as alt
import numpy as np
import pandas as pd

from analysis.dataset.response_rates import DISPOSITIONS
from analysis.indicators import egov
from analysis.tables.summary_table import SummaryTable
from survey import locale as formatting

BAR = 24          # pixels per bar of a horizontal bar chart, at least
LINE = 15         # pixels per line of a wrapped category label
PERCENT_TICKS = [0, 20, 40, 60, 80, 100]
AXIS_EXTENT = 60  # pixels of the y axis of a histogram and its box plot, so their x axes line up
LABEL_WIDTH = 30  # characters per line of a wrapped category label
TITLE_WIDTH = 40  # characters per line of a wrapped axis title
_WORDS = {
    "percent": {"en": "Percent", "id": "Persen"},
    "ci": {"en": "95% CI", "id": "SK 95%"},
    "n": {"en": "n", "id": "n"},
    "all": {"en": "All", "id": "Semua"},
    "mean": {"en": "Mean and its 95% CI", "id": "Rata-rata dan SK 95%"},
    "box": {"en": "Box: quartiles; line: median; whiskers: 1.5 × IQR; red: mean and its 95% CI",
            "id": "Kotak: kuartil; garis: median; batas: 1,5 × JAK; merah: rata-rata dan SK 95%"},
    "rupiah": {"en": "IDR", "id": "Rupiah"},
    "city": {"en": "the city", "id": "kota"},
    "share": {"en": "Percent of answers", "id": "Persen jawaban"},
    "agencies": {"en": "Agencies", "id": "Perangkat daerah"},
    "stage": {"en": "Stage", "id": "Tahap"},
    "index": {"en": "Index (0-100)", "id": "Indeks (0-100)"},
    "reliability": {"en": "Reliability", "id": "Keandalan"},
    "q1": {"en": "1st quartile", "id": "Kuartil 1"},
    "median": {"en": "Median", "id": "Median"},
    "q3": {"en": "3rd quartile", "id": "Kuartil 3"},
    "mean_alone": {"en": "Mean", "id": "Rata-rata"},
    "day": {"en": "Day", "id": "Hari"},
    "visits": {"en": "Visits", "id": "Kunjungan"},
    "outcome": {"en": "Outcome", "id": "Hasil"},
    "minutes": {"en": "Minutes", "id": "Menit"},
    "interviews": {"en": "Interviews", "id": "Wawancara"},
    "moe": {"en": "Estimate and its margin of error now", "id": "Estimasi dan margin of error sekarang"},
}
DISPOSITION_LABELS = {
    "complete": {"en": "Completed", "id": "Selesai"},
    "refusal": {"en": "Refusal", "id": "Menolak"},
    "noncontact": {"en": "Nobody home", "id": "Tidak ada orang"},
    "other": {"en": "Other", "id": "Lainnya"},
    "ineligible": {"en": "Vacant or not found", "id": "Kosong atau tidak ditemukan"},
}


def _word(key: str, lang: str) -> str:
    return formatting.text(_WORDS, key, lang)


def _wrapped(text: str) -> str:
    """A long category label on several lines (the axis splits it at "\\n")."""
    return "\n".join(textwrap.wrap(str(text), LABEL_WIDTH)) or str(text)


def _title_lines(text: str) -> list[str]:
    """An axis title on lines of TITLE_WIDTH characters (a long question is cut at the chart's edge)."""
    return textwrap.wrap(str(text), TITLE_WIDTH) or [str(text)]


def _step(labels, per_label: float = 1.0) -> alt.Step:
    """Room per category: its bars, and every line of its longest label."""
    lines = max((str(x).count("\n") + 1 for x in labels), default=1)
    return alt.Step(max(BAR * per_label, LINE * lines + 6))


def _finish(chart, lang: str):
    locale = alt.Locale(number=alt.NumberLocale(**formatting.number_locale(lang)))   # as the tables write numbers
    return chart.configure(locale=locale).configure_legend(orient="bottom", columns=2, labelLimit=260, title=None)


def _labels(table: SummaryTable, column: str, lang: str) -> list[str]:
    return [table.value_label(column, v, lang) for v in table.data[column]]


def _texts(table: SummaryTable, lang: str) -> pd.DataFrame:
    """The estimate columns of a table as numbers and as the table writes them."""
    data = table.data
    kinds = table.kinds("estimate") if "estimate" in table.columns else np.full(len(data), "number")
    out = pd.DataFrame({
        "estimate": pd.to_numeric(data["estimate"], errors="coerce"),
        "ci_low": pd.to_numeric(data.get("ci_low"), errors="coerce") if "ci_low" in data else np.nan,
        "ci_high": pd.to_numeric(data.get("ci_high"), errors="coerce") if "ci_high" in data else np.nan,
    })
    out["value"] = [formatting.value(v, k, lang) for v, k in zip(out["estimate"], kinds)]
    # where the value's text goes: after the interval, or the bar when there is none (a share the
    # weighting fixes has no interval: analysis.tables.calibrated)
    out["label_at"] = out["ci_high"].fillna(out["estimate"])
    out["interval"] = [formatting.interval(lo, hi, k, lang) for lo, hi, k in zip(out["ci_low"], out["ci_high"], kinds)]
    out["n"] = [formatting.number(v, lang, 0) for v in data["n"]] if "n" in data else ""
    out["reliability"] = _labels(table, "reliability", lang) if "reliability" in data else ""
    return out


def _tooltip(*fields: tuple[str, str]) -> list[alt.Tooltip]:
    return [alt.Tooltip(f"{name}:N", title=title) for name, title in fields]


def _bars(frame: pd.DataFrame, lang: str, category: str, group: str | None, title: str,
          percent: bool = True, order: list[str] | None = None, highlight: str | None = None) -> alt.LayerChart:
    """Horizontal bars of ``estimate`` per ``category`` (and ``group``) with error bars and values;
    the ``highlight`` category (an overall row) in a darker colour."""
    order = order or list(dict.fromkeys(frame[category]))
    y = alt.Y(f"{category}:N", sort=order, title=None,
              axis=alt.Axis(labelExpr="split(datum.label, '\\n')", labelLimit=190))
    scale = alt.Scale(domain=[0, 100]) if percent else alt.Scale(zero=True, nice=True)
    x = alt.X("estimate:Q", title=title, scale=scale, axis=alt.Axis(values=PERCENT_TICKS) if percent else alt.Axis())
    tips = _tooltip(("label" if "label" in frame else category, " "), *([(group, "  ")] if group else []),
                    ("value", title), ("interval", _word("ci", lang)), ("n", _word("n", lang)),
                    ("reliability", _word("reliability", lang)))
    encode, colour = dict(y=y, tooltip=tips), {}
    if group:
        groups = list(dict.fromkeys(frame[group]))
        encode["yOffset"] = alt.YOffset(f"{group}:N", sort=groups)
        colour["color"] = alt.Color(f"{group}:N", sort=groups)
    elif highlight is not None:
        colour["color"] = alt.condition(alt.datum[category] == highlight, alt.value("#1f3b63"), alt.value("#2b7bd0"))
    base = alt.Chart(frame).encode(**encode)
    bars = base.mark_bar(opacity=0.85).encode(x=x, **colour)
    errors = base.mark_rule(color="#333", strokeWidth=1.5).encode(x="ci_low:Q", x2="ci_high:Q")
    values = base.mark_text(align="left", dx=4, fontSize=11, color="#333").encode(
        x=alt.X("label_at:Q"), text="value:N")
    per_category = frame[group].nunique() if group else 1
    return alt.layer(bars, errors, values).properties(height=_step(order, max(1.0, 0.6 * per_category)))


def shares_chart(table: SummaryTable, lang: str):
    """Bars with error bars of a choice (or select_multiple) question's percentages."""
    if len(table) == 0:
        return None
    frame = _texts(table, lang)
    frame["category"] = [_wrapped(x) for x in _labels(table, "choice", lang)]
    group = None
    if "by" in table.keys:
        frame["group"] = _labels(table, "by", lang)
        group = "group"
    return _finish(_bars(frame, lang, "category", group, _word("percent", lang)), lang)


def _histogram_frame(histogram: SummaryTable, lang: str) -> pd.DataFrame:
    """The bins, open ones drawn one bin wide."""
    data = histogram.data
    frame = _texts(histogram, lang)
    low, high = data["low"].to_numpy(float), data["high"].to_numpy(float)
    inner = np.isfinite(low) & np.isfinite(high)
    width = float(np.median(high[inner] - low[inner])) if inner.any() else 1.0
    frame["low"] = np.where(np.isfinite(low), low, high - width)
    frame["high"] = np.where(np.isfinite(high), high, low + width)
    frame["range"] = _labels(histogram, "bin", lang)
    frame["middle"] = (frame["low"] + frame["high"]) / 2
    return frame


def _histogram(frame: pd.DataFrame, histogram: SummaryTable, domain: list[float], lang: str) -> alt.LayerChart:
    tips = _tooltip(("range", " "), ("value", _word("share", lang)), ("interval", _word("ci", lang)),
                    ("reliability", _word("reliability", lang)))
    base = alt.Chart(frame).encode(tooltip=tips)
    money = histogram.stats.get("value_kind") == "idr"
    bars = base.mark_bar(opacity=0.85, binSpacing=1).encode(
        x=alt.X("low:Q", title=_word("rupiah", lang) if money else None, scale=alt.Scale(domain=domain, nice=False)),
        x2="high:Q", y=alt.Y("estimate:Q", title=None, axis=alt.Axis(minExtent=AXIS_EXTENT)), y2=alt.datum(0))
    errors = alt.Chart(frame).mark_rule(color="#333").encode(x="middle:Q", y="ci_low:Q", y2="ci_high:Q",
                                                             tooltip=tips)
    title = alt.TitleParams(_word("share", lang), fontSize=12, fontWeight="normal", anchor="start")
    return alt.layer(bars, errors).properties(height=220, title=title)


def _boxes(estimates: SummaryTable, histogram: SummaryTable | None, domain: list[float] | None,
           lang: str) -> alt.LayerChart:
    data = estimates.data
    grouped = "by" in estimates.keys
    groups = _labels(estimates, "by", lang) if grouped else [_word("all", lang)] * len(data)
    kinds = estimates.kinds("estimate")
    rows = []
    for group in dict.fromkeys(groups):
        at = [i for i, g in enumerate(groups) if g == group]
        stat = {data["statistic"].iloc[i]: i for i in at}
        if not {"mean", "p25", "median", "p75"} <= set(stat):
            continue
        kind = kinds[at[0]]

        def value(name, column="estimate"):
            return float(data[column].iloc[stat[name]])

        row = {"group": group, "q1": value("p25"), "median": value("median"), "q3": value("p75"),
               "mean": value("mean"), "mean_low": value("mean", "ci_low"), "mean_high": value("mean", "ci_high")}
        row.update({f"{k}_text": formatting.value(row[k], kind, lang) for k in ("q1", "median", "q3", "mean")})
        row["mean_ci"] = formatting.interval(row["mean_low"], row["mean_high"], kind, lang)
        if histogram is not None and not grouped and "whiskers" in histogram.stats:
            row["low"], row["high"] = histogram.stats["whiskers"]
        else:
            row["low"], row["high"] = row["q1"], row["q3"]
        rows.append(row)
    frame = pd.DataFrame(rows)
    tips = _tooltip(("group", " "), *((f"{k}_text", _word(k, lang)) for k in ("q1", "median", "q3")),
                    ("mean_text", _word("mean_alone", lang)), ("mean_ci", _word("ci", lang)))
    y = alt.Y("group:N", title=None, sort=list(frame["group"]) if len(frame) else None,
              axis=alt.Axis(labelLimit=160, minExtent=AXIS_EXTENT))
    base = alt.Chart(frame).encode(y=y, tooltip=tips)
    scale = alt.Scale(domain=domain, nice=False) if domain else alt.Scale(zero=False)
    whiskers = base.mark_rule(color="#666").encode(x=alt.X("low:Q", title=_word("box", lang), scale=scale),
                                                   x2="high:Q")
    box = base.mark_bar(size=16, opacity=0.45).encode(x="q1:Q", x2="q3:Q")
    median = base.mark_tick(color="#222", thickness=2, size=16).encode(x="median:Q")
    mean_ci = base.mark_rule(color="#d62728", strokeWidth=3, yOffset=12).encode(x="mean_low:Q", x2="mean_high:Q")
    mean = base.mark_point(color="#d62728", filled=True, size=50, yOffset=12).encode(x="mean:Q")
    return alt.layer(whiskers, box, median, mean_ci, mean).properties(height=alt.Step(44))


def _number_parts(estimates: SummaryTable, histogram: SummaryTable | None, lang: str) -> list:
    if len(estimates) == 0:
        return []
    if histogram is None or len(histogram) == 0 or "by" in estimates.keys:
        return [_boxes(estimates, None, None, lang)]
    frame = _histogram_frame(histogram, lang)
    domain = [float(frame["low"].min()), float(frame["high"].max())]
    return [_histogram(frame, histogram, domain, lang), _boxes(estimates, histogram, domain, lang)]


def number_charts(estimates: SummaryTable, histogram: SummaryTable | None, lang: str) -> list:
    """A number's histogram (without a breakdown) and its box plot with the mean and its CI,
    on the same axis (two charts: Vega-Lite cannot fit a stack of charts to the page's width)."""
    return [_finish(part, lang) for part in _number_parts(estimates, histogram, lang)]


CROSSTAB_STYLES = ("grouped", "stacked", "heatmap")


def crosstab_chart(table: SummaryTable, lang: str, style: str = "grouped"):
    """A cross-tab's percentages: grouped or stacked bars, or a heatmap; one panel per layer."""
    if len(table) == 0:
        return None
    if style not in CROSSTAB_STYLES:
        raise ValueError(f"style must be one of {CROSSTAB_STYLES}, not {style!r}")
    frame = _texts(table, lang)
    frame["row"] = [_wrapped(x) for x in _labels(table, "row", lang)]
    frame["col"] = [_wrapped(x) for x in _labels(table, "col", lang)]
    layered = "layer" in table.keys
    if layered:
        frame["layer"] = _labels(table, "layer", lang)
    percent = table.stats.get("percent", "row")
    axis, parts = ("col", "row") if percent == "col" else ("row", "col")
    title = table.label("estimate", lang)
    if style == "heatmap":   # upright column labels, titles on several lines: a phone shows them whole
        frame["col"] = _labels(table, "col", lang)
        base = alt.Chart(frame).encode(
            x=alt.X("col:N", sort=list(dict.fromkeys(frame["col"])), title=_title_lines(table.label("col", lang)),
                    axis=alt.Axis(labelAngle=-90, labelLimit=300, labelOverlap=False, titlePadding=8)),
            y=alt.Y("row:N", sort=list(dict.fromkeys(frame["row"])), title=None,
                    axis=alt.Axis(labelExpr="split(datum.label, '\\n')", labelLimit=200)),
            tooltip=_tooltip(("row", " "), ("col", "  "), ("value", title), ("interval", _word("ci", lang)),
                             ("reliability", _word("reliability", lang))))
        cells = base.mark_rect().encode(color=alt.Color("estimate:Q", title=title, scale=alt.Scale(scheme="blues")))
        text = base.mark_text(fontSize=11).encode(
            text="value:N", color=alt.condition("datum.estimate > 50", alt.value("white"), alt.value("#222")))
        # The rows' question above the cells, across: turned along a few rows' height it was cut.
        chart = alt.layer(cells, text).properties(height=_step(frame["row"], 1.6), title=alt.TitleParams(
            _title_lines(table.label("row", lang)), anchor="start", fontSize=12, fontWeight="normal"))
    elif style == "stacked":
        order = list(dict.fromkeys(frame[parts]))
        frame["order"] = frame[parts].map({p: i for i, p in enumerate(order)})
        chart = alt.Chart(frame).mark_bar().encode(
            y=alt.Y(f"{axis}:N", sort=list(dict.fromkeys(frame[axis])), title=table.label(axis, lang),
                    axis=alt.Axis(labelExpr="split(datum.label, '\\n')", labelLimit=190)),
            x=alt.X("estimate:Q", stack="zero", title=title, scale=alt.Scale(domain=[0, 100]),
                    axis=alt.Axis(values=PERCENT_TICKS)),
            color=alt.Color(f"{parts}:N", sort=order, title=table.label(parts, lang)),
            order=alt.Order("order:Q"),
            tooltip=_tooltip(("row", " "), ("col", "  "), ("value", title), ("interval", _word("ci", lang))),
        ).properties(height=_step(frame[axis], 1.4))
    else:
        chart = _bars(frame, lang, axis, parts, title)
    if layered:
        chart = chart.facet(row=alt.Row("layer:N", title=table.label("layer", lang),
                                        sort=list(dict.fromkeys(frame["layer"]))), data=frame)
    return _finish(chart, lang)


def indicator_chart(table: SummaryTable, lang: str):
    """The percentage indicators of an indicator table (money ones stay in the table)."""
    data = table.data
    if len(table) == 0:
        return None
    frame = _texts(table, lang)
    labels = _labels(table, "indicator", lang)
    # the axis names the indicator's code and its category; the tooltip gives the whole label
    frame["label"] = labels
    frame["indicator"] = [_wrapped(f"{code} · {label.rsplit(': ', 1)[-1] if category else label}")
                          for code, category, label in zip(data["code"], data["category"], labels)]
    group = None
    if "by" in table.keys:
        frame["group"] = _labels(table, "by", lang)
        group = "group"
    keep = (data["kind"] == "percent").to_numpy() & frame["estimate"].notna().to_numpy()
    if not keep.any():
        return None
    return _finish(_bars(frame[keep].reset_index(drop=True), lang, "indicator", group, _word("percent", lang)), lang)


def ladder_chart(stages: SummaryTable, city_stage: str | None, lang: str):
    """Each agency on the ladder: the bar reaches the highest stage it has reached."""
    if len(stages) == 0:
        return None
    data = stages.data
    names = stages.stats.get("stages", ())
    labels = [stages.value_label("stage", s, lang) for s in names]
    frame = pd.DataFrame({
        "agency": [_wrapped(x) for x in _labels(stages, "agency", lang)],
        "level": data["stage_number"].astype(int),
        "stage": _labels(stages, "stage", lang),
        "met": _labels(stages, "met", lang),
        "missing": _labels(stages, "missing", lang),
    })
    ticks = "[" + ", ".join(repr(label) for label in labels) + "][datum.value]"
    bars = alt.Chart(frame).mark_bar(opacity=0.85).encode(
        y=alt.Y("agency:N", sort=list(frame["agency"]), title=None,
                axis=alt.Axis(labelExpr="split(datum.label, '\\n')", labelLimit=190)),
        x=alt.X("level:Q", title=_word("stage", lang), scale=alt.Scale(domain=[0, len(names) - 1]),
                axis=alt.Axis(values=list(range(len(names))), labelExpr=ticks, labelAngle=-30, labelLimit=120)),
        color=alt.Color("stage:N", sort=labels, scale=alt.Scale(scheme="viridis"), legend=None),
        tooltip=_tooltip(("agency", " "), ("stage", _word("stage", lang)),
                         ("met", stages.label("met", lang)), ("missing", stages.label("missing", lang))),
    )
    layers = [bars]
    if city_stage in names:
        city = pd.DataFrame({"level": [names.index(city_stage)],
                             "text": [f"{_word('city', lang)}: {stages.value_label('stage', city_stage, lang)}"]})
        rule = alt.Chart(city).encode(x="level:Q")
        layers += [rule.mark_rule(color="#d62728", strokeDash=[6, 4], strokeWidth=2),
                   rule.mark_text(color="#d62728", align="left", dx=4, baseline="top", y=0).encode(text="text:N")]
    return _finish(alt.layer(*layers).properties(height=_step(frame["agency"])), lang)


def city_chart(city: SummaryTable, lang: str):
    """Agencies per stage, the city's stage highlighted."""
    if len(city) == 0:
        return None
    data = city.data
    frame = pd.DataFrame({"stage": _labels(city, "stage", lang), "agencies": data["agencies"].astype(int),
                          "percent": [formatting.percent(v, lang) for v in data["percent"]],
                          "city": data["stage"] == city.stats.get("city_stage")})
    base = alt.Chart(frame).encode(
        x=alt.X("stage:N", sort=list(frame["stage"]), title=None, axis=alt.Axis(labelAngle=-30, labelLimit=120)),
        tooltip=_tooltip(("stage", " "), ("percent", _word("percent", lang))))
    bars = base.mark_bar().encode(
        y=alt.Y("agencies:Q", title=_word("agencies", lang), axis=alt.Axis(tickMinStep=1)),
        color=alt.condition("datum.city", alt.value("#d62728"), alt.value("#9ecae1")))
    text = base.mark_text(dy=-6, fontSize=11).encode(y="agencies:Q", text="agencies:Q")
    return _finish(alt.layer(bars, text).properties(height=220), lang)


def leadership_chart(table: SummaryTable, lang: str):
    """The leadership index per group with its interval; the overall row last."""
    if len(table) == 0:
        return None
    frame = _texts(table, lang)
    frame["group"] = [_wrapped(x) for x in _labels(table, "by", lang)] if "by" in table.keys \
        else [_word("all", lang)] * len(table)
    keep = frame["estimate"].notna()
    overall = _wrapped(table.value_label("by", egov.ALL, lang)) if "by" in table.keys else None
    return _finish(_bars(frame[keep].reset_index(drop=True), lang, "group", None, _word("index", lang),
                         highlight=overall), lang)


# ---- the website-traffic page's tables (analysis.indicators.traffic) -----------------------------------
_TRAFFIC_WORDS = {
    "visitors": {"en": "Visitors (distinct in the month)", "id": "Pengunjung (berbeda dalam bulan)"},
    "share": {"en": "Percent of page views", "id": "Persen tampilan halaman"},
    "device": {"en": "Device", "id": "Perangkat"},
    "month": {"en": "Month", "id": "Bulan"},
}


def traffic_shares_chart(table: SummaryTable, category: str, lang: str):
    """Bars of a traffic table's shares of page views (by country, by host), the page views in the tooltip."""
    if len(table) == 0:
        return None
    data = table.data
    frame = pd.DataFrame({"category": [_wrapped(x) for x in _labels(table, category, lang)],
                          "estimate": data["share"].astype(float), "ci_low": np.nan, "ci_high": np.nan})
    frame["label_at"] = frame["estimate"]
    frame["value"] = [formatting.percent(v, lang) for v in frame["estimate"]]
    frame["interval"] = formatting.MISSING
    frame["n"] = [formatting.number(v, lang, 0) for v in data["pageviews"]]
    frame["reliability"] = ""
    title = formatting.text(_TRAFFIC_WORDS, "share", lang)
    return _finish(_bars(frame, lang, "category", None, title), lang)


def visitors_chart(by_month: SummaryTable, lang: str):
    """Visitors per month as columns, each with its number."""
    if len(by_month) == 0:
        return None
    frame = by_month.data[["month", "visitors"]].assign(
        value=lambda f: [formatting.number(v, lang, 0) for v in f["visitors"]])
    title = formatting.text(_TRAFFIC_WORDS, "visitors", lang)
    base = alt.Chart(frame).encode(
        x=alt.X("month:O", title=formatting.text(_TRAFFIC_WORDS, "month", lang), axis=alt.Axis(labelAngle=0)),
        tooltip=_tooltip(("month", " "), ("value", title)))
    bars = base.mark_bar(color="#2b7bd0", opacity=0.85).encode(y=alt.Y("visitors:Q", title=_title_lines(title)))
    values = base.mark_text(dy=-6, fontSize=11, color="#333").encode(y="visitors:Q", text="value:N")
    return _finish(alt.layer(bars, values).properties(height=240), lang)


def device_chart(by_device: SummaryTable, lang: str):
    """Each device class's share of page views month by month: the mobile line is the study's "from electronic
    to mobile government" evidence."""
    if len(by_device) == 0:
        return None
    data = by_device.data
    frame = pd.DataFrame({"month": data["month"], "device": _labels(by_device, "device", lang),
                          "share": data["share"].astype(float)})
    frame["value"] = [formatting.percent(v, lang) for v in frame["share"]]
    devices = list(dict.fromkeys(frame["device"]))
    title = formatting.text(_TRAFFIC_WORDS, "share", lang)
    base = alt.Chart(frame).encode(
        x=alt.X("month:O", title=formatting.text(_TRAFFIC_WORDS, "month", lang), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", title=_title_lines(title), scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(values=PERCENT_TICKS)),
        color=alt.Color("device:N", sort=devices, title=formatting.text(_TRAFFIC_WORDS, "device", lang)),
        tooltip=_tooltip(("month", " "), ("device", formatting.text(_TRAFFIC_WORDS, "device", lang)),
                         ("value", title)))
    lines = base.mark_line(point=True, strokeWidth=2.5)
    values = base.mark_text(dy=-10, fontSize=11).encode(text="value:N")
    # the legend at the right: one at the bottom squeezed the lines' fixed height to a strip (Streamlit 1.67)
    return _finish(alt.layer(lines, values).properties(height=260), lang).configure_legend(
        orient="right", columns=1, labelLimit=160, title=None)


# ---- the fieldwork monitor -----------------------------------------------------------------------------
DISPOSITION_COLOURS = {"complete": "#2e7d32", "refusal": "#c62828", "noncontact": "#f9a825", "other": "#6d4c41",
                       "ineligible": "#90a4ae"}


def per_day_chart(days: pd.DataFrame, lang: str) -> alt.Chart:
    """Stacked bars: one per day, one colour per visit outcome (completed at the bottom)."""
    order = list(DISPOSITIONS)
    labels = {d: formatting.text(DISPOSITION_LABELS, d, lang) for d in order}
    data = days.assign(outcome=days["disposition"].map(labels), order=days["disposition"].map(
        {d: i for i, d in enumerate(order)}), when=[formatting.short_date(d, lang) for d in days["day"]])
    # "7 Des", never "07-12" (7 December or 12 July?); month names in the page's language
    months = "[" + ",".join(f"'{m}'" for m in formatting.short_months(lang)) + "]"
    axis = alt.Axis(labelExpr=f"date(datum.value) + ' ' + {months}[month(datum.value)]", labelAngle=0)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("yearmonthdate(day):T", title=_word("day", lang), axis=axis),
        y=alt.Y("sum(records):Q", title=_word("visits", lang), axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("outcome:N", title=_word("outcome", lang),
                        scale=alt.Scale(domain=[labels[d] for d in order],
                                        range=[DISPOSITION_COLOURS[d] for d in order]),
                        # One entry a line: "Kosong atau tidak ditemukan" is cut in half a phone's width.
                        legend=alt.Legend(orient="bottom", columns=1, labelLimit=0)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("when:N", title=_word("day", lang)),
                 alt.Tooltip("outcome:N", title=_word("outcome", lang)),
                 alt.Tooltip("sum(records):Q", title=_word("visits", lang))],
    ).properties(height=360)   # the chart's whole height: the bars keep about 200 px above the five-line legend


def durations_chart(minutes: pd.Series, lang: str, limit: float | None = None, step: float = 5.0) -> alt.Chart:
    """A histogram of completed interviews' minutes, with the quality block's minimum as a rule.

    The bins are counted here, so the browser gets one row per bin, not one per interview
    (100,000 of them at the end of a large survey)."""
    values = pd.Series(minutes.to_numpy(dtype=float)).dropna()
    counts = (values // step * step).value_counts().sort_index()
    data = pd.DataFrame({"start": counts.index.to_numpy(dtype=float), "interviews": counts.to_numpy(dtype=int)})
    data["end"] = data["start"] + step
    bars = alt.Chart(data).mark_bar(color="#1565c0").encode(
        x=alt.X("start:Q", title=_word("minutes", lang), bin="binned", axis=alt.Axis(tickMinStep=step)),
        x2="end:Q",
        y=alt.Y("interviews:Q", title=_word("interviews", lang)),
        tooltip=[alt.Tooltip("start:Q", title=_word("minutes", lang)),
                 alt.Tooltip("interviews:Q", title=_word("interviews", lang))],
    )
    if limit is None:
        return bars.properties(height=200)
    rule = alt.Chart(pd.DataFrame({"limit": [limit]})).mark_rule(color="#c62828", strokeDash=[4, 3]).encode(
        x="limit:Q")
    return (bars + rule).properties(height=200)


def precision_chart(table: SummaryTable, lang: str):
    """The precision tracker (analysis.monitoring.precision): each stratum's estimate with its margin of
    error now, the rows that miss the target in red."""
    if len(table) == 0 or "moe" not in table.data:
        return None
    data = table.data
    frame = _texts(table, lang)
    moe = pd.to_numeric(data["moe"], errors="coerce")
    frame["ci_low"], frame["ci_high"] = frame["estimate"] - moe, frame["estimate"] + moe
    frame["label_at"] = frame["ci_high"].fillna(frame["estimate"])
    frame["interval"] = [formatting.interval(lo, hi, "percent", lang) for lo, hi in zip(frame["ci_low"],
                                                                                        frame["ci_high"])]
    frame["category"] = [_wrapped(x) for x in _labels(table, "stratum", lang)]
    frame["miss"] = (data["status"] == "miss").to_numpy() if "status" in data else False
    chart = _bars(frame, lang, "category", None, _word("moe", lang)).copy()
    # the layers share the chart's data: only the bars' colour changes
    missed = alt.condition("datum.miss", alt.value("#c62828"), alt.value("#2b7bd0"))
    chart.layer = [chart.layer[0].encode(color=missed), *chart.layer[1:]]
    return _finish(chart, lang)


# ---- the chart of any table, by its kind (a printable file's) ---------------------------------------------
def chart_of(table: SummaryTable, lang: str):
    """The chart the pages draw of ``table``, by its kind, configured; None when there is nothing to draw."""
    if table is None or len(table) == 0:
        return None
    keys = set(table.keys)
    if table.kind == "estimates" and "choice" in keys:
        return shares_chart(table, lang)
    if table.kind == "estimates" and "statistic" in keys:
        parts = _number_parts(table, None, lang)
        return _finish(parts[0], lang) if parts else None
    if table.kind == "crosstab":
        return crosstab_chart(table, lang)
    if table.kind == "indicators":
        return indicator_chart(table, lang)
    if table.kind == "stages":
        return ladder_chart(table, table.stats.get("city_stage"), lang)
    if table.kind == "distribution":
        return city_chart(table, lang)
    if table.kind == "leadership":
        return leadership_chart(table, lang)
    if table.kind == "precision":
        return precision_chart(table, lang)
    return None
