"""Multistage SurveyDesign: lists of columns per stage, R's checks, and three stages against R.

The two-stage estimates are checked against R in test_r_multistage.py; here: what the
design accepts and refuses, that one stage is unchanged, and R's recursion on three stages
(ms_persons.three_stage.r_survey.json from tests/fixtures/anchors/r_multistage.R).
"""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import DesignError, SurveyDesign, mean, total
from analysis.estimation.multistage import MultistageVariance
from analysis.estimation.variance import VarianceDesign
from tests.support.anchors import ANCHORS


def households() -> pd.DataFrame:
    return pd.read_csv(ANCHORS / "ms_households.csv")


def two_stage(df=None, **kw) -> SurveyDesign:
    args = dict(psu=["block", "hh"], strata="stratum", fpc=["N1", "N2"], lonely_psu="adjust") | kw
    return SurveyDesign(households() if df is None else df, **args)


def test_one_stage_is_unchanged_by_a_list_of_one():
    df = households()
    one = SurveyDesign(df, psu="block", strata="stratum", fpc="N1", lonely_psu="adjust")
    listed = SurveyDesign(df, psu=["block"], strata=["stratum"], fpc=["N1"], lonely_psu="adjust")
    pd.testing.assert_frame_equal(mean(one, "income"), mean(listed, "income"))
    assert not isinstance(one._taylor, MultistageVariance)


def test_weights_come_from_both_stages_fpc():
    df = households()
    d = two_stage(df)
    m = df.groupby("block")["hh"].transform("size")
    n1 = df.groupby("stratum")["block"].transform("nunique")
    np.testing.assert_allclose(d.weights, (df.N1 / n1) * (df.N2 / m))
    assert isinstance(d, VarianceDesign)


def test_the_second_stage_adds_variance_and_ultimate_cluster_drops_it():
    full, first = two_stage(), two_stage(ultimate_cluster=True)
    assert total(full, "income").se[0] > total(first, "income").se[0]
    assert first.degf == full.degf == 6
    assert "ultimate_cluster=True" in repr(first)


def test_columns_rebuild_the_same_design():
    d = two_stage(ultimate_cluster=True)
    again = SurveyDesign(d.data, **d.columns, lonely_psu=d.lonely_psu)
    pd.testing.assert_frame_equal(mean(d, "income"), mean(again, "income"))


def test_update_cannot_replace_a_later_stage_column():
    with pytest.raises(ValueError, match="hh"):
        two_stage().update(hh=np.zeros(48))


@pytest.mark.parametrize("kw, change, message", [
    ({"fpc": ["N1"]}, None, "one fpc column per stage"),
    ({"strata": ["stratum", "tenure", "hh"]}, None, "at most one column per stage"),
    ({}, lambda df: df.assign(N2=df.N2.where(df.index != 0, 61)), "not constant within stratum .* at stage 2"),
    ({}, lambda df: df.assign(N2=df.N2.where(df.block != "a1", 2)), "more than 100% sampling .* at stage 2"),
    ({}, lambda df: df.assign(N2=df.N2 / 1000), "mixes population sizes"),
    ({}, lambda df: df.assign(hh=df.hh.where(df.index != 3)), "'hh' \\(stage 2\\) is missing"),
    ({"psu": "block"}, None, "one fpc column per stage|at most one column per stage"),
])
def test_r_refusals_with_a_message(kw, change, message):
    df = households() if change is None else change(households())
    with pytest.raises(DesignError, match=message):
        two_stage(df, **kw)


def test_a_lonely_ssu_fails_as_r_unless_told_what_to_do():
    with pytest.raises(DesignError, match="only one 'hh' sampled at stage 2"):
        two_stage(lonely_psu="fail", strata="stratum")
    df = households()
    # the lonely SSU's block left out, stage 1 still has a certainty PSU (stratum C): no error
    kept = two_stage(df[df.block != "a3"].reset_index(drop=True), lonely_psu="fail")
    assert np.isfinite(mean(kept, "income").se[0])
    # without stage-2 fpc R uses the first stage only, so a lonely SSU does not matter
    first = SurveyDesign(df.assign(w=df.N1 * df.N2), psu=["block", "hh"], strata="stratum", weights="w",
                         lonely_psu="adjust")
    assert not isinstance(first._taylor, MultistageVariance)


def test_a_certainty_stratum_adds_only_its_second_stage():
    df = households()
    c = df[df.stratum.isin(["C", "D"])].reset_index(drop=True)    # every PSU taken: stage 1 adds nothing
    d = two_stage(c)
    v = d._taylor
    totals = v.totals(c["income"].to_numpy() * d.weights)
    within = 0.0
    for _, g in c.assign(t=c.income * d.weights).groupby("block"):
        m, big = len(g), g.N2.iloc[0]
        within += (1 - m / big) * m / (m - 1) * ((g.t - g.t.mean()) ** 2).sum()
    assert v.totals_variance(totals, np.ones(len(c), bool))[0] == pytest.approx(within, rel=1e-12)


def test_many_domains_match_one_subset_each():
    d = two_stage()
    by = mean(d, "income", by="block")
    for block, row in by.set_index("block").iterrows():
        sub = mean(d.subset((d.data.block == block).to_numpy()), "income").iloc[0]
        assert row.se == pytest.approx(sub.se, rel=1e-12, nan_ok=True)


@pytest.mark.parametrize("lonely", ["adjust", "remove"])
def test_three_stages_as_r(lonely):
    r = json.loads((ANCHORS / "ms_persons.three_stage.r_survey.json").read_text())
    d = SurveyDesign(pd.read_csv(ANCHORS / "ms_persons.csv"), **r["design"], lonely_psu=lonely)
    expected = r[lonely]
    assert d.degf == expected["degf"]
    for estimator, key in ((mean, "mean"), (total, "total")):
        row = estimator(d, "y").iloc[0]
        assert [row.estimate, row.se] == pytest.approx([expected[key]["estimate"], expected[key]["se"]], rel=1e-6)
    by = mean(d, "y", by="head_sex")
    assert by.head_sex.tolist() == expected["by_sex"]["domains"]
    assert by.se.tolist() == pytest.approx(expected["by_sex"]["se"], rel=1e-6)


@pytest.mark.parametrize("lonely", ["adjust", "remove"])
def test_domain_variances_from_pairs_equal_the_unit_totals_ones(lonely):
    """variance() sums over the (cluster, domain) pairs with rows; totals_variance() over every unit."""
    d = two_stage(lonely_psu=lonely)
    v = d._taylor
    rng = np.random.default_rng(5)
    infl = rng.normal(size=len(d)) * d.weights
    group = rng.integers(-1, 6, size=len(d))
    rows = np.ones(len(d), dtype=bool)
    pairs = v.variance(infl, rows, group, 6)
    units = v.totals_variance(v.totals(infl, group, 6), rows, group, 6)
    assert pairs == pytest.approx(units, rel=1e-10)
    assert v.variance(infl, rows)[0] == pytest.approx(v.totals_variance(v.totals(infl), rows)[0], rel=1e-10)
