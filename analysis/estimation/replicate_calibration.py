"""Calibration of a replicate design: the full sample AND every replicate, as R does.

R's ``postStratify``, ``rake`` and ``calibrate`` on a ``svyrep.design`` adjust each
replicate's weights to the same population totals as the full-sample weights, so the
replicate variance carries the calibration (Lumley 2010, *Complex Surveys*, sec. 7.5;
Valliant, Dever & Kreuter 2018, ch. 15).  Any calibration is a function from starting
weights to calibrated weights; :func:`calibrate_replicates` applies one to the full
sample and to each replicate, so GREG (``greg.calibrate``) can plug in the same way.

``analysis.poststratify``, ``analysis.rake`` and ``analysis.calibrate`` call
:func:`poststratify`, :func:`rake` and :func:`calibrate` for a ``ReplicateDesign``: the full sample's ``WeightingResult`` (weights,
summary, iterations) is the DataFrame one, and ``.design`` is the recalibrated replicate
design.  Raking runs every replicate for as many sweeps as the full sample needed, as
R's ``rake`` post-stratifies the whole replicate design once per margin per sweep.
GREG, raking and logit calibration (``calibrate``) solve every replicate afresh from its own
weights, as R's ``calibrate.svyrep.design`` (``regcalibrate`` or ``grake`` per replicate); a
replicate that does not converge keeps its last weights with a warning, as R.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.estimation.replicate import ReplicateDesign

Calibration = Callable[[np.ndarray], np.ndarray]


def calibrate_replicates(design: ReplicateDesign, calibrate: Calibration,
                         column: str = "weight") -> ReplicateDesign:
    """The design with ``calibrate`` applied to the full-sample weights and to each
    replicate's weights (a replicate with an empty calibration cell gets NaN weights
    there, and its estimates are left out of the variance, as R's ``na.omit``)."""
    full = np.asarray(calibrate(np.asarray(design.weights, dtype=float)), dtype=float)
    reps = np.column_stack([calibrate(design.replicate_weights[:, r].copy())
                            for r in range(design.n_replicates)])
    return design.reweighted(full, reps, column)


def _start(design: ReplicateDesign, weights) -> pd.Series:
    if weights is not None:
        raise ValueError("A replicate design is calibrated from its own weights: pass weights=None.")
    return pd.Series(design.weights, index=design.data.index)


def poststratify(design: ReplicateDesign, weights, targets, by):
    from analysis.estimation import weighting as _w
    df = design.data
    result = _w.poststratify(df, _start(design, weights), targets, by)
    by = [by] if isinstance(by, str) else list(by)
    cells, codes, target = _w._match_cells(df, by, targets, "poststratify")

    def step(w):
        with np.errstate(divide="ignore", invalid="ignore"):
            return w * (target / np.bincount(codes, weights=w, minlength=len(cells)))[codes]

    return replace(result, design=calibrate_replicates(design, step))


def rake(design: ReplicateDesign, weights, margins, max_iter: int = 100, tol: float = 1e-8):
    from analysis.estimation import weighting as _w
    df = design.data
    result = _w.rake(df, _start(design, weights), margins, max_iter=max_iter, tol=tol)
    specs = [_w._match_cells(df, [name], m, f"rake margin {name!r}") for name, m in margins.items()]
    grand = specs[0][2].sum()
    specs = [(cells, codes, target * (grand / target.sum())) for cells, codes, target in specs]

    def sweeps(w):
        with np.errstate(divide="ignore", invalid="ignore"):
            for _ in range(result.iterations):
                for cells, codes, target in specs:
                    w = w * (target / np.bincount(codes, weights=w, minlength=len(cells)))[codes]
        return w

    return replace(result, design=calibrate_replicates(design, sweeps))


def calibrate(design: ReplicateDesign, weights, population, calfun, bounds, epsilon, max_iter):
    """GREG / raking / logit calibration (``greg.calibrate``) of the full sample and of each replicate."""
    from analysis.estimation import greg
    df = design.data
    result = greg.calibrate(df, _start(design, weights), population, calfun, bounds, epsilon, max_iter)
    failed = []

    def step(w):
        new, _, _, iterations = greg.calibrated_weights(df, w, population, calfun, bounds, epsilon, max_iter,
                                                        strict=False)
        failed.append(iterations > max_iter)
        return new

    out = replace(result, design=calibrate_replicates(design, step))
    if any(failed):
        warnings.warn(f"calibrate: {sum(failed)} replicate(s) did not converge in {max_iter} iterations; "
                      "their last weights are used (as R's calibrate of a replicate design).",
                      RuntimeWarning, stacklevel=3)
    return out
