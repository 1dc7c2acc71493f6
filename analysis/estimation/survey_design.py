"""A survey design: weights, strata, primary sampling units (PSUs) and fpc.

The design mirrors R's ``survey::svydesign(ids=~psu, strata=~strata,
weights=~weight, fpc=~fpc)`` for single-stage (ultimate cluster) designs, the
form described in Lumley (2010) *Complex Surveys*, ch. 2-3, and Lohr
*Sampling: Design and Analysis*, ch. 5-7.  Everything the variance estimator
needs is computed once here, as integer codes and per-stratum arrays:

* ``weights`` - sampling weights (1 for every row when none are given, as
  ``svydesign(ids=~1)``; with ``fpc`` but no weights, ``N_h / n_h`` as R does);
* stratum codes (one stratum when none are given);
* PSU codes nested in strata (every row is its own PSU when none are given),
  numbered so that the PSUs of a stratum are contiguous;
* per stratum: the number of sampled PSUs ``n_h`` and the finite population
  correction ``1 - f_h``.  ``fpc`` values <= 1 are sampling fractions, values
  > 1 population counts of PSUs in the stratum (R's rule).

``lonely_psu`` follows R's ``options(survey.lonely.psu=)``: "fail" (a stratum
with one PSU is an error), "remove" (it contributes nothing), "adjust" (its PSU
total is not centred, i.e. centred at zero, as survey 4.1 does), "average" (the
variance is scaled up by strata/ok-strata).  A design is immutable.

A design made by ``analysis.poststratify`` or ``analysis.rake`` also carries its
calibrations (``design.calibration``), which every standard error takes into account
as R's postStratify and rake designs do (see :mod:`analysis.estimation.calibration`).
``design.update(name=values)`` adds analysis variables without rebuilding the design
(R's ``update(design, ...)``).  The data is held as a shallow copy: pandas'
copy-on-write keeps later edits of the caller's DataFrame out of the design.

The estimators see a design only through :class:`analysis.estimation.variance.VarianceDesign`
(weights, subset, columns, degrees of freedom, variances of influence values), which
this class answers with its :class:`analysis.estimation.taylor.TaylorVariance`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from analysis.estimation.calibration import CalibrationFit
from analysis.estimation.codes import dense, factor_codes, first_of, units_in_groups
from analysis.estimation.taylor import TaylorVariance

LONELY_PSU_OPTIONS = ("fail", "adjust", "average", "remove")


class DesignError(ValueError):
    """The data cannot define a valid survey design (the message says where and how to fix it)."""


def _fmt(value) -> str:
    """A value as a message shows it: 'text' quoted, numbers plain."""
    return repr(value) if isinstance(value, str) else str(value)


def _rows(index: pd.Index, mask: np.ndarray, shown: int = 5) -> str:
    """'3 rows (index 4, 17, 230)' for the rows flagged in ``mask``."""
    hits = np.flatnonzero(mask)
    labels = ", ".join(_fmt(v) for v in index[hits[:shown]])
    more = ", ..." if len(hits) > shown else ""
    noun = "row" if len(hits) == 1 else "rows"
    return f"{len(hits)} {noun} (index {labels}{more})"


class SurveyDesign:
    """A single-stage stratified cluster design, as R's ``svydesign``.

    ``weights``, ``strata``, ``psu`` and ``fpc`` are column names of ``df`` or
    None.  ``nest=True`` makes PSU ids unique within strata (R's ``nest=TRUE``);
    without it the same PSU id in two strata is an error.  Implements
    :class:`analysis.estimation.variance.VarianceDesign`.
    """

    __slots__ = ("_data", "_columns", "_w", "_strata_labels", "_taylor", "_domain", "_degf", "__weakref__")

    def __init__(self, df: pd.DataFrame, weights: str | None = None, strata: str | None = None,
                 psu: str | None = None, fpc: str | None = None, lonely_psu: str = "fail",
                 nest: bool = False):
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"df must be a pandas DataFrame, not {type(df).__name__}")
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise ValueError(f"lonely_psu must be one of {LONELY_PSU_OPTIONS}, not {lonely_psu!r}")
        for role, col in (("weights", weights), ("strata", strata), ("psu", psu), ("fpc", fpc)):
            if col is not None and col not in df.columns:
                raise DesignError(f"{role} column {col!r} is not in the data; columns are {list(df.columns)}")
        if len(df) == 0:
            raise DesignError("The data has no rows, so there is nothing to estimate; "
                              "collect or load responses first.")
        n = len(df)
        self._data = df.copy(deep=False)
        self._columns = {"weights": weights, "strata": strata, "psu": psu, "fpc": fpc, "nest": nest}

        stratum, self._strata_labels = self._stratum_codes(df, strata)
        psu_key = self._psu_key(df, psu, strata, stratum, nest)
        # PSU codes sorted by (stratum, psu): the PSUs of a stratum are contiguous.
        n_strata = len(self._strata_labels)
        psu_code, psu_stratum = units_in_groups(stratum, psu_key, n_strata)
        n_psu = np.bincount(psu_stratum, minlength=n_strata)
        popsize = self._popsize(df, fpc, strata, stratum, n_psu)
        fpc_factor = np.ones(n_strata) if popsize is None else np.where(
            np.isinf(popsize), 1.0, (popsize - n_psu) / popsize)
        if weights is None:
            w = np.ones(n) if popsize is None else (popsize / n_psu)[stratum]
        else:
            w = self._weights(df, weights)
        self._taylor = TaylorVariance(stratum, psu_code, psu_stratum, n_psu, fpc_factor, lonely_psu)
        self._check_lonely(df, strata)
        self._w = w
        self._domain = np.ones(n, dtype=bool)
        for arr in (self._w, self._domain):
            arr.flags.writeable = False
        self._degf = self._count_degf()

    # ---- construction checks -------------------------------------------------
    @staticmethod
    def _stratum_codes(df, strata):
        if strata is None:
            return np.zeros(len(df), dtype=np.int64), pd.Index(["(all)"])
        col = df[strata]
        missing = col.isna().to_numpy()
        if missing.any():
            raise DesignError(
                f"Strata column {strata!r} is missing for {_rows(df.index, missing)}; every row needs "
                "a stratum - fill it in or drop those rows before building the design.")
        return factor_codes(col)

    @staticmethod
    def _psu_key(df, psu, strata, stratum, nest):
        if psu is None:
            return np.arange(len(df), dtype=np.int64)
        col = df[psu]
        missing = col.isna().to_numpy()
        if missing.any():
            raise DesignError(
                f"PSU column {psu!r} is missing for {_rows(df.index, missing)}; every row needs a PSU "
                "id - fill it in or drop those rows before building the design.")
        key, labels = factor_codes(col)
        if strata is None:
            return key
        n_strata = int(stratum.max()) + 1
        if (stratum == first_of(key, len(labels), stratum)[key]).all():   # each PSU in one stratum
            return key
        pairs, nested = dense(key * n_strata + stratum, max(len(labels), 1) * n_strata)
        spread = np.bincount(pairs // n_strata, minlength=len(labels))
        if nest:
            return nested
        if (spread > 1).any():
            bad = np.flatnonzero(spread > 1)
            ids = ", ".join(_fmt(labels[i]) for i in bad[:5])
            raise DesignError(
                f"PSU id(s) {ids} appear in more than one stratum of {strata!r} "
                f"({_rows(df.index, np.isin(key, bad))}). PSU ids must be nested in strata: "
                "fix the ids, or pass nest=True if the same id in different strata means different PSUs.")
        return key

    def _popsize(self, df, fpc, strata, stratum, n_psu):
        """Population number of PSUs per stratum (None without fpc), checked as R's as.fpc."""
        if fpc is None:
            return None
        col = df[fpc]
        if not ptypes.is_numeric_dtype(col.dtype) or ptypes.is_bool_dtype(col.dtype):
            raise DesignError(f"fpc column {fpc!r} must be numeric, not {col.dtype}.")
        val = col.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(val) | (val < 0)
        if bad.any():
            raise DesignError(
                f"fpc column {fpc!r} is missing, negative or not finite for {_rows(df.index, bad)}; "
                "give a sampling fraction (<= 1) or the number of PSUs in the stratum's population.")
        n_h = n_psu[stratum]
        if (val > 1).any():  # population sizes: all must be >= 1
            small = val < 1
            if small.any():
                raise DesignError(
                    f"fpc column {fpc!r} mixes population sizes (> 1) with sampling fractions (< 1): "
                    f"{_rows(df.index, small)} are below 1. Use one convention for every row.")
            pop = val
        else:
            with np.errstate(divide="ignore"):
                pop = n_h / val
        where = f" of {strata!r}" if strata else ""
        per_stratum = pd.Series(pop).groupby(stratum).nunique()
        if (per_stratum > 1).any():
            h = int(per_stratum.index[np.argmax(per_stratum.to_numpy() > 1)])
            raise DesignError(
                f"fpc column {fpc!r} is not constant within stratum {_fmt(self._strata_labels[h])}{where} "
                f"({_rows(df.index, stratum == h)}); the fpc describes the whole stratum, so give "
                "every row of a stratum the same value.")
        too_big = pop < n_h
        if too_big.any():
            h = int(stratum[np.argmax(too_big)])
            raise DesignError(
                f"fpc column {fpc!r} implies more than 100% sampling in stratum "
                f"{_fmt(self._strata_labels[h])}{where}: the population has fewer PSUs ({pop[too_big][0]:g}) "
                f"than the sample ({n_psu[h]}) - {_rows(df.index, too_big)}. Check the fpc values.")
        out = np.empty(len(n_psu))
        out[stratum] = pop
        return out

    @staticmethod
    def _weights(df, weights):
        col = df[weights]
        if not ptypes.is_numeric_dtype(col.dtype) or ptypes.is_bool_dtype(col.dtype):
            raise DesignError(f"Weights column {weights!r} must be numeric, not {col.dtype}.")
        w = np.array(col.to_numpy(dtype=float, na_value=np.nan), copy=True)  # never a view of df
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            raise DesignError(
                f"Weights column {weights!r} is missing, negative or not finite for "
                f"{_rows(df.index, bad)}; weights must be finite numbers >= 0 - fix or drop those rows.")
        return w

    def _check_lonely(self, df, strata):
        lonely = self._taylor.lonely_strata()
        if self._taylor.lonely_psu != "fail" or not lonely.any():
            return
        rows = _rows(df.index, np.isin(self._taylor.stratum, np.flatnonzero(lonely)))
        if strata is None:
            raise DesignError(f"The design has only one PSU ({rows}), so no variance can be "
                              "estimated; give a PSU column with at least two PSUs.")
        names = ", ".join(_fmt(self._strata_labels[h]) for h in np.flatnonzero(lonely)[:5])
        raise DesignError(
            f"Stratum {names} of {strata!r} has only one PSU ({rows}), so its variance cannot be "
            "estimated. Pass lonely_psu='adjust', 'average' or 'remove' (as R's "
            "survey.lonely.psu), or merge the stratum with a similar one.")

    def _count_degf(self) -> int:
        return int(self.domain_degf(self._domain)[0])

    # ---- public surface --------------------------------------------------------
    @property
    def data(self) -> pd.DataFrame:
        """The data the design was built from (a copy; editing it does not change the design)."""
        return self._data.copy(deep=False)

    @property
    def weights(self) -> np.ndarray:
        """Sampling weights, one per row (read-only)."""
        return self._w

    @property
    def degf(self) -> int:
        """Design degrees of freedom, PSUs minus strata (R's ``degf``), counted within the subset."""
        return self._degf

    @property
    def lonely_psu(self) -> str:
        return self._taylor.lonely_psu

    @property
    def columns(self) -> dict:
        """The design columns as given: weights, strata, psu, fpc, nest."""
        return dict(self._columns)

    @property
    def in_subset(self) -> np.ndarray:
        """Boolean per row: True for rows in the (sub)population being analysed."""
        return self._domain

    @property
    def calibration(self) -> tuple[CalibrationFit, ...]:
        """The calibrations the weights went through, oldest first (empty: none)."""
        return self._taylor.calibration

    @property
    def column_names(self) -> pd.Index:
        """The names of the data's columns."""
        return self._data.columns

    def column(self, name: str) -> pd.Series:
        """One column of the data (no copy of the others; copy-on-write keeps the design's safe)."""
        return self._data[name]

    # ---- variance (VarianceDesign), by Taylor linearisation ----------------------
    def domain_degf(self, rows: np.ndarray, group: np.ndarray | None = None, n_groups: int = 1) -> np.ndarray:
        """PSUs minus strata among the rows of each domain with nonzero weight (R's ``degf``)."""
        return self._taylor.degf(self._w, rows, group, n_groups)

    def variance(self, infl: np.ndarray, rows: np.ndarray, group: np.ndarray | None = None,
                 n_groups: int = 1) -> np.ndarray:
        """Variance of one estimator per domain from its influence values (``VarianceDesign``)."""
        return self._taylor.variance(infl, rows, group, n_groups)

    def totals(self, infl: np.ndarray, group: np.ndarray | None = None, n_groups: int = 1) -> np.ndarray:
        """PSU totals (P, n_groups) of influence values, calibration residuals taken."""
        return self._taylor.totals(infl, group, n_groups)

    def totals_variance(self, totals: np.ndarray, rows: np.ndarray, group: np.ndarray | None = None,
                        n_groups: int = 1, columns: np.ndarray | None = None) -> np.ndarray:
        """Variances of the columns of PSU totals (``VarianceDesign.totals_variance``)."""
        return self._taylor.totals_variance(totals, rows, group, n_groups, columns)

    def totals_covariance(self, totals: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Covariance matrix of the columns of PSU totals, estimates on ``rows``."""
        return self._taylor.totals_covariance(totals, rows)

    # ---- new designs from this one ----------------------------------------------
    def _copy(self) -> "SurveyDesign":
        new = object.__new__(SurveyDesign)
        for name in self.__slots__:
            if name != "__weakref__":
                setattr(new, name, getattr(self, name))
        return new

    def update(self, **columns) -> "SurveyDesign":
        """The design with analysis variables added or replaced (R's ``update(design, ...)``).

        Values are arrays or Series of one value per row (a Series by position); the
        design's own columns (weights, strata, PSU, fpc) cannot be replaced this way.
        """
        fixed = {c for c in self._columns.values() if isinstance(c, str)}
        clash = sorted(fixed & set(columns))
        if clash:
            raise ValueError(f"update() cannot replace the design columns {clash}; build a new design.")
        added = {}
        for name, values in columns.items():
            values = values.to_numpy() if isinstance(values, pd.Series) else values
            if len(values) != len(self._w):
                raise ValueError(f"update(): {name!r} has {len(values)} values; the design has {len(self._w)} rows")
            added[name] = values
        new = self._copy()
        new._data = self._data.assign(**added)
        return new

    def calibrated(self, weights: np.ndarray, calibration: CalibrationFit, column: str) -> "SurveyDesign":
        """The design with calibrated weights (stored in ``column``) and one more calibration
        (made by :func:`analysis.poststratify` and :func:`analysis.rake`)."""
        new = self._copy()
        w = np.array(weights, dtype=float)
        w.flags.writeable = False
        new._w = w
        new._data = self._data.assign(**{column: w})
        new._columns = {**self._columns, "weights": column}
        new._taylor = self._taylor.calibrated(calibration)
        new._degf = new._count_degf()
        return new

    def subset(self, mask) -> "SurveyDesign":
        """The design restricted to a subpopulation (R's ``subset(design, ...)``).

        Estimates use only rows where ``mask`` is True; the variance keeps the
        whole design (rows outside contribute zero), as domain estimation must.
        """
        mask = np.asarray(mask, dtype=bool).reshape(-1)
        if mask.shape != self._domain.shape:
            raise ValueError(f"mask has {mask.size} values; the design has {self._domain.size} rows")
        new = self._copy()
        new._domain = self._domain & mask
        new._domain.flags.writeable = False
        new._degf = new._count_degf()
        return new

    def __len__(self) -> int:
        return len(self._w)

    def __repr__(self) -> str:
        c, t = self._columns, self._taylor
        return (f"SurveyDesign(n={len(self)}, strata={t.n_strata}, psus={t.n_psus}, "
                f"degf={self.degf}, weights={c['weights']!r}, strata_col={c['strata']!r}, "
                f"psu={c['psu']!r}, fpc={c['fpc']!r}, lonely_psu={t.lonely_psu!r}"
                + "".join(f", {cal.method}={list(cal.variables)}" for cal in t.calibration) + ")")
