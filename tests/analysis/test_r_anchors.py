"""Oracle tests: every number R's survey 4.1.1 produced for the anchor designs.

The designs (no fpc, fpc, lonely PSU "adjust", lonely PSU "average") come from
tests.support.anchors.ANCHOR_DESIGNS; the R calls are named in tests/fixtures/anchors/r_reference.R.
"""

import numpy as np
import pytest

from analysis import crosstab, logistic, mean, proportion, quantile, total

REL = 1e-6
REL_LOOSE = 1e-4  # quantiles and likelihood intervals (R interpolates a spline profile)


def close(actual, expected, rel=REL):
    assert np.asarray(actual, dtype=float) == pytest.approx(np.asarray(expected, dtype=float), rel=rel)


def test_degf(anchor):
    design, r = anchor
    assert design.degf == r["design"]["degf"]


def test_mean_has_internet(anchor):
    design, r = anchor
    expected = r["mean_has_internet"]
    row = mean(design, "has_internet", deff=True).iloc[0]
    close([row.estimate, row.se, row.deff], [expected["estimate"], expected["se"], expected["deff"]])
    close([row.ci_low, row.ci_high], expected["ci_t_degf"])
    assert row.df == r["design"]["degf"]


def test_proportion_deff_is_the_means(anchor):
    design, r = anchor
    row = proportion(design, "has_internet", deff=True).iloc[1]
    close(row.deff, r["mean_has_internet"]["deff"])


def test_mean_normal_interval(anchor):
    design, r = anchor
    row = mean(design, "has_internet", df=np.inf).iloc[0]
    close([row.ci_low, row.ci_high], r["mean_has_internet"]["ci_normal"])


@pytest.mark.parametrize("key, var, estimator", [
    ("total_has_internet", "has_internet", total),
    ("mean_income", "income_monthly", mean),
    ("total_households", "one", total),
])
def test_mean_and_total(anchor, key, var, estimator):
    design, r = anchor
    row = estimator(design, var).iloc[0]
    close([row.estimate, row.se], [r[key]["estimate"], r[key]["se"]])


def test_mean_of_factor(anchor):
    design, r = anchor
    expected = r["mean_education"]
    out = mean(design, "head_education")
    assert out["level"].tolist() == expected["levels"]
    close(out.estimate, expected["estimate"])
    close(out.se, expected["se"])


@pytest.mark.parametrize("method", ["logit", "beta", "mean", "likelihood"])
def test_ciprop(anchor, method):
    design, r = anchor
    expected = r[f"ciprop_has_computer_{method}"]
    out = proportion(design, "has_computer", ci_method=method)
    assert out["level"].tolist() == [0, 1]
    row = out.iloc[1]
    close(row.estimate, expected["estimate"])
    close([row.ci_low, row.ci_high], expected["ci"], rel=REL_LOOSE if method == "likelihood" else REL)


def test_by_kecamatan(anchor):
    design, r = anchor
    expected = r["by_kecamatan_has_internet"]
    out = mean(design, "has_internet", by="kecamatan")
    assert out["kecamatan"].tolist() == expected["domains"]
    close(out.estimate, expected["estimate"])
    se_r = np.array(expected["se"], dtype=float)  # "NaN" when R cannot estimate it
    zero = se_r < 1e-12                                # R: 2e-17, rounding noise around zero
    assert np.array_equal(np.isnan(out.se), np.isnan(se_r))
    ok = ~np.isnan(se_r) & ~zero
    close(out.se[ok], se_r[ok])
    assert np.all(np.abs(out.se[zero]) < 1e-12)


def test_by_sex_with_missing_values(anchor):
    design, r = anchor
    expected = r["by_sex_egov_satisfaction"]
    out = mean(design, "egov_satisfaction", by="head_sex")
    assert out["head_sex"].tolist() == expected["domains"]
    close(out.estimate, expected["estimate"])
    close(out.se, expected["se"])


def test_svytable(anchor):
    design, r = anchor
    expected = r["table_computer_education"]
    ct = crosstab(design, "has_computer", "head_education")
    assert [str(v) for v in ct.counts.index] == expected["rows"]
    assert list(ct.counts.columns) == expected["cols"]
    close(ct.counts.to_numpy(), expected["weighted_counts"])


def test_svychisq_f(anchor):
    design, r = anchor
    expected = r["chisq_computer_education_F"]
    stat, ndf, ddf, p = crosstab(design, "has_computer", "head_education").rao_scott
    close([stat, ndf, ddf, p], [expected["statistic"], *expected["parameter"], expected["p_value"]])


def test_svychisq_chisq(anchor):
    design, r = anchor
    expected = r["chisq_computer_education_Chisq"]
    stat, df, p = crosstab(design, "has_computer", "head_education").chisq
    close([stat, df, p], [expected["statistic"], expected["parameter"], expected["p_value"]])


def test_svyglm_logit(anchor):
    design, r = anchor
    expected = r["logit_has_internet"]
    out = logistic(design, "has_internet ~ head_age + head_sex + log(income_monthly) + hh_size")
    assert out["term_r"].tolist() == expected["terms"]
    close(out.coef, expected["coef"])
    close(out.se, expected["se"])
    assert out.attrs["df_residual"] == expected["df_residual"]


def test_quantiles(anchor):
    design, r = anchor
    expected = r["quantiles_income"]
    out = quantile(design, "income_monthly", expected["probs"])
    close(out["prob"], expected["probs"])
    close(out.estimate, expected["estimate"], rel=REL_LOOSE)
