"""Survey weights: base (design) weights, post-stratification and raking.

Each function returns a ``WeightingResult``; add its ``weights`` to the data and pass
the column to ``analysis.SurveyDesign(df, weights="weight", ...)``.

Methods and sources
- Base weights: the inverse of the overall selection probability of a two-stage
  sample, ``w = 1 / (prob_psu * prob_within)`` (Lohr, *Sampling: Design and
  Analysis*, ch. 6). When the frame gives the number of households in a PSU instead
  of ``prob_within``, ``prob_within = responding households / households_in_psu``:
  the within-PSU weight then also carries a weighting-class non-response adjustment
  with the PSU as the class (Lohr ch. 8).
- Post-stratification: the weights of each cell are multiplied by (known population
  total / weighted sample total), so weighted cell totals equal the known counts and
  the ratios of weights inside a cell are kept (Lohr ch. 8; R ``survey::postStratify``).
- Raking: iterative proportional fitting to one-way margins, the raking-ratio member
  of the calibration estimators of Deville & Särndal (1992) (Lohr ch. 8; R
  ``survey::rake`` and ``calibrate(calfun="raking")``). Margins must share one grand
  total. When they do not, R's ``rake`` oscillates and warns that it did not
  converge; here every later margin is instead scaled to the *first* margin's grand
  total (its level shares are kept), and that is reported in ``warnings``, in the
  summary's ``note`` column and as a ``UserWarning``.
- Weighting design effect: Kish (1965), ``1 + CV^2`` of the weights
  ``= n * sum(w^2) / sum(w)^2`` (CV with the population variance, divisor n).

Calibrated designs. ``poststratify`` and ``rake`` take a ``SurveyDesign`` in place of
the DataFrame (``weights=None`` then means the design's own weights) and return, in
``WeightingResult.design``, the design with the new weights whose standard errors
account for the calibration as R's ``postStratify`` and ``rake`` designs do
(:mod:`analysis.estimation.calibration`). Given a DataFrame, ``.design`` is the calibrated
design of an unclustered sample with the starting weights (R: ``svydesign(ids=~1,
weights=~w0)`` then ``postStratify``/``rake``). A design rebuilt from the calibrated
weights alone would ignore the calibration and overstate most standard errors.
"""

from __future__ import annotations

import warnings as _warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.estimation import replicate_calibration
from analysis.estimation.calibration import poststratification, raking
from analysis.estimation.replicate import ReplicateDesign
from analysis.estimation.survey_design import DesignError, SurveyDesign

__all__ = ["ConvergenceError", "WeightingResult", "base_weights", "poststratify", "rake"]

Weights = str | pd.Series | None


class ConvergenceError(RuntimeError):
    """Raking did not reach its margins within ``max_iter`` iterations."""


@dataclass(frozen=True, eq=False)
class WeightingResult:
    """Weights aligned to the data's index, with a summary table and diagnostics."""

    weights: pd.Series
    summary: pd.DataFrame
    min: float
    max: float
    ratio: float
    deff_weighting: float
    iterations: int | None = None
    warnings: tuple[str, ...] = ()
    design: SurveyDesign | None = None   # poststratify / rake: the calibrated design

    @classmethod
    def from_weights(cls, weights: pd.Series, summary: pd.DataFrame,
                     iterations: int | None = None, notes: Sequence[str] = (),
                     design: SurveyDesign | None = None) -> WeightingResult:
        w = weights.to_numpy(dtype=float)
        lo, hi = float(w.min()), float(w.max())
        deff = len(w) * float(np.sum(w * w)) / float(np.sum(w)) ** 2
        return cls(weights, summary, lo, hi, hi / lo, deff, iterations, tuple(notes), design)

    def add_to(self, df: pd.DataFrame, name: str = "weight") -> pd.DataFrame:
        """A copy of ``df`` with the weights as column ``name``."""
        if not self.weights.index.equals(df.index):
            raise ValueError("These weights were computed for a different DataFrame (index differs).")
        return df.assign(**{name: self.weights.to_numpy()})


def base_weights(df: pd.DataFrame, frame: pd.DataFrame, psu: str = "psu",
                 stratum: str | None = "kecamatan", prob_psu: str = "prob_psu",
                 prob_within: str = "prob_within",
                 households_in_psu: str = "households_in_psu") -> WeightingResult:
    """Design weights ``1 / (prob_psu * prob_within)`` from a frame with one row per PSU.

    PSUs are matched on ``(stratum, psu)`` (PSU ids nested in strata, R's ``nest=TRUE``),
    or on ``psu`` alone when ``stratum=None``. Where ``prob_within`` is absent or
    missing, it is derived as responding households in the PSU (rows of ``df``, one
    per household) / ``households_in_psu``. The summary has one row per stratum:
    ``weighted_before`` is the number of responses, ``weighted_after`` the estimated
    number of households.
    """
    keys = [psu] if stratum is None else [stratum, psu]
    for table, label in ((df, "responses"), (frame, "sampling frame")):
        absent = [c for c in keys if c not in table.columns]
        if absent:
            raise ValueError(f"The {label} have no column {absent}: name the columns with psu=... and "
                             "stratum=... (stratum=None if PSU ids are unique across strata).")
    _empty_check(df)
    _require_complete(df, keys, "base_weights")
    frame_keys = pd.MultiIndex.from_frame(frame[keys])
    if frame_keys.has_duplicates:
        raise ValueError(f"The sampling frame must have one row per PSU; repeated: "
                         f"{_listing(frame_keys[frame_keys.duplicated()].unique())}.")
    pos = frame_keys.get_indexer(pd.MultiIndex.from_frame(df[keys]))
    if (pos < 0).any():
        missing = pd.MultiIndex.from_frame(df.loc[pos < 0, keys]).unique()
        raise ValueError(f"{len(missing)} PSU(s) {keys} in the responses are not in the sampling frame: "
                         f"{_listing(missing)}. Add them to the frame with their selection "
                         "probabilities, or correct the PSU codes (spelling and type must match).")
    if prob_psu not in frame.columns:
        raise ValueError(f"The sampling frame has no column {prob_psu!r} (PSU selection probability).")
    p1 = _numbers(frame[prob_psu])[pos]
    p2 = _numbers(frame[prob_within])[pos] if prob_within in frame.columns else np.full(len(df), np.nan)
    derive = np.isnan(p2)
    if derive.any():
        if households_in_psu not in frame.columns:
            raise ValueError(f"{prob_within!r} is missing for PSUs {_listing(_keys_at(df, keys, derive))} "
                             f"and the frame has no {households_in_psu!r} column to derive it from.")
        responding = np.bincount(pos, minlength=len(frame))[pos]
        p2 = np.where(derive, responding / _numbers(frame[households_in_psu])[pos], p2)
    for p, name in ((p1, prob_psu), (p2, f"{prob_within} (or responding / {households_in_psu})")):
        bad = ~((p > 0) & (p <= 1))
        if bad.any():
            raise ValueError(f"{name} must be in (0, 1] for every sampled PSU; PSUs with other values: "
                             f"{_listing(_keys_at(df, keys, bad))}. Fix the sampling frame: a selection "
                             "probability is never 0, missing, or above 1.")
    w = 1.0 / (p1 * p2)
    if stratum is None:
        codes, levels = np.zeros(len(df), dtype=np.intp), pd.Index(["all"])
    else:
        codes, levels = pd.factorize(df[stratum], sort=True)
    summary = _summary(stratum or "(all)", levels, np.full(len(levels), np.nan),
                       np.bincount(codes, minlength=len(levels)).astype(float),
                       np.bincount(codes, weights=w, minlength=len(levels)),
                       "weighted_before = responses; weighted_after = estimated households")
    return WeightingResult.from_weights(pd.Series(w, index=df.index, name="weight"), summary)


def poststratify(data: pd.DataFrame | SurveyDesign, weights: Weights,
                 targets: pd.DataFrame | Mapping | pd.Series, by: str | Sequence[str]) -> WeightingResult:
    """Scale weights so each cell of ``by`` sums to its known population total.

    ``data``: a DataFrame, or a SurveyDesign (``weights=None``: its own weights).
    ``targets``: a DataFrame with the ``by`` columns and ``total``, or a dict/Series
    keyed by level (one ``by`` column) or level tuples (several). ``.design`` is the
    post-stratified design (R's ``postStratify``).
    """
    if isinstance(data, ReplicateDesign):   # the full sample and every replicate, as R
        return replicate_calibration.poststratify(data, weights, targets, by)
    by = [by] if isinstance(by, str) else list(by)
    df, base = _unpack(data, weights)
    w0 = _start(df, base, weights)
    cells, codes, target = _match_cells(df, by, targets, "poststratify")
    before = np.bincount(codes, weights=w0, minlength=len(cells))
    w = w0 * (target / before)[codes]
    summary = _summary(":".join(by), cells, target, before,
                       np.bincount(codes, weights=w, minlength=len(cells)))
    calibration = poststratification(codes, len(cells), w0, w, tuple(by))
    design = _calibrated_design(df, base, weights, w0, w, calibration)
    return WeightingResult.from_weights(pd.Series(w, index=df.index, name="weight"), summary, design=design)


def rake(data: pd.DataFrame | SurveyDesign, weights: Weights,
         margins: Mapping[str, Mapping | pd.Series | pd.DataFrame],
         max_iter: int = 100, tol: float = 1e-8) -> WeightingResult:
    """Iterative proportional fitting of weights to several one-way margins.

    ``data``: a DataFrame, or a SurveyDesign (``weights=None``: its own weights).
    ``margins``: column -> totals by level (dict, Series, or DataFrame with the column
    and ``total``). Converged when every weighted margin is within relative ``tol`` of
    its target; ``iterations`` counts full sweeps over the margins. ``.design`` is the
    raked design (R's ``rake``: each margin's post-stratification of the last sweep).
    """
    if not margins:
        raise ValueError("rake needs at least one margin: {column: {level: total, ...}, ...}.")
    if max_iter < 1:
        raise ValueError("max_iter must be at least 1.")
    if isinstance(data, ReplicateDesign):   # the full sample and every replicate, as R
        return replicate_calibration.rake(data, weights, margins, max_iter, tol)
    df, base = _unpack(data, weights)
    w0 = _start(df, base, weights)
    specs = [(name, *_match_cells(df, [name], m, f"rake margin {name!r}")) for name, m in margins.items()]
    first, grand = specs[0][0], specs[0][3].sum()
    notes, scaled = [], {}
    for i, (name, cells, codes, target) in enumerate(specs):
        total = target.sum()
        if abs(total - grand) > tol * grand:
            scaled[name] = f"targets scaled by {grand / total:.8g} to the grand total of margin {first!r}"
            notes.append(f"Margin {name!r} sums to {total:.8g}, margin {first!r} to {grand:.8g}: "
                         f"{scaled[name]}. Check that all margins count the same population.")
            specs[i] = (name, cells, codes, target * (grand / total))
    for note in notes:
        _warnings.warn(note, UserWarning, stacklevel=2)
    w = w0.copy()
    last = [w0] * len(specs)   # each margin's weights after its step in the latest sweep
    for iterations in range(1, max_iter + 1):
        for m, (_, cells, codes, target) in enumerate(specs):
            w = w * (target / np.bincount(codes, weights=w, minlength=len(cells)))[codes]
            last[m] = w
        gap, where = max(_largest_gap(w, spec) for spec in specs)
        if gap <= tol:
            break
    else:
        raise ConvergenceError(
            f"Raking did not converge after {max_iter} iterations: the largest remaining relative gap "
            f"is {gap:.3g} (margin {where[0]!r}, level {where[1]!r}); tolerance {tol:g}. Raise max_iter, "
            "or collapse sparse levels: a sample with empty combinations of levels may have no solution.")
    summary = pd.concat(
        [_summary(name, cells, target, np.bincount(codes, weights=w0, minlength=len(cells)),
                  np.bincount(codes, weights=w, minlength=len(cells)), scaled.get(name, ""))
         for name, cells, codes, target in specs], ignore_index=True)
    calibration = raking([(codes, len(cells), psw) for (_, cells, codes, _), psw in zip(specs, last)],
                         tuple(name for name, *_ in specs))
    design = _calibrated_design(df, base, weights, w0, w, calibration)
    return WeightingResult.from_weights(pd.Series(w, index=df.index, name="weight"), summary,
                                        iterations, notes, design)


def _unpack(data, weights) -> tuple[pd.DataFrame, SurveyDesign | None]:
    """(the data, the design or None); a subset design cannot be calibrated."""
    if isinstance(data, SurveyDesign):
        if not data.in_subset.all():
            raise ValueError("Calibrate the whole design, then take the subset: calibrating a "
                             "subpopulation would leave the rest of the design without weights.")
        return data.data, data
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a DataFrame or a SurveyDesign, not {type(data).__name__}")
    return data, None


def _start(df: pd.DataFrame, base: SurveyDesign | None, weights: Weights) -> np.ndarray:
    """The starting weights: as given, else the design's own."""
    if base is not None and weights is None:
        return _start_weights(df, pd.Series(base.weights, index=df.index))
    return _start_weights(df, weights)


def _calibrated_design(df, base, weights, w0, w, calibration) -> SurveyDesign | None:
    """The calibrated design: of the given design, or of an unclustered sample with the start
    weights (None when such data cannot form a design, e.g. a single row)."""
    if base is None:
        try:
            base = (SurveyDesign(df, weights=weights) if isinstance(weights, str)
                    else SurveyDesign(df.assign(_weight=w0), weights="_weight"))
        except DesignError:
            return None
    column = base.columns["weights"] or (weights if isinstance(weights, str) else "_weight")
    return base.calibrated(w, calibration, column)


def _largest_gap(w: np.ndarray, spec: tuple) -> tuple[float, tuple[str, str]]:
    name, cells, codes, target = spec
    rel = np.abs(np.bincount(codes, weights=w, minlength=len(cells)) - target) / target
    i = int(np.argmax(rel))
    return float(rel[i]), (name, _label(cells[i]))


def _match_cells(df: pd.DataFrame, by: list[str], targets, what: str):
    """Cells of the targets (MultiIndex), each row's cell position, and the totals."""
    absent = [c for c in by if c not in df.columns]
    if absent:
        raise ValueError(f"{what}: the data have no column {absent}.")
    _require_complete(df, by, what)
    table = _targets_table(targets, by, what)
    cells = pd.MultiIndex.from_frame(table[by])
    if cells.has_duplicates:
        raise ValueError(f"{what}: targets repeat cells {_listing(cells[cells.duplicated()].unique())}; "
                         "give each cell one total.")
    total = _numbers(table["total"])
    bad = ~(np.isfinite(total) & (total > 0))
    if bad.any():
        raise ValueError(f"{what}: target totals must be positive numbers; not so for "
                         f"{_listing(cells[bad])}. Drop zero cells from the targets and the data.")
    codes = _cell_codes(df, by, table)
    if (codes < 0).any():
        missing = pd.MultiIndex.from_frame(df.loc[codes < 0, by]).unique()
        raise ValueError(f"{what}: {len(missing)} sample cell(s) of {by} have no target total: "
                         f"{_listing(missing)}. Add their totals, or collapse them into other cells.")
    empty = np.bincount(codes, minlength=len(cells)) == 0
    if empty.any():
        raise ValueError(f"{what}: {int(empty.sum())} target cell(s) of {by} have no sample: "
                         f"{_listing(cells[empty])}. Collapse them with a neighbouring cell in both "
                         "the targets and the data.")
    return cells, codes, total


def _cell_codes(df: pd.DataFrame, by: list[str], table: pd.DataFrame) -> np.ndarray:
    """Each row's position in the targets ``table`` (-1: no target), by value equality.

    The data's values are factorised once per column (a Categorical by its codes), the
    few target cells are coded the same way, and rows are matched on one integer key,
    so a million rows cost no per-row tuples.
    """
    key = np.zeros(len(df), dtype=np.int64)
    target = np.zeros(len(table), dtype=np.int64)
    for column in by:
        codes, uniques = pd.factorize(df[column], use_na_sentinel=True)
        radix = len(uniques) + 1
        key = key * radix + codes + 1
        target = target * radix + pd.Index(uniques).get_indexer(table[column]) + 1
    return pd.Index(target).get_indexer(key)


def _targets_table(targets, by: list[str], what: str) -> pd.DataFrame:
    """Normalise targets to a DataFrame with the ``by`` columns and ``total``."""
    if isinstance(targets, pd.DataFrame):
        absent = [c for c in [*by, "total"] if c not in targets.columns]
        if absent:
            raise ValueError(f"{what}: the targets table has no column {absent}.")
        table = targets[[*by, "total"]]
    elif isinstance(targets, Mapping | pd.Series):
        keys = [k if isinstance(k, tuple) else (k,) for k in targets.keys()]
        if not keys or any(len(k) != len(by) for k in keys):
            raise ValueError(f"{what}: targets must be keyed by one level per column of {by} "
                             "(tuples when there are several columns).")
        table = pd.DataFrame(keys, columns=by).assign(total=[v for _, v in targets.items()])
    else:
        raise TypeError(f"{what}: targets must be a DataFrame, dict or Series, not {type(targets).__name__}.")
    _require_complete(table, by, f"{what} targets")
    return table


def _start_weights(df: pd.DataFrame, weights: Weights) -> np.ndarray:
    _empty_check(df)
    if weights is None:
        return np.ones(len(df))
    if isinstance(weights, str):
        if weights not in df.columns:
            raise ValueError(f"The data have no weights column {weights!r}; pass None for equal weights.")
        weights = df[weights]
    elif not isinstance(weights, pd.Series) or not weights.index.equals(df.index):
        raise ValueError("weights must be a column name, None, or a Series aligned to the data's index.")
    w = _numbers(weights)
    bad = ~(np.isfinite(w) & (w > 0))
    if bad.any():
        raise ValueError(f"Starting weights must be positive numbers; {int(bad.sum())} row(s) are not "
                         f"(index {_listing(df.index[bad])}).")
    return w


def _empty_check(df: pd.DataFrame) -> None:
    if len(df) == 0:
        raise ValueError("The data have no rows to weight.")


def _require_complete(df: pd.DataFrame, cols: list[str], what: str) -> None:
    missing = df[cols].isna().any(axis=1).to_numpy()
    if missing.any():
        raise ValueError(f"{what}: {int(missing.sum())} row(s) have missing {cols} (index "
                         f"{_listing(df.index[missing])}); fill them in or drop those rows first.")


def _numbers(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _keys_at(df: pd.DataFrame, keys: list[str], mask: np.ndarray) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(df.loc[mask, keys]).unique()


def _plain(x):
    if isinstance(x, tuple):
        return _plain(x[0]) if len(x) == 1 else tuple(_plain(v) for v in x)
    return x.item() if isinstance(x, np.generic) else x


def _listing(items, k: int = 5) -> str:
    items = list(items)
    shown = ", ".join(repr(_plain(x)) for x in items[:k])
    return shown + (f" (and {len(items) - k} more)" if len(items) > k else "")


def _label(key) -> str:
    key = _plain(key)
    return ":".join(map(str, key)) if isinstance(key, tuple) else str(key)


def _summary(variable: str, cells, target, before, after, note: str = "") -> pd.DataFrame:
    return pd.DataFrame({
        "variable": variable, "level": [_label(c) for c in cells], "target": target,
        "weighted_before": before, "weighted_after": after, "note": note})
