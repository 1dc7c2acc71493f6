"""Design-based t-tests: R's ``svyttest`` (survey 4.1).

* ``ttest(d, "y", by="group")`` is ``svyttest(y ~ group, design)``: the linear model
  ``svyglm(y ~ group, family=gaussian())`` (:func:`analysis.estimation.models.linear`), whose
  slope is the second level's mean minus the first's; t = slope / SE on the model's residual
  df (design df + 1 - 2), two-sided p-value, and the 95% interval ``confint(m, parm=2)``
  (t on the same df).  ``group`` must have two levels (a factor, text, or numeric 0/1 or 1/2),
  as R requires.
* ``ttest(d, "y")`` is ``svyttest(y ~ 1, design)``: the mean over its SE on design df - 1.
* On a ReplicateDesign the model is refitted in every replicate (R's ``svyglm.svyrep.design``,
  which svyttest calls) and the df is the replicate design's ``degf`` + 1 - 2 (one-sample: - 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from pandas.api import types as ptypes
from scipy import stats

from analysis.estimation.estimates import mean
from analysis.estimation.models import linear
from analysis.estimation.variance import VarianceDesign


@dataclass(frozen=True)
class TTest:
    """R's htest of ``svyttest``."""

    statistic: float   # t
    df: float
    p_value: float     # two-sided
    estimate: float    # difference in mean (second level minus first), or the mean
    ci_low: float
    ci_high: float
    method: str


def ttest(d: VarianceDesign, y: str, by: str | None = None, level: float = 0.95) -> TTest:
    """Design-based t-test of ``y`` between the two levels of ``by`` (or of its mean against 0)."""
    if by is None:
        m = mean(d, y).iloc[0]
        df = float(d.degf - 1)
        t = m.estimate / m.se
        half = stats.t.ppf(1 - (1 - level) / 2, df) * m.se
        return TTest(float(t), df, float(2 * stats.t.sf(abs(t), df)), float(m.estimate),
                     float(m.estimate - half), float(m.estimate + half), "Design-based one-sample t-test")
    fit = linear(d, f"Q({y!r}) ~ Q({by!r})", level=level)
    values = d.column(by)
    numeric = ptypes.is_numeric_dtype(values.dtype) and not ptypes.is_bool_dtype(values.dtype)
    observed = set(values.dropna().unique())
    if len(fit) != 2 or (numeric and not (observed <= {0, 1} or observed <= {1, 2})):
        raise ValueError(f"ttest: {by!r} must have two groups (two levels, or the numbers 0/1 or 1/2), "
                         f"as R's svyttest; it has {len(observed)} values.")
    slope = fit.iloc[1]
    df = float(fit.attrs["df_residual"])
    t = slope.coef / slope.se
    return TTest(float(t), df, float(2 * stats.t.sf(abs(t), df)), float(slope.coef),
                 float(slope.ci_low), float(slope.ci_high), "Design-based t-test")
