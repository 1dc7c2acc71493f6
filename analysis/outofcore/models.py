"""Design-based regression out of core: R's ``svyglm`` (linear and logistic) on an :class:`OutOfCoreDesign`.

The in-memory fit (:mod:`analysis.estimation.models`, :mod:`analysis.estimation.glm_blocks`) is
glm.fit's IRLS; each of its steps needs only small sums over the rows: the deviance, ``X'WX``
(k x k) and ``X'Wz`` (k) at the current coefficients.  Here each step is one aggregation in the
engine (:func:`_pass`), with glm.fit's start, glm_blocks' solve on unit-norm columns
(:func:`~analysis.estimation.glm_blocks.scaled_solve`, the same condition-number limit) and its
convergence rule, so both engines take the same steps.  The sandwich (Binder 1983; Lumley 2010
ch. 5; R's ``svy.varcoef``) is as in memory: the scores ``x_i (y_i - mu_i) / mu'(eta_i) * W_i``
(working residual at the final coefficients times the last step's working weight) go through
:func:`analysis.outofcore.covariance.influence_covariance` (strata, PSUs, fpc, two stages,
post-strata residuals) and ``A^{-1} C A^{-1}`` with ``A`` that step's ``X'WX``.  Rows missing a
model variable (or outside ``subset``) stay in the design with zero influence; prior weights are
the design's divided by their mean over the subset, as svyglm rescales them.

Columns: ``X`` is a list of :class:`Term` (the intercept, a number column, or a choice column's
treatment dummy), as the in-memory plain path builds them.  :func:`fit` returns None where the
in-memory fit hands off to its reference path (an ill-conditioned or non-finite step: aliasing),
so the caller computes in memory.
"""

from __future__ import annotations

import functools
import operator
import warnings
from dataclasses import dataclass
from typing import NamedTuple

import ibis
import numpy as np
import pandas as pd
from scipy import stats

from analysis.estimation import glm_blocks
from analysis.outofcore.covariance import influence_covariance
from analysis.outofcore.design import OutOfCoreDesign

EPSILON, MAXIT = 1e-8, 25   # glm.control's, as the in-memory fit


class Term(NamedTuple):
    """One column of the model matrix: the intercept (``column`` None), a number column, or the
    dummy of ``column``'s integer code ``code``."""
    column: str | None
    code: int | None = None

    def of(self, t):
        if self.column is None:
            return ibis.literal(1.0)
        if self.code is None:
            return t[self.column].cast("float64")
        return (t[self.column] == self.code).cast("float64")


@dataclass
class Fit:
    beta: np.ndarray     # (k,) coefficients
    cov: np.ndarray      # (k, k) design-based covariance (the sandwich)
    n: int               # rows used
    df_residual: int     # design df of the rows used + 1 - k (summary.svyglm)


def _eta(t, terms, beta):
    eta = ibis.literal(0.0)
    for term, b in zip(terms, beta):
        eta = eta + term.of(t) * float(b)
    return eta


def _start(y, wb, logistic: bool):
    """glm.fit's start: eta (binomial mustart (w y + 0.5) / (w + 1) and its logit; gaussian y)."""
    if not logistic:
        return y
    mu = (wb * y + 0.5) / (wb + 1.0)
    return (mu / (1.0 - mu)).ln()


def _working(t, logistic: bool):
    """``t`` (with ``_eta``) with mu, mu'(eta) and the working weight, as glm_blocks computes them."""
    if not logistic:
        return t.mutate(_mu=t._eta, _dmu=ibis.literal(1.0), _ww=t._wb)
    t = t.mutate(_mu=1.0 / (1.0 + (-t._eta).exp()))
    t = t.mutate(_dmu=t._mu * (1.0 - t._mu))
    return t.mutate(_ww=t._wb * t._dmu)        # w mu'(eta)^2 / variance(mu) = w mu (1 - mu)


def _pass(rows, terms, logistic: bool, beta) -> tuple[float, np.ndarray, np.ndarray]:
    """One IRLS pass over the rows used at ``beta`` (None: glm.fit's start): the deviance, and the
    next step's X'WX and X'Wz at that step's working weights."""
    t = rows.mutate(_eta=_start(rows._y, rows._wb, logistic) if beta is None else _eta(rows, terms, beta))
    t = _working(t, logistic)
    if logistic:   # binomial dev.resids of a 0/1 response: one log per row
        dev = -2.0 * t._wb * (t._y == 1.0).ifelse(t._mu, 1.0 - t._mu).ln()
    else:
        dev = t._wb * (t._y - t._mu) ** 2
    t = t.mutate(_dev=dev, _z=t._eta + (t._y - t._mu) / t._dmu,
                 **{f"_t{j}": term.of(t) for j, term in enumerate(terms)})
    k = len(terms)
    x = [None if term.column is None else t[f"_t{j}"] for j, term in enumerate(terms)]
    products = {}
    for a in range(k):
        for b in range(a, k):
            if _disjoint(terms[a], terms[b]):
                continue                      # two dummies of one factor: 0 in every row
            same = a == b and terms[a].code is not None      # a dummy squared is itself
            factors = [f for f in ([x[a]] if same else [x[a], x[b]]) if f is not None]   # (the intercept is 1)
            products[(a, b)] = functools.reduce(operator.mul, factors, t._ww)
    agg = t.aggregate(dev=t._dev.sum(), **{f"g{a}_{b}": p.sum() for (a, b), p in products.items()},
                      **{f"r{a}": (t._ww * t._z * (1.0 if x[a] is None else x[a])).sum()
                         for a in range(k)}).to_pandas().iloc[0]
    gram = np.zeros((k, k))
    for a, b in products:
        gram[a, b] = gram[b, a] = float(agg[f"g{a}_{b}"])
    return float(agg["dev"]), gram, np.array([float(agg[f"r{a}"]) for a in range(k)])


def _disjoint(a: Term, b: Term) -> bool:
    return a.column is not None and a.column == b.column and a.code is not None and a.code != b.code


def _irls(rows, terms, logistic: bool):
    """glm_blocks.fit's steps: (beta, the beta its working weights came from (None: the start),
    that step's X'WX), or None when a step is ill-conditioned or not finite."""
    devold, gram, rhs = _pass(rows, terms, logistic, None)
    before = None
    for step in range(MAXIT):
        beta = glm_blocks.scaled_solve(gram, rhs, glm_blocks.COND)
        if beta is None:
            return None
        dev, gram_next, rhs_next = _pass(rows, terms, logistic, beta)
        if not np.isfinite(dev):
            return None
        if abs(dev - devold) / (abs(dev) + 0.1) < EPSILON:
            return beta, before, gram
        if step == MAXIT - 1:
            break
        devold, gram, rhs, before = dev, gram_next, rhs_next, beta
    warnings.warn("The model did not converge in 25 iterations (as R's glm.fit); "
                  "check for separation or rare outcomes.", RuntimeWarning, stacklevel=3)
    return beta, before, gram


def fit(d: OutOfCoreDesign, terms: list[Term], logistic: bool, used: str, subset: str | None = None) -> Fit | None:
    """svyglm of ``_y`` (a column of ``d``'s table; 0/1 when ``logistic``) on ``terms`` over the rows
    where the boolean column ``used`` is true (a subset of ``subset``'s): see the module docstring.
    None where the in-memory fit takes its reference path (the caller computes in memory)."""
    t = d.table
    w = d.weights
    inside = t if subset is None else t.filter(t[subset])
    w_mean = float(inside.aggregate(m=inside[w].mean()).to_pandas()["m"].iat[0])
    rows = t.filter(t[used]).mutate(_wb=t[w] / w_mean)   # svyglm's weights rescaled to mean 1
    found = _irls(rows, terms, logistic)
    if found is None:
        return None
    beta, before, gram = found
    info_inv = glm_blocks.scaled_solve(gram)

    def score_w(t):   # working residual at beta times the working weight of the step that made beta
        wb = t[w] / w_mean
        eta = _eta(t, terms, beta)
        if logistic:
            mu = 1.0 / (1.0 + (-eta).exp())
            d_mu = mu * (1.0 - mu)
            prev = _start(t._y, wb, True) if before is None else _eta(t, terms, before)
            mu_prev = 1.0 / (1.0 + (-prev).exp())
            work_w = wb * (mu_prev * (1.0 - mu_prev))   # as glm_blocks: w (mu (1 - mu))
        else:
            mu, d_mu, work_w = eta, 1.0, wb
        return t[used].ifelse((t._y - mu) / d_mu * work_w, 0.0)

    scores = {j: (lambda t, term=term: t[used].ifelse(term.of(t), 0.0) * score_w(t)) for j, term in enumerate(terms)}
    cov = info_inv @ influence_covariance(d, scores) @ info_inv
    nonzero = d.psu_frame({"nz": lambda t: t.count(where=t[w] != 0), "n": lambda t: t.count()},
                          where=lambda t: t[used])
    n = int(nonzero["n"].sum())
    degf = d.degf_of(d.scatter(nonzero["code"].to_numpy(), 0, nonzero["nz"], 1)[:, 0])
    return Fit(beta, cov, n, degf + 1 - len(terms))


def coefficients(f: Fit, names: list[str], level: float = 0.95) -> pd.DataFrame:
    """The in-memory ``linear``/``logistic`` frame: term, coef, se, ci_low, ci_high, p_value (t-based
    with the residual df), attrs n, df_residual and aliased (none: an aliased fit is in memory)."""
    se = np.sqrt(np.diag(f.cov))
    crit = stats.t.ppf(1 - (1 - level) / 2, f.df_residual)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2 * stats.t.sf(np.abs(f.beta / se), f.df_residual)
    out = pd.DataFrame({"term": names, "coef": f.beta, "se": se, "ci_low": f.beta - crit * se,
                        "ci_high": f.beta + crit * se, "p_value": p_value})
    out.attrs.update(n=f.n, df_residual=f.df_residual, aliased=[])
    return out
