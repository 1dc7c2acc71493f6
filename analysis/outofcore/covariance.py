"""The covariance matrix of several estimators out of core, two stages and post-strata included.

:meth:`OutOfCoreDesign.influence_variance` (:mod:`analysis.outofcore.stages`) gives each
estimator's variance; a two-way table's Rao-Scott test needs their covariances too.  The same
group sums, with cross-products: per PSU the totals ``s1`` of the influence values (after the
post-stratification residuals), and for a second stage ``m`` units and the sums of the products
of the units' totals ``S2`` (K x K); then

    C = sum_h (1 - f1_h) n_h/(n_h - 1) sum_i (T_i - Tbar_h)(T_i - Tbar_h)'
      + sum_i (n_h / N1_h) (1 - f2_i) m_i/(m_i - 1) (S2_i - s1_i s1_i' / m_i)

whose diagonal is ``influence_variance``.  Every statistic of the in-memory cross-tab is a linear
function of the PSU x cell totals, so :func:`square_root` turns C into K pseudo-PSUs whose plain
sums of squares give exactly those covariances (:mod:`analysis.tables.out_of_core_crosstab`).
"""

from __future__ import annotations

import numpy as np

from analysis.estimation.taylor import CERTAINTY
from analysis.outofcore.stages import _psu_codes, _residuals, _stage2_factor


def influence_covariance(d, infl: dict) -> np.ndarray:
    """(K, K) covariance of the estimators with row-level influence values ``infl`` ({name: table ->
    expression}), in ``infl``'s order."""
    cols = {f"_x{k}": fn for k, fn in enumerate(infl.values())}
    names = list(cols)
    t = _residuals(d, cols) if d.poststrata else d.table.mutate(**{c: fn(d.table) for c, fn in cols.items()})
    keys = d._keys(t)
    K, P = len(names), d.n_psus
    pairs = [(a, b) for a in range(K) for b in range(a, K)]
    if d.ssu is None:
        agg = t.group_by(keys).aggregate(**{f"s1{c}": t[c].sum() for c in names})
    else:
        units = t.group_by([*keys, t[d.ssu].name("_ssu")]).aggregate(**{c: t[c].sum() for c in names})
        agg = units.group_by(["_stratum", "_psu"]).aggregate(
            _m=units.count(), **{f"s1{c}": units[c].sum() for c in names},
            **{f"s2_{a}_{b}": (units[names[a]] * units[names[b]]).sum() for a, b in pairs})
    frame = agg.to_pandas()
    code = _psu_codes(d, frame)
    s1 = np.zeros((P, K))
    s1[code] = frame[[f"s1{c}" for c in names]].to_numpy(dtype=float, na_value=0.0)
    cov = d.covariance(s1)
    if d.ssu is not None:
        m = np.zeros(P)
        m[code] = frame["_m"].to_numpy(dtype=float)
        s2 = np.zeros((P, K, K))
        for a, b in pairs:
            s2[code, a, b] = s2[code, b, a] = frame[f"s2_{a}_{b}"].to_numpy(dtype=float, na_value=0.0)
        cov = cov + _second_stage(d, m, s1, s2)
    return cov


def _second_stage(d, m: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """stages._second_stage with cross-products: sum over PSUs of scale_i (S2_i - s1_i s1_i' / m_i)."""
    psus = d.psus
    multiplier = (1.0 - d.taylor.fpc_factor)[psus["stratum_code"].to_numpy()]
    ff2 = _stage2_factor(d, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(m > 1, ff2 * m / (m - 1), ff2)
        scale = np.where(ff2 < CERTAINTY, 0.0, scale) * multiplier
        centred = s2 - s1[:, :, None] * s1[:, None, :] / m[:, None, None]
    lonely = (m == 1)[:, None, None]
    centred = np.where(lonely, s2 if d.lonely_psu == "adjust" else 0.0, centred)
    centred = np.where((m > 0)[:, None, None], centred, 0.0)
    return np.einsum("p,pkl->kl", scale, centred)


def square_root(cov: np.ndarray) -> np.ndarray:
    """L (K, K) with L'L = ``cov`` (a covariance matrix: rounding's negative eigenvalues are 0)."""
    values, vectors = np.linalg.eigh((cov + cov.T) / 2)
    return np.sqrt(np.clip(values, 0.0, None))[:, None] * vectors.T


class PseudoDesign:
    """What the in-memory cross-tab's helpers ask of a design, for the pseudo-PSUs of
    :func:`square_root`: variances and covariances are plain sums of squares and products."""

    def __init__(self, degf: int):
        self.degf = degf

    def totals_variance(self, totals, rows=None, group=None, n_groups=1, columns=None):
        return np.einsum("pk,pk->k", totals, totals)

    def totals_covariance(self, totals, rows=None):
        return totals.T @ totals
