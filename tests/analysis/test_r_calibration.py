"""Calibrated designs against R: postStratify and rake keep the calibration in the variance.

tests/fixtures/anchors/r_calibration.R wrote the api CSVs (R's apiclus1 and apistrat),
their population counts (R's apipop) and, per design, R's survey 4.1.1 results to
``<design>.calibrated.r_survey.json``.  Every number here must match R to 1e-6 relative
(medians: R interpolates nothing there, but their intervals follow R's qrule too).
"""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDesign, crosstab, linear, mean, poststratify, proportion, quantile, rake, total
from tests.support.anchors import ANCHORS, load_households

REL = 1e-6
POPULATION = json.loads((ANCHORS / "api_population.json").read_text())
HH_KECAMATAN = {"Banjarsari": 48000, "Jebres": 44000, "Laweyan": 27500, "Pasar Kliwon": 21500,
                "Serengan": 12000}
HH_SEX = {"male": 117000, "female": 36000}


def close(actual, expected, rel=REL):
    assert np.asarray(actual, dtype=float) == pytest.approx(np.asarray(expected, dtype=float), rel=rel)


def api(name):
    return pd.read_csv(ANCHORS / name)


def clus1():
    return SurveyDesign(api("apiclus1.csv"), weights="pw", psu="dnum", fpc="fpc")


def households(csv, lonely="fail"):
    return SurveyDesign(load_households(csv), weights="weight", strata="kecamatan", psu="psu", nest=True,
                        lonely_psu=lonely)


DESIGNS = {
    "apiclus1.poststratify": lambda: poststratify(clus1(), None, POPULATION["stype"], "stype").design,
    "apiclus1.rake": lambda: rake(clus1(), None, {"stype": POPULATION["stype"],
                                                  "sch.wide": POPULATION["sch.wide"]}, tol=1e-13).design,
    "apiclus1.poststratify2": lambda: poststratify(
        poststratify(clus1(), None, POPULATION["stype"], "stype").design, None,
        POPULATION["sch.wide"], "sch.wide").design,
    "apistrat.rake": lambda: rake(
        SurveyDesign(api("apistrat.csv"), weights="pw", strata="stype", fpc="fpc"), None,
        {"sch.wide": POPULATION["sch.wide"], "awards": POPULATION["awards"]}, tol=1e-13).design,
    "ict_households_a.poststratify": lambda: poststratify(
        households("ict_households_a.csv"), None, HH_KECAMATAN, "kecamatan").design,
    "ict_households_a.rake": lambda: rake(
        households("ict_households_a.csv"), None, {"kecamatan": HH_KECAMATAN, "head_sex": HH_SEX},
        tol=1e-13).design,
    "ict_households_c.adjust.poststratify": lambda: poststratify(
        households("ict_households_c.csv", "adjust"), None, HH_KECAMATAN, "kecamatan").design,
}


@pytest.fixture(params=list(DESIGNS), scope="module")
def calibrated(request):
    r = json.loads((ANCHORS / f"{request.param}.calibrated.r_survey.json").read_text())
    return DESIGNS[request.param](), r


def test_weights_and_degf(calibrated):
    design, r = calibrated
    close(design.weights, r["weights"])
    assert design.degf == r["degf"]


def test_mean_and_total_with_deff(calibrated):
    design, r = calibrated
    roles = r["roles"]
    m = mean(design, roles["mean"], deff=True).iloc[0]
    close([m.estimate, m.se, m.deff], [r["mean"]["estimate"], r["mean"]["se"], r["mean"]["deff"]])
    t = total(design, roles["total"], deff=True).iloc[0]
    close([t.estimate, t.se, t.deff], [r["total"]["estimate"], r["total"]["se"], r["total"]["deff"]])


def test_the_issues_number_enrolment_total_se():
    design = DESIGNS["apiclus1.poststratify"]()
    se = total(design, "enroll").iloc[0].se
    assert round(se) == 406_293
    # rebuilt from the calibrated weights alone, the calibration is lost
    rebuilt = SurveyDesign(design.data, weights="pw", psu="dnum", fpc="fpc")
    assert total(rebuilt, "enroll").iloc[0].se > 2 * se


def test_proportion_logit_interval(calibrated):
    design, r = calibrated
    roles = r["roles"]
    values = design.data[roles["prop"]]
    flag = (values.astype(str) == str(roles["prop_level"])).astype(float)
    row = proportion(design.update(_flag=flag), "_flag").iloc[1]
    close([row.estimate, row.se], [r["ciprop"]["estimate"], r["ciprop"]["se"]])
    close([row.ci_low, row.ci_high], r["ciprop"]["ci"])


def test_domains_by_and_subset(calibrated):
    design, r = calibrated
    roles = r["roles"]
    by = mean(design, roles["mean"], by=roles["by"])
    assert by[roles["by"]].astype(str).tolist() == r["by"]["domains"]
    close(by.estimate, r["by"]["estimate"])
    close(by.se, r["by"]["se"])
    values = design.data[roles["domain"]]
    sub = design.subset((values.astype(str) == str(roles["domain_level"])).to_numpy())
    row = mean(sub, roles["mean"]).iloc[0]
    close([row.estimate, row.se], [r["subset_mean"]["estimate"], r["subset_mean"]["se"]])
    assert sub.degf == r["subset_mean"]["degf"]


def test_table_and_rao_scott(calibrated):
    design, r = calibrated
    roles = r["roles"]
    ct = crosstab(design, roles["row"], roles["col"])
    assert [str(v) for v in ct.counts.index] == r["table"]["rows"]
    assert [str(v) for v in ct.counts.columns] == r["table"]["cols"]
    close(ct.counts.to_numpy(), r["table"]["weighted_counts"])
    f = r["chisq_F"]
    close(ct.rao_scott, [f["statistic"], *f["parameter"], f["p_value"]])
    c = r["chisq_Chisq"]
    close(ct.chisq, [c["statistic"], c["parameter"], c["p_value"]])


def test_linear_model(calibrated):
    design, r = calibrated
    out = linear(design, r["lm_formula"])
    assert out["term_r"].tolist() == r["lm"]["terms"]
    close(out.coef, r["lm"]["coef"])
    close(out.se, r["lm"]["se"])


def test_median_and_its_interval(calibrated):
    design, r = calibrated
    row = quantile(design, r["roles"]["quantile"], 0.5).iloc[0]
    close([row.estimate, row.ci_low, row.ci_high], [r["median"]["estimate"], *r["median"]["ci"]])


def test_a_dataframe_gets_an_unclustered_calibrated_design():
    df = api("apiclus1.csv")
    from_frame = poststratify(df, "pw", POPULATION["stype"], "stype").design
    unclustered = poststratify(SurveyDesign(df, weights="pw"), None, POPULATION["stype"], "stype").design
    close(total(from_frame, "enroll").se, total(unclustered, "enroll").se)
    assert from_frame.calibration[0].method == "poststratify"


def test_a_subset_cannot_be_calibrated():
    d = clus1()
    with pytest.raises(ValueError, match="whole design"):
        poststratify(d.subset(np.arange(len(d)) < 50), None, POPULATION["stype"], "stype")
