"""A number question's histogram out of core: :func:`analysis.tables.histograms.histogram_table` on
the store's rows (:class:`analysis.outofcore.store_data.StoreData`), the same table.

The quartiles come from :func:`analysis.outofcore.numbers.quantile`, the whiskers' answers and
the range from DuckDB's min and max, each answer's bin from a SQL ``CASE`` over the bin edges
(:func:`analysis.tables.histograms.bin_edges`, the same rule), and the bins' shares with their
logit intervals and respondents from :func:`analysis.outofcore.shares.proportion`.
"""

from __future__ import annotations

import numpy as np

from analysis.outofcore import numbers as numbers_module
from analysis.outofcore.shares import proportion
from analysis.tables import histograms
from analysis.tables.histograms import BINS, bin_edges
from analysis.tables.question_tables import as_percent, empty_table
from analysis.tables.summary_table import (
    RELIABILITY_LABELS,
    SummaryTable,
    estimate_columns,
    with_reliability,
)


def _bin_sql(edges: np.ndarray, below: bool, above: bool, integer: bool) -> str:
    """SQL: each answer's bin code as histogram_table numbers them (NULL: no bin)."""
    n_inner, shift = len(edges) - 1, int(below)
    e = [repr(float(x)) for x in edges]
    beyond = f"_y >= {e[-1]}" if integer else f"_y > {e[-1]}"
    cases = ["WHEN _y IS NULL OR isnan(_y) THEN NULL",
             f"WHEN _y < {e[0]} THEN {0 if below else 'NULL'}",
             f"WHEN {beyond} THEN {n_inner + shift if above else 'NULL'}"]
    cases += [f"WHEN _y < {e[i + 1]} THEN {i + shift}" for i in range(n_inner)]
    return f"(CASE {' '.join(cases)} ELSE {n_inner - 1 + shift} END)"


def histogram_table(data, question: str, bins: int = BINS, level: float = 0.95,
                    ci_method: str = "logit") -> SummaryTable:
    """``histograms.histogram_table`` of ``data`` (a StoreData), computed out of core."""
    table, var, kind, columns, notes, title, stats = histograms.histogram_frame(data, question, level)
    empty = lambda: empty_table(title, columns, notes, data.provenance, "histogram", ("bin",), stats,  # noqa: E731
                                {"reliability": RELIABILITY_LABELS})
    if table.design is None:
        return empty()
    d, subset, con = table.design_of({"_y": table.number(question)})
    try:
        inside = "_y IS NOT NULL AND NOT isnan(_y)" + (f" AND {subset}" if subset else "")
        sql = con.con.execute   # the DuckDB connection under Ibis's
        n, lo, hi = sql(f"SELECT count(*), min(_y), max(_y) FROM rows WHERE {inside}").fetchall()[0]
        if not n:
            return empty()
        q = numbers_module.quantile(d, "_y", [0.25, 0.5, 0.75], level=level, subset=subset)["estimate"].to_numpy(float)
        spread = q[2] - q[0]
        low, high = sql(f"SELECT min(_y), max(_y) FROM rows WHERE {inside} AND _y >= $1 AND _y <= $2",
                        [float(q[0] - 1.5 * spread), float(q[2] + 1.5 * spread)]).fetchall()[0]
        low, high = (float(low), float(high)) if low is not None else (float(q[0]), float(q[2]))
        integer = var.question.kind.whole_numbers
        edges = bin_edges(low, high, bins, integer)
        # a value below the first edge or past the last one: the range found above says (no other pass)
        below = bool(float(lo) < edges[0])
        above = bool(float(hi) >= edges[-1] if integer else float(hi) > edges[-1])
        n_bins = len(edges) - 1 + below + above
        sql(f"CREATE TEMP VIEW binned AS SELECT *, {_bin_sql(edges, below, above, integer)} AS _bin FROM rows")
        d.table = con.table("binned")   # the same rows with their bin: the PSUs found already stand
        result = proportion(d, "_bin", list(range(n_bins)), level=level, deff=True, counts=True, subset=subset)
    finally:
        con.disconnect()
    result = as_percent(result).drop(columns="level").reset_index(drop=True)
    keys = [f"bin{i:02d}" for i in range(n_bins)]
    lows = np.concatenate([[-np.inf] if below else [], edges[:-1], [edges[-1]] if above else []])
    highs = np.concatenate([[edges[0]] if below else [], edges[1:], [np.inf] if above else []])
    frame = with_reliability(result.assign(bin=keys, low=lows, high=highs, kind="percent"))
    labels = dict(zip(keys, histograms._labels(edges, below, above, integer, kind)))
    stats.update(quartiles=tuple(float(x) for x in q), whiskers=(low, high), range=(float(lo), float(hi)))
    order = ["bin", *estimate_columns(level), "count", "low", "high", "df", "kind"]
    return SummaryTable(frame[order], title, columns, value_labels={"bin": labels, "reliability": RELIABILITY_LABELS},
                        notes=notes, provenance=data.provenance, kind="histogram", stats=stats, keys=("bin",))
