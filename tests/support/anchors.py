"""The R anchor data sets: tests/fixtures/anchors/, as r_reference.R and r_calibration.R read them.

The CSV and JSON files come from ../shared/anchors/; r_reference.R beside them produced
the JSON with R's survey 4.1.1, and r_calibration.R wrote R's api data (apiclus1.csv,
apistrat.csv, api_population.json) and the results of its post-stratified and raked
designs (*.calibrated.r_survey.json).
"""

from pathlib import Path

import pandas as pd

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
