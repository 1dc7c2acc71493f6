"""Replicate weights in de-identified microdata instead of strata and PSUs (issue 18, item 2):
a user who has only the file gets the analysis' replicate standard errors back."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from analysis import mean, total
from analysis.dataset.dataset import load_dataset
from analysis.estimation.replicate import ReplicateDesign
from analysis.export import microdata
from analysis.export.errors import ExportError
from analysis.export.export_cli import main
from analysis.export.microdata.replicates import design_replicates
from survey import ResponseStore
from survey.simulate import main as simulate


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("replicates")
    simulate(["--households", "120", "--civil-servants", "0", "--agencies", "0", "--seed", "11", "--bulk",
              "--out", str(root)])
    return ResponseStore(root)


def exported(store, table, tmp_path, method="JKn"):
    path = tmp_path / f"{table}.dta"
    path.write_bytes(microdata(store, table, "dta", user="t", weights=True, replicate=method))
    return pyreadstat.read_dta(str(path))


def test_the_household_file_has_replicates_instead_of_strata_and_psu(store, tmp_path):
    df, meta = exported(store, "household", tmp_path)
    reps = design_replicates(store, "household", "JKn")["household"]
    assert "psu" not in df.columns and "kecamatan" not in df.columns
    names = [c for c in df.columns if c.startswith("repw_")]
    assert names == reps.names and len(names) == reps.weights.shape[1] > 10
    assert "JKn" in meta.column_names_to_labels[names[0]]
    # The file alone gives the analysis' replicate SEs (the design as the analysis built it, as JKn).
    design = load_dataset(store, "household").main.design
    rep = design.as_replicate("JKn")
    weighted = df[df["weight"].notna()]
    from_file = ReplicateDesign(weighted, weights="weight", replicate_weights="^repw_", method="JKn",
                                scale=reps.scale, rscales=reps.rscales)
    assert from_file.degf == rep.degf
    ours, theirs = total(from_file, "hh_size"), total(rep, "hh_size")
    assert ours.estimate[0] == pytest.approx(theirs.estimate[0], rel=1e-9)
    assert ours.se[0] == pytest.approx(theirs.se[0], rel=1e-9)
    # the replicates carry the design's post-stratification, so the SE is near the calibrated Taylor SE
    # (12 PSUs: jackknife and linearisation differ by a few percent; uncalibrated replicates double it)
    assert ours.se[0] == pytest.approx(total(design, "hh_size").se[0], rel=0.15)


def test_members_take_their_households_replicate_factor(store, tmp_path):
    df, _ = exported(store, "household_members", tmp_path)
    households, _ = exported(store, "household", tmp_path)
    assert "psu" not in df.columns and "kecamatan" not in df.columns
    merged = df.merge(households[["response_id", "weight", "repw_01"]], on="response_id", suffixes=("", "_hh"))
    merged = merged[merged["weight"].notna()]
    assert np.allclose(merged["repw_01"], merged["weight"] * merged["repw_01_hh"] / merged["weight_hh"])
    rep = ReplicateDesign(merged, weights="weight", replicate_weights="^repw_[0-9]+$", method="JKn",
                          rscales=design_replicates(store, "household", "JKn")["household"].rscales)
    assert mean(rep, "age").se[0] > 0


def test_errors_are_export_errors(store):
    with pytest.raises(ExportError, match="Unknown replicate method"):
        microdata(store, "household", "csv", user="t", weights=True, replicate="JK9")
    with pytest.raises(ExportError, match="de-identified"):
        microdata(store, "household", "csv", user="t", weights=True, replicate="JKn", identified=True)
    with pytest.raises(ExportError, match="JK1 replicate weights cannot be made"):
        microdata(store, "household", "csv", user="t", weights=True, replicate="JK1")


def test_the_command_line_and_the_codebook(store, tmp_path):
    data = str(store.root)
    out, book = tmp_path / "h.csv", tmp_path / "codebook.xlsx"
    assert main(["microdata", "--table", "household", "--format", "csv", "--replicate", "bootstrap",
                 "--out", str(out), "--data", data]) == 0
    df = pd.read_csv(out)
    assert sum(c.startswith("repw_") for c in df.columns) == 50 and "psu" not in df.columns
    again = tmp_path / "again.csv"
    assert main(["microdata", "--table", "household", "--format", "csv", "--replicate", "bootstrap",
                 "--out", str(again), "--data", data]) == 0
    assert again.read_bytes() != b"" and pd.read_csv(again).filter(like="repw_").equals(df.filter(like="repw_"))
    assert main(["codebook", "--instrument", "household", "--format", "xlsx", "--replicate", "JKn",
                 "--out", str(book), "--data", data]) == 0
    rows = list(openpyxl.load_workbook(book)["Variable"].iter_rows(values_only=True))
    table = [dict(zip(rows[0], r)) for r in rows[1:]]
    replicate = [r for r in table if r["Design role"] == "replicate" and r["Table"] == "household"]
    assert replicate and 'type = "JKn"' in replicate[0]["Calculation"] and "scale = 1" in replicate[0]["Calculation"]
    assert not [r for r in table if r["Table"] == "household" and r["Design role"] in ("strata", "psu")]
