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

:class:`TaylorVariance` holds a design's strata and PSUs; ``SurveyDesign`` builds one
and answers the :class:`analysis.estimation.variance.VarianceDesign` methods with it.
Degrees of freedom (PSUs minus strata) are counted here too, in :meth:`TaylorVariance.degf`.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from analysis.estimation.calibration import CalibrationFit, Reduced
from analysis.estimation.codes import dense

CERTAINTY = 1e-7  # R: a stratum with 1 - f_h below this is self-representing
_CELLS = 4_000_000  # PSU x domain totals held at once by TaylorVariance.variance


class TaylorVariance:
    """The strata, PSUs, fpc and calibrations of a single-stage design, and its variances.

    ``stratum`` and ``psu`` are per-row codes; PSUs are numbered so that those of a
    stratum are contiguous (``psu_stratum`` is sorted).  The arrays are read-only and
    shared by every subset of the design.
    """

    def __init__(self, stratum: np.ndarray, psu: np.ndarray, psu_stratum: np.ndarray,
                 n_psu: np.ndarray, fpc_factor: np.ndarray, lonely_psu: str,
                 calibration: tuple[CalibrationFit, ...] = ()):
        self.stratum = stratum            # (n,) stratum code of each row
        self.psu = psu                    # (n,) PSU code of each row
        self.psu_stratum = psu_stratum    # (P,) stratum of each PSU
        self.n_psu = n_psu                # (H,) sampled PSUs per stratum
        self.psu_start = np.concatenate([[0], np.cumsum(n_psu)[:-1]])   # first PSU of each stratum
        self.fpc_factor = fpc_factor      # (H,) 1 - f_h
        self.lonely_psu = lonely_psu
        self.calibration = calibration
        for arr in (stratum, psu, psu_stratum, n_psu, self.psu_start, fpc_factor):
            arr.flags.writeable = False
        # rows sorted by PSU (survey files usually are): PSU totals by np.add.reduceat over row
        # runs, several times faster than a bincount
        self._psu_runs = (np.concatenate([[0], np.flatnonzero(psu[1:] != psu[:-1]) + 1])
                          if len(psu) and (psu[1:] >= psu[:-1]).all() else None)

    @property
    def n_strata(self) -> int:
        return len(self.n_psu)

    @property
    def n_psus(self) -> int:
        return len(self.psu_stratum)

    def calibrated(self, calibration: CalibrationFit) -> "TaylorVariance":
        """The same strata and PSUs with one more calibration."""
        return TaylorVariance(self.stratum, self.psu, self.psu_stratum, self.n_psu, self.fpc_factor,
                              self.lonely_psu, (*self.calibration, calibration))

    def lonely_strata(self) -> np.ndarray:
        """(H,) strata with one PSU whose variance is not zero by the fpc (R's lonely PSUs)."""
        return (self.n_psu == 1) & (self.fpc_factor >= CERTAINTY)

    @cached_property
    def _reduced(self) -> Reduced:
        """The calibrations' design-only matrices, computed at the first calibrated variance."""
        return Reduced(self.calibration, self.psu, self.n_psus)

    # ---- totals and their variances -------------------------------------------
    def totals(self, infl: np.ndarray, group: np.ndarray | None = None, n_groups: int = 1) -> np.ndarray:
        """Totals of influence values per PSU: (P, n_groups), after the calibration residuals.

        ``infl`` holds one value per row; ``group`` (codes 0..n_groups-1, -1 = none)
        sends each row's value to one column, so many domains cost one bincount.
        """
        n_psu = self.n_psus
        infl = np.asarray(infl, dtype=float)
        if group is None and self._psu_runs is not None and len(self._psu_runs) == n_psu:
            totals = np.add.reduceat(infl, self._psu_runs).reshape(n_psu, 1)
            n_groups = 1
        elif group is None:
            totals = np.bincount(self.psu, weights=infl, minlength=n_psu).reshape(n_psu, 1)
            n_groups = 1
        else:   # rows of no group go to a last, dropped cell (cheaper than selecting rows)
            ok = group >= 0
            idx = np.where(ok, self.psu * n_groups + group, n_psu * n_groups)
            totals = np.bincount(idx, weights=np.where(ok, infl, 0.0),
                                 minlength=n_psu * n_groups + 1)[:-1].reshape(n_psu, n_groups)
        if not self.calibration:
            return totals
        return self._reduced.adjust(totals, infl, group, n_groups)

    def totals_variance(self, totals: np.ndarray, rows: np.ndarray, group: np.ndarray | None = None,
                        n_groups: int = 1, columns: np.ndarray | None = None) -> np.ndarray:
        """Variance of each column of PSU totals (P, K) -> (K,).

        The rows, domains and ``columns`` say which subset each column is an estimate
        on (see ``VarianceDesign.totals_variance``); they only matter for
        lonely_psu="average", where R counts the strata present in the subset.
        """
        centred, scale = self._stratum_parts(totals)
        v = (scale[self.psu_stratum, None] * centred * centred).sum(axis=0)
        if self._lonely_na().any():
            present = self.strata_present(rows, group, n_groups)
            v = v * self._average_factor(present if columns is None else present[:, columns])
        return v

    def totals_covariance(self, totals: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Covariance matrix of the columns of PSU totals (P, K) -> (K, K), estimates on ``rows``."""
        centred, scale = self._stratum_parts(totals)
        v = (centred * scale[self.psu_stratum, None]).T @ centred
        if self._lonely_na().any():
            v = v * self._average_factor(self.strata_present(rows)[:, 0])
        return v

    def variance(self, infl: np.ndarray, rows: np.ndarray, group: np.ndarray | None = None,
                 n_groups: int = 1) -> np.ndarray:
        """Variance of one estimator per domain: row i's influence counts for domain group[i].

        PSU x domain totals are built by one bincount per chunk of domains, so memory
        stays near ``_CELLS`` numbers however many domains there are.
        """
        if group is None:
            return self.totals_variance(self.totals(infl), rows)
        step = max(1, _CELLS // max(self.n_psus, 1))
        if step >= n_groups:    # one chunk: the domains as they are
            return self.totals_variance(self.totals(infl, group, n_groups), rows, group, n_groups)
        out = np.empty(n_groups)
        for start in range(0, n_groups, step):
            stop = min(start + step, n_groups)
            local = np.where((group >= start) & (group < stop), group - start, -1)
            out[start:stop] = self.totals_variance(self.totals(infl, local, stop - start), rows,
                                                   local, stop - start)
        return out

    def _stratum_parts(self, totals: np.ndarray):
        """Centred PSU totals and the per-stratum scale (1 - f) n/(n - 1)."""
        n_h = self.n_psu
        centre = ~((self.lonely_psu == "adjust") & (n_h == 1))
        means = np.add.reduceat(totals, self.psu_start, axis=0) / n_h[:, None]
        centred = totals - (means * centre[:, None])[self.psu_stratum]
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n_h > 1, self.fpc_factor * n_h / (n_h - 1), self.fpc_factor)
        scale = np.where(self.fpc_factor < CERTAINTY, 0.0, scale)
        return centred, scale

    def _lonely_na(self) -> np.ndarray:
        """Strata whose variance R reports as NA ("average" lonely PSUs)."""
        return (self.lonely_psu == "average") & self.lonely_strata()

    def _average_factor(self, present: np.ndarray) -> np.ndarray:
        """strata present / strata with a variance (R: nstrat/nokstrat); NaN when none has one."""
        na = self._lonely_na()
        nstrat = present.sum(axis=0)
        nok = (present & ~na.reshape((-1,) + (1,) * (present.ndim - 1))).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(nok > 0, nstrat / np.maximum(nok, 1), np.nan)

    def strata_present(self, rows: np.ndarray, group: np.ndarray | None = None,
                       n_groups: int = 1) -> np.ndarray:
        """(H, n_groups) True where a stratum has rows in the estimation subset (of each domain)."""
        n_strata = self.n_strata
        if group is None:
            return (np.bincount(self.stratum[rows], minlength=n_strata) > 0).reshape(n_strata, 1)
        ok = rows & (group >= 0)
        idx = self.stratum[ok] * n_groups + group[ok]
        return (np.bincount(idx, minlength=n_strata * n_groups) > 0).reshape(n_strata, n_groups)

    # ---- degrees of freedom ----------------------------------------------------
    def degf(self, weights: np.ndarray, rows: np.ndarray, group: np.ndarray | None = None,
             n_groups: int = 1) -> np.ndarray:
        """Design degrees of freedom of the rows used, per domain: (n_groups,) integers.

        Row i counts for domain ``group[i]`` (-1 = none; no group: one domain) when
        ``rows[i]``.  As R's ``degf.survey.design2`` on ``design[domain, ]``: distinct
        PSUs minus distinct strata among the domain's rows with a nonzero sampling
        weight (``inset <- weights(design, "sampling") != 0``).
        """
        ok = rows & (weights != 0)
        n_psu, n_strata = self.n_psus, self.n_strata
        if group is None:   # one domain: count the PSUs and strata present
            return np.array([np.count_nonzero(np.bincount(self.psu[ok], minlength=n_psu))
                             - np.count_nonzero(np.bincount(self.stratum[ok], minlength=n_strata))])
        ok &= group >= 0
        g = group.astype(np.int64)
        psu_space, strata_space = n_groups * n_psu, n_groups * n_strata
        if psu_space <= 4 * len(g) + (1 << 20):   # presence by counting; rows not used go to a last cell
            psus = np.flatnonzero(np.bincount(np.where(ok, g * n_psu + self.psu, psu_space),
                                              minlength=psu_space + 1)[:-1]) // n_psu
            strata = np.flatnonzero(np.bincount(np.where(ok, g * n_strata + self.stratum, strata_space),
                                                minlength=strata_space + 1)[:-1]) // n_strata
        else:
            psus = dense(g[ok] * n_psu + self.psu[ok], psu_space)[0] // n_psu      # one entry per (domain, PSU)
            strata = dense(g[ok] * n_strata + self.stratum[ok], strata_space)[0] // n_strata
        return (np.bincount(psus, minlength=n_groups)
                - np.bincount(strata, minlength=n_groups)).astype(np.int64)
