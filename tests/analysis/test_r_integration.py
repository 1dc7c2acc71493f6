"""Issue 18's parts together, against R's survey 4.1.1: calibration of a replicate design,
svyttest / svyolr / svychisq on replicate designs, and two-stage designs made replicate,
calibrated and modelled.

tests/fixtures/anchors/r_integration.R wrote integration.r_survey.json from apiclus1.csv and
apiclus2.csv (R's api data) and R's apipop totals; every number must agree to 1e-6 relative
(iterative fits: 1e-4 where R's optimiser stops early, as said at each test).
"""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

from analysis import SurveyDesign, calibrate, crosstab, mean, ordinal_logistic, total, ttest
from analysis.estimation.chisqsum import pchisqsum, ruben
from analysis.estimation.replicate import ReplicateDesign
from tests.support.anchors import ANCHORS

R = json.loads((ANCHORS / "integration.r_survey.json").read_text())
POP = R["population"]
API_CAT = ["low", "mid", "high", "top"]


def close(actual, expected, rel=1e-6, abs=0.0):
    expected = np.asarray(expected, dtype=float)
    assert np.asarray(actual, dtype=float) == pytest.approx(expected, rel=rel, abs=abs, nan_ok=True)


def api(name: str) -> pd.DataFrame:
    df = pd.read_csv(ANCHORS / f"{name}.csv")
    # R: cut(api00, c(0, 550, 650, 750, 1000)), intervals closed on the right
    df["api_cat"] = pd.cut(df["api00"], [0, 550, 650, 750, 1000], labels=API_CAT)
    return df


def clus1() -> SurveyDesign:
    return SurveyDesign(api("apiclus1"), weights="pw", psu="dnum", fpc="fpc")


def jk1() -> ReplicateDesign:
    return clus1().as_replicate("JK1")


def clus2() -> SurveyDesign:
    return SurveyDesign(api("apiclus2"), psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])


def check_estimates(d, r):
    m, t = mean(d, "api00").iloc[0], total(d, "enroll").iloc[0]
    close([m.estimate, m.se], [r["mean_api00"]["estimate"], r["mean_api00"]["se"]])
    close([t.estimate, t.se], [r["total_enroll"]["estimate"], r["total_enroll"]["se"]])
    by = mean(d, "api00", by="stype")
    close(by.estimate, r["by_stype"]["estimate"])
    close(by.se, r["by_stype"]["se"])
    assert d.degf == r["degf"]


# ---- 1. calibrate() of a replicate design: every replicate recalibrated -----------------------
@pytest.mark.parametrize("name", list(R["replicate_calibrate"]))
def test_calibrate_a_replicate_design_as_r(name):
    r = R["replicate_calibrate"][name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = calibrate(jk1(), None, {v: POP[v] for v in r["variables"]}, calfun=r["calfun"],
                           bounds=r["bounds"])
    # jk1_linear_bounded: 8 replicates cannot meet the bounds; R warns and keeps their last weights
    unconverged = [w for w in caught if "did not converge" in str(w.message)]
    assert len(unconverged) == (name == "jk1_linear_bounded")
    if unconverged:
        assert "8 replicate(s)" in str(unconverged[0].message)
    d = result.design
    assert isinstance(d, ReplicateDesign) and d.n_replicates == r["n_replicates"]
    close(result.weights, r["weights"])
    close(d.weights, r["weights"])
    close(d.replicate_weights.sum(axis=0), r["repweights_colsums"])
    close(d.replicate_weights.T @ np.arange(1, len(d) + 1), r["repweights_position"])
    check_estimates(d, r)


def test_each_replicate_meets_the_totals():
    d = calibrate(jk1(), None, {"stype": POP["stype"], "api99": POP["api99"]}).design
    x = d.data
    for w in d.replicate_weights.T:
        close(w @ x["api99"].to_numpy(), POP["api99"])
        close([w[x["stype"].to_numpy() == s].sum() for s in ("E", "H", "M")], list(POP["stype"].values()))


def test_a_replicate_design_is_calibrated_from_its_own_weights():
    with pytest.raises(ValueError, match="own weights"):
        calibrate(jk1(), "pw", {"stype": POP["stype"]})


# ---- 2. svychisq on a replicate design: every statistic as svychisq.svyrep.design ------------
@pytest.mark.parametrize("name", list(R["replicate_svychisq"]))
def test_every_svychisq_statistic_on_a_replicate_design(name):
    r = R["replicate_svychisq"][name]
    ct = crosstab(jk1(), r["rows"], r["cols"])
    close(ct.rao_scott, [r["F"]["statistic"], *r["F"]["parameter"], r["F"]["p_value"]])
    close(ct.chisq, [r["Chisq"]["statistic"], r["Chisq"]["parameter"], r["Chisq"]["p_value"]])
    for ours, theirs in ((ct.wald, r["Wald"]), (ct.adj_wald, r["adjWald"])):
        close([ours.statistic, *ours.parameter, ours.p_value],
              [theirs["statistic"], *theirs["parameter"], theirs["p_value"]])
    # lincom and saddlepoint: sum(delta_i chi2_1), no denominator df (R's pchisqsum)
    close([ct.saddlepoint.statistic, ct.saddlepoint.p_value], [r["saddlepoint"]["statistic"],
                                                               r["saddlepoint"]["p_value"]])
    assert ct.saddlepoint.parameter is None and ct.lincom.parameter is None
    close([ct.lincom.statistic, ct.lincom.p_value], [r["lincom"]["statistic"], r["lincom"]["p_value"]])


def test_replicate_svychisq_with_missing_values_kept_is_nan():
    d = jk1()
    df = d.data
    d = d.update(awards_na=df["awards"].where(df.index % 7 != 0))
    ct = crosstab(d, "awards_na", "stype", na_rm=False)
    assert np.isnan(ct.rao_scott).all() and np.isnan(ct.chisq).all()
    for t in (ct.wald, ct.adj_wald, ct.lincom, ct.saddlepoint):
        assert np.isnan(t.statistic) and np.isnan(t.p_value)
    assert ct.wald.parameter == (2, 14)   # R keeps the Wald test's df
    assert np.isfinite(crosstab(d, "awards_na", "stype").wald.p_value)


def test_pchisqsum_integration_against_closed_forms():
    # two equal eigenvalues: a chi2_2 is an exponential; one eigenvalue: a scaled chi2_1
    assert pchisqsum(3.0, [1.5, 1.5], "integration") == pytest.approx(np.exp(-1.0), rel=1e-12)
    assert pchisqsum(3.0, [0.5], "integration") == pytest.approx(stats.chi2.sf(6.0, 1), rel=1e-12)
    # eigenvalues far apart (Ruben's series slow: Davies' algorithm) against a direct integration:
    # chi2_1 = s^2 has density 2 phi(s) ds, so each term is integrated out over s
    far = np.array([1.0, 0.001, 0.3])
    assert ruben(5.0, far)[1] > 1e-14

    def two(q):   # P(X1 + 0.3 X3 > q)
        if q <= 0:
            return 1.0
        inner = integrate.quad(lambda u: np.sqrt(2 / np.pi) * np.exp(-u * u / 2)
                               * special.chdtrc(1, (q - u * u) / 0.3), 0, np.sqrt(q), epsabs=1e-13)[0]
        return special.chdtrc(1, q) + inner

    exact = integrate.quad(lambda u: np.sqrt(2 / np.pi) * np.exp(-u * u / 2) * two(5.0 - 0.001 * u * u), 0, 40,
                           epsabs=1e-13)[0]
    assert pchisqsum(5.0, far, "integration") == pytest.approx(exact, abs=1e-9)


# ---- 2. svyttest and svyolr on a replicate design ------------------------------------------
def check_ttest(t, r):
    close([t.statistic, t.df, t.p_value, t.estimate, t.ci_low, t.ci_high],
          [r["statistic"], r["df"], r["p_value"], r["estimate"], *r["ci"]])


@pytest.mark.parametrize("name, y, by", [("api00_schwide", "api00", "sch.wide"), ("enroll_awards", "enroll", "awards"),
                                         ("api00_one", "api00", None), ("cal_api00_schwide", "api00", "sch.wide")])
def test_ttest_on_a_replicate_design_as_svyttest(name, y, by):
    d = jk1()
    if name.startswith("cal_"):   # svyttest of the GREG-calibrated replicate design
        d = calibrate(d, None, {"stype": POP["stype"], "api99": POP["api99"]}).design
    check_ttest(ttest(d, y, by), R["replicate_ttest"][name])


def test_ordinal_logistic_on_a_replicate_design_refits_every_replicate():
    r = R["replicate_svyolr"]["apicat"]
    out = ordinal_logistic(jk1(), "api_cat ~ ell + meals + mobility")
    assert out.term.tolist() == r["term"]
    # R's polr (BFGS, reltol 1e-8) stops early: compared with its fits run to convergence (reltol 1e-14) ...
    close(out.coef, r["coef_converged"])
    close(out.se, r["se_converged"])
    # ... and with what svyolr prints at its default tolerance (coefficients to 3e-3, SEs to 1e-4)
    close(out.coef, r["coef"], rel=5e-3)
    close(out.se, r["se"], rel=1e-4)
    # not the linearised sandwich of the JK1 design's Taylor twin
    assert not np.allclose(out.se, ordinal_logistic(clus1(), "api_cat ~ ell + meals + mobility").se, rtol=1e-3)


# ---- 3. two-stage designs: as_replicate, GREG, svyttest, svyolr ------------------------------
def test_a_two_stage_design_as_jk1_uses_the_first_stage():
    r = R["two_stage_replicate"]["JK1"]
    d = clus2().as_replicate("JK1")
    assert d.n_replicates == r["n_replicates"] == 40
    close(d.scale, r["scale"])   # (n1 - 1) / n1 times the first stage's fpc (R drops the second's)
    close(d.weights, r["weights"])
    close(d.replicate_weights.sum(axis=0), r["repweights_colsums"])
    close(d.replicate_weights.T @ np.arange(1, len(d) + 1), r["repweights_position"])
    check_estimates(d, r)


def test_a_stratified_two_stage_design_as_jkn_with_a_certainty_psu():
    r = R["two_stage_households"]["JKn"]
    df = pd.read_csv(ANCHORS / "ms_households.csv")
    d = SurveyDesign(df, psu=["block", "hh"], strata="stratum", fpc=["N1", "N2"],
                     lonely_psu="adjust").as_replicate("JKn")
    assert d.n_replicates == r["n_replicates"]   # the certainty PSU's stratum has none (R drops them)
    close(d.rscales, r["rscales"])
    close(d.replicate_weights.sum(axis=0), r["repweights_colsums"])
    close(d.replicate_weights.T @ np.arange(1, len(d) + 1), r["repweights_position"])
    m, t = mean(d, "income").iloc[0], total(d, "internet").iloc[0]
    close([m.estimate, m.se], [r["mean_income"]["estimate"], r["mean_income"]["se"]])
    close([t.estimate, t.se], [r["total_internet"]["estimate"], r["total_internet"]["se"]])
    assert d.degf == r["degf"]


@pytest.mark.parametrize("calfun", ["linear", "raking"])
def test_greg_and_raking_of_a_two_stage_design(calfun):
    r = R["two_stage_calibrate"][calfun]
    second = {"api99": POP["api99"]} if calfun == "linear" else {"sch.wide": POP["sch.wide"]}
    result = calibrate(clus2(), None, {"stype": POP["stype"], **second}, calfun=calfun,
                       epsilon=1e-12 if calfun == "raking" else 1e-7)
    close(result.weights, r["weights"])
    check_estimates(result.design, r)


def test_ttest_and_ordinal_logistic_on_a_two_stage_design():
    r = R["two_stage_models"]
    check_ttest(ttest(clus2(), "api00", by="sch.wide"), r["ttest"])
    check_ttest(ttest(clus2(), "api00"), r["ttest_one"])
    out = ordinal_logistic(clus2(), "api_cat ~ ell + meals + mobility")
    assert out.term.tolist() == r["svyolr"]["term"]
    close(out.coef, r["svyolr"]["coef"], rel=1e-4)   # R: BFGS to reltol 1e-14; SEs through optim's Hessian
    close(out.se, r["svyolr"]["se"], rel=1e-4)


# ---- 4. lonely PSU "adjust": centred at zero (survey 4.1), and the design page says so -------
def test_lonely_adjust_is_centred_at_zero_and_the_text_says_so():
    from ui.i18n import TEXT

    r = R["lonely_adjust"]
    df = pd.DataFrame({"s": ["A", "B", "B"], "p": [1, 2, 3], "y": r["y"], "w": 1.0})
    d = SurveyDesign(df, weights="w", strata="s", psu="p", lonely_psu="adjust")
    close(total(d, "y").iloc[0].se ** 2, r["variance_total"])   # 10^2 + 2 * (1 + 1), not (10 - 14/3)^2 + 4
    assert "zero" in TEXT["lonely_adjust"]["en"] and "nol" in TEXT["lonely_adjust"]["id"]
    assert not any("grand mean" in v or "rata-rata umum" in v for v in TEXT["lonely_adjust"].values())


# ---- 1b. as_replicate of a GREG-calibrated Taylor design: every replicate recalibrated ---------
@pytest.mark.parametrize("name", ["jk1_linear", "jk1_raking"])
def test_as_replicate_of_a_calibrated_design_is_the_calibrated_replicate_design(name):
    r = R["replicate_calibrate"][name]
    g = calibrate(clus1(), None, {v: POP[v] for v in r["variables"]}, calfun=r["calfun"]).design
    d = g.as_replicate("JK1")
    close(d.replicate_weights.sum(axis=0), r["repweights_colsums"])
    check_estimates(d, r)
    # R's own as.svrepdesign of the calibrated design leaves the calibration out of its replicates
    if name == "jk1_linear":
        assert mean(d, "api00").iloc[0].se < R["as_replicate_calibrated"]["r_as_svrepdesign"]["se"] / 5


def test_as_replicate_of_a_poststratified_then_greg_design():
    from analysis import poststratify

    ps = poststratify(clus1(), None, POP["stype"], "stype").design
    d = calibrate(ps, None, {"sch.wide": POP["sch.wide"], "api99": POP["api99"]}).design.as_replicate("JK1")
    r = R["as_replicate_calibrated"]["poststratified_then_linear"]
    m = mean(d, "api00").iloc[0]
    close([m.estimate, m.se], [r["estimate"], r["se"]])


def test_a_greg_calibrated_design_pickles_and_still_converts():
    import pickle

    g = calibrate(clus1(), None, {"stype": POP["stype"], "api99": POP["api99"]}).design
    d = pickle.loads(pickle.dumps(g)).as_replicate("JK1")
    close(mean(d, "api00").iloc[0].se, R["replicate_calibrate"]["jk1_linear"]["mean_api00"]["se"])
