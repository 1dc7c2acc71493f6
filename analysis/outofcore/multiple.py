"""A select_multiple question's shares per domain, out of core: :func:`analysis.estimation.estimates.shares`
(the share choosing each option among those asked, ``svyciprop`` logit intervals, ``svymean``
design effects) on an :class:`~analysis.outofcore.OutOfCoreDesign`.

The columns are the options' 0/1 values (null: not asked), as
:func:`analysis.dataset.answer_columns.dummy_parts` makes them; ``by`` holds integer domain codes.
One aggregation gives per PSU x domain the weighted sums of the answered rows and of each option;
the influence value of option j's share in domain g is w (x_j - p_gj) / W_g on the domain's
answered rows (:meth:`OutOfCoreDesign.influence_variance`), as :mod:`analysis.outofcore.shares`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.outofcore.design import OutOfCoreDesign
from analysis.outofcore.shares import _degf, domain_groups, share_deff, share_rows


def options(d: OutOfCoreDesign, columns: list[str], by: str | None = None, by_levels=None, level: float = 0.95,
            subset: str | None = None) -> pd.DataFrame:
    """``[by,] level, estimate, se, ci_low, ci_high, df, n, deff, count`` (``level``: the column's
    name; ``count``: the rows choosing it), one row per observed domain (code order) x column."""
    w = d.weights
    first = columns[0]   # every option is null together (not asked) or none is
    sums = {"sw": lambda t: t[w].sum(where=t[first].notnull()), "n": lambda t: t[first].count(),
            "nz": lambda t: t.count(where=t[w] != 0), "nobs": lambda t: t.count(where=t[first].notnull() & (t[w] != 0))}
    for j, c in enumerate(columns):
        sums[f"x{j}"] = lambda t, c=c: (t[w] * t[c]).sum()
        sums[f"k{j}"] = lambda t, c=c: t.count(where=t[c] == 1)
    frame = d.psu_frame(sums, [] if by is None else [by], where=None if subset is None else lambda t: t[subset])
    frame, domains, g = domain_groups(frame, by)
    k, L = len(domains), len(columns)
    nz = frame["nz"].to_numpy(dtype=float)
    df = np.array([_degf(d, frame.loc[(g == j) & (nz > 0), "code"]) for j in range(k)], dtype=float)
    per = lambda name: np.bincount(g, weights=frame[name].to_numpy(dtype=float, na_value=0.0), minlength=k)  # noqa: E731
    wsum, n, nobs = per("sw"), per("n").astype(np.int64), per("nobs")
    x = np.column_stack([per(f"x{j}") for j in range(L)])
    chose = np.column_stack([per(f"k{j}") for j in range(L)]).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / wsum[:, None]
    infl = {(j, c): _influence(w, columns, by, int(dom), c, p[j, c], wsum[j], subset)
            for j, dom in enumerate(domains) for c in range(L)}
    var_p = d.influence_variance(infl).reshape(k, L)
    bad = (n == 0)[:, None]
    p = np.where(bad, np.nan, p)
    se = np.where(bad, np.nan, np.sqrt(var_p))
    out = share_rows(columns, p, se, level, df, n, by, by_levels, domains)
    out["deff"] = np.where(bad, np.nan, share_deff(p, var_p, wsum, nobs)).ravel()
    out["count"] = chose.ravel()
    return out


def _influence(w, columns, by, dom, c, p, wsum, subset):
    def fn(t):
        inside = t[columns[0]].notnull() if by is None else t[columns[0]].notnull() & (t[by] == dom)
        inside = inside if subset is None else inside & t[subset]
        return inside.ifelse(t[w] * (t[columns[c]].cast("float64") - float(p)) / float(wsum), 0.0)
    return fn
