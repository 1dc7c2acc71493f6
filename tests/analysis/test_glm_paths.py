"""svyglm's two fits give R's numbers: the blocked normal equations (glm_blocks, well-conditioned
steps) and the reference path (aliasing column by column, refined least squares) that an
ill-conditioned step falls back to; and the two agree with each other to 1e-10 (issue 22, item 2).
R's numbers: tests/fixtures/anchors/r_glm_paths.R on ict_households_a.csv."""

import json

import numpy as np
import pytest

from analysis import SurveyDesign, linear, logistic
from analysis.benchmarks.generate import frame
from analysis.estimation import glm_blocks
from tests.support.anchors import ANCHORS, load_households

R = json.loads((ANCHORS / "glm_paths.r_survey.json").read_text())["models"]
# which fit each model takes: the near-collinear and aliased columns make a step ill-conditioned
PATHS = {"logit_plain": "fast", "logit_missing": "fast", "logit_near": "reference",
         "logit_aliased": "reference", "linear_near": "reference", "linear_plain": "fast"}


@pytest.fixture(scope="module")
def households():
    df = load_households("ict_households_a.csv")
    df["age_near"] = df["head_age"] + 0.05 * np.cos(np.arange(1, len(df) + 1))   # as the R script
    df["age2"] = 2 * df["head_age"]
    return SurveyDesign(df, weights="weight", strata="kecamatan", psu="psu", nest=True)


@pytest.fixture
def paths(monkeypatch):
    """The path each fit took: glm_blocks.fit returns None when it hands over to the reference."""
    taken, fit = [], glm_blocks.fit

    def spy(*args, **kwargs):
        out = fit(*args, **kwargs)
        taken.append("fast" if out is not None else "reference")
        return out

    monkeypatch.setattr(glm_blocks, "fit", spy)
    return taken


@pytest.mark.parametrize("name", sorted(PATHS))
def test_each_path_gives_r_svyglm(households, paths, name):
    r = R[name]
    model = logistic if name.startswith("logit") else linear
    out = model(households, r["formula"])
    assert paths == [PATHS[name]]
    fitted = out[~out.term.isin(out.attrs["aliased"])]
    assert fitted.term_r.tolist() == r["terms"]
    assert out.attrs["aliased"] == r["aliased"]
    assert out[out.term.isin(r["aliased"])][["coef", "se"]].isna().all().all()
    assert fitted.coef.to_numpy() == pytest.approx(r["coef"], rel=1e-9)
    assert fitted.se.to_numpy() == pytest.approx(r["se"], rel=1e-9)
    assert out.attrs["df_residual"] == r["df_residual"]


@pytest.fixture(scope="module")
def bench():
    df = frame(4000)
    df.loc[df.index[::41], "x2"] = np.nan                 # rows missing a predictor: gathered by position
    df["x5"] = df["x1"] * 1e6 + df["x3"]                  # a predictor a million times larger
    return SurveyDesign(df, weights="w", strata="stratum", psu="psu", nest=True)


@pytest.mark.parametrize("formula", ["b ~ x1 + x2 + x3 + x4", "b ~ x4 + x5 + x2", "b ~ dom + x1 + np.log(x3 + 1)",
                                     "b ~ x3 + dom + c5", "y ~ x1 + x2 + x3", "y ~ dom * x4 + x1"])
@pytest.mark.parametrize("subset", [False, True])
def test_the_fast_path_gives_the_reference_paths_numbers(bench, monkeypatch, formula, subset):
    d = bench.subset(bench.column("r2").to_numpy() == "a") if subset else bench
    model = logistic if formula.startswith("b") else linear
    fast = model(d, formula)
    monkeypatch.setattr(glm_blocks, "fit", lambda *args, **kwargs: None)   # every fit by the reference path
    reference = model(d, formula)
    assert fast.term.tolist() == reference.term.tolist() and fast.attrs == reference.attrs
    for col in ("coef", "se", "ci_low", "ci_high"):
        assert fast[col].to_numpy() == pytest.approx(reference[col].to_numpy(), rel=1e-10)


def test_an_ill_conditioned_step_hands_over_and_a_clear_one_does_not():
    rng = np.random.default_rng(5)
    n = 3000
    x1 = rng.normal(size=n)
    y = (rng.random(n) < 0.4).astype(float)
    w = rng.uniform(0.5, 1.5, n)
    from analysis.estimation.models import _FAMILIES
    family = _FAMILIES["logistic"]
    clear = glm_blocks.Columns([None, x1, rng.normal(size=n)], n)
    near = glm_blocks.Columns([None, x1, x1 + 1e-4 * rng.normal(size=n)], n)   # scaled cond ~1e8
    assert glm_blocks.fit(clear, y, w, family) is not None
    assert glm_blocks.fit(near, y, w, family) is None
