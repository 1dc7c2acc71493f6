"""R's calibrate (GREG, raking, logit with bounds) against R: weights and calibrated SEs.

tests/fixtures/anchors/r_greg_tests.R wrote greg_tests.r_survey.json with R's survey 4.1
on R's api data (apiclus1.csv, apistrat.csv; population totals from R's apipop).
"""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import ConvergenceError, SurveyDesign, calibrate, mean, poststratify, total
from tests.support.anchors import ANCHORS

R = json.loads((ANCHORS / "greg_tests.r_survey.json").read_text())
POP = R["population"]
# R ran these with epsilon = 1e-12 (the others with R's default 1e-7, as calibrate here)
TIGHT = {"clus1_logit", "clus1_linear_bounded", "strat_raking", "strat_logit"}


def close(actual, expected, rel=1e-6, abs=0.0):
    assert np.asarray(actual, dtype=float) == pytest.approx(np.asarray(expected, dtype=float), rel=rel, abs=abs)


def api(name):
    df = pd.read_csv(ANCHORS / f"{name}.csv")
    if name == "apiclus1":
        return SurveyDesign(df, weights="pw", psu="dnum", fpc="fpc")
    return SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")


@pytest.fixture(params=list(R["calibrate"]), scope="module")
def calibrated(request):
    c = R["calibrate"][request.param]
    design = api(c["design"])
    if c.get("poststratified_first"):   # a regression step after a post-stratification's cells
        design = poststratify(design, None, POP[c["poststratified_first"]], c["poststratified_first"]).design
    result = calibrate(design, None, {v: POP[v] for v in c["variables"]}, calfun=c["calfun"],
                       bounds=c["bounds"], epsilon=1e-12 if request.param in TIGHT else 1e-7)
    return result, c


def test_weights_as_r(calibrated):
    result, c = calibrated
    close(result.weights, c["weights"])
    close(result.design.weights, c["weights"])
    assert result.design.degf == c["degf"]
    if c["bounds"]:
        g = result.weights.to_numpy() / api(c["design"]).weights
        assert g.min() >= c["bounds"][0] - 1e-9 and g.max() <= c["bounds"][1] + 1e-9


def test_standard_errors_use_the_greg_residuals(calibrated):
    result, c = calibrated
    d = result.design
    m, t = mean(d, "api00").iloc[0], total(d, "enroll").iloc[0]
    close([m.estimate, m.se], [c["mean_api00"]["estimate"], c["mean_api00"]["se"]])
    close([t.estimate, t.se], [c["total_enroll"]["estimate"], c["total_enroll"]["se"]])
    by = mean(d, "api00", by="stype")
    close(by.estimate, c["by_stype"]["estimate"])
    close(by.se, c["by_stype"]["se"])
    aw = mean(d, "awards")
    close(aw.estimate, c["mean_awards"]["estimate"])
    close(aw.se, c["mean_awards"]["se"], abs=1e-9)   # zero (to rounding) when awards is calibrated on
    api99 = total(d, "api99").iloc[0]
    close(api99.estimate, c["total_api99"]["estimate"])
    close(api99.se, c["total_api99"]["se"], abs=1e-6 * api99.estimate)


def test_a_dataframe_and_its_weights_column():
    df = pd.read_csv(ANCHORS / "apiclus1.csv")
    c = R["calibrate"]["clus1_linear"]
    result = calibrate(df, "pw", {"stype": POP["stype"], "api99": POP["api99"]})
    close(result.weights, c["weights"])
    assert set(result.summary["variable"]) == {"stype", "api99"}
    close(result.summary["weighted_after"], result.summary["target"])


def test_linear_calibration_on_one_categorical_is_poststratification():
    d = api("apiclus1")
    g = calibrate(d, None, {"stype": POP["stype"]})
    p = poststratify(d, None, POP["stype"], "stype")
    close(g.weights, p.weights, rel=1e-12)
    close(mean(g.design, "api00").se, mean(p.design, "api00").se, rel=1e-10)


def test_inconsistent_totals_are_a_clear_error():
    with pytest.raises(ValueError, match="inconsistent"):
        calibrate(api("apiclus1"), None, {"stype": POP["stype"], "sch.wide": {"No": 1, "Yes": 2}})


def test_logit_needs_bounds():
    with pytest.raises(ValueError, match="Logit calibration requires finite bounds"):
        calibrate(api("apiclus1"), None, {"stype": POP["stype"]}, calfun="logit")


def test_unreachable_totals_do_not_converge():
    with pytest.raises(ConvergenceError, match="did not converge"):
        calibrate(api("apiclus1"), None, {"stype": POP["stype"], "api99": POP["api99"]},
                  calfun="logit", bounds=(0.9, 1.1))


def test_a_level_without_a_total_is_named():
    with pytest.raises(ValueError, match="levels \\['M'\\] of 'stype'"):
        calibrate(api("apiclus1"), None, {"stype": {"E": 4421, "H": 755}})


def test_numeric_codes_as_categories():
    """A 0/1 column (floats in the data, ints in the totals) calibrates as a two-level factor."""
    df = pd.read_csv(ANCHORS / "apiclus1.csv").assign(yes=lambda t: (t["sch.wide"] == "Yes").astype(float))
    d = SurveyDesign(df, weights="pw", psu="dnum", fpc="fpc")
    by_code = calibrate(d, None, {"yes": {0: POP["sch.wide"]["No"], 1: POP["sch.wide"]["Yes"]}})
    by_text = calibrate(d, None, {"sch.wide": POP["sch.wide"]})
    close(by_code.weights, by_text.weights, rel=1e-12)
