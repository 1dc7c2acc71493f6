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

Several calibrations apply in the order they were made (R's ``design$postStrata``).

Each sweep is ``x <- x - v * a[cell]`` with ``a = rowsum(u * x, cell) / D``, linear in
``x``.  So the whole sequence is carried out on cell sums instead of rows: with
``A_t`` the sum of the ``a`` vectors of step ``t`` so far, the cell sums a step sees
are ``rowsum(u_s * x0) - sum_t B_st @ A_t`` where ``B_st[c, c'] = sum of u_s * v_t`` over
rows in cell ``c`` of step s and ``c'`` of step t; the PSU totals at the end are
``T0 - sum_t W_t @ A_t`` with ``W_t[p, c]`` the PSU's sum of ``v_t`` in cell ``c``.
The matrices depend on the design only and are computed once; an estimate costs one
bincount per step on top of its PSU totals, and domains (grouped influence values)
work the same way, so nothing of size rows x domains is ever held.
"""

from __future__ import annotations

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
class CalibrationFit:
    """A post-stratification (one step, one sweep) or a raking (a step per margin, 10 sweeps)."""

    method: str            # "poststratify" | "rake"
    variables: tuple[str, ...]
    steps: tuple[CalibrationStep, ...]

    @property
    def sweeps(self) -> int:
        return 1 if self.method == "poststratify" else RAKE_SWEEPS


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


class Reduced:
    """The design-only matrices of a sequence of calibrations (see the module docstring)."""

    def __init__(self, calibrations: tuple[CalibrationFit, ...], psu: np.ndarray, n_psu: int):
        self.steps: list[CalibrationStep] = [s for cal in calibrations for s in cal.steps]
        index = {id(s): i for i, s in enumerate(self.steps)}
        self.sequence = [index[id(s)] for cal in calibrations for _ in range(cal.sweeps) for s in cal.steps]
        self.cross = [[self._cross(s, t) for t in self.steps] for s in self.steps]
        self.psu_weights = [
            np.bincount(psu * t.n_cells + t.cells, weights=t.v, minlength=n_psu * t.n_cells)
            .reshape(n_psu, t.n_cells) for t in self.steps]

    @staticmethod
    def _cross(s: CalibrationStep, t: CalibrationStep) -> np.ndarray:
        idx = s.cells * t.n_cells + t.cells
        return np.bincount(idx, weights=s.u * t.v, minlength=s.n_cells * t.n_cells).reshape(s.n_cells, t.n_cells)

    def adjust(self, totals: np.ndarray, infl: np.ndarray, group: np.ndarray | None, n_groups: int) -> np.ndarray:
        """PSU totals (P, K) of the calibration residuals of ``infl`` (grouped as in psu_totals)."""
        if group is None:
            ok, g = np.ones(len(infl), dtype=bool), np.zeros(len(infl), dtype=np.int64)
        else:
            ok, g = group >= 0, group
        x = np.where(ok, infl, 0.0)
        start = []
        for s in self.steps:   # rows of no group go to a last, dropped cell
            idx = np.where(ok, s.cells * n_groups + g, s.n_cells * n_groups)
            start.append(np.bincount(idx, weights=s.u * x, minlength=s.n_cells * n_groups + 1)[:-1]
                         .reshape(s.n_cells, n_groups))
        acc = [np.zeros((s.n_cells, n_groups)) for s in self.steps]
        for i in self.sequence:
            s = self.steps[i]
            current = start[i] - sum(self.cross[i][t] @ acc[t] for t in range(len(self.steps)))
            with np.errstate(divide="ignore", invalid="ignore"):
                acc[i] = acc[i] + np.where(s.denom[:, None] > 0, current / s.denom[:, None], 0.0)
        return totals - sum(w @ a for w, a in zip(self.psu_weights, acc))
