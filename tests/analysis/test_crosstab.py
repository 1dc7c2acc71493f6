"""crosstab: tables agree with the estimators, tests behave, awkward tables do not crash."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import SurveyDesign, crosstab, mean, proportion, total

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(scope="module")
def table(design_a):
    return crosstab(design_a, "has_computer", "head_education")


def test_tables_have_levels_as_labels(table, households_a):
    for frame in (table.counts, table.counts_se, table.row_percent, table.col_percent,
                  table.total_percent, table.total_percent_se, table.n):
        assert frame.index.tolist() == [0, 1]
        assert frame.columns.tolist() == list(households_a.head_education.cat.categories)


def test_counts_and_percentages_are_consistent(table, design_a, households_a):
    assert table.counts.to_numpy().sum() == pytest.approx(households_a.weight.sum())
    assert table.row_percent.sum(axis=1).to_numpy() == pytest.approx([100, 100])
    assert table.col_percent.sum(axis=0).to_numpy() == pytest.approx([100] * 5)
    assert table.total_percent.to_numpy().sum() == pytest.approx(100)
    assert table.n.to_numpy().sum() == len(households_a)
    expected = pd.crosstab(households_a.has_computer, households_a.head_education)
    assert (table.n.to_numpy() == expected.to_numpy()).all()


@pytest.mark.parametrize("name", ["design_a", "design_c_average"])
def test_standard_errors_match_the_estimators(name, request):
    design_a = request.getfixturevalue(name)
    table = crosstab(design_a, "has_computer", "head_education")
    by_row = mean(design_a, "head_education", by="has_computer")
    assert table.row_percent_se.to_numpy().ravel() == pytest.approx(100 * by_row.se.to_numpy())
    by_col = proportion(design_a, "has_computer", by="head_education")
    # col_percent_se[r, c] is the SE of the share of row level r within column c
    shares = by_col.pivot(index="level", columns="head_education", values="se")
    assert table.col_percent_se.to_numpy() == pytest.approx(100 * shares.to_numpy())
    data = design_a.data
    cell = data.has_computer.astype(str) + "|" + data.head_education.astype(str)
    cells = SurveyDesign(data.assign(cell=cell),
                         **{k: v for k, v in design_a.columns.items() if v is not None},
                         lonely_psu=design_a.lonely_psu)
    se = total(cells, "cell").set_index("level").se          # R: svytotal(~interaction(row, col))
    for r in table.counts_se.index:
        for c in table.counts_se.columns:
            assert table.counts_se.loc[r, c] == pytest.approx(se[f"{r}|{c}"])


def test_pearson_is_the_unweighted_test(table, households_a):
    expected = stats.chi2_contingency(pd.crosstab(households_a.has_computer,
                                                  households_a.head_education), correction=False)
    assert table.pearson == pytest.approx((expected.statistic, expected.dof, expected.pvalue))


def test_cramers_v_definition(table, households_a):
    stat, df, p = table.chisq
    # first-order Rao-Scott chi-square recovered from R's p-value
    x2_rs = stats.chi2.isf(p, df)
    assert table.cramers_v == pytest.approx(np.sqrt(x2_rs / (len(households_a) * 1)), rel=1e-6)
    assert 0 < table.cramers_v < 1


def test_result_is_immutable(table):
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.cramers_v = 0.5


def test_missing_values_and_unused_categories():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"a": rng.choice(["x", "y", None], 60),
                       "b": pd.Categorical(rng.choice(["p", "q"], 60), categories=["p", "q", "r"]),
                       "psu": np.arange(60) // 3})
    d = SurveyDesign(df, psu="psu")
    ct = crosstab(d, "a", "b")
    assert ct.counts.columns.tolist() == ["p", "q", "r"]
    assert ct.counts["r"].sum() == 0
    assert ct.n.to_numpy().sum() == df.a.notna().sum()
    assert np.isfinite(ct.rao_scott).all() and np.isfinite(ct.chisq).all()
    assert np.isnan(crosstab(d, "a", "b", na_rm=False).rao_scott).all()    # as R with na.rm=FALSE


def test_one_level_table_gives_nan_tests():
    df = pd.DataFrame({"a": ["x"] * 10, "b": ["p", "q"] * 5})
    ct = crosstab(SurveyDesign(df), "a", "b")
    assert ct.counts.shape == (1, 2)
    assert np.isnan(ct.rao_scott).all() and np.isnan(ct.chisq).all() and np.isnan(ct.cramers_v)


def test_perfectly_diagonal_table_has_no_design_based_test():
    df = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": [0, 0, 1, 1]})
    ct = crosstab(SurveyDesign(df), "a", "b")
    assert ct.counts.to_numpy().tolist() == [[2, 0], [0, 2]]
    assert np.isnan(ct.rao_scott).all() and np.isnan(ct.cramers_v)
    assert ct.pearson[0] == pytest.approx(4.0)
