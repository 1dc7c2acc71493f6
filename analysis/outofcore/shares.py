"""Shares of a choice column per domain, out of core: :func:`analysis.proportion` (R's
``svyby(svyciprop)`` with logit intervals, ``svymean(deff=TRUE)``) on an
:class:`~analysis.outofcore.OutOfCoreDesign`, two-stage and post-stratified designs included.

The column holds integer codes 0..L-1 of the levels (null: missing), ``by`` integer codes
of the domains (null: outside every domain), as the in-memory ``factor_codes`` number them.
One aggregation gives the weighted sums per PSU x domain x level; the influence value of the
share of level l in domain g is w (I(y = l) - p_gl) / W_g on the domain's answered rows, whose
variance :meth:`OutOfCoreDesign.influence_variance` computes in the engine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.estimation import ciprop
from analysis.outofcore.design import OutOfCoreDesign


def proportion(d: OutOfCoreDesign, var: str, levels, by: str | None = None, by_levels=None,
               level: float = 0.95, deff: bool = False, counts: bool = False,
               subset: str | None = None) -> pd.DataFrame:
    """``[by,] level, estimate, se, ci_low, ci_high, df, n[, deff]`` as :func:`analysis.proportion`
    with ``ci_method="logit"``: one row per observed domain (in code order) x level.
    ``counts``: also ``count``, the rows answering each level in each domain.  ``subset``: a
    boolean column, the subpopulation (R's ``subset(design, ...)``: rows outside count zero)."""
    w = d.weights
    keys = [var] if by is None else [by, var]
    frame = d.psu_frame({"sw": lambda t: t[w].sum(), "n": lambda t: t.count(),
                         "nz": lambda t: t.count(where=t[w] != 0)}, keys,
                        where=None if subset is None else lambda t: t[subset])
    frame, domains, g = domain_groups(frame, by)
    k, n_levels = len(domains), len(levels)
    # R: svyciprop's df = degf(design[domain, ]), rows of the domain with a nonzero weight, answered or not
    used = frame[frame["nz"] > 0]
    df = np.array([_degf(d, used.loc[g[frame["nz"].to_numpy() > 0] == j, "code"]) for j in range(k)], dtype=float)
    answered = frame[var].notna().to_numpy()
    code = frame[var].to_numpy(dtype=float, na_value=-1).astype(np.int64)
    a, ga, ca = frame[answered], g[answered], code[answered]
    sums = np.zeros((k, n_levels))
    np.add.at(sums, (ga, ca), a["sw"].to_numpy(float))
    answers = np.zeros((k, n_levels))
    np.add.at(answers, (ga, ca), a["n"].to_numpy(float))
    wsum = sums.sum(axis=1)
    n = np.bincount(ga, weights=a["n"].to_numpy(float), minlength=k).astype(np.int64)
    nobs = np.bincount(ga, weights=a["nz"].to_numpy(float), minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = sums / wsum[:, None]
    infl = {}
    for j, dom in enumerate(domains):
        for lv in range(n_levels):
            infl[(j, lv)] = _influence(w, var, by, int(dom), lv, p[j, lv], wsum[j], subset)
    var_p = d.influence_variance(infl).reshape(k, n_levels)
    se = np.where(np.isnan(p), np.nan, np.sqrt(var_p))   # a domain nobody answered in: no SE, as in memory
    out = share_rows(levels, p, se, level, df, n, by, by_levels, domains)
    if deff:
        out["deff"] = share_deff(p, var_p, wsum, nobs).ravel()
    if counts:
        out["count"] = answers.ravel().astype(np.int64)
    return out


def share_rows(levels, p, se, level: float, df, n, by, by_levels, domains) -> pd.DataFrame:
    """The ``[by,] level, estimate, se, ci_low, ci_high, df, n`` rows of (domains x levels) shares ``p``
    and their SEs, with svyciprop's logit intervals on each domain's df."""
    k, n_levels = p.shape
    low, high = ciprop.ci_logit(p, se, level, df[:, None])
    out = pd.DataFrame({"level": np.tile(np.asarray(levels, dtype=object), k), "estimate": p.ravel(),
                        "se": se.ravel(), "ci_low": np.ravel(low), "ci_high": np.ravel(high),
                        "df": np.repeat(df, n_levels), "n": np.repeat(n, n_levels)})
    if by is not None:
        names = np.asarray(by_levels, dtype=object)[domains] if by_levels is not None else domains
        out.insert(0, by, np.repeat(names, n_levels))
    return out


def share_deff(p, var_p, wsum, nobs) -> np.ndarray:
    """R's svymean deff of (domains x levels) shares: the variance over the SRS variance without
    replacement (from svyvar's n/(n - 1)); NA when a domain's sum of weights is below its rows."""
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = p * (1 - p) * (nobs / (nobs - 1))[:, None]
        vsrs = s2 * ((wsum - nobs) / (wsum * nobs))[:, None]
        return np.where((wsum >= nobs)[:, None], var_p / vsrs, np.nan)


def _influence(w, var, by, dom, lv, p, wsum, subset):
    def fn(t):
        inside = t[var].notnull() if by is None else t[var].notnull() & (t[by] == dom)
        inside = inside if subset is None else inside & t[subset]
        hit = (t[var] == lv).cast("float64")
        return inside.ifelse(t[w] * (hit - float(p)) / float(wsum), 0.0)
    return fn


def domain_groups(frame: pd.DataFrame, by: str | None):
    """A PSU frame's rows with a domain (``by``'s code; one domain without ``by``), the domains
    observed in code order, and each row's position among them."""
    if by is None:
        frame["_g"] = 0
    else:
        frame = frame[frame[by].notna()]
        frame["_g"] = frame[by].astype(np.int64)
    domains = np.sort(frame["_g"].unique())
    return frame, domains, np.searchsorted(domains, frame["_g"].to_numpy())


def _degf(d: OutOfCoreDesign, codes: pd.Series) -> int:
    """PSUs minus strata among the PSUs ``codes`` (R's degf of a domain)."""
    present = np.unique(codes.to_numpy())
    return int(len(present) - len(np.unique(d.psus["stratum_code"].to_numpy()[present])))
