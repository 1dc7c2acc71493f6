"""The quantile's selection path (analysis.estimation.qselect) gives the full sort's numbers
(issue 22, section 2: the median with its CI): ties in the values, whole-number weights
whose cumulative sums hit p W exactly, zero and negative weights, probabilities at and near
the ends, several probabilities, domains and missing values.  On small data the selection
is forced (``MIN_ROWS`` = 0); each case also checks which path decided."""

import numpy as np
import pandas as pd
import pytest

import analysis.estimation.qselect as qselect
from analysis import SurveyDesign, quantile
from analysis.benchmarks.generate import frame
from analysis.estimation.qrule import qrule_math, sorted_cumweights
from analysis.estimation.qselect import Quantiles
from analysis.estimation.replicate import as_replicate

# R's svyquantile rule recomputed by hand, on the R anchor data (tests/analysis/test_r_domain_rules.py),
# run here again with the selection forced (the fixture below).
from tests.analysis.test_r_domain_rules import (  # noqa: F401 (fixtures)
    gappy,
    hh,
    test_quantile_by_uses_each_domains_degf_and_se_from_the_interval,
    test_quantile_df_counts_only_psus_with_data,
)

PROBS = [0.0, 1e-4, 0.01, 0.1, 0.25, 0.3, 0.5, 0.5, 0.7, 0.75, 0.9, 0.999, 1.0, np.nan]


@pytest.fixture(autouse=True)
def select_always(monkeypatch):
    monkeypatch.setattr(qselect, "MIN_ROWS", 0)


def _values(kind, rng, n):
    return {"continuous": rng.normal(50, 10, n), "ties": np.round(rng.normal(50, 10, n)),
            "few values": rng.integers(0, 5, n).astype(float)}[kind]


def _weights(kind, rng, n):
    return {"continuous": rng.uniform(40, 180, n), "whole": rng.integers(1, 4, n).astype(float),
            "equal": np.ones(n), "halves": rng.integers(1, 4, n) / 2,
            "zeros": np.where(rng.random(n) < 0.2, 0.0, rng.uniform(0.5, 2, n))}[kind]


def _full_sort(x, w, probs):
    s = sorted_cumweights(x, w)
    return np.array([qrule_math(*s, p) for p in probs])


@pytest.mark.parametrize("n", [20_000, 20_001])
@pytest.mark.parametrize("weights", ["continuous", "whole", "equal", "halves", "zeros"])
@pytest.mark.parametrize("values", ["continuous", "ties", "few values"])
def test_the_selection_gives_the_full_sorts_quantiles(values, weights, n):
    rng = np.random.default_rng(11)
    x, w = _values(values, rng, n), _weights(weights, rng, n)
    q = Quantiles(x, w)
    got = q(PROBS)
    np.testing.assert_array_equal(got, _full_sort(x, w, PROBS))
    assert q._cuts, "the selection did not run"
    # the CI's ends: probabilities near an estimate come from the window already sorted
    cuts = len(q._cuts)
    near = [0.4981, 0.5019]
    np.testing.assert_array_equal(q(near), _full_sort(x, w, near))
    assert len(q._cuts) == cuts


def test_whole_weights_decide_exact_ties_without_the_full_sort():
    x = np.arange(20_000, dtype=float)[::-1].copy()   # equal weights: p W = 10,000 is a cumulative sum
    q = Quantiles(x, np.ones(len(x)))
    assert q([0.5, 0.25]).tolist() == [9999.0, 4999.0] == _full_sort(x, np.ones(len(x)), [0.5, 0.25]).tolist()
    assert q._sorted is None


def test_a_near_tie_of_inexact_sums_goes_to_the_full_sort():
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=20_000), rng.integers(1, 4, 20_000) / 2   # sums exact, but not whole numbers
    w[:2] = 0.1   # ... and two that are not even that
    q = Quantiles(x, w)
    s = sorted_cumweights(x, w)
    p = s[1][9_000] / s[2]            # a probability sitting exactly on a cumulative weight
    assert q([p])[0] == qrule_math(*s, p)
    assert q._sorted is not None


def test_negative_weights_use_the_full_sort():
    rng = np.random.default_rng(4)
    x, w = rng.normal(size=5000), rng.uniform(0.5, 2, 5000)
    w[::100] = -0.3
    q = Quantiles(x, w)
    np.testing.assert_array_equal(q(PROBS), _full_sort(x, w, PROBS))
    assert not q._cuts and q._sorted is not None


def test_a_window_that_misses_is_widened_then_sorted_in_full(monkeypatch):
    rng = np.random.default_rng(5)
    x, w = rng.normal(size=20_000), rng.uniform(0.5, 2, 20_000)
    monkeypatch.setattr(qselect, "WIDEN", (-0.9,))   # windows narrower than nothing: every one misses
    q = Quantiles(x, w)
    np.testing.assert_array_equal(q([0.3, 0.6]), _full_sort(x, w, [0.3, 0.6]))
    assert q._sorted is not None


@pytest.fixture(scope="module")
def data():
    df = frame(20_000)
    df.loc[df.index[::37], "y"] = np.nan                       # missing values
    df.loc[df.index[5::101], "w"] = 0.0                        # zero weights
    df["yr"] = np.round(df["y"])                               # ties
    return df


@pytest.mark.parametrize("var", ["y", "yr"])
@pytest.mark.parametrize("by", [None, "dom", ["dom", "r2"]])
def test_quantile_with_the_selection_equals_the_full_sort(data, monkeypatch, var, by):
    d = SurveyDesign(data, weights="w", strata="stratum", psu="psu", nest=True)
    probs = [0.1, 0.5, 0.75, 0.9]
    fast = pd.concat([quantile(d, var, probs, by=by), quantile(d.subset(data["x4"].to_numpy() == 1), var, probs)])
    monkeypatch.setattr(qselect, "MIN_ROWS", 10 ** 9)
    full = pd.concat([quantile(d, var, probs, by=by), quantile(d.subset(data["x4"].to_numpy() == 1), var, probs)])
    pd.testing.assert_frame_equal(fast, full, check_exact=True)
    assert fast["ci_low"].notna().all() and fast["ci_high"].notna().all()


def test_replicate_quantiles_with_the_selection_equal_the_full_sort(data, monkeypatch):
    d = as_replicate(SurveyDesign(data.iloc[:6000], weights="w", strata="stratum", psu="psu", nest=True),
                     "bootstrap", replicates=20)
    fast = quantile(d, "y", [0.25, 0.5], by="dom")
    monkeypatch.setattr(qselect, "MIN_ROWS", 10 ** 9)
    pd.testing.assert_frame_equal(fast, quantile(d, "y", [0.25, 0.5], by="dom"), check_exact=True)


def test_without_missing_values_the_df_is_the_designs_counted_over_the_rows_used(data):
    """No row dropped for a missing value: R's degf(design[nas == 0, ]) is the design's degf,
    which counts only the subset's PSUs with a nonzero weight (rows 5, 106, ... weigh 0)."""
    d = SurveyDesign(data, weights="w", strata="stratum", psu="psu", nest=True)
    sub = d.subset(data["x4"].to_numpy() == 1)
    for design in (d, sub):
        rows = design.in_subset & (design.weights != 0)
        psus = pd.DataFrame({"s": data["stratum"], "p": data["psu"]})[rows]
        expected = psus["p"].nunique() - psus["s"].nunique()
        assert quantile(design, "x1", 0.5)["df"].iloc[0] == expected
