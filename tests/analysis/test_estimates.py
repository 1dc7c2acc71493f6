"""Estimators against textbook formulas (Lohr, *Sampling*) and on awkward data."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis import SurveyDesign, mean, proportion, quantile, ratio, total

pytestmark = pytest.mark.filterwarnings("error")  # no numpy warnings escape, even on edge cases

COLUMNS = ["estimate", "se", "ci_low", "ci_high", "df", "n"]


@pytest.fixture
def srs():
    rng = np.random.default_rng(7)
    return pd.DataFrame({"y": rng.normal(50, 10, 40).round(1), "b": rng.integers(0, 2, 40),
                         "g": rng.choice(["north", "south", "east"], 40)})


def test_srs_mean_and_total_match_textbook(srs):
    d = SurveyDesign(srs)                                  # no design columns: simple random sample
    n, y = len(srs), srs.y
    m = mean(d, "y").iloc[0]
    assert list(mean(d, "y").columns) == COLUMNS
    assert m.estimate == pytest.approx(y.mean())
    assert m.se == pytest.approx(y.std(ddof=1) / np.sqrt(n))
    t = stats.t.ppf(0.975, n - 1)
    assert (m.ci_low, m.ci_high) == pytest.approx((y.mean() - t * m.se, y.mean() + t * m.se))
    assert (m.df, m.n) == (n - 1, n)
    tot = total(d, "y").iloc[0]
    assert tot.estimate == pytest.approx(y.sum())
    assert tot.se == pytest.approx(n * y.std(ddof=1) / np.sqrt(n))


def test_srs_without_replacement_uses_fpc_and_deff_is_one(srs):
    N = 400
    d = SurveyDesign(srs.assign(N=N), fpc="N")            # weights N/n, as R derives them
    n, y = len(srs), srs.y
    m = mean(d, "y", deff=True).iloc[0]
    assert m.se == pytest.approx(np.sqrt((1 - n / N) * y.var(ddof=1) / n))
    assert m.deff == pytest.approx(1.0)
    assert total(d, "y").estimate[0] == pytest.approx(N * y.mean())


def test_stratified_mean_matches_textbook():
    """Lohr eq. 3.x: V(ybar_str) = sum (N_h/N)^2 (1 - n_h/N_h) s_h^2 / n_h."""
    rng = np.random.default_rng(3)
    sizes, pops = {"a": 6, "b": 10, "c": 4}, {"a": 60, "b": 200, "c": 20}
    df = pd.concat([pd.DataFrame({"h": h, "N": pops[h], "y": rng.normal(10 * i, 3, n)})
                    for i, (h, n) in enumerate(sizes.items())], ignore_index=True)
    d = SurveyDesign(df, strata="h", fpc="N")
    grp = df.groupby("h").y
    share = pd.Series(pops) / sum(pops.values())
    var = (share ** 2 * (1 - pd.Series(sizes) / pd.Series(pops)) * grp.var() / pd.Series(sizes)).sum()
    m = mean(d, "y").iloc[0]
    assert m.estimate == pytest.approx((share * grp.mean()).sum())
    assert m.se == pytest.approx(np.sqrt(var))
    assert m.df == len(df) - 3


def test_srs_proportion_mean_interval(srs):
    d = SurveyDesign(srs)
    out = proportion(d, "b", ci_method="mean")
    p, n = srs.b.mean(), len(srs)
    assert out["level"].tolist() == [0, 1]
    assert out.estimate.tolist() == pytest.approx([1 - p, p])
    assert out.se[1] == pytest.approx(np.sqrt(p * (1 - p) / (n - 1)))


def test_categorical_levels_follow_categories_else_sorted(srs):
    d = SurveyDesign(srs)
    assert mean(d, "g")["level"].tolist() == ["east", "north", "south"]
    cat = srs.assign(g=pd.Categorical(srs.g, categories=["south", "north", "east", "west"]))
    out = mean(SurveyDesign(cat), "g")
    assert out["level"].tolist() == ["south", "north", "east", "west"]
    assert out.estimate.sum() == pytest.approx(1.0)
    assert out.estimate.iloc[-1] == 0.0                 # an unused category is a 0% row, as svymean


def test_by_domains_sorted_and_equal_to_subset(srs):
    d = SurveyDesign(srs.assign(h=np.repeat(["x", "y"], 20)), strata="h")
    out = mean(d, "y", by=["g", "h"])
    assert list(out.columns[:2]) == ["g", "h"]
    keys = list(zip(out.g, out.h))
    # R's svyby order: levels of interaction(g, h), the first factor varying fastest
    assert keys == sorted(keys, key=lambda gh: (gh[1], gh[0]))
    one = mean(d.subset((srs.g == "north").to_numpy()), "y")
    north = out[out.g == "north"]
    assert total(d, "y", by="g").estimate.sum() == pytest.approx(srs.y.sum())
    # a subset's point estimate is the domain's; the full design stays in the variance
    assert one.estimate[0] == pytest.approx(np.average(srs.y[srs.g == "north"]))
    assert mean(d, "y", by="g").query("g == 'north'").se.iloc[0] == pytest.approx(one.se[0])
    assert len(north) == 2


def test_domain_inside_a_single_psu():
    """A domain wholly inside one PSU: its total's SE is that PSU total (n_h/(n_h-1) * (1-1/n_h) = 1)."""
    df = pd.DataFrame({"h": ["A"] * 6 + ["B"] * 4, "psu": [1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
                       "w": np.arange(1.0, 11.0), "y": np.arange(10.0) ** 2,
                       "dom": ["in", "in"] + ["out"] * 8})
    d = SurveyDesign(df, weights="w", strata="h", psu="psu")
    row = total(d, "y", by="dom").iloc[0]
    assert row.dom == "in"
    assert row.se == pytest.approx((df.w * df.y)[:2].sum())
    assert mean(d, "y", by="dom").se[0] == pytest.approx(0.0, abs=1e-12)


def test_variable_missing_for_a_whole_domain(srs):
    y = srs.y.where(srs.g != "east")
    out = mean(SurveyDesign(srs.assign(y=y)), "y", by="g", deff=True)
    east = out[out.g == "east"].iloc[0]
    assert east.n == 0
    assert np.isnan([east.estimate, east.se, east.ci_low, east.ci_high, east.deff]).all()
    assert out[out.g != "east"].estimate.notna().all()


def test_missing_values_are_dropped_per_variable(srs):
    y = srs.y.copy()
    y[:5] = np.nan
    d = SurveyDesign(srs.assign(y=y))
    m = mean(d, "y").iloc[0]
    assert m.n == 35
    assert m.estimate == pytest.approx(y.mean())
    assert np.isnan(mean(d, "y", na_rm=False).estimate[0])
    assert mean(d, "b").n[0] == 40


def test_all_missing_variable_gives_nan_row(srs):
    out = mean(SurveyDesign(srs.assign(y=np.nan)), "y")
    assert out.n[0] == 0 and np.isnan(out.estimate[0])


@pytest.mark.parametrize("method", ["logit", "beta", "mean", "likelihood"])
def test_proportion_of_zero_and_hundred_percent(srs, method):
    d = SurveyDesign(srs.assign(none=0, all=1), strata="g")
    zero = proportion(d, "none", ci_method=method)
    assert zero["level"].tolist() == [0]
    assert zero.estimate[0] == 1.0 and zero.ci_high[0] == 1.0
    both = proportion(d.subset((srs.b == 1).to_numpy()), "b", by="g", ci_method=method)
    assert both.estimate.isin([0.0, 1.0]).all()
    assert both[["ci_low", "ci_high"]].notna().all().all()
    assert ((both.ci_low >= 0) & (both.ci_high <= 1) & (both.ci_low <= both.estimate)
            & (both.estimate <= both.ci_high)).all()


def test_beta_interval_at_zero_is_clopper_pearson_like(srs):
    out = proportion(SurveyDesign(srs.assign(z=0.0)).subset(np.ones(40, bool)), "z", ci_method="beta")
    assert out.estimate[0] == 1.0
    assert 0 < out.ci_low[0] < 1


@pytest.mark.parametrize("bad", ["x", "n/a"])
def test_text_in_a_numeric_column_is_a_clear_error(srs, bad):
    values = srs.y.astype(object)
    values[3] = bad
    with pytest.raises(ValueError, match=rf"'y'.*{bad!r}.*index 3"):
        mean(SurveyDesign(srs.assign(y=values)), "y")
    strings = srs.y.astype(str)
    strings[3] = bad
    with pytest.raises(ValueError, match="'y' holds numbers but also text"):
        total(SurveyDesign(srs.assign(y=strings)), "y")


def test_text_column_where_a_number_is_needed(srs):
    with pytest.raises(ValueError, match="'g' is .* numeric variable is needed"):
        quantile(SurveyDesign(srs), "g", [0.5])


def test_ratio_matches_ratio_of_totals(srs):
    d = SurveyDesign(srs.assign(x=srs.y + 5))
    r = ratio(d, "y", "x").iloc[0]
    assert r.estimate == pytest.approx(srs.y.sum() / (srs.y + 5).sum())
    resid = (srs.y - r.estimate * (srs.y + 5)) / (srs.y + 5).sum()
    assert r.se == pytest.approx(np.sqrt(len(srs) * resid.var(ddof=1)))


def test_quantile_math_rule_and_interval(srs):
    d = SurveyDesign(pd.DataFrame({"y": [5.0, 1.0, 3.0, 2.0, 4.0, 6.0]}))
    out = quantile(d, "y", [0.25, 0.5, 0.9])
    assert list(out.columns) == ["prob"] + COLUMNS
    assert out.estimate.tolist() == [2.0, 3.0, 6.0]     # 0.5 * 6 = 3 exactly -> the 3rd value
    big = quantile(SurveyDesign(srs), "y", [0.5]).iloc[0]
    assert big.ci_low < big.estimate < big.ci_high
    assert big.se == pytest.approx((big.ci_high - big.ci_low) / (2 * stats.t.ppf(0.975, 39)))


def test_level_and_df_arguments(srs):
    d = SurveyDesign(srs)
    wide, narrow = mean(d, "y", level=0.99).iloc[0], mean(d, "y", level=0.9).iloc[0]
    assert wide.ci_high - wide.ci_low > narrow.ci_high - narrow.ci_low
    normal = mean(d, "y", df=np.inf).iloc[0]
    assert normal.ci_high - normal.estimate == pytest.approx(stats.norm.ppf(0.975) * normal.se)


def test_many_domains(srs):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"y": rng.normal(size=5000), "k": rng.integers(0, 1500, 5000),
                       "psu": rng.integers(0, 400, 5000)})
    out = mean(SurveyDesign(df, psu="psu"), "y", by="k")
    assert len(out) == df.k.nunique()
    assert out.estimate.to_numpy() == pytest.approx(df.groupby("k").y.mean().to_numpy())


def test_empty_subpopulation_and_empty_grouping(srs):
    d = SurveyDesign(srs)
    empty = d.subset(np.zeros(len(srs), dtype=bool))
    for out in (mean(empty, "y"), quantile(empty, "y", [0.5]), proportion(empty, "b")):
        assert (out.n == 0).all() and out.estimate.isna().all()
    with pytest.raises(ValueError, match="by='nothing' leaves no domain"):
        mean(SurveyDesign(srs.assign(nothing=np.nan)), "y", by="nothing")


def test_text_codes_are_levels_for_proportions(srs):
    codes = pd.Series(["1", "2", "other", "1"] * 10)
    d = SurveyDesign(srs.assign(q=codes))
    assert proportion(d, "q")["level"].tolist() == ["1", "2", "other"]
    with pytest.raises(ValueError, match="holds numbers but also text"):
        mean(d, "q")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_psu=st.integers(2, 6), lonely=st.sampled_from(
    ["fail", "adjust", "average", "remove"]))
def test_invariants_on_random_designs(seed, n_psu, lonely):
    """Row order does not matter; domain totals add up; level shares sum to one."""
    rng = np.random.default_rng(seed)
    n = 60
    df = pd.DataFrame({"h": rng.integers(0, 3, n), "w": rng.uniform(1, 5, n),
                       "y": np.where(rng.uniform(size=n) < 0.1, np.nan, rng.normal(size=n)),
                       "g": rng.choice(["a", "b", "c"], n)})
    df["psu"] = df.h * 10 + rng.integers(0, n_psu, n)
    if lonely == "fail" and (df.groupby("h").psu.nunique() < 2).any():
        return
    kw = dict(weights="w", strata="h", psu="psu", lonely_psu=lonely)
    d = SurveyDesign(df, **kw)
    shuffled = SurveyDesign(df.sample(frac=1, random_state=seed), **kw)
    by_g = total(d, "y", by="g")
    pd.testing.assert_frame_equal(by_g, total(shuffled, "y", by="g"), rtol=1e-9)
    assert by_g.estimate.sum() == pytest.approx(total(d, "y").estimate[0])
    assert mean(d, "g").estimate.sum() == pytest.approx(1.0)
