"""Two-stage variance and post-stratification residuals, out of core, as group sums.

The in-memory engine (:mod:`analysis.estimation.multistage`, R's ``svyrecvar``) takes the
variance of a two-stage design (PSUs in strata, then units such as households in each PSU,
R's ``id=~psu+ssu, fpc=~N1+N2``) as

    V = sum_h (1 - f1_h) n_h/(n_h - 1) sum_i (T_i - Tbar_h)^2
      + sum_i (n_h / N1_h) (1 - f2_i) m_i/(m_i - 1) sum_u (z_u - zbar_i)^2

with T_i the PSU totals and z_u the unit totals of the influence values.  Both are sums
the engine returns per PSU: m_i, sum z_u and sum z_u^2 of its units (two nested group
sums).  A post-stratified design first replaces the influence values by their residuals
within the post-strata (:mod:`analysis.estimation.calibration`, R's ``postStratify``):
x_i - w_i sum_cell(x) / sum_cell(w), w the calibrated weights - one more group sum per
cell, joined back.  (R's form is x - w * rowsum(x * old/w) / rowsum(old); they agree since
old/w is constant within a cell, except for rows of zero weight, which callers avoid.)  A raked
design takes the residuals of :mod:`analysis.outofcore.calibration` instead.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from analysis.estimation.survey_design import DesignError
from analysis.estimation.taylor import CERTAINTY
from analysis.outofcore import calibration


def influence_variance(d, infl: dict) -> np.ndarray:
    """(K,) variances of the influence values ``infl`` ({name: table -> per-row expression})."""
    names = list(infl)
    cols = {f"_x{k}": fn for k, fn in enumerate(infl.values())}
    t = _residuals(d, cols) if d.poststrata else d.table.mutate(**{c: fn(d.table) for c, fn in cols.items()})
    keys = d._keys(t)
    if d.ssu is None:
        agg = t.group_by(keys).aggregate(**{f"s1{c}": t[c].sum() for c in cols}, _m=t.count())
    else:
        units = t.group_by([*keys, t[d.ssu].name("_ssu")]).aggregate(**{c: t[c].sum() for c in cols})
        agg = units.group_by(["_stratum", "_psu"]).aggregate(
            _m=units.count(), **{f"s1{c}": units[c].sum() for c in cols},
            **{f"s2{c}": (units[c] * units[c]).sum() for c in cols})
    frame = agg.to_pandas()
    code = _psu_codes(d, frame)
    P = d.n_psus
    s1 = np.zeros((P, len(cols)))
    s1[code] = frame[[f"s1{c}" for c in cols]].to_numpy(dtype=float, na_value=0.0)
    v = d.variance(s1)
    if d.ssu is not None:
        m = np.zeros(P)
        m[code] = frame["_m"].to_numpy(dtype=float)
        s2 = np.zeros((P, len(cols)))
        s2[code] = frame[[f"s2{c}" for c in cols]].to_numpy(dtype=float, na_value=0.0)
        v = v + _second_stage(d, m, s1, s2)
    assert len(v) == len(names)
    return v


def _psu_codes(d, frame) -> np.ndarray:
    return pd.MultiIndex.from_frame(d.psus[["_stratum", "_psu"]]).get_indexer(
        pd.MultiIndex.from_frame(frame[["_stratum", "_psu"]]))


def _residuals(d, cols: dict) -> ibis.Table:
    """The table with each influence column replaced by its post-stratification (or raking) residual."""
    if getattr(d, "raking", None) is not None:
        return calibration.residuals(d, cols)
    t = d.table
    w = d.weights
    cells = t.group_by(list(d.poststrata)).aggregate(
        _cell_w=t[w].sum(), **{c: fn(t).sum() for c, fn in cols.items()})
    slopes = cells.select(*d.poststrata, **{f"_a{c}": ibis.ifelse(cells._cell_w != 0, cells[c] / cells._cell_w, 0.0)
                                            for c in cols})
    j = t.inner_join(slopes, list(d.poststrata))
    return j.mutate(**{c: fn(j) - j[w] * j[f"_a{c}"] for c, fn in cols.items()})


def _second_stage(d, m: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """sum over PSUs of (n_h/N1_h) (1 - f2_i) m_i/(m_i - 1) sum_u (z_u - zbar_i)^2, as R's recursion."""
    psus = d.psus
    above = 1.0 - d.taylor.fpc_factor
    multiplier = above[psus["stratum_code"].to_numpy()]   # n/N of the PSU's stratum (0: with replacement)
    ff2 = _stage2_factor(d, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(m > 1, ff2 * m / (m - 1), ff2)
        scale = np.where(ff2 < CERTAINTY, 0.0, scale) * multiplier
        centred = s2 - s1 * s1 / m[:, None]
    if d.lonely_psu == "adjust":   # a lonely unit is compared with 0, as multistage.py
        centred = np.where((m == 1)[:, None], s2, centred)
    else:
        centred = np.where((m == 1)[:, None], 0.0, centred)
    centred = np.where((m > 0)[:, None], centred, 0.0)
    return (scale[:, None] * centred).sum(axis=0)


def _stage2_factor(d, m: np.ndarray) -> np.ndarray:
    """(P,) 1 - f2 of each PSU, from fpc2 read as R's as.fpc (None: with replacement, 1)."""
    if d.fpc2 is None:
        return np.ones(len(m))
    psus = d.psus
    lo, hi = psus["fpc2_lo"].to_numpy(float), psus["fpc2_hi"].to_numpy(float)
    if psus["fpc2_missing"].sum() or not (np.isfinite(lo).all() and (lo >= 0).all()) or (lo != hi).any():
        raise DesignError(f"fpc2 column {d.fpc2!r} is missing, negative, not finite or not constant within a PSU.")
    with np.errstate(divide="ignore"):
        pop = hi if (hi > 1).any() else m / hi
    if (pop < m).any():
        raise DesignError(f"fpc2 column {d.fpc2!r} implies more than 100% sampling in a PSU.")
    return np.where(np.isinf(pop), 1.0, (pop - m) / pop)
