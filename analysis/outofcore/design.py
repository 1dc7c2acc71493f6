"""A survey design over a table that stays in its engine: :class:`OutOfCoreDesign`.

The table is an Ibis table expression (Parquet read by DuckDB, or by Spark, or any Ibis
backend).  Every estimator's row-level work is a group sum to PSU level, pushed down to
the engine as one aggregation (:meth:`OutOfCoreDesign.psu_sums`); only the PSU-level
result (PSUs x domains x a few sums) comes back.  The variance is then the Taylor
(ultimate-cluster) estimator of :class:`analysis.estimation.taylor.TaylorVariance` on
those PSU totals - the same code as the in-memory ``SurveyDesign``, with each PSU as
one "row" (Binder 1983; Lumley 2010, *Complex Surveys*, ch. 3):

    V = sum_h (1 - f_h) n_h / (n_h - 1) sum_i (z_hi - zbar_h)^2

Supported: weights, strata and PSUs (an id counts within its stratum, as nest=TRUE), an
fpc (as R: values <= 1 are sampling fractions, > 1 population numbers of PSUs, constant
within a stratum), lonely_psu "fail", "adjust" or "remove".  Not (yet) here: GREG
calibration, lonely_psu="average", subsets.

Two stages and post-stratification (:meth:`OutOfCoreDesign.influence_variance`, the
app's household design): ``ssu``/``fpc2`` add R's second stage (``id=~psu+ssu,
fpc=~N1+N2``, :mod:`analysis.estimation.multistage`) and ``poststrata`` the residuals of
a post-stratification on those columns (:mod:`analysis.estimation.calibration`), or with
``raking`` those of a raking on them as margins (:mod:`analysis.outofcore.calibration`); see
:mod:`analysis.outofcore.stages`.
"""

from __future__ import annotations

from functools import cached_property

import ibis
import numpy as np
import pandas as pd

from analysis.estimation.survey_design import DesignError
from analysis.estimation.taylor import TaylorVariance

LONELY_PSU_OPTIONS = ("fail", "adjust", "remove")


class OutOfCoreDesign:
    """Weights, strata and PSU columns of an Ibis table (R's ``svydesign(ids=~psu,
    strata=~strata, weights=~weights)``); the rows never leave the engine."""

    def __init__(self, table: ibis.Table, weights: str, strata: str | None, psu: str,
                 fpc: str | None = None, lonely_psu: str = "fail", ssu: str | None = None,
                 fpc2: str | None = None, poststrata: list[str] | tuple = (), raking=None):
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise ValueError(f"lonely_psu must be one of {LONELY_PSU_OPTIONS}, not {lonely_psu!r}")
        if fpc2 is not None and (ssu is None or fpc is None):
            raise DesignError("fpc2 needs ssu and fpc: R's recursion needs every stage's fpc (fpc=~N1+N2).")
        roles = [("weights", weights), ("strata", strata), ("psu", psu), ("fpc", fpc), ("ssu", ssu),
                 ("fpc2", fpc2), *(("poststrata", c) for c in poststrata)]
        for role, col in roles:
            if col is not None and col not in table.columns:
                raise DesignError(f"{role} column {col!r} is not in the data; columns are {list(table.columns)}")
        self.table = table
        self.weights, self.strata, self.psu, self.fpc = weights, strata, psu, fpc
        self.ssu, self.fpc2, self.poststrata = ssu, fpc2, tuple(poststrata)
        self.raking = raking   # a calibration.Raking: the poststrata are its margins, raked (not post-strata)
        self.lonely_psu = lonely_psu
        self._check_lonely()

    # ---- the PSUs, from one aggregation ----------------------------------------------
    @cached_property
    def psus(self) -> pd.DataFrame:
        """One row per PSU, sorted by (stratum, psu): stratum, psu, code (0..P-1), rows,
        nonzero (rows with a nonzero weight), stratum_code."""
        t = self.table
        keys = self._keys(t)
        sums = {"rows": t.count(), "nonzero": t.count(where=t[self.weights] != 0)}
        if self.fpc is not None:
            fpc = t[self.fpc].cast("float64")
            sums.update(fpc_lo=fpc.min(), fpc_hi=fpc.max(), fpc_missing=t.count(where=fpc.isnull()))
        if self.fpc2 is not None:
            fpc2 = t[self.fpc2].cast("float64")
            sums.update(fpc2_lo=fpc2.min(), fpc2_hi=fpc2.max(), fpc2_missing=t.count(where=fpc2.isnull()))
        out = t.group_by(keys).aggregate(**sums)
        psus = out.to_pandas()
        if psus["_psu"].isna().any() or psus["_stratum"].isna().any():
            raise DesignError("Some rows have no stratum or PSU; every row needs both.")
        psus = psus.sort_values(["_stratum", "_psu"], ignore_index=True)
        psus["stratum_code"] = pd.factorize(psus["_stratum"], sort=True)[0]
        psus["code"] = np.arange(len(psus))
        return psus

    def _keys(self, t: ibis.Table) -> list:
        stratum = ibis.literal(0) if self.strata is None else t[self.strata]
        return [stratum.name("_stratum"), t[self.psu].name("_psu")]

    @cached_property
    def taylor(self) -> TaylorVariance:
        """The in-memory Taylor variance over PSUs (each PSU one 'row' of its own)."""
        codes = self.psus["stratum_code"].to_numpy(np.int64)
        n_psu = np.bincount(codes)
        return TaylorVariance(codes, np.arange(len(codes)), codes, n_psu, self._fpc_factor(n_psu), self.lonely_psu)

    def _fpc_factor(self, n_psu: np.ndarray) -> np.ndarray:
        """(H,) 1 - f_h, from the fpc column as R's as.fpc (and the in-memory design) read it."""
        if self.fpc is None:
            return np.ones(len(n_psu))
        psus = self.psus
        lo, hi = psus["fpc_lo"].to_numpy(float), psus["fpc_hi"].to_numpy(float)
        if psus["fpc_missing"].sum() or not (np.isfinite(lo).all() and (lo >= 0).all()):
            raise DesignError(f"fpc column {self.fpc!r} is missing, negative or not finite in some rows; give a "
                              "sampling fraction (<= 1) or the number of PSUs in the stratum's population.")
        codes = psus["stratum_code"].to_numpy()
        lo_h, hi_h = np.full(len(n_psu), np.inf), np.full(len(n_psu), -np.inf)
        np.minimum.at(lo_h, codes, lo)
        np.maximum.at(hi_h, codes, hi)
        if (lo_h != hi_h).any():
            raise DesignError(f"fpc column {self.fpc!r} is not constant within a stratum; the fpc describes "
                              "the whole stratum, so give every row of a stratum the same value.")
        if (hi_h > 1).any():
            if (lo_h < 1).any():
                raise DesignError(f"fpc column {self.fpc!r} mixes population sizes (> 1) with sampling "
                                  "fractions (< 1). Use one convention for every row.")
            pop = hi_h
        else:
            with np.errstate(divide="ignore"):
                pop = n_psu / hi_h
        if (pop < n_psu).any():
            raise DesignError(f"fpc column {self.fpc!r} implies more than 100% sampling in a stratum.")
        return np.where(np.isinf(pop), 1.0, (pop - n_psu) / pop)

    def _check_lonely(self):
        if self.lonely_psu != "fail":
            return
        lonely = np.flatnonzero(self.taylor.lonely_strata())
        if len(lonely):
            names = self.psus.drop_duplicates("stratum_code").set_index("stratum_code").loc[lonely[:5], "_stratum"]
            raise DesignError(f"Stratum {', '.join(map(str, names))} has only one PSU, so its variance cannot "
                              "be estimated. Pass lonely_psu='adjust' or 'remove' (as R's survey.lonely.psu).")

    @property
    def n_psus(self) -> int:
        return len(self.psus)

    @cached_property
    def degf(self) -> int:
        """PSUs minus strata among rows with a nonzero weight (R's ``degf``)."""
        return self.degf_of(self.psus["nonzero"].to_numpy())

    def degf_of(self, nonzero: np.ndarray) -> int:
        """degf of the rows counted in ``nonzero`` (one count per PSU, in PSU order)."""
        used = nonzero > 0
        return int(used.sum() - len(np.unique(self.psus["stratum_code"].to_numpy()[used])))

    # ---- group sums to PSU level ------------------------------------------------------
    def psu_frame(self, sums: dict, by: list[str] | tuple = (), where=None) -> pd.DataFrame:
        """Sums per PSU and domain as the engine returns them: one row per (PSU, ``by``
        values present, nulls included), with the PSU's ``code`` (0..P-1).

        ``sums`` maps names to functions of the table giving an Ibis aggregate (e.g.
        ``lambda t: (t.weight * t.income).sum(where=t.income.notnull())``); ``where``
        (a function of the table) filters rows first.
        """
        t = self.table if where is None else self.table.filter(where(self.table))
        agg = t.group_by([*self._keys(t), *(t[b] for b in by)]).aggregate(
            **{name: fn(t) for name, fn in sums.items()})
        frame = agg.to_pandas()
        frame["code"] = pd.MultiIndex.from_frame(self.psus[["_stratum", "_psu"]]).get_indexer(
            pd.MultiIndex.from_frame(frame[["_stratum", "_psu"]]))
        return frame

    def psu_sums(self, sums: dict, by: list[str] | tuple = (), where=None) -> tuple[dict, pd.DataFrame]:
        """Sums per PSU and domain, computed by the engine (see :meth:`psu_frame`).

        Returns ({name: (P, K) array}, domains): K = the distinct non-null combinations
        of ``by`` in sorted order (``domains`` holds them, one row each; no ``by``:
        K = 1); a PSU without rows in a domain has 0.
        """
        by = list(by)
        frame = self.psu_frame(sums, by, where)
        if by:
            frame = frame.dropna(subset=by)
            domains = frame[by].drop_duplicates().sort_values(by, ignore_index=True)
            col = pd.MultiIndex.from_frame(domains).get_indexer(pd.MultiIndex.from_frame(frame[by]))
        else:
            domains, col = pd.DataFrame(index=[0]), np.zeros(len(frame), dtype=np.int64)
        return {name: self.scatter(frame["code"].to_numpy(), col, frame[name], len(domains))
                for name in sums}, domains

    def scatter(self, psu_code: np.ndarray, column: np.ndarray, values: pd.Series, k: int) -> np.ndarray:
        """A (P, k) array with ``values`` at (psu_code, column), zeros elsewhere."""
        arr = np.zeros((self.n_psus, k))
        np.add.at(arr, (psu_code, column), values.to_numpy(dtype=float, na_value=0.0))
        return arr

    def variance(self, totals: np.ndarray) -> np.ndarray:
        """Variances of the columns of PSU totals (P, K) -> (K,)."""
        return self.taylor.totals_variance(totals, np.ones(self.n_psus, dtype=bool))

    def covariance(self, totals: np.ndarray) -> np.ndarray:
        """Covariance matrix of the columns of PSU totals (P, K) -> (K, K)."""
        return self.taylor.totals_covariance(totals, np.ones(self.n_psus, dtype=bool))

    def influence_variance(self, infl: dict) -> np.ndarray:
        """Variances (K,) of estimators from their row-level influence values: ``infl`` maps
        K names to functions of the table giving an Ibis expression per row.  Post-stratification
        residuals and the second stage as :mod:`analysis.outofcore.stages` computes them."""
        from analysis.outofcore.stages import influence_variance
        return influence_variance(self, infl)
