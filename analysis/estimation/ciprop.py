"""Confidence intervals for a proportion: R's ``svyciprop`` methods.

Given a design-based proportion ``p`` and its linearisation variance (``df`` may be
an array: one value per domain, as ``svyby`` gives each domain its own degf):

* "mean": the Wald interval ``p +- t * se`` on the proportion itself.
* "logit": R fits ``svyglm(y ~ 1, quasibinomial)`` and takes the Wald
  interval ``logit(p) +- t_df * se_logit`` (``confint(..., ddf=df)``), mapped
  back with ``expit``; the logit SE is the delta-method ``se / (p (1 - p))``.
* "beta": Korn & Graubard (1998): a Clopper-Pearson interval with the
  effective sample size ``p (1 - p) / var``, times ``(t_{n-1} / t_df)^2`` where
  n is R's ``nrow(design)``: every row of the (domain's) design, including rows
  where the variable is missing.
* "likelihood": the profile likelihood of the quasibinomial intercept with the
  Rao-Scott scaling R's ``confint.svyglm(method="likelihood")`` applies: solve
  ``(D(b) - D(b_hat)) / phi = t_df^2 * lambda`` on each side, where ``lambda``
  is the sandwich over the model-based variance of the logit.  R interpolates a
  spline through profile points; the exact root here agrees to about 1e-5.

For ``p`` of 0 or 1 the variance is zero: "mean", "logit" and "likelihood"
return the degenerate interval ``[p, p]`` (R's logit fit diverges to about the
same); "beta" uses the unweighted count as the effective sample size, which
gives the Clopper-Pearson bound on the open side.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special, stats

METHODS = ("logit", "beta", "mean", "likelihood")


def _t(level: float, df):
    """t quantile for a two-sided ``level`` interval; ``df`` a number or an array
    broadcastable to the estimates (one df per domain, R's degf of each domain)."""
    return stats.t.ppf(1 - (1 - level) / 2, np.asarray(df, dtype=float))


def ci_mean(p, se, level, df):
    half = _t(level, df) * se
    return p - half, p + half


def ci_logit(p, se, level, df):
    z = _t(level, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = special.logit(p)
        half = z * se / (p * (1 - p))
        low, high = special.expit(eta - half), special.expit(eta + half)
    edge = (p == 0) | (p == 1)
    return np.where(edge, p, low), np.where(edge, p, high)


def ci_beta(p, var, n_obs, n_rows, level, df):
    """Korn-Graubard interval as R's svyciprop(method="beta").

    R: ``n.eff <- n.eff*( qt(alpha/2, nrow(design)-1)/qt(alpha/2, degf(design)) )^2``,
    so ``n_rows`` is every row of the (domain's) design, missing values included;
    ``n_obs`` (the non-missing count) only stands in for ``n.eff`` when the variance is 0.
    """
    alpha = 1 - level
    n_rows = np.asarray(n_rows, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where((var > 0) | np.isnan(var), p * (1 - p) / var, n_obs)   # R: NaN stays NaN
        n_eff = n_eff * (stats.t.ppf(alpha / 2, n_rows - 1)
                         / stats.t.ppf(alpha / 2, np.asarray(df, dtype=float))) ** 2
        low = stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1)
        high = stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p))
    low = np.where(p == 0, 0.0, low)
    high = np.where(p == 1, 1.0, high)
    return low, high


def ci_likelihood(p, var, sums, level, df):
    """Profile-likelihood interval; ``sums`` = (S1, S0, Q, W, c, n_nonzero) per estimate.

    S1 = sum w y, S0 = sum w (1 - y), Q = sum w (y - p)^2, W = sum w, c = the mean
    weight svyglm rescales by, n_nonzero = rows with nonzero weight.
    """
    p = np.atleast_1d(np.asarray(p, dtype=float))
    low, high = np.full(p.shape, np.nan), np.full(p.shape, np.nan)
    crits = np.broadcast_to(_t(level, df), p.shape)
    for i in range(p.size):
        crit = crits[i]
        s1, s0, q, w, c, n_nz = (np.atleast_1d(s)[i] for s in sums)
        pi = p[i]
        if not np.isfinite(pi) or not np.isfinite(var[i]):
            continue
        if pi in (0.0, 1.0) or var[i] == 0:
            low[i] = high[i] = pi
            continue
        if not np.isfinite(crit):   # df <= 0 (e.g. a domain inside one PSU): no interval
            continue
        lam = var[i] * w / (c * pi * (1 - pi))
        target = crit ** 2 * lam
        per_dev = pi * (1 - pi) * (n_nz - 1) / q  # 1 / dispersion, on the unscaled weights

        def excess(beta):
            mu = special.expit(beta)
            return 2 * (s1 * np.log(pi / mu) + s0 * np.log((1 - pi) / (1 - mu))) * per_dev - target

        b_hat = special.logit(pi)
        step = crit * np.sqrt(var[i]) / (pi * (1 - pi))
        low[i] = special.expit(_root(excess, b_hat, -step))
        high[i] = special.expit(_root(excess, b_hat, step))
    return low, high


def _root(fun, start, step):
    """Root of ``fun`` beyond ``start`` in the direction of ``step`` (fun(start) < 0)."""
    edge = start + step
    for _ in range(60):
        if fun(edge) > 0:
            break
        step *= 2
        edge = start + step
    a, b = sorted((start, edge))
    return optimize.brentq(fun, a, b, xtol=1e-14, rtol=1e-14)
