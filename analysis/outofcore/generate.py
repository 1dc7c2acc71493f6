"""The benchmark design as Parquet, written in chunks: ``write_design(path, rows)``.

The design of the speed benchmark (issue 22, section 1) at any number of rows: by
default 500 strata of 20 PSUs each (10,000 PSUs), no fpc, one row per person:

* ``stratum`` (int32, 0..499) and ``psu`` (int32, 0..9,999, unique over strata): row i
  (counted over the whole file) is in PSU ``i % psus``, so PSUs are equal in size (±1)
  and every PSU has rows once ``rows >= psus``; PSU p is in stratum ``p // (psus / strata)``.
* ``weight`` (float64): the PSU's base weight (uniform 50-150) times a person's
  non-response adjustment (uniform 0.8-1.25).
* ``income`` (float64): lognormal with stratum and PSU effects (so the design effect is
  not 1); 1% missing (null).
* ``kecamatan`` (text, 5 levels, shares 30/25/20/15/10%): the domains of "mean by 5 domains".
* ``has_internet`` (int8, 0/1, more likely with income) x ``education`` (int8, 1..5, rises
  with income; 0.5% missing): the 2x5 cross-tab.

Reproducible: the PSU and stratum effects come from ``numpy.random.default_rng(seed)``
and chunk k of ``CHUNK`` rows from ``default_rng([seed, k])``, so a file depends only on
(rows, strata, psus, seed).  Memory stays at one chunk (~40 MB) however many rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CHUNK = 1_000_000
SEED = 20240701
KECAMATAN = np.array(["Banjarsari", "Jebres", "Laweyan", "Pasar Kliwon", "Serengan"])
_KEC_SHARES = np.array([0.30, 0.25, 0.20, 0.15, 0.10])


def write_design(path: Path | str, rows: int, strata: int = 500, psus: int = 10_000,
                 seed: int = SEED) -> Path:
    """Write ``rows`` rows of the design to one Parquet file (a row group per chunk)."""
    if psus % strata:
        raise ValueError(f"psus ({psus}) must be a multiple of strata ({strata})")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    base_weight = rng.uniform(50, 150, psus)
    stratum_effect = rng.normal(0, 0.3, strata)
    psu_effect = rng.normal(0, 0.2, psus)
    per_stratum = psus // strata
    tmp = path.with_suffix(".parquet.tmp")
    with pq.ParquetWriter(tmp, _SCHEMA) as writer:
        for k, start in enumerate(range(0, rows, CHUNK)):
            n = min(CHUNK, rows - start)
            psu = (np.arange(start, start + n, dtype=np.int64) % psus).astype(np.int32)
            stratum = (psu // per_stratum).astype(np.int32)
            writer.write_table(_chunk(np.random.default_rng([seed, k]), psu, stratum, base_weight,
                                      stratum_effect, psu_effect), row_group_size=CHUNK)
    tmp.replace(path)
    return path


def _chunk(rng, psu, stratum, base_weight, stratum_effect, psu_effect) -> pa.Table:
    n = len(psu)
    log_income = 14.5 + stratum_effect[stratum] + psu_effect[psu] + rng.normal(0, 0.8, n)
    income = np.exp(log_income)
    z = (log_income - 14.5) / 0.9
    has_internet = (rng.random(n) < 1 / (1 + np.exp(-(0.4 + 1.2 * z)))).astype(np.int8)
    education = np.clip(np.round(3 + 1.1 * z + rng.normal(0, 1, n)), 1, 5).astype(np.int8)
    kecamatan = KECAMATAN[np.searchsorted(np.cumsum(_KEC_SHARES), rng.random(n) * 0.999999)]
    return pa.table({
        "stratum": stratum, "psu": psu,
        "weight": base_weight[psu] * rng.uniform(0.8, 1.25, n),
        "income": pa.array(income, mask=rng.random(n) < 0.01),
        "kecamatan": pa.array(kecamatan, pa.string()),
        "has_internet": has_internet,
        "education": pa.array(education, mask=rng.random(n) < 0.005),
    }, schema=_SCHEMA)


_SCHEMA = pa.schema([("stratum", pa.int32()), ("psu", pa.int32()), ("weight", pa.float64()),
                     ("income", pa.float64()), ("kecamatan", pa.string()),
                     ("has_internet", pa.int8()), ("education", pa.int8())])
