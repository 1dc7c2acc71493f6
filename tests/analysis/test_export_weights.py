"""The design's weights in the microdata: the household weight in the household file, the
person weight (and the household's) in the members file, as analysis.dataset.dataset makes them,
documented in the codebook; from the library and the command line."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from analysis.dataset.dataset import load_dataset
from analysis.export import design_weights, microdata, microdata_frame
from analysis.export.export_cli import main
from survey import ResponseStore
from survey.simulate import main as simulate


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A simulated two-stage sample (frame.csv, population.csv) with one rejected household."""
    root = tmp_path_factory.mktemp("weights")
    simulate(["--households", "120", "--civil-servants", "0", "--agencies", "0", "--seed", "11", "--bulk",
              "--out", str(root)])
    store = ResponseStore(root)
    rejected = store.read("household")["_response_id"].iloc[0]
    store.set_status("household", rejected, "rejected", editor="sup1")
    return store


@pytest.fixture(scope="module")
def dataset(store):
    return load_dataset(store, "household")


def test_the_household_file_carries_the_household_weight(store, dataset):
    frame = microdata_frame(store, "household", weights=True).frame.set_index("response_id")
    design = dataset.main.frame.assign(_response_id=lambda f: f["_response_id"].astype(str)).set_index("_response_id")
    assert set(design.index) < set(frame.index)
    assert np.allclose(frame.loc[design.index, "weight"], design["_weight"])
    left_out = frame.index.difference(design.index)
    assert len(left_out) >= 1 and frame.loc[left_out, "weight"].isna().all()
    rejected = frame.index[frame["status"] == "rejected"]
    assert len(rejected) == 1 and rejected[0] in left_out


def test_the_members_file_carries_the_person_weight_and_its_households(store, dataset):
    members = microdata_frame(store, "household_members", weights=True).frame
    assert list(members.columns[:6]) == ["response_id", "member_index", "kecamatan", "psu", "household_weight",
                                         "weight"]
    design = dataset.table("household_members").frame
    keys = pd.MultiIndex.from_arrays([design["_response_id"].astype(str), design["_member_index"].astype(int)])
    ours = members.set_index(["response_id", "member_index"]).loc[keys]
    assert np.allclose(ours["weight"], design["_weight"])
    assert np.allclose(ours["household_weight"], design["_household_weight"])
    assert (np.abs(ours["weight"] - ours["household_weight"]) > 1e-9).mean() > 0.9  # calibrated to persons
    population = pd.read_csv(store.root / "population.csv")
    persons = population[population["unit"] == "person"].groupby("sex")["total"].sum()
    sex = ours["sex"].astype(str)
    assert ours.groupby(sex)["weight"].sum().to_dict() == pytest.approx(persons.to_dict())
    assert design_weights(store, "household")["household_members"].texts["en"].startswith("The household's weight")


def test_the_stat_files_label_the_weights(store, tmp_path):
    path = tmp_path / "members.sav"
    path.write_bytes(microdata(store, "household_members", "sav", user="t", weights=True))
    df, meta = pyreadstat.read_sav(str(path))
    labels = meta.column_names_to_labels
    assert labels["weight"] == "Survey weight of this row (person weight)"
    assert labels["household_weight"] == "Survey weight of its household (the parent interview)"
    assert df["weight"].notna().sum() == len(load_dataset(store, "household").table("household_members").frame)


def test_the_command_line_exports_weights_and_documents_them(store, tmp_path):
    data = str(store.root)
    out, book = tmp_path / "h.dta", tmp_path / "codebook.xlsx"
    assert main(["microdata", "--table", "household", "--format", "dta", "--out", str(out), "--data", data]) == 0
    df, meta = pyreadstat.read_dta(str(out))
    assert meta.column_names_to_labels["weight"] == "Survey weight" and df["weight"].notna().sum() == 119
    assert main(["codebook", "--instrument", "household", "--format", "xlsx", "--out", str(book), "--data", data]) == 0
    rows = list(openpyxl.load_workbook(book)["Variable"].iter_rows(values_only=True))
    table = [dict(zip(rows[0], r)) for r in rows[1:]]
    made = {(r["Table"], r["Variable"]): r["Calculation"] for r in table if r["Design role"] == "weight"}
    weights = load_dataset(store, "household").provenance.weights
    assert made == {("household", "weight"): weights["household"]["en"],
                    ("household_members", "household_weight"): weights["household"]["en"],
                    ("household_members", "weight"): weights["household_members"]["en"]}
    assert "post-stratified" in made[("household_members", "weight")]
