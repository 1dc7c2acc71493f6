"""The engines an :class:`~analysis.outofcore.OutOfCoreDesign` runs on, through Ibis.

* DuckDB, embedded (the default): ``duckdb_connection(memory_limit="1GB", threads=2)``;
  DuckDB spills to disk past its memory limit, so the rows never have to fit in memory.
* Spark: ``spark_connection("spark://host:7077")`` (or ``"local[2]"``, or ``"yarn"``, or an
  existing ``SparkSession``); the same Ibis expressions compile to Spark SQL, and only
  PSU-level sums come back to the driver.

``read_parquet(con, path)`` gives the table: one Parquet file, a folder of them or a
glob; on a cluster, a path every executor can read (HDFS, S3, a shared disk).
"""

from __future__ import annotations

from pathlib import Path

import ibis


def duckdb_connection(memory_limit: str = "1GB", threads: int = 2, temp_directory: str | None = None):
    """An in-process DuckDB with a memory limit (it spills past it) and a thread count."""
    config = {"memory_limit": memory_limit, "threads": threads, "preserve_insertion_order": False}
    if temp_directory:
        config["temp_directory"] = str(temp_directory)
    con = ibis.duckdb.connect(**config)
    con.raw_sql("SET enable_progress_bar = false")   # a session option, not a database one
    return con


def spark_connection(master="local[2]", app_name: str = "survey-outofcore", **conf):
    """Ibis on Spark: ``master`` is a master URL (a SparkSession is built or reused) or a
    SparkSession; ``conf`` are Spark settings (e.g. ``{"spark.executor.memory": "4g"}``)."""
    from pyspark.sql import SparkSession

    if isinstance(master, SparkSession):
        session = master
    else:
        builder = SparkSession.builder.master(master).appName(app_name).config("spark.ui.enabled", "false")
        for key, value in conf.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
    return ibis.pyspark.connect(session)


def read_parquet(con, path: str | Path) -> ibis.Table:
    """The Parquet file(s) at ``path`` as an Ibis table of ``con``'s engine."""
    path = str(path)
    if con.name == "duckdb" and Path(path).is_dir():
        path = str(Path(path) / "**" / "*.parquet")
    return con.read_parquet(path)
