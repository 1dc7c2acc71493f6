"""svy's runner (PyPI ``svy``, Polars and Rust): ``python -m analysis.benchmarks.run_svy DATA CALLS OUT
[OPERATION ...]`` (see :mod:`analysis.benchmarks.operations`).  svy nests PSUs in strata."""

from __future__ import annotations

import sys

import polars as pl
import svy

from analysis.benchmarks.operations import run


def design(df: pl.DataFrame):
    return svy.Sample(df, svy.Design(stratum="stratum", psu="psu", wgt="w"))


def _crosstab(s):
    t = s.categorical.tabulate("r2", "c5")
    cells = t.to_polars().sort(["c5", "r2"])       # rows (r2) fastest
    f = t.stats.f
    return [*cells["est"], *cells["se"], f.value, f.df_num, f.df_den, f.p_value]


def _median(s):
    q = s.estimation.median("y").to_polars().row(0, named=True)
    return [q["est"], q["lci"], q["uci"], q["se"]]


def _logistic(s):
    g = s.glm.fit("b", x=["x1", "x2", "x3", "x4"], family="binomial").to_polars()
    return [*g["estimate"], *g["std_err"]]


def _pairs(result):
    rows = result.to_polars()
    return [v for row in rows.select("est", "se").iter_rows() for v in row]


STEPS = {
    "mean": lambda s: _pairs(s.estimation.mean("y")),
    "domains": lambda s: _pairs(s.estimation.mean("y", by="dom")),
    "crosstab": _crosstab,
    "logistic": _logistic,
    "median": _median,
}

if __name__ == "__main__":
    run(pl.read_parquet, design, STEPS, sys.argv[1:])
