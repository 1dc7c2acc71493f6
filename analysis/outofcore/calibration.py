"""Raking out of core: the weights on the cells of the margins, and the variance's calibration residuals.

The in-memory design rakes the rows' weights (:func:`analysis.estimation.weighting.rake`): each sweep
multiplies every row's weight by its margin level's ``target / sum(w)``.  A row's factor so depends
only on its cell of the cross-classification of the margins (its *joint cell*): the same loop on the
joint cells' sums of the starting weights gives every row's factor, and the rows' weights are
``w0 * factor`` joined back in SQL (:mod:`analysis.outofcore.store_source`).

The variance (R's ``svyrecvar`` for ``rake``, :mod:`analysis.estimation.calibration`) sweeps the
influence values ten times over the margins, ``x <- x - psw_t * ave(x / psw_t, margin t)``, with
``psw_t`` the weights after margin t's step in the last raking sweep.  The sweeps are linear in x and
``psw_t = w * r_t`` with ``r_t`` constant in a joint cell (``w`` the final weight), so the whole
sequence runs on joint-cell sums ``S_J = sum x / w`` (one group sum), as
:class:`analysis.estimation.calibration.Reduced` does on rows; the residual of a row is then
``x - w * beta_J``, ``beta_J = sum_t r_t(J) A_t[level_t(J)]``, joined back on the joint cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

from analysis.estimation.calibration import RAKE_SWEEPS


class RakeFailed(Exception):
    """The raking the in-memory path would refuse or warn about (its note says why)."""


@dataclass(frozen=True, eq=False)
class Raking:
    """A raked table's joint cells: ``cells`` has the margins' values as strings (columns ``by``),
    ``factor`` (final weight over the starting one), ``n`` (rows), and per margin t ``r{t}``
    (the weight after t's last step over the final one) and ``l{t}`` (the level's code)."""

    by: tuple[str, ...]
    cells: pd.DataFrame
    levels: tuple[int, ...]

    def beta(self, sums: np.ndarray) -> np.ndarray:
        """(J, K) ``beta_J`` of the influence values whose joint-cell sums of x / w are ``sums`` (J, K)."""
        cells, M = self.cells, len(self.levels)
        n = cells["n"].to_numpy(float)
        r = [cells[f"r{t}"].to_numpy(float) for t in range(M)]
        lv = [cells[f"l{t}"].to_numpy(np.int64) for t in range(M)]
        K = sums.shape[1]

        def rowsum(t, values):   # (levels_t, K) sums over the joint cells of each level of margin t
            out = np.zeros((self.levels[t], values.shape[1]))
            np.add.at(out, lv[t], values)
            return out

        start = [rowsum(s, sums / r[s][:, None]) for s in range(M)]
        denom = [np.bincount(lv[s], weights=n, minlength=self.levels[s]) for s in range(M)]
        cross = [[_cross(lv[s], lv[t], n * r[t] / r[s], self.levels[s], self.levels[t]) for t in range(M)]
                 for s in range(M)]
        acc = [np.zeros((k, K)) for k in self.levels]
        for _ in range(RAKE_SWEEPS):
            for s in range(M):
                current = start[s] - sum(cross[s][t] @ acc[t] for t in range(M))
                with np.errstate(divide="ignore", invalid="ignore"):
                    acc[s] = acc[s] + np.where(denom[s][:, None] > 0, current / denom[s][:, None], 0.0)
        return sum(r[t][:, None] * acc[t][lv[t]] for t in range(M))


def _cross(ls, lt, values, ks: int, kt: int) -> np.ndarray:
    return np.bincount(ls * kt + lt, weights=values, minlength=ks * kt).reshape(ks, kt)


def rake_cells(sums: pd.DataFrame, by: list[str], margins: list[pd.DataFrame], max_iter: int = 100,
               tol: float = 1e-8) -> Raking:
    """The raking of joint cells ``sums`` (columns ``by``, ``w0`` the starting weights' sum, ``n`` the rows)
    to ``margins`` (per margin, its column and ``total``; the sampled levels only), as ``weighting.rake``
    rakes rows: same order, scaling rule (refused here: its warning is the in-memory path's), stopping
    rule and iterations."""
    sums = sums.reset_index(drop=True)
    w0 = sums["w0"].to_numpy(float)
    specs = []
    for name, m in zip(by, margins):
        levels = list(m[name])
        code = pd.Index(levels).get_indexer(sums[name])
        if (code < 0).any():
            raise RakeFailed(f"rake margin {name!r}: sample levels without a target total")
        specs.append((code, len(levels), m["total"].to_numpy(float)))
    grand = specs[0][2].sum()
    if any(abs(target.sum() - grand) > tol * grand for _, _, target in specs):
        raise RakeFailed("raking margins that count different totals")
    w = w0.copy()
    last = [w0] * len(specs)
    for _ in range(max_iter):
        for t, (code, k, target) in enumerate(specs):
            w = w * (target / np.bincount(code, weights=w, minlength=k))[code]
            last[t] = w
        gap = max(float(np.max(np.abs(np.bincount(code, weights=w, minlength=k) - target) / target))
                  for code, k, target in specs)
        if gap <= tol:
            break
    else:
        raise RakeFailed("raking did not converge")
    cells = sums[by].copy()
    cells["factor"] = w / w0
    cells["n"] = sums["n"].to_numpy(float)
    for t, (code, _, _) in enumerate(specs):
        cells[f"r{t}"] = last[t] / w
        cells[f"l{t}"] = code
    return Raking(tuple(by), cells, tuple(k for _, k, _ in specs))


def residuals(d, cols: dict) -> ibis.Table:
    """The table of design ``d`` with each influence column of ``cols`` ({name: table -> expression})
    replaced by its raking residual (see the module docstring); ``d.poststrata`` are the rows' margin
    columns, in the order of ``d.raking.by``."""
    t, raking = d.table, d.raking
    keys = list(d.poststrata)
    w = t[d.weights]
    frame = t.group_by(keys).aggregate(**{c: (fn(t) / w).sum() for c, fn in cols.items()}).to_pandas()
    at = pd.MultiIndex.from_frame(raking.cells[list(raking.by)].set_axis(keys, axis=1)).get_indexer(
        pd.MultiIndex.from_frame(frame[keys]))
    if (at < 0).any():
        raise ValueError("rows outside the raking's cells")
    sums = np.zeros((len(raking.cells), len(cols)))
    sums[at] = frame[list(cols)].to_numpy(dtype=float, na_value=0.0)
    beta = raking.beta(sums)
    slopes = ibis.memtable(pd.DataFrame({**{k: raking.cells[b].astype(str).to_numpy(object)
                                               for k, b in zip(keys, raking.by)},
                                         **{f"_b{c}": beta[:, i] for i, c in enumerate(cols)}}))
    j = t.inner_join(slopes, keys)
    return j.mutate(**{c: fn(j) - j[d.weights] * j[f"_b{c}"] for c, fn in cols.items()})


def raking_of(fit, weights: np.ndarray) -> tuple[np.ndarray, Raking]:
    """(each row's joint-cell key, the Raking) of an in-memory raked design's calibration ``fit``
    (R's raking strata, :func:`analysis.estimation.calibration.raking`) and final ``weights``: the
    margins' level codes as text stand for the levels."""
    codes = np.column_stack([s.cells for s in fit.steps])
    joint, at = np.unique(codes, axis=0, return_inverse=True)
    at = at.ravel()
    n = np.bincount(at, minlength=len(joint)).astype(float)
    by = tuple(f"m{t}" for t in range(len(fit.steps)))
    cells = pd.DataFrame({b: joint[:, t].astype(str) for t, b in enumerate(by)})
    cells["n"] = n
    for t, s in enumerate(fit.steps):   # constant in a joint cell (to rounding): its mean
        cells[f"r{t}"] = np.bincount(at, weights=s.v / weights, minlength=len(joint)) / n
        cells[f"l{t}"] = joint[:, t]
    return codes.astype(str), Raking(by, cells, tuple(s.n_cells for s in fit.steps))
