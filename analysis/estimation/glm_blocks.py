"""glm.fit's IRLS by blocks of rows: the fast path of :mod:`analysis.estimation.models`.

Each IRLS step is one pass over the model matrix (:class:`Columns`: a matrix held a row per
column, or the data's own columns gathered a block at a time): for each block of rows, the
linear predictor, the mean, the deviance, the working weights and response of the next step,
and their small cross-products ``X'WX`` and ``X'Wz`` (k x k, k), so a block's columns are read
once while they are in the cache and no n x k temporary exists.
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
from typing import NamedTuple

import numpy as np

BLOCK = 8192         # rows per block at most: a block's columns and vectors stay in cache, and its
GEMM = 200_000       # products stay under OpenBLAS's threading thresholds (k x k x rows <= 65536 x 4 for
#                      X'WX; gemv's, found by trying, between 8,192 and 16,384 rows of 5 columns): its threads
#                      would spin for a 5 x 5 product and, on this busy 2-core machine, cost 5 to 10x
COND = 1e5           # scaled X'WX condition number above which the reference path refits


@dataclass
class Fit:
    beta: np.ndarray    # (k,) coefficients
    score_w: np.ndarray  # (n,) working residual at beta times the last step's working weight
    gram: np.ndarray    # (k, k) X'WX of the last step (R's information matrix)


class Dummy(NamedTuple):
    """A factor's treatment dummy: 1 where ``codes == code``."""
    codes: np.ndarray
    code: int


class Columns:
    """The model matrix, k columns of n rows, read a block of rows at a time.

    Either a matrix ``xt`` (k, n), or the data's own columns (any numeric dtype; None for the
    intercept; a :class:`Dummy` for a factor's level) with ``rows``, the positions of the rows
    used (None: all): a block is then gathered into a small buffer as it is needed, so the
    n x k matrix never exists."""

    def __init__(self, columns: list, n: int, rows: np.ndarray | None = None, xt: np.ndarray | None = None):
        self.columns, self.n, self.rows, self.xt = columns, n, rows, xt

    @classmethod
    def of_matrix(cls, xt: np.ndarray) -> "Columns":
        return cls(list(xt), xt.shape[1], xt=xt)

    @property
    def k(self) -> int:
        return len(self.columns)

    def block(self, part: slice, out: np.ndarray) -> np.ndarray:
        """Rows ``part`` as a (k, m) array: a view of the matrix, or gathered into ``out``."""
        if self.xt is not None:
            return self.xt[:, part]
        xb = out[:, :part.stop - part.start]
        at = None if self.rows is None else self.rows[part]
        for row, col in zip(xb, self.columns):
            if col is None:
                row.fill(1.0)
            elif isinstance(col, Dummy):
                np.equal(col.codes[part] if at is None else col.codes[at], col.code, out=row, casting="unsafe")
            else:
                row[:] = col[part] if at is None else col[at]
        return xb

    def column(self, j: int) -> np.ndarray:
        """Column j over the rows used, as floats (the matrix's row, or a new array)."""
        col = self.columns[j]
        if col is None:
            return np.ones(self.n)
        if isinstance(col, Dummy):
            col = col.codes == col.code
        col = col if self.rows is None else col[self.rows]
        return col if self.xt is not None else np.asarray(col, dtype=float)

    def matrix(self) -> np.ndarray:
        """(k, n) floats: the matrix itself, or one made of the columns (the reference path)."""
        if self.xt is not None:
            return self.xt
        xt = np.empty((self.k, self.n))
        for j, row in enumerate(xt):
            row[:] = self.column(j)
        return xt


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


def fit(x: Columns, y: np.ndarray, w: np.ndarray, family, w_mean: float = 1.0,
        epsilon: float = 1e-8, maxit: int = 25) -> Fit | None:
    """glm.fit on the model matrix ``x`` (k, n), response ``y`` and prior weights ``w / w_mean``
    (divided block by block: no rescaled copy); None when a step is ill-conditioned or not
    finite (the caller then takes the reference path)."""
    n = x.n
    y = np.asarray(y, dtype=float)   # (an integer response converted once, not at every block)
    binary = family.binary and bool(((y == 0) | (y == 1)).all())
    now, nxt = np.empty(n), np.empty(n)   # a step's working weights (then its scores' factor); the next's
    with np.errstate(all="ignore"):   # a non-finite step goes to the reference path, which warns
        devold, gram, rhs = _pass(x, y, w, w_mean, binary, family, None, None, now)
        for step in range(maxit):
            beta = scaled_solve(gram, rhs, COND)
            if beta is None:
                return None
            dev, gram_next, rhs_next = _pass(x, y, w, w_mean, binary, family, beta, now, nxt)
            if not np.isfinite(dev):
                return None
            if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
                return Fit(beta, now, gram)
            if step == maxit - 1:
                break
            devold, gram, rhs = dev, gram_next, rhs_next
            now, nxt = nxt, now
    warnings.warn("The model did not converge in 25 iterations (as R's glm.fit); "
                  "check for separation or rare outcomes.", RuntimeWarning, stacklevel=4)
    return Fit(beta, now, gram)


def _pass(x, y, w, w_mean, binary, family, beta, work_w, next_w):
    """One pass at ``beta`` (None: glm.fit's start): the deviance; the next step's working
    weights (into ``next_w``) and its X'WX and X'Wz; unless ``beta`` is None, the working
    residuals times the current step's weights, in place of those weights in ``work_w`` (the
    scores' factor, should this be the last step).
    ``binary`` when the model is a logit of a 0/1 response: numpy's vectorised exp and log then
    replace the family's functions (the same numbers to rounding), in place."""
    k, n = x.k, x.n
    block = max(1024, min(BLOCK, GEMM // (k * k)))
    gram, rhs, dev = np.zeros((k, k)), np.zeros(k), 0.0
    size = min(block, n)
    xw, gathered = np.empty((k, size)), np.empty((k, size))
    eta_, mu_, other_, d_mu_, resid_, w_ = (np.empty(size) for _ in range(6))
    for start in range(0, n, block):
        part = slice(start, min(start + block, n))
        m = part.stop - part.start
        xb, yb, new_w = x.block(part, gathered), y[part], next_w[part]
        wb = np.divide(w[part], w_mean, out=w_[:m])   # svyglm's weights rescaled to mean 1
        eta, mu, other, d_mu, resid = eta_[:m], mu_[:m], other_[:m], d_mu_[:m], resid_[:m]
        if beta is not None:
            np.matmul(beta, xb, out=eta)
        elif binary:   # binomial mustart (w y + 0.5) / (w + 1), and its logit
            np.multiply(wb, yb, out=mu)
            mu += 0.5
            np.add(wb, 1, out=other)
            mu /= other
            np.subtract(1, mu, out=other)
            np.divide(mu, other, out=eta)
            np.log(eta, out=eta)
        else:
            eta[:] = family.start(yb, wb)
        if binary:
            np.negative(eta, out=mu)               # mu = 1 / (1 + exp(-eta)), 1 - mu, mu (1 - mu)
            np.exp(mu, out=mu)
            mu += 1
            np.reciprocal(mu, out=mu)
            np.subtract(1, mu, out=other)
            np.multiply(mu, other, out=d_mu)       # logit: mu'(eta) = variance(mu) = mu (1 - mu)
            np.multiply(wb, d_mu, out=new_w)       # = w mu'(eta)^2 / variance(mu)
            np.subtract(mu, other, out=resid)      # binomial dev.resids: 2 w log(1 / (mu or 1 - mu)),
            resid *= yb                            # the one picked by y as 1 - mu + y (mu - (1 - mu))
            resid += other                         # (a mask's copy costs 4x this)
            np.log(resid, out=resid)
            dev -= 2 * np.dot(wb, resid)
        else:
            mu = family.linkinv(eta)
            dev += family.dev_resids(yb, mu, wb).sum()
            d_mu = family.mu_eta(eta, mu)
            new_w[:] = wb * d_mu ** 2 / family.variance(mu)
        np.subtract(yb, mu, out=resid)
        resid /= d_mu                  # the working residual (y - mu) / mu'(eta)
        if beta is not None:
            np.multiply(resid, work_w[part], out=work_w[part])
        eta += resid                   # the working response z
        eta *= new_w
        np.multiply(xb, new_w, out=xw[:, :m])
        gram += xw[:, :m] @ xb.T
        rhs += xb @ eta
    return dev, gram, rhs
