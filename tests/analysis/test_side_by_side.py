"""The side-by-side benchmark's agreement check on small data (issue 22, section 1): our engine
against R's survey and svy on the benchmark's own generated design, each in its own process as
the benchmark runs them.  No timing is asserted."""

import importlib.util
import shutil

import pytest

from analysis.benchmarks.generate import frame, shape
from analysis.benchmarks.operations import OPERATIONS
from analysis.benchmarks.side_by_side import agreement, disagreements

ROWS = 3000
needs_r = pytest.mark.skipif(shutil.which("Rscript") is None, reason="R (Rscript) is not on this machine")
needs_svy = pytest.mark.skipif(importlib.util.find_spec("svy") is None,
                               reason="svy is not installed (pip install -r requirements-bench.txt)")


@needs_r
def test_ours_agrees_with_r(tmp_path):
    results, problems = agreement(ROWS, tmp_path, tools=("ours", "R"))
    assert problems == []
    assert set(results["ours"]) == set(OPERATIONS) - {"design"}
    assert len(results["R"]["crosstab"]) == 24 and len(results["R"]["logistic"]) == 10


@needs_svy
def test_ours_agrees_with_svy(tmp_path):
    results, problems = agreement(ROWS, tmp_path, tools=("ours", "svy"))
    assert problems == []
    assert len(results["svy"]["domains"]) == 10


def test_a_difference_beyond_the_tolerance_is_reported():
    ref = {"mean": [10.0, 0.5], "logistic": [1.0, 2.0, 0.1, 0.2]}
    near = {"mean": [10.0 * (1 + 5e-10), 0.5], "logistic": [1.0, 2.0, 0.1000000005, 0.2]}
    assert disagreements({"R": ref, "ours": near, "svy": near}) == [
        "ours logistic[2]: 0.1000000005 vs R 0.1 (relative 5.0e-09 > 1e-09)"]
    tiny_p = {"crosstab": [0.25, 3.0, 0.0]}          # svy's F tail: 0.0 where R has 2e-185
    assert disagreements({"R": {"crosstab": [0.25, 3.0, 2.2e-185]}, "svy": tiny_p}) == []
    assert disagreements({"R": {"crosstab": [0.25, 3.0, 2.2e-5]}, "svy": tiny_p}) != []
    far = {"mean": [10.0, 0.5001], "logistic": [1.0, 2.0, 0.1, 0.2]}
    assert disagreements({"R": ref, "svy": far})[0].startswith("svy mean[1]: 0.5001 vs R 0.5")


def test_the_generator_is_seeded_and_shaped_as_the_issue_says():
    assert shape(1_000_000) == (500, 10_000)
    small = frame(ROWS)
    assert small.equals(frame(ROWS))
    assert small.groupby("stratum")["psu"].nunique().min() >= 2
    assert sorted(small["dom"].unique()) == ["d1", "d2", "d3", "d4", "d5"]
    assert set(small["r2"]) == {"a", "b"} and small["c5"].nunique() == 5
