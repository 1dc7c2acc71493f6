"""deff="replace", svyttest and svyolr against R (greg_tests.r_survey.json from r_greg_tests.R)."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDesign, mean, total
from tests.support.anchors import ANCHORS

R = json.loads((ANCHORS / "greg_tests.r_survey.json").read_text())


def close(actual, expected, rel=1e-6):
    assert np.ravel(np.asarray(actual, dtype=float)) == pytest.approx(np.ravel(np.asarray(expected, dtype=float)), rel=rel)


def clus1(df=None):
    df = pd.read_csv(ANCHORS / "apiclus1.csv") if df is None else df
    return SurveyDesign(df, weights="pw", psu="dnum", fpc="fpc")


def strat(df=None):
    df = pd.read_csv(ANCHORS / "apistrat.csv") if df is None else df
    return SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")


@pytest.mark.parametrize("key, make, estimator, var", [
    ("clus1_mean_api00", clus1, mean, "api00"), ("clus1_total_enroll", clus1, total, "enroll"),
    ("strat_mean_awards", strat, mean, "awards"), ("strat_total_api00", strat, total, "api00"),
])
def test_deff_replace_as_r(key, make, estimator, var):
    out = estimator(make(), var, deff="replace")
    r = R["deff_replace"][key]
    close(out.estimate, r["estimate"])
    close(out.se, r["se"])
    close(out.deff, r["deff"])


def test_deff_true_stays_without_replacement():
    out = mean(clus1(), "api00", deff=True).iloc[0]
    close(out.deff, R["deff_replace"]["clus1_mean_api00_true"]["deff"])
    assert out.deff != pytest.approx(R["deff_replace"]["clus1_mean_api00"]["deff"], rel=1e-3)
