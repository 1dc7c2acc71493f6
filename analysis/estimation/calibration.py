"""Calibration in the variance: R's ``svyrecvar`` for post-stratified and raked designs.

A calibrated design remembers how its weights were calibrated, and every standard
error removes from the influence values what the calibration fixed, as R's
``svyrecvar`` (survey 4.1) does before the between-PSU variance:

* ``postStratify``: ``x <- x - psw * rowsum(x * oldw / psw, cell) / sum(oldw | cell)``,
  the residual of the influence values from their weighted cell means (Lumley 2010,
  *Complex Surveys*, sec. 7.2; Lohr, *Sampling*, sec. 8.4).  ``oldw`` are the weights
  before, ``psw`` after this post-stratification.
* ``rake``: R keeps each margin's post-stratification from the LAST raking iteration
  and sweeps the influence values over the margins ten times,
  ``for (i in 1:10) for (margin) x <- x - psw * ave(x / psw, margin)``, with ``psw``
  the weights after that margin's step (``ave`` is the unweighted cell mean).

* ``calibrate`` (GREG, raking or logit calibration; a ``greg_calibration`` of stage 0):
  ``x <- qr.resid(qr(X * sqrt(oldw)), x / (g * sqrt(oldw))) * g * sqrt(oldw)``, i.e.
  ``x <- x - neww * X %*% solve(X' diag(oldw) X, X' (x / g))``: the residual of the
  influence values from their weighted regression on the calibration variables
  (Deville & Särndal 1992; Lumley 2010 sec. 7.4), whatever the calibration function.

Several calibrations apply in the order they were made (R's ``design$postStrata``).

Each sweep is ``x <- x - v * a[cell]`` with ``a = rowsum(u * x, cell) / D``, linear in
``x``.  So the whole sequence is carried out on cell sums instead of rows: with
``A_t`` the sum of the ``a`` vectors of step ``t`` so far, the cell sums a step sees
are ``rowsum(u_s * x0) - sum_t B_st @ A_t`` where ``B_st[c, c'] = sum of u_s * v_t`` over
rows in cell ``c`` of step s and ``c'`` of step t; the PSU totals at the end are
``T0 - sum_t W_t @ A_t`` with ``W_t[p, c]`` the PSU's sum of ``v_t`` in cell ``c``.
A regression step is the same with the design matrix ``X`` in place of the cell indicators
and ``solve(X' diag(oldw) X, .)`` in place of the division by ``D``.
The matrices depend on the design only and are computed once; an estimate costs one
bincount per step on top of its PSU totals, and domains (grouped influence values)
work the same way, so nothing of size rows x domains is ever held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

RAKE_SWEEPS = 10  # R's svyrecvar: for (iterations in 1:10)


@dataclass(frozen=True, eq=False)
class CalibrationStep:
    """One sweep ``x <- x - v * (rowsum(u * x, cells) / denom)[cells]``."""

    cells: np.ndarray      # (n,) cell code of each row, 0..n_cells-1
    n_cells: int
    v: np.ndarray          # (n,) the weights after the step (R's psw)
    u: np.ndarray          # (n,) oldw / psw (post-stratification) or 1 / psw (raking)
    denom: np.ndarray      # (n_cells,) sum of oldw (post-stratification) or rows (raking) per cell


@dataclass(frozen=True, eq=False)
class RegressionStep:
    """One sweep ``x <- x - v * X @ (solve(D) @ X' (u * x))`` (R's greg_calibration, stage 0)."""

    x: np.ndarray          # (n, p) the calibration design matrix (R's model.matrix)
    v: np.ndarray          # (n,) the weights after calibration
    u: np.ndarray          # (n,) 1 / g, the old weights over the new
    denom_inv: np.ndarray  # (p, p) pseudo-inverse of X' diag(oldw) X (qr.resid copes with rank deficiency)
    reweigh: Callable[[np.ndarray], np.ndarray] | None = None   # starting weights -> calibrated (replicates)

    @property
    def n_cells(self) -> int:
        return self.x.shape[1]


@dataclass(frozen=True, eq=False)
class CalibrationFit:
    """A post-stratification (one step, one sweep), a raking (a step per margin, 10 sweeps)
    or a GREG calibration (one regression step, one sweep)."""

    method: str            # "poststratify" | "rake" | "calibrate"
    variables: tuple[str, ...]
    steps: tuple[CalibrationStep | RegressionStep, ...]

    @property
    def sweeps(self) -> int:
        return RAKE_SWEEPS if self.method == "rake" else 1


def poststratification(cells: np.ndarray, n_cells: int, old: np.ndarray, new: np.ndarray,
                       variables: tuple[str, ...]) -> CalibrationFit:
    """R's postStratify index with its ``oldweights`` and ``weights`` attributes."""
    # R: psw[psw == 0 & oldw == 0] <- 1, so such rows take no part in the residual.
    psw = np.where((new == 0) & (old == 0), 1.0, new)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(psw == 0, 0.0, old / psw)
    denom = np.bincount(cells, weights=old, minlength=n_cells)
    return CalibrationFit("poststratify", variables, (CalibrationStep(cells, n_cells, psw, u, denom),))


def raking(margins: list[tuple[np.ndarray, int, np.ndarray]], variables: tuple[str, ...]) -> CalibrationFit:
    """R's raking strata: per margin (cells, n_cells, weights after its last step)."""
    steps = []
    for cells, n_cells, psw in margins:
        with np.errstate(divide="ignore"):
            u = 1.0 / psw
        counts = np.bincount(cells, minlength=n_cells).astype(float)
        steps.append(CalibrationStep(cells, n_cells, psw, u, counts))
    return CalibrationFit("rake", variables, tuple(steps))


def regression(x: np.ndarray, old: np.ndarray, new: np.ndarray, g: np.ndarray,
               variables: tuple[str, ...], reweigh=None) -> CalibrationFit:
    """R's greg_calibration of ``calibrate``: design matrix, weights before and after, g = new / old;
    ``reweigh`` repeats the calibration from other starting weights (``as_replicate``'s replicates)."""
    x = np.asarray(x, dtype=float)
    denom = x.T @ (x * old[:, None])
    with np.errstate(divide="ignore"):
        u = 1.0 / g
    step = RegressionStep(x, np.asarray(new, dtype=float), u, np.linalg.pinv(denom, rcond=1e-12), reweigh)
    return CalibrationFit("calibrate", variables, (step,))


def _rowsum(s, values: np.ndarray, ok: np.ndarray, g: np.ndarray, n_groups: int) -> np.ndarray:
    """(n_cells, n_groups) sums of ``values`` over the rows of each cell (or X column) and group."""
    if isinstance(s, RegressionStep):
        out = np.empty((s.n_cells, n_groups))
        idx = np.where(ok, g, n_groups)
        for j in range(s.n_cells):
            out[j] = np.bincount(idx, weights=s.x[:, j] * values, minlength=n_groups + 1)[:-1]
        return out
    idx = np.where(ok, s.cells * n_groups + g, s.n_cells * n_groups)
    return np.bincount(idx, weights=values, minlength=s.n_cells * n_groups + 1)[:-1].reshape(s.n_cells, n_groups)


def _solve(s, current: np.ndarray) -> np.ndarray:
    if isinstance(s, RegressionStep):
        return s.denom_inv @ current
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s.denom[:, None] > 0, current / s.denom[:, None], 0.0)


class Reduced:
    """The design-only matrices of a sequence of calibrations (see the module docstring)."""

    def __init__(self, calibrations: tuple[CalibrationFit, ...], psu: np.ndarray, n_psu: int):
        self.steps: list[CalibrationStep] = [s for cal in calibrations for s in cal.steps]
        index = {id(s): i for i, s in enumerate(self.steps)}
        self.sequence = [index[id(s)] for cal in calibrations for _ in range(cal.sweeps) for s in cal.steps]
        self.cross = [[self._cross(s, t) for t in self.steps] for s in self.steps]
        self.psu_weights = [self._psu_weights(t, psu, n_psu) for t in self.steps]

    @staticmethod
    def _psu_weights(t, psu: np.ndarray, n_psu: int) -> np.ndarray:
        if isinstance(t, RegressionStep):
            return np.column_stack([np.bincount(psu, weights=t.v * t.x[:, j], minlength=n_psu)
                                    for j in range(t.n_cells)])
        return np.bincount(psu * t.n_cells + t.cells, weights=t.v, minlength=n_psu * t.n_cells) \
            .reshape(n_psu, t.n_cells)

    @staticmethod
    def _cross(s, t) -> np.ndarray:
        uv = s.u * t.v
        if isinstance(s, CalibrationStep) and isinstance(t, CalibrationStep):
            idx = s.cells * t.n_cells + t.cells
            return np.bincount(idx, weights=uv, minlength=s.n_cells * t.n_cells).reshape(s.n_cells, t.n_cells)
        if isinstance(s, RegressionStep) and isinstance(t, RegressionStep):
            return s.x.T @ (t.x * uv[:, None])
        if isinstance(s, CalibrationStep):   # cells x columns of X, without an n x cells matrix
            return np.column_stack([np.bincount(s.cells, weights=uv * t.x[:, j], minlength=s.n_cells)
                                    for j in range(t.n_cells)])
        return np.vstack([np.bincount(t.cells, weights=uv * s.x[:, j], minlength=t.n_cells)
                          for j in range(s.n_cells)])

    def adjust(self, totals: np.ndarray, infl: np.ndarray, group: np.ndarray | None, n_groups: int) -> np.ndarray:
        """PSU totals (P, K) of the calibration residuals of ``infl`` (grouped as in psu_totals)."""
        if group is None:
            ok, g = np.ones(len(infl), dtype=bool), np.zeros(len(infl), dtype=np.int64)
        else:
            ok, g = group >= 0, group
        x = np.where(ok, infl, 0.0)
        # rows of no group go to a last, dropped cell
        start = [_rowsum(s, s.u * x, ok, g, n_groups) for s in self.steps]
        acc = [np.zeros((s.n_cells, n_groups)) for s in self.steps]
        for i in self.sequence:
            s = self.steps[i]
            current = start[i] - sum(self.cross[i][t] @ acc[t] for t in range(len(self.steps)))
            acc[i] = acc[i] + _solve(s, current)
        return totals - sum(w @ a for w, a in zip(self.psu_weights, acc))
