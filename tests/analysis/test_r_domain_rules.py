"""R's survey 4.1.1 rules for domains, missing values and aliased terms, recomputed by hand.

Each expected value below is computed independently in numpy/pandas (loops are fine
here), following the R source line quoted beside it:

* svyby (surveyby.R): ``byfactor <- do.call("interaction", byfactors)``;
  ``uniquelevels <- sort(unique(byfactor))``; each domain runs
  ``FUN(formula, design[byfactor %in% byfactor[i], ], ...)``.
* degf.survey.design2: ``inset <- weights(design, "sampling") != 0``;
  ``length(unique(design$cluster[inset, 1])) - length(unique(design$strata[inset, 1]))``.
* svyciprop(..., df = degf(design)): ``method="beta"`` uses
  ``n.eff * (qt(alpha/2, nrow(design)-1) / qt(alpha/2, degf(design)))^2``.
* svyquantile.survey.design: ``if (na.rm) design <- design[nas == 0, ]`` before
  ``if (is.null(df)) df <- degf(design)``; ``se = diff(ci) / (2 * qcrit(1 - alpha/2))``.
* svyglm: glm's ``model.frame(..., drop.unused.levels=TRUE)`` after ``na.omit``;
  ``g$df.residual <- degf(design) + 1 - length(coef(g)[!is.na(coef(g))])``.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from analysis import SurveyDesign, logistic, mean, proportion, quantile, ratio, total

pytestmark = pytest.mark.filterwarnings("error")


def T975(df):
    """R: qt(0.975, df)."""
    return stats.t.ppf(0.975, df)


# ---- independent re-implementations of the R pieces ------------------------------------
def svyrecvar(frame: pd.DataFrame, z) -> np.ndarray:
    """R's svyrecvar/onestrat for this one-stage design without fpc.

    ``x <- rowsum(x, cluster)``; PSUs a subset lost are padded with zero rows up to
    ``nPSU`` (here: every PSU of the full design is in ``frame``, z = 0 outside), then
    ``crossprod(sweep(x, 2, colMeans(x))) * nPSU / (nPSU - 1)`` summed over strata.
    """
    z = np.asarray(z, dtype=float).reshape(len(frame), -1)
    cov = np.zeros((z.shape[1], z.shape[1]))
    for _, part in frame.assign(_i=np.arange(len(frame))).groupby("kecamatan"):
        totals = pd.DataFrame(z[part._i.to_numpy()]).groupby(part.psu.to_numpy()).sum().to_numpy()
        n_h = len(totals)
        centred = totals - totals.mean(axis=0)
        cov += n_h / (n_h - 1) * centred.T @ centred
    return cov


def degf(frame: pd.DataFrame, rows) -> int:
    """degf.survey.design2 of design[rows, ]: PSUs minus strata among rows with weight != 0."""
    inset = frame[np.asarray(rows, dtype=bool) & (frame.weight.to_numpy() != 0)]
    return inset.psu.nunique() - inset.kecamatan.nunique()


def share(frame, y, rows):
    """svymean of y on design[rows, ] (rows outside contribute zero influence): (p, var)."""
    rows = np.asarray(rows, dtype=bool)
    w = frame.weight.to_numpy()
    y = np.nan_to_num(np.asarray(y, dtype=float))
    W = w[rows].sum()
    p = (w * y)[rows].sum() / W
    return p, svyrecvar(frame, np.where(rows, w * (y - p) / W, 0.0))[0, 0]


def qrule_math(x, w, p):
    """R: w <- rowsum(w, x); cumw <- cumsum(w)/sum(w);
    approxfun(cumw, x, method="constant", f=1, yleft=min(x), yright=max(x), ties=min)(p)."""
    s = pd.Series(w).groupby(np.asarray(x)).sum()
    cumw = np.cumsum(s.to_numpy()) / s.sum()
    return float(s.index[min(np.searchsorted(cumw, p, side="left"), len(s) - 1)])


def woodruff(frame, x, rows, p, df):
    """svyquantile (qrule "math", interval.type "mean") on design[rows, ] with ``df``."""
    rows = np.asarray(rows, dtype=bool)
    w = frame.weight.to_numpy()
    q = qrule_math(x[rows], w[rows], p)
    m, v = share(frame, np.where(rows, x <= q, 0.0), rows)         # svymean(x <= qhat, design)
    lo, hi = m - T975(df) * np.sqrt(v), m + T975(df) * np.sqrt(v)   # confint(m, df = df)
    low = np.nan if not lo >= 0 else qrule_math(x[rows], w[rows], lo)
    high = np.nan if not hi <= 1 else qrule_math(x[rows], w[rows], hi)
    return q, low, high, (high - low) / (2 * T975(df))


@pytest.fixture(scope="module")
def hh(households_a):
    """The anchor data ict_households_a (head_sex levels male, female; education ordered)."""
    return households_a.copy()


@pytest.fixture(scope="module")
def gappy(hh):
    """has_computer and income missing for a whole PSU (LAW-001) and for the 60 heaviest rows."""
    out = hh.copy()
    heavy = np.argsort(-out.weight.to_numpy())[:60]
    lost_psu = (out.psu == "LAW-001").to_numpy()
    yc = out.has_computer.to_numpy(dtype=float, copy=True)
    yc[heavy] = np.nan
    yc[lost_psu] = np.nan
    out["yc"] = yc
    out["xinc"] = out.income_monthly.where(~lost_psu)
    return out


def design(frame):
    return SurveyDesign(frame, weights="weight", strata="kecamatan", psu="psu", nest=True)


# ---- 1. proportion / quantile by= use each domain's own df -------------------------------
@pytest.mark.parametrize("method", ["logit", "mean", "beta"])
def test_proportion_by_uses_each_domains_degf(hh, method):
    out = proportion(design(hh), "has_computer", by="kecamatan", ci_method=method)
    out = out[out["level"] == 1]
    for _, row in out.iterrows():
        rows = (hh.kecamatan == row.kecamatan).to_numpy()
        df = degf(hh, rows)                      # svyciprop(..., df = degf(design[domain, ]))
        assert df == hh[rows].psu.nunique() - 1 and row.df == df
        p, v = share(hh, hh.has_computer, rows)
        if method == "logit":   # confint(svyglm(y ~ 1, quasibinomial), df = df): Wald on logit(p)
            half = T975(df) * np.sqrt(v) / (p * (1 - p))
            ci = special.expit(special.logit(p) + np.array([-half, half]))
        elif method == "mean":  # confint(svymean(...), df = df)
            ci = p + np.array([-1, 1]) * T975(df) * np.sqrt(v)
        else:                   # Korn-Graubard with nrow(design) of the domain
            n_eff = p * (1 - p) / v * (stats.t.ppf(0.025, rows.sum() - 1) / stats.t.ppf(0.025, df)) ** 2
            ci = (stats.beta.ppf(0.025, n_eff * p, n_eff * (1 - p) + 1),
                  stats.beta.ppf(0.975, n_eff * p + 1, n_eff * (1 - p)))
        assert [row.estimate, row.se] == pytest.approx([p, np.sqrt(v)], rel=1e-9)
        assert [row.ci_low, row.ci_high] == pytest.approx(list(ci), rel=1e-9)


def test_quantile_by_uses_each_domains_degf_and_se_from_the_interval(hh):
    out = quantile(design(hh), "income_monthly", [0.25, 0.5], by="kecamatan")
    x = hh.income_monthly.to_numpy(dtype=float)
    for _, row in out.iterrows():
        rows = (hh.kecamatan == row.kecamatan).to_numpy()
        df = degf(hh, rows)
        q, low, high, se = woodruff(hh, x, rows, row.prob, df)
        assert row.df == df
        assert [row.estimate, row.ci_low, row.ci_high, row.se] == pytest.approx([q, low, high, se],
                                                                               rel=1e-12)


def test_mean_total_ratio_by_keep_the_full_design_df(hh):
    """svyby(svymean) has no df of its own: confint(..., df = degf(design)) of the full design."""
    d = design(hh)
    full = degf(hh, np.ones(len(hh), bool))
    assert full == 40
    for out in (mean(d, "has_internet", by="kecamatan"), total(d, "has_internet", by="kecamatan"),
                ratio(d, "has_internet", "hh_size", by="kecamatan")):
        assert (out.df == full).all()
        assert out.ci_high.to_numpy() == pytest.approx((out.estimate + T975(full) * out.se).to_numpy())
    row = mean(d, "has_internet", by="kecamatan").iloc[0]
    p, v = share(hh, hh.has_internet, (hh.kecamatan == row.kecamatan).to_numpy())
    assert [row.estimate, row.se] == pytest.approx([p, np.sqrt(v)], rel=1e-9)


# ---- 2. domain order: levels of interaction(), the first factor varying fastest ----------
def test_by_two_columns_follows_r_interaction_order(hh):
    """interaction(head_sex, kecamatan) levels: male.Banjarsari, female.Banjarsari, male.Jebres...;
    sort(unique(byfactor)) keeps only the combinations present."""
    frame = hh.assign(grp=np.where(hh.kecamatan == "Jebres", np.where(hh.hh_size > 4, "y", "x"), "x"))
    d = design(frame)
    sexes, kecs = list(frame.head_sex.cat.categories), sorted(frame.kecamatan.unique())
    expected = [(s, k) for k in kecs for s in sexes if ((frame.head_sex == s) & (frame.kecamatan == k)).any()]
    assert expected[:3] == [("male", "Banjarsari"), ("female", "Banjarsari"), ("male", "Jebres")]
    runs = [mean(d, "has_internet", by=["head_sex", "kecamatan"]),
            total(d, "has_internet", by=["head_sex", "kecamatan"]),
            ratio(d, "has_internet", "hh_size", by=["head_sex", "kecamatan"]),
            proportion(d, "has_internet", by=["head_sex", "kecamatan"]).query("level == 1"),
            quantile(d, "income_monthly", [0.5], by=["head_sex", "kecamatan"])]
    for out in runs:
        assert list(zip(out.head_sex, out.kecamatan)) == expected
    grp = mean(d, "has_internet", by=["grp", "kecamatan"])
    assert list(zip(grp.grp, grp.kecamatan)) == [
        ("x", "Banjarsari"), ("x", "Jebres"), ("y", "Jebres"), ("x", "Laweyan"),
        ("x", "Pasar Kliwon"), ("x", "Serengan")]           # no y.Banjarsari etc.: not present
    first = grp.iloc[2]
    rows = ((frame.grp == "y") & (frame.kecamatan == "Jebres")).to_numpy()
    assert first.estimate == pytest.approx(share(frame, frame.has_internet, rows)[0], rel=1e-12)


# ---- 3. quantile df after dropping missing values ----------------------------------------
def test_quantile_df_counts_only_psus_with_data(gappy):
    d = design(gappy)
    x = gappy.xinc.to_numpy(dtype=float)
    ok = ~np.isnan(x)
    df = degf(gappy, ok)                       # degf(design[nas == 0, ]): LAW-001 is gone
    assert df == 39 and d.degf == 40
    row = quantile(d, "xinc", [0.5]).iloc[0]
    q, low, high, se = woodruff(gappy, x, ok, 0.5, df)
    assert row.df == df
    assert [row.estimate, row.ci_low, row.ci_high, row.se] == pytest.approx([q, low, high, se], rel=1e-12)
    # ... and within a domain: Laweyan keeps 7 of its 8 PSUs -> df 6
    by = quantile(d, "xinc", [0.5], by="kecamatan").set_index("kecamatan")
    law = (gappy.kecamatan == "Laweyan").to_numpy()
    assert by.loc["Laweyan", "df"] == degf(gappy, law & ok) == 6
    q, low, high, se = woodruff(gappy, x, law & ok, 0.5, 6)
    assert list(by.loc["Laweyan", ["estimate", "ci_low", "ci_high", "se"]]) == pytest.approx(
        [q, low, high, se], rel=1e-12)


# ---- 4. proportion(beta) with missing values: nrow(design) counts every row ----------------
def test_beta_interval_uses_all_rows_of_the_design(gappy):
    d = design(gappy)
    ok = ~gappy.yc.isna().to_numpy()
    rows = np.ones(len(gappy), bool)
    p, v = share(gappy, gappy.yc, ok)
    df = degf(gappy, rows)              # svyciprop's df = degf(design): before na.rm
    n_eff = p * (1 - p) / v * (stats.t.ppf(0.025, len(gappy) - 1) / stats.t.ppf(0.025, df)) ** 2
    ci = (stats.beta.ppf(0.025, n_eff * p, n_eff * (1 - p) + 1),
          stats.beta.ppf(0.975, n_eff * p + 1, n_eff * (1 - p)))
    row = proportion(d, "yc", ci_method="beta").query("level == 1").iloc[0]
    assert row.n == ok.sum() < len(gappy)
    assert [row.estimate, row.ci_low, row.ci_high] == pytest.approx([p, *ci], rel=1e-12)
    # within a domain: nrow and degf of design[kecamatan == "Laweyan", ], NA rows included
    law = (gappy.kecamatan == "Laweyan").to_numpy()
    p, v = share(gappy, gappy.yc, law & ok)
    df = degf(gappy, law)
    assert df == 7                      # not 6: svyciprop takes degf before dropping NAs
    n_eff = p * (1 - p) / v * (stats.t.ppf(0.025, law.sum() - 1) / stats.t.ppf(0.025, df)) ** 2
    ci = (stats.beta.ppf(0.025, n_eff * p, n_eff * (1 - p) + 1),
          stats.beta.ppf(0.975, n_eff * p + 1, n_eff * (1 - p)))
    out = proportion(d, "yc", by="kecamatan", ci_method="beta").query("level == 1")
    row = out.set_index("kecamatan").loc["Laweyan"]
    assert row.df == df
    assert [row.estimate, row.ci_low, row.ci_high] == pytest.approx([p, *ci], rel=1e-12)


# ---- 5. svyglm: unused levels dropped, aliased columns NA ----------------------------------
def svyglm_logit(frame, X, y, rows):
    """Weighted logistic fit (glm.fit's fixed point) and svy.varcoef's sandwich, by hand.

    svy.varcoef: estfun <- model.matrix(g) * resid(g, "working") * g$weights, which for the
    logit link is X * (y - mu) * w; Ainv = (X' diag(w mu (1 - mu)) X)^-1; svyrecvar(estfun %*% Ainv).
    """
    w = frame.weight.to_numpy()[rows]
    w = w / frame.weight.mean()                       # (1/prob) / mean(1/prob)
    Xr, yr = X[rows], y[rows]
    beta = np.zeros(X.shape[1])
    for _ in range(50):                               # Newton = IRLS to convergence
        mu = special.expit(Xr @ beta)
        step = np.linalg.solve(Xr.T @ (Xr * (w * mu * (1 - mu))[:, None]), Xr.T @ (w * (yr - mu)))
        beta += step
        if np.abs(step).max() < 1e-13:
            break
    mu = special.expit(Xr @ beta)
    ainv = np.linalg.inv(Xr.T @ (Xr * (w * mu * (1 - mu))[:, None]))
    infl = np.zeros((len(frame), X.shape[1]))
    infl[rows] = (Xr * (w * (yr - mu))[:, None]) @ ainv
    return beta, np.sqrt(np.diag(svyrecvar(frame, infl)))


def test_level_only_in_dropped_rows_disappears_as_glm_drops_unused_levels(hh):
    frame = hh.assign(y=hh.has_internet.astype(float).where(hh.head_education != "none"))
    out = logistic(design(frame), "y ~ head_education + head_age")
    # 'none' occurs only where y is NA: model.frame(drop.unused.levels=TRUE) drops it after
    # na.omit, so 'primary' is the reference and no coefficient (not even NA) is reported.
    assert out.term_r.tolist() == ["(Intercept)", "head_educationjunior_secondary",
                                   "head_educationsenior_secondary", "head_educationtertiary",
                                   "head_age"]
    rows = frame.y.notna().to_numpy()
    edu = frame.head_education.astype(str).to_numpy()
    X = np.column_stack([np.ones(len(frame))] + [(edu == lv).astype(float) for lv in
                        ("junior_secondary", "senior_secondary", "tertiary")] + [frame.head_age])
    beta, se = svyglm_logit(frame, X, frame.y.fillna(0).to_numpy(), rows)
    assert out.coef.to_numpy() == pytest.approx(beta, rel=1e-7)
    assert out.se.to_numpy() == pytest.approx(se, rel=1e-4)   # R: last-IRLS working weights
    assert out.attrs["df_residual"] == degf(frame, rows) + 1 - 5
    assert out.attrs["aliased"] == []


@pytest.mark.parametrize("kind", ["numeric", "factor"])
def test_aliased_columns_are_nan_in_formula_order(hh, kind):
    frame = hh.assign(y=hh.has_internet.astype(float).where(hh.hh_size != 3),
                      age2=2 * hh.head_age,
                      tertiary=(hh.head_education == "tertiary").astype(float))
    if kind == "numeric":   # age2 = 2 * head_age: the later column is aliased (dqrdc2 pivoting)
        formula, extra = "y ~ head_age + age2 + head_sex", "age2"
        names = ["(Intercept)", "head_age", "age2", "head_sexfemale"]
    else:                   # tertiary duplicates the factor's tertiary dummy
        formula, extra = "y ~ head_education + tertiary", "tertiary"
        names = ["(Intercept)", "head_educationprimary", "head_educationjunior_secondary",
                 "head_educationsenior_secondary", "head_educationtertiary", "tertiary"]
    out = logistic(design(frame), formula)
    assert out.term_r.tolist() == names
    alias = out.term_r == extra
    assert out[alias][["coef", "se", "ci_low", "ci_high", "p_value"]].isna().all().all()
    assert out[~alias][["coef", "se", "ci_low", "ci_high", "p_value"]].notna().all().all()
    assert out.attrs["aliased"] == out.term[alias].tolist()
    rows = frame.y.notna().to_numpy()
    fitted = {"(Intercept)": np.ones(len(frame)), "head_age": frame.head_age.to_numpy(float),
              "head_sexfemale": (frame.head_sex == "female").to_numpy(float)}
    fitted.update({f"head_education{lv}": (frame.head_education == lv).to_numpy(float)
                   for lv in ("primary", "junior_secondary", "senior_secondary", "tertiary")})
    X = np.column_stack([fitted[n] for n in names if n != extra])
    beta, se = svyglm_logit(frame, X, frame.y.fillna(0).to_numpy(), rows)
    assert out.coef[~alias].to_numpy() == pytest.approx(beta, rel=1e-7)
    assert out.se[~alias].to_numpy() == pytest.approx(se, rel=1e-4)
    # R: degf(design) + 1 - length(coef(g)[!is.na(coef(g))])
    assert out.attrs["df_residual"] == degf(frame, rows) + 1 - (len(names) - 1)
    crit = T975(out.attrs["df_residual"])
    kept = out[~alias]
    assert kept.ci_high.to_numpy() == pytest.approx((kept.coef + crit * kept.se).to_numpy())


# ---- (optional) deff when the weights sum to less than the sample size ------------------
def test_total_deff_is_negative_and_mean_deff_nan_when_weights_sum_below_n(hh):
    """svytotal: vsrs <- svyvar(x, design) * sum(w)^2 * (N - nobs) / (N * nobs), unguarded;
    svymean: if (psum < nobs) vsrs <- NA * v.  svyvar: svymean(x*x*n/(n-1)) of centred x."""
    frame = hh.assign(weight=hh.weight / hh.weight.mean() * 0.5)      # sum(w) = n / 2
    d = design(frame)
    rows = np.ones(len(frame), bool)
    w, y = frame.weight.to_numpy(), frame.has_internet.to_numpy(float)
    N, nobs = w.sum(), len(frame)
    ybar = (w * y).sum() / N
    s2 = (w * (y - ybar) ** 2).sum() / N * nobs / (nobs - 1)
    v = svyrecvar(frame, w * y)[0, 0]
    expected = v / (s2 * N ** 2 * (N - nobs) / (N * nobs))
    row = total(d, "has_internet", deff=True).iloc[0]
    assert expected < 0
    assert row.deff == pytest.approx(expected, rel=1e-9)
    assert np.isnan(mean(d, "has_internet", deff=True).deff[0])
    assert share(frame, y, rows)[0] == pytest.approx(ybar)
