"""Multistage variance: R's ``svyrecvar`` recursion for designs sampled in stages.

R's survey 4.1 (``multistage``, ``onestage``, ``onestrat``) estimates the variance of a
design sampled in S stages, with the finite population correction of every stage, as

    V = V_1 + sum_{PSUs i} (n_h / N_h) V_2(i) + ...

where ``V_1`` is the one-stage variance of the PSU totals (:mod:`analysis.estimation.taylor`)
and ``V_2(i)`` the same for the SSU totals within PSU i, recursively, each later stage
scaled by the sampling fractions of the stages above it (Lohr, *Sampling*, sec. 6.6;
Lumley 2010, *Complex Surveys*, sec. 3.2 and appendix C).  Per stage:

* strata of stage s are nested in the clusters of stage s-1 (R: ``interaction(strata,
  ids[, s-1])``); a stage without strata has one stratum per cluster above it;
* a stratum whose units were all sampled (1 - f below 1e-7: certainty units) adds nothing,
  but the stages below it still do (their multiplier n/N is 1);
* lonely units follow ``lonely_psu`` at every stage as R's ``onestrat``; "average" scales
  the sum over the strata of one cluster above by (strata present) / (strata with a
  variance), as R's ``onestage`` does for each cluster it recurses into.

The units of variance (the rows of :meth:`MultistageVariance.totals`) are the clusters
of the last stage; the totals of every stage above are sums of theirs, so the variance
stays a function of the totals and the estimators' seam (:mod:`analysis.estimation.variance`)
holds.  Calibration residuals are taken first, as in R.  Degrees of freedom are the
first stage's (R's ``degf``: PSUs minus strata), counted by the stage-1
:class:`analysis.estimation.taylor.TaylorVariance`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from analysis.estimation.calibration import CalibrationFit, Reduced
from analysis.estimation.codes import dense
from analysis.estimation.taylor import _CELLS, CERTAINTY, TaylorVariance


@dataclass(frozen=True, eq=False)
class Stage:
    """The strata and clusters of one stage, numbered so that each is contiguous in unit order.

    ``row_stratum``/``row_cluster`` are per-row codes; a stratum's clusters and a cluster's
    units are consecutive.  ``parent`` is the cluster of the stage above holding each
    stratum (0 at stage 1)."""

    row_stratum: np.ndarray    # (n,)
    row_cluster: np.ndarray    # (n,)
    cluster_stratum: np.ndarray  # (C,) nondecreasing
    cluster_start: np.ndarray  # (C,) first unit of each cluster
    stratum_start: np.ndarray  # (H,) first cluster of each stratum
    parent: np.ndarray         # (H,)
    n: np.ndarray              # (H,) sampled clusters per stratum

    @property
    def n_strata(self) -> int:
        return len(self.n)


def nest(keys: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, list[Stage]]:
    """Per-row (stratum key, cluster key) of each stage -> (unit of each row, the stages).

    Each stage's strata are nested in the clusters above, and its clusters in its strata
    (R's ``interaction`` of the ids and strata of the stages so far)."""
    flat = [k for pair in keys for k in pair]
    order = np.lexsort(flat[::-1])
    n = len(order)
    change = np.zeros(n, dtype=bool)
    change[:1] = True
    codes = []
    for key in flat:   # a new group at level L wherever any key up to L changes (in sorted order)
        s = key[order]
        change[1:] |= s[1:] != s[:-1]
        code = np.empty(n, dtype=np.int64)
        code[order] = np.cumsum(change) - 1
        codes.append(code)
    unit = codes[-1]
    n_units = int(unit.max()) + 1
    stages = []
    for s in range(len(keys)):
        stratum, cluster = codes[2 * s], codes[2 * s + 1]
        n_clusters, n_strata = int(cluster.max()) + 1, int(stratum.max()) + 1
        cluster_stratum = np.zeros(n_clusters, dtype=np.int64)
        cluster_stratum[cluster] = stratum
        unit_cluster = np.zeros(n_units, dtype=np.int64)
        unit_cluster[unit] = cluster
        parent = np.zeros(n_strata, dtype=np.int64)
        if s:
            parent[stratum] = codes[2 * s - 1]
        stages.append(Stage(stratum, cluster, cluster_stratum, _starts(unit_cluster), _starts(cluster_stratum),
                            parent, np.bincount(cluster_stratum, minlength=n_strata)))
    return unit, stages


def _starts(sorted_codes: np.ndarray) -> np.ndarray:
    """First position of each code in a nondecreasing array of codes 0..m-1."""
    return np.flatnonzero(np.diff(sorted_codes, prepend=-1))


class MultistageVariance:
    """The stages, fpc and calibrations of a multistage design, and its variances (R's recursion).

    ``popsize`` holds each stage's population of clusters per stratum (np.inf: sampling
    with replacement at that stage).  Answers what :class:`TaylorVariance` answers, so
    ``SurveyDesign`` uses either."""

    def __init__(self, unit: np.ndarray, stages: list[Stage], popsize: list[np.ndarray], lonely_psu: str,
                 calibration: tuple[CalibrationFit, ...] = ()):
        self.unit, self.stages, self.popsize = unit, stages, popsize
        self.n_units = int(unit.max()) + 1
        self.lonely_psu = lonely_psu
        self.calibration = calibration
        with np.errstate(invalid="ignore"):
            self.fpc_factor = [np.where(np.isinf(p), 1.0, (p - st.n) / p) for st, p in zip(stages, popsize)]
        # each stage's strata carry the product of the sampling fractions n/N of the strata above
        self.multiplier = [np.ones(stages[0].n_strata)]
        for above, st, pop in zip(stages, stages[1:], popsize):
            frac = (above.n / pop) * self.multiplier[-1]   # n / inf = 0: with replacement, nothing below
            self.multiplier.append(frac[above.cluster_stratum][st.parent])
        first = stages[0]
        self.first = TaylorVariance(first.row_stratum, first.row_cluster, first.cluster_stratum, first.n,
                                    self.fpc_factor[0], lonely_psu)

    # ---- what SurveyDesign reads ---------------------------------------------------
    @property
    def n_strata(self) -> int:
        return self.first.n_strata

    @property
    def n_psus(self) -> int:
        return self.first.n_psus

    @property
    def n_stages(self) -> int:
        return len(self.stages)

    @property
    def stratum(self) -> np.ndarray:
        return self.first.stratum

    def lonely(self, s: int) -> np.ndarray:
        """(H_s,) strata of stage s (0-based) with one sampled cluster and a variance (not certainty)."""
        return (self.stages[s].n == 1) & (self.fpc_factor[s] >= CERTAINTY)

    def lonely_strata(self) -> np.ndarray:
        return self.lonely(0)

    def calibrated(self, calibration: CalibrationFit) -> "MultistageVariance":
        return MultistageVariance(self.unit, self.stages, self.popsize, self.lonely_psu,
                                  (*self.calibration, calibration))

    @cached_property
    def _reduced(self) -> Reduced:
        return Reduced(self.calibration, self.unit, self.n_units)

    def degf(self, weights, rows, group=None, n_groups: int = 1) -> np.ndarray:
        return self.first.degf(weights, rows, group, n_groups)

    # ---- totals and their variances -------------------------------------------------
    def totals(self, infl: np.ndarray, group: np.ndarray | None = None, n_groups: int = 1) -> np.ndarray:
        """Totals of influence values per last-stage cluster: (U, n_groups), calibration residuals taken."""
        U = self.n_units
        if group is None:
            totals = np.bincount(self.unit, weights=infl, minlength=U).reshape(U, 1)
        else:
            ok = group >= 0
            idx = np.where(ok, self.unit * n_groups + group, U * n_groups)
            totals = np.bincount(idx, weights=np.where(ok, infl, 0.0),
                                 minlength=U * n_groups + 1)[:-1].reshape(U, n_groups)
        if not self.calibration:
            return totals
        return self._reduced.adjust(totals, infl, group, n_groups)

    def _stage_parts(self, s: int, totals: np.ndarray):
        """Stage s's centred cluster totals (C, K) and each cluster's weight in the sum (C,)."""
        st = self.stages[s]
        cl = totals if len(st.cluster_start) == len(totals) else np.add.reduceat(totals, st.cluster_start, axis=0)
        centre = ~((self.lonely_psu == "adjust") & (st.n == 1))
        means = np.add.reduceat(cl, st.stratum_start, axis=0) / st.n[:, None]
        centred = cl - (means * centre[:, None])[st.cluster_stratum]
        return centred, self._weight(s)[st.cluster_stratum]

    def _sparse_variance(self, infl: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
        """Each stage's sum over strata of scale * sum_c (t_cg - c_h mean_hg)^2, from the clusters
        with rows in domain g; a stratum's other clusters have t_cg = 0 and add (c_h mean_hg)^2
        each.  Memory grows with the rows, not with clusters x domains."""
        ok = group >= 0
        x, g = infl[ok], group[ok]
        out = np.zeros(n_groups)
        for s, st in enumerate(self.stages):
            n_clusters = len(st.cluster_stratum)
            pairs, at = dense(st.row_cluster[ok] * n_groups + g, n_clusters * n_groups)
            t = np.bincount(at, weights=x, minlength=len(pairs))
            h = st.cluster_stratum[pairs // n_groups]
            cells, cell = dense(h * n_groups + pairs % n_groups, st.n_strata * n_groups)
            hc = cells // n_groups
            n_h = st.n[hc]
            centre = ~((self.lonely_psu == "adjust") & (n_h == 1))
            mean_c = np.where(centre, np.bincount(cell, weights=t, minlength=len(cells)) / n_h, 0.0)
            inside = np.bincount(cell, weights=(t - mean_c[cell]) ** 2, minlength=len(cells))
            absent = n_h - np.bincount(cell, minlength=len(cells))
            out += np.bincount(cells % n_groups, weights=self._weight(s)[hc] * (inside + absent * mean_c ** 2),
                               minlength=n_groups)
        return out

    def _weight(self, s: int) -> np.ndarray:
        """(H_s,) each stratum's weight in the sum: (1 - f) n/(n - 1) (n = 1: 1 - f; certainty: 0)
        times the sampling fractions of the strata above."""
        n, ff = self.stages[s].n, self.fpc_factor[s]
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n > 1, ff * n / (n - 1), ff)
        return np.where(ff < CERTAINTY, 0.0, scale) * self.multiplier[s]

    def _na_strata(self, s: int) -> np.ndarray:
        """Strata of stage s whose variance R reports as NA ("average" lonely units)."""
        return (self.lonely_psu == "average") & self.lonely(s)

    def _average(self, s: int, present: np.ndarray) -> np.ndarray | None:
        """(H_s, K) factor nstrat/nokstrat of each stratum's cluster above (R's ``onestage``),
        from the strata present (H_s, K); None when no stratum of stage s is an "average" NA."""
        na = self._na_strata(s)
        if not na.any():
            return None
        st = self.stages[s]
        n_parents = int(st.parent.max()) + 1
        nstrat = np.stack([np.bincount(st.parent, weights=p, minlength=n_parents) for p in present.T], axis=1)
        nok = np.stack([np.bincount(st.parent, weights=p & ~na, minlength=n_parents) for p in present.T], axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(nok > 0, nstrat / np.maximum(nok, 1), np.nan)
        if s:   # R recurses only into clusters the subset has: the others add nothing
            factor = np.where(nstrat == 0, 1.0, factor)
        return factor[st.parent]

    def _present(self, s: int, rows, group, n_groups, columns) -> np.ndarray:
        """(H_s, K) True where a stratum of stage s has rows in the estimate's subset."""
        st = self.stages[s]
        H = st.n_strata
        if group is None:
            present = (np.bincount(st.row_stratum[rows], minlength=H) > 0).reshape(H, 1)
        else:
            ok = rows & (group >= 0)
            present = (np.bincount(st.row_stratum[ok] * n_groups + group[ok], minlength=H * n_groups) > 0
                       ).reshape(H, n_groups)
        return present if columns is None else present[:, columns]

    def totals_variance(self, totals: np.ndarray, rows: np.ndarray, group: np.ndarray | None = None,
                        n_groups: int = 1, columns: np.ndarray | None = None) -> np.ndarray:
        """Variance of each column of unit totals (U, K) -> (K,), summed over the stages."""
        K = totals.shape[1]
        v = np.zeros(K)
        for s in range(self.n_stages):
            centred, weight = self._stage_parts(s, totals)
            factor = self._average(s, self._present(s, rows, group, n_groups, columns))
            if factor is None:
                v += np.einsum("c,ck,ck->k", weight, centred, centred)
            else:   # NaN (R: NA) where a cluster above has strata but none with a variance
                per_cluster = weight[:, None] * centred * centred
                per_stratum = np.add.reduceat(per_cluster, self.stages[s].stratum_start, axis=0)
                v += (per_stratum * factor).sum(axis=0)
        return v

    def totals_covariance(self, totals: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Covariance matrix of the columns of unit totals (U, K) -> (K, K), estimates on ``rows``."""
        K = totals.shape[1]
        v = np.zeros((K, K))
        for s in range(self.n_stages):
            centred, weight = self._stage_parts(s, totals)
            factor = self._average(s, self._present(s, rows, None, 1, None))
            if factor is not None:
                weight = weight * factor[self.stages[s].cluster_stratum, 0]
            v += (centred * weight[:, None]).T @ centred
        return v

    def variance(self, infl: np.ndarray, rows: np.ndarray, group: np.ndarray | None = None,
                 n_groups: int = 1) -> np.ndarray:
        """Variance of one estimator per domain.  Without calibration or "average" lonely units,
        from the (cluster, domain) pairs that have rows (:meth:`_sparse_variance`); else from
        the unit x domain totals, in chunks of domains as TaylorVariance.variance."""
        if not self.calibration and not any(self._na_strata(s).any() for s in range(self.n_stages)):
            g = np.zeros(len(infl), dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
            return self._sparse_variance(infl, g, n_groups)
        if group is None:
            return self.totals_variance(self.totals(infl), rows)
        step = max(1, _CELLS // max(self.n_units, 1))
        out = np.empty(n_groups)
        for start in range(0, n_groups, step):
            stop = min(start + step, n_groups)
            local = np.where((group >= start) & (group < stop), group - start, -1)
            out[start:stop] = self.totals_variance(self.totals(infl, local, stop - start), rows,
                                                   local, stop - start)
        return out

