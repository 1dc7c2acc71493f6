"""Our engine's runner: ``python -m analysis.benchmarks.run_ours DATA CALLS OUT [OPERATION ...]``
(see :mod:`analysis.benchmarks.operations`)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from analysis.benchmarks.operations import run
from analysis.estimation.contingency import crosstab
from analysis.estimation.estimates import mean, quantile
from analysis.estimation.models import logistic
from analysis.estimation.survey_design import SurveyDesign


def load(path: Path) -> pd.DataFrame:
    """The Parquet file a column at a time (``pd.read_parquet`` holds the whole Arrow table and
    its conversion at once: ~100 MB more at its peak for this file)."""
    f = pq.ParquetFile(path)
    return pd.DataFrame({name: f.read(columns=[name], use_threads=False).column(0).to_pandas()
                         for name in f.schema_arrow.names}, copy=False)


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
