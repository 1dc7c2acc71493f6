"""ordinal_logistic against R's svyolr (greg_tests.r_survey.json from r_greg_tests.R):
api00 cut into four ordered levels on apiclus1 (cluster design with fpc) and apistrat
(stratified, a factor predictor)."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDesign, ordinal_logistic
from tests.support.anchors import ANCHORS

R = json.loads((ANCHORS / "greg_tests.r_survey.json").read_text())["svyolr"]
CUTS = [0, 550, 650, 750, 1000]


def clus1():
    df = pd.read_csv(ANCHORS / "apiclus1.csv")
    df["api_cat"] = pd.cut(df["api00"], CUTS, labels=["low", "mid", "high", "top"])
    return SurveyDesign(df, weights="pw", psu="dnum", fpc="fpc")


def strat():
    df = pd.read_csv(ANCHORS / "apistrat.csv")
    df["api_q"] = pd.cut(df["api00"], CUTS, labels=["q1", "q2", "q3", "q4"])
    return SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")


@pytest.mark.parametrize("key, make, formula", [
    ("clus1_apicat", clus1, "api_cat ~ ell + meals + mobility"),
    ("strat_apiq", strat, "api_q ~ ell + meals + stype"),
])
def test_svyolr_as_r(key, make, formula):
    out = ordinal_logistic(make(), formula)
    r = R[key]
    assert out.columns.tolist() == ["term", "coef", "se"]
    assert out.term.tolist() == r["term"]
    assert out.coef.to_numpy() == pytest.approx(r["coef"], rel=1e-4)
    assert out.se.to_numpy() == pytest.approx(r["se"], rel=1e-4)


def test_rows_missing_a_variable_are_left_out():
    d = clus1()
    df = d.data.copy()
    df.loc[df.index[:5], "ell"] = np.nan
    out = ordinal_logistic(SurveyDesign(df, weights="pw", psu="dnum", fpc="fpc"), "api_cat ~ ell + meals")
    assert out.attrs["n"] == len(df) - 5
    assert np.isfinite(out.se).all()


def test_a_two_level_response_is_refused():
    d = clus1()
    with pytest.raises(ValueError, match="3 or more levels"):
        ordinal_logistic(d, "sch.wide ~ ell")


def test_svyolr_help_example():
    """R's ?svyolr: svyolr(mealcat ~ avg.ed + mobility + stype, dclus1) with mealcat = cut(meals,
    c(0, 25, 50, 75, 100)) (schools with no meals fall outside the cut: missing, left out)."""
    df = pd.read_csv(ANCHORS / "apiclus1_svyolr.csv")
    df["mealcat"] = pd.cut(df["meals"], [0, 25, 50, 75, 100],
                           labels=["(0,25]", "(25,50]", "(50,75]", "(75,100]"])
    out = ordinal_logistic(SurveyDesign(df, weights="pw", psu="dnum", fpc="fpc"),
                           "mealcat ~ avg.ed + mobility + stype")
    r = R["clus1_mealcat"]
    assert out.term.tolist() == r["term"]
    assert out.coef.to_numpy() == pytest.approx(r["coef"], rel=1e-4)
    assert out.se.to_numpy() == pytest.approx(r["se"], rel=1e-4)
