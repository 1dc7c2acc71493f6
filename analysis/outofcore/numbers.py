"""A number's mean and quantiles per domain, out of core, on any :class:`OutOfCoreDesign`
(two-stage and post-stratified ones included): :func:`analysis.mean` with ``deff=True``
and :func:`analysis.quantile` with ``by=`` (R's ``svyby(svymean)``/``svyby(svyquantile)``).

Variances go through :meth:`OutOfCoreDesign.influence_variance` (the influence value of a
domain mean is w (y - ybar_g) / W_g on the domain's answered rows; Woodruff's interval
uses that of the share at or below the quantile).  Each domain's weighted CDF is searched
by :class:`analysis.outofcore.quantiles._Cdf` on the domain's rows.  ``by`` holds integer
domain codes (null: outside every domain), numbered as the in-memory ``factor_codes``;
``subset`` a boolean column, the subpopulation (R's ``subset(design, ...)``).
"""

from __future__ import annotations

from types import SimpleNamespace

import ibis
import numpy as np
import pandas as pd
from scipy import stats

from analysis.outofcore.design import OutOfCoreDesign
from analysis.outofcore.quantiles import _Cdf


def _domains(d: OutOfCoreDesign, var: str, by: str | None, subset: str | None) -> tuple[pd.DataFrame, np.ndarray]:
    """Per domain (in code order): answered rows n, kept rows (nonzero weight), W, min, max;
    and the PSU code of every (PSU, domain) pair with a kept row, for the domain's degf."""
    w = d.weights
    kept = lambda t: t[var].notnull() & (t[w] != 0)  # noqa: E731
    frame = d.psu_frame({"n": lambda t: t[var].count(), "kept": lambda t: t.count(where=kept(t)),
                         "sw": lambda t: t[w].sum(where=t[var].notnull()),
                         "lo": lambda t: t[var].min(where=kept(t)), "hi": lambda t: t[var].max(where=kept(t))},
                        [by] if by else [], where=None if subset is None else lambda t: t[subset])
    frame["_g"] = 0 if by is None else frame[by]
    frame = frame[frame["_g"].notna()]
    frame["_g"] = frame["_g"].astype(np.int64)
    per = frame.groupby("_g").agg(n=("n", "sum"), kept=("kept", "sum"), sw=("sw", "sum"), lo=("lo", "min"),
                                  hi=("hi", "max")).sort_index()
    df = []
    stratum = d.psus["stratum_code"].to_numpy()
    for g in per.index:
        present = np.unique(frame.loc[(frame["_g"] == g) & (frame["kept"] > 0), "code"].to_numpy())
        df.append(len(present) - len(np.unique(stratum[present])))
    return per, np.asarray(df, dtype=float)


def _inside(t, var, by, g, subset=None):
    inside = t[var].notnull() if by is None else t[var].notnull() & (t[by] == int(g))
    return inside if subset is None else inside & t[subset]


def _subset_degf(d: OutOfCoreDesign, subset: str | None) -> float:
    """The design's degf counted within the subset (PSUs with a nonzero weight there, minus strata)."""
    if subset is None:
        return float(d.degf)
    w = d.weights
    frame = d.psu_frame({"nz": lambda t: t.count(where=t[w] != 0)}, where=lambda t: t[subset])
    return float(d.degf_of(d.scatter(frame["code"].to_numpy(), 0, frame["nz"], 1)[:, 0]))


def mean(d: OutOfCoreDesign, var: str, by: str | None = None, by_levels=None, level: float = 0.95,
         subset: str | None = None) -> pd.DataFrame:
    """``[by,] estimate, se, ci_low, ci_high, df, n, deff`` as ``analysis.mean(..., deff=True)``."""
    w = d.weights
    per, _ = _domains(d, var, by, subset)
    dom = per.index.to_numpy()
    sums = d.psu_frame({"swy": lambda t: (t[w] * t[var]).sum(where=t[var].notnull())}, [by] if by else [],
                       where=None if subset is None else lambda t: t[subset])
    sums["_g"] = 0 if by is None else sums[by]
    swy = sums.dropna(subset=["_g"]).groupby("_g")["swy"].sum().reindex(dom, fill_value=0.0).to_numpy()
    W = per["sw"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = swy / W
    infl = {g: (lambda t, g=g, e=e, s=s: _inside(t, var, by, g, subset).ifelse(t[w] * (t[var] - float(e)) / float(s), 0.0))
            for g, e, s in zip(dom, est, W)}
    var_est = d.influence_variance(infl)
    # R's deff: over the SRS variance without replacement, from svyvar's weighted n/(n - 1) variance
    t = d.table if subset is None else d.table.filter(d.table[subset])
    centre = ibis.cases(*[(_inside(t, var, by, g), float(e)) for g, e in zip(dom, est)], else_=np.nan) \
        if len(dom) else ibis.literal(np.nan)
    key = [t[by]] if by else []
    ss = (t.group_by(key).aggregate(ss=(t[w] * (t[var] - centre) ** 2).sum(where=t[var].notnull()))
          if key else t.aggregate(ss=(t[w] * (t[var] - centre) ** 2).sum(where=t[var].notnull()))).to_pandas()
    ss["_g"] = 0 if by is None else ss[by]
    ss = ss.dropna(subset=["_g"]).set_index("_g")["ss"].reindex(dom).to_numpy(float)
    nobs = per["kept"].to_numpy(float)
    n = per["n"].to_numpy(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        vsrs = ss / W * nobs / (nobs - 1) * (W - nobs) / (W * nobs)
        deff = np.where(W >= nobs, var_est / vsrs, np.nan)
    return _frame(by, by_levels, dom, est, var_est, n, np.full(len(dom), _subset_degf(d, subset)), level, deff=deff)


def quantile(d: OutOfCoreDesign, var: str, probs, by: str | None = None, by_levels=None,
             level: float = 0.95, subset: str | None = None) -> pd.DataFrame:
    """``[by,] prob, estimate, se, ci_low, ci_high, df, n`` as ``analysis.quantile(..., by=)``."""
    w = d.weights
    probs = np.atleast_1d(np.asarray(probs, dtype=float))
    per, df = _domains(d, var, by, subset)
    rows_of = d.table if subset is None else d.table.filter(d.table[subset])
    rows = []
    for (g, row), dfg in zip(per.iterrows(), df):
        crit = stats.t.ppf(1 - (1 - level) / 2, dfg)
        total = float(row["sw"]) if row["kept"] else 0.0
        view = SimpleNamespace(table=rows_of if by is None else rows_of.filter(rows_of[by] == int(g)), weights=w)
        cdf = _Cdf(view, var, total, row["lo"], row["hi"], int(row["kept"]))
        for p in probs:
            est = cdf.quantile(p)
            share = np.nan
            if np.isfinite(est):
                below = rows_of.aggregate(b=rows_of[w].sum(where=_inside(rows_of, var, by, g) & (rows_of[var] <= est))
                                          ).to_pandas()["b"].iat[0]
                share = float(below or 0.0) / float(row["sw"])
            infl = {0: lambda t, g=g, est=est, share=share: _inside(t, var, by, g, subset).ifelse(
                t[w] * ((t[var] <= est).cast("float64") - share) / float(row["sw"]), 0.0)}
            half = crit * np.sqrt(d.influence_variance(infl)[0]) if np.isfinite(share) else np.nan
            low = cdf.quantile(share - half) if share - half >= 0 else np.nan
            high = cdf.quantile(share + half) if share + half <= 1 else np.nan
            rows.append((g, p, est, (high - low) / (2 * crit), low, high, dfg, int(row["n"])))
    out = pd.DataFrame(rows, columns=["_g", "prob", "estimate", "se", "ci_low", "ci_high", "df", "n"])
    if by is None:
        return out.drop(columns="_g")
    out.insert(0, by, np.asarray(by_levels, dtype=object)[out.pop("_g").to_numpy()] if by_levels is not None
               else out.pop("_g"))
    return out


def _frame(by, by_levels, dom, est, var_est, n, df, level, deff) -> pd.DataFrame:
    bad = n == 0
    est = np.where(bad, np.nan, est)
    se = np.sqrt(np.where(bad, np.nan, var_est))
    crit = stats.t.ppf(1 - (1 - level) / 2, df)
    out = pd.DataFrame({"estimate": est, "se": se, "ci_low": est - crit * se, "ci_high": est + crit * se,
                        "df": df, "n": n, "deff": np.where(bad, np.nan, deff)})
    if by is not None:
        out.insert(0, by, np.asarray(by_levels, dtype=object)[dom] if by_levels is not None else dom)
    return out
