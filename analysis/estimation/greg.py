"""Calibration to known totals: R's ``calibrate`` (survey 4.1) with GREG, raking and logit.

``calibrate(data, weights, population, calfun, bounds)`` finds new weights ``w = g * w0``
whose weighted totals of the calibration variables equal ``population`` (Deville &
Särndal 1992; Lumley 2010, *Complex Surveys*, ch. 7; Lohr, *Sampling*, sec. 11.6):

* ``population`` is a dict: a categorical variable as ``{var: {level: total}}`` (every
  level in the sample needs a total), a numeric one as ``{var: total}``, and optionally
  ``"(Intercept)": N``.  The design matrix is R's ``model.matrix(~ var1 + var2 ...)``:
  an intercept (when a categorical variable or ``"(Intercept)"`` is given; its total is
  the categoricals' common grand total), the non-reference levels of each categorical
  (levels as R's ``factor``: sorted, or a Categorical's order) and the numeric columns.
* ``calfun="linear"`` without bounds is R's ``regcalibrate``: one solve,
  ``g = 1 + X solve(X'WX, T - t)``.  Otherwise R's ``grake``: Newton steps on
  ``g = 1 + F(X eta)`` with the calibration function F (linear: truncated at the bounds;
  raking: ``exp``; logit: R's bounded logistic), step halving when g is not finite,
  converged when every ``|misfit| / (1 + |total|) < epsilon``; the weights are first
  rescaled by the mean ratio of population to sample totals when all exceed 20, as R.
* ``bounds=(lower, upper)`` bound ``g``, the ratio of new to old weight, as R's
  ``bounds``; ``"logit"`` requires finite bounds with ``lower < 1 < upper``.

The result is a :class:`~analysis.estimation.weighting.WeightingResult`, as ``poststratify``
and ``rake`` give; its ``.design`` keeps the calibration so standard errors use the
residuals of the influence values from their weighted regression on the calibration
variables, as R's ``svyrecvar`` does for a ``greg_calibration``
(:func:`analysis.estimation.calibration.regression`).  :func:`calibrated_weights` is the
weights-level step (data, starting weights -> g), for designs that calibrate each
replicate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from analysis.estimation.calibration import regression
from analysis.estimation.codes import factor_codes
from analysis.estimation.replicate import ReplicateDesign
from analysis.estimation.survey_design import SurveyDesign
from analysis.estimation.weighting import (
    ConvergenceError,
    WeightingResult,
    Weights,
    _calibrated_design,
    _start,
    _summary,
    _unpack,
)

__all__ = ["calibrate", "calibrated_weights", "calibration_matrix", "grake"]

CALFUNS = ("linear", "raking", "logit")
INTERCEPT = "(Intercept)"
_RESCALE = 20.0   # R's grake SOMETHRESHOLD


@dataclass(frozen=True)
class CalibrationMatrix:
    """R's model.matrix of the calibration formula and the population totals of its columns."""

    x: np.ndarray                 # (n, p)
    totals: np.ndarray            # (p,)
    columns: list[str]            # R's column names, e.g. "(Intercept)", "stypeH", "api99"
    variables: tuple[str, ...]
    summary: list[tuple[str, list, np.ndarray, np.ndarray]]   # per variable: levels, codes/values, targets


def calibration_matrix(df: pd.DataFrame, population: Mapping) -> CalibrationMatrix:
    """The design matrix and totals of ``population`` for the rows of ``df`` (see the module doc)."""
    if not isinstance(population, Mapping) or not population:
        raise ValueError("population must be a dict: {categorical: {level: total}, numeric: total, ...}.")
    columns, names, totals, summary, grand = [], [], [], [], []
    intercept = population.get(INTERCEPT)
    for var, spec in population.items():
        if var == INTERCEPT:
            continue
        if var not in df.columns:
            raise ValueError(f"calibrate: the data have no column {var!r}.")
        if isinstance(spec, Mapping | pd.Series):
            codes, levels = factor_codes(df[var])
            if (codes < 0).any():
                raise ValueError(f"calibrate: {int((codes < 0).sum())} row(s) have no {var!r}; fill them in "
                                 "or drop those rows first.")
            given = {_key(k): float(v) for k, v in dict(spec).items()}
            absent = [lv for lv in levels if _key(lv) not in given]
            if absent:
                raise ValueError(f"calibrate: levels {absent} of {var!r} in the sample have no population total.")
            unseen = [k for k, v in given.items() if v != 0 and k not in {_key(lv) for lv in levels}]
            if unseen:
                raise ValueError(f"calibrate: the population has {var!r} levels {unseen} that no sampled row has; "
                                 "their totals cannot be reached. Collapse them with a neighbouring level.")
            target = np.array([given[_key(lv)] for lv in levels])
            if not (np.isfinite(target).all() and (target >= 0).all()):
                raise ValueError(f"calibrate: the totals of {var!r} must be non-negative numbers.")
            grand.append((var, float(sum(given.values()))))
            for j in range(1, len(levels)):
                columns.append((codes == j).astype(float))
                names.append(f"{var}{levels[j]}")
                totals.append(target[j])
            summary.append((var, list(levels), codes, target))
        else:
            values = pd.to_numeric(df[var], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            if not np.isfinite(values).all():
                raise ValueError(f"calibrate: {var!r} must be numeric with no missing values to calibrate on it.")
            total = float(spec)
            if not np.isfinite(total):
                raise ValueError(f"calibrate: the total of {var!r} must be a number.")
            columns.append(values)
            names.append(var)
            totals.append(total)
            summary.append((var, [var], values, np.array([total])))
    if grand:
        first, n_pop = grand[0]
        for var, g in grand[1:]:
            if abs(g - n_pop) > 1e-8 * max(abs(n_pop), 1.0):
                raise ValueError(f"calibrate: the totals of {var!r} sum to {g:.10g} but those of {first!r} to "
                                 f"{n_pop:.10g}: the population totals are inconsistent (every categorical "
                                 "variable must count the same population).")
        if intercept is not None and abs(float(intercept) - n_pop) > 1e-8 * max(abs(n_pop), 1.0):
            raise ValueError(f"calibrate: '(Intercept)' = {float(intercept):.10g} but the totals of {first!r} "
                             f"sum to {n_pop:.10g}: the population totals are inconsistent.")
        intercept = n_pop
    if intercept is not None:
        columns.insert(0, np.ones(len(df)))
        names.insert(0, INTERCEPT)
        totals.insert(0, float(intercept))
    if not columns:
        raise ValueError("calibrate: population names no variable to calibrate on.")
    variables = tuple(v for v in population if v != INTERCEPT)
    return CalibrationMatrix(np.column_stack(columns), np.array(totals, dtype=float), names, variables, summary)


def _key(level):
    """A level as a dict key that matches across numpy and Python scalars and text."""
    if isinstance(level, np.generic):
        level = level.item()
    if isinstance(level, float) and level.is_integer():   # a 0/1 column read as floats: 1.0 is 1
        level = int(level)
    return str(level)


# ---- R's calibration functions: F(u) = g - 1 and its derivative ---------------------------
def _f_linear(u, lo, hi):
    return np.minimum(np.maximum(u, lo - 1), hi - 1)


def _df_linear(u, lo, hi):
    return np.where((u < hi - 1) & (u > lo - 1), 1.0, 0.0)


def _f_raking(u, lo, hi):
    with np.errstate(over="ignore"):
        return np.minimum(np.maximum(np.exp(u), lo), hi) - 1


def _df_raking(u, lo, hi):
    with np.errstate(over="ignore"):
        return np.where((u < hi - 1) & (u > lo - 1), np.exp(u), 0.0)


def _f_logit(u, lo, hi):
    a = (hi - lo) / ((hi - 1) * (1 - lo))
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(a * u)
        return (lo * (hi - 1) + hi * (1 - lo) * e) / (hi - 1 + (1 - lo) * e) - 1


def _df_logit(u, lo, hi):
    a = (hi - lo) / ((hi - 1) * (1 - lo))
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(a * u)
        den = hi - 1 + (1 - lo) * e
        return hi * (1 - lo) * e * a / den - (lo * (hi - 1) + hi * (1 - lo) * e) * ((1 - lo) * e * a) / den ** 2


_CALFUN = {"linear": (_f_linear, _df_linear), "raking": (_f_raking, _df_raking), "logit": (_f_logit, _df_logit)}


def _ginv(a: np.ndarray) -> np.ndarray:
    """MASS::ginv(a, tol = 256 * .Machine$double.eps)."""
    u, d, vt = np.linalg.svd(a)
    keep = d > max(256 * np.finfo(float).eps * d[0], 0) if len(d) else d > 0
    return (vt[keep].T / d[keep]) @ u[:, keep].T


def grake(x: np.ndarray, w0: np.ndarray, totals: np.ndarray, calfun: str = "linear",
          bounds: tuple[float, float] = (-np.inf, np.inf), epsilon: float = 1e-7,
          max_iter: int = 50, strict: bool = True) -> tuple[np.ndarray, int]:
    """R's ``grake``: (g, iterations) with ``(w0 * g) @ x == totals``; ConvergenceError if not reached
    (``strict=False``: the last g and ``max_iter + 1`` iterations, as R's replicates keep it)."""
    f, df = _CALFUN[calfun]
    lo, hi = float(bounds[0]), float(bounds[1])
    ww = np.asarray(w0, dtype=float)
    sample = ww @ x
    with np.errstate(divide="ignore", invalid="ignore"):
        scales = totals / sample
    scale = None
    if np.min(scales) > _RESCALE:   # R: weights rescaled before calibrating (bounds apply after)
        scale = float(np.mean(scales))
        ww, sample = ww * scale, sample * scale
    eta = np.zeros(x.shape[1])
    xeta = x @ eta
    deriv = df(xeta, lo, hi)
    iteration = 1
    while True:
        tmat = (x * (ww * deriv)[:, None]).T @ x
        misfit = totals - sample - (x * (ww * f(xeta, lo, hi))[:, None]).sum(axis=0)
        deta = _ginv(tmat) @ misfit
        eta = eta + deta
        xeta = x @ eta
        g, deriv = 1 + f(xeta, lo, hi), df(xeta, lo, hi)
        while iteration < max_iter and not (np.isfinite(g).all() and np.isfinite(deriv).all()):
            iteration += 1   # R: step halving
            deta = deta / 2
            eta = eta - deta
            xeta = x @ eta
            g, deriv = 1 + f(xeta, lo, hi), df(xeta, lo, hi)
        misfit = totals - sample - (x * (ww * f(xeta, lo, hi))[:, None]).sum(axis=0)
        gap = np.abs(misfit) / (1 + np.abs(totals))
        if (gap < epsilon).all():
            break
        iteration += 1
        if iteration > max_iter:
            if not strict:
                break
            worst = float(np.nanmax(gap)) if np.isfinite(gap).any() else np.inf
            raise ConvergenceError(
                f"Calibration ({calfun}, bounds {lo:g}..{hi:g}) did not converge in {max_iter} iterations: "
                f"the largest remaining relative misfit is {worst:.3g} (epsilon {epsilon:g}). "
                "Widen the bounds, check that the totals are consistent with the sample (e.g. every total "
                "reachable with weights in the bounds), or raise max_iter.")
    return (g * scale if scale is not None else g), iteration


def calibrated_weights(df: pd.DataFrame | SurveyDesign, w0: np.ndarray, population: Mapping,
                       calfun: str = "linear", bounds=None, epsilon: float = 1e-7, max_iter: int = 50,
                       strict: bool = True):
    """The weights-level step: (new weights, g, CalibrationMatrix, iterations) for starting ``w0``
    on the rows of ``df`` (a DataFrame, or a design's data).

    A replicate design calls it once per replicate with that replicate's weights and
    ``strict=False`` (R's ``grake`` only warns when a replicate does not converge)."""
    if isinstance(df, SurveyDesign):
        df = df.data
    if calfun not in CALFUNS:
        raise ValueError(f"calfun must be one of {CALFUNS}, not {calfun!r}.")
    lo, hi = (-np.inf, np.inf) if bounds is None else (float(bounds[0]), float(bounds[1]))
    if not lo < hi:
        raise ValueError(f"bounds must be (lower, upper) with lower < upper, not {bounds!r}.")
    if calfun == "logit" and not (np.isfinite(lo) and np.isfinite(hi) and lo < 1 < hi):
        raise ValueError("Logit calibration requires finite bounds with lower < 1 < upper, e.g. bounds=(0.5, 2).")
    cm = calibration_matrix(df, population)
    w0 = np.asarray(w0, dtype=float)
    x, totals = cm.x, cm.totals
    sample = w0 @ x
    drop = (sample == 0) & (totals == 0) & (x == 0).all(axis=0)   # R drops such columns
    x, totals = x[:, ~drop], totals[~drop]
    if calfun == "linear" and lo == -np.inf and hi == np.inf:   # R's regcalibrate: one solve
        tmat = x.T @ (x * w0[:, None])
        try:
            coef = np.linalg.solve(tmat, totals - w0 @ x)
        except np.linalg.LinAlgError:
            raise ValueError("calibrate: the calibration variables are collinear in the sample (e.g. a level "
                             f"that only occurs with another); columns {cm.columns}.") from None
        g, iterations = 1 + x @ coef, 1
    else:
        g, iterations = grake(x, w0, totals, calfun, (lo, hi), epsilon, max_iter, strict)
    return w0 * g, g, cm, iterations


def calibrate(data: pd.DataFrame | SurveyDesign, weights: Weights, population: Mapping,
              calfun: str = "linear", bounds=None, epsilon: float = 1e-7, max_iter: int = 50) -> WeightingResult:
    """Calibrate weights to known population totals (R's ``calibrate``; see the module doc).

    ``data``: a DataFrame, or a SurveyDesign (``weights=None``: its own weights).
    ``.design`` is the calibrated design, whose standard errors use the GREG residuals; of a
    ReplicateDesign, the design with every replicate calibrated to the same totals (R's
    ``calibrate`` of a ``svyrep.design``).
    """
    if isinstance(data, ReplicateDesign):   # the full sample and every replicate, as R
        from analysis.estimation import replicate_calibration
        return replicate_calibration.calibrate(data, weights, population, calfun, bounds, epsilon, max_iter)
    df, base = _unpack(data, weights)
    w0 = _start(df, base, weights)
    w, g, cm, iterations = calibrated_weights(df, w0, population, calfun, bounds, epsilon, max_iter)
    summary = pd.concat([_variable_summary(var, levels, values, target, w0, w)
                         for var, levels, values, target in cm.summary], ignore_index=True)
    fit = regression(cm.x, w0, w, g, cm.variables,
                     reweigh=partial(_reweigh, df, population, calfun, bounds, epsilon, max_iter))
    design = _calibrated_design(df, base, weights, w0, w, fit)
    return WeightingResult.from_weights(pd.Series(w, index=df.index, name="weight"), summary,
                                        iterations, design=design)


def _reweigh(df, population, calfun, bounds, epsilon, max_iter, start):
    """The same calibration from other starting weights (a module function: designs stay picklable)."""
    return calibrated_weights(df, start, population, calfun, bounds, epsilon, max_iter, strict=False)[0]


def _variable_summary(var, levels, values, target, w0, w) -> pd.DataFrame:
    if len(levels) == 1 and levels[0] == var and values.dtype.kind == "f":   # numeric: one row
        return _summary(var, [var], target, np.array([w0 @ values]), np.array([w @ values]))
    k = len(levels)
    return _summary(var, levels, target, np.bincount(values, weights=w0, minlength=k),
                    np.bincount(values, weights=w, minlength=k))
