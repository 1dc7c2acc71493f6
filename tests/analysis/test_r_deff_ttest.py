"""deff="replace", svyttest and svyolr against R (greg_tests.r_survey.json from r_greg_tests.R)."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDesign, mean, total, ttest
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


@pytest.mark.parametrize("key, make, y, by", [
    ("clus1_api00_schwide", clus1, "api00", "sch.wide"), ("strat_enroll_awards", strat, "enroll", "awards"),
    ("clus1_api00_compimp", clus1, "api00", "comp.imp"),
])
def test_ttest_as_svyttest(key, make, y, by):
    t = ttest(make(), y, by=by)
    r = R["svyttest"][key]
    close([t.statistic, t.df, t.p_value, t.estimate, t.ci_low, t.ci_high],
          [r["statistic"], r["df"], r["p_value"], r["estimate"], *r["ci"]])


def test_ttest_needs_two_groups():
    with pytest.raises(ValueError, match="two groups"):
        ttest(clus1(), "api00", by="stype")


def test_one_sample_ttest_is_the_mean_over_its_se():
    d = clus1()
    t = ttest(d, "api00")
    m = mean(d, "api00").iloc[0]
    assert t.statistic == pytest.approx(m.estimate / m.se)
    assert t.df == d.degf - 1
