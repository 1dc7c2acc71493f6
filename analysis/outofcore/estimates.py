"""Mean (by domains) and the two-way table with its Rao-Scott tests, out of core.

The same estimators as :func:`analysis.mean` and :func:`analysis.crosstab` (R's
``svymean``, ``svyby``, ``svytable``/``svychisq``), with the row-level work done by the
engine as sums per PSU (and domain or cell):

* a mean's influence value is w_i (y_i - ybar_d) / W_d, so its PSU total is
  (sum w y - ybar_d sum w) / W_d from the PSU's sums of w y and w over the rows used;
* a table needs only the PSU x cell sums of the weights: the in-memory crosstab derives
  every SE, the covariance of the cell shares and the Rao-Scott statistics (Rao & Scott
  1984) from exactly that matrix, so its own functions finish the job here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.estimation import contingency
from analysis.estimation.contingency import CrossTab
from analysis.outofcore.design import OutOfCoreDesign


def mean(d: OutOfCoreDesign, var: str, by: str | list[str] | None = None, level: float = 0.95) -> pd.DataFrame:
    """Mean of a numeric ``var`` (missing values dropped), per domain of ``by``:
    ``[by...,] estimate, se, ci_low, ci_high, df, n`` as :func:`analysis.mean`."""
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    w = d.weights
    sums, domains = d.psu_sums({
        "swy": lambda t: (t[w] * t[var]).sum(where=t[var].notnull()),
        "sw": lambda t: t[w].sum(where=t[var].notnull()),
        "n": lambda t: t[var].count(),
    }, by)
    wsum = sums["sw"].sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = sums["swy"].sum(axis=0) / wsum
        var_est = d.variance((sums["swy"] - est * sums["sw"]) / wsum)
    n = sums["n"].sum(axis=0).astype(np.int64)
    return _table(domains if by else None, est, var_est, n, float(d.degf), level)


def _table(domains, est, var, n, df, level) -> pd.DataFrame:
    est = np.where(n == 0, np.nan, est)
    se = np.sqrt(np.where(n == 0, np.nan, var))
    crit = stats.t.ppf(1 - (1 - level) / 2, df)
    out = pd.DataFrame(index=range(len(est))) if domains is None else domains.reset_index(drop=True)
    return out.assign(estimate=est, se=se, ci_low=est - crit * se, ci_high=est + crit * se,
                      df=np.full(len(est), df), n=n)


def crosstab(d: OutOfCoreDesign, row: str, col: str, na_rm: bool = True) -> CrossTab:
    """Weighted ``row`` x ``col`` table with SEs, percentages and R's svychisq tests
    (:attr:`CrossTab.rao_scott` second-order F, :attr:`CrossTab.chisq` first-order)."""
    w = d.weights
    frame = d.psu_frame({"sw": lambda t: t[w].sum(), "n": lambda t: t.count()}, [row, col])
    n_rows = int(frame["n"].sum())
    complete = frame[row].notna() & frame[col].notna()
    has_missing = not complete.all()
    row_levels, col_levels = _levels(frame[row]), _levels(frame[col])
    nr, nc = len(row_levels), len(col_levels)
    k = nr * nc
    cells = frame[complete]
    # cell = row + nr * col (rows vary fastest, as R and the in-memory crosstab)
    cell = row_levels.get_indexer(cells[row]) + nr * col_levels.get_indexer(cells[col])
    per_unit = d.scatter(cells["code"].to_numpy(), cell, cells["sw"], k)
    n_cells = np.bincount(cell, weights=cells["n"].to_numpy(dtype=float), minlength=k).astype(np.int64)
    counts = per_unit.sum(axis=0)
    frame = lambda a: pd.DataFrame(np.asarray(a).reshape(nc, nr).T,  # noqa: E731
                                   index=row_levels.copy(), columns=col_levels.copy())
    v = _PsuDesign(d)
    every = np.ones(d.n_psus, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        total_p = counts / counts.sum()
        shares_unit = (per_unit - per_unit.sum(axis=1, keepdims=True) * total_p) / counts.sum()
        cov = d.covariance(shares_unit)
        row_p, row_var = contingency._domain_shares(v, per_unit, counts, nr, nc, "row", every, (None, nr))
        col_p, col_var = contingency._domain_shares(v, per_unit, counts, nr, nc, "col", every, (None, nc))
        tests = contingency._tests(v, counts, total_p, cov, nr, nc, n_rows, per_unit, every)
        if has_missing and not na_rm:
            tests = ((np.nan,) * 4, (np.nan,) * 3, np.nan, contingency._na_tests(tests[3]))
        return CrossTab(
            counts=frame(counts), counts_se=frame(np.sqrt(d.variance(per_unit))),
            row_percent=frame(100 * row_p), row_percent_se=frame(100 * np.sqrt(row_var)),
            col_percent=frame(100 * col_p), col_percent_se=frame(100 * np.sqrt(col_var)),
            total_percent=frame(100 * total_p), total_percent_se=frame(100 * np.sqrt(np.diag(cov))),
            rao_scott=tests[0], chisq=tests[1], pearson=contingency._unweighted(n_cells, nr, nc),
            cramers_v=tests[2], n=frame(n_cells), **tests[3])


def _levels(values: pd.Series) -> pd.Index:
    """Sorted observed values; whole numbers as integers (as the in-memory ``categorical``)."""
    levels = np.sort(values.dropna().unique())
    if levels.dtype.kind == "f" and np.all(levels == np.round(levels)):
        levels = levels.astype(np.int64)
    return pd.Index(levels, name=values.name)


class _PsuDesign:
    """What the in-memory crosstab's helpers ask of a design, answered from PSU totals
    (degf and totals_variance; the rows and domains they pass matter only for
    lonely_psu="average", which the out-of-core design does not offer)."""

    def __init__(self, d: OutOfCoreDesign):
        self._d = d
        self.degf = d.degf

    def totals_variance(self, totals, rows=None, group=None, n_groups=1, columns=None):
        return self._d.variance(totals)

    def totals_covariance(self, totals, rows=None):
        return self._d.covariance(totals)
