"""Out of core (DuckDB over Parquet) gives the in-memory engine's numbers, to 1e-9.

The Spark backend's test is tests/analysis/test_outofcore_spark.py (marked ``spark``).
"""

import json

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis import outofcore
from analysis.bench import main as bench_main
from analysis.estimation.survey_design import DesignError
from analysis.outofcore import quantiles as quantile_module
from analysis.outofcore.bench import DESIGN, differences, numbers, run
from analysis.outofcore.generate import write_design

# Ibis 12 on pandas 3 and DuckDB 2 warns about their deprecations on every query; not ours to fix
pytestmark = [pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
              pytest.mark.filterwarnings("ignore:fetch_arrow_table\\(\\) is deprecated")]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """20,000 rows of the benchmark's design in 20 strata of 10 PSUs."""
    return write_design(tmp_path_factory.mktemp("ooc") / "design.parquet", 20_000, strata=20, psus=200)


def awkward_frame() -> pd.DataFrame:
    """Ties, integer weights with zeros, missing values, a missing domain, text PSU ids, and
    a stratum with one PSU (lonely_psu="adjust")."""
    rng = np.random.default_rng(7)
    n = 3_000
    stratum = rng.integers(0, 6, n)
    psu = np.array([f"s{h}'p{k}" for h, k in zip(stratum, rng.integers(0, 5, n))], dtype=object)
    psu[stratum == 5] = "lonely"
    income = np.round(rng.lognormal(10, 1, n), -3)         # many ties
    income[rng.random(n) < 0.05] = np.nan
    kec = rng.choice(np.array(["Jebres", "Laweyan", "Pasar Kliwon", None], dtype=object), n)
    edu = rng.integers(1, 6, n).astype(float)
    edu[rng.random(n) < 0.03] = np.nan
    weight = rng.integers(0, 4, n).astype(float)               # integer weights, zeros among them
    return pd.DataFrame({"stratum": stratum, "psu": psu, "weight": weight, "income": income,
                         "kecamatan": kec, "has_internet": rng.integers(0, 2, n), "education": edu})


def designs(path, **options):
    con = outofcore.duckdb_connection(memory_limit="256MB", threads=2)
    ours = outofcore.OutOfCoreDesign(outofcore.read_parquet(con, path), **DESIGN, **options)
    theirs = analysis.SurveyDesign(pd.read_parquet(path), **DESIGN, **options)
    return ours, theirs


def assert_same(ours: dict, theirs: dict):
    diffs = differences(numbers(ours), numbers(theirs))
    assert max(diffs.values()) <= 1e-9, {k: v for k, v in diffs.items() if v > 1e-9}


def test_generated_design_equals_in_memory(generated):
    ours, theirs = designs(generated)
    assert ours.degf == theirs.degf == 180
    assert_same(run(ours, outofcore), run(theirs, analysis))


def test_a_design_without_strata_equals_in_memory(tmp_path):
    path = write_design(tmp_path / "design.parquet", 3_000, strata=10, psus=100)
    con = outofcore.duckdb_connection(memory_limit="256MB")
    options = {"weights": "weight", "strata": None, "psu": "psu"}
    ours = outofcore.OutOfCoreDesign(outofcore.read_parquet(con, path), **options)
    theirs = analysis.SurveyDesign(pd.read_parquet(path), **options)
    assert ours.degf == theirs.degf == 99
    assert_same(run(ours, outofcore), run(theirs, analysis))


def test_awkward_data_equals_in_memory(tmp_path):
    path = tmp_path / "awkward.parquet"
    awkward_frame().to_parquet(path)
    ours, theirs = designs(path, lonely_psu="adjust")
    a, b = run(ours, outofcore), run(theirs, analysis)
    assert list(a["mean_by"]["kecamatan"]) == list(b["mean_by"]["kecamatan"]) == ["Jebres", "Laweyan",
                                                                                     "Pasar Kliwon"]
    assert a["crosstab"].counts.columns.tolist() == [1, 2, 3, 4, 5]
    assert_same(a, b)
    q = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]
    ours_q, theirs_q = outofcore.quantile(ours, "income", q), analysis.quantile(theirs, "income", q)
    cols = ["estimate", "ci_low", "ci_high", "se", "df", "n"]
    np.testing.assert_allclose(ours_q[cols].to_numpy(), theirs_q[cols].to_numpy(), rtol=1e-9)


@pytest.mark.parametrize("fetch", [1, 200_000])
@pytest.mark.parametrize("x, w", [([1.0, 2.0, 3.0], [1.0, 1.0, 1.0]), ([1.0, 1.0, 2.0, 3.0], [1.0, 2.0, 1.0, 1.0]),
                                  ([5.0, 1.0, 3.0, 2.0], [0.5, 3.0, 1.0, 0.0])])
def test_low_probabilities_follow_qrule_math(tmp_path, monkeypatch, fetch, x, w):
    """p W below the smallest row's weight: R (and the in-memory rule) take the next row."""
    monkeypatch.setattr(quantile_module, "FETCH", fetch)
    path = tmp_path / "tiny.parquet"
    pd.DataFrame({"stratum": 0, "psu": np.arange(len(x)), "weight": w, "income": x}).to_parquet(path)
    ours, theirs = designs(path)
    probs = [0.0, 0.1, 0.2, 0.5, 0.9, 1.0]
    a, b = outofcore.quantile(ours, "income", probs), analysis.quantile(theirs, "income", probs)
    np.testing.assert_array_equal(a["estimate"].to_numpy(), b["estimate"].to_numpy())


@pytest.mark.parametrize("bins, fetch", [(2, 1), (8, 40), (4096, 200_000)])
def test_the_median_by_histogram_refinement_is_the_in_memory_value(generated, monkeypatch, bins, fetch):
    """Whether the last range holds one row or all of them, the same data values come out."""
    monkeypatch.setattr(quantile_module, "BINS", bins)
    monkeypatch.setattr(quantile_module, "FETCH", fetch)
    ours, theirs = designs(generated)
    probs = [0.1, 0.5, 0.9]
    a, b = outofcore.quantile(ours, "income", probs), analysis.quantile(theirs, "income", probs)
    for col in ("estimate", "ci_low", "ci_high", "se"):
        np.testing.assert_array_equal(a[col].to_numpy(), b[col].to_numpy())


@pytest.mark.parametrize("kind", ["population", "fraction"])
def test_a_finite_population_correction_equals_in_memory(generated, tmp_path, kind):
    frame = pd.read_parquet(generated)
    n_h = frame.groupby("stratum").psu.transform("nunique")
    frame["fpc"] = (n_h * (2 + frame.stratum % 3)) if kind == "population" else 1 / (2 + frame.stratum % 3)
    frame.loc[frame.stratum == 0, "fpc"] = n_h[frame.stratum == 0] if kind == "population" else 1.0  # all sampled
    path = tmp_path / "fpc.parquet"
    frame.to_parquet(path)
    ours, theirs = designs(path, fpc="fpc")
    assert_same(run(ours, outofcore), run(theirs, analysis))
    unadjusted, _ = designs(generated)
    assert outofcore.mean(ours, "income").se[0] < outofcore.mean(unadjusted, "income").se[0]


def test_crosstab_with_missing_values_and_na_rm_false(tmp_path):
    path = tmp_path / "awkward.parquet"
    awkward_frame().to_parquet(path)
    ours, theirs = designs(path, lonely_psu="remove")
    a = outofcore.crosstab(ours, "has_internet", "education", na_rm=False)
    b = analysis.crosstab(theirs, "has_internet", "education", na_rm=False)
    assert np.isnan(a.rao_scott[0]) and np.isnan(b.rao_scott[0])
    np.testing.assert_allclose(a.counts_se.to_numpy(), b.counts_se.to_numpy(), rtol=1e-9)


def test_a_lonely_psu_fails_as_in_memory(tmp_path):
    path = tmp_path / "awkward.parquet"
    awkward_frame().to_parquet(path)
    con = outofcore.duckdb_connection()
    with pytest.raises(DesignError, match="only one PSU"):
        outofcore.OutOfCoreDesign(outofcore.read_parquet(con, path), **DESIGN)


def test_the_generator_streams_a_reproducible_design(tmp_path):
    a = pd.read_parquet(write_design(tmp_path / "a.parquet", 5_000, strata=10, psus=100, seed=3))
    b = pd.read_parquet(write_design(tmp_path / "b.parquet", 5_000, strata=10, psus=100, seed=3))
    pd.testing.assert_frame_equal(a, b)
    assert a.groupby("stratum").psu.nunique().eq(10).all() and a.psu.value_counts().eq(50).all()
    assert sorted(a.kecamatan.unique()) == ["Banjarsari", "Jebres", "Laweyan", "Pasar Kliwon", "Serengan"]


def test_bench_out_of_core_checks_against_in_memory(tmp_path):
    out = tmp_path / "bench.json"
    code = bench_main(["--out-of-core", "--rows", "12000", "--sample-rows", "12000", "--json", str(out),
                       "--dir", str(tmp_path)])
    report = json.loads(out.read_text())
    assert code == 0 and report["check"]["max_relative_difference"] <= 1e-9
    assert set(report["times_s"]) >= {"mean + SE", "mean by 5 domains", "2x5 cross-tab + Rao-Scott", "median with CI"}
    assert report["peak_out_of_core"]["self_mb"] > 0
    assert list(tmp_path.iterdir()) == [out]        # the Parquet files are gone
