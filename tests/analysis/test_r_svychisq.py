"""Every svychisq statistic against R, and the chi-square-sum distributions behind them.

greg_tests.r_survey.json (tests/fixtures/anchors/r_greg_tests.R) holds R's survey 4.1
svychisq for statistic F, Chisq, Wald, adjWald and saddlepoint on three tables (2x3, 2x2,
3x4).  R here has no CompQuadForm, so for "lincom" the script integrates Imhof's (1961)
formula for the same probability (eigenvalues of Delta, X^2, ddf as svychisq passes them to
davies); the Davies port is checked against that, against an Imhof integration in scipy
written here, and against values tabulated for Davies' algorithm.
"""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from analysis import SurveyDesign, crosstab
from analysis.estimation.chisqsum import davies, pfsum, saddle
from tests.support.anchors import ANCHORS

R = json.loads((ANCHORS / "greg_tests.r_survey.json").read_text())["svychisq"]


def imhof(q, lam, h):
    """P(sum lam_j chi2_h_j > q) by Imhof's formula, integrated with scipy (independent of Davies).

    sin(A(u) - q u / 2) = sin A cos(q u / 2) - cos A sin(q u / 2) with A slowly varying, so the
    oscillating part is a Fourier integral (QUADPACK's QAWF, quad's weight="cos"/"sin")."""
    lam, h = np.asarray(lam, float), np.asarray(h, float)

    def envelope(u):
        return np.exp(-np.sum(h / 4 * np.log1p(lam ** 2 * u ** 2))) / u

    def a(u):
        return 0.5 * np.sum(h * np.arctan(lam * u))

    w = 0.5 * q
    value = integrate.quad(lambda u: np.sin(a(u) - w * u) * envelope(u), 0, 1, epsabs=1e-14, limit=200)[0]
    if q == 0:
        value += integrate.quad(lambda u: np.sin(a(u)) * envelope(u), 1, np.inf, epsabs=1e-14, limit=1000)[0]
    else:   # the tail from 1: a Fourier integral, finite integrands
        value += (integrate.quad(lambda u: np.sin(a(u)) * envelope(u), 1, np.inf, weight="cos", wvar=w)[0]
                  - integrate.quad(lambda u: np.cos(a(u)) * envelope(u), 1, np.inf, weight="sin", wvar=w)[0])
    return 0.5 + value / np.pi


def designs():
    clus1 = SurveyDesign(pd.read_csv(ANCHORS / "apiclus1.csv"), weights="pw", psu="dnum", fpc="fpc")
    strat = pd.read_csv(ANCHORS / "apistrat.csv")
    strat["api_q"] = pd.cut(strat["api00"], [0, 550, 650, 750, 1000], labels=["q1", "q2", "q3", "q4"])
    strat = SurveyDesign(strat, weights="pw", strata="stype", fpc="fpc")
    return {"clus1_schwide_stype": (clus1, "sch.wide", "stype"),
            "clus1_compimp_awards": (clus1, "comp.imp", "awards"),
            "strat_stype_apiq": (strat, "stype", "api_q")}


@pytest.fixture(params=list(R), scope="module")
def table(request):
    d, row, col = designs()[request.param]
    return crosstab(d, row, col), R[request.param]


@pytest.mark.parametrize("attr, statistic", [("wald", "Wald"), ("adj_wald", "adjWald")])
def test_wald_statistics_as_r(table, attr, statistic):
    ct, r = table
    test = getattr(ct, attr)
    assert test.statistic == pytest.approx(r[statistic]["statistic"], rel=1e-6)
    assert list(test.parameter) == r[statistic]["parameter"]
    assert test.p_value == pytest.approx(r[statistic]["p_value"], rel=1e-6)


def test_saddlepoint_as_r(table):
    ct, r = table
    assert ct.saddlepoint.statistic == pytest.approx(r["saddlepoint"]["statistic"], rel=1e-6)
    assert ct.saddlepoint.parameter is None
    assert ct.saddlepoint.p_value == pytest.approx(r["saddlepoint"]["p_value"], rel=1e-6)


def test_lincom_is_the_exact_distribution(table):
    ct, r = table
    parts = r["lincom_parts"]
    assert ct.lincom.statistic == pytest.approx(r["Chisq"]["statistic"], rel=1e-6)
    assert ct.lincom.parameter is None
    # Davies' algorithm at svychisq's accuracy (acc = 1e-7, absolute) against R's Imhof integral
    assert ct.lincom.p_value == pytest.approx(parts["imhof_p"], abs=1e-7)
    delta = np.atleast_1d(parts["delta"])
    lam = np.append(delta, -parts["x2"] / parts["ddf"])
    h = np.append(np.ones(len(delta)), parts["h_ddf"])
    assert imhof(0.0, lam, h) == pytest.approx(parts["imhof_p"], abs=1e-9)


def test_lincom_with_one_df_is_the_f_test():
    """One eigenvalue: delta chi2_1 / (chi2_k / k) is delta times F(1, k)."""
    x2, delta, ddf = 9.3, 1.7, 14
    assert pfsum(x2, [delta], ddf, "integration") == pytest.approx(stats.f.sf(x2 / delta, 1, ddf), abs=1e-7)


@pytest.mark.parametrize("q, lam, h", [
    (1.0, [6, 3, 1], [1, 1, 1]), (7.0, [6, 3, 1], [1, 1, 1]), (20.0, [6, 3, 1], [1, 1, 1]),
    (2.0, [0.9, 0.5, 0.2, -0.4], [2, 1, 3, 1]), (0.0, [1.8, 0.5, -11.9 / 20.9], [1, 1, 20]),
    (5.0, [2.0], [3]),
])
def test_davies_against_imhof(q, lam, h):
    # (acc below 1e-5 needs more than lim=10000 terms for some of these: ifault 1, as in AS 155)
    p, ifault = davies(q, lam, h, acc=1e-5)
    assert ifault in (0, 2)
    assert p == pytest.approx(imhof(q, lam, h), abs=1e-5)


@pytest.mark.parametrize("c, lower", [(1.0, 0.0542), (7.0, 0.4936), (20.0, 0.8760)])
def test_davies_tabulated_values(c, lower):
    """Q = 6 chi2_1 + 3 chi2_1 + chi2_1, P(Q < c) to four decimals, as tabulated for this
    example (Imhof 1961; Davies 1980; Duchesne & Lafaye de Micheaux 2010)."""
    p, _ = davies(c, [6, 3, 1])
    assert 1 - p == pytest.approx(lower, abs=5e-5)


def test_saddle_against_the_chisquare():
    # a sum of k equal weights is a scaled chi2_k: the saddlepoint is close (not exact)
    assert saddle(15.0, [1.0] * 6) == pytest.approx(stats.chi2.sf(15.0, 6), rel=0.02)


def test_missing_values_with_na_rm_false_make_every_test_nan():
    d, row, col = designs()["clus1_schwide_stype"]
    df = d.data.copy()
    df.loc[df.index[:3], "sch.wide"] = np.nan
    ct = crosstab(SurveyDesign(df, weights="pw", psu="dnum", fpc="fpc"), row, col, na_rm=False)
    for attr in ("wald", "adj_wald", "lincom", "saddlepoint"):
        assert np.isnan(getattr(ct, attr).p_value)


def test_a_singular_wald_covariance_gives_nan_not_an_error():
    """A 3x3 table from three PSUs: the 4 contrasts' covariance has rank 2 at most, so R's
    solve() fails; here the Wald tests are NaN and the others stand."""
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"a": rng.choice(list("xyz"), 90), "b": rng.choice(list("pqr"), 90),
                       "psu": np.repeat([1, 2, 3], 30), "w": rng.uniform(1, 3, 90)})
    ct = crosstab(SurveyDesign(df, weights="w", psu="psu"), "a", "b")
    assert np.isnan(ct.wald.statistic) and np.isnan(ct.adj_wald.p_value)
    assert np.isfinite(ct.rao_scott[0]) and np.isfinite(ct.saddlepoint.statistic)
