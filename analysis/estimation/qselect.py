"""R's ``qrule_math`` quantiles without sorting every row: a selection, then a short sort.

:func:`analysis.estimation.qrule.qrule_math` needs the sorted values and their cumulative
weights, but only near ``p W`` (W the total weight): there the quantile is the first value
whose cumulative weight passes ``p W``.  A strided sample of the rows says roughly where that
value lies; one pass keeps the rows whose value falls in a window around it and sums the
weight of the rows below; only the window (a few percent of the rows) is sorted.

R sums the weights in sorted order in extended precision; this path sums them in another
order, which changes the last bits of the cumulative weights.  That cannot change the answer
unless ``p W`` lies within the possible rounding difference of a cumulative weight, so such a
near tie is decided by the full sort (:class:`Quantiles` falls back to it), as is a window
that missed, negative weights and small data.  Whole-number weights sum exactly in any order
(below 2**53): their ties at ``p W`` (equal weights, p = 0.5) are decided here exactly as R does.
"""

from __future__ import annotations

import numpy as np

from analysis.estimation.qrule import qrule_math, sorted_cumweights, stable_order

MIN_ROWS = 50_000    # below this a full sort costs less than the passes here
SAMPLE = 16_384      # rows in the strided sample that places the windows
WIDEN = (6.0, 24.0)  # window half-widths tried, in sampling SEs of the sample's weighted CDF
_EPS_LD, _EPS = float(np.finfo(np.longdouble).eps), float(np.finfo(float).eps)


class Quantiles:
    """``qrule_math(*sorted_cumweights(x, w), p)`` for any number of ``p``, the rows sorted
    only when needed.  ``x`` (no NaN) and ``w`` are not copied; zero weights are dropped."""

    def __init__(self, x: np.ndarray, w: np.ndarray):
        positive = bool((w > 0).all())
        if not positive:
            keep = w != 0
            x, w = x[keep], w[keep]
            positive = bool((w > 0).all())
        self.x, self.w = x, w
        self._sorted, self._cuts = None, []
        self.fast = positive and len(x) >= max(MIN_ROWS, 4)   # negative weights: the full sort
        if self.fast:
            self.total = float(np.sum(w))
            # R's sums (in order, extended precision, rounded to float) and these (numpy's pairwise
            # float sums, a window's cumulative sum in extended precision) differ by less than this
            self.margin = (4 * len(x) * _EPS_LD + (48 + 4 * np.log2(len(x))) * _EPS) * self.total
            step = max(len(x) // SAMPLE, 1)
            sx, sw = x[::step], w[::step]
            order = np.argsort(sx)
            self._sample_x = sx[order]
            self._sample_share = np.cumsum(sw[order]) / sw.sum()
            self._sample_eff = sw.sum() ** 2 / np.dot(sw, sw)   # Kish's effective sample size
            self._whole = None

    def __call__(self, probs) -> np.ndarray:
        """The quantile at each of ``probs`` (NaN for a NaN probability)."""
        probs = np.asarray(probs, dtype=float)
        out = np.full(probs.shape, np.nan)
        todo = np.flatnonzero(np.isfinite(probs))
        if len(self.x) == 0:
            return out
        if self.fast:
            for xs, cum in self._cuts:   # windows sorted before (a CI's ends lie near its estimate)
                todo = self._fill(out, todo, probs, xs, cum)
            for half in WIDEN:
                for group in self._windows(probs[todo], half):
                    self._cuts.append(self._cut(probs[todo[group]], half))
                    self._fill(out, todo[group], probs, *self._cuts[-1])
                todo = todo[np.isnan(out[todo])]
                if not len(todo):
                    return out
        xs, cum, total = self._full()
        out[todo] = [qrule_math(xs, cum, total, p) for p in probs[todo]]
        return out

    def _full(self):
        if self._sorted is None:   # in order first: sorted_cumweights' stable sort is then one pass
            order = stable_order(self.x)
            self._sorted = sorted_cumweights(self.x[order], self.w[order])
        return self._sorted

    def _windows(self, probs: np.ndarray, half: float) -> list[np.ndarray]:
        """Indices of ``probs`` grouped so that close probabilities share one window."""
        order = np.argsort(probs)
        groups, last = [], -np.inf
        for i in order:
            low = probs[i] - self._halfwidth(probs[i], half)
            if groups and low <= last:
                groups[-1].append(i)
            else:
                groups.append([i])
            last = probs[i] + self._halfwidth(probs[i], half)
        return [np.array(g) for g in groups]

    def _halfwidth(self, p: float, half: float) -> float:
        m = self._sample_eff
        return half * np.sqrt(max(p * (1 - p), 1 / m) / m) + 2 / len(self._sample_x)

    def _cut(self, probs: np.ndarray, half: float):
        """The sorted values and cumulative weights of the rows between two sample quantiles
        around ``probs``, ``half`` sampling SEs beyond them (or from the first or to the last row)."""
        s = self._sample_share
        lo_p = probs.min() - self._halfwidth(probs.min(), half)
        hi_p = probs.max() + self._halfwidth(probs.max(), half)
        lo = self._sample_x[min(np.searchsorted(s, lo_p), len(s) - 1)] if lo_p > 0 else -np.inf
        hi = self._sample_x[min(np.searchsorted(s, hi_p), len(s) - 1)] if hi_p < 1 else np.inf
        x, w = self.x, self.w
        rows = np.flatnonzero((x >= lo) & (x <= hi))   # ties with lo or hi stay together, inside
        below = float(np.sum(w[x < lo])) if lo > -np.inf else 0.0
        xc = x[rows]
        # the order among ties changes a cumulative weight only in its last bits (a near tie,
        # caught by the margin) and never the value taken: no need for a stable sort
        order = np.argsort(xc)
        return xc[order], (np.cumsum(w[rows][order], dtype=np.longdouble) + below).astype(float)

    def _fill(self, out: np.ndarray, todo: np.ndarray, probs: np.ndarray, xs, cum) -> np.ndarray:
        """Set ``out[i]`` for the ``i`` in ``todo`` whose quantile this window decides; the
        ``todo`` left: the crossing of ``p W`` lies outside the window, or a near tie needs
        the full sort."""
        left = []
        for i in todo:
            p = probs[i]
            target = p * self.total
            pos = int(np.searchsorted(cum, target, side="right")) - 1
            if pos < 0 or pos >= len(cum) - 1:   # outside the window (or p W before the first row)
                left.append(i)
            elif cum[pos] < target - self.margin and cum[pos + 1] > target + self.margin:
                out[i] = xs[pos + 1]   # clear of a tie: p - cum/W is nonzero, qrule takes the next row
            elif self._whole_weights():   # sums are exact: the same cumulative weights and total as R's
                out[i] = xs[pos] if p - cum[pos] / self.total == 0 else xs[pos + 1]
            else:
                left.append(i)
        return np.array(left, dtype=np.int64)

    def _whole_weights(self) -> bool:
        """Whether every weight is a whole number and their total below 2**53 (sums exact)."""
        if self._whole is None:
            w = self.w
            self._whole = bool(self.total < 2.0 ** 53 and (w == np.floor(w)).all())
        return self._whole
