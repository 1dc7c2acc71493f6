"""Fixtures for the analysis tests: the R anchor data sets and their designs.

The CSV and JSON files in tests/fixtures/anchors/ come from ../shared/anchors/;
r_reference.R beside them produced the JSON with R's survey 4.1.1, and
r_calibration.R wrote R's api data (apiclus1.csv, apistrat.csv, api_population.json)
and the results of its post-stratified and raked designs (*.calibrated.r_survey.json).
"""

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import SurveyDesign

ANCHORS = Path(__file__).resolve().parents[1] / "fixtures" / "anchors"
EDUCATION = ["none", "primary", "junior_secondary", "senior_secondary", "tertiary"]

# R's results file -> (data, SurveyDesign keyword arguments), as r_reference.R built them
ANCHOR_DESIGNS = {
    "ict_households_a.r_survey.json": ("ict_households_a.csv", {}),
    "ict_households_a.fpc.r_survey.json": ("ict_households_a.csv", {"fpc": "fpc_psu"}),
    "ict_households_c.adjust.r_survey.json": ("ict_households_c.csv", {"lonely_psu": "adjust"}),
    "ict_households_c.average.r_survey.json": ("ict_households_c.csv", {"lonely_psu": "average"}),
}


def load_households(csv: str) -> pd.DataFrame:
    """An anchor CSV with the factors r_reference.R declares."""
    df = pd.read_csv(ANCHORS / csv)
    df["head_education"] = pd.Categorical(df["head_education"], categories=EDUCATION)
    df["head_sex"] = pd.Categorical(df["head_sex"], categories=["male", "female"])
    df["one"] = 1.0  # R: svytotal(~I(rep(1, n)), des)
    return df


@pytest.fixture(params=list(ANCHOR_DESIGNS), scope="module")
def anchor(request):
    """(design, R's results) for each anchor design."""
    csv, kwargs = ANCHOR_DESIGNS[request.param]
    design = SurveyDesign(load_households(csv), weights="weight", strata="kecamatan", psu="psu",
                          nest=True, **kwargs)
    return design, json.loads((ANCHORS / request.param).read_text())


@pytest.fixture(scope="module")
def households_a():
    return load_households("ict_households_a.csv")


@pytest.fixture(scope="module")
def design_a(households_a):
    return SurveyDesign(households_a, weights="weight", strata="kecamatan", psu="psu", nest=True)


@pytest.fixture(scope="module")
def design_c_average():
    """The anchor design with a lonely PSU, handled as R's survey.lonely.psu = "average"."""
    return SurveyDesign(load_households("ict_households_c.csv"), weights="weight",
                        strata="kecamatan", psu="psu", lonely_psu="average")
