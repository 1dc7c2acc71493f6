"""glm.fit's IRLS by blocks of rows: the fast path of :mod:`analysis.estimation.models`.

Each IRLS step is one pass over the model matrix, held as ``xt`` (k, n) (a row per column):
for each block of rows, the linear predictor, the mean, the deviance, the working weights and
response of the next step, and their small cross-products ``X'WX`` and ``X'Wz`` (k x k, k),
so a block's columns are read once while they are in the cache and no n x k temporary exists.
The step solves those normal equations on unit-norm columns.  Normal equations lose accuracy as
the square of the columns' condition number, so a step whose scaled cross-product has a
condition number above ``COND`` (where the solution could differ from glm.fit's QR beyond
~1e-11) gives up: the caller refits by the reference path (normal equations with refinement, and
the aliasing check column by column).  Below it every column is clearly estimable (the smallest
eigenvalue of a unit-diagonal matrix bounds each column's squared residual after the others,
1e-5 >> glm.fit's 1e-22), so no aliasing check is needed either.

The sequence of steps, the start and the convergence rule are glm.fit's, so the coefficients are
glm.fit's; the sandwich's scores use the working residuals at the final coefficients times the
working weights of the last step, and its information matrix is that step's ``X'WX``, as R's
``svy.varcoef`` reads them from the glm object.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

BLOCK = 8192         # rows per block: a block's columns and vectors stay in the core's cache, and
#                      k x k x BLOCK stays under OpenBLAS's threading threshold (65536 x 4) for k <= 5:
#                      its threads would spin for a 5 x 5 product, and on a busy 2-core machine cost 5x
COND = 1e5           # scaled X'WX condition number above which the reference path refits


@dataclass
class Fit:
    beta: np.ndarray    # (k,) coefficients
    score_w: np.ndarray  # (n,) working residual at beta times the last step's working weight
    gram: np.ndarray    # (k, k) X'WX of the last step (R's information matrix)


def scaled_solve(gram: np.ndarray, rhs: np.ndarray | None = None, cond: float | None = None):
    """The normal equations solved on unit-norm columns (a predictor in rupiah beside a 0/1 one
    would otherwise square a condition number of 1e7 into 1e14): the solution, or gram's
    inverse when ``rhs`` is None; None when the scaled matrix's condition number exceeds
    ``cond`` or is not finite."""
    diag = np.diag(gram)
    if not (np.isfinite(gram).all() and (diag > 0).all()):
        return None
    scale = 1 / np.sqrt(diag)
    scaled = gram * scale[:, None] * scale[None, :]
    if cond is not None and not np.linalg.cond(scaled) <= cond:
        return None
    if rhs is None:
        return scale[:, None] * np.linalg.inv(scaled) * scale[None, :]
    return scale * np.linalg.solve(scaled, scale * rhs)


def fit(xt: np.ndarray, y: np.ndarray, w: np.ndarray, family, epsilon: float = 1e-8,
        maxit: int = 25) -> Fit | None:
    """glm.fit on the model matrix ``xt`` (k, n), response ``y`` and prior weights ``w``; None
    when a step is ill-conditioned (the caller then takes the reference path)."""
    n = xt.shape[1]
    binary = family.binary and bool(((y == 0) | (y == 1)).all())
    now, nxt, score_w = np.empty(n), np.empty(n), np.empty(n)
    devold, gram, rhs = _pass(xt, y, w, family, None, None, now, None, binary)
    for _ in range(maxit):
        beta = scaled_solve(gram, rhs, COND)
        if beta is None:
            return None
        dev, gram_next, rhs_next = _pass(xt, y, w, family, beta, now, nxt, score_w, binary)
        if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
            return Fit(beta, score_w, gram)
        devold, gram, rhs = dev, gram_next, rhs_next
        now, nxt = nxt, now
    warnings.warn("The model did not converge in 25 iterations (as R's glm.fit); "
                  "check for separation or rare outcomes.", RuntimeWarning, stacklevel=4)
    return Fit(beta, score_w, gram)


def _pass(xt, y, w, family, beta, work_w, next_w, score_w, binary):
    """One pass at ``beta`` (None: glm.fit's start): the deviance; the next step's working
    weights (into ``next_w``) and its X'WX and X'Wz; with ``score_w``, the working residuals times
    the current step's weights ``work_w`` (the scores' factor, should this be the last step)."""
    k, n = xt.shape
    block = max(1024, min(BLOCK, 200_000 // (k * k)))
    gram, rhs, dev = np.zeros((k, k)), np.zeros(k), 0.0
    xw = np.empty((k, min(block, n)))
    for start in range(0, n, block):
        part = slice(start, min(start + block, n))
        xb, yb, wb = xt[:, part], y[part], w[part]
        eta = family.start(yb, wb) if beta is None else beta @ xb
        mu = family.linkinv(eta)
        if binary:   # binomial dev.resids for a 0/1 response: 2 w log(1 / mu or 1 - mu)
            other = 1 - mu
            dev -= 2 * np.dot(wb, np.log(np.where(yb == 1, mu, other)))
            d_mu = mu * other          # logit: mu'(eta) = variance(mu) = mu (1 - mu)
            new_w = wb * d_mu          # = w mu'(eta)^2 / variance(mu)
        else:
            dev += family.dev_resids(yb, mu, wb).sum()
            d_mu = family.mu_eta(eta, mu)
            new_w = wb * d_mu ** 2 / family.variance(mu)
        resid = yb - mu
        resid /= d_mu                  # the working residual (y - mu) / mu'(eta)
        if score_w is not None:
            np.multiply(resid, work_w[part], out=score_w[part])
        next_w[part] = new_w
        eta += resid                   # the working response z
        eta *= new_w
        m = part.stop - part.start
        np.multiply(xb, new_w, out=xw[:, :m])
        gram += xw[:, :m] @ xb.T
        rhs += xb @ eta
    return dev, gram, rhs
