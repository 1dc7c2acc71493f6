"""Tests for analysis.estimation.weighting: base weights, post-stratification, raking, Kish deff."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.estimation.weighting import ConvergenceError, base_weights, poststratify, rake


def responses(cells: dict[tuple[str, str], int]) -> pd.DataFrame:
    """One row per unit: `n` rows for each (sex, age) cell, with a non-default index."""
    rows = [(sex, age) for (sex, age), n in cells.items() for _ in range(n)]
    df = pd.DataFrame(rows, columns=["sex", "age"])
    df.index = df.index + 100
    return df


# A 2x3 sample: sex (m, f) by age group (a, b, c).
TWO_BY_THREE = {("m", "a"): 10, ("m", "b"): 20, ("m", "c"): 30,
                ("f", "a"): 20, ("f", "b"): 10, ("f", "c"): 10}


# --- base weights -------------------------------------------------------------------

FRAME = pd.DataFrame({
    "kecamatan": ["Laweyan", "Laweyan", "Jebres"],
    "psu": ["P1", "P2", "P1"],                      # PSU ids nested in strata
    "prob_psu": [0.1, 0.2, 0.25],
    "prob_within": [0.5, 0.04, np.nan],             # Jebres/P1: derive from households
    "households_in_psu": [20, 100, 40],
})


def test_base_weights_are_inverse_of_both_stage_probabilities():
    df = pd.DataFrame({"kecamatan": ["Laweyan", "Laweyan", "Laweyan", "Jebres", "Jebres"],
                       "psu": ["P1", "P2", "P1", "P1", "P1"]})
    res = base_weights(df, FRAME)
    # Jebres/P1: 2 responding of 40 households -> prob_within = 0.05
    expected = [1 / (0.1 * 0.5), 1 / (0.2 * 0.04), 1 / (0.1 * 0.5), 1 / (0.25 * 0.05), 1 / (0.25 * 0.05)]
    np.testing.assert_allclose(res.weights.to_numpy(), expected)
    assert res.weights.name == "weight" and res.weights.index.equals(df.index)
    by_stratum = res.summary.set_index("level")
    assert by_stratum.loc["Jebres", "weighted_before"] == 2
    assert by_stratum.loc["Jebres", "weighted_after"] == pytest.approx(160.0)
    assert res.add_to(df)["weight"].tolist() == pytest.approx(expected)


def test_base_weights_names_psus_missing_from_frame():
    df = pd.DataFrame({"kecamatan": ["Laweyan", "Serengan", "Jebres"], "psu": ["P1", "S9", "P7"]})
    with pytest.raises(ValueError, match=r"2 PSU.*not in the sampling frame.*'S9'.*'P7'"):
        base_weights(df, FRAME)


@pytest.mark.parametrize("bad", [0.0, 1.5, np.nan])
def test_base_weights_reject_probabilities_outside_unit_interval(bad):
    frame = FRAME.assign(prob_psu=[bad, 0.2, 0.25])
    df = pd.DataFrame({"kecamatan": ["Laweyan"], "psu": ["P1"]})
    with pytest.raises(ValueError, match=r"prob_psu must be in \(0, 1\]"):
        base_weights(df, frame)


def test_base_weights_reject_more_respondents_than_households():
    df = pd.DataFrame({"kecamatan": ["Jebres"] * 41, "psu": ["P1"] * 41})
    with pytest.raises(ValueError, match="households_in_psu"):
        base_weights(df, FRAME)


# --- post-stratification ------------------------------------------------------------

def test_poststratify_hits_targets_and_keeps_ratios_within_cells():
    df = responses(TWO_BY_THREE)
    df["w0"] = np.linspace(1.0, 3.0, len(df))
    targets = pd.DataFrame({"sex": ["m", "m", "m", "f", "f", "f"],
                            "age": ["a", "b", "c", "a", "b", "c"],
                            "total": [100.0, 250.0, 150.0, 120.0, 180.0, 200.0]})
    res = poststratify(df, "w0", targets, by=["sex", "age"])
    got = res.weights.groupby([df["sex"], df["age"]]).sum()
    for row in targets.itertuples():
        assert got[(row.sex, row.age)] == pytest.approx(row.total, rel=1e-12)
    factor = res.weights / df["w0"]
    assert factor.groupby([df["sex"], df["age"]]).std().max() < 1e-12
    np.testing.assert_allclose(res.summary["weighted_after"], res.summary["target"])
    assert res.summary.loc[0, ["variable", "level"]].tolist() == ["sex:age", "m:a"]


def test_poststratify_accepts_dict_and_series_targets():
    df = responses(TWO_BY_THREE)
    as_dict = {("m", "a"): 1.0, ("m", "b"): 2.0, ("m", "c"): 3.0,
               ("f", "a"): 4.0, ("f", "b"): 5.0, ("f", "c"): 6.0}
    a = poststratify(df, None, as_dict, ["sex", "age"]).weights
    b = poststratify(df, None, pd.Series(as_dict), ["sex", "age"]).weights
    pd.testing.assert_series_equal(a, b)
    one_way = poststratify(df, None, {"m": 600, "f": 400}, "sex").weights
    assert one_way[df["sex"] == "m"].iloc[0] == pytest.approx(10.0)


def test_poststratify_reports_cells_without_target_or_sample():
    df = responses(TWO_BY_THREE)
    with pytest.raises(ValueError, match=r"sample cell.*no target total.*'f'"):
        poststratify(df, None, {"m": 600}, "sex")
    with pytest.raises(ValueError, match=r"target cell.*no sample.*'x'"):
        poststratify(df, None, {"m": 600, "f": 400, "x": 5}, "sex")


def test_poststratify_rejects_missing_by_values():
    df = responses(TWO_BY_THREE).astype({"sex": object})
    df.loc[df.index[3], "sex"] = None
    with pytest.raises(ValueError, match=r"1 row\(s\) have missing \['sex'\]"):
        poststratify(df, None, {"m": 600, "f": 400}, "sex")


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_poststratify_weighted_totals_equal_targets(data):
    n_cells = data.draw(st.integers(1, 6))
    counts = data.draw(st.lists(st.integers(1, 15), min_size=n_cells, max_size=n_cells))
    cell = np.repeat(np.arange(n_cells), counts)
    positive = st.floats(1e-3, 1e6, allow_nan=False, allow_infinity=False)
    w0 = data.draw(st.lists(positive, min_size=len(cell), max_size=len(cell)))
    totals = data.draw(st.lists(positive, min_size=n_cells, max_size=n_cells))
    df = pd.DataFrame({"cell": cell, "w0": w0}).sample(frac=1.0, random_state=0)
    res = poststratify(df, "w0", {i: t for i, t in enumerate(totals)}, "cell")
    got = res.weights.groupby(df["cell"]).sum()
    np.testing.assert_allclose(got.to_numpy(), totals, rtol=1e-9)


# --- raking -------------------------------------------------------------------------

def ipf_table(table: np.ndarray, rows: np.ndarray, cols: np.ndarray, sweeps: int = 1000) -> np.ndarray:
    """Textbook IPF on a two-way table of weighted counts (independent of rake())."""
    t = table.astype(float)
    for _ in range(sweeps):
        t = t * (rows / t.sum(axis=1))[:, None]
        t = t * (cols / t.sum(axis=0))[None, :]
    return t


def test_rake_matches_closed_form_for_an_independent_sample():
    # Sample table is rank one (f = 2 x m), so one sweep gives cell = row * col / N.
    df = responses({("m", "a"): 10, ("m", "b"): 20, ("m", "c"): 30,
                    ("f", "a"): 20, ("f", "b"): 40, ("f", "c"): 60})
    res = rake(df, None, {"sex": {"m": 300, "f": 700}, "age": {"a": 200, "b": 300, "c": 500}})
    per_unit = {("m", "a"): 60 / 10, ("m", "b"): 90 / 20, ("m", "c"): 150 / 30,
                ("f", "a"): 140 / 20, ("f", "b"): 210 / 40, ("f", "c"): 350 / 60}
    expected = [per_unit[(s, a)] for s, a in zip(df["sex"], df["age"])]
    np.testing.assert_allclose(res.weights.to_numpy(), expected, rtol=1e-10)
    assert res.iterations == 1


def test_rake_converges_to_both_margins_and_matches_table_ipf():
    df = responses(TWO_BY_THREE)
    df["w0"] = np.where(df["age"] == "b", 2.0, 1.0) * np.linspace(1.0, 1.5, len(df))
    sex = {"m": 450.0, "f": 550.0}
    age = {"a": 250.0, "b": 400.0, "c": 350.0}
    res = rake(df, "w0", {"sex": sex, "age": age})

    assert res.weights.groupby(df["sex"]).sum().to_dict() == pytest.approx(sex, rel=1e-8)
    assert res.weights.groupby(df["age"]).sum().to_dict() == pytest.approx(age, rel=1e-8)
    assert 1 < res.iterations < 100

    start = df.pivot_table(index="sex", columns="age", values="w0", aggfunc="sum").loc[["m", "f"], ["a", "b", "c"]]
    fitted = ipf_table(start.to_numpy(), np.array([450.0, 550.0]), np.array([250.0, 400.0, 350.0]))
    factor = pd.DataFrame(fitted / start.to_numpy(), index=start.index, columns=start.columns)
    expected = df["w0"] * [factor.loc[s, a] for s, a in zip(df["sex"], df["age"])]
    np.testing.assert_allclose(res.weights.to_numpy(), expected.to_numpy(), rtol=1e-7)
    assert set(res.summary["variable"]) == {"sex", "age"}


def test_rake_with_one_margin_is_poststratification():
    df = responses(TWO_BY_THREE)
    margin = {"m": 600.0, "f": 400.0}
    a = rake(df, None, {"sex": margin}).weights
    b = poststratify(df, None, margin, "sex").weights
    pd.testing.assert_series_equal(a, b)


def test_rake_scales_disagreeing_margins_to_the_first_and_warns():
    df = responses(TWO_BY_THREE)
    with pytest.warns(UserWarning, match="grand total of margin 'sex'"):
        res = rake(df, None, {"sex": {"m": 450, "f": 550}, "age": {"a": 50, "b": 80, "c": 70}})
    assert res.weights.sum() == pytest.approx(1000.0)
    assert res.weights.groupby(df["age"]).sum()["b"] == pytest.approx(400.0)
    assert len(res.warnings) == 1
    notes = res.summary.set_index("variable")["note"]
    assert (notes["age"] != "").all() and (notes["sex"] == "").all()


def test_rake_reports_non_convergence():
    # sex and age are confounded in the sample (m only in a, f only in b): no solution.
    df = responses({("m", "a"): 5, ("f", "b"): 5})
    with pytest.raises(ConvergenceError, match=r"after 5 iterations.*relative gap is 0\.\d+"):
        rake(df, None, {"sex": {"m": 50, "f": 50}, "age": {"a": 30, "b": 70}}, max_iter=5)


def test_rake_reports_margin_levels_missing_from_sample():
    df = responses(TWO_BY_THREE)
    with pytest.raises(ValueError, match=r"rake margin 'age'.*no sample.*'d'"):
        rake(df, None, {"sex": {"m": 1, "f": 1}, "age": {"a": 1, "b": 1, "c": 1, "d": 1}})


# --- Kish design effect due to weighting --------------------------------------------

def test_kish_deff_is_one_for_equal_weights():
    df = responses(TWO_BY_THREE)
    res = poststratify(df, None, {"m": 60.0, "f": 40.0}, "sex")  # both cells weight 1
    assert res.deff_weighting == pytest.approx(1.0)
    assert res.min == res.max == pytest.approx(1.0) and res.ratio == pytest.approx(1.0)


def test_kish_deff_for_two_weight_classes():
    # Kish (1965): 20% of units at weight 4, 80% at weight 1:
    # deff = (0.2*16 + 0.8*1) / (0.2*4 + 0.8*1)^2 = 4 / 2.56 = 1.5625.
    df = pd.DataFrame({"g": ["hi"] * 20 + ["lo"] * 80})
    res = poststratify(df, None, {"hi": 80.0, "lo": 80.0}, "g")
    assert res.deff_weighting == pytest.approx(1.5625)
    assert (res.min, res.max, res.ratio) == pytest.approx((1.0, 4.0, 4.0))
