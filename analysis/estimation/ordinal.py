"""Proportional-odds (ordinal logistic) regression: R's ``svyolr`` (survey 4.1).

``ordinal_logistic(d, "y ~ x1 + x2")`` fits ``P(y <= k) = expit(zeta_k - x beta)`` by
weighted maximum likelihood with the sampling weights (R: ``svyolr``, MASS ``polr``'s
parametrisation, McCullagh 1980; Lumley 2010 sec. 6.3), for Likert items such as
leadership or satisfaction.  The response is a factor of three or more ordered levels (a
Categorical keeps its category order; text and numbers are sorted, as R's ``factor``).

On a replicate design the model is refitted with every replicate's weights from the full-sample
estimates and the SEs are the replicates' spread (R's ``svyolr.svyrep.design``: ``polr`` per
replicate, ``svrVar``); R's BFGS stops those refits early, so its SEs differ from these converged
ones in the fifth digit.  Otherwise standard errors are the design-based sandwich, as svyolr: influence values ``U_i H^-1`` from
each row's score ``U_i`` (slopes and thresholds) and the Hessian ``H`` of the weighted
negative log-likelihood in (beta, zeta), passed through the design's variance (PSU totals,
calibration residuals, fpc).  R takes ``H`` from optim's finite-difference Hessian; here it
is exact, and the fit is Newton's method to convergence (R: BFGS), so results agree with R to
its optimiser's accuracy.  Rows missing a model variable are left out with zero influence.

The result: a DataFrame with ``term`` (slopes named as R's coefficients, e.g. ``sexfemale``,
then thresholds ``a|b``), ``coef`` and ``se``; ``.attrs["n"]`` rows used.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import patsy
from pandas.api import types as ptypes
from scipy import special

from analysis.estimation.codes import factor_codes
from analysis.estimation.models import _NAMESPACE, _formula_order, _quote_names, _r_name
from analysis.estimation.variance import VarianceDesign


def ordinal_logistic(d: VarianceDesign, formula: str, max_iter: int = 100, tol: float = 1e-10) -> pd.DataFrame:
    """Proportional-odds logistic regression of an ordered response (R: ``svyolr``)."""
    y, levels, x, names, used = _data(d, formula)
    w = d.weights[used]
    beta, zeta = _fit(x, y, len(levels) - 1, w, max_iter, tol, formula)
    if hasattr(d, "replicate_weights") and hasattr(d, "svrvar"):   # R's svyolr.svyrep.design
        reps = d.replicate_weights[used]
        thetas = np.array([np.concatenate(_fit(x, y, len(levels) - 1, reps[:, r], max_iter, tol, formula,
                                               start=(beta, zeta))) for r in range(reps.shape[1])])
        se = np.sqrt(d.svrvar(thetas, np.concatenate([beta, zeta])))
    else:
        scores, _ = _derivatives(x, y, beta, zeta, w)
        infl = np.zeros((len(d), scores.shape[1]))
        infl[used] = scores @ _r_inverse_hessian(x, y, beta, zeta, w)
        totals = np.column_stack([d.totals(infl[:, j])[:, 0] for j in range(infl.shape[1])])
        se = np.sqrt(np.diag(d.totals_covariance(totals, used)))
    terms = names + [f"{a}|{b}" for a, b in zip(levels[:-1], levels[1:])]
    out = pd.DataFrame({"term": terms, "coef": np.concatenate([beta, zeta]), "se": se})
    out.attrs["n"] = int(used.sum())
    return out


def _data(d: VarianceDesign, formula: str):
    """Response codes (0..K-1) and levels, slopes' design matrix and R names, rows used."""
    if "~" not in formula:
        raise ValueError(f"ordinal_logistic needs a formula 'y ~ x1 + x2', not {formula!r}.")
    lhs, rhs = (s.strip() for s in formula.split("~", 1))
    response = lhs[3:-2] if lhs.startswith(("Q('", 'Q("')) else lhs
    if response not in d.column_names:
        raise ValueError(f"ordinal_logistic: the data have no response column {response!r}.")
    rhs = _quote_names(rhs, d.column_names)
    named = [c for c in d.column_names if str(c) in rhs]
    frame = pd.concat([d.column(c) for c in named], axis=1, keys=named) if named else \
        pd.DataFrame(index=pd.RangeIndex(len(d)))
    data = frame.reset_index(drop=True)
    for col in data.columns:   # text -> factor with sorted levels, as R's factor
        if (ptypes.is_string_dtype(data[col].dtype) or ptypes.is_object_dtype(data[col].dtype)
                or isinstance(data[col].dtype, pd.CategoricalDtype)):
            codes, lv = factor_codes(data[col])
            data[col] = pd.Categorical.from_codes(codes, categories=lv)
    y_codes, levels = factor_codes(d.column(response).reset_index(drop=True))
    inside = d.in_subset & (y_codes >= 0)
    data = data.loc[inside]
    try:
        x_df = patsy.dmatrix(rhs, data, NA_action="drop", return_type="dataframe",
                             eval_env=patsy.EvalEnvironment([_NAMESPACE]))
    except patsy.PatsyError as err:
        raise ValueError(f"Cannot build the model {formula!r}: {err}") from None
    x_df = x_df[_formula_order(f"y ~ {rhs}", x_df.design_info)]
    x_df = x_df.drop(columns=[c for c in x_df.columns if c == "Intercept"])   # R: the thresholds take it
    used = np.zeros(len(d), dtype=bool)
    used[x_df.index.to_numpy()] = True
    y = y_codes[used]
    seen = np.unique(y)
    if len(seen) < 3:
        raise ValueError(f"ordinal_logistic: the response {response!r} must have 3 or more levels in the rows "
                         f"used; it has {len(seen)}.")
    if len(seen) < len(levels):   # R's model.frame drops unused levels of the response
        levels = levels[seen]
        y = np.searchsorted(seen, y)
    return y, [str(v) for v in levels], x_df.to_numpy(dtype=float), [_r_name(c) for c in x_df.columns], used


def _probabilities(x, y, beta, zeta):
    """Per row: P(y), densities at the upper and lower cut, their derivatives, and 1/0 masks."""
    eta = x @ beta
    cuts = np.concatenate([[-np.inf], zeta, [np.inf]])
    upper, lower = cuts[y + 1] - eta, cuts[y] - eta
    pr = special.expit(upper) - special.expit(lower)
    dens = [np.where(np.isfinite(z), special.expit(z) * special.expit(-z), 0.0) for z in (upper, lower)]
    slope = [np.where(np.isfinite(z), dn * (1 - 2 * special.expit(z)), 0.0) for z, dn in zip((upper, lower), dens)]
    return pr, dens, slope


def _loglik(x, y, beta, zeta, w) -> float:
    if np.any(np.diff(zeta) <= 0):
        return -np.inf
    pr = _probabilities(x, y, beta, zeta)[0]
    return float(np.sum(w * np.log(pr))) if (pr > 0).all() else -np.inf


def _derivatives(x, y, beta, zeta, w):
    """Per-row scores of the negative log-likelihood (R's gmini) and its Hessian in (beta, zeta)."""
    n, p = x.shape
    q = len(zeta)
    pr, (p1, p2), (s1, s2) = _probabilities(x, y, beta, zeta)
    up = (y[:, None] == np.arange(q)[None, :]).astype(float)        # zeta_k is the upper cut
    low = (y[:, None] - 1 == np.arange(q)[None, :]).astype(float)   # zeta_k is the lower cut
    dpr = np.column_stack([-(p1 - p2)[:, None] * x, p1[:, None] * up - p2[:, None] * low])
    scores = -(w / pr)[:, None] * dpr
    second = np.zeros((n, p + q, p + q))
    second[:, :p, :p] = (s1 - s2)[:, None, None] * x[:, :, None] * x[:, None, :]
    cross = -(s1[:, None] * up - s2[:, None] * low)[:, None, :] * x[:, :, None]
    second[:, :p, p:] = cross
    second[:, p:, :p] = cross.transpose(0, 2, 1)
    second[:, p:, p:] = (s1[:, None] * up)[:, :, None] * up[:, None, :] - (s2[:, None] * low)[:, :, None] * low[:, None, :]
    wp = w / pr
    hessian = (dpr * (wp / pr)[:, None]).T @ dpr - np.einsum("i,ijk->jk", wp, second)
    return scores, hessian


def _r_inverse_hessian(x, y, beta, zeta, w, eps: float = 1e-3) -> np.ndarray:
    """svyolr's ``solve(fit$Hessian)``: optim's finite-difference Hessian (central differences of
    the gradient, ndeps = 1e-3, symmetrised) in (beta, theta) with theta = (zeta_1, log diff(zeta)),
    generalised-inverted and mapped to (beta, zeta) by the Jacobian, ``A ginv(H) A'``.

    Its differencing error is of the order of 1e-4 relative to the exact Hessian for slopes of
    variables on a scale of tens; the exact one is ``_derivatives``' second value."""
    p = len(beta)
    theta = np.concatenate([[zeta[0]], np.log(np.diff(zeta))])

    def jacobian(th):
        k = len(th)
        jac = np.zeros((k, k))
        jac[:, 0] = 1.0
        for i in range(1, k):
            jac[i:, i] = np.exp(th[i])
        return jac

    def gradient(par):
        th = par[p:]
        z = np.cumsum(np.concatenate([[th[0]], np.exp(th[1:])]))
        g = _derivatives(x, y, par[:p], z, w)[0].sum(axis=0)
        return np.concatenate([g[:p], g[p:] @ jacobian(th)])

    par = np.concatenate([beta, theta])
    k = len(par)
    hess = np.empty((k, k))
    for i in range(k):
        step = np.zeros(k)
        step[i] = eps
        hess[i] = (gradient(par + step) - gradient(par - step)) / (2 * eps)
    hess = (hess + hess.T) / 2
    a = np.eye(k)
    a[p:, p:] = jacobian(theta)
    return a @ np.linalg.pinv(hess, rcond=256 * np.finfo(float).eps) @ a.T


def _fit(x, y, q, w, max_iter, tol, formula, start=None):
    """Newton's method with step halving on the concave log-likelihood, from ``start`` (beta, zeta)
    or the slopes 0 and the thresholds at the logits of the weighted cumulative shares."""
    if start is None:
        share = np.cumsum(np.bincount(y, weights=w, minlength=q + 1))[:-1] / w.sum()
        beta, zeta = np.zeros(x.shape[1]), special.logit(share)
    else:
        beta, zeta = (np.array(v, dtype=float) for v in start)
    ll = _loglik(x, y, beta, zeta, w)
    p = x.shape[1]
    for _ in range(max_iter):
        scores, hessian = _derivatives(x, y, beta, zeta, w)
        grad = scores.sum(axis=0)
        try:
            step = np.linalg.solve(hessian, grad)
        except np.linalg.LinAlgError:
            raise ValueError(f"ordinal_logistic: the model {formula!r} cannot be estimated (collinear "
                             "predictors, or a predictor that separates the levels).") from None
        for _ in range(60):
            nb, nz = beta - step[:p], zeta - step[p:]
            new = _loglik(x, y, nb, nz, w)
            if new >= ll - 1e-12 * abs(ll):
                break
            step = step / 2
        beta, zeta, change, ll = nb, nz, abs(new - ll), new
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(np.concatenate([beta, zeta])))) or change == 0:
            return beta, zeta
    warnings.warn(f"ordinal_logistic: {formula!r} did not converge in {max_iter} Newton steps.",
                  RuntimeWarning, stacklevel=3)
    return beta, zeta
