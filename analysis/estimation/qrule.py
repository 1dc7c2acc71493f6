"""R's ``qrule_math`` (survey 4.x default, Hyndman & Fan type 1 with weights).

The quantile is the smallest ``x`` whose cumulative weight share reaches
``p``; when the share equals ``p`` exactly at an observation, that
observation.  Cumulative weights are summed in extended precision in order,
as R's ``cumsum``/``sum`` do, so exact ties at ``p`` resolve as in R.
"""

from __future__ import annotations

import numpy as np


def sorted_cumweights(x: np.ndarray, w: np.ndarray):
    """Sort once for several probabilities: (sorted x, cumulative weights, total).

    Zero weights are dropped, as R's qrule functions do; ties keep row order.
    """
    keep = w != 0
    x, w = x[keep], w[keep]
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order].astype(np.longdouble))
    total = float(cum[-1]) if len(cum) else 0.0
    return x[order], cum.astype(float), total


def qrule_math(xs: np.ndarray, cum: np.ndarray, total: float, p: float) -> float:
    if len(xs) == 0 or not np.isfinite(p):
        return np.nan
    pos = max(int(np.searchsorted(cum, p * total, side="right")) - 1, 0)  # last cum <= p * total
    nxt = pos if pos == len(xs) - 1 else pos + 1
    wlow = p - cum[pos] / total
    return float(xs[pos] if wlow == 0 else xs[nxt])


def stable_order(x: np.ndarray) -> np.ndarray:
    """``np.argsort(x, kind="stable")`` by a quicksort and then the few ties put back in row
    order (a stable sort of floats costs half again as much); many ties: the stable sort."""
    order = np.argsort(x)
    xs = x[order]
    tied = np.flatnonzero(xs[1:] == xs[:-1])
    if len(tied) > len(x) // 16:
        return np.argsort(x, kind="stable")
    if len(tied):
        pos = np.union1d(tied, tied + 1)                       # positions in a run of ties
        run = np.cumsum(np.concatenate([[True], xs[1:] != xs[:-1]]))[pos]
        order[pos] = order[pos][np.lexsort((order[pos], run))]
    return order
