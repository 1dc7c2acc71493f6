"""The area-level Fay-Herriot model: EBLUPs of small-area means and their MSE.

Fay & Herriot (1979); Rao & Molina, *Small Area Estimation* (2nd ed., 2015), chapter 6;
computed as R's ``sae`` package does (Molina & Marhuenda, The R Journal 7(1), 2015):

    direct_d = x_d' beta + u_d + e_d,   u_d ~ N(0, A),   e_d ~ N(0, D_d) with D_d known

(``D_d``: the direct estimate's design variance).  ``A`` is fitted by Fisher scoring on the
restricted (REML) or full (ML) likelihood, starting at the median of ``D`` and stopping when the
relative change is below ``precision``, exactly as ``sae::eblupFH``; then

    EBLUP_d = x_d' beta + gamma_d (direct_d - x_d' beta),   gamma_d = A / (A + D_d)

and its MSE as ``sae::mseFH``: Prasad & Rao's ``g1 + g2 + 2 g3`` for REML, plus Datta & Lahiri's
bias term for ML.  An area left out of the fit (no direct estimate, or one without a design
variance) gets the regression-synthetic ``x_d' beta`` with MSE ``A + x_d' (X'V^-1X)^-1 x_d``
(Rao & Molina 2015, section 6.2.5, without the term of order 1/m for A's estimation error).

:func:`ratio_benchmark` scales the estimates so that their weighted mean equals a larger area's
direct estimate (Rao & Molina 2015, section 6.2.7), so the kelurahan add up to the city's figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

METHODS = ("REML", "ML")


class FayHerriotError(ValueError):
    """The model cannot be fitted: too few areas, missing values, or no convergence."""


@dataclass(frozen=True)
class FayHerriotFit:
    """A fitted Fay-Herriot model.

    ``coefficients``: term, coef, se, z, p_value (as ``eblupFH``'s ``estcoef``);
    ``estimates``: one row per area: area, direct, vardir, synthetic, gamma, eblup, mse, se, rse
    (percent), and ``fitted`` (False for an area left out of the fit, whose eblup is synthetic).
    """

    method: str
    variance: float          # A, the variance of the area effects (sae's ``refvar``)
    coefficients: pd.DataFrame
    estimates: pd.DataFrame
    loglike: float
    iterations: int
    auxiliaries: tuple[str, ...]


def design_matrix(areas: pd.DataFrame, auxiliaries: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """An intercept and the auxiliaries; a text or categorical column as R's treatment contrasts
    (one 0/1 column per level but the first, named ``column + level``)."""
    columns, names = [np.ones(len(areas))], ["(Intercept)"]
    for name in auxiliaries:
        values = areas[name]
        categorical = isinstance(values.dtype, pd.CategoricalDtype)
        if categorical or not pd.api.types.is_numeric_dtype(values):
            levels = values.cat.categories if categorical else sorted(values.dropna().unique())
            for level in list(levels)[1:]:
                columns.append((values == level).to_numpy(dtype=float))
                names.append(f"{name}{level}")
        else:
            columns.append(pd.to_numeric(values).to_numpy(dtype=float))
            names.append(name)
    return np.column_stack(columns), names


def _scoring(y: np.ndarray, X: np.ndarray, D: np.ndarray, method: str, max_iter: int,
             precision: float) -> tuple[float, int]:
    """A by Fisher scoring, step for step as sae::eblupFH (its start, update and stopping rule)."""
    A, k, diff = float(np.median(D)), 0, precision + 1
    while diff > precision and k < max_iter:
        k += 1
        Vi = 1 / (A + D)
        XtVi = (Vi[:, None] * X).T
        Q = np.linalg.inv(XtVi @ X)
        P = np.diag(Vi) - XtVi.T @ Q @ XtVi
        Py = P @ y
        if method == "REML":
            score, information = -0.5 * np.trace(P) + 0.5 * Py @ Py, 0.5 * np.sum(P * P.T)
        else:
            score, information = -0.5 * Vi.sum() + 0.5 * Py @ Py, 0.5 * np.sum(Vi ** 2)
        new = A + score / information
        diff = abs((new - A) / A) if A != 0 else np.inf
        A = new
    if k >= max_iter and diff >= precision:
        raise FayHerriotError(f"the {method} fit of the area variance did not converge in {max_iter} iterations")
    return max(A, 0.0), k


def fay_herriot(areas: pd.DataFrame, estimate: str, variance: str, auxiliaries: Sequence[str] = (), *,
                area: str | None = None, method: str = "REML", max_iter: int = 100,
                precision: float = 1e-4) -> FayHerriotFit:
    """Fit the model to ``areas`` (one row per area) and predict every area.

    ``estimate`` and ``variance`` name the direct estimate and its design variance; rows where
    either is missing or the variance is not positive are left out of the fit and predicted
    synthetically.  ``auxiliaries`` must be known for every area.  ``area`` names the area column
    (default: the index)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    auxiliaries = tuple(auxiliaries)
    if areas[list(auxiliaries)].isna().any().any():
        missing = [c for c in auxiliaries if areas[c].isna().any()]
        raise FayHerriotError(f"auxiliaries with missing values: {', '.join(missing)}")
    X, names = design_matrix(areas, auxiliaries)
    y_all = pd.to_numeric(areas[estimate]).to_numpy(dtype=float)
    D_all = pd.to_numeric(areas[variance]).to_numpy(dtype=float)
    fitted = ~np.isnan(y_all) & ~np.isnan(D_all) & (D_all > 0)
    y, D, Xf = y_all[fitted], D_all[fitted], X[fitted]
    m, p = Xf.shape
    if m <= p or np.linalg.matrix_rank(Xf) < p:
        raise FayHerriotError(f"{m} areas with a direct estimate and its variance cannot fit {p} coefficients")
    A, iterations = _scoring(y, Xf, D, method, max_iter, precision)

    Vi = 1 / (A + D)
    XtVi = (Vi[:, None] * Xf).T
    Q = np.linalg.inv(XtVi @ Xf)
    beta = Q @ XtVi @ y
    se_beta = np.sqrt(np.diag(Q))
    z = beta / se_beta
    resid = y - Xf @ beta
    loglike = -0.5 * np.sum(np.log(2 * np.pi * (A + D)) + resid ** 2 / (A + D))

    # mseFH: g1 + g2 + 2 g3 (REML); ML subtracts its bias term b * B_d^2
    B = D / (A + D)
    var_A = 2 / np.sum(Vi ** 2)
    g1 = D * (1 - B)
    g2 = B ** 2 * np.einsum("ij,jk,ik->i", Xf, Q, Xf)
    g3 = B ** 2 * var_A / (A + D)
    mse_fit = g1 + g2 + 2 * g3
    if method == "ML":
        bias = -np.trace(Q @ ((Vi ** 2)[:, None] * Xf).T @ Xf) / np.sum(Vi ** 2)
        mse_fit = mse_fit - bias * B ** 2

    synthetic = X @ beta
    eblup = synthetic.copy()
    eblup[fitted] = synthetic[fitted] + A * Vi * resid
    mse = A + np.einsum("ij,jk,ik->i", X, Q, X)   # synthetic areas
    mse[fitted] = mse_fit
    gamma = np.zeros(len(areas))
    gamma[fitted] = 1 - B
    se = np.sqrt(mse)
    with np.errstate(divide="ignore", invalid="ignore"):
        rse = np.where(eblup != 0, 100 * se / np.abs(eblup), np.nan)
    labels = areas[area].to_numpy() if area is not None else areas.index.to_numpy()
    estimates = pd.DataFrame({"area": labels, "direct": y_all, "vardir": D_all, "synthetic": synthetic,
                              "gamma": gamma, "eblup": eblup, "mse": mse, "se": se, "rse": rse,
                              "fitted": fitted})
    coefficients = pd.DataFrame({"term": names, "coef": beta, "se": se_beta, "z": z,
                                 "p_value": 2 * stats.norm.sf(np.abs(z))})
    return FayHerriotFit(method, A, coefficients, estimates, float(loglike), iterations, auxiliaries)


def ratio_benchmark(estimates: np.ndarray, shares: np.ndarray, target: float) -> np.ndarray:
    """Scale ``estimates`` so that ``sum(shares * estimates) / sum(shares)`` equals ``target``
    (ratio benchmarking; ``shares`` e.g. each area's households)."""
    estimates, shares = np.asarray(estimates, dtype=float), np.asarray(shares, dtype=float)
    weighted = np.sum(shares * estimates) / np.sum(shares)
    if not np.isfinite(weighted) or weighted == 0:
        raise FayHerriotError("the areas' weighted estimate is zero or missing: nothing to scale")
    return estimates * (target / weighted)
