"""The out-of-core estimators on Spark (local, through Ibis's PySpark backend) give the same
numbers as on DuckDB and as the in-memory engine.  Marked ``spark``: the quick loop skips
it with ``-m "not spark"``; the full suite runs it (it needs Java: Debian's JRE, from .ci/run).
"""

import shutil

import pandas as pd
import pytest

import analysis
from analysis import outofcore
from analysis.outofcore.bench import DESIGN, differences, numbers, run
from analysis.outofcore.generate import write_design

pytestmark = [pytest.mark.spark,
              pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
              pytest.mark.filterwarnings("ignore:fetch_arrow_table\\(\\) is deprecated"),
              pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),   # pyspark 4.0 on pandas 3
              pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java (default-jre-headless)")]


@pytest.fixture(scope="module")
def spark():
    # small data: few partitions, no whole-stage code generation, a JVM that starts fast
    con = outofcore.spark_connection("local[2]", **{
        "spark.sql.shuffle.partitions": "2", "spark.driver.memory": "1g", "spark.sql.codegen.wholeStage": "false",
        "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"})
    yield con
    con._session.stop()


def test_spark_duckdb_and_in_memory_agree(spark, tmp_path):
    path = write_design(tmp_path / "design.parquet", 6_000, strata=10, psus=60)
    on_spark = run(outofcore.OutOfCoreDesign(outofcore.read_parquet(spark, path), **DESIGN), outofcore)
    duck = outofcore.duckdb_connection(memory_limit="256MB")
    on_duckdb = run(outofcore.OutOfCoreDesign(outofcore.read_parquet(duck, path), **DESIGN), outofcore)
    in_memory = run(analysis.SurveyDesign(pd.read_parquet(path), **DESIGN), analysis)
    a, b, c = numbers(on_spark), numbers(on_duckdb), numbers(in_memory)
    for other in (b, c):
        diffs = differences(a, other)
        assert max(diffs.values()) <= 1e-9, {k: v for k, v in diffs.items() if v > 1e-9}
    assert list(on_spark["mean_by"]["kecamatan"]) == list(in_memory["mean_by"]["kecamatan"])
