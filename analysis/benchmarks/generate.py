"""The benchmark's design: a seeded stratified cluster sample written to Parquet and CSV.

``generate(rows, path)`` (default 1,000,000 rows) draws, with ``numpy.random.default_rng(SEED)``:

* ``stratum``: 500 strata (int codes 1..500, equal size), ``psu``: 10,000 PSUs, 20 per stratum,
  numbered 1..10,000 across strata (so nested ids are unique), rows spread evenly over PSUs;
* ``w``: sampling weights, a per-PSU factor (uniform 50-150) times a per-row one (0.8-1.2);
* ``y``: numeric, a stratum effect + a PSU effect + noise (so the design effect is real);
* ``b``: binary 0/1, logistic in ``x1..x4`` plus a PSU effect;
* ``dom``: 5-level text domain "d1".."d5"; ``r2`` ("a", "b") and ``c5`` ("c1".."c5"): the
  cross-tab's 2 and 5 levels, ``c5`` leaning on ``r2`` so the test has something to find;
* ``x1``, ``x2``, ``x3``: numeric predictors, ``x4``: a 0/1 predictor.

With fewer rows the strata and PSUs shrink in proportion (at least 2 PSUs of 2 rows per stratum),
so the same generator gives the agreement test's small data.  Scaled PSU counts are kept even
within strata: no lonely PSUs, and every tool's default handles the design.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261207
ROWS = 1_000_000
STRATA = 500
PSUS = 10_000


def shape(rows: int) -> tuple[int, int]:
    """(strata, PSUs) for ``rows``: 500 and 10,000 at 1,000,000 rows, fewer below."""
    psus = max(4, min(PSUS, rows // 100 if rows >= 100 * PSUS else rows // 4))
    strata = max(2, min(STRATA, psus // 20 if psus >= 20 * STRATA else psus // 2))
    return strata, strata * (psus // strata)


def frame(rows: int = ROWS, seed: int = SEED) -> pd.DataFrame:
    """The benchmark's data as a DataFrame (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n_strata, n_psu = shape(rows)
    psu = np.sort(rng.integers(0, n_psu, rows))
    psu[:n_psu] = np.arange(n_psu)       # every PSU has rows
    psu = np.sort(psu)
    stratum = psu // (n_psu // n_strata)
    psu_effect = rng.normal(0, 1, n_psu)
    w = rng.uniform(50, 150, n_psu)[psu] * rng.uniform(0.8, 1.2, rows)
    x1, x2, x3 = rng.normal(0, 1, rows), rng.normal(2, 1, rows), rng.uniform(0, 10, rows)
    x4 = (rng.random(rows) < 0.4).astype(np.int64)
    eta = -0.5 + 0.6 * x1 - 0.3 * x2 + 0.1 * x3 + 0.8 * x4 + 0.5 * psu_effect[psu]
    b = (rng.random(rows) < 1 / (1 + np.exp(-eta))).astype(np.int64)
    y = 50 + 0.02 * stratum + 3 * psu_effect[psu] + 2 * x1 + rng.normal(0, 10, rows)
    r2 = np.where(rng.random(rows) < 0.45, "a", "b")
    shift = np.where(r2 == "a", 0, 1)    # "b" rows move up one column 10% of the time
    level = np.minimum(rng.integers(0, 5, rows) + shift * (rng.random(rows) < 0.1), 4)
    c5 = np.array(["c1", "c2", "c3", "c4", "c5"])[level]
    dom = np.array(["d1", "d2", "d3", "d4", "d5"])[rng.integers(0, 5, rows)]
    return pd.DataFrame({"stratum": stratum + 1, "psu": psu + 1, "w": w, "y": y, "b": b, "dom": dom,
                         "r2": r2, "c5": c5, "x1": x1, "x2": x2, "x3": x3, "x4": x4})


def generate(rows: int, folder: Path, seed: int = SEED) -> tuple[Path, Path]:
    """Write the data to ``folder/design_<rows>.parquet`` and ``.csv`` (R reads the CSV);
    files already there for the same rows and seed are reused."""
    folder.mkdir(parents=True, exist_ok=True)
    parquet, csv = folder / f"design_{rows}_{seed}.parquet", folder / f"design_{rows}_{seed}.csv"
    if not (parquet.exists() and csv.exists()):
        df = frame(rows, seed)
        df.to_parquet(parquet, index=False)
        df.to_csv(csv, index=False, float_format="%.17g")
    return parquet, csv
