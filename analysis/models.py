"""Design-based regression: R's ``svyglm`` for linear and logistic models.

Point estimates are the weighted GLM (pseudo-maximum likelihood; Binder 1983,
Lumley 2010 ch. 5) with the sampling weights, rescaled to mean 1 as svyglm
does, as prior weights.  The fit is R's ``glm.fit`` IRLS step for step (same
start, same convergence rule): statsmodels' GLM gives the same coefficients,
but R's sandwich uses the working weights of the *last* IRLS iteration, so
matching R's standard errors beyond ~1e-7 needs R's iteration path.  Standard
errors are the design-based sandwich: influence functions ``U_i A^{-1}`` from
the score ``U_i = x_i (y_i - mu_i) / mu'(eta_i) * W_i`` and information
``A = X' W X`` (``svy.varcoef``), passed through the same variance as the
estimators (:mod:`analysis._linearize`).  As ``summary.svyglm``: residual df = design df
of the rows used + 1 - number of coefficients, and t-based p-values and
intervals with those df.  Rows with a missing model variable are left out of
the fit but stay in the design with zero influence.

Formulas are patsy formulas; ``log``, ``exp`` and ``sqrt`` work unprefixed as
in R, and ``np.`` is available.  Text columns become factors with sorted
levels (as R's ``factor``); pandas Categoricals keep their category order, so
the first category is the reference.  Rows of the result follow the formula
(intercept first, then terms as written); ``term_r`` gives R's coefficient
names, e.g. "(Intercept)", "head_sexfemale", "log(income_monthly)".
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import patsy
from pandas.api import types as ptypes
from scipy import linalg, special, stats

from . import _linearize as lin
from .design import SurveyDesign, _codes

_NAMESPACE = {"np": np, "log": np.log, "exp": np.exp, "sqrt": np.sqrt}



class _Family:
    """The pieces of an R family object glm.fit uses."""

    def __init__(self, start, linkinv, mu_eta, variance, dev_resids):
        self.start, self.linkinv, self.mu_eta = start, linkinv, mu_eta
        self.variance, self.dev_resids = variance, dev_resids


_FAMILIES = {
    "logistic": _Family(  # quasibinomial(link="logit")
        start=lambda y, w: special.logit((w * y + 0.5) / (w + 1)),
        linkinv=special.expit,
        mu_eta=lambda eta: special.expit(eta) * (1 - special.expit(eta)),
        variance=lambda mu: mu * (1 - mu),
        dev_resids=lambda y, mu, w: 2 * w * (special.xlogy(y, y / mu)
                                             + special.xlogy(1 - y, (1 - y) / (1 - mu))),
    ),
    "linear": _Family(  # gaussian(link="identity")
        start=lambda y, w: y.copy(),
        linkinv=lambda eta: eta,
        mu_eta=np.ones_like,
        variance=np.ones_like,
        dev_resids=lambda y, mu, w: w * (y - mu) ** 2,
    ),
}


def _irls(X, y, w, family, epsilon=1e-8, maxit=25):
    """R's glm.fit: coefficients, final eta and the working weights of the last iteration."""
    eta = family.start(y, w)
    mu = family.linkinv(eta)
    devold = family.dev_resids(y, mu, w).sum()
    for _ in range(maxit):
        d_mu = family.mu_eta(eta)
        z = eta + (y - mu) / d_mu
        root_w = np.sqrt(w * d_mu ** 2 / family.variance(mu))
        beta = np.linalg.lstsq(X * root_w[:, None], z * root_w, rcond=None)[0]
        eta = X @ beta
        mu = family.linkinv(eta)
        dev = family.dev_resids(y, mu, w).sum()
        if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
            break
        devold = dev
    else:
        warnings.warn("The model did not converge in 25 iterations (as R's glm.fit); "
                      "check for separation or rare outcomes.", RuntimeWarning, stacklevel=3)
    return beta, eta, root_w ** 2


def logistic(d: SurveyDesign, formula: str, level: float = 0.95) -> pd.DataFrame:
    """Logistic regression (R: ``svyglm(..., family=quasibinomial())``); y is 0/1 or two levels."""
    return _svyglm(d, formula, "logistic", level)


def linear(d: SurveyDesign, formula: str, level: float = 0.95) -> pd.DataFrame:
    """Linear regression (R: ``svyglm(..., family=gaussian())``)."""
    return _svyglm(d, formula, "linear", level)


def _svyglm(d: SurveyDesign, formula: str, kind: str, level: float) -> pd.DataFrame:
    y, X, used = _matrices(d, formula, kind)
    w = d._w[used]
    w = w / d._w[d._domain].mean()
    family = _FAMILIES[kind]
    x = X.to_numpy()
    beta, eta, work_w = _irls(x, y, w, family)
    resid = (y - family.linkinv(eta)) / family.mu_eta(eta)
    infl = np.zeros((len(d), len(beta)))
    infl[used] = (x * (resid * work_w)[:, None]) @ np.linalg.inv(x.T @ (x * work_w[:, None]))
    totals = np.column_stack([lin.psu_totals(d, infl[:, j])[:, 0] for j in range(len(beta))])
    cov = lin.covariance(d, totals, lin.strata_present(d, used)[:, 0])
    se = np.sqrt(np.diag(cov))
    df_resid = lin.subset_degf(d, used) + 1 - len(beta)
    crit = stats.t.ppf(1 - (1 - level) / 2, df_resid)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2 * stats.t.sf(np.abs(beta / se), df_resid)
    out = pd.DataFrame({
        "term": X.columns, "coef": beta, "se": se, "ci_low": beta - crit * se,
        "ci_high": beta + crit * se, "p_value": p_value, "term_r": [_r_name(c) for c in X.columns],
    })
    out.attrs["df_residual"] = df_resid
    out.attrs["n"] = int(used.sum())
    return out


def _matrices(d: SurveyDesign, formula: str, kind: str):
    """Response, design matrix (columns in formula order) and the boolean rows used."""
    named = [c for c in d._data.columns if str(c) in formula]   # also catches Q("a name")
    data = d._data[named].reset_index(drop=True).loc[d._domain]
    for col in data.columns:  # text -> factor with sorted levels (R's factor); fast in patsy
        if (ptypes.is_string_dtype(data[col].dtype) or ptypes.is_object_dtype(data[col].dtype)
                or isinstance(data[col].dtype, pd.CategoricalDtype)):
            codes, levels = _codes(data[col])  # categories keep their order; unused ones go
            data[col] = pd.Categorical.from_codes(codes, categories=levels)
    try:
        with np.errstate(all="ignore"):  # log(0) etc. become the non-finite error below
            y_df, X_df = patsy.dmatrices(formula, data, NA_action="drop", return_type="dataframe",
                                         eval_env=patsy.EvalEnvironment([_NAMESPACE]))
    except patsy.PatsyError as err:
        raise ValueError(f"Cannot build the model {formula!r}: {err}") from None
    if len(X_df) == 0:
        raise ValueError(f"No row has every variable of {formula!r}; nothing to fit.")
    used = np.zeros(len(d), dtype=bool)
    used[X_df.index.to_numpy()] = True
    X_df = X_df[_formula_order(formula, X_df.design_info)]
    bad = ~np.isfinite(X_df.to_numpy()).all(axis=1)
    if bad.any():
        raise ValueError(f"The model {formula!r} has non-finite values (e.g. log of 0) in "
                         f"{int(bad.sum())} rows (index {list(d._data.index[X_df.index[bad][:5]])}); "
                         "drop or recode them.")
    _, r, pivot = linalg.qr(X_df.to_numpy(), mode="economic", pivoting=True)
    rank = int((np.abs(np.diag(r)) > 1e-7 * np.abs(r[0, 0])).sum())
    if rank < X_df.shape[1]:
        redundant = [X_df.columns[j] for j in pivot[rank:]]
        raise ValueError(f"In {formula!r} the columns {redundant} are collinear with the others in "
                         f"the {len(X_df)} rows used (rows missing a model variable are dropped); "
                         "drop or merge those terms.")
    y = _response(y_df, kind, formula)
    return y, X_df, used


def _formula_order(formula: str, info) -> list:
    """Column names with terms in written order (patsy groups categorical terms first)."""
    written = patsy.ModelDesc.from_formula(formula).rhs_termlist
    slices = info.term_slices
    order = [t for t in written if t in slices] + [t for t in slices if t not in written]
    return [name for t in order for name in info.column_names[slices[t]]]


def _response(y_df: pd.DataFrame, kind: str, formula: str) -> np.ndarray:
    if y_df.shape[1] == 2 and kind == "logistic":   # a two-level factor: second level = 1, as R
        return y_df.iloc[:, 1].to_numpy(dtype=float)
    if y_df.shape[1] != 1:
        raise ValueError(f"The response of {formula!r} must be one numeric column "
                         f"(got {list(y_df.columns)}).")
    y = y_df.iloc[:, 0].to_numpy(dtype=float)
    if kind == "logistic" and ((y < 0) | (y > 1)).any():
        raise ValueError(f"The response of {formula!r} must be 0/1 (or a proportion) for a "
                         f"logistic model; it ranges {y.min():g}..{y.max():g}.")
    return y


def _r_name(name: str) -> str:
    """patsy column name -> R's coefficient name."""
    if name == "Intercept":
        return "(Intercept)"
    name = re.sub(r"\[T\.(.*?)\]", r"\1", name)
    name = re.sub(r"\[(.*?)\]", r"\1", name)
    return re.sub(r"\bnp\.", "", name)
