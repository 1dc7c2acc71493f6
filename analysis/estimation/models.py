"""Design-based regression: R's ``svyglm`` for linear and logistic models.

Point estimates are the weighted GLM (pseudo-maximum likelihood; Binder 1983,
Lumley 2010 ch. 5) with the sampling weights, rescaled to mean 1 as svyglm
does, as prior weights.  The fit is R's ``glm.fit`` IRLS step for step (same
start, same convergence rule): statsmodels' GLM gives the same coefficients,
but R's sandwich uses the working weights of the *last* IRLS iteration, so
matching R's standard errors beyond ~1e-7 needs R's iteration path.  Each step
is one pass over the rows by blocks (:mod:`analysis.estimation.glm_blocks`);
a main-effects formula of numeric and text columns is read straight from the
data's columns (no model matrix, no patsy), any other through patsy.  A step
whose cross-product is ill-conditioned hands the fit to the reference path
(:func:`_estimable`'s aliasing rule, :func:`_irls`' refined least squares).  Standard
errors are the design-based sandwich: influence functions ``U_i A^{-1}`` from
the score ``U_i = x_i (y_i - mu_i) / mu'(eta_i) * W_i`` and information
``A = X' W X`` (``svy.varcoef``), passed through the same variance as the
estimators (the design's ``totals`` and ``totals_covariance``, :mod:`analysis.estimation.variance`).  As ``summary.svyglm``: residual df = design df
of the rows used + 1 - number of estimable coefficients, and t-based p-values and
intervals with those df.  Rows with a missing model variable are left out of
the fit but stay in the design with zero influence.  As glm, factor levels that
occur only in rows left out disappear (``drop.unused.levels``), and a column
collinear with earlier ones in the rows used is aliased: it stays in the output
with NaN coefficient, SE, interval and p-value (R's NA), is listed in
``.attrs["aliased"]``, and does not count in the residual df.

Formulas are patsy formulas; ``log``, ``exp`` and ``sqrt`` work unprefixed as
in R, and ``np.`` is available.  Text columns become factors with sorted
levels (as R's ``factor``); pandas Categoricals keep their category order, so
the first category is the reference.  Rows of the result follow the formula
(intercept first, then terms by degree as R orders them: main effects as written, then
interactions); ``term_r`` gives R's coefficient names, e.g. "(Intercept)", "head_sexfemale",
"log(income_monthly)", "head_age:head_sexfemale", "acs.46" (a name with a dot may be
written bare, as in R, or as patsy's ``Q("acs.46")``).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import patsy
from pandas.api import types as ptypes
from scipy import special, stats

from analysis.estimation import glm_blocks
from analysis.estimation.codes import factor_codes
from analysis.estimation.variance import VarianceDesign

_NAMESPACE = {"np": np, "log": np.log, "exp": np.exp, "sqrt": np.sqrt}



class _Family:
    """The pieces of an R family object glm.fit uses."""

    def __init__(self, start, linkinv, mu_eta, variance, dev_resids, binary=False):
        self.start, self.linkinv, self.mu_eta = start, linkinv, mu_eta
        self.variance, self.dev_resids = variance, dev_resids
        self.binary = binary   # binomial with the logit link: glm_blocks' one-log deviance and weights


_FAMILIES = {
    "logistic": _Family(  # quasibinomial(link="logit")
        start=lambda y, w: special.logit((w * y + 0.5) / (w + 1)),
        linkinv=special.expit,
        mu_eta=lambda eta, mu: mu * (1 - mu),   # = expit(eta) (1 - expit(eta)), mu = expit(eta)
        variance=lambda mu: mu * (1 - mu),
        dev_resids=lambda y, mu, w: _binomial_dev_resids(y, mu, w),
        binary=True,
    ),
    "linear": _Family(  # gaussian(link="identity")
        start=lambda y, w: y.copy(),
        linkinv=lambda eta: eta,
        mu_eta=lambda eta, mu: np.ones_like(eta),
        variance=np.ones_like,
        dev_resids=lambda y, mu, w: w * (y - mu) ** 2,
    ),
}


def _binomial_dev_resids(y, mu, w):
    """R's binomial dev.resids, 2 w (y log(y/mu) + (1-y) log((1-y)/(1-mu))); for a 0/1 response
    one log per row (the same numbers: the other term is 0)."""
    if ((y == 0) | (y == 1)).all():
        return 2 * w * np.log(1 / np.where(y == 1, mu, 1 - mu))
    return 2 * w * (special.xlogy(y, y / mu) + special.xlogy(1 - y, (1 - y) / (1 - mu)))


def _irls(X, y, w, family, epsilon=1e-8, maxit=25):
    """R's glm.fit: coefficients, final eta and the working weights of the last iteration (the
    reference path, for ill-conditioned or aliased columns; glm_blocks.fit is the fast one).

    Each step solves its weighted least squares by the small (p x p) normal equations with one
    round of refinement (the residual's normal equations), which matches the QR solution to
    ~1e-13 at a fraction of its cost: one pass over the rows per product, no n x p copy."""
    eta = family.start(y, w)
    mu = family.linkinv(eta)
    devold = family.dev_resids(y, mu, w).sum()
    for _ in range(maxit):
        d_mu = family.mu_eta(eta, mu)
        z = eta + (y - mu) / d_mu
        work_w = w * d_mu ** 2 / family.variance(mu)
        beta = _weighted_lstsq(X, z, work_w)
        eta = X @ beta
        mu = family.linkinv(eta)
        dev = family.dev_resids(y, mu, w).sum()
        if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
            break
        devold = dev
    else:
        warnings.warn("The model did not converge in 25 iterations (as R's glm.fit); "
                      "check for separation or rare outcomes.", RuntimeWarning, stacklevel=3)
    return beta, eta, work_w


def _weighted_lstsq(X, z, work_w):
    """argmin sum work_w (z - X b)^2 by the normal equations and one refinement step."""
    xw = X.T * work_w                   # (p, n): one weighted copy, reused by both products
    gram = xw @ X
    # columns scaled to unit norm first: a predictor in rupiah beside a 0/1 one would otherwise
    # square a condition number of 1e7 into 1e14
    diag = np.diag(gram)
    scale = np.where(diag > 0, 1 / np.sqrt(np.where(diag > 0, diag, 1)), 1.0)
    scaled = gram * scale[:, None] * scale[None, :]
    solve = lambda rhs: scale * np.linalg.solve(scaled, scale * rhs)  # noqa: E731
    beta = solve(xw @ z)
    return beta + solve(xw @ (z - X @ beta))


def logistic(d: VarianceDesign, formula: str, level: float = 0.95) -> pd.DataFrame:
    """Logistic regression (R: ``svyglm(..., family=quasibinomial())``); y is 0/1 or two levels."""
    return _svyglm(d, formula, "logistic", level)


def linear(d: VarianceDesign, formula: str, level: float = 0.95) -> pd.DataFrame:
    """Linear regression (R: ``svyglm(..., family=gaussian())``)."""
    return _svyglm(d, formula, "linear", level)


def _estimable(x: np.ndarray, w: np.ndarray, tol: float = 1e-11) -> np.ndarray:
    """Columns glm.fit can estimate; the others are aliased (R reports their coefficient NA).

    R's glm.fit solves each IRLS step with LINPACK ``dqrdc2`` (via ``C_Cdqrls``, tolerance
    ``min(1e-7, epsilon/1000)`` = 1e-11) on the rows with positive weight: a column whose
    norm, after removing the columns kept before it, falls below ``tol`` times its own
    norm is moved to the end and left out (``limited column pivoting``), so the LATER of
    two collinear columns is the aliased one.  This is that rule by Gram-Schmidt (with
    re-orthogonalisation); the loop is over columns, each step vectorised over rows.
    """
    if _clearly_estimable(x, w):
        return np.ones(x.shape[1], dtype=bool)
    good = w > 0
    xs = x[good] * np.sqrt(w[good])[:, None]
    basis = np.empty((xs.shape[0], 0))
    keep = np.zeros(x.shape[1], dtype=bool)
    for j in range(x.shape[1]):
        col = xs[:, j]
        norm = np.linalg.norm(col)
        rest = col - basis @ (basis.T @ col)
        rest -= basis @ (basis.T @ rest)
        rest_norm = np.linalg.norm(rest)
        if norm > 0 and rest_norm >= tol * norm:
            basis = np.column_stack([basis, rest / rest_norm])
            keep[j] = True
    return keep


def _clearly_estimable(x: np.ndarray, w: np.ndarray, margin: float = 1e-6) -> bool:
    """True when no column comes near aliasing: each column's residual after the earlier ones,
    read off the Cholesky factor of the small weighted cross-product, keeps more than ``margin``
    of its norm (squared), far above glm.fit's 1e-11 and the cross-product's rounding (~1e-16
    times its condition).  One pass over the rows; only a doubtful design goes column by column."""
    gram = (x.T * w) @ x
    diag = np.diag(gram)
    if not (np.isfinite(gram).all() and (diag > 0).all()):
        return False
    scale = 1 / np.sqrt(diag)            # unit norms: the test does not depend on the columns' units
    try:
        chol = np.linalg.cholesky(gram * scale[:, None] * scale[None, :])
    except np.linalg.LinAlgError:
        return False
    return bool((np.diag(chol) ** 2 > margin).all())


_PLAIN = re.compile(r"^\s*(\w+)\s*~\s*(\w+(?:\s*\+\s*\w+)*)\s*$")


def _numeric(c: pd.Series) -> bool:
    return isinstance(c.dtype, np.dtype) and ptypes.is_numeric_dtype(c.dtype) and not ptypes.is_bool_dtype(c.dtype)


def _text(c: pd.Series) -> bool:
    return (ptypes.is_string_dtype(c.dtype) or ptypes.is_object_dtype(c.dtype)
            or isinstance(c.dtype, pd.CategoricalDtype)) and not ptypes.is_bool_dtype(c.dtype)


def _plain_columns(d: VarianceDesign, formula: str, kind: str):
    """The model of ``y ~ a + b`` (main effects with an intercept) over numeric (not boolean)
    columns with no infinite value and text (or categorical) columns with text levels, straight
    from the data's columns, without patsy's pass over every row: (y, column names,
    :class:`glm_blocks.Columns`, the boolean rows used).  A factor gives patsy's treatment
    dummies, named as patsy names them (``dom[T.d2]``), for its levels among the rows used
    (glm's drop.unused.levels) after the first; a column is read a block at a time, never built.
    None for any other formula or data, which patsy builds (and explains any error)."""
    match = _PLAIN.match(formula)
    if match is None:
        return None
    response, terms = match.group(1), [t.strip() for t in match.group(2).split("+")]
    names = [response, *terms]
    if len(set(terms)) != len(terms) or response in terms or any(n not in d.column_names for n in names):
        return None
    series = [d.column(n) for n in names]
    if not _numeric(series[0]) or not all(_numeric(c) or _text(c) for c in series[1:]):
        return None        # (nullable integers, booleans: patsy's rules)
    used = d.in_subset.copy()
    cols = []
    for c in series:
        if _numeric(c):
            c = c.to_numpy()
            if c.dtype.kind == "f":
                if np.isinf(c).any():
                    return None        # patsy's path says where
                used &= ~np.isnan(c)
        else:
            c = factor_codes(c)        # (codes, levels): cached for a text column
            if not all(isinstance(level, str) for level in c[1]):
                return None            # patsy names other levels its own way
            used &= c[0] >= 0
        cols.append(c)
    del series
    if not used.any():
        return None
    columns, labels = [None], ["Intercept"]
    for name, c in zip(terms, cols[1:]):
        if isinstance(c, np.ndarray):
            columns.append(c)
            labels.append(name)
            continue
        codes, levels = c
        seen = np.flatnonzero(np.bincount(codes[used], minlength=len(levels)))
        if len(seen) < 2:
            return None                # one level: patsy's path raises R's error
        columns += [glm_blocks.Dummy(codes, int(code)) for code in seen[1:]]
        labels += [f"{name}[T.{levels[code]}]" for code in seen[1:]]
    rows = None if used.all() else np.flatnonzero(used)
    y = cols[0] if rows is None else cols[0][rows]    # (as stored: glm_blocks.fit makes it float once)
    x = glm_blocks.Columns(columns, len(y), rows)
    return _checked_response(y, kind, formula), labels, x, used


def _plain_matrices(d: VarianceDesign, formula: str, kind: str):
    """``_matrices`` (a DataFrame model matrix) from :func:`_plain_columns`; None when patsy builds it."""
    plain = _plain_columns(d, formula, kind)
    if plain is None:
        return None
    y, names, x, used = plain
    X = pd.DataFrame(x.matrix().T, columns=names, copy=False,
                     index=pd.RangeIndex(len(used)) if x.rows is None else x.rows)
    return y, X, used


def _svyglm(d: VarianceDesign, formula: str, kind: str, level: float) -> pd.DataFrame:
    formula = _quote_names(formula, d.column_names)  # acs.46 as R writes it
    if hasattr(d, "replicate_weights"):   # re-estimated in every replicate, as R's svyrep methods
        from analysis.estimation import replicate_estimators as rep
        return rep.svyglm(d, formula, kind, level)
    plain = _plain_columns(d, formula, kind)
    if plain is not None:
        y, names, x, used = plain
    else:
        y, X, used = _matrices(d, formula, kind)
        names = list(X.columns)
        x_all = X.to_numpy()
        del X                              # patsy's frame: x_all is its only copy
        x = glm_blocks.Columns.of_matrix(x_all.T if x_all.flags.f_contiguous
                                         else np.ascontiguousarray(x_all.T))   # (k, n): a row per column
        del x_all
    w = d.weights[used] if not used.all() else d.weights     # svyglm: rescaled to mean 1 below
    w_mean = d.weights.mean() if d.in_subset.all() else d.weights[d.in_subset].mean()
    family = _FAMILIES[kind]
    fit = glm_blocks.fit(x, y, w, family, w_mean)
    if fit is not None:   # well-conditioned at every step: every column estimable
        keep = np.ones(len(names), dtype=bool)
    else:   # nearly collinear columns: R's aliasing rule and the refined least squares
        fit, keep, x = _reference_fit(x.matrix(), np.asarray(y, dtype=float), w / w_mean, family)
        if fit is None:
            raise ValueError(f"No column of {formula!r} can be estimated from the {len(y)} rows used.")
    # Influence U_i A^-1: its PSU totals are the scores' totals times A^-1 (totals are linear);
    # the scores x_i * score_w_i one column at a time (no n x k copy).
    full = None if used.all() else np.zeros(len(d))   # rows left out: zero influence
    totals = []
    for j in range(x.k):
        score = x.column(j) * fit.score_w
        if full is not None:
            full[used] = score
            score = full
        totals.append(d.totals(score)[:, 0])
    del x, full, score
    totals = np.column_stack(totals) @ glm_blocks.scaled_solve(fit.gram)
    cov = d.totals_covariance(totals, used)
    beta = np.full(len(keep), np.nan)
    se = np.full(len(keep), np.nan)
    beta[keep], se[keep] = fit.beta, np.sqrt(np.diag(cov))
    # R: g$df.residual <- degf(design) + 1 - length(coef(g)[!is.na(coef(g))])
    df_resid = int(d.domain_degf(used)[0]) + 1 - int(keep.sum())
    crit = stats.t.ppf(1 - (1 - level) / 2, df_resid)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2 * stats.t.sf(np.abs(beta / se), df_resid)
    out = pd.DataFrame({
        "term": names, "coef": beta, "se": se, "ci_low": beta - crit * se,
        "ci_high": beta + crit * se, "p_value": p_value, "term_r": [_r_name(c) for c in names],
    })
    out.attrs["df_residual"] = df_resid
    out.attrs["n"] = int(used.sum())
    out.attrs["aliased"] = [c for c, k in zip(names, keep) if not k]
    return out


def _reference_fit(xt: np.ndarray, y: np.ndarray, w: np.ndarray, family):
    """The fit when some step's cross-product is ill-conditioned: glm.fit's aliasing by
    Gram-Schmidt, then IRLS by normal equations with one refinement per step (:func:`_irls`).
    (fit or None when no column is estimable, the columns kept, the kept columns' Columns)."""
    x = xt.T
    keep = _estimable(x, w)
    if not keep.any():
        return None, keep, None
    if not keep.all():
        x = x[:, keep]
    beta, eta, work_w = _irls(x, y, w, family)
    mu = family.linkinv(eta)
    score_w = (y - mu) / family.mu_eta(eta, mu) * work_w
    return glm_blocks.Fit(beta, score_w, (x.T * work_w) @ x), keep, glm_blocks.Columns.of_matrix(x.T)


def _matrices(d: VarianceDesign, formula: str, kind: str):
    """Response, design matrix (columns in formula order) and the boolean rows used."""
    named = [c for c in d.column_names if str(c) in formula]   # also catches Q("a name")
    frame = (pd.concat([d.column(c) for c in named], axis=1, keys=named) if named
             else pd.DataFrame(index=pd.RangeIndex(len(d))))
    labels = frame.index                                        # the data's index, for messages
    data = frame.reset_index(drop=True)
    if not d.in_subset.all():   # (every row: no copy)
        data = data.loc[d.in_subset]
    for col in data.columns:  # text -> factor with sorted levels (R's factor); fast in patsy
        if (ptypes.is_string_dtype(data[col].dtype) or ptypes.is_object_dtype(data[col].dtype)
                or isinstance(data[col].dtype, pd.CategoricalDtype)):
            codes, levels = factor_codes(data[col])  # categories keep their order; unused ones go
            data[col] = pd.Categorical.from_codes(codes, categories=levels)
    y_df, X_df = _dmatrices(formula, data)
    if len(X_df) == 0:
        raise ValueError(f"No row has every variable of {formula!r}; nothing to fit.")
    # R: glm calls model.frame(..., drop.unused.levels=TRUE), which drops factor levels
    # AFTER na.omit: a level seen only in rows missing a model variable disappears (no
    # coefficient at all, and the reference is the first level left), it is not aliased.
    at = data.index.get_indexer(X_df.index)   # positions of the rows kept within the subset's rows
    shrunk = False
    for col in data.columns:
        if isinstance(data[col].dtype, pd.CategoricalDtype):
            codes = data[col].cat.codes.to_numpy()[at]
            seen = np.bincount(codes[codes >= 0], minlength=len(data[col].cat.categories)) > 0
            if not seen.all():
                data[col] = data[col].cat.set_categories(data[col].cat.categories[seen])
                shrunk = True
    if shrunk:   # only unused rows became NA, so the same rows are kept
        y_df, X_df = _dmatrices(formula, data)
    info = X_df.design_info
    for term, where in info.term_slices.items():
        if where.start == where.stop:   # R: "contrasts can be applied only to factors with 2 or more levels"
            raise ValueError(f"In {formula!r} the term {term.name()!r} has only one level in the "
                             f"{len(X_df)} rows used (rows missing a model variable are dropped), "
                             "so it cannot be estimated; drop it or choose other rows.")
    used = np.zeros(len(d), dtype=bool)
    used[X_df.index.to_numpy()] = True
    X_df = X_df[_formula_order(formula, info)]
    bad = ~np.isfinite(X_df.to_numpy()).all(axis=1)
    if bad.any():
        raise ValueError(f"The model {formula!r} has non-finite values (e.g. log of 0) in "
                         f"{int(bad.sum())} rows (index {list(labels[X_df.index[bad][:5]])}); "
                         "drop or recode them.")
    y = _response(y_df, kind, formula)
    return y, X_df, used


def _dmatrices(formula: str, data: pd.DataFrame):
    try:
        with np.errstate(all="ignore"):  # log(0) etc. become the non-finite error in _matrices
            return patsy.dmatrices(formula, data, NA_action="drop", return_type="dataframe",
                                   eval_env=patsy.EvalEnvironment([_NAMESPACE]))
    except patsy.PatsyError as err:
        raise ValueError(f"Cannot build the model {formula!r}: {err}") from None


def _formula_order(formula: str, info) -> list:
    """Column names in R's order: terms by degree (main effects, then two-way interactions...),
    as written within a degree (R's terms(keep.order = FALSE)); patsy groups categorical terms first."""
    written = patsy.ModelDesc.from_formula(formula).rhs_termlist
    slices = info.term_slices
    order = [t for t in written if t in slices] + [t for t in slices if t not in written]
    order = sorted(order, key=lambda t: len(t.factors))   # stable: written order within a degree
    return [name for t in order for name in info.column_names[slices[t]]]


def _quote_names(formula: str, columns) -> str:
    """R-style formulas name columns such as ``acs.46`` bare; patsy needs ``Q("acs.46")``."""
    for name in sorted((str(c) for c in columns), key=len, reverse=True):
        if name.isidentifier() or not re.fullmatch(r"[A-Za-z.][\w.]*", name) or name not in formula:
            continue
        formula = re.sub(rf"(?<![\w.'\"]){re.escape(name)}(?![\w.'\"(])", f"Q({name!r})", formula)
    return formula


def _response(y_df: pd.DataFrame, kind: str, formula: str) -> np.ndarray:
    if y_df.shape[1] == 2 and kind == "logistic":   # a two-level factor: second level = 1, as R
        return y_df.iloc[:, 1].to_numpy(dtype=float)
    if y_df.shape[1] != 1:
        raise ValueError(f"The response of {formula!r} must be one numeric column "
                         f"(got {list(y_df.columns)}).")
    return _checked_response(y_df.iloc[:, 0].to_numpy(dtype=float), kind, formula)


def _checked_response(y: np.ndarray, kind: str, formula: str) -> np.ndarray:
    if kind == "logistic" and ((y < 0) | (y > 1)).any():
        raise ValueError(f"The response of {formula!r} must be 0/1 (or a proportion) for a "
                         f"logistic model; it ranges {y.min():g}..{y.max():g}.")
    return y


def _r_name(name: str) -> str:
    """patsy column name -> R's coefficient name."""
    if name == "Intercept":
        return "(Intercept)"
    name = re.sub(r"""Q\((['"])(.*?)\1\)""", r"\2", name)   # Q("acs.46") -> acs.46
    name = re.sub(r"\[T\.(.*?)\]", r"\1", name)
    name = re.sub(r"\[(.*?)\]", r"\1", name)
    return re.sub(r"\bnp\.", "", name)
