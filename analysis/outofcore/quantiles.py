"""Quantiles with Woodruff intervals out of core: R's ``svyquantile`` (qrule "math").

As :func:`analysis.quantile` (no domains): the p-quantile is the smallest value whose
cumulative weight share reaches p (:func:`analysis.estimation.qrule.qrule_math`); the
interval is Woodruff's (1952): the "mean" interval of the share of weight at or below the
quantile, mapped back through the same rule.

The weighted CDF is found without sorting the rows, by histogram refinement: a pass
splits the current value range into ``BINS`` bins and sums weights and counts per bin
(with each bin's smallest and largest value, so the next range is exact data values);
the bin where the cumulative weight crosses p*W becomes the range of the next pass.
Once a range holds at most ``FETCH`` rows (or a single value) those rows come back,
sorted, and the in-memory rule finishes with the weight below the range added, so the
result is the same data value the in-memory engine picks.  Each pass reads the
variable and the weight once; a skewed variable takes a few more passes.

Rows missing the variable are dropped and so are zero weights (as R's qrule); the
degrees of freedom count PSUs and strata among the rows kept (``degf(design[nas ==
0, ])``), and the SE is R's ``diff(ci) / (2 * qt(1 - alpha/2, df))``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.outofcore.design import OutOfCoreDesign

BINS = 4096
FETCH = 200_000


def quantile(d: OutOfCoreDesign, var: str, probs=(0.5,), level: float = 0.95) -> pd.DataFrame:
    """``prob, estimate, se, ci_low, ci_high, df, n`` as :func:`analysis.quantile`."""
    probs = np.atleast_1d(np.asarray(probs, dtype=float))
    if ((probs < 0) | (probs > 1)).any():
        raise ValueError(f"probs must lie in [0, 1], got {probs.tolist()}")
    w = d.weights
    kept = lambda t: t[var].notnull() & (t[w] != 0)  # noqa: E731
    first = d.psu_frame({"sw": lambda t: t[w].sum(where=kept(t)), "kept": lambda t: t.count(where=kept(t)),
                         "n": lambda t: t[var].count(), "lo": lambda t: t[var].min(where=kept(t)),
                         "hi": lambda t: t[var].max(where=kept(t))})
    df = float(d.degf_of(d.scatter(first["code"].to_numpy(), 0, first["kept"], 1)[:, 0]))
    n = int(first["n"].sum())
    total = float(first["sw"].sum())
    crit = stats.t.ppf(1 - (1 - level) / 2, df)
    cdf = _Cdf(d, var, total, first["lo"].min(), first["hi"].max(), int(first["kept"].sum()))
    rows = []
    for p in probs:
        est = cdf.quantile(p)
        # Woodruff: the share of weight at or below the estimate and its variance
        below, _ = d.psu_sums({"swb": lambda t: t[w].sum(where=t[var].notnull() & (t[var] <= est)),
                               "sw": lambda t: t[w].sum(where=t[var].notnull())})
        wsum = below["sw"].sum()
        with np.errstate(divide="ignore", invalid="ignore"):   # no rows kept: NaN, as in memory
            share = below["swb"].sum() / wsum
            half = crit * np.sqrt(d.variance((below["swb"] - share * below["sw"]) / wsum)[0])
        low = cdf.quantile(share - half) if share - half >= 0 else np.nan
        high = cdf.quantile(share + half) if share + half <= 1 else np.nan
        rows.append((p, est, (high - low) / (2 * crit), low, high, df, n))
    return pd.DataFrame(rows, columns=["prob", "estimate", "se", "ci_low", "ci_high", "df", "n"])


class _Cdf:
    """The weighted CDF of ``var`` over the rows kept, searched by histogram refinement
    (histograms are kept: the interval's ends usually fall in the median's bins)."""

    def __init__(self, d: OutOfCoreDesign, var: str, total: float, lo: float, hi: float, count: int):
        self.d, self.var, self.total = d, var, total
        self.lo, self.hi, self.count = float(lo), float(hi), count
        self.histograms: dict[tuple[float, float], pd.DataFrame] = {}
        self.fetched: dict[tuple[float, float], tuple[np.ndarray, np.ndarray]] = {}

    def _kept(self, t, lo, hi):
        x, w = t[self.var], t[self.d.weights]
        return x.notnull() & (w != 0) & (x >= lo) & (x <= hi)

    def quantile(self, p: float) -> float:
        """The in-memory qrule_math(p) over the rows kept."""
        if self.total == 0 or not np.isfinite(p):
            return np.nan
        target = p * self.total
        lo, hi = self.lo, self.hi
        below = 0.0            # weight of the rows under the range [lo, hi]
        count, weight = self.count, self.total   # at most FETCH rows in all: they come back at once
        while count > FETCH and lo < hi:
            bins = self._histogram(lo, hi)
            cum = below + np.cumsum(bins["w"].to_numpy())
            k = min(int(np.searchsorted(cum, target, side="left")), len(bins) - 1)  # first cum >= target
            below = below if k == 0 else float(cum[k - 1])
            lo, hi, count = float(bins["lo"].iat[k]), float(bins["hi"].iat[k]), int(bins["n"].iat[k])
            weight = float(bins["w"].iat[k])
        if lo == hi:
            if below == 0 and count == 1 and target < weight:   # qrule_math's first row: see _finish
                return self._next_value(lo)
            return lo
        return self._finish(p, lo, hi, below)

    def _next_value(self, value: float) -> float:
        """The smallest value kept above ``value`` (``value`` itself when there is none)."""
        t = self.d.table
        x = t[self.var]
        found = t.filter(self._kept(t, value, self.hi) & (x > value)).aggregate(v=x.min()).to_pandas()["v"].iat[0]
        return value if pd.isna(found) else float(found)

    def _histogram(self, lo: float, hi: float) -> pd.DataFrame:
        """Weight, count, smallest and largest value per bin of [lo, hi], bins in order."""
        if (lo, hi) not in self.histograms:
            t = self.d.table
            t = t.filter(self._kept(t, lo, hi))
            x = t[self.var]
            b = ((x - lo) * (BINS / (hi - lo))).floor().cast("int64").clip(upper=BINS - 1).name("bin")
            out = t.group_by(b).aggregate(w=t[self.d.weights].sum(), n=t.count(), lo=x.min(), hi=x.max())
            self.histograms[lo, hi] = out.to_pandas().sort_values("bin", ignore_index=True)
        return self.histograms[lo, hi]

    def _finish(self, p, lo, hi, below) -> float:
        """The rows in [lo, hi], sorted, and the in-memory rule with the weight below added."""
        xs, w = self._rows(lo, hi)
        cum = (below + np.cumsum(w.astype(np.longdouble))).astype(float)
        # qrule_math: the last cum <= p W; that row when its share is exactly p, else the next
        pos = int(np.searchsorted(cum, p * self.total, side="right")) - 1
        if pos < 0:   # p W below the first row's cum: R's qrule_math takes the next row when
            # that first row is the smallest of all (below == 0), else this one
            return float(xs[1] if below == 0 and len(xs) > 1 else xs[0])
        if pos == len(xs) - 1 or p - cum[pos] / self.total == 0:
            return float(xs[pos])
        return float(xs[pos + 1])

    def _rows(self, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
        """Values and weights of the rows kept in [lo, hi], sorted by value (fetched once)."""
        if (lo, hi) not in self.fetched:
            t = self.d.table
            t = t.filter(self._kept(t, lo, hi))
            rows = t.select(x=t[self.var], w=t[self.d.weights]).to_pandas()
            order = np.argsort(rows["x"].to_numpy(), kind="stable")
            self.fetched[lo, hi] = rows["x"].to_numpy()[order], rows["w"].to_numpy()[order]
        return self.fetched[lo, hi]
