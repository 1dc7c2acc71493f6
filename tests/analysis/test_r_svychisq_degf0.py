"""svychisq on a design with 0 residual degrees of freedom, against R (issue 24: a cross-tab layer of
one PSU in one stratum crashed with ZeroDivisionError in the adjusted Wald test).

svychisq_degf0.r_survey.json (tests/fixtures/anchors/r_svychisq_degf0.R): three strata of one PSU
each, lonely PSUs "adjust"ed. R keeps the F, Wald and Chisq statistics and their df, gives the F,
Wald and adjWald p-values (and adjWald's statistic) NaN, and stops in lincom and saddlepoint
(no p-value here).
"""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDesign, crosstab
from tests.support.anchors import ANCHORS

R = json.loads((ANCHORS / "svychisq_degf0.r_survey.json").read_text())
COLUMNS = {"computer_sex": "head_sex", "computer_education": "head_education"}


@pytest.fixture(scope="module")
def design():
    df = pd.read_csv(ANCHORS / "ict_households_c.csv")
    df = df[df["psu"].isin(R["psus"])].reset_index(drop=True)
    return SurveyDesign(df, weights="weight", strata="kecamatan", psu="psu", lonely_psu=R["lonely_psu"])


def test_the_design_has_no_degrees_of_freedom(design):
    assert design.degf == R["degf"] == 0


@pytest.mark.parametrize("name", list(R["svychisq"]))
def test_every_statistic_as_r_with_zero_degrees_of_freedom(design, name):
    r = R["svychisq"][name]
    ct = crosstab(design, "has_computer", COLUMNS[name])
    f, ndf, ddf, p = ct.rao_scott
    assert f == pytest.approx(r["F"]["statistic"], rel=1e-6)
    assert [ndf, ddf] == pytest.approx(r["F"]["parameter"], rel=1e-6) and np.isnan(p)
    assert ct.chisq == pytest.approx((r["Chisq"]["statistic"], r["Chisq"]["parameter"], r["Chisq"]["p_value"]),
                                     rel=1e-6)
    assert ct.wald.statistic == pytest.approx(r["Wald"]["statistic"], rel=1e-6)
    assert list(ct.wald.parameter) == r["Wald"]["parameter"] and np.isnan(ct.wald.p_value)
    assert not np.isfinite(ct.adj_wald.statistic) and np.isnan(ct.adj_wald.p_value)   # R: NaN or -Inf
    assert list(ct.adj_wald.parameter) == r["adjWald"]["parameter"]
    for test in (ct.lincom, ct.saddlepoint):   # R stops with an error
        assert "error" in r["lincom"] and test.statistic == pytest.approx(r["Chisq"]["statistic"]) \
            and np.isnan(test.p_value)
