"""Taylor-linearisation variance: R's ``svyrecvar`` for one-stage designs.

An estimator is represented by its influence values (Binder 1983; Lumley 2010,
*Complex Surveys*, ch. 3 and appendix A): one number per row, zero for rows
outside the domain or missing.  Its variance is the between-PSU variance of the
influence totals within strata - the with-replacement (ultimate cluster)
estimator of Lohr, *Sampling*, ch. 6 and 9, with the fpc when given:

    V = sum_h (1 - f_h) n_h / (n_h - 1) sum_i (z_hi - zbar_h)^2

with z_hi the PSU totals.  Lonely PSUs follow R's ``onestrat``/``onestage``
(survey 4.1): "adjust" leaves a lonely PSU's total uncentred, "remove" centres
it (contributing zero), "average" drops the stratum and multiplies the sum by
(strata present) / (strata with a variance).  Strata whose PSUs were all
sampled (1 - f_h below 1e-7, R's test) contribute zero.  Everything is vectorised over PSUs with
``np.bincount`` and ``np.add.reduceat``; only the columns loop (levels, small).

A calibrated design (post-stratified or raked) first replaces the influence values by
their calibration residuals, as R's ``svyrecvar`` does: :mod:`analysis.estimation.calibration`.
"""

from __future__ import annotations

import numpy as np

from analysis.estimation.calibration import Reduced
from analysis.estimation.design import _CERTAINTY, SurveyDesign, dense, distinct_count

_CELLS = 4_000_000  # PSU x domain totals held at once by domain_variances


def psu_totals(d: SurveyDesign, infl: np.ndarray, group: np.ndarray | None = None,
               n_groups: int = 1) -> np.ndarray:
    """Totals of influence values per PSU: (P, n_groups).

    ``infl`` holds one value per row; ``group`` (codes 0..n_groups-1, -1 = none)
    sends each row's value to one column, so many domains cost one bincount.
    """
    n_psu = len(d._psu_stratum)
    infl = np.asarray(infl, dtype=float)
    if group is None:
        totals = np.bincount(d._psu, weights=infl, minlength=n_psu).reshape(n_psu, 1)
        n_groups = 1
    else:   # rows of no group go to a last, dropped cell (cheaper than selecting rows)
        ok = group >= 0
        idx = np.where(ok, d._psu * n_groups + group, n_psu * n_groups)
        totals = np.bincount(idx, weights=np.where(ok, infl, 0.0),
                             minlength=n_psu * n_groups + 1)[:-1].reshape(n_psu, n_groups)
    if not d._calibration:
        return totals
    reduced = d._reduced.get("matrices")
    if reduced is None:   # shared by the design's subsets: the calibration does not change
        reduced = d._reduced["matrices"] = Reduced(d._calibration, d._psu, n_psu)
    return reduced.adjust(totals, infl, group, n_groups)


def _stratum_parts(d: SurveyDesign, totals: np.ndarray):
    """Centred PSU totals and the per-PSU scale (1 - f) n/(n - 1)."""
    n_h = d._n_psu
    centre = ~((d._lonely == "adjust") & (n_h == 1))
    means = np.add.reduceat(totals, d._psu_start, axis=0) / n_h[:, None]
    centred = totals - (means * centre[:, None])[d._psu_stratum]
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n_h > 1, d._fpc_factor * n_h / (n_h - 1), d._fpc_factor)
    scale = np.where(d._fpc_factor < _CERTAINTY, 0.0, scale)
    return centred, scale


def _lonely_na(d: SurveyDesign) -> np.ndarray:
    """Strata whose variance R reports as NA ("average" lonely PSUs)."""
    return (d._lonely == "average") & (d._n_psu == 1) & (d._fpc_factor >= _CERTAINTY)


def _average_factor(d: SurveyDesign, present: np.ndarray) -> np.ndarray:
    """strata present / strata with a variance (R: nstrat/nokstrat); NaN when none has one."""
    na = _lonely_na(d)
    nstrat = present.sum(axis=0)
    nok = (present & ~na.reshape((-1,) + (1,) * (present.ndim - 1))).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(nok > 0, nstrat / np.maximum(nok, 1), np.nan)


def strata_present(d: SurveyDesign, rows: np.ndarray, group: np.ndarray | None = None,
                   n_groups: int = 1) -> np.ndarray:
    """(H, n_groups) True where a stratum has rows in the estimation subset."""
    n_strata = len(d._n_psu)
    if group is None:
        return (np.bincount(d._stratum[rows], minlength=n_strata) > 0).reshape(n_strata, 1)
    ok = rows & (group >= 0)
    idx = d._stratum[ok] * n_groups + group[ok]
    return (np.bincount(idx, minlength=n_strata * n_groups) > 0).reshape(n_strata, n_groups)


def variances(d: SurveyDesign, totals: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
    """Variance of each column of PSU totals (P, K) -> (K,).

    ``present`` (H, K) marks the strata each column's subset touches; it only
    matters for lonely_psu="average" (R counts strata present in the subset).
    """
    centred, scale = _stratum_parts(d, totals)
    v = (scale[d._psu_stratum, None] * centred * centred).sum(axis=0)
    if _lonely_na(d).any():
        if present is None:
            present = np.ones((len(d._n_psu), totals.shape[1]), dtype=bool)
        v = v * _average_factor(d, present)
    return v


def domain_variances(d: SurveyDesign, infl: np.ndarray, group: np.ndarray, n_groups: int,
                     rows: np.ndarray) -> np.ndarray:
    """Variance of one estimator per domain: row i's influence counts for domain group[i].

    PSU x domain totals are built by one bincount per chunk of domains, so memory
    stays near ``_CELLS`` numbers however many domains there are.  ``rows`` are
    the rows used (for the strata "average" counts as present).
    """
    n_psu = len(d._psu_stratum)
    step = max(1, _CELLS // max(n_psu, 1))
    need_present = _lonely_na(d).any()
    out = np.empty(n_groups)
    for start in range(0, n_groups, step):
        stop = min(start + step, n_groups)
        local = np.where((group >= start) & (group < stop), group - start, -1)
        present = strata_present(d, rows, local, stop - start) if need_present else None
        out[start:stop] = variances(d, psu_totals(d, infl, local, stop - start), present)
    return out


def covariance(d: SurveyDesign, totals: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
    """Covariance matrix of the columns of PSU totals (P, K) -> (K, K); ``present`` is (H,)."""
    centred, scale = _stratum_parts(d, totals)
    v = (centred * scale[d._psu_stratum, None]).T @ centred
    if _lonely_na(d).any():
        if present is None:
            present = np.ones(len(d._n_psu), dtype=bool)
        v = v * _average_factor(d, present.reshape(-1))
    return v


def subset_degf(d: SurveyDesign, rows: np.ndarray) -> int:
    """PSUs minus strata among the rows used (R's degf of a subsetted design)."""
    inset = rows & (d._w != 0)
    return distinct_count(d._psu[inset], len(d._psu_stratum)) - distinct_count(d._stratum[inset], len(d._n_psu))


def domain_degf(d: SurveyDesign, rows: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """``subset_degf`` of every domain at once: (n_groups,) integers.

    Row i counts for domain ``group[i]`` (-1 = none) when ``rows[i]``.  As R's
    ``degf.survey.design2`` on ``design[domain, ]``: distinct PSUs minus distinct
    strata among the domain's rows with a nonzero sampling weight
    (``inset <- weights(design, "sampling") != 0``).
    """
    ok = rows & (group >= 0) & (d._w != 0)
    g = group.astype(np.int64)
    n_psu, n_strata = len(d._psu_stratum), len(d._n_psu)
    psu_space, strata_space = n_groups * n_psu, n_groups * n_strata
    if psu_space <= 4 * len(g) + (1 << 20):   # presence by counting; rows not used go to a last cell
        psus = np.flatnonzero(np.bincount(np.where(ok, g * n_psu + d._psu, psu_space),
                                          minlength=psu_space + 1)[:-1]) // n_psu
        strata = np.flatnonzero(np.bincount(np.where(ok, g * n_strata + d._stratum, strata_space),
                                            minlength=strata_space + 1)[:-1]) // n_strata
    else:
        psus = dense(g[ok] * n_psu + d._psu[ok], psu_space)[0] // n_psu          # one entry per (domain, PSU)
        strata = dense(g[ok] * n_strata + d._stratum[ok], strata_space)[0] // n_strata
    return (np.bincount(psus, minlength=n_groups)
            - np.bincount(strata, minlength=n_groups)).astype(np.int64)
