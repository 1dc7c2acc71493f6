"""The regression table (analysis.tables.model_tables) against the model functions it wraps.

The estimator itself is anchored to R's svyglm (test_models.py, test_r_anchors.py); here: the table
fits the same model as a formula on the questions' own columns, with the terms labelled by
question and choice in both languages, odds ratios for a logistic model, and the notes."""

import numpy as np
import pandas as pd
import pytest

from analysis.dataset.dataset import load_dataset
from analysis.estimation.models import linear, logistic
from analysis.tables.model_tables import model_table
from survey import ResponseStore


@pytest.fixture(scope="module")
def households(analysis_store):
    return load_dataset(ResponseStore(analysis_store, audit=False), "household", lang="id")


def test_logistic_table_is_svyglm_on_the_question_columns(households):
    table = model_table(households, "has_internet", ["hh_size", "head_sex"])
    design = households.main.design
    y = (households.main.choice_codes("has_internet") == households.main.variables["has_internet"].choices.index(
        "yes")).astype(float)
    y[households.main.choice_codes("has_internet") < 0] = np.nan
    direct = logistic(design.update(y=y), "y ~ hh_size + head_sex")
    data = table.data
    assert data["coef"].to_numpy() == pytest.approx(direct["coef"].to_numpy(), rel=1e-12)
    assert data["se"].to_numpy() == pytest.approx(direct["se"].to_numpy(), rel=1e-12)
    assert data["odds_ratio"].to_numpy() == pytest.approx(np.exp(direct["coef"].to_numpy()), rel=1e-12)
    assert data["or_high"].to_numpy() == pytest.approx(np.exp(direct["ci_high"].to_numpy()), rel=1e-12)
    english = table.to_frame("en")
    assert english["Term"].tolist() == ["Intercept", "How many people belong to this household?",
                                        "Head of household: Sex: Female"]
    assert table.to_frame("id")["Suku"].tolist()[2] == "Kepala rumah tangga: Jenis kelamin: Perempuan"
    assert table.stats["n"] == direct.attrs["n"] and table.stats["model"] == "logistic"
    notes = [n["en"] for n in table.notes]
    assert f"n = {direct.attrs['n']} rows" in notes[0] and f"residual df = {direct.attrs['df_residual']}" in notes[0]
    assert notes[2] == "Reference categories: Head of household: Sex: Male."


def test_linear_table_and_the_mistakes_it_names(households):
    table = model_table(households, "income_monthly", ["hh_size"])   # income: some refused (pd.NA)
    frame = households.main.frame
    income = pd.to_numeric(frame["income_monthly"]).to_numpy(dtype=float, na_value=np.nan)
    direct = linear(households.main.design.update(y=income, x=frame["hh_size"].to_numpy(dtype=float)), "y ~ x")
    assert table.data["coef"].to_numpy() == pytest.approx(direct["coef"].to_numpy(), rel=1e-12)
    assert "odds_ratio" not in table.data and table.stats["model"] == "linear"
    with pytest.raises(ValueError, match="at least one predictor"):
        model_table(households, "income_monthly", [])
    with pytest.raises(ValueError, match="predictors must be"):
        model_table(households, "income_monthly", ["income_monthly"])
    assert isinstance(table.to_frame("en", formatted=True), pd.DataFrame)
