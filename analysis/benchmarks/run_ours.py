"""Our engine's runner: ``python -m analysis.benchmarks.run_ours DATA CALLS OUT [OPERATION ...]``
(see :mod:`analysis.benchmarks.operations`)."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.benchmarks.operations import run
from analysis.estimation.contingency import crosstab
from analysis.estimation.estimates import mean, quantile
from analysis.estimation.models import logistic
from analysis.estimation.survey_design import SurveyDesign


def load(path: Path) -> pd.DataFrame:
    """The Parquet file a column at a time (``pd.read_parquet`` holds the whole Arrow table and
    its conversion at once: ~100 MB more at its peak for this file), as R's ``read.csv`` types
    them: whole numbers as 32-bit integers (the estimators see them as float64 either way);
    text as categories (R's factor, levels sorted; one byte per row instead of a string).

    Arrow's buffers come from the C library's malloc, and what reading freed is handed back to
    the system once at the end (Arrow's own allocator kept ~40 MB of it for good)."""
    pa.set_memory_pool(pa.system_memory_pool())
    text = [c.name for c in pq.read_schema(path) if pa.types.is_string(c.type) or pa.types.is_large_string(c.type)]
    f = pq.ParquetFile(path, read_dictionary=text)
    columns = {}
    for name in f.schema_arrow.names:
        values = f.read(columns=[name], use_threads=False).column(0)
        if pa.types.is_integer(values.type) and _fits_int32(values):
            values = values.cast(pa.int32())
        column = values.to_pandas()
        if name in text:   # the levels sorted, as R's factor()
            column = column.cat.set_categories(sorted(column.cat.categories))
        columns[name] = column
    _release_freed_memory()
    return pd.DataFrame(columns, copy=False)


def _fits_int32(values) -> bool:
    low, high = pc.min_max(values).values()
    return low.as_py() is None or (-2 ** 31 <= low.as_py() and high.as_py() < 2 ** 31)


def _release_freed_memory() -> None:
    """glibc's malloc_trim: free heap pages back to the system (elsewhere: nothing to do)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def design(df: pd.DataFrame) -> SurveyDesign:
    return SurveyDesign(df, weights="w", strata="stratum", psu="psu", nest=True)


def _crosstab(d):
    t = crosstab(d, "r2", "c5")
    return [*np.ravel(t.total_percent.to_numpy(), order="F") / 100,
            *np.ravel(t.total_percent_se.to_numpy(), order="F") / 100, *t.rao_scott]


def _median(d):
    q = quantile(d, "y", 0.5).iloc[0]
    return [q.estimate, q.ci_low, q.ci_high, q.se]


def _logistic(d):
    m = logistic(d, "b ~ x1 + x2 + x3 + x4")
    return [*m["coef"], *m["se"]]


STEPS = {
    "mean": lambda d: mean(d, "y")[["estimate", "se"]].to_numpy().ravel(),
    "domains": lambda d: mean(d, "y", by="dom")[["estimate", "se"]].to_numpy().ravel(),
    "crosstab": _crosstab,
    "logistic": _logistic,
    "median": _median,
}

if __name__ == "__main__":
    run(load, design, STEPS, sys.argv[1:])
