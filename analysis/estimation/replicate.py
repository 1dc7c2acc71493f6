"""A replicate-weight design: R's ``svrepdesign(..., combined.weights=TRUE)`` and ``as.svrepdesign``.

Statistics offices publish microdata with replicate weights instead of strata and PSUs
(jackknife, BRR, Fay, bootstrap); a variance is then the spread of the estimate over
the replicates (Wolter 2007, *Introduction to Variance Estimation*; Lumley 2010,
*Complex Surveys*, sec. 2.3), R's ``svrVar``:

    V = scale * sum_r rscales_r (theta_r - c)^2,

with theta_r the estimate under replicate r's weights and c their mean over the
replicates with rscales > 0 (``mse=False``) or the full-sample estimate (``mse=True``).
``scale`` and ``rscales`` default as ``svrepdesign`` sets them for each ``method``.

Degrees of freedom are R's ``degf()`` of a replicate design: the rank of the replicate
analysis weights of the (sub)design's rows minus 1 (``qr(weights(design, "analysis"),
tol=1e-5)$rank - 1``, LINPACK's limited pivoting rule).

The estimators (:mod:`analysis.estimation.estimates`, ``contingency``, ``models``)
re-estimate in every replicate, as R's ``svyrep.design`` methods do
(:mod:`analysis.estimation.replicate_estimators`).  The design also answers
:class:`analysis.estimation.variance.VarianceDesign`: its units of variance are the
replicates, and the unit totals of influence values ``z`` are ``sum_i (a_ri / w_i - 1) z_i``
(the linearised replicate estimates), for code that only has influence values.

``SurveyDesign.as_replicate`` (:func:`as_replicate`) converts a Taylor design as
R's ``as.svrepdesign`` does (:mod:`analysis.estimation.replicate_weights`).
"""

from __future__ import annotations

import re
from functools import cached_property

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from scipy import sparse

from analysis.estimation import replicate_weights as _rw
from analysis.estimation.survey_design import updated

METHODS = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap", "other")
RANK_TOL = 1e-5   # R: degf.svyrep.design, qr(..., tol = 1e-5)


class ReplicateDesign:
    """Full-sample weights and replicate analysis weights, as R's ``svrepdesign``.

    ``replicate_weights`` is a list of column names or a regular expression matched
    against the column names (R: ``grep(repweights, names(data))``); the columns hold
    the replicates' analysis weights (``combined.weights=TRUE``), or with
    ``combined_weights=False`` multipliers of ``weights`` (R then guesses a JK1 scale and
    JKn rscales from them, as here).  ``weights=None`` means equal weights.  Implements :class:`analysis.estimation.variance.VarianceDesign`.
    """

    __slots__ = ("_data", "_w", "_rep", "_scale", "_rscales", "_mse", "_method", "_rho",
                 "_columns", "_domain", "_degf", "__dict__", "__weakref__")

    def __init__(self, df: pd.DataFrame, weights: str | None = "pw", replicate_weights=None,
                 method: str = "other", scale: float | None = None, rscales=None, mse: bool = False,
                 fay_rho: float | None = None, combined_weights: bool = True):
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"df must be a pandas DataFrame, not {type(df).__name__}")
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, not {method!r}")
        names = _replicate_columns(df, replicate_weights)
        rep = _numbers(df, names, "replicate weights")
        w = np.ones(len(df)) if weights is None else _numbers(df, [weights], "weights")[:, 0]
        if not combined_weights:   # R: the columns are multipliers of the weights; scales guessed from them
            if method == "JK1" and scale is None:
                scale = 1.0 / rep[:, 0].max()
            if method == "JKn" and rscales is None:
                rscales = 1.0 / rep.max(axis=0)
            rep = rep * w[:, None]
        scale, rscales = default_scales(method, rep.shape[1], scale, rscales, fay_rho)
        self._init(df, w, rep, scale, rscales, mse, method, fay_rho,
                   {"weights": weights, "replicate_weights": names})

    def _init(self, df, w, rep, scale, rscales, mse, method, rho, columns):
        if len(df) == 0:
            raise ValueError("The data has no rows, so there is nothing to estimate.")
        self._data = df.copy(deep=False)
        self._w, self._rep = w, rep
        self._scale, self._rscales = float(scale), np.broadcast_to(np.asarray(rscales, float), rep.shape[1:])
        self._mse, self._method, self._rho = bool(mse), method, rho
        self._columns = columns
        self._domain = np.ones(len(df), dtype=bool)
        for arr in (self._w, self._rep, self._domain):
            arr.flags.writeable = False
        self._degf = int(self.domain_degf(self._domain)[0])

    @classmethod
    def from_arrays(cls, df, weights, replicates, method, scale, rscales, mse=False, fay_rho=None,
                    columns=None) -> "ReplicateDesign":
        """A design from weight arrays (``as_replicate`` and calibration build them)."""
        new = object.__new__(cls)
        new._init(df, np.array(weights, dtype=float), np.array(replicates, dtype=float), scale,
                  rscales, mse, method, fay_rho, columns or {"weights": None, "replicate_weights": []})
        return new

    # ---- what a design has ----------------------------------------------------------
    @property
    def data(self) -> pd.DataFrame:
        return self._data.copy(deep=False)

    @property
    def weights(self) -> np.ndarray:
        """Full-sample analysis weights, one per row (read-only)."""
        return self._w

    @property
    def replicate_weights(self) -> np.ndarray:
        """(n, R) replicate analysis weights (read-only)."""
        return self._rep

    @property
    def n_replicates(self) -> int:
        return self._rep.shape[1]

    @property
    def method(self) -> str:
        return self._method

    @property
    def scale(self) -> float:
        return self._scale

    @property
    def rscales(self) -> np.ndarray:
        return self._rscales

    @property
    def mse(self) -> bool:
        return self._mse

    @property
    def fay_rho(self) -> float | None:
        return self._rho

    @property
    def columns(self) -> dict:
        return dict(self._columns)

    @property
    def degf(self) -> int:
        """R's ``degf``: rank of the subset's replicate analysis weights minus 1."""
        return self._degf

    @property
    def in_subset(self) -> np.ndarray:
        return self._domain

    @property
    def column_names(self) -> pd.Index:
        return self._data.columns

    def column(self, name: str) -> pd.Series:
        return self._data[name]

    def __len__(self) -> int:
        return len(self._w)

    def __repr__(self) -> str:
        return (f"ReplicateDesign(n={len(self)}, method={self._method!r}, replicates={self.n_replicates}, "
                f"scale={self._scale:.6g}, degf={self._degf}, mse={self._mse})")

    # ---- replicate variances ------------------------------------------------------------
    def svrvar(self, thetas: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """R's ``svrVar`` for each column: ``thetas`` (R, K) replicate estimates, ``coef`` (K,)
        the full-sample estimates.  A replicate whose estimate is NaN is left out of that
        column, as R's ``na.omit`` of the replicates does."""
        thetas = np.asarray(thetas, dtype=float).reshape(self.n_replicates, -1)
        ok = ~np.isnan(thetas)
        rs = np.where(ok, self._rscales[:, None], 0.0)
        if self._mse:
            centre = np.asarray(coef, dtype=float).reshape(-1)
        else:
            use = ok & (self._rscales[:, None] > 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                centre = np.where(use, thetas, 0.0).sum(axis=0) / use.sum(axis=0)
        dev = np.where(ok, thetas - centre, 0.0)
        v = self._scale * (rs * dev * dev).sum(axis=0)
        return np.where(ok.any(axis=0), v, np.nan)

    def svrcov(self, thetas: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """R's ``svrVar`` covariance matrix (K, K) of replicate estimates (R, K) (no NaN)."""
        thetas = np.asarray(thetas, dtype=float)
        centre = coef if self._mse else thetas[self._rscales > 0].mean(axis=0)
        dev = thetas - centre
        return self._scale * (dev * self._rscales[:, None]).T @ dev

    # ---- VarianceDesign: units of variance are the replicates -----------------------------
    @cached_property
    def _factors(self) -> np.ndarray:
        """(n, R) a_ri / w_i - 1 (0 where w_i = 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self._w[:, None] > 0, self._rep / self._w[:, None] - 1.0, 0.0)

    def totals(self, infl: np.ndarray, group: np.ndarray | None = None, n_groups: int = 1) -> np.ndarray:
        infl = np.asarray(infl, dtype=float)
        if group is None:
            return (self._factors.T @ infl).reshape(-1, 1)
        ok = group >= 0
        rows = np.flatnonzero(ok)
        spread = sparse.csr_matrix((infl[rows], (rows, group[rows])), shape=(len(infl), n_groups))
        return np.asarray((spread.T @ self._factors).T)

    def totals_variance(self, totals, rows, group=None, n_groups=1, columns=None) -> np.ndarray:
        return self.svrvar(totals, np.zeros(totals.shape[1]))

    def totals_covariance(self, totals, rows) -> np.ndarray:
        return self.svrcov(totals, np.zeros(totals.shape[1]))

    def variance(self, infl, rows, group=None, n_groups=1) -> np.ndarray:
        return self.totals_variance(self.totals(infl, group, n_groups), rows)

    def domain_degf(self, rows: np.ndarray, group: np.ndarray | None = None, n_groups: int = 1) -> np.ndarray:
        """Per domain: the rank of its rows' replicate analysis weights minus 1 (R's degf)."""
        if group is None:
            return np.array([qr_rank(self._rep[np.asarray(rows, dtype=bool)]) - 1])
        ok = np.asarray(rows, dtype=bool) & (group >= 0)
        order = np.flatnonzero(ok)
        order = order[np.argsort(group[order], kind="stable")]
        bounds = np.searchsorted(group[order], np.arange(n_groups + 1))
        return np.array([qr_rank(self._rep[order[a:b]]) - 1 for a, b in zip(bounds[:-1], bounds[1:])])

    # ---- new designs from this one --------------------------------------------------------
    def _copy(self) -> "ReplicateDesign":
        new = object.__new__(ReplicateDesign)
        for name in ReplicateDesign.__slots__:
            if name not in ("__dict__", "__weakref__"):
                setattr(new, name, getattr(self, name))
        return new

    def subset(self, mask) -> "ReplicateDesign":
        """The design restricted to a subpopulation (R's ``subset``: the replicates do the rest)."""
        mask = np.asarray(mask, dtype=bool).reshape(-1)
        if mask.shape != self._domain.shape:
            raise ValueError(f"mask has {mask.size} values; the design has {self._domain.size} rows")
        new = self._copy()
        new._domain = self._domain & mask
        new._domain.flags.writeable = False
        new._degf = int(new.domain_degf(new._domain)[0])
        return new

    def update(self, **columns) -> "ReplicateDesign":
        """The design with analysis variables added or replaced (R's ``update``)."""
        fixed = {self._columns.get("weights"), *self._columns.get("replicate_weights", [])} - {None}
        new = self._copy()
        new._data = updated(self._data, columns, fixed)
        return new

    def reweighted(self, weights: np.ndarray, replicates: np.ndarray, column: str = "weight") -> "ReplicateDesign":
        """The design with new full-sample and replicate weights (a calibration of every replicate)."""
        if not self._domain.all():
            raise ValueError("Calibrate the whole design, then take the subset.")
        data = self._data.assign(**{column: np.asarray(weights, dtype=float)})
        return ReplicateDesign.from_arrays(data, weights, replicates, self._method, self._scale,
                                           self._rscales, self._mse, self._rho,
                                           {"weights": column, "replicate_weights": []})


def qr_rank(a: np.ndarray, tol: float = RANK_TOL) -> int:
    """Rank as R's ``qr(a, tol)`` (LINPACK dqrdc2): a column whose residual norm, after the
    columns kept before it, is below ``tol`` times its own norm does not count.  (Computed
    on the distinct rows up to scale: the same rank; the tolerance then applies to those.)"""
    a = np.asarray(a, dtype=float)
    norms = np.linalg.norm(a, axis=1)
    a = a[norms > 0]
    if a.size == 0:
        return 0
    # Rows that are multiples of one another (a PSU's rows: its multipliers times each row's
    # weight) add nothing to the rank: keep one of each, so the QR is PSUs x replicates.
    probes = np.random.default_rng(0).uniform(0.5, 1.5, (a.shape[1], 3))   # rows compared by 3 projections
    keys = pd.DataFrame(np.round((a / norms[norms > 0, None]) @ probes, 9))
    a = a[~keys.duplicated().to_numpy()]
    if a.shape[0] > a.shape[1]:   # same column space, R x R: Gram-Schmidt on the small triangle
        a = np.linalg.qr(a, mode="r")
    basis = np.empty((a.shape[0], min(a.shape)))
    rank = 0
    for j in range(a.shape[1]):
        col = a[:, j]
        norm = np.linalg.norm(col)
        b = basis[:, :rank]
        rest = col - b @ (b.T @ col)
        rest -= b @ (b.T @ rest)
        rest_norm = np.linalg.norm(rest)
        if norm > 0 and rest_norm >= tol * norm and rank < basis.shape[1]:
            basis[:, rank] = rest / rest_norm
            rank += 1
    return rank


def default_scales(method: str, n_rep: int, scale, rscales, fay_rho):
    """``scale`` and ``rscales`` as R's ``svrepdesign`` sets them for ``method`` (combined weights)."""
    if method == "BRR":
        scale = 1.0 / n_rep
    elif method == "Fay":
        if fay_rho is None:
            raise ValueError("method='Fay' needs fay_rho (R: 'With type=Fay you must supply the correct rho').")
        scale = 1.0 / (n_rep * (1 - fay_rho) ** 2)
    elif method in ("bootstrap", "subbootstrap"):
        scale = 1.0 / (n_rep - 1) if scale is None else scale
    elif method == "JK1" and scale is None:
        scale = (n_rep - 1) / n_rep
    elif method == "JKn" and rscales is None:
        raise ValueError("method='JKn' needs rscales ((n_h - 1)/n_h for each replicate), as R requires.")
    if rscales is None:
        rscales = np.ones(n_rep)
    rscales = np.asarray(rscales, dtype=float).reshape(-1)
    if len(rscales) not in (1, n_rep):
        raise ValueError(f"rscales has {len(rscales)} values; give one per replicate ({n_rep}).")
    return (1.0 if scale is None else float(scale)), np.broadcast_to(rscales, (n_rep,)).copy()


def _replicate_columns(df: pd.DataFrame, spec) -> list:
    if spec is None:
        raise ValueError("Give the replicate weights: a list of columns or a regular expression.")
    if isinstance(spec, str):
        names = [c for c in df.columns if re.search(spec, str(c))]
        if not names:
            raise ValueError(f"No column matches the replicate weights pattern {spec!r}.")
        return names
    names = list(spec)
    absent = [c for c in names if c not in df.columns]
    if absent:
        raise ValueError(f"Replicate weight columns {absent} are not in the data.")
    if not names:
        raise ValueError("Give at least one replicate weight column.")
    return names


def _numbers(df: pd.DataFrame, names: list, what: str) -> np.ndarray:
    for name in names:
        if name not in df.columns:
            raise ValueError(f"The {what} column {name!r} is not in the data.")
        if not ptypes.is_numeric_dtype(df[name].dtype) or ptypes.is_bool_dtype(df[name].dtype):
            raise ValueError(f"The {what} column {name!r} must be numeric, not {df[name].dtype}.")
    values = df[names].to_numpy(dtype=float, na_value=np.nan)
    if not np.isfinite(values).all():
        raise ValueError(f"Missing or non-finite values in the {what} (R: 'Missing values not allowed').")
    return np.array(values, copy=True)


# ---- as.svrepdesign ----------------------------------------------------------------------
AS_REPLICATE = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap")


def as_replicate(design, method: str = "JK1", replicates: int | None = None, fay_rho: float | None = None,
                 seed=None, mse: bool = False) -> ReplicateDesign:
    """A ``SurveyDesign`` as a replicate design, as R's ``as.svrepdesign(design, type=...)``.

    JK1 (unstratified designs), JKn, BRR and Fay (stratified) are deterministic and R's;
    the bootstraps draw ``replicates`` (default 50) with numpy's generator and ``seed``.
    ``mse=True`` centres the replicates on the full-sample estimate (R's ``mse=TRUE``).
    The first-stage fpc is used as R does (JK1, JKn, bootstrap; not BRR/Fay).  A calibrated
    design (``poststratify``/``rake``/``calibrate``) has every replicate calibrated to the same
    totals (:func:`recalibrated`), as R's ``postStratify``/``rake``/``calibrate`` of the replicate
    design.  (R's ``as.svrepdesign`` of a calibrated design keeps the calibrated weights times the
    replicate factors without recalibrating, which leaves the calibration out of the SEs.)
    """
    if method not in AS_REPLICATE:
        raise ValueError(f"method must be one of {AS_REPLICATE}, not {method!r}")
    cols = {k: (v[0] if isinstance(v, (list, tuple)) and v else v) for k, v in design.columns.items()}
    df = design.data   # a multistage design: R's as.svrepdesign uses the first stage (cluster[, 1])
    strata_col, psu_col = cols.get("strata"), cols.get("psu")
    strata = df[strata_col].to_numpy() if strata_col else np.zeros(len(df), dtype=np.int64)
    if psu_col is None:
        psu = np.arange(len(df))
    elif strata_col and cols.get("nest"):
        psu = pd.MultiIndex.from_arrays([df[strata_col], df[psu_col]]).to_numpy()
    else:
        psu = df[psu_col].to_numpy()
    popsize = _popsize(df, cols.get("fpc"), strata, psu)
    if method == "JK1":
        if strata_col:
            raise ValueError("JK1 is for unstratified designs (R: 'Can't use JK1 for a stratified "
                             "design'); use JKn.")
        made = _rw.jk1(psu, None if popsize is None else float(popsize[0]))
    elif method in ("JKn", "BRR", "Fay") and not strata_col:
        raise ValueError(f"{method} needs a stratified design (R: 'Must use JK1 or bootstrap for an "
                         "unstratified design').")
    elif method == "JKn":
        made = _rw.jkn(strata, psu, popsize, design.lonely_psu)
    elif method in ("BRR", "Fay"):
        rho = 0.0 if method == "BRR" else float(fay_rho if fay_rho is not None else 0.0)
        made = _rw.brr(strata, psu, rho)
        method = "BRR" if rho == 0 else "Fay"
        fay_rho = rho
    elif method == "bootstrap":
        made = _rw.bootstrap(strata, psu, replicates or 50, seed, popsize)
    else:
        made = _rw.subbootstrap(strata, psu, replicates or 50, seed)
    w = np.asarray(design.weights, dtype=float)
    fits = tuple(getattr(design, "calibration", ()))
    start = w
    if fits and fits[0].method in ("poststratify", "calibrate"):   # from the weights before calibrating
        first = fits[0].steps[0]
        start = first.v * first.u   # R's oldweights: u = old / new
    rep = made.multipliers * start[:, None]
    for fit in fits:
        rep = np.column_stack([recalibrated(rep[:, r], fit) for r in range(rep.shape[1])])
    out = ReplicateDesign.from_arrays(df, w, rep, method, made.scale, made.rscales, mse,
                                      fay_rho if method == "Fay" else None,
                                      {"weights": cols.get("weights"), "replicate_weights": []})
    return out.subset(design.in_subset) if not design.in_subset.all() else out


def recalibrated(w: np.ndarray, fit, tol: float = 1e-10, max_iter: int = 1000) -> np.ndarray:
    """Replicate weights ``w`` calibrated to the totals the design's calibration ``fit`` met
    (a post-stratification: its cells' totals; a raking: each margin's), as R's
    ``postStratify``/``rake`` of a replicate design do.  Starting from the calibrated
    weights times the replicate factors gives R's weights for one post-stratification or
    raking (both are invariant to a start within the same cells); for several in a row,
    an approximation (``as_replicate`` starts from the weights before a first post-stratification
    or GREG).  A GREG calibration (``calibrate``) is not invariant to its start: it is repeated
    from ``w``, the replicate's weights before it, as R's ``calibrate`` of the replicate design."""
    if fit.method == "calibrate":
        return fit.steps[0].reweigh(w)
    targets = [np.bincount(s.cells, weights=s.v, minlength=s.n_cells) for s in fit.steps]
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(1 if fit.method == "poststratify" else max_iter):
            for s, target in zip(fit.steps, targets):
                w = w * np.nan_to_num(target / np.bincount(s.cells, weights=w, minlength=s.n_cells))[s.cells]
            gaps = [np.abs(np.bincount(s.cells, weights=w, minlength=s.n_cells) - t) / np.maximum(t, 1e-300)
                    for s, t in zip(fit.steps, targets)]
            if max(g.max() for g in gaps) <= tol:
                break
    return w


def _popsize(df, fpc, strata, psu) -> np.ndarray | None:
    """Per row, the population number of PSUs in the row's stratum (R's fpc$popsize)."""
    if fpc is None:
        return None
    val = df[fpc].to_numpy(dtype=float)
    if (val > 1).any():
        return val
    n_h = pd.Series(psu).groupby(pd.Series(strata, dtype=object).to_numpy()).transform("nunique").to_numpy()
    return n_h / val
