"""SurveyDesign: construction, degrees of freedom, errors that name the rows, lonely PSUs."""

import numpy as np
import pandas as pd
import pytest

from analysis import DesignError, SurveyDesign, total

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture
def frame():
    return pd.DataFrame({
        "stratum": ["A", "A", "A", "A", "B", "B", "B", "C", "C"],
        "psu": [1, 1, 2, 2, 3, 4, 4, 5, 6],
        "w": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
        "y": [1.0, 4.0, 2.0, 8.0, 3.0, 5.0, 7.0, 6.0, 9.0],
    }, index=[f"r{i}" for i in range(9)])


def test_degf_is_psus_minus_strata(frame):
    d = SurveyDesign(frame.iloc[:7], weights="w", strata="stratum", psu="psu")
    assert d.degf == 4 - 2
    assert SurveyDesign(frame).degf == len(frame) - 1           # SRS: rows are PSUs, one stratum


def test_design_is_immutable(frame):
    d = SurveyDesign(frame, weights="w")
    with pytest.raises(ValueError):
        d.weights[0] = 10.0
    frame.loc["r0", "w"] = 100.0          # the caller's frame is not the design's data
    assert d.weights[0] == 1.0
    with pytest.raises(AttributeError):
        d.extra = 1


@pytest.mark.parametrize("column, values, words", [
    ("w", [1, -2, 3, 4, 5, 6, 7, 8, 9], ["'w'", "negative", "1 row", "'r1'"]),
    ("w", [1, 2, np.nan, 4, 5, 6, 7, np.inf, 9], ["'w'", "2 rows", "'r2', 'r7'"]),
    ("stratum", ["A", None, "A", "A", "B", "B", "B", "C", "C"], ["'stratum'", "missing", "'r1'"]),
    ("psu", [1, 1, 2, 2, None, 4, 4, 5, 6], ["'psu'", "missing", "'r4'"]),
])
def test_broken_design_names_rows(frame, column, values, words):
    broken = frame.assign(**{column: values})
    with pytest.raises(DesignError) as err:
        SurveyDesign(broken, weights="w", strata="stratum", psu="psu", lonely_psu="adjust")
    for word in words:
        assert word in str(err.value)
    assert isinstance(err.value, ValueError)


def test_psu_in_two_strata_is_an_error_unless_nested(frame):
    shared = frame.assign(psu=[1, 1, 2, 2, 2, 4, 4, 5, 6])      # PSU 2 in strata A and B
    with pytest.raises(DesignError, match=r"PSU id\(s\) 2 .*'r2'.*nest=True"):
        SurveyDesign(shared, weights="w", strata="stratum", psu="psu")
    nested = SurveyDesign(shared, weights="w", strata="stratum", psu="psu", nest=True)
    assert nested.degf == 6 - 3


@pytest.mark.parametrize("fpc, message", [
    ([10, 10, 10, 10, 20, 21, 20, 5, 5], "not constant within stratum 'B'"),
    ([10, 10, 10, 11, 20, 21, 20, 5, 5], "not constant within stratum 'A'"),   # the first that varies
    ([10, 10, 10, 10, 1, 1, 1, 5, 5], "more than 100% sampling in stratum 'B'"),
    ([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 2, 2], "mixes population sizes"),
    ([10, 10, np.nan, 10, 20, 20, 20, 5, 5], "missing, negative or not finite"),
])
def test_fpc_errors(frame, fpc, message):
    with pytest.raises(DesignError, match=message):
        SurveyDesign(frame.assign(f=fpc), weights="w", strata="stratum", psu="psu", fpc="f")


def test_fpc_fraction_and_population_size_agree(frame):
    pop = SurveyDesign(frame.assign(f=[4, 4, 4, 4, 8, 8, 8, 2, 2]), weights="w",
                       strata="stratum", psu="psu", fpc="f")
    frac = SurveyDesign(frame.assign(f=[0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 1.0, 1.0]),
                        weights="w", strata="stratum", psu="psu", fpc="f")
    pd.testing.assert_frame_equal(total(pop, "y"), total(frac, "y"))


def test_lonely_psu_fail_names_the_stratum(frame):
    lonely = frame.assign(psu=[1, 1, 2, 2, 3, 3, 3, 5, 6])       # stratum B has one PSU
    with pytest.raises(DesignError, match=r"Stratum 'B' of 'stratum' has only one PSU.*lonely_psu"):
        SurveyDesign(lonely, weights="w", strata="stratum", psu="psu")


def test_lonely_psu_options_for_a_total(frame):
    """remove: the stratum adds nothing; adjust: adds its uncentred PSU total squared;
    average: the other strata's variance scaled by strata / strata with a variance."""
    frame = frame.assign(psu=[1, 1, 2, 2, 3, 4, 4, 5, 5])         # stratum C has one PSU
    others = frame[frame.stratum != "C"]
    v_others = total(SurveyDesign(others, weights="w", strata="stratum", psu="psu"), "y").se[0] ** 2
    lonely_total = (frame.w * frame.y)[frame.stratum == "C"].sum()
    var = {opt: total(SurveyDesign(frame, weights="w", strata="stratum", psu="psu", lonely_psu=opt),
                      "y").se[0] ** 2 for opt in ("remove", "adjust", "average")}
    assert var["remove"] == pytest.approx(v_others)
    assert var["adjust"] == pytest.approx(v_others + lonely_total ** 2)
    assert var["average"] == pytest.approx(v_others * 3 / 2)


def test_certainty_stratum_contributes_nothing(frame):
    """A stratum whose every PSU was sampled (fpc = n_h) has no sampling variance, even when lonely."""
    frame = frame.assign(psu=[1, 1, 2, 2, 3, 4, 4, 5, 5])         # stratum C has one PSU
    d = SurveyDesign(frame.assign(f=[4, 4, 4, 4, 8, 8, 8, 1, 1]), weights="w", strata="stratum",
                     psu="psu", fpc="f")
    others = SurveyDesign(frame[frame.stratum != "C"].assign(f=[4, 4, 4, 4, 8, 8, 8]), weights="w",
                          strata="stratum", psu="psu", fpc="f")
    assert total(d, "y").se[0] == pytest.approx(total(others, "y").se[0])


def test_empty_data_is_a_clear_error():
    with pytest.raises(DesignError, match="no rows"):
        SurveyDesign(pd.DataFrame({"w": pd.Series([], dtype=float)}), weights="w")


def test_unknown_column_and_option():
    df = pd.DataFrame({"y": [1.0, 2.0]})
    with pytest.raises(DesignError, match="'weight' is not in the data"):
        SurveyDesign(df, weights="weight")
    with pytest.raises(ValueError, match="lonely_psu"):
        SurveyDesign(df, lonely_psu="certainty")


def test_no_weights_with_fpc_uses_population_over_sample(frame):
    d = SurveyDesign(frame.assign(f=[4, 4, 4, 4, 8, 8, 8, 2, 2]), strata="stratum", psu="psu", fpc="f")
    assert d.weights.tolist() == [2.0] * 4 + [4.0] * 3 + [1.0] * 2    # R: popsize / sampsize


def test_subset_keeps_the_design_and_counts_its_degf(frame):
    d = SurveyDesign(frame, weights="w", strata="stratum", psu="psu")
    sub = d.subset((frame.stratum == "A").to_numpy())
    assert sub.degf == 2 - 1
    assert d.degf == 6 - 3
    assert total(sub, "y").estimate[0] == pytest.approx((frame.w * frame.y)[frame.stratum == "A"].sum())
