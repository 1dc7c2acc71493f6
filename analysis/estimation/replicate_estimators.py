"""The estimators on a replicate design: every estimate again under each replicate's weights.

R's ``svyrep.design`` methods (survey 4.1) do not linearise: ``svymean`` computes the
mean with each replicate's weights, ``svyglm`` refits the model in each replicate
(``glm.fit`` from the full-sample coefficients), ``svyciprop(method="logit")`` takes the
spread of the replicate fits' logits, and ``svrVar`` turns the replicate estimates into
a variance (:meth:`ReplicateDesign.svrvar`).  These functions do the same, vectorised
over the replicates: weighted sums per domain are one sparse product with the (n, R+1)
matrix of the full-sample and replicate weights.  Results have the columns of the
Taylor estimators (:mod:`analysis.estimation.estimates`, ``contingency``, ``models``),
which call these for a replicate design; domains, missing values, degrees of freedom
and intervals follow the same rules (degf: R's ``degf`` of a replicate design, the rank
of the replicate weights, per domain where ``svyby`` subsets the design).

Differences from a Taylor design, as in R: ``proportion(ci_method="likelihood")`` has
no interval (R's profile of a replicate-weight ``svyglm`` returns NA); a model's
residual df is the design's degf + 1 - coefficients, whatever rows the model drops.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import linalg, sparse, special, stats

from analysis.estimation import ciprop as _ciprop
from analysis.estimation import contingency as _ct
from analysis.estimation import estimates as _est
from analysis.estimation import models as _models
from analysis.estimation.design_variables import categorical, domains, variable


def is_replicate(d) -> bool:
    """True for a design whose variances come from replicate weights."""
    return hasattr(d, "replicate_weights") and hasattr(d, "svrvar")


class _Linearised:
    """A replicate design seen only through ``VarianceDesign`` (linearised replicate variances),
    so the Taylor code computes a result's point estimates without coming back here."""

    def __init__(self, design):
        self._design = design

    def __len__(self) -> int:
        return len(self._design)

    def __getattr__(self, name):
        if name in ("replicate_weights", "svrvar"):
            raise AttributeError(name)
        return getattr(self._design, name)


def _weights(d) -> np.ndarray:
    """(n, R+1): the full-sample weights, then each replicate's."""
    return np.column_stack([d.weights, d.replicate_weights])


def _sums(X, g, k, valid, W) -> np.ndarray:
    """Weighted sums of each column of X (n, L) per domain, for every weight column: (k, L, R+1)."""
    rows = np.flatnonzero(valid)
    G = sparse.csr_matrix((np.ones(len(rows)), (g[rows], np.arange(len(rows)))), shape=(k, len(rows)))
    Wr = W[rows]
    return np.stack([np.asarray(G @ (X[rows, col][:, None] * Wr)) for col in range(X.shape[1])], axis=1)


def _spread(d, S) -> tuple[np.ndarray, np.ndarray]:
    """Full-sample estimates (k, L) and their replicate variances from S (k, L, R+1)."""
    est = S[..., 0]
    reps = S[..., 1:].reshape(-1, S.shape[-1] - 1).T
    return est, d.svrvar(reps, est.ravel()).reshape(est.shape)


def _means(d, X, g, k, valid, W):
    num = _sums(X, g, k, valid, W)
    den = _sums(np.ones((len(X), 1)), g, k, valid, W)
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


# ---- mean, total, ratio ----------------------------------------------------------------
def linear(d, name, by, kind, deff, na_rm, level, df) -> pd.DataFrame:
    v = variable(d, name)
    dom = domains(d, by)
    X = v.indicators()
    valid, g, bad = _est._valid_rows(dom, v.missing, na_rm)
    k = dom.count
    W = _weights(d)
    S = _means(d, X, g, k, valid, W) if kind == "mean" else _sums(X, g, k, valid, W)
    est, var = _spread(d, S)
    n = np.bincount(g[valid], minlength=k)
    extra = {"deff": _est._deff(d, X, g, k, valid, var, kind)} if deff else {}
    return _est._table(dom, v.levels, est, var, n, bad, level, _est._df(d, df), extra)


def ratio(d, numerator, denominator, by, deff, na_rm, level, df) -> pd.DataFrame:
    y = variable(d, numerator, numeric_only=True)
    x = variable(d, denominator, numeric_only=True)
    dom = domains(d, by)
    both = np.column_stack([y.values, x.values])
    valid, g, bad = _est._valid_rows(dom, np.isnan(both).any(axis=1), na_rm)
    k = dom.count
    S = _sums(both, g, k, valid, _weights(d))
    with np.errstate(divide="ignore", invalid="ignore"):
        est, var = _spread(d, S[:, :1] / S[:, 1:])
    n = np.bincount(g[valid], minlength=k)
    extra = {}
    if deff:
        with np.errstate(divide="ignore", invalid="ignore"):
            resid = np.where(valid, (y.values - est[np.maximum(g, 0), 0] * x.values) / S[np.maximum(g, 0), 1, 0], 0)
        extra = {"deff": _est._deff(d, resid[:, None], g, k, valid, var, "total")}
    return _est._table(dom, None, est, var, n, bad, level, _est._df(d, df), extra)


# ---- proportions -------------------------------------------------------------------------
def proportions(d, X, missing, levels, by, ci_method, level, df, deff) -> pd.DataFrame:
    """Shares with svyciprop intervals on a replicate design (see ``estimates.proportion``)."""
    if ci_method not in _ciprop.METHODS:
        raise ValueError(f"ci_method must be one of {_ciprop.METHODS}, not {ci_method!r}")
    dom = domains(d, by)
    valid, g, bad = _est._valid_rows(dom, missing, True)
    k = dom.count
    P = _means(d, X, g, k, valid, _weights(d))
    p, var_p = _spread(d, P)
    n = np.bincount(g[valid], minlength=k)
    inside = dom.codes >= 0
    dfv = _est._domain_df(d, inside, dom.codes, k, df)
    dfc = dfv[:, None]
    if ci_method == "mean":
        low, high = _ciprop.ci_mean(p, np.sqrt(var_p), level, dfc)
    elif ci_method == "logit":
        # R: svyglm(y ~ 1, quasibinomial) refitted in each replicate: the logits' spread.
        with np.errstate(divide="ignore", invalid="ignore"):
            _, var_logit = _spread(d, special.logit(P))
            low, high = _ciprop.ci_logit(p, np.sqrt(var_logit) * p * (1 - p), level, dfc)
    elif ci_method == "beta":
        n_rows = np.bincount(dom.codes[inside], minlength=k)
        low, high = _ciprop.ci_beta(p, var_p, n[:, None].astype(float), n_rows[:, None], level, dfc)
    else:   # R's profile likelihood of a replicate-weight svyglm returns NA
        low = high = np.full(p.shape, np.nan)
    extra = {"deff": _est._deff(d, X, g, k, valid, var_p, "mean")} if deff else {}
    out = _est._table(dom, levels, p, var_p, n, bad, level, dfv, extra)
    out["ci_low"], out["ci_high"] = np.ravel(low), np.ravel(high)
    return out


# ---- quantiles ---------------------------------------------------------------------------
def quantile(d, var, probs, by, level, df) -> pd.DataFrame:
    """R's ``svyquantile`` on a replicate design: the Woodruff interval from the replicate
    variance of the share at or below the quantile (``interval.type="mean"``)."""
    x = variable(d, var, numeric_only=True)
    probs = np.atleast_1d(np.asarray(probs, dtype=float))
    if ((probs < 0) | (probs > 1)).any():
        raise ValueError(f"probs must lie in [0, 1], got {probs.tolist()}")
    dom = domains(d, by)
    valid, g, _ = _est._valid_rows(dom, x.missing, True)
    k = dom.count
    dfv = _est._domain_df(d, valid, g, k, df)
    crit = stats.t.ppf(1 - (1 - level) / 2, dfv)[:, None]
    per_domain = _est._domain_quantiles(x.values, d.weights, g, k, valid)
    est = np.array([q(probs) for q in per_domain]).reshape(k, len(probs))
    below = (x.values[:, None] <= est[np.maximum(g, 0)]).astype(float)
    share, var_share = _spread(d, _means(d, below, g, k, valid, _weights(d)))
    half = crit * np.sqrt(var_share)
    low, high = share - half, share + half
    ci_low, ci_high = _est._interval_ends(per_domain, low, high)
    n = np.bincount(g[valid], minlength=k)
    out = _est._table(dom, pd.Index(probs), est, ((ci_high - ci_low) / (2 * crit)) ** 2, n,
                      np.zeros(k, bool), level, dfv, {})
    out = out.rename(columns={"level": "prob"})
    out["ci_low"], out["ci_high"] = ci_low.ravel(), ci_high.ravel()
    return out


# ---- two-way tables -----------------------------------------------------------------------
def crosstab(d, row, col, na_rm) -> _ct.CrossTab:
    """The table's SEs, percentages' SEs and every svychisq test from replicate estimates
    (R's ``svytotal``, ``svyby(svymean)`` and ``svychisq.svyrep.design``: the Wald tests from the
    replicate covariance of the cell totals, lincom and saddlepoint by ``pchisqsum``)."""
    base = _ct.crosstab(_Linearised(d), row, col, na_rm)   # point estimates and the unweighted parts
    rv, cv = categorical(d, row), categorical(d, col)
    nr, nc = len(rv.levels), len(cv.levels)
    inside = d.in_subset
    complete = inside & (rv.values >= 0) & (cv.values >= 0)
    cell = np.where(complete, rv.values + nr * cv.values, -1)
    k = nr * nc
    C = _sums(np.ones((len(cell), 1)), cell, k, complete, _weights(d))[:, 0, :]   # (cells, R+1)
    counts, counts_var = _spread(d, C[:, None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = C / C.sum(axis=0, keepdims=True)
        cube = C.reshape(nc, nr, -1)
        row_p = (cube / cube.sum(axis=0, keepdims=True)).reshape(k, -1)
        col_p = (cube / cube.sum(axis=1, keepdims=True)).reshape(k, -1)
    total_p = shares[:, 0]
    cov = d.svrcov(shares[:, 1:].T, total_p)
    frame = lambda a: pd.DataFrame(np.asarray(a).reshape(nc, nr).T, index=base.counts.index,  # noqa: E731
                                   columns=base.counts.columns)
    reps = (C[:, 1:] - C[:, :1]).T   # replicate minus full-sample cell totals: their svrVar covariance
    tests = _ct._tests(d, counts[:, 0], total_p, cov, nr, nc, int(inside.sum()), reps, complete, replicate=True)
    if bool((inside & ~complete).any()) and not na_rm:
        tests = base.rao_scott, base.chisq, base.cramers_v, {k: getattr(base, k) for k in _ct._NO_OTHERS}
    se = lambda P: 100 * np.sqrt(_spread(d, P[:, None, :])[1][:, 0])  # noqa: E731
    return replace(base, counts_se=frame(np.sqrt(counts_var[:, 0])),
                   row_percent_se=frame(se(row_p)), col_percent_se=frame(se(col_p)),
                   total_percent_se=frame(100 * np.sqrt(np.diag(cov))),
                   rao_scott=tests[0], chisq=tests[1], cramers_v=tests[2], **tests[3])


# ---- models ------------------------------------------------------------------------------
def svyglm(d, formula, kind, level) -> pd.DataFrame:
    """R's ``svyglm.svyrep.design``: the full-sample fit, refitted in every replicate from its
    coefficients (``glm.fit(weights = w_r / sum(w_r), start = beta0)``)."""
    base = _models._svyglm(_Linearised(d), formula, kind, level)
    y, X, used = _models._matrices(d, formula, kind)
    beta_all = base["coef"].to_numpy()
    keep = ~np.isnan(beta_all)
    x, beta0 = X.to_numpy()[:, keep], beta_all[keep]
    family = _models._FAMILIES[kind]
    reps = d.replicate_weights[used]
    betas = np.array([_refit(x, y, reps[:, r] / reps[:, r].sum(), family, beta0)
                      for r in range(reps.shape[1])])
    se = np.full(len(keep), np.nan)
    se[keep] = np.sqrt(d.svrvar(betas, beta0))
    df_resid = int(d.degf) + 1 - int(keep.sum())   # R: degf(design) + 1 - length(coef)
    crit = stats.t.ppf(1 - (1 - level) / 2, df_resid)
    out = base.copy()
    out["se"], out["ci_low"], out["ci_high"] = se, beta_all - crit * se, beta_all + crit * se
    with np.errstate(divide="ignore", invalid="ignore"):
        out["p_value"] = 2 * stats.t.sf(np.abs(beta_all / se), df_resid)
    out.attrs = {**base.attrs, "df_residual": df_resid}
    return out


def _refit(X, y, w, family, start, epsilon=1e-8, maxit=25) -> np.ndarray:
    """R's glm.fit from ``start``: IRLS until the deviance changes by < epsilon (relative)."""
    eta = X @ start
    mu = family.linkinv(eta)
    devold = family.dev_resids(y, mu, w).sum()
    good = w > 0
    beta = start
    for _ in range(maxit):
        d_mu = family.mu_eta(eta, mu)
        z = eta + (y - mu) / d_mu
        root_w = np.sqrt(w * d_mu ** 2 / family.variance(mu))
        q, r = np.linalg.qr(X[good] * root_w[good, None])   # R's glm.fit: a QR least-squares step
        beta = linalg.solve_triangular(r, q.T @ (z * root_w)[good])
        eta = X @ beta
        mu = family.linkinv(eta)
        dev = family.dev_resids(y, mu, w).sum()
        if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
            break
        devold = dev
    return beta
