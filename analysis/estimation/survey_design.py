"""A survey design: weights, strata, primary sampling units (PSUs) and fpc.

The design mirrors R's ``survey::svydesign(ids=~psu, strata=~strata,
weights=~weight, fpc=~fpc)`` for single-stage (ultimate cluster) designs, the
form described in Lumley (2010) *Complex Surveys*, ch. 2-3, and Lohr
*Sampling: Design and Analysis*, ch. 5-7, and ``svydesign(ids=~psu+ssu,
fpc=~N1+N2)`` for multistage ones (lists of columns, one per stage; the variance
is R's recursion, :mod:`analysis.estimation.multistage`).  Everything the variance estimator
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

from collections.abc import Sequence

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from analysis.estimation.calibration import CalibrationFit
from analysis.estimation.codes import dense, factor_codes, first_of, units_in_groups
from analysis.estimation.multistage import MultistageVariance, nest
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


Columns = str | Sequence[str] | None


def _as_list(value: Columns, role: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    out = list(value)
    if not out or not all(isinstance(c, str) for c in out):
        raise DesignError(f"{role} must be a column name or a list of column names, one per stage, not {value!r}")
    return out


def _stage_columns(psu: Columns, strata: Columns, fpc: Columns):
    """The design columns as lists per stage (R: id=~psu+ssu, strata=~s1+s2, fpc=~N1+N2)."""
    psus, stratas, fpcs = _as_list(psu, "psu"), _as_list(strata, "strata"), _as_list(fpc, "fpc")
    stages = max(len(psus), 1)
    for role, cols in (("strata", stratas), ("fpc", fpcs)):
        if len(cols) > stages:
            raise DesignError(f"{role} gives {len(cols)} columns {cols} for a design of {stages} stage(s) "
                              f"(psu={psu!r}); give at most one column per stage.")
    return psus, stratas, fpcs


def _stage_codes(df: pd.DataFrame, col: str | None, role: str, s: int) -> np.ndarray:
    """Codes of a later stage's strata or ids (0 everywhere for no strata)."""
    if col is None:
        return np.zeros(len(df), dtype=np.int64)
    values = df[col]
    missing = values.isna().to_numpy()
    if missing.any():
        raise DesignError(
            f"{role.capitalize()} column {col!r} (stage {s + 1}) is missing for {_rows(df.index, missing)}; "
            "every row needs a value - fill it in or drop those rows before building the design.")
    return factor_codes(values)[0]


def _first_values(col: pd.Series, codes: np.ndarray, n_codes: int) -> pd.Index:
    """The value of ``col`` at the first row of each code."""
    first = np.empty(n_codes, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    return pd.Index(col.iloc[first].to_numpy())   # (not every row made a Python object first)


def _fpc_are_counts(df: pd.DataFrame, fpcs: list[str]) -> bool:
    """R's as.fpc: population sizes when any value is > 1, then every value must be >= 1."""
    values = {col: _fpc_values(df, col) for col in fpcs}
    if not any((v > 1).any() for v in values.values()):
        return False
    for col, v in values.items():
        small = v < 1
        if small.any():
            raise DesignError(
                f"fpc mixes population sizes (> 1) with sampling fractions (< 1): column {col!r} is below 1 "
                f"for {_rows(df.index, small)}. Use one convention for every stage (R: 'Must have all "
                "fpc>=1 or all fpc<=1').")
    return True


def _fpc_values(df: pd.DataFrame, fpc: str) -> np.ndarray:
    col = df[fpc]
    if not ptypes.is_numeric_dtype(col.dtype) or ptypes.is_bool_dtype(col.dtype):
        raise DesignError(f"fpc column {fpc!r} must be numeric, not {col.dtype}.")
    val = col.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(val) | (val < 0)
    if bad.any():
        raise DesignError(
            f"fpc column {fpc!r} is missing, negative or not finite for {_rows(df.index, bad)}; "
            "give a sampling fraction (<= 1) or the number of PSUs in the stratum's population.")
    return val


def _popsize(df, fpc, stratum, n_psu, labels, strata, counts: bool | None = None):
    """Population number of units per stratum (None without fpc), checked as R's as.fpc.

    ``stratum``: per-row codes; ``n_psu``: sampled units per stratum; ``strata`` names
    the strata in messages (a column, or "stage 2"); ``counts`` says whether the values
    are population sizes (None: decide from this column alone)."""
    if fpc is None:
        return None
    val = _fpc_values(df, fpc)
    n_h = n_psu[stratum]
    if counts is None:
        counts = _fpc_are_counts(df, [fpc])
    if counts:   # population sizes: all must be >= 1
        pop = val
    else:
        with np.errstate(divide="ignore"):
            pop = n_h / val
    later = bool(strata) and strata.startswith("stage ")   # a later stage: strata within the clusters above
    where = f" at {strata}" if later else (f" of {strata!r}" if strata else "")
    out = np.empty(len(n_psu))
    out[stratum] = pop   # one of each stratum's values: any row that differs makes it not constant
    # (pop is never NaN: the values are finite and n_h >= 1; a groupby nunique cost 10 ms per 300,000 rows)
    varies = pop != out[stratum]
    if varies.any():
        h = int(stratum[varies].min())
        raise DesignError(
            f"fpc column {fpc!r} is not constant within stratum {_fmt(labels[h])}{where} "
            f"({_rows(df.index, stratum == h)}); the fpc describes the whole stratum, so give "
            "every row of a stratum the same value.")
    too_big = pop < n_h
    if too_big.any():
        h = int(stratum[np.argmax(too_big)])
        raise DesignError(
            f"fpc column {fpc!r} implies more than 100% sampling in stratum "
            f"{_fmt(labels[h])}{where}: the population has fewer {'units' if later else 'PSUs'} ({pop[too_big][0]:g}) "
            f"than the sample ({n_psu[h]}) - {_rows(df.index, too_big)}. Check the fpc values.")
    return out


def updated(data: pd.DataFrame, columns: dict, fixed: set) -> pd.DataFrame:
    """``data`` with analysis variables added or replaced, as a design's ``update`` (R's
    ``update(design, ...)``): one value per row (a Series by position), never a design column."""
    clash = sorted(fixed & set(columns))
    if clash:
        raise ValueError(f"update() cannot replace the design columns {clash}; build a new design.")
    added = {}
    for name, values in columns.items():
        values = values.to_numpy() if isinstance(values, pd.Series) else values
        if len(values) != len(data):
            raise ValueError(f"update(): {name!r} has {len(values)} values; the design has {len(data)} rows")
        added[name] = values
    return data.assign(**added)


class SurveyDesign:
    """A stratified cluster design, one stage or several, as R's ``svydesign``.

    ``weights`` is a column name or None; ``strata``, ``psu`` and ``fpc`` are column names,
    or lists of one column per stage (R's ``id=~psu+ssu, strata=~s1+s2, fpc=~N1+N2``), or
    None.  ``nest=True`` makes PSU ids unique within strata (R's ``nest=TRUE``);
    without it the same PSU id in two strata is an error.  With several stages and an
    fpc for each, the variance is R's recursion over the stages
    (:mod:`analysis.estimation.multistage`); ``ultimate_cluster=True`` keeps the first
    stage only (R's ``options(survey.ultimate.cluster=TRUE)``).  Implements
    :class:`analysis.estimation.variance.VarianceDesign`.
    """

    __slots__ = ("_data", "_columns", "_w", "_strata_labels", "_taylor", "_domain", "_degf", "__weakref__")

    def __init__(self, df: pd.DataFrame, weights: str | None = None, strata: Columns = None,
                 psu: Columns = None, fpc: Columns = None, lonely_psu: str = "fail",
                 nest: bool = False, ultimate_cluster: bool = False):
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"df must be a pandas DataFrame, not {type(df).__name__}")
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise ValueError(f"lonely_psu must be one of {LONELY_PSU_OPTIONS}, not {lonely_psu!r}")
        psus, stratas, fpcs = _stage_columns(psu, strata, fpc)
        for role, cols in (("weights", [weights]), ("strata", stratas), ("psu", psus), ("fpc", fpcs)):
            for col in cols:
                if col is not None and col not in df.columns:
                    raise DesignError(f"{role} column {col!r} is not in the data; columns are {list(df.columns)}")
        if len(df) == 0:
            raise DesignError("The data has no rows, so there is nothing to estimate; "
                              "collect or load responses first.")
        n = len(df)
        self._data = df.copy(deep=False)
        self._columns = {"weights": weights, "strata": strata, "psu": psu, "fpc": fpc, "nest": nest,
                         "ultimate_cluster": ultimate_cluster}
        strata1, psu1, fpc1 = (stratas or [None])[0], (psus or [None])[0], (fpcs or [None])[0]

        stratum, self._strata_labels = self._stratum_codes(df, strata1)
        psu_key = self._psu_key(df, psu1, strata1, stratum, nest)
        # PSU codes sorted by (stratum, psu): the PSUs of a stratum are contiguous.
        n_strata = len(self._strata_labels)
        psu_code, psu_stratum = units_in_groups(stratum, psu_key, n_strata)
        n_psu = np.bincount(psu_stratum, minlength=n_strata)
        if len(psus) > 1:
            self._taylor, from_fpc = self._stages(df, stratum, psu_code, psus, stratas, fpcs, lonely_psu,
                                                  ultimate_cluster)
        else:
            popsize = _popsize(df, fpc1, stratum, n_psu, self._strata_labels, strata1)
            fpc_factor = np.ones(n_strata) if popsize is None else np.where(
                np.isinf(popsize), 1.0, (popsize - n_psu) / popsize)
            from_fpc = None if popsize is None else (popsize / n_psu)[stratum]
            self._taylor = TaylorVariance(stratum, psu_code, psu_stratum, n_psu, fpc_factor, lonely_psu)
        if weights is None:
            w = np.ones(n) if from_fpc is None else from_fpc
        else:
            w = self._weights(df, weights)
        self._check_lonely(df, strata1)
        self._w = w
        self._domain = np.ones(n, dtype=bool)
        for arr in (self._w, self._domain):
            arr.flags.writeable = False
        self._degf = self._count_degf()

    def _stages(self, df, stratum, psu_code, psus, stratas, fpcs, lonely_psu, ultimate_cluster):
        """The variance of a multistage design (R's ``svydesign(id=~psu+ssu, fpc=~N1+N2)``) and
        the weights its fpc implies (product over stages of N/n; None without fpc).

        Later stages' ids are nested in the clusters above and their strata in the clusters
        above (R's ``interaction``); stage s uses strata column min(s, len(strata)); without
        fpc, or with ``ultimate_cluster``, the variance is the first stage's (R's recursion
        needs every stage's fpc; ``options(survey.ultimate.cluster=TRUE)``)."""
        keys = [(stratum, psu_code)]
        for s, col in enumerate(psus[1:], start=1):
            strata_col = stratas[min(s, len(stratas) - 1)] if stratas else None
            keys.append((_stage_codes(df, strata_col, "strata", s), _stage_codes(df, col, "psu", s)))
        unit, stages = nest(keys)
        if fpcs:
            if len(fpcs) != len(psus):
                raise DesignError(f"fpc gives {len(fpcs)} column(s) for a design of {len(psus)} stages "
                                  f"(psu={psus}); give one fpc column per stage, as R's fpc=~N1+N2.")
            counts = _fpc_are_counts(df, fpcs)
            # a later stage's strata lie within a cluster above: name them by that cluster's id
            labels = [self._strata_labels] + [_first_values(df[col], st.row_stratum, st.n_strata)
                                              for col, st in zip(psus, stages[1:])]
            popsize = [_popsize(df, col, st.row_stratum, st.n, lab, f"stage {s + 1}", counts=counts)
                       for s, (col, st, lab) in enumerate(zip(fpcs, stages, labels))]
            from_fpc = np.prod([(p / st.n)[st.row_stratum] for p, st in zip(popsize, stages)], axis=0)
        else:
            popsize, from_fpc = [np.full(st.n_strata, np.inf) for st in stages], None
        variance = MultistageVariance(unit, stages, popsize, lonely_psu)
        if not fpcs or ultimate_cluster:
            variance = variance.first
        elif lonely_psu == "fail":
            self._check_lonely_stages(df, variance, psus)
        return variance, from_fpc

    @staticmethod
    def _check_lonely_stages(df, variance: MultistageVariance, psus):
        """R's onestrat stops on a lonely unit at any stage with survey.lonely.psu="fail"."""
        for s in range(1, variance.n_stages):
            lonely = np.flatnonzero(variance.lonely(s))
            if lonely.size:
                rows = _rows(df.index, np.isin(variance.stages[s].row_stratum, lonely))
                raise DesignError(
                    f"A {psus[s - 1]!r} unit has only one {psus[s]!r} sampled at stage {s + 1} ({rows}) and "
                    "its fpc says it is not the only one, so its variance cannot be estimated. Pass "
                    "lonely_psu='adjust', 'average' or 'remove' (as R's survey.lonely.psu), or "
                    "ultimate_cluster=True to use the first stage only.")

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
        """The design columns as given: weights, strata, psu, fpc (a name, a list per stage, or None),
        nest and ultimate_cluster; ``SurveyDesign(df, **columns)`` rebuilds the design."""
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
        c = self._columns
        fixed = {name for role in ("weights", "strata", "psu", "fpc")
                 for name in ([c[role]] if isinstance(c[role], str) else c[role] or [])}
        new = self._copy()
        new._data = updated(self._data, columns, fixed)
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

    def as_replicate(self, method: str = "JK1", replicates: int | None = None, fay_rho: float | None = None,
                     seed=None, mse: bool = False):
        """This design with replicate weights (R's ``as.svrepdesign``): see
        :func:`analysis.estimation.replicate.as_replicate`."""
        from analysis.estimation.replicate import as_replicate  # (replicate imports this module: no cycle at load)
        return as_replicate(self, method, replicates, fay_rho, seed, mse)

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
                + (", ultimate_cluster=True" if c["ultimate_cluster"] else "")
                + "".join(f", {cal.method}={list(cal.variables)}" for cal in t.calibration) + ")")
