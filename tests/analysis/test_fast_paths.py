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
