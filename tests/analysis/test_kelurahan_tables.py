"""Kelurahan estimates, direct and model-based (analysis.tables.kelurahan_tables; issue 18, item 4).

On a simulated two-stage sample big enough that some kelurahan have two or more sampled PSUs:
direct rows are svyby's; the model is fitted to the design variances where a kelurahan has them
and to the documented smoothed variance where it has one PSU; kelurahan without respondents get
the synthetic estimate; benchmarking meets the city's figure; without kelurahan.csv, direct only."""

import numpy as np
import pandas as pd
import pytest

from analysis.dataset.datafiles import area_auxiliaries
from analysis.dataset.dataset import load_dataset
from analysis.estimation.estimates import mean, proportion
from analysis.estimation.fay_herriot import fay_herriot
from analysis.tables.kelurahan_tables import kelurahan_table
from survey import ResponseStore
from survey.simulate.bulk import write_responses
from survey.simulate.households import iter_household_answers
from survey.simulate.sampling import sample_frame, write_frame, write_kelurahan, write_population

SEED, HOUSEHOLDS = 5, 700


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("kelurahan")
    write_frame(sample_frame(HOUSEHOLDS, SEED), root / "frame.csv")
    write_population(root / "population.csv")
    write_kelurahan(root / "kelurahan.csv")
    ids = iter(range(10 ** 6))
    write_responses(root, "household", list(iter_household_answers(HOUSEHOLDS, SEED)),
                    lambda: f"00000000-0000-4000-8000-{next(ids):012d}", lambda i: "enum01", SEED)
    return load_dataset(ResponseStore(root, audit=False), "household"), area_auxiliaries(root)


def rows(table, method, choice="yes"):
    data = table.data
    return data[(data["method"] == method) & (data["choice"] == choice)].set_index("by")


def test_direct_rows_are_svyby_and_one_psu_has_no_se(sample):
    data, areas = sample
    table = kelurahan_table(data, "has_internet", areas)
    direct = rows(table, "direct")
    design = data.main.design
    r = proportion(design, "has_internet", by="kelurahan")
    r = r[r["level"] == "Yes"]
    names = dict(zip(data.main.variables["kelurahan"].choice_labels("en"), data.main.variables["kelurahan"].choices))
    r.index = r["kelurahan"].astype(str).map(names)
    assert direct["estimate"].to_numpy() == pytest.approx(100 * r.loc[direct.index, "estimate"].to_numpy())
    psus = data.main.frame.groupby(data.main.frame["kelurahan"].astype(str).map(names))["psu"].nunique()
    one = psus[psus == 1].index.intersection(direct.index)
    several = psus[psus >= 2].index.intersection(direct.index)
    assert len(one) and len(several) >= 5, "the sample must have both kinds of kelurahan"
    zero = several[r.loc[several, "se"].to_numpy() < 1e-10]     # 0% or 100%: no design variance either
    assert direct.loc[one.union(zero), "se"].isna().all()  # (a 0% or 100% share may or may not occur)
    kept = several.difference(zero)
    assert direct.loc[kept, "se"].to_numpy() == pytest.approx(100 * r.loc[kept, "se"].to_numpy())


def test_the_model_uses_design_variances_or_the_smoothed_one(sample):
    data, areas = sample
    table = kelurahan_table(data, "has_internet", areas)
    design = data.main.design
    names = dict(zip(data.main.variables["kelurahan"].choice_labels("en"), data.main.variables["kelurahan"].choices))
    r = proportion(design, "has_internet", by="kelurahan")
    r = r[r["level"] == "Yes"].assign(kelurahan=lambda f: f["kelurahan"].astype(str).map(names))
    city = proportion(design, "has_internet", deff=True)
    city = city[city["level"] == "Yes"].iloc[0]
    p = 100 * city["estimate"]
    psus = data.main.frame.groupby(data.main.frame["kelurahan"].astype(str).map(names))["psu"].nunique()
    designed = (r["kelurahan"].map(psus) >= 2) & (r["se"] > 1e-10)
    r["vardir"] = np.where(designed, (100 * r["se"]) ** 2, p * (100 - p) * city["deff"] / r["n"])
    r["direct"] = 100 * r["estimate"]
    expected = fay_herriot(areas.merge(r[["kelurahan", "direct", "vardir"]], on="kelurahan", how="left"),
                           "direct", "vardir", ["households", "population", "electricity_share",
                                                "senior_secondary_share"], area="kelurahan").estimates
    expected = expected.set_index("area")
    model = pd.concat([rows(table, "model"), rows(table, "synthetic")])
    assert len(model) == len(areas) == 54
    assert model["estimate"].to_numpy() == pytest.approx(expected.loc[model.index, "eblup"].to_numpy(), rel=1e-10)
    assert model["se"].to_numpy() == pytest.approx(expected.loc[model.index, "se"].to_numpy(), rel=1e-10)
    unsampled = set(areas["kelurahan"]) - set(r["kelurahan"])
    assert set(rows(table, "synthetic").index) == unsampled and (rows(table, "synthetic")["n"] == 0).all()
    assert table.stats["variance"]["yes"] == pytest.approx(fay_herriot(
        areas.merge(r[["kelurahan", "direct", "vardir"]], on="kelurahan", how="left"), "direct", "vardir",
        ["households", "population", "electricity_share", "senior_secondary_share"]).variance)
    notes = [n["en"] for n in table.notes]
    assert notes[0].startswith("Model-based: Fay-Herriot area-level model (EBLUP, REML")
    assert "households, population, electricity_share, senior_secondary_share" in notes[0]
    assert (table.data["rse"].notna() | table.data["se"].isna()).all()


def test_benchmarking_meets_the_citys_direct_estimate(sample):
    data, areas = sample
    table = kelurahan_table(data, "income_monthly", areas, benchmark=True)
    model = table.data[table.data["method"] != "direct"].set_index("by")
    weights = areas.set_index("kelurahan").loc[model.index, "households"]
    target = mean(data.main.design, "income_monthly")["estimate"].iloc[0]
    assert (model["estimate"] * weights).sum() / weights.sum() == pytest.approx(target, rel=1e-10)
    assert "Benchmarked (ratio) to the city's direct estimate" in table.notes[0]["en"]


def test_without_kelurahan_csv_only_direct_rows_and_how_to_add_it(sample):
    data, _ = sample
    table = kelurahan_table(data, "has_internet", None)
    assert set(table.data["method"]) == {"direct"}
    assert table.notes[0]["en"].startswith("No model-based rows: upload kelurahan.csv")


def test_a_model_that_cannot_be_fitted_says_why_and_keeps_the_direct_rows(sample):
    data, areas = sample
    few = areas.iloc[:3]   # three kelurahan cannot fit five coefficients
    table = kelurahan_table(data, "has_internet", few)
    assert set(table.data["method"]) == {"direct"}
    assert "The model could not be fitted" in table.notes[0]["en"]
    assert "cannot fit 5 coefficients" in table.notes[0]["en"]


def test_an_indicator_shows_its_own_choice_only(sample):
    data, areas = sample
    table = kelurahan_table(data, "has_internet", areas, choices=("yes",))
    assert set(table.data["choice"]) == {"yes"}
    full = kelurahan_table(data, "has_internet", areas)
    assert table.data.equals(full.data[full.data["choice"] == "yes"].reset_index(drop=True))
