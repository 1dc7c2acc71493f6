"""linear / logistic: formula order, R names, the sandwich against statsmodels, missing rows."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis import SurveyDesign, linear, logistic

pytestmark = pytest.mark.filterwarnings("error")

COLUMNS = ["term", "coef", "se", "ci_low", "ci_high", "p_value", "term_r"]


@pytest.fixture
def people():
    rng = np.random.default_rng(11)
    n = 300
    df = pd.DataFrame({"age": rng.integers(18, 80, n), "sex": rng.choice(["male", "female"], n),
                       "income": rng.lognormal(15, 0.6, n), "w": rng.uniform(0.5, 3, n)})
    df["spend"] = 2 + 0.05 * df.age + 1.5 * (df.sex == "female") + rng.normal(0, 2, n)
    df["online"] = (rng.uniform(size=n) < 1 / (1 + np.exp(3 - 0.2 * np.log(df.income)))).astype(int)
    return df


def test_srs_linear_matches_ols_with_robust_se(people):
    """With weights 1 and no clusters svyglm's SE is n/(n-1) times the HC0 sandwich."""
    d = SurveyDesign(people)
    out = linear(d, "spend ~ age + sex")
    X = sm.add_constant(np.column_stack([people.age, (people.sex == "male").astype(float)]))
    ols = sm.OLS(people.spend, X).fit(cov_type="HC0")
    n = len(people)
    assert out.coef.to_numpy() == pytest.approx(ols.params.to_numpy())
    assert out.se.to_numpy() == pytest.approx(ols.bse.to_numpy() * np.sqrt(n / (n - 1)))
    assert out.attrs["df_residual"] == n - 1 + 1 - 3


def test_weighted_clustered_logistic_matches_the_cluster_sandwich(people):
    """Weighted GLM point estimates; with clusters the SE is the cluster sandwich times g/(g-1).

    R (and so analysis.logistic) evaluates the sandwich's working weights at the last IRLS
    iteration, not at the converged fit, hence agreement to ~1e-5 rather than 1e-9 here.
    """
    people = people.assign(cluster=np.arange(len(people)) // 6)
    d = SurveyDesign(people, weights="w", psu="cluster")
    out = logistic(d, "online ~ np.log(income) + age")
    X = sm.add_constant(np.column_stack([np.log(people.income), people.age]))
    glm = sm.GLM(people.online, X, family=sm.families.Binomial(), var_weights=people.w).fit()
    assert out.coef.to_numpy() == pytest.approx(glm.params.to_numpy(), rel=1e-6)
    g = people.cluster.nunique()
    score = X * ((people.online - glm.fittedvalues) * people.w).to_numpy()[:, None]
    mu = glm.fittedvalues
    bread = np.linalg.inv(X.T @ (X * (people.w * mu * (1 - mu)).to_numpy()[:, None]))
    per_cluster = pd.DataFrame(score).groupby(people.cluster.to_numpy()).sum().to_numpy()
    centred = per_cluster - per_cluster.mean(axis=0)
    cov = bread @ (centred.T @ centred) @ bread * g / (g - 1)
    assert out.se.to_numpy() == pytest.approx(np.sqrt(np.diag(cov)), rel=1e-4)


def test_terms_in_formula_order_with_r_names(people):
    out = linear(SurveyDesign(people, weights="w"), "spend ~ age + sex + log(income)")
    assert list(out.columns) == COLUMNS
    assert out.term.tolist() == ["Intercept", "age", "sex[T.male]", "log(income)"]
    assert out.term_r.tolist() == ["(Intercept)", "age", "sexmale", "log(income)"]
    same = linear(SurveyDesign(people, weights="w"), "spend ~ age + sex + np.log(income)")
    assert same.term_r.tolist() == out.term_r.tolist()
    assert same.coef.to_numpy() == pytest.approx(out.coef.to_numpy())


def test_categorical_reference_is_the_first_category(people):
    cat = people.assign(sex=pd.Categorical(people.sex, categories=["male", "female"]))
    out = linear(SurveyDesign(cat), "spend ~ sex + age")
    assert out.term_r.tolist() == ["(Intercept)", "sexfemale", "age"]
    assert out.coef[1] == pytest.approx(1.5, abs=0.6)


def test_missing_rows_leave_the_fit_but_not_the_design(people):
    gappy = people.assign(age=people.age.where(np.arange(len(people)) % 10 != 0))
    d = SurveyDesign(gappy, weights="w")
    out = linear(d, "spend ~ age")
    complete = gappy.dropna(subset=["age"])
    X = sm.add_constant(complete.age.to_numpy())
    wls = sm.WLS(complete.spend, X, weights=complete.w).fit()
    assert out.coef.to_numpy() == pytest.approx(wls.params.to_numpy())
    assert out.attrs["n"] == len(complete)
    assert out.attrs["df_residual"] == len(complete) - 2   # degf of the rows used + 1 - p


def test_a_subset_with_missing_rows_and_a_factor(people):
    """Rows missing a model variable inside a subset: the fit is the subset's complete rows."""
    gappy = people.assign(age=people.age.where(np.arange(len(people)) % 7 != 0))
    inside = (np.arange(len(people)) % 3 != 0)
    out = linear(SurveyDesign(gappy, weights="w").subset(inside), "spend ~ age + sex")
    alone = linear(SurveyDesign(gappy[inside], weights="w"), "spend ~ age + sex")
    assert out.coef.to_numpy() == pytest.approx(alone.coef.to_numpy())
    assert out.attrs["n"] == alone.attrs["n"] == int((inside & gappy.age.notna()).sum())


def test_p_values_and_intervals_use_residual_df(people):
    from scipy import stats
    out = linear(SurveyDesign(people), "spend ~ age", level=0.9)
    df = out.attrs["df_residual"]
    row = out.iloc[1]
    assert row.p_value == pytest.approx(2 * stats.t.sf(abs(row.coef / row.se), df))
    assert row.ci_high - row.coef == pytest.approx(stats.t.ppf(0.95, df) * row.se)


def test_two_level_text_response(people):
    d = SurveyDesign(people.assign(status=np.where(people.online == 1, "yes", "no")))
    text = logistic(d, "status ~ age")
    numeric = logistic(d, "online ~ age")
    assert text.coef.to_numpy() == pytest.approx(numeric.coef.to_numpy())


@pytest.mark.parametrize("formula, message", [
    ("spend ~ log(zero)", "non-finite"),
    ("spend ~ nothing", "Cannot build the model"),
])
def test_bad_models_are_clear_errors(people, formula, message):
    d = SurveyDesign(people.assign(zero=0.0, age2=people.age * 2))
    with pytest.raises(ValueError, match=message):
        linear(d, formula)


def test_logistic_response_must_be_binary(people):
    with pytest.raises(ValueError, match="0/1"):
        logistic(SurveyDesign(people), "spend ~ age")
