"""Fixtures for the analysis tests: the R anchor designs (the data: tests/support/anchors.py)."""

import json

import pytest

from analysis import SurveyDesign
from tests.support.anchors import ANCHOR_DESIGNS, ANCHORS, load_households


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
