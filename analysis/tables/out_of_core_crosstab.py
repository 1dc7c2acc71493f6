"""The cross-tab page's table out of core: each layer's cells, percentages and tests from the store's rows.

:func:`layers` gives :func:`analysis.tables.question_tables.crosstab_table` what its in-memory
``_one_crosstab`` gives per layer, for a :class:`analysis.outofcore.store_data.StoreTable`:
weighted counts and cell n from one DuckDB aggregation, their covariance from
:func:`analysis.outofcore.covariance.influence_covariance` (two stages, post-strata), the
Rao-Scott tests, Cramér's V and the Wald tests by the in-memory engine's own functions on
pseudo-PSUs with that covariance (every statistic is linear in the PSU x cell totals), and the
row, column or total percentages with logit intervals from :func:`analysis.outofcore.shares.proportion`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.estimation import contingency
from analysis.outofcore.covariance import PseudoDesign, influence_covariance, square_root
from analysis.outofcore.shares import proportion


def layers(table, rvar, cvar, lvar, percent: str, level: float) -> list[tuple]:
    """[(layer choice or None, the layer's long frame, its test)] as crosstab_table's layers."""
    from analysis.tables.question_tables import _expected, _names, as_percent

    codes = {"_r": table.codes(rvar.name), "_c": table.codes(cvar.name)}
    if lvar is not None:
        codes["_l"] = table.codes(lvar.name)
    d, subset, con = table.design_of(codes)
    try:
        inside = subset or "TRUE"
        present = [None]
        if lvar is not None:
            present = [r[0] for r in con.con.execute(f"SELECT DISTINCT _l FROM rows WHERE {inside} AND _l IS NOT NULL "
                                                     "ORDER BY 1").fetchall()]
        out = []
        for j in present:
            where = inside if j is None else f"{inside} AND _l = {int(j)}"
            con.con.execute(f"CREATE OR REPLACE TEMP VIEW layer AS SELECT *, coalesce({where}, false) AS _in_layer "
                            "FROM rows")
            d.table = con.table("layer")   # the same rows, with the layer's domain
            frame, test = _one(d, con, table, rvar, cvar, percent, level, _expected, _names, as_percent)
            out.append((None if j is None else lvar.choices[int(j)], frame, test))
        return out
    finally:
        con.disconnect()


def _one(d, con, table, rvar, cvar, percent, level, _expected, _names, as_percent):
    nr, nc = len(rvar.choices), len(cvar.choices)
    k = nr * nc
    w = d.weights
    n_rows = con.con.execute("SELECT count(*) FROM layer WHERE _in_layer").fetchall()[0][0]
    sums = con.con.execute("SELECT _r + _c * $1, sum(__w), count(*) FROM layer WHERE _in_layer AND _r IS NOT NULL "
                           "AND _c IS NOT NULL GROUP BY 1", [nr]).fetchall()
    counts, n_cells = np.zeros(k), np.zeros(k, dtype=np.int64)
    for cell, sw, n in sums:
        counts[int(cell)], n_cells[int(cell)] = sw, n
    cov = influence_covariance(d, {c: _cell(w, c, nr) for c in range(k)})
    per_unit = square_root(cov)
    nonzero = d.psu_frame({"nz": lambda t: t.count(where=t[w] != 0)}, where=lambda t: t["_in_layer"])
    degf = d.degf_of(d.scatter(nonzero["code"].to_numpy(), 0, nonzero["nz"], 1)[:, 0])
    v = PseudoDesign(degf)
    with np.errstate(divide="ignore", invalid="ignore"):
        total_p = counts / counts.sum()
        shares_unit = (per_unit - per_unit.sum(axis=1, keepdims=True) * total_p) / counts.sum()
        tests = contingency._tests(v, counts, total_p, v.totals_covariance(shares_unit), nr, nc, n_rows, per_unit,
                                   None)
    as_frame = lambda a: pd.DataFrame(np.asarray(a).reshape(nc, nr).T)  # noqa: E731
    row_labels, col_labels = rvar.choice_labels(table.lang), cvar.choice_labels(table.lang)
    long = pd.DataFrame({
        "row": np.repeat(_names(rvar, pd.Series(row_labels), table.lang), nc),
        "col": np.tile(_names(cvar, pd.Series(col_labels), table.lang), nr),
        "count": as_frame(counts).to_numpy().ravel(), "count_se": as_frame(np.sqrt(np.diag(cov))).to_numpy().ravel(),
        "cell_n": as_frame(n_cells).to_numpy().ravel().astype(int),
    })
    n_table = as_frame(n_cells).to_numpy()
    complete = int(n_table.sum())
    expected = _expected(as_frame(counts), complete)
    long["expected"] = expected.ravel()
    subset = "_in_layer"
    if percent == "row":
        p = as_percent(proportion(d, "_c", col_labels, by="_r", by_levels=row_labels, level=level, deff=True,
                                  subset=subset))
        p["row"], p["col"] = _names(rvar, p.pop("_r"), table.lang), _names(cvar, p.pop("level"), table.lang)
    elif percent == "col":
        p = as_percent(proportion(d, "_r", row_labels, by="_c", by_levels=col_labels, level=level, deff=True,
                                  subset=subset))
        p["col"], p["row"] = _names(cvar, p.pop("_c"), table.lang), _names(rvar, p.pop("level"), table.lang)
    else:
        con.con.execute(f"CREATE OR REPLACE TEMP VIEW celled AS SELECT *, _c * {nr} + _r AS _cell FROM layer")
        d.table = con.table("celled")
        p = as_percent(proportion(d, "_cell", list(range(k)), level=level, deff=True, subset=subset))
        cells = p.pop("level").astype(int).to_numpy()
        p["row"] = np.asarray(rvar.choices, dtype=object)[cells % nr]
        p["col"] = np.asarray(cvar.choices, dtype=object)[cells // nr]
    merged = long.merge(p, on=["row", "col"], how="left").assign(kind="percent")
    observed = expected[(n_table.sum(axis=1) > 0)][:, n_table.sum(axis=0) > 0]
    share_below_5 = float((observed < 5).mean()) if observed.size else float("nan")
    min_expected = float(observed.min()) if observed.size else float("nan")
    test = {"rao_scott": tests[0], "chisq": tests[1], "pearson": contingency._unweighted(n_cells, nr, nc),
            "cramers_v": tests[2], "n": complete, "share_below_5": share_below_5, "min_expected": min_expected,
            "small_expected": bool(observed.size and (min_expected < 1 or share_below_5 > 0.2))}
    return merged, test


def _cell(w: str, cell: int, nr: int):
    def fn(t):
        hit = t["_in_layer"] & t["_r"].notnull() & t["_c"].notnull() & ((t["_r"] + t["_c"] * nr) == cell)
        return hit.ifelse(t[w], 0.0)
    return fn
