"""Replicate weights from a design's strata and PSUs, as R's ``as.svrepdesign`` makes them.

Each function takes per-row stratum labels and PSU ids (PSUs unique across strata) and
returns ``Replicates``: per-row weight *multipliers* (n, R) - the analysis weights of
replicate r are ``multipliers[:, r] * weights`` - with R's ``scale`` and ``rscales``.
PSUs and strata are taken in order of first appearance in the data, as R's
``unique()`` does, so replicate r deletes (JK1, JKn) the same PSU as in R.

* JK1 (``jk1weights``): delete one PSU, the others times n/(n-1); scale (n-1)/n, times
  the fpc (N-n)/N when the design has one.
* JKn (``jknweights``): delete one PSU of stratum h, its other PSUs times n_h/(n_h-1);
  rscales (n_h-1)/n_h (times the stratum's fpc); lonely PSUs as the design says.
* BRR and Fay (``brrweights``): half-samples from the rows of R's Hadamard matrix
  (:mod:`analysis.estimation.replicate_hadamard`); the chosen PSU of each pair gets
  2 - rho, the other rho; scale 1/(R (1 - rho)^2).  Strata with more than 2 PSUs
  (an even number) are split into pairs in data order, as R's ``large="split"``.
* bootstrap (``bootweights``): Canty & Davison (1999) rescaled bootstrap: n_h PSUs
  drawn with replacement in each stratum, multipliers the number of draws; scale
  nbar/((nbar - 1)(R - 1)) with nbar the harmonic mean of PSUs per stratum.
* subbootstrap (``subbootweights``): n_h - 1 draws, times n_h/(n_h - 1); scale 1/(R-1).

The bootstraps use numpy's generator (``seed``), not R's: they are R's algorithm but not
R's random numbers.  To reproduce an R bootstrap, pass R's replicate weights to
:class:`analysis.estimation.replicate.ReplicateDesign`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.estimation.replicate_hadamard import hadamard


@dataclass(frozen=True)
class Replicates:
    multipliers: np.ndarray   # (n, R) replicate weight / full-sample weight
    scale: float
    rscales: np.ndarray       # (R,)


def _first_order(values) -> np.ndarray:
    """Codes 0.. in order of first appearance (R's match(x, unique(x)))."""
    return pd.factorize(pd.Series(values), sort=False)[0].astype(np.int64)


def _psu_strata(strata: np.ndarray, psu: np.ndarray):
    """PSU codes in first-appearance order, and each PSU's stratum code (first-appearance too)."""
    p = _first_order(psu)
    s = _first_order(strata)
    psu_stratum = np.empty(p.max() + 1, dtype=np.int64)
    psu_stratum[p] = s
    return p, psu_stratum


def _fpc_factor(popsize: float | None, n: int) -> float:
    if popsize is None or not np.isfinite(popsize):
        return 1.0
    if popsize < n:
        raise ValueError(f"Population size {popsize:g} is smaller than the sample ({n} PSUs).")
    return (popsize - n) / popsize


def jk1(psu: np.ndarray, popsize: float | None = None) -> Replicates:
    p = _first_order(psu)
    n = int(p.max()) + 1
    if n < 2:
        raise ValueError("JK1 needs at least two PSUs.")
    per_psu = np.full((n, n), n / (n - 1))
    np.fill_diagonal(per_psu, 0.0)
    return Replicates(per_psu[p], _fpc_factor(popsize, n) * (n - 1) / n, np.ones(n))


def jkn(strata: np.ndarray, psu: np.ndarray, popsize: np.ndarray | None = None,
        lonely_psu: str = "fail") -> Replicates:
    """``popsize``: per row, the population PSUs of the row's stratum (None: no fpc)."""
    p, psu_stratum = _psu_strata(strata, psu)
    n_strata = int(psu_stratum.max()) + 1
    columns, rscales = [], []
    for h in range(n_strata):
        mine = np.flatnonzero(psu_stratum == h)
        n_h = len(mine)
        in_h = psu_stratum[p] == h
        pop = None if popsize is None else float(popsize[np.argmax(in_h)])
        if pop is not None and pop == n_h:
            continue   # R: a stratum sampled whole has no replicates (survey.drop.replicates)
        if n_h == 1:
            if lonely_psu == "fail":
                raise ValueError(f"Stratum {strata[np.argmax(in_h)]!r} has only one PSU; "
                                 "build the design with lonely_psu='adjust', 'average' or 'remove'.")
            if lonely_psu == "adjust":
                columns.append(np.where(in_h, 0.0, n_strata / (n_strata - 1)))
                rscales.append((n_strata - 1) / n_strata)
            continue
        for j in mine:
            columns.append(np.where(in_h, np.where(p == j, 0.0, n_h / (n_h - 1)), 1.0))
            rscales.append(_fpc_factor(pop, n_h) * (n_h - 1) / n_h)
    if not columns:
        raise ValueError("All strata were sampled whole: the sample is the population.")
    n_psu = int(p.max()) + 1
    scale = n_psu / len(columns) if (lonely_psu == "average" and len(columns) < n_psu) else 1.0
    return Replicates(np.column_stack(columns), scale, np.array(rscales))


def _r_text(value) -> str:
    """A stratum label as R's as.character prints it (whole numbers without '.0')."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def brr(strata: np.ndarray, psu: np.ndarray, fay_rho: float = 0.0) -> Replicates:
    p, psu_stratum = _psu_strata(strata, psu)
    first_row = np.zeros(int(p.max()) + 1, dtype=np.int64)
    first_row[p[::-1]] = np.arange(len(p))[::-1]
    labels = np.array([_r_text(strata[i]) for i in first_row], dtype=object)
    ssize = pd.Series(labels).value_counts()
    if (ssize < 2).any():
        raise ValueError(f"BRR needs at least two PSUs in every stratum; strata "
                         f"{sorted(ssize.index[ssize < 2])} have one.")
    if (ssize % 2 == 1).any():
        raise ValueError(f"BRR splits large strata into pairs, so it needs an even number of PSUs; "
                         f"strata {sorted(ssize.index[ssize % 2 == 1])} have an odd number.")
    order = sorted(range(len(labels)), key=lambda i: (labels[i], i))   # R: order(sunq, match)
    half = np.zeros(len(labels), dtype=np.int64)     # 0/1: the PSU's side of its pair (R's weights[, 1])
    pair = np.zeros(len(labels), dtype=np.int64)     # R's weightstrata, 1..upto
    upto = 0
    for group in (sorted(ssize.index[ssize > 2]), None):   # large strata first, then the pairs
        strata_here = group if group is not None else [s for s in sorted(ssize.index) if ssize[s] == 2]
        for s in strata_here:
            rows = [i for i in order if labels[i] == s]
            half[rows] = np.arange(len(rows)) % 2
            pair[rows] = upto + 1 + np.arange(len(rows)) // 2
            upto += len(rows) // 2
    H = hadamard(upto)
    h = H[pair, :]                                 # R: H[1 + ii, i][match(weightstrata, ii)]
    chosen = np.where(h == 0, half[:, None] == 1, half[:, None] == 0)   # R: wa = weights[, h + 1]
    per_psu = np.where(chosen, 2 - fay_rho, fay_rho)
    R = H.shape[1]
    return Replicates(per_psu[p], 1.0 / (R * (1 - fay_rho) ** 2), np.ones(R))


def bootstrap(strata: np.ndarray, psu: np.ndarray, replicates: int = 50, seed=None,
              popsize: np.ndarray | None = None) -> Replicates:
    rng = np.random.default_rng(seed)
    p, psu_stratum = _psu_strata(strata, psu)
    counts = np.zeros((len(psu_stratum), replicates))
    for h in range(int(psu_stratum.max()) + 1):
        mine = np.flatnonzero(psu_stratum == h)
        shuffled = rng.permutation(mine)
        pop = None if popsize is None else popsize[np.argmax(psu_stratum[p] == h)]
        for r in range(replicates):
            if pop is None or not np.isfinite(pop):
                draw = rng.choice(shuffled, len(mine), replace=True)
            else:   # R: sample(rep(upsu, length = popsize), n) without replacement
                draw = rng.choice(np.resize(shuffled, int(pop)), len(mine), replace=False)
            counts[:, r] += np.bincount(draw, minlength=len(psu_stratum))
    nbar = 1 / np.mean(1 / np.bincount(psu_stratum))
    scale = nbar / ((nbar - 1) * (replicates - 1))
    return Replicates(counts[p], float(scale), np.ones(replicates))


def subbootstrap(strata: np.ndarray, psu: np.ndarray, replicates: int = 50, seed=None) -> Replicates:
    rng = np.random.default_rng(seed)
    p, psu_stratum = _psu_strata(strata, psu)
    counts = np.zeros((len(psu_stratum), replicates))
    for h in range(int(psu_stratum.max()) + 1):
        mine = np.flatnonzero(psu_stratum == h)
        n_h = len(mine)
        if n_h < 2:
            raise ValueError("The subbootstrap needs at least two PSUs in every stratum.")
        shuffled = rng.permutation(mine)
        for r in range(replicates):
            draw = rng.choice(shuffled, n_h - 1, replace=True)
            counts[:, r] += np.bincount(draw, minlength=len(psu_stratum)) * n_h / (n_h - 1)
    return Replicates(counts[p], 1.0 / (replicates - 1), np.ones(replicates))
