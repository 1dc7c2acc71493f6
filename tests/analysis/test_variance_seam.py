"""The estimators need only ``VarianceDesign``: a replicate-weight design plugs in beside SurveyDesign.

``Jackknife`` below is a delete-one-PSU jackknife (R's ``svrepdesign(type="JK1")``) that
knows nothing of the Taylor machinery: it keeps an n x R matrix of replicate weights and
takes variances from replicate totals.  For an unstratified cluster sample without fpc,
JK1 on influence values gives exactly the Taylor variance, n/(n-1) sum (z_i - zbar)^2
over PSU totals z_i (t_r - tbar = -R/(R-1) (z_r - zbar)), and the rank of its replicate
weights minus one is the PSUs-minus-strata df.  So every estimator driven by it must
match SurveyDesign to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDesign, crosstab, linear, mean, proportion, quantile, ratio, total
from analysis.estimation.variance import VarianceDesign


@dataclass(frozen=True, eq=False)
class Jackknife:
    """A JK1 replicate-weight design: only public fields, no strata, no PSU totals."""

    data: pd.DataFrame
    weights: np.ndarray
    replicates: np.ndarray      # (n, R) replicate weights
    in_subset: np.ndarray

    @classmethod
    def from_clusters(cls, df: pd.DataFrame, weights: str, cluster: str) -> "Jackknife":
        w = df[weights].to_numpy(dtype=float)
        codes = pd.factorize(df[cluster])[0]
        n_rep = codes.max() + 1
        dropped = codes[:, None] == np.arange(n_rep)[None, :]
        reps = np.where(dropped, 0.0, w[:, None] * n_rep / (n_rep - 1))
        return cls(df, w, reps, np.ones(len(df), dtype=bool))

    def __len__(self) -> int:
        return len(self.data)

    @property
    def column_names(self) -> pd.Index:
        return self.data.columns

    def column(self, name: str) -> pd.Series:
        return self.data[name]

    def subset(self, mask) -> "Jackknife":
        return replace(self, in_subset=self.in_subset & np.asarray(mask, dtype=bool))

    @property
    def degf(self) -> int:
        return int(self.domain_degf(self.in_subset)[0])

    def domain_degf(self, rows, group=None, n_groups=1) -> np.ndarray:
        group = np.zeros(len(self), dtype=np.int64) if group is None else group
        used = rows & (group >= 0) & (self.weights != 0)
        return np.array([np.linalg.matrix_rank(self.replicates[used & (group == j)]) - 1
                         for j in range(n_groups)])

    def totals(self, infl, group=None, n_groups=1) -> np.ndarray:
        group = np.zeros(len(self), dtype=np.int64) if group is None else group
        per_domain = np.zeros((len(self), n_groups))
        ok = group >= 0
        per_domain[np.flatnonzero(ok), group[ok]] = infl[ok]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(self.weights[:, None] > 0, self.replicates / self.weights[:, None], 0.0)
        return ratio.T @ per_domain                     # (R, n_groups) replicate totals

    def totals_variance(self, totals, rows, group=None, n_groups=1, columns=None) -> np.ndarray:
        return np.diag(self.totals_covariance(totals, rows))

    def totals_covariance(self, totals, rows) -> np.ndarray:
        n_rep = len(totals)
        centred = totals - totals.mean(axis=0)
        return (n_rep - 1) / n_rep * centred.T @ centred

    def variance(self, infl, rows, group=None, n_groups=1) -> np.ndarray:
        return self.totals_variance(self.totals(infl, group, n_groups), rows, group, n_groups)


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(5)
    n = 400
    df = pd.DataFrame({"village": rng.integers(0, 30, n), "w": rng.uniform(20, 80, n),
                       "income": rng.lognormal(8, 0.5, n), "size": rng.integers(1, 8, n),
                       "sex": rng.choice(["female", "male"], n),
                       "edu": rng.choice(["none", "primary", "secondary", "higher"], n),
                       "online": rng.integers(0, 2, n)})
    df.loc[rng.random(n) < 0.08, "income"] = np.nan
    df.loc[rng.random(n) < 0.05, "edu"] = None
    taylor = SurveyDesign(df, weights="w", psu="village")
    return taylor, Jackknife.from_clusters(df, "w", "village")


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)


def test_the_jackknife_is_a_variance_design(sample):
    taylor, jack = sample
    assert isinstance(jack, VarianceDesign) and isinstance(taylor, VarianceDesign)
    assert jack.degf == taylor.degf == 29
    assert not [name for name in vars(jack) if name.startswith("_")]


def test_mean_total_ratio_through_replicates(sample):
    taylor, jack = sample
    for d in (taylor, jack):
        assert mean(d, "income", by="sex", deff=True).se.notna().all()
    _same(mean(jack, "income", by="sex", deff=True), mean(taylor, "income", by="sex", deff=True))
    _same(mean(jack, "edu"), mean(taylor, "edu"))
    _same(total(jack, "edu", by=["sex", "online"]), total(taylor, "edu", by=["sex", "online"]))
    _same(ratio(jack, "income", "size", by="edu"), ratio(taylor, "income", "size", by="edu"))


def test_domain_df_and_subsets_through_replicates(sample):
    taylor, jack = sample
    for method in ("logit", "beta", "likelihood"):
        _same(proportion(jack, "online", by="edu", ci_method=method),
              proportion(taylor, "online", by="edu", ci_method=method))
    _same(quantile(jack, "income", [0.25, 0.5], by="sex"), quantile(taylor, "income", [0.25, 0.5], by="sex"))
    small = taylor.column("size").to_numpy() <= 3
    _same(mean(jack.subset(small), "income", by="edu"), mean(taylor.subset(small), "income", by="edu"))


def test_crosstab_and_models_through_replicates(sample):
    taylor, jack = sample
    a, b = crosstab(jack, "edu", "sex"), crosstab(taylor, "edu", "sex")
    for field in ("counts", "counts_se", "row_percent_se", "col_percent_se", "total_percent_se", "n"):
        _same(getattr(a, field), getattr(b, field))
    assert a.rao_scott == pytest.approx(b.rao_scott, rel=1e-9)
    assert a.chisq == pytest.approx(b.chisq, rel=1e-9)
    assert a.cramers_v == pytest.approx(b.cramers_v, rel=1e-9)
    fit = linear(jack, "income ~ size + sex")
    _same(fit, linear(taylor, "income ~ size + sex"))
    assert fit.attrs["df_residual"] == 29 + 1 - 3
