"""The monitor's two charts (Altair): visits per day by outcome, and interview lengths."""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.dataset.response_rates import DISPOSITIONS
from survey.locale import short_date, short_months
from ui.i18n import t

COLOURS = {"complete": "#2e7d32", "refusal": "#c62828", "noncontact": "#f9a825", "other": "#6d4c41",
           "ineligible": "#90a4ae"}


def per_day_chart(days: pd.DataFrame, lang: str) -> alt.Chart:
    """Stacked bars: one per day, one colour per visit outcome (completed at the bottom)."""
    labels = {d: t(f"disp_{d}", lang) for d in DISPOSITIONS}
    data = days.assign(outcome=days["disposition"].map(labels), order=days["disposition"].map(
        {d: i for i, d in enumerate(DISPOSITIONS)}), when=[short_date(d, lang) for d in days["day"]])
    # "7 Des", never "07-12" (7 December or 12 July?); month names in the page's language
    months = "[" + ",".join(f"'{m}'" for m in short_months(lang)) + "]"
    axis = alt.Axis(labelExpr=f"date(datum.value) + ' ' + {months}[month(datum.value)]", labelAngle=0)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("yearmonthdate(day):T", title=t("axis_day", lang), axis=axis),
        y=alt.Y("sum(records):Q", title=t("axis_visits", lang), axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("outcome:N", title=t("axis_outcome", lang),
                        scale=alt.Scale(domain=[labels[d] for d in DISPOSITIONS],
                                        range=[COLOURS[d] for d in DISPOSITIONS]),
                        # One entry a line: "Kosong atau tidak ditemukan" is cut in half a phone's width.
                        legend=alt.Legend(orient="bottom", columns=1, labelLimit=0)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("when:N", title=t("axis_day", lang)),
                 alt.Tooltip("outcome:N", title=t("axis_outcome", lang)),
                 alt.Tooltip("sum(records):Q", title=t("axis_visits", lang))],
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
        x=alt.X("start:Q", title=t("axis_minutes", lang), bin="binned", axis=alt.Axis(tickMinStep=step)),
        x2="end:Q",
        y=alt.Y("interviews:Q", title=t("axis_interviews", lang)),
        tooltip=[alt.Tooltip("start:Q", title=t("axis_minutes", lang)),
                 alt.Tooltip("interviews:Q", title=t("axis_interviews", lang))],
    )
    if limit is None:
        return bars.properties(height=200)
    rule = alt.Chart(pd.DataFrame({"limit": [limit]})).mark_rule(color="#c62828", strokeDash=[4, 3]).encode(
        x="limit:Q")
    return (bars + rule).properties(height=200)
