"""The household design block's ``stages: 2``: census blocks, then households, each stage's fpc from frame.csv.

The dataset's designs must be R's ``svydesign(id=~psu+household, strata=~kecamatan,
fpc=~psus_in_stratum+households_in_psu, weights=~w)`` (whose numbers test_r_multistage.py
checks against R); a frame without those columns keeps the one-stage design, with a note.
"""

import shutil

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDesign, mean, total
from analysis.dataset.datafiles import read_csv
from analysis.dataset.dataset import load_dataset
from survey import ResponseStore, load_instrument
from survey.questionnaire.model import InstrumentError, instrument_from_yaml
from survey.simulate import main as simulate


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("store")
    simulate(["--households", "200", "--civil-servants", "5", "--agencies", "5", "--seed", "7", "--bulk",
              "--out", str(root)])
    return root


def store_with(sample, tmp_path, frame: pd.DataFrame | None = None) -> ResponseStore:
    shutil.copytree(sample / "responses", tmp_path / "responses")
    (read_csv(sample / "frame.csv") if frame is None else frame).to_csv(tmp_path / "frame.csv", index=False)
    return ResponseStore(tmp_path, audit=False)


def test_the_household_design_is_rs_two_stage_design(sample, tmp_path):
    data = load_dataset(store_with(sample, tmp_path), "household", lang="en")
    d = data.main.design
    assert d.columns["psu"] == ["psu", "_response_id"] and d.columns["fpc"] == ["_fpc1", "_fpc2"]
    frame = read_csv(sample / "frame.csv").astype({"psus_in_stratum": float, "households_in_psu": float})
    rows = d.data.merge(frame[["psu", "psus_in_stratum", "households_in_psu"]], on="psu", how="left")
    assert np.array_equal(rows["_fpc1"], rows["psus_in_stratum"])
    assert np.array_equal(rows["_fpc2"], rows["households_in_psu"])
    by_hand = SurveyDesign(rows, weights="_weight", strata="kecamatan", psu=["psu", "_response_id"],
                           fpc=["psus_in_stratum", "households_in_psu"], lonely_psu="adjust", nest=True)
    pd.testing.assert_frame_equal(mean(d, "ict_spending"), mean(by_hand, "ict_spending"))
    one_stage = SurveyDesign(rows, weights="_weight", strata="kecamatan", psu="psu", lonely_psu="adjust", nest=True)
    assert total(d, "ict_spending").se[0] != pytest.approx(total(one_stage, "ict_spending").se[0], rel=1e-3)
    assert data.provenance.design["en"].startswith("Two-stage sample: Census block (PSU) code within District")
    assert not {n.code for n in data.provenance.notes} & {"design.one_stage", "design.invalid"}


def test_members_are_clustered_in_their_households_at_the_second_stage(sample, tmp_path):
    data = load_dataset(store_with(sample, tmp_path), "household", lang="en")
    members = data.table("household_members")
    d = members.design
    assert d.columns["psu"] == ["psu", "_response_id"]
    at = members.household
    assert np.array_equal(d.data["_fpc2"], data.main.design.data["_fpc2"].to_numpy()[at])
    assert d.degf == data.main.design.degf


@pytest.mark.parametrize("drop", [["households_in_psu"], ["psus_in_stratum"]])
def test_a_frame_without_the_stage_sizes_keeps_one_stage_and_says_so(sample, tmp_path, drop):
    frame = read_csv(sample / "frame.csv")
    data = load_dataset(store_with(sample, tmp_path, frame.drop(columns=drop)), "household", lang="en")
    assert data.main.design.columns["psu"] == "psu"
    assert data.table("household_members").design.columns["psu"] == "psu"
    note = next(n for n in data.provenance.notes if n.code == "design.one_stage")
    assert "psus_in_stratum / households_in_psu" in note.text("en") and "tahap pertama" in note.text("id")
    assert data.provenance.design["en"].startswith("Stratified cluster sample")


def test_a_frame_whose_households_are_fewer_than_the_sample_falls_back_to_one_stage(sample, tmp_path):
    frame = read_csv(sample / "frame.csv")
    frame.loc[0, "households_in_psu"] = "1"    # fewer households than were interviewed there
    frame.loc[0, "prob_within"] = "1"
    data = load_dataset(store_with(sample, tmp_path, frame), "household", lang="en")
    assert data.main.design.columns["psu"] == "psu"
    note = next(n for n in data.provenance.notes if n.code == "design.invalid")
    assert "more than 100% sampling" in note.text("en")


BLOCK = """
id: t
version: 1
title: {id: T, en: T}
questions:
  - {name: block, type: text, label: {id: Blok, en: Block}, required: true}
  - {name: size, type: integer, label: {id: Ukuran, en: Size}}
design:
  psu: block
"""


@pytest.mark.parametrize("design, message", [
    ("  stages: 3\n  weights: {base: frame}\n", "design.stages must be 1 or 2"),
    ("  stages: 2\n", "needs weights.base 'frame' and no design.fpc"),
    ("  stages: 2\n  fpc: size\n  weights: {base: frame}\n", "needs weights.base 'frame' and no design.fpc"),
])
def test_the_design_block_checks_stages(design, message):
    with pytest.raises(InstrumentError, match=message):
        instrument_from_yaml(BLOCK + design, source="t.yaml")
    assert instrument_from_yaml(BLOCK + "  stages: 2\n  weights: {base: frame}\n").design.stages == 2
    assert load_instrument("household").design.stages == 2
