"""Model terms named and ordered as R's svyglm names them (greg_tests.r_survey.json, r_greg_tests.R):
dotted column names written bare (``sch.wide``, not ``Q("sch.wide")``), interactions after the
main effects with their variables in the written order."""

import json

import pandas as pd
import pytest

from analysis import SurveyDesign, linear, logistic, ordinal_logistic
from tests.support.anchors import ANCHORS

R = json.loads((ANCHORS / "greg_tests.r_survey.json").read_text())["names"]


@pytest.fixture(scope="module")
def clus1():
    return SurveyDesign(pd.read_csv(ANCHORS / "apiclus1.csv"), weights="pw", psu="dnum", fpc="fpc")


@pytest.mark.parametrize("item", R, ids=[r["formula"] for r in R])
def test_terms_as_r(clus1, item):
    assert linear(clus1, item["formula"]).term_r.tolist() == item["terms"]


def test_quoted_and_bare_names_fit_the_same_model(clus1):
    bare = linear(clus1, "api00 ~ sch.wide * meals + api99")
    quoted = linear(clus1, 'api00 ~ Q("sch.wide") * meals + api99')
    assert bare.term_r.tolist() == quoted.term_r.tolist()
    assert bare.coef.to_numpy() == pytest.approx(quoted.coef.to_numpy(), rel=1e-12)


def test_dotted_names_in_logistic_and_ordinal_models(clus1):
    out = logistic(clus1, "awards ~ sch.wide + comp.imp")
    assert out.term_r.tolist() == ["(Intercept)", "sch.wideYes", "comp.impYes"]
    df = clus1.data.assign(api_cat=pd.cut(clus1.data["api00"], [0, 550, 650, 750, 1000],
                                          labels=["low", "mid", "high", "top"]))
    olr = ordinal_logistic(SurveyDesign(df, weights="pw", psu="dnum", fpc="fpc"), "api_cat ~ meals + sch.wide")
    assert olr.term.tolist() == ["meals", "sch.wideYes", "low|mid", "mid|high", "high|top"]


def test_acs46_as_r():
    """acs.46 is missing for high schools: their rows go, and stype keeps E and M (stypeM only)."""
    r = json.loads((ANCHORS / "greg_tests.r_survey.json").read_text())["names_acs46"]
    d = SurveyDesign(pd.read_csv(ANCHORS / "apiclus1_svyolr.csv"), weights="pw", psu="dnum", fpc="fpc")
    out = linear(d, r["formula"])
    assert out.term_r.tolist() == r["terms"]
    assert out.coef.to_numpy() == pytest.approx(r["coef"], rel=1e-6)
    assert out.se.to_numpy() == pytest.approx(r["se"], rel=1e-6)
