"""Replicate-weight designs against R's survey 4.1.1 (issue 18, section 2).

tests/fixtures/anchors/r_replicate.R built each design in R (as.svrepdesign of apiclus1 as
JK1, apistrat as JKn, a 2-PSU-per-stratum version of apistrat as BRR and Fay; svrepdesign
given R's bootstrap and JK1 replicate weights; postStratify and rake of the JK1 design)
and wrote R's numbers to ``<design>.replicate.r_survey.json``.  The same designs are built
here from the same data and every number must agree to 1e-6 relative.
"""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDesign, crosstab, linear, logistic, mean, poststratify, proportion, quantile, rake
from analysis.estimation.estimates import ratio, total
from analysis.estimation.replicate import ReplicateDesign
from analysis.estimation.variance import VarianceDesign
from tests.support.anchors import ANCHORS

REL = 1e-6
STYPE = {"E": 4421, "H": 755, "M": 1018}
SCH_WIDE = {"No": 1072, "Yes": 5122}


def api(name):
    return pd.read_csv(ANCHORS / name)


def jk1():
    return SurveyDesign(api("apiclus1.csv"), weights="pw", psu="dnum", fpc="fpc").as_replicate("JK1")


def pairs(method, **kw):
    return SurveyDesign(api("apistrat_pairs.csv"), weights="pw", strata="pair", psu="half").as_replicate(
        method, **kw)


def given(mse=False):
    """R's JK1 replicate analysis weights, given as columns (svrepdesign, combined weights)."""
    d = jk1()
    df = d.data.assign(**{f"rw{r + 1:02d}": d.replicate_weights[:, r] for r in range(d.n_replicates)})
    return ReplicateDesign(df, weights="pw", replicate_weights="rw[0-9]+", method="JK1", scale=d.scale,
                           mse=mse)


def bootstrap():
    r = reference("apistrat.bootstrap")
    return ReplicateDesign(api("apistrat.bootstrap.csv"), weights="pw",
                           replicate_weights=[f"bw{i:02d}" for i in range(1, 51)], method="bootstrap",
                           scale=r["scale"], rscales=r["rscales"])


DESIGNS = {
    "apiclus1.JK1": jk1,
    "apistrat.JKn": lambda: SurveyDesign(api("apistrat.csv"), weights="pw", strata="stype",
                                         fpc="fpc").as_replicate("JKn"),
    "pairs.BRR": lambda: pairs("BRR"),
    "pairs.Fay": lambda: pairs("Fay", fay_rho=0.3),
    "apistrat.bootstrap": bootstrap,
    "apiclus1.given": given,
    "apiclus1.given_mse": lambda: given(mse=True),
    "apiclus1.JK1.poststratify": lambda: poststratify(jk1(), None, STYPE, "stype").design,
    "apiclus1.JK1.rake": lambda: rake(jk1(), None, {"stype": STYPE, "sch.wide": SCH_WIDE}, tol=1e-13).design,
}


def reference(name):
    return json.loads((ANCHORS / f"{name}.replicate.r_survey.json").read_text())


@pytest.fixture(params=list(DESIGNS), scope="module")
def anchor(request):
    return DESIGNS[request.param](), reference(request.param)


def close(actual, expected, rel=REL):
    actual, expected = np.ravel(np.asarray(actual, dtype=float)), np.ravel(np.asarray(expected, dtype=float))
    assert actual == pytest.approx(expected, rel=rel)


def test_design_weights_scale_and_degf(anchor):
    d, r = anchor
    assert isinstance(d, VarianceDesign)
    assert d.n_replicates == r["n_replicates"]
    close(d.scale, r["scale"])
    close(d.rscales, r["rscales"])
    assert d.degf == r["degf"]
    close(d.weights, r["weights"], 1e-9)
    # R's replicate analysis weights: their sums, and sums weighted by row position (pins the rows)
    close(d.replicate_weights.sum(axis=0), r["repweights_colsums"], 1e-9)
    close((d.replicate_weights * np.arange(1, len(d) + 1)[:, None]).sum(axis=0), r["repweights_position"], 1e-9)


def test_mean_total_ratio(anchor):
    d, r = anchor
    row = mean(d, "api00").iloc[0]
    close([row.estimate, row.se, row.ci_low, row.ci_high], [r["mean"]["estimate"], r["mean"]["se"], *r["mean"]["ci"]])
    assert row.df == r["degf"]
    out = mean(d, "stype")
    close(out.estimate, r["mean_stype"]["estimate"])
    close(out.se, r["mean_stype"]["se"])
    row = total(d, "enroll").iloc[0]
    close([row.estimate, row.se], [r["total"]["estimate"], r["total"]["se"]])
    row = ratio(d, "api00", "api99").iloc[0]
    close([row.estimate, row.se], [r["ratio"]["estimate"], r["ratio"]["se"]])


@pytest.mark.parametrize("method", ["logit", "beta", "mean"])
def test_proportion_intervals(anchor, method):
    d, r = anchor
    row = proportion(d, "awards", ci_method=method).set_index("level").loc["Yes"]
    expected = r[f"ciprop_{method}"]
    close([row.estimate, row.se, row.ci_low, row.ci_high], [expected["estimate"], expected["se"], *expected["ci"]])


def test_likelihood_interval_is_missing_as_in_r(anchor):
    d, r = anchor
    assert r["ciprop_likelihood"]["ci"] == ["NA", "NA"]
    row = proportion(d, "awards", ci_method="likelihood").set_index("level").loc["Yes"]
    close(row.se, r["ciprop_likelihood"]["se"])
    assert np.isnan(row.ci_low) and np.isnan(row.ci_high)


def test_quantiles_woodruff(anchor):
    d, r = anchor
    out = quantile(d, "api00", [0.25, 0.5])
    close(out.estimate, r["quantile"]["estimate"])
    close(out.se, r["quantile"]["se"])
    close(out[["ci_low", "ci_high"]].to_numpy().ravel(), r["quantile"]["ci"])


def test_domains(anchor):
    d, r = anchor
    out = mean(d, "api00", by="comp.imp")
    assert out["comp.imp"].tolist() == r["by_mean"]["domains"]
    close(out.estimate, r["by_mean"]["estimate"])
    close(out.se, r["by_mean"]["se"])
    assert (out.df == r["degf"]).all()
    out = proportion(d, "awards", by="stype", ci_method="logit")
    out = out[out.level == "Yes"]
    close(out.estimate, r["by_ciprop"]["estimate"])
    close(out.ci_low, r["by_ciprop"]["ci_low"])
    close(out.ci_high, r["by_ciprop"]["ci_high"])
    assert out.df.tolist() == r["by_ciprop"]["degf"]   # each domain's own degf (rank of its weights - 1)


def test_subset(anchor):
    d, r = anchor
    sub = d.subset(d.column("stype").to_numpy() == "E")
    row = mean(sub, "api00").iloc[0]
    close([row.estimate, row.se], [r["subset_mean"]["estimate"], r["subset_mean"]["se"]])
    assert sub.degf == r["subset_mean"]["degf"]


def test_crosstab(anchor):
    d, r = anchor
    ct = crosstab(d, "awards", "stype")
    close(ct.counts.to_numpy().T.ravel(), r["cell_totals"]["estimate"])
    close(ct.counts_se.to_numpy().T.ravel(), r["cell_totals"]["se"])
    assert list(ct.row_percent.index) == r["row_percent"]["rows"]
    close(ct.row_percent.to_numpy() / 100, r["row_percent"]["estimate"])
    close(ct.row_percent_se.to_numpy() / 100, r["row_percent"]["se"])
    close(ct.rao_scott[0], r["chisq_F"]["statistic"])
    close(ct.rao_scott[1:3], r["chisq_F"]["parameter"])
    close(ct.rao_scott[3], r["chisq_F"]["p_value"])
    close(ct.chisq, [r["chisq_Chisq"]["statistic"], r["chisq_Chisq"]["parameter"], r["chisq_Chisq"]["p_value"]])


def test_models(anchor):
    d, r = anchor
    d = d.update(sch_yes=(d.column("sch.wide") == "Yes").astype(float))
    out = logistic(d, "sch_yes ~ ell + meals")
    close(out.coef, r["logistic"]["coef"])
    close(out.se, r["logistic"]["se"])
    assert out.attrs["df_residual"] == r["logistic"]["df"]
    out = linear(d, "api00 ~ ell + meals + mobility")
    assert out.term_r.tolist() == r["linear"]["terms"]
    close(out.coef, r["linear"]["coef"])
    close(out.se, r["linear"]["se"])
    assert out.attrs["df_residual"] == r["linear"]["df"]


# ---- our own bootstrap: not R's random numbers, so its properties ------------------------
def test_bootstrap_is_reproducible_and_close_to_the_jackknife():
    base = SurveyDesign(api("apistrat.csv"), weights="pw", strata="stype")
    a = base.as_replicate("bootstrap", replicates=400, seed=7)
    b = base.as_replicate("bootstrap", replicates=400, seed=7)
    c = base.as_replicate("bootstrap", replicates=400, seed=8)
    assert np.array_equal(a.replicate_weights, b.replicate_weights)
    assert not np.array_equal(a.replicate_weights, c.replicate_weights)
    assert a.n_replicates == 400 and a.method == "bootstrap"
    # each stratum's PSUs are drawn n_h times: the multipliers of a stratum sum to n_h in every replicate
    multipliers = a.replicate_weights / a.weights[:, None]
    for _, rows in base.data.groupby("stype").groups.items():
        assert np.allclose(multipliers[base.data.index.get_indexer(rows)].sum(axis=0), len(rows))
    taylor = mean(base, "api00").se[0]
    assert mean(a, "api00").se[0] == pytest.approx(taylor, rel=0.1)
    assert mean(base.as_replicate("subbootstrap", replicates=400, seed=7), "api00").se[0] == pytest.approx(
        taylor, rel=0.1)


def test_design_errors_say_what_to_do():
    strat = SurveyDesign(api("apistrat.csv"), weights="pw", strata="stype")
    with pytest.raises(ValueError, match="unstratified"):
        strat.as_replicate("JK1")
    with pytest.raises(ValueError, match="stratified"):
        SurveyDesign(api("apiclus1.csv"), weights="pw", psu="dnum").as_replicate("BRR")
    with pytest.raises(ValueError, match="fay_rho"):
        ReplicateDesign(given().data, weights="pw", replicate_weights="rw", method="Fay")
    with pytest.raises(ValueError, match="rscales"):
        ReplicateDesign(given().data, weights="pw", replicate_weights="rw", method="JKn")
    with pytest.raises(ValueError, match="No column matches"):
        ReplicateDesign(given().data, weights="pw", replicate_weights="^repw")


def test_svrepdesign_defaults_follow_r():
    df = given().data
    cols = [c for c in df.columns if c.startswith("rw")]
    assert ReplicateDesign(df, replicate_weights=cols, method="JK1").scale == pytest.approx(14 / 15)
    assert ReplicateDesign(df, replicate_weights=cols, method="BRR").scale == pytest.approx(1 / 15)
    assert ReplicateDesign(df, replicate_weights=cols, method="Fay", fay_rho=0.5).scale == pytest.approx(4 / 15)
    assert ReplicateDesign(df, replicate_weights=cols, method="bootstrap").scale == pytest.approx(1 / 14)
    assert ReplicateDesign(df, replicate_weights=cols, method="other").scale == 1.0


def test_update_and_subset_keep_the_replicates():
    d = given()
    u = d.update(double=d.column("api00") * 2)
    assert mean(u, "double").se[0] == pytest.approx(2 * mean(d, "api00").se[0], rel=1e-12)
    with pytest.raises(ValueError, match="design columns"):
        d.update(pw=d.column("pw"))
    with pytest.raises(ValueError, match="Calibrate the whole design"):
        poststratify(d.subset(d.column("stype").to_numpy() == "E"), None, STYPE, "stype")


def test_hadamard_matrices_are_rs():
    from analysis.estimation.replicate_hadamard import hadamard
    for n, rows in json.loads((ANCHORS / "hadamard.r_survey.json").read_text()).items():
        expected = np.array([[int(c) for c in row] for row in rows])
        assert np.array_equal(hadamard(int(n)), expected), n


def test_deff_as_r(anchor):
    d, r = anchor
    close(mean(d, "api00", deff=True).deff, r["mean"]["deff"])
    close(total(d, "enroll", deff=True).deff, r["total"]["deff"])
    close(mean(d, "api00", by="comp.imp", deff=True).deff, r["by_mean"]["deff"])


@pytest.mark.parametrize("name", ["apiclus1.JK1.poststratify", "apiclus1.JK1.rake"])
def test_as_replicate_of_a_calibrated_design_calibrates_every_replicate(name):
    """A calibrated SurveyDesign as JK1 = R's as.svrepdesign, then postStratify/rake of the replicates."""
    base = SurveyDesign(api("apiclus1.csv"), weights="pw", psu="dnum", fpc="fpc")
    calibrated = (poststratify(base, None, STYPE, "stype") if name.endswith("poststratify")
                  else rake(base, None, {"stype": STYPE, "sch.wide": SCH_WIDE}, tol=1e-13)).design
    d, r = calibrated.as_replicate("JK1"), reference(name)
    close(d.replicate_weights.sum(axis=0), r["repweights_colsums"], 1e-9)
    close([mean(d, "api00").se[0], total(d, "enroll").se[0]], [r["mean"]["se"], r["total"]["se"]])


def test_domain_quantiles(anchor):
    """svyby(~api00, ~stype, svyquantile): each domain's Woodruff SE with its own degf (NaN when
    the interval for the share leaves [0, 1], as R)."""
    d, r = anchor
    out = quantile(d, "api00", 0.5, by="stype")
    close(out.estimate, r["by_median"]["estimate"])
    expected = np.array([np.nan if s == "NaN" else s for s in r["by_median"]["se"]], dtype=float)
    assert np.array_equal(np.isnan(out.se.to_numpy()), np.isnan(expected))
    close(out.se[~np.isnan(expected)], expected[~np.isnan(expected)])
    assert out.df.tolist() == r["by_median"]["degf"]


def test_as_replicate_mse_centres_on_the_full_sample():
    """R: as.svrepdesign(..., mse=TRUE) is the given-weights design with mse=TRUE."""
    base = SurveyDesign(api("apiclus1.csv"), weights="pw", psu="dnum", fpc="fpc")
    d, r = base.as_replicate("JK1", mse=True), reference("apiclus1.given_mse")
    assert d.mse
    close([mean(d, "api00").se[0], total(d, "enroll").se[0]], [r["mean"]["se"], r["total"]["se"]])


@pytest.mark.parametrize("method", ["BRR", "Fay", "JKn"])
def test_scd_numeric_strata_and_fpc(method):
    """R's scd: numeric stratum ids, 2 PSUs per stratum, fpc 5 (JKn uses it; BRR/Fay drop it as R)."""
    r = reference("scd")[method]
    d = SurveyDesign(api("scd.csv").assign(fpc=5), strata="ESA", psu="ambulance", fpc="fpc",
                     nest=True).as_replicate(method, fay_rho=0.3 if method == "Fay" else None)
    assert d.degf == r["degf"]
    close([d.scale, *d.rscales], [r["scale"], *r["rscales"]])
    out = pd.concat([mean(d, "arrests"), mean(d, "alive")])
    close(out.estimate, r["estimate"])
    close(out.se, r["se"])


def test_the_variance_protocol_gives_replicate_variances_of_influence_values():
    """Code that only has influence values (VarianceDesign) gets the linearised replicate variance:
    exact for a total, whose replicate estimates are linear in the weights."""
    d = jk1()
    y = d.column("enroll").to_numpy(dtype=float)
    rows = ~np.isnan(y)
    infl = np.where(rows, d.weights * np.nan_to_num(y), 0.0)
    se = total(d, "enroll").se[0]
    assert np.sqrt(d.variance(infl, rows)[0]) == pytest.approx(se, rel=1e-12)
    group = np.where(rows, (d.column("stype").to_numpy() == "E").astype(int), -1)
    by = total(d.update(e=d.column("stype").to_numpy() == "E"), "enroll", by="e")
    assert np.sqrt(d.variance(infl, rows, group, 2)) == pytest.approx(by.se.to_numpy(), rel=1e-12)
    cov = d.totals_covariance(d.totals(infl, group, 2), rows)
    assert np.sqrt(np.diag(cov)) == pytest.approx(by.se.to_numpy(), rel=1e-12)


def test_replicate_multipliers_instead_of_combined_weights():
    """R: svrepdesign(..., combined.weights=FALSE) takes multipliers and guesses JK1's scale from them."""
    d = given()
    df = d.data
    cols = [c for c in df.columns if c.startswith("rw")]
    multipliers = df[cols].to_numpy() / df[["pw"]].to_numpy()
    m = ReplicateDesign(df.assign(**{c: multipliers[:, i] for i, c in enumerate(cols)}), weights="pw",
                        replicate_weights=cols, method="JK1", combined_weights=False)
    assert m.scale == pytest.approx(14 / 15)
    assert np.allclose(m.replicate_weights, d.replicate_weights)
    assert mean(m, "api00").se[0] == pytest.approx(mean(d, "api00").se[0] * np.sqrt(14 / 15 / d.scale), rel=1e-12)
