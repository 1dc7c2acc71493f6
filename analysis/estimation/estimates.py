"""Design-based means, totals, ratios, proportions and quantiles.

Each function is a pure function of (design, variable) returning a tidy
DataFrame ``[by columns...,] [level | prob,] estimate, se, ci_low, ci_high, df,
n`` (+ ``deff`` on request), reproducing R's ``survey`` 4.1 (``svymean``,
``svytotal``, ``svyratio``, ``svyciprop``, ``svyquantile``, ``svyby``):

* Variances from influence values (Binder 1983; Lumley 2010, *Complex
  Surveys*, ch. 2-3; Lohr, *Sampling*, ch. 9) that the design turns into
  variances (:class:`analysis.estimation.variance.VarianceDesign`; Taylor
  linearisation for a ``SurveyDesign``).
* Domains (``by=``) are estimated on the full design with zero influence
  outside the domain, as ``svyby`` does; missing values are dropped per
  variable the same way (R's ``na.rm=TRUE``).  Domains come in R's ``svyby``
  order: the levels of ``interaction(by columns)`` (factor levels / sorted
  values, the FIRST column varying fastest), only combinations present; rows
  with a missing ``by`` value belong to no domain.
* Confidence intervals use t with ``df`` = the design's degrees of freedom
  (R's ``confint(..., df=degf(design))``); pass ``df=np.inf`` (or any number)
  to override.  Which design's degf depends on the estimator, as in R:

  - ``mean``, ``total``, ``ratio``: the whole design's degf, for domain rows
    too.  R's ``svyby(..., svymean)`` returns no df of its own; its intervals
    come from ``confint(result, df=degf(design))`` on the full design.
  - ``proportion`` and ``quantile`` with ``by=``: each domain's OWN degf, because
    ``svyby`` calls ``svyciprop``/``svyquantile`` on ``design[byfactor %in%
    byfactor[i], ]`` and those take ``df = degf(design)`` of that subset: distinct
    PSUs minus distinct strata among the domain's rows with nonzero weight.
    ``proportion`` counts every row of the domain (R evaluates ``degf`` before
    ``svymean(..., na.rm=TRUE)`` drops anything); ``quantile`` counts only rows
    where the variable is present (``svyquantile`` runs ``design <- design[nas
    == 0, ]`` before ``df <- degf(design)``), with or without ``by=``.

  The ``df`` column shows the df each row's interval used.
* ``deff`` is R's default: the variance over the variance under simple random
  sampling without replacement of the same size (Kish).  When the weights sum
  to less than the sample size, a mean's deff is NaN (R: NA) while a total's or
  ratio's is negative, as R computes it.  ``mean``/``total`` with ``deff="replace"``
  divide by the with-replacement SRS variance instead (R's ``deff="replace"``).
* ``n`` is the number of non-missing observations behind each estimate.  A
  domain (or subpopulation) with no observations gives a row with NaN estimate
  and n = 0; a ``by=`` column missing in every row is a ValueError.
* Proportions: :mod:`analysis.estimation.ciprop` (Korn & Graubard 1998 for "beta").
  Quantiles: R's ``qrule="math"`` with Woodruff (1952) intervals built from
  the "mean" interval for the proportion below the quantile (R's default
  ``interval.type``); the rule needs sorted values only near each probability, so
  large data sorts a window of rows (:mod:`analysis.estimation.qselect`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.estimation import ciprop as _ciprop
from analysis.estimation.design_variables import Domains, categorical, domains, variable
from analysis.estimation.qselect import Quantiles
from analysis.estimation.variance import VarianceDesign


def mean(d: VarianceDesign, var: str, by=None, deff: bool | str = False, na_rm: bool = True,
         level: float = 0.95, df: float | None = None) -> pd.DataFrame:
    """Population mean of ``var`` (a categorical gives one row per level: the shares)."""
    return _linear(d, var, by, "mean", deff, na_rm, level, df)


def total(d: VarianceDesign, var: str, by=None, deff: bool | str = False, na_rm: bool = True,
          level: float = 0.95, df: float | None = None) -> pd.DataFrame:
    """Population total of ``var`` (a categorical gives one row per level: the counts)."""
    return _linear(d, var, by, "total", deff, na_rm, level, df)


def ratio(d: VarianceDesign, numerator: str, denominator: str, by=None, deff: bool = False,
          na_rm: bool = True, level: float = 0.95, df: float | None = None) -> pd.DataFrame:
    """Ratio of two population totals (R's ``svyratio``); rows missing either are dropped."""
    if hasattr(d, "replicate_weights"):   # re-estimated in every replicate, as R's svyrep methods
        from analysis.estimation import replicate_estimators as rep
        return rep.ratio(d, numerator, denominator, by, deff, na_rm, level, df)
    y = variable(d, numerator, numeric_only=True)
    x = variable(d, denominator, numeric_only=True)
    dom = domains(d, by)
    both = np.column_stack([y.values, x.values])
    valid, g, bad = _valid_rows(dom, np.isnan(both).any(axis=1), na_rm)
    k = dom.count
    w = np.where(valid, d.weights, 0.0)
    ty = np.bincount(g[valid], weights=(w * y.values)[valid], minlength=k)
    tx = np.bincount(g[valid], weights=(w * x.values)[valid], minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = ty / tx
        resid = np.where(valid, (y.values - r[g] * x.values) / tx[g], 0.0)
    est, v = r[:, None], d.variance(resid * w, valid, g, k)[:, None]
    n = np.bincount(g[valid], minlength=k)
    extra = {"deff": _deff(d, resid[:, None], g, k, valid, v, "total")} if deff else {}
    return _table(dom, None, est, v, n, bad, level, _df(d, df), extra)


def proportion(d: VarianceDesign, var: str, by=None, ci_method: str = "logit", level: float = 0.95,
               df: float | None = None, deff: bool = False) -> pd.DataFrame:
    """Share of each level of ``var`` with R's ``svyciprop`` interval (logit|beta|mean|likelihood).

    A numeric 0/1 variable gives rows for 0 and 1.  Missing values are dropped.
    With ``by=``, each domain's interval uses that domain's own degrees of freedom
    (R's ``svyby(~x, ~g, design, svyciprop)`` runs svyciprop on
    ``design[byfactor %in% byfactor[i], ]``, whose default ``df = degf(design)``
    counts the domain's PSUs and strata, including rows where ``var`` is missing);
    ``method="beta"`` also uses the domain's ``nrow(design)``, missing rows included.
    Without ``by=`` this is the (sub)design's degf.  ``df=`` overrides it everywhere.
    ``deff=True`` adds R's ``svymean(..., deff=TRUE)`` design effect of each share.
    """
    v = categorical(d, var)
    return _proportions(d, v.indicators(), v.missing, v.levels, by, ci_method, level, df, deff)


def shares(d: VarianceDesign, columns, by=None, ci_method: str = "logit", level: float = 0.95,
           df: float | None = None, deff: bool = False) -> pd.DataFrame:
    """The share of 1 in each 0/1 column (a select_multiple's choices), one row per column
    (``level`` = the column's name), each with its ``svyciprop`` interval as in
    :func:`proportion`.  A row missing in any of the columns is dropped from all of them
    (R's ``svymean(~a + b, na.rm=TRUE)``); domains and degrees of freedom as ``proportion``.
    One pass over the data for all the columns.
    """
    columns = list(columns)
    X = np.column_stack([variable(d, c, numeric_only=True).values for c in columns]).reshape(len(d), -1)
    missing = np.isnan(X).any(axis=1)
    bad = ~missing[:, None] & (X != 0) & (X != 1)
    if bad.any():
        column = columns[int(np.argmax(bad.any(axis=0)))]
        raise ValueError(f"shares() needs 0/1 columns; {column!r} has other values.")
    X[missing] = np.nan
    return _proportions(d, X, missing, pd.Index(columns), by, ci_method, level, df, deff)


def _proportions(d, X, missing, levels, by, ci_method, level, df, deff) -> pd.DataFrame:
    """Shares of the columns of X (n, L) within domains, with svyciprop intervals."""
    if hasattr(d, "replicate_weights"):   # re-estimated in every replicate, as R's svyrep methods
        from analysis.estimation import replicate_estimators as rep
        return rep.proportions(d, X, missing, levels, by, ci_method, level, df, deff)
    if ci_method not in _ciprop.METHODS:
        raise ValueError(f"ci_method must be one of {_ciprop.METHODS}, not {ci_method!r}")
    dom = domains(d, by)
    valid, g, bad = _valid_rows(dom, missing, True)
    k = dom.count
    p, var_p, n, wsum = _means(d, X, g, k, valid)
    inside = dom.codes >= 0
    # R: svyciprop(..., df=degf(design)) on the domain's design, before na.rm drops rows.
    dfv = _domain_df(d, inside, dom.codes, k, df)
    dfc = dfv[:, None]
    se = np.sqrt(var_p)
    if ci_method == "mean":
        low, high = _ciprop.ci_mean(p, se, level, dfc)
    elif ci_method == "logit":
        low, high = _ciprop.ci_logit(p, se, level, dfc)
    elif ci_method == "beta":
        n_rows = np.bincount(dom.codes[inside], minlength=k)   # R: nrow(design), NAs included
        low, high = _ciprop.ci_beta(p, var_p, n[:, None].astype(float), n_rows[:, None], level, dfc)
    else:
        low, high = _likelihood(d, X, g, k, dom, valid, p, var_p, wsum, level, dfc)
    extra = {"deff": _deff(d, X, g, k, valid, var_p, "mean")} if deff else {}
    out = _table(dom, levels, p, var_p, n, bad, level, dfv, extra)
    out["ci_low"], out["ci_high"] = np.ravel(low), np.ravel(high)
    return out


def quantile(d: VarianceDesign, var: str, probs, by=None, level: float = 0.95,
             df: float | None = None) -> pd.DataFrame:
    """Quantiles (R's ``svyquantile``, qrule "math") with Woodruff intervals; column ``prob``.

    Degrees of freedom as R: ``svyquantile`` drops rows with a missing value
    (``design <- design[nas == 0, ]``) and then takes ``df <- degf(design)``, so
    only PSUs and strata that keep a non-missing row with nonzero weight count;
    with ``by=``, ``svyby`` does this within each domain's own design.  The SE is
    R's ``diff(ci) / (2 * qt(1 - alpha/2, df))`` with that df.  ``df=`` overrides.
    """
    if hasattr(d, "replicate_weights"):   # re-estimated in every replicate, as R's svyrep methods
        from analysis.estimation import replicate_estimators as rep
        return rep.quantile(d, var, probs, by, level, df)
    x = variable(d, var, numeric_only=True)
    probs = np.atleast_1d(np.asarray(probs, dtype=float))
    if ((probs < 0) | (probs > 1)).any():
        raise ValueError(f"probs must lie in [0, 1], got {probs.tolist()}")
    dom = domains(d, by)
    missing = x.missing
    valid, g, _ = _valid_rows(dom, missing, True)
    k = dom.count
    if df is None and k == 1 and not missing.any():   # nothing dropped: the design's own degf
        dfv = np.array([float(d.degf)])
    else:
        dfv = _domain_df(d, valid, g if k > 1 else None, k, df)   # R: degf(design[nas == 0, ]) per domain
    crit = stats.t.ppf(1 - (1 - level) / 2, dfv)[:, None]
    per_domain = _domain_quantiles(x.values, d.weights, g, k, valid)
    est = np.array([q(probs) for q in per_domain]).reshape(k, len(probs))
    # Woodruff: the interval for the share at or below the quantile, mapped back through qrule.
    below = (x.values[:, None] <= (est[0] if k == 1 else est[np.maximum(g, 0)])).astype(float)
    share, var_share, n, _ = _means(d, below, g, k, valid)
    half = crit * np.sqrt(var_share)
    low, high = share - half, share + half
    ci_low, ci_high = _interval_ends(per_domain, low, high)
    out = _table(dom, pd.Index(probs), est, ((ci_high - ci_low) / (2 * crit)) ** 2, n,
                 np.zeros(k, bool), level, dfv, {})
    out = out.rename(columns={"level": "prob"})
    out["ci_low"], out["ci_high"] = ci_low.ravel(), ci_high.ravel()
    return out


# ---- shared machinery ---------------------------------------------------------------
def _domain_quantiles(x, w, g, k, valid) -> list[Quantiles]:
    """Per domain: its rows' qrule_math quantiles (rows in row order, so ties sort as R's)."""
    if k == 1:
        return [Quantiles(x, w) if valid.all() else Quantiles(x[valid], w[valid])]
    rows = np.flatnonzero(valid & (w != 0))
    rows = rows[np.argsort(g[rows], kind="stable")]   # integers: a radix sort; row order kept
    bounds = np.searchsorted(g[rows], np.arange(k + 1))
    return [Quantiles(x[rows[a:b]], w[rows[a:b]]) for a, b in zip(bounds[:-1], bounds[1:])]


def _interval_ends(per_domain: list[Quantiles], low: np.ndarray, high: np.ndarray):
    """The quantiles at the (k, L) shares ``low`` and ``high``: the interval's ends, NaN where
    a share falls outside [0, 1] (or is NaN), as R's qrule is not asked there."""
    with np.errstate(invalid="ignore"):
        ends = np.array([q(np.concatenate([np.where(lo >= 0, lo, np.nan), np.where(hi <= 1, hi, np.nan)]))
                         for q, lo, hi in zip(per_domain, low, high)]).reshape(len(low), -1)
    return np.split(ends, 2, axis=1)


def _df(d: VarianceDesign, df) -> float:
    """The whole design's degf (mean, total, ratio: svyby keeps the design's df)."""
    return float(d.degf if df is None else df)


def _domain_df(d: VarianceDesign, rows, group, k, df) -> np.ndarray:
    """Per domain: ``df`` if given, else R's degf of the domain's subset of ``rows``."""
    if df is not None:
        return np.full(k, float(df))
    return d.domain_degf(rows, group, k).astype(float)


def _valid_rows(dom: Domains, missing: np.ndarray, na_rm: bool):
    """Rows used, their domain codes (-1 = unused) and domains spoilt by missing values."""
    inside = dom.codes >= 0
    valid = inside & ~missing
    bad = np.zeros(dom.count, dtype=bool)
    if not na_rm:
        bad = np.bincount(dom.codes[inside & missing], minlength=dom.count) > 0
    return valid, np.where(valid, dom.codes, -1), bad


def _cells(g, k, valid):
    """Per row its domain, rows not used in a last cell ``k`` that is dropped: one bincount
    per sum, without copying the rows used out of the columns."""
    return np.where(valid, g, k)


def _sums(d, X, g, k, valid, cell=None):
    """Weighted sums of each column of X (n, L) per domain -> (k, L); unused rows count 0."""
    cell = _cells(g, k, valid) if cell is None else cell
    w = d.weights
    out = np.empty((k, X.shape[1]))
    for col in range(X.shape[1]):
        wx = np.where(valid, X[:, col], 0.0) * w    # missing values are never multiplied
        out[:, col] = np.bincount(cell, weights=wx, minlength=k + 1)[:k]
    return out


def _weight_sums(d, g, k, valid, cell=None) -> np.ndarray:
    """The sum of the weights of the rows used, per domain: (k,)."""
    cell = _cells(g, k, valid) if cell is None else cell
    return np.bincount(cell, weights=d.weights, minlength=k + 1)[:k]


def _means(d, X, g, k, valid):
    """Domain means of each column of X: (estimate, variance) as (k, L), counts and weight sums.

    A row's influence on its domain's mean is (x - mean) w / W; rows not used get 0.  With one
    domain the design sums the influence over PSUs directly (no domain codes to carry)."""
    w = d.weights
    if k == 1:
        return _mean_one(d, X, valid)
    cell = _cells(g, k, valid)
    wsum = _weight_sums(d, g, k, valid, cell)
    counts = np.bincount(cell, minlength=k + 1)[:k]
    est, var = np.empty((k, X.shape[1])), np.empty((k, X.shape[1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        for col in range(X.shape[1]):
            xw = np.where(valid, X[:, col], 0.0) * w
            est[:, col] = np.bincount(cell, weights=xw, minlength=k + 1)[:k] / wsum
            # (x - mean) w per row, 0 if unused; each domain's variance then over W^2
            infl = np.subtract(xw, np.append(est[:, col], 0.0)[cell] * w, out=xw)
            var[:, col] = d.variance(infl, valid, g, k) / wsum ** 2
    return est, var, counts, wsum


def _mean_one(d, X, valid):
    """``_means`` of one domain: plain sums, no domain codes, a few passes per column.

    The influence (x - mean) w / W is passed to the design unscaled, (x - mean) w, and its
    variance divided by W^2 (variances are quadratic in the influence values)."""
    w = d.weights
    every = bool(valid.all())
    wsum = w.sum() if every else np.sum(w, where=valid)
    est, var = np.empty((1, X.shape[1])), np.empty((1, X.shape[1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        for col in range(X.shape[1]):
            xw = X[:, col] * w if every else np.where(valid, X[:, col], 0.0) * w
            est[0, col] = xw.sum() / wsum
            infl = np.subtract(xw, est[0, col] * w, out=xw)
            if not every:
                infl[~valid] = 0.0
            var[:, col] = d.variance(infl, valid) / wsum ** 2
    return est, var, np.array([np.count_nonzero(valid)]), np.array([wsum])


def _whole_mean(d, v, na_rm, level, df) -> pd.DataFrame:
    """A number's mean over the whole (sub)population: ``_linear``'s result without domain codes
    (no per-row domain or validity arrays to build: the most asked estimate, made lean)."""
    missing = v.missing
    valid = d.in_subset & ~missing
    bad = np.array([not na_rm and bool(np.any(missing, where=d.in_subset))])
    w, x = d.weights, v.values
    every = bool(valid.all())
    wsum = w.sum() if every else np.sum(w, where=valid)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = (np.dot(x, w) if every else np.sum(x * w, where=valid)) / wsum
        infl = np.subtract(x, est)          # the influence (x - mean) w, 0 where unused
        infl *= w
        if not every:
            infl[~valid] = 0.0
        var = d.variance(infl, valid) / wsum ** 2
    return _table(_WHOLE, None, np.array([[est]]), np.reshape(var, (1, 1)),
                  np.array([np.count_nonzero(valid)]), bad, level, _df(d, df), {})


_WHOLE = Domains(np.empty(0, dtype=np.int64), pd.DataFrame(index=range(1)))   # by=None: one domain, no keys


def _totals(d, X, g, k, valid):
    """Domain totals of each column of X and their variances, as (k, L)."""
    wx = np.where(valid[:, None], X, 0.0) * d.weights[:, None]
    var = np.column_stack([d.variance(wx[:, c], valid, g, k) for c in range(X.shape[1])])
    return _sums(d, X, g, k, valid), var.reshape(k, X.shape[1])


def _deff(d, X, g, k, valid, v, kind, replace=False):
    """R's deff: v over the SRS-without-replacement variance, from svyvar (n/(n-1) weighted).

    ``replace`` (R's ``deff="replace"``): over the with-replacement SRS variance instead,
    ``svyvar / nobs`` for a mean and ``svyvar * sum(w)^2 / nobs`` for a total, never NA.

    svymean: NA when the weights sum to less than nobs (``if(psum<nobs) vsrs<-NA*v``);
    svytotal (and svyratio, via ``deff(svytotal(r, design, deff=TRUE))``) has no such
    guard: ``vsrs <- svyvar(x)*sum(w)^2*(N-nobs)/(N*nobs)``, so its deff is then negative.
    """
    wsum = _weight_sums(d, g, k, valid)[:, None]
    nobs = np.bincount(g[valid & (d.weights != 0)], minlength=k).astype(float)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = _sums(d, X, g, k, valid) / wsum
        s2 = _sums(d, (X - centre[np.maximum(g, 0)]) ** 2, g, k, valid) / wsum * nobs / (nobs - 1)
        if replace:
            return v / (s2 / nobs * (wsum ** 2 if kind == "total" else 1))
        vsrs = s2 * (wsum - nobs) / (wsum * nobs) * (wsum ** 2 if kind == "total" else 1)
        return v / vsrs if kind == "total" else np.where(wsum >= nobs, v / vsrs, np.nan)


def _linear(d, name, by, kind, deff, na_rm, level, df):
    if hasattr(d, "replicate_weights"):   # re-estimated in every replicate, as R's svyrep methods
        from analysis.estimation import replicate_estimators as rep
        return rep.linear(d, name, by, kind, deff, na_rm, level, df)
    v = variable(d, name)
    if by is None and kind == "mean" and v.levels is None and not deff:
        return _whole_mean(d, v, na_rm, level, df)
    dom = domains(d, by)
    X = v.indicators()
    valid, g, bad = _valid_rows(dom, v.missing, na_rm)
    k = dom.count
    if kind == "mean":
        est, var, n, _ = _means(d, X, g, k, valid)
    else:
        (est, var), n = _totals(d, X, g, k, valid), np.bincount(g[valid], minlength=k)
    extra = {"deff": _deff(d, X, g, k, valid, var, kind, deff == "replace")} if deff else {}
    return _table(dom, v.levels, est, var, n, bad, level, _df(d, df), extra)


def _table(dom: Domains, levels, est, var, n, bad, level, df, extra) -> pd.DataFrame:
    """Tidy result: one row per domain x level (domain-major); ``df`` a number or (k,)."""
    k, n_levels = est.shape
    bad = bad | (n == 0)
    est = np.where(bad[:, None], np.nan, est)
    with np.errstate(invalid="ignore"):
        se = np.where(bad[:, None], np.nan, np.sqrt(var))
    df = np.broadcast_to(np.asarray(df, dtype=float), (k,))   # one df per domain (or shared)
    crit = stats.t.ppf(1 - (1 - level) / 2, df)[:, None]
    out = dom.keys.loc[np.repeat(np.arange(k), n_levels)].reset_index(drop=True)
    if levels is not None:
        out["level"] = np.tile(np.asarray(levels, dtype=object), k)
    out["estimate"] = est.ravel()
    out["se"] = se.ravel()
    out["ci_low"] = (est - crit * se).ravel()
    out["ci_high"] = (est + crit * se).ravel()
    out["df"] = np.repeat(df, n_levels)
    out["n"] = np.repeat(n, n_levels)
    for name, values in extra.items():
        out[name] = np.where(bad[:, None], np.nan, values).ravel()
    return out


def _likelihood(d, X, g, k, dom, valid, p, var_p, wsum, level, dfv):
    """Sums the profile-likelihood interval needs, per domain and level."""
    inside = dom.codes >= 0
    # svyglm rescales weights by their mean over the (domain's) design rows, missing included.
    w = d.weights
    c = (np.bincount(dom.codes[inside], weights=w[inside], minlength=k)
         / np.bincount(dom.codes[inside], minlength=k))
    n_nz = np.bincount(g[valid & (w != 0)], minlength=k)
    s1 = _sums(d, X, g, k, valid)
    with np.errstate(invalid="ignore"):
        q = _sums(d, (X - p[np.maximum(g, 0)]) ** 2, g, k, valid)
    shape = p.shape
    per_domain = [np.broadcast_to(a[:, None], shape) for a in (wsum, c, n_nz)]
    sums = [a.ravel() for a in (s1, wsum[:, None] - s1, q, *per_domain)]
    dfs = np.broadcast_to(dfv, shape).ravel()   # one df per domain, repeated over levels
    low, high = _ciprop.ci_likelihood(p.ravel(), var_p.ravel(), sums, level, dfs)
    return low.reshape(shape), high.reshape(shape)
