"""Two-way tables with design-based percentages and tests of association.

Reproduces R's ``svytable`` and ``svychisq`` (survey 4.1):

* ``rao_scott`` is ``svychisq(statistic="F")``: Pearson's X^2 on the weighted
  table rescaled to the sample size, divided by the trace of the design-effect
  matrix Delta, referred to F(d0, d0 * degf) with d0 = tr(Delta)^2 / tr(Delta^2)
  - the second-order correction of Rao & Scott (1984).
* ``chisq`` is ``svychisq(statistic="Chisq")``: the same X^2 (R reports it
  unadjusted) with the p-value of X^2 / mean(diag(Delta)) on (r-1)(c-1) df,
  the first-order Rao-Scott correction.
* A design with 0 residual degrees of freedom (e.g. a layer of one PSU in one stratum) has no
  F reference distribution: R keeps the F, Wald and Chisq statistics and their df and gives the
  F, Wald and adjWald p-values NaN (adjWald's statistic too) and stops in lincom and saddlepoint;
  here those p-values are NaN (anchors: tests/fixtures/anchors/r_svychisq_degf0.R).
* ``wald`` and ``adj_wald`` are ``svychisq(statistic="Wald" | "adjWald")``: the Wald
  test (Koch et al. 1975) of the interaction contrasts ``N_ij - N_i. N_.j / N`` (rows and
  columns after the first) with the covariance of the cell, margin and grand totals;
  F on ((r-1)(c-1), degf), or the adjusted F on degf - (r-1)(c-1) + 1 denominator df.
* ``lincom`` and ``saddlepoint`` are ``svychisq(statistic="lincom" | "saddlepoint")``: X^2
  referred to its asymptotic distribution, ``sum(delta_i chi2_1) / (chi2_ddf / ddf)``
  with delta the eigenvalues of Delta and ddf = d0 * degf, by Davies' algorithm (R:
  CompQuadForm) or by survey's saddlepoint approximation (:mod:`analysis.estimation.chisqsum`).
  Each of the four is a :class:`ChisqTest` (``statistic``, ``parameter``, ``p_value`` as
  R prints them; ``parameter`` is None for lincom and saddlepoint, as R).
* On a replicate design (R's ``svychisq.svyrep.design``) every statistic is offered, with the
  replicate covariance of the cell shares (F, Chisq, lincom, saddlepoint) or of the cell,
  margin and grand totals (Wald, adjWald); ``lincom`` and ``saddlepoint`` then refer X^2 to
  ``sum(delta_i chi2_1)`` with no denominator df (R's ``pchisqsum``, not ``pFsum``).
* ``pearson``: the unweighted table's ordinary chi-square
  (``scipy.stats.chi2_contingency(correction=False)``).
* ``cramers_v`` = sqrt(X^2_RS / (n (min(r, c) - 1))) with X^2_RS = X^2 /
  mean(diag(Delta)), the first-order Rao-Scott chi-square, and n the number of
  rows svychisq scales the table to (the design's rows).  R has no Cramer's V.

``counts_se`` is the SE of each weighted count (``svytotal`` of the cell
indicator).  Percentages (0-100) are domain means: a row percent is the mean of the column
indicator within the row's domain (``svyby(~col, ~row, svymean)``).  Missing
values in either variable are dropped (zero influence).  With ``na_rm=False``
and missing values present the tests are NaN, as in R; so are they when the
table has fewer than two observed rows or columns, or when the design-effect
matrix vanishes (e.g. a perfectly diagonal table), where R's numbers are noise.  When
every variance is NaN (lonely PSUs "average"d with nothing to average) ``chisq`` keeps
Pearson's X^2 and its df with a NaN p-value, as R; the other tests are NaN.  Levels are the
categories of a categorical column (all of them in the tables), else the sorted
observed values; the tests use the levels observed in complete rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.estimation.chisqsum import pchisqsum, pfsum
from analysis.estimation.design_variables import categorical
from analysis.estimation.variance import VarianceDesign

_NAN3, _NAN4 = (np.nan,) * 3, (np.nan,) * 4


@dataclass(frozen=True)
class ChisqTest:
    """One of svychisq's statistics, as R's htest prints it."""

    statistic: float
    parameter: tuple | None   # (ndf, ddf) for Wald and adjWald; None for lincom and saddlepoint
    p_value: float


_NAN_TEST = ChisqTest(np.nan, None, np.nan)
_NO_OTHERS = {"wald": _NAN_TEST, "adj_wald": _NAN_TEST, "lincom": _NAN_TEST, "saddlepoint": _NAN_TEST}


@dataclass(frozen=True)
class CrossTab:
    """Result of :func:`crosstab` (plain data; tables are rows x columns)."""

    counts: pd.DataFrame
    counts_se: pd.DataFrame
    row_percent: pd.DataFrame
    row_percent_se: pd.DataFrame
    col_percent: pd.DataFrame
    col_percent_se: pd.DataFrame
    total_percent: pd.DataFrame
    total_percent_se: pd.DataFrame
    rao_scott: tuple   # (F, ndf, ddf, p_value)
    chisq: tuple       # (X^2, df, p_value)
    pearson: tuple     # (X^2, df, p_value), unweighted
    cramers_v: float
    n: pd.DataFrame    # unweighted counts
    wald: ChisqTest = _NAN_TEST          # svychisq(statistic="Wald")
    adj_wald: ChisqTest = _NAN_TEST      # svychisq(statistic="adjWald")
    lincom: ChisqTest = _NAN_TEST        # svychisq(statistic="lincom"), Davies' algorithm
    saddlepoint: ChisqTest = _NAN_TEST   # svychisq(statistic="saddlepoint")


def crosstab(d: VarianceDesign, row: str, col: str, na_rm: bool = True) -> CrossTab:
    """Weighted two-way table of ``row`` x ``col`` with SEs, percentages and tests."""
    if hasattr(d, "replicate_weights"):   # re-estimated in every replicate, as R's svyrep methods
        from analysis.estimation import replicate_estimators as rep
        return rep.crosstab(d, row, col, na_rm)
    rv, cv = categorical(d, row), categorical(d, col)
    nr, nc = len(rv.levels), len(cv.levels)
    inside = d.in_subset
    complete = inside & (rv.values >= 0) & (cv.values >= 0)
    has_missing = bool((inside & ~complete).any())
    cell = np.where(complete, rv.values + nr * cv.values, -1)   # rows vary fastest, as R
    w = np.where(complete, d.weights, 0.0)
    k = nr * nc
    frame = lambda a: pd.DataFrame(np.asarray(a).reshape(nc, nr).T,  # noqa: E731
                                   index=pd.Index(rv.levels, name=row),
                                   columns=pd.Index(cv.levels, name=col))

    n_cells = np.bincount(cell[complete], minlength=k)
    counts = np.bincount(cell[complete], weights=w[complete], minlength=k)
    per_unit = d.totals(w, cell, k)           # unit (PSU) x cell weight totals: every SE below
    # each estimate is on the complete rows (counts, shares of the table) or on a row's or
    # column's domain of them (row and column percentages)
    in_rows = np.where(complete, rv.values, -1), nr
    in_cols = np.where(complete, cv.values, -1), nc

    with np.errstate(divide="ignore", invalid="ignore"):
        total_p = counts / counts.sum()
        shares_unit = (per_unit - per_unit.sum(axis=1, keepdims=True) * total_p) / counts.sum()
        cov = d.totals_covariance(shares_unit, complete)
        row_p, row_var = _domain_shares(d, per_unit, counts, nr, nc, "row", complete, in_rows)
        col_p, col_var = _domain_shares(d, per_unit, counts, nr, nc, "col", complete, in_cols)
        tests = _tests(d, counts, total_p, cov, nr, nc, int(inside.sum()), per_unit, complete)
        if has_missing and not na_rm:
            tests = (_NAN4, _NAN3, np.nan, _na_tests(tests[3]))
        return CrossTab(
            counts=frame(counts), counts_se=frame(np.sqrt(d.totals_variance(per_unit, complete))),
            row_percent=frame(100 * row_p), row_percent_se=frame(100 * np.sqrt(row_var)),
            col_percent=frame(100 * col_p), col_percent_se=frame(100 * np.sqrt(col_var)),
            total_percent=frame(100 * total_p), total_percent_se=frame(100 * np.sqrt(np.diag(cov))),
            rao_scott=tests[0], chisq=tests[1], pearson=_unweighted(n_cells, nr, nc),
            cramers_v=tests[2], n=frame(n_cells), **tests[3])


def _domain_shares(d, per_unit, counts, nr, nc, within, rows, domains):
    """Row (within="row") or column percentages as domain means, with their variances.

    In row domain r the share of column c has influence (I(c) - p_rc) w / W_r, whose
    unit totals are (T_rc - p_rc T_r) / W_r from the unit x cell weight totals T.
    ``domains`` (codes, count) are the rows' row (or column) levels.  Results are in
    cell order (rows fastest).
    """
    cells = per_unit.reshape(-1, nc, nr)                       # T[unit, col, row]
    over = 1 if within == "row" else 2                         # sum over the other variable
    margin = cells.sum(axis=over, keepdims=True)
    weight = counts.reshape(nc, nr).sum(axis=over - 1, keepdims=True)
    share = counts.reshape(nc, nr) / weight
    infl = (cells - share[None] * margin) / weight[None]
    domain_of_cell = np.tile(np.arange(nr), nc) if within == "row" else np.repeat(np.arange(nc), nr)
    group, n_groups = domains
    return share.ravel(), d.totals_variance(infl.reshape(len(per_unit), -1), rows, group, n_groups,
                                            domain_of_cell)


def _tests(d, counts, share, cov, nr, nc, n_rows, per_unit, complete, replicate=False):
    """Rao-Scott F and chi-square, R's other svychisq statistics and Cramer's V (``replicate``:
    lincom and saddlepoint as svychisq.svyrep.design, without a denominator df)."""
    table = counts.reshape(nc, nr).T
    keep_r, keep_c = table.sum(axis=1) > 0, table.sum(axis=0) > 0
    r, c = int(keep_r.sum()), int(keep_c.sum())
    if r < 2 or c < 2:
        return _NAN4, _NAN3, np.nan, _NO_OTHERS
    used = (keep_r[:, None] & keep_c[None, :]).T.ravel()   # cell order: rows fastest
    p, V = share[used], cov[np.ix_(used, used)]
    C = _interaction_contrasts(r, c)
    inv_p = np.where(p == 0, 0.0, 1 / np.where(p == 0, 1, p))
    denom = C.T @ (C * inv_p[:, None]) / n_rows
    numr = C.T @ (inv_p[:, None] * V * inv_p[None, :]) @ C
    x2 = _pearson(table[np.ix_(keep_r, keep_c)] * n_rows / counts.sum())
    dof = (r - 1) * (c - 1)
    if not np.isfinite(numr).all():   # every variance NaN: R keeps X^2 and its df, the p-value NA
        return _NAN4, (x2, dof, np.nan), np.nan, _NO_OTHERS
    delta = np.linalg.solve(denom, numr)
    tr, tr2 = np.trace(delta), np.trace(delta @ delta)
    if not tr > 1e-8 * len(delta):   # no design variance in the contrasts (e.g. a diagonal table)
        return _NAN4, _NAN3, np.nan, _NO_OTHERS
    d0 = tr ** 2 / tr2
    nu = d.degf
    f_stat = x2 / tr
    rao_scott = (float(f_stat), float(d0), float(d0 * nu), float(stats.f.sf(f_stat, d0, d0 * nu)))
    chisq = (x2, dof, float(stats.chi2.sf(x2 / np.mean(np.diag(delta)), dof)))
    cramers_v = float(np.sqrt(x2 / np.mean(np.diag(delta)) / (n_rows * (min(r, c) - 1))))
    wald, adj_wald = _wald(d, counts[used], per_unit[:, used], complete, r, c, nu)
    eigen = np.linalg.eigvals(delta).real
    tail = (lambda m: pchisqsum(x2, eigen, m)) if replicate else (lambda m: pfsum(x2, eigen, d0 * nu, m))
    if not replicate and nu <= 0:   # no denominator df (R's pFsum stops with an error): no p-value
        tail = lambda m: np.nan  # noqa: E731
    others = {"wald": wald, "adj_wald": adj_wald,
              "lincom": ChisqTest(x2, None, float(tail("integration"))),
              "saddlepoint": ChisqTest(x2, None, float(tail("saddlepoint")))}
    return rao_scott, chisq, cramers_v, others


def _wald(d, cells, per_unit, complete, r, c, nu):
    """R's svychisq Wald and adjWald: the interaction contrasts N_ij - N_i. N_.j / N (i, j > 0)
    with the delta-method covariance of the cell, row, column and grand totals."""
    rows, cols = np.tile(np.arange(r), c), np.repeat(np.arange(c), r)    # cell order: rows fastest
    row_tot = np.bincount(rows, weights=cells, minlength=r)
    col_tot = np.bincount(cols, weights=cells, minlength=c)
    n = cells.sum()
    y = cells - row_tot[rows] * col_tot[cols] / n
    # d y / d cells through the margins: y_ij depends on N_ij, N_i., N_.j and N
    jac = (np.eye(r * c) - (rows[:, None] == rows[None, :]) * (col_tot[cols] / n)[:, None]
           - (cols[:, None] == cols[None, :]) * (row_tot[rows] / n)[:, None]
           + (row_tot[rows] * col_tot[cols] / n ** 2)[:, None])
    v = jac @ d.totals_covariance(per_unit, complete) @ jac.T
    use = (rows > 0) & (cols > 0)
    try:
        stat = float(y[use] @ np.linalg.solve(v[np.ix_(use, use)], y[use]))
    except np.linalg.LinAlgError:   # a singular covariance (R: solve() fails): no Wald test
        stat = np.nan
    ndf = (r - 1) * (c - 1)
    wald = stat / ndf
    adj_ddf = nu - ndf + 1
    with np.errstate(divide="ignore", invalid="ignore"):   # degf 0 (a layer of one PSU): NaN or -Inf, as R
        adj = float(np.float64(stat) * adj_ddf / (ndf * nu))
    return (ChisqTest(wald, (ndf, nu), float(stats.f.sf(wald, ndf, nu))),
            ChisqTest(adj, (ndf, adj_ddf), float(stats.f.sf(adj, ndf, adj_ddf))))


def _na_tests(others):
    """R with na.rm=FALSE and missing values: statistics and p-values NA, Wald's df kept."""
    return {k: ChisqTest(np.nan, t.parameter, np.nan) for k, t in others.items()}


def _interaction_contrasts(r, c):
    """R: qr.resid(qr(X1), X12[, interaction columns]) for expand.grid(rows, cols)."""
    rows, cols = np.tile(np.arange(r), c), np.repeat(np.arange(c), r)
    dr = (rows[:, None] == np.arange(1, r)[None, :]).astype(float)
    dc = (cols[:, None] == np.arange(1, c)[None, :]).astype(float)
    X1 = np.column_stack([np.ones(r * c), dr, dc])
    X12 = (dr[:, :, None] * dc[:, None, :]).transpose(0, 2, 1).reshape(r * c, -1)
    coef, *_ = np.linalg.lstsq(X1, X12, rcond=None)
    return X12 - X1 @ coef


def _pearson(table):
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    return float(((table - expected) ** 2 / expected).sum())


def _unweighted(n_cells, nr, nc):
    table = n_cells.reshape(nc, nr).T
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return _NAN3
    res = stats.chi2_contingency(table, correction=False)
    return (float(res.statistic), int(res.dof), float(res.pvalue))
