"""Two-stage designs against R: svydesign(id=~psu+ssu, fpc=~N1+N2) and svyrecvar's recursion.

tests/fixtures/anchors/r_multistage.R wrote apiclus2.csv (R's apiclus2), ms_households.csv
(a seeded stratified two-stage sample with a certainty PSU and a lonely SSU) and, per design,
R's survey 4.1 results to ``<design>.multistage.r_survey.json``; each file names the
SurveyDesign arguments that build the same design.  Everything must match R to 1e-6
relative (profile-likelihood intervals 1e-4), NaN where R has NaN.
"""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import (
    SurveyDesign,
    crosstab,
    linear,
    logistic,
    mean,
    poststratify,
    proportion,
    quantile,
    rake,
    ratio,
    total,
)
from tests.support.anchors import ANCHORS

REL = 1e-6
REL_LOOSE = 1e-4
NAMES = sorted(p.name.removesuffix(".multistage.r_survey.json") for p in ANCHORS.glob("*.multistage.r_survey.json"))
# R's survey.lonely.psu="average" with a lonely SSU as its PSU's only stratum: every variance is NaN
ALL_NAN = {"ms_households.average"}


def close(actual, expected, rel=REL):
    expected = np.asarray(expected, dtype=float)   # R's "NaN" and "NA" strings read as NaN
    assert np.asarray(actual, dtype=float) == pytest.approx(expected, rel=rel, nan_ok=True)


def load(csv: str) -> pd.DataFrame:
    df = pd.read_csv(ANCHORS / csv)
    if "education" in df.columns:
        df["education"] = pd.Categorical(df["education"], categories=["primary", "secondary", "tertiary"])
        df["head_sex"] = pd.Categorical(df["head_sex"], categories=["male", "female"])
    return df


def build(name: str, r: dict) -> SurveyDesign:
    spec = dict(r["design"])
    df = load(name.split(".")[0] + ".csv")
    if "drop_block" in spec:
        df = df[df["block"] != spec.pop("drop_block")].reset_index(drop=True)
    post, margins = spec.pop("poststratify", None), spec.pop("rake", None)
    d = SurveyDesign(df, **spec)
    if post:
        d = poststratify(d, None, r["population"][post], post).design
    if margins:
        d = rake(d, None, {m: r["population"][m] for m in margins}, tol=1e-13).design
    return d


@pytest.fixture(params=NAMES, scope="module")
def anchor(request):
    r = json.loads((ANCHORS / f"{request.param}.multistage.r_survey.json").read_text())
    return request.param, build(request.param, r), r


def test_the_anchors_cover_the_issues_designs():
    assert {"apiclus2.count", "apiclus2.fraction", "apiclus2.ultimate", "ms_households.adjust",
            "ms_households.strata2", "ms_households.rake", "apiclus2.poststratify"} <= set(NAMES)


def test_weights_and_degf(anchor):
    _, d, r = anchor
    close(d.weights, r["weights"])
    assert d.degf == r["degf"]


def test_mean_total_ratio(anchor):
    _, d, r = anchor
    roles = r["roles"]
    m = mean(d, roles["mean"], deff=True).iloc[0]
    close([m.estimate, m.se, m.deff], [r["mean"]["estimate"], r["mean"]["se"], r["mean"]["deff"]])
    close([m.ci_low, m.ci_high], r["mean"]["ci"])
    t = total(d, roles["total"]).iloc[0]
    close([t.estimate, t.se], [r["total"]["estimate"], r["total"]["se"]])
    q = ratio(d, roles["num"], roles["den"]).iloc[0]
    close([q.estimate, q.se], [r["ratio"]["estimate"], r["ratio"]["se"]])


def test_missing_values_dropped_as_na_rm(anchor):
    _, d, r = anchor
    var = r["roles"]["na_mean"]
    for estimator, key in ((mean, "na_mean"), (total, "na_total")):
        row = estimator(d, var).iloc[0]
        close([row.estimate, row.se], [r[key]["estimate"], r[key]["se"]])


def test_mean_of_a_factor(anchor):
    _, d, r = anchor
    out = mean(d, r["roles"]["factor"])
    assert [str(v) for v in out["level"]] == r["factor_mean"]["levels"]
    close(out.estimate, r["factor_mean"]["estimate"])
    close(out.se, r["factor_mean"]["se"])


@pytest.mark.parametrize("method", ["logit", "beta", "mean", "likelihood"])
def test_proportion_intervals(anchor, method):
    name, d, r = anchor
    row = proportion(d, r["roles"]["prop"], ci_method=method).iloc[1]
    if method not in r["ciprop"]:   # R's profile cannot start from a NaN variance
        assert name in ALL_NAN and np.isnan(row.se)
        return
    close(row.estimate, r["ciprop"][method]["estimate"])
    close([row.ci_low, row.ci_high], r["ciprop"][method]["ci"], rel=REL_LOOSE if method == "likelihood" else REL)


def test_domains(anchor):
    _, d, r = anchor
    roles = r["roles"]
    for estimator, key, var in ((mean, "by_mean", roles["mean"]), (total, "by_total", roles["total"])):
        out = estimator(d, var, by=roles["by"])
        assert out[roles["by"]].astype(str).tolist() == r[key]["domains"]
        close(out.estimate, r[key]["estimate"])
        close(out.se, r[key]["se"])
    values = d.data[roles["domain"]].astype(str)
    sub = d.subset((values == str(roles["domain_level"])).to_numpy())
    row = mean(sub, roles["mean"]).iloc[0]
    close([row.estimate, row.se], [r["subset_mean"]["estimate"], r["subset_mean"]["se"]])
    assert sub.degf == r["subset_mean"]["degf"]


def test_crosstab_and_its_tests(anchor):
    name, d, r = anchor
    roles = r["roles"]
    ct = crosstab(d, roles["row"], roles["col"])
    assert [str(v) for v in ct.counts.index] == r["table"]["rows"]
    assert [str(v) for v in ct.counts.columns] == r["table"]["cols"]
    close(ct.counts.to_numpy(), r["table"]["weighted_counts"])
    f, c = r["chisq_F"], r["chisq_Chisq"]
    close(ct.rao_scott, [f["statistic"], *f["parameter"], f["p_value"]])
    if name in ALL_NAN:   # R keeps Pearson's X2 and its df beside the NaN p-value, as here
        assert np.isfinite(ct.chisq[0]) and np.isnan(ct.chisq[2])
    close(ct.chisq, [c["statistic"], c["parameter"], c["p_value"]])


def _terms(out: pd.DataFrame) -> list[str]:
    return out["term_r" if "term_r" in out.columns else "term"].tolist()


def test_logistic_and_linear_models(anchor):
    _, d, r = anchor
    out = logistic(d, r["logit_formula"])
    assert _terms(out) == r["logit"]["terms"]
    close(out.coef, r["logit"]["coef"])
    close(out.se, r["logit"]["se"])
    assert out.attrs["df_residual"] == r["logit"]["df_residual"]
    out = linear(d, r["lm_formula"])
    assert _terms(out) == r["lm"]["terms"]
    close(out.coef, r["lm"]["coef"])
    close(out.se, r["lm"]["se"])


def test_quantiles_and_woodruff_intervals(anchor):
    _, d, r = anchor
    out = quantile(d, r["roles"]["quantile"], r["quantiles"]["probs"])
    close(out.estimate, r["quantiles"]["estimate"])
    close(np.column_stack([out.ci_low, out.ci_high]).ravel(), r["quantiles"]["ci"])
