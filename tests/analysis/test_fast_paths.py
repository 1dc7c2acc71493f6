"""The estimators' fast paths give the general paths' numbers (issue 22, item 2): rows sorted by
PSU (PSU totals by runs) or shuffled (by bincount), one domain or many, every row used or some
missing, a model whose columns are clearly estimable or nearly aliased."""

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDesign, crosstab, logistic, mean, quantile
from analysis.benchmarks.generate import frame


@pytest.fixture(scope="module")
def data():
    df = frame(4000)
    df.loc[df.index[::37], "y"] = np.nan          # some missing values
    return df


def _design(df):
    return SurveyDesign(df, weights="w", strata="stratum", psu="psu", nest=True)


def _results(d):
    t = crosstab(d, "r2", "c5")
    return np.concatenate([
        mean(d, "y")[["estimate", "se"]].to_numpy().ravel(),
        mean(d, "y", by="dom")[["estimate", "se"]].to_numpy().ravel(),
        mean(d.subset(d.column("x4").to_numpy() == 1), "y")[["estimate", "se"]].to_numpy().ravel(),
        mean(d, "b")[["estimate", "se"]].to_numpy().ravel(),
        t.total_percent_se.to_numpy().ravel(), t.row_percent_se.to_numpy().ravel(), np.array(t.rao_scott),
        logistic(d, "b ~ x1 + x2 + x3 + x4")[["coef", "se"]].to_numpy().ravel(),
        quantile(d, "y", 0.5)[["estimate", "ci_low", "ci_high", "se"]].to_numpy().ravel(),
    ])


def test_rows_sorted_by_psu_or_shuffled_give_the_same_numbers(data):
    sorted_rows = _results(_design(data))
    shuffled = data.sample(frac=1, random_state=3)
    assert not shuffled["psu"].is_monotonic_increasing
    assert _results(_design(shuffled)) == pytest.approx(sorted_rows, rel=1e-10)


def test_one_domain_is_the_mean_of_the_general_domain_path(data):
    d = _design(data.assign(one="all"))
    by_one = mean(d, "y", by="one")
    plain = mean(d, "y")
    assert by_one[["estimate", "se"]].to_numpy() == pytest.approx(plain[["estimate", "se"]].to_numpy(), rel=1e-12)


def test_a_nearly_aliased_column_is_still_left_out_as_r_does(data):
    df = data.assign(x5=data["x1"] * 2 + 1e-14 * np.sin(np.arange(len(data))))
    out = logistic(_design(df), "b ~ x1 + x5 + x2")
    assert out.attrs["aliased"] == ["x5"]
    assert np.isnan(out.set_index("term").loc["x5", "coef"])
    assert pd.notna(out.set_index("term").loc["x2", "coef"])


def test_cached_codes_follow_the_data_they_came_from(data):
    df = data.copy()
    before = mean(_design(df), "y", by="dom")
    df.loc[df["dom"] == "d1", "dom"] = "d9"          # the caller edits their frame afterwards
    after = mean(_design(df), "y", by="dom")
    assert before["dom"].tolist() == ["d1", "d2", "d3", "d4", "d5"]
    assert after["dom"].tolist() == ["d2", "d3", "d4", "d5", "d9"]
    assert after["estimate"].iloc[-1] == pytest.approx(before["estimate"].iloc[0], rel=1e-12)


def test_a_subset_design_reuses_the_codes_and_counts_only_its_rows(data):
    d = _design(data)
    sub = d.subset(d.column("r2").to_numpy() == "a")
    by_dom = mean(sub, "y", by="dom")
    direct = [mean(sub.subset(sub.column("dom").to_numpy() == v), "y")["estimate"].iloc[0]
              for v in ["d1", "d2", "d3", "d4", "d5"]]
    assert by_dom["estimate"].to_numpy() == pytest.approx(direct, rel=1e-12)
    assert by_dom["n"].sum() == int(((data["r2"] == "a") & data["y"].notna()).sum())


@pytest.mark.parametrize("kind", ["continuous", "rounded", "few values", "signed zeros"])
def test_the_quantile_sort_keeps_ties_in_row_order(kind):
    from analysis.estimation.qrule import stable_order

    rng = np.random.default_rng(5)
    x = {"continuous": rng.normal(size=5000), "rounded": np.round(rng.normal(size=5000), 2),
         "few values": rng.integers(0, 4, 5000).astype(float),
         "signed zeros": np.r_[rng.normal(size=500), np.zeros(7), -np.zeros(5), np.ones(3)]}[kind]
    assert (stable_order(x) == np.argsort(x, kind="stable")).all()


def test_psu_codes_by_ordering_equal_the_codes_by_counting():
    from analysis.estimation.codes import dense, units_in_groups

    rng = np.random.default_rng(6)
    unit = rng.integers(0, 300, 5000)
    nested = rng.integers(0, 20, 300)[unit]          # every unit in one group
    crossed = rng.integers(0, 20, 5000)              # units spread over groups
    for group in (nested, crossed):
        uniq, code = dense(group * 300 + unit, 20 * 300)
        got_code, got_group = units_in_groups(group, unit, 20)
        assert (got_code == code).all() and (got_group == uniq // 300).all()


def test_normal_equation_steps_follow_the_least_squares_path_with_rupiah_predictors():
    from analysis.estimation.models import _FAMILIES, _irls

    rng = np.random.default_rng(8)
    n = 20000
    income = rng.lognormal(15, 0.5, n)                       # rupiah: columns 1e7 apart in scale
    x = np.column_stack([np.ones(n), income, rng.integers(0, 2, n), income / 1e3 + rng.normal(0, 1, n)])
    y = (rng.random(n) < 1 / (1 + np.exp(1 - 1e-7 * income - 0.5 * x[:, 2]))).astype(float)
    w = rng.uniform(0.5, 1.5, n)
    family = _FAMILIES["logistic"]
    eta = family.start(y, w)
    mu = family.linkinv(eta)
    devold = family.dev_resids(y, mu, w).sum()
    for _ in range(25):      # glm.fit's steps, each by a QR/SVD least squares
        d_mu = mu * (1 - mu)
        root_w = np.sqrt(w * d_mu)
        beta = np.linalg.lstsq(x * root_w[:, None], (eta + (y - mu) / d_mu) * root_w, rcond=None)[0]
        eta = x @ beta
        mu = family.linkinv(eta)
        dev = family.dev_resids(y, mu, w).sum()
        if abs(dev - devold) / (abs(dev) + 0.1) < 1e-8:
            break
        devold = dev
    assert _irls(x, y, w, family)[0] == pytest.approx(beta, rel=1e-9)


@pytest.mark.parametrize("formula", ["b ~ x1 + x2 + x3 + x4", "b~x4+x1", "y ~ x1 + x3", "b ~ dom + x1",
                                     "y ~ x2 + c5 + r2 + kind", "b ~ kind + dom"])
def test_a_plain_formula_builds_the_model_patsy_builds(data, formula):
    from analysis.estimation import models

    df = data.copy()
    df.loc[df.index[::53], "x2"] = np.nan
    df.loc[df.index[::61], "c5"] = None                        # a missing level: the row is left out
    df.loc[df["x2"].isna() & (df["dom"] == "d2"), "c5"] = "c9"  # a level only in rows left out: dropped
    df["kind"] = pd.Categorical(np.where(df["x4"] == 1, "yes", "no"), categories=["yes", "no", "never"])
    d = _design(df)
    d = d.subset(d.column("dom").to_numpy() != "d3")
    kind = "logistic" if formula.startswith("b") else "linear"
    y, X, used = models._plain_matrices(d, formula, kind)
    y0, X0, used0 = models._matrices(d, formula, kind)
    assert list(X.columns) == list(X0.columns) and (used == used0).all()
    assert (X.to_numpy() == X0.to_numpy()).all() and (y == y0).all()
    assert models._plain_matrices(d, "b ~ dom:x1", kind) is None      # interactions: patsy
    assert models._plain_matrices(d, "b ~ np.log(x3)", kind) is None
    assert models._plain_matrices(d, "b ~ x1 + stratum", kind) is not None


@pytest.mark.parametrize("na_rm", [True, False])
def test_a_whole_mean_equals_the_domain_path(data, na_rm):
    """mean(d, y) skips the domain codes; with every row in one domain (by a constant column)
    the general path must give the same numbers: all rows, a subset, missing values kept or not."""
    df = data.assign(one="all")
    d = _design(df)
    for design in (d, d.subset(d.column("x4").to_numpy() == 1)):
        for var in ("y", "x1"):
            whole = mean(design, var, na_rm=na_rm)
            general = mean(design, var, by="one", na_rm=na_rm)
            cols = ["estimate", "se", "ci_low", "ci_high", "df", "n"]
            np.testing.assert_allclose(whole[cols].to_numpy(dtype=float), general[cols].to_numpy(dtype=float),
                                       rtol=1e-12, equal_nan=True)
    assert np.isnan(mean(d, "y", na_rm=False)["estimate"].iloc[0])   # y has missing values
