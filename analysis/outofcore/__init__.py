"""Out-of-core survey estimation: the estimators' row-level work pushed down to an engine.

An :class:`OutOfCoreDesign` wraps an Ibis table (Parquet files read by DuckDB in this
process, or by Spark on a cluster); :func:`mean`, :func:`crosstab` and :func:`quantile`
give the in-memory engine's results (``analysis.mean``/``crosstab``/``quantile``) from
group sums to PSU level, without loading the rows.  :mod:`analysis.outofcore.engines`
opens the engines; :mod:`analysis.outofcore.bench` is ``python -m analysis.bench --out-of-core``.
"""

from analysis.outofcore.design import OutOfCoreDesign
from analysis.outofcore.engines import duckdb_connection, read_parquet, spark_connection
from analysis.outofcore.estimates import crosstab, mean
from analysis.outofcore.quantiles import quantile

__all__ = ["OutOfCoreDesign", "crosstab", "duckdb_connection", "mean", "quantile", "read_parquet",
           "spark_connection"]
