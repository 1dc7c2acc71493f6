"""The design page: the design in force, uploads of frame.csv and population.csv, the weighting summary.

A bad file gets a message in the chosen language and changes nothing (the file in
force stays, byte for byte); a good one replaces it and the estimates follow; every
upload is in the audit log.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

from analysis.dataset.dataset import load_dataset
from analysis.tables.question_tables import question_table
from analysis.tables.weighting_tables import totals_table, weights_table
from survey import ResponseStore
from survey.fieldwork.audit_log import AuditLog
from tests.support.analysis_store import copy_to
from tests.support.app import as_read, make_unusable, open_page, same, shown


@pytest.fixture
def store_dir(data_dir, analysis_store):
    return copy_to(analysis_store, data_dir)


def upload(at, kind: str, content: bytes, name: str | None = None):
    at.file_uploader(key=f"design_{kind}_file").set_value((name or f"{kind}.csv", content, "text/csv"))
    at.run()
    at.button(key=f"design_{kind}_save").click().run()
    assert not at.exception, at.exception
    return at


def frame_csv(store_dir, change) -> bytes:
    return change(pd.read_csv(store_dir / "frame.csv", dtype=str)).to_csv(index=False).encode()


def cell(row: int, column: str, value: str):
    return lambda frame: frame.assign(**{column: [value if i == row else v for i, v in enumerate(frame[column])]})


def design_entries(store_dir) -> list[dict]:
    return [e for e in AuditLog(store_dir).entries(newest_first=False) if e["action"] == "design"]


def test_the_design_in_force_and_the_weighting_summary_are_analysis_s(store_dir):
    at = open_page(store_dir, "design")
    data = load_dataset(ResponseStore(store_dir, audit=False), "household", lang="en")
    block = shown(at, 0).set_index("Part of the design")["In this questionnaire"]
    assert block["Strata"] == "District (kecamatan)" and block["Primary sampling units (PSU)"] == \
        "Census block (PSU) code (psu)"
    assert block["A stratum with one PSU"] == "centred at zero, not at a mean (R: adjust)"
    same(totals_table(data, "household"), at, 1)
    same(totals_table(data, "household_members"), at, 2)
    same(weights_table(data), at, 3)
    kish = next(m for m in at.metric if m.label == "Kish design effect of weighting")
    assert kish.value == f"{weights_table(data).data['deff'].iloc[0]:.2f}"



@pytest.mark.parametrize("lang, stages, in_force", [
    ("en", "two: Census block (PSU) code (psu) within District (kecamatan), then households; fpc at both stages",
     "**Two-stage sample: Census block (PSU) code within District (kecamatan), then households within each; "
     "finite population correction at both stages**"),
    ("id", "dua: Kode blok sensus (PSU) (psu) dalam Kecamatan (kecamatan), lalu rumah tangga; koreksi populasi",
     "**Sampel dua tahap: Kode blok sensus (PSU) dalam Kecamatan, lalu rumah tangga di dalamnya; "
     "koreksi populasi terhingga pada kedua tahap**"),
])
def test_the_page_names_the_two_stage_design_in_force(store_dir, lang, stages, in_force):
    at = open_page(store_dir, "design", lang=lang)
    block = shown(at, 0).set_index(shown(at, 0).columns[0]).iloc[:, 0]
    assert block.iloc[2].startswith(stages)
    assert in_force in [m.value for m in at.markdown]


def test_a_frame_without_the_stage_sizes_gives_the_one_stage_design_and_says_why(store_dir):
    at = upload(open_page(store_dir, "design"), "frame",
                frame_csv(store_dir, lambda f: f.drop(columns=["psus_in_stratum"])))
    assert at.success and not at.error
    markdown = [m.value for m in at.markdown]
    assert any(m.startswith("**Stratified cluster sample") for m in markdown)
    assert any("does not give psus_in_stratum / households_in_psu" in as_read(m) for m in markdown + [
        c.value for c in at.caption] + [w.value for w in at.warning] + [i.value for i in at.info])


@pytest.mark.parametrize("lang, word", [("en", "Download"), ("id", "Unduh")])
def test_each_set_of_download_buttons_names_its_table(store_dir, lang, word):
    """Three sets of CSV/Excel/Print buttons side by side: each under a line naming its table (the
    design block's in words is a table too: issue 23, item 1)."""
    at = open_page(store_dir, "design", lang=lang)
    data = load_dataset(ResponseStore(store_dir, audit=False), "household", lang=lang)
    titles = [table.title[lang] for table in (weights_table(data), totals_table(data, "household"))]
    assert titles[0] != titles[1]
    lines = [c.value for c in at.caption if c.value.startswith(f"{word}: ")]
    block = {"en": "The design in force", "id": "Desain yang berlaku"}[lang]
    assert lines == [f"{word}: {title}" for title in (block, *titles)]
    assert {b.key for b in at.get("download_button")} >= {f"design_{name}_{fmt}" for name in ("block", "weights", "totals")
                                                          for fmt in ("csv", "xlsx", "html")}

@pytest.mark.parametrize("change, expected", [
    (lambda f: f.drop(columns="kecamatan"), "frame.csv lacks the column(s) kecamatan"),
    (cell(0, "households_in_psu", "-4"), "households_in_psu cannot be negative"),
    (cell(1, "prob_psu", "a lot"), "prob_psu must be a number"),
    (cell(2, "kecamatan", ""), "kecamatan is empty in 1 row(s)"),
    (lambda f: f.drop(index=0), "PSU(s) that frame.csv does not list"),
])
def test_a_bad_frame_is_refused_with_the_reason_and_changes_nothing(store_dir, change, expected):
    before = (store_dir / "frame.csv").read_bytes()
    at = open_page(store_dir, "design")
    estimate = shown(open_page(store_dir, "explore"))
    upload(at, "frame", frame_csv(store_dir, change))
    assert at.error and expected in as_read(at.error[0].value) and "Nothing was changed" in at.error[0].value
    assert (store_dir / "frame.csv").read_bytes() == before
    assert design_entries(store_dir)[-1]["outcome"] == "invalid"
    assert shown(open_page(store_dir, "explore")).equals(estimate)


def test_the_messages_are_in_bahasa_indonesia_too(store_dir):
    at = open_page(store_dir, "design", lang="id")
    upload(at, "population", b"unit,kecamatan,total\nhousehold,laweyan,banyak\n")
    assert "Tidak ada yang diubah" in at.error[0].value and "harus berupa angka" in as_read(at.error[0].value)


def test_a_good_frame_replaces_the_file_and_the_estimates_follow(store_dir):
    explore = open_page(store_dir, "explore")
    explore.selectbox(key="explore_question").set_value("has_internet").run()
    before = shown(explore)

    content = frame_csv(store_dir, cell(0, "prob_within", "0.01"))
    at = upload(open_page(store_dir, "design"), "frame", content, name="kerangka baru.csv")
    assert at.success and "frame.csv checked and replaced" in at.success[0].value
    assert (store_dir / "frame.csv").read_bytes() == content
    entry = design_entries(store_dir)[-1]
    assert (entry["user"], entry["object"], entry["outcome"]) == ("admin1", "frame.csv", "ok")
    assert entry["detail"]["upload"] == "kerangka baru.csv"
    explore.run()
    assert not shown(explore).equals(before)
    same(question_table(load_dataset(ResponseStore(store_dir, audit=False), "household"), "has_internet"), explore)


def test_population_totals_are_checked_and_replaced(store_dir):
    population = pd.read_csv(store_dir / "population.csv", dtype=str, keep_default_na=False)
    population.loc[population["unit"] == "household", "total"] = "50000"
    buffer = io.StringIO()
    population.to_csv(buffer, index=False)
    at = upload(open_page(store_dir, "design"), "population", buffer.getvalue().encode())
    assert at.success and not at.error
    totals = shown(at, 1)
    calibrated = totals[totals["Step"] == "Calibration"]
    assert set(calibrated["Target"]) == {"50,000"}
    assert design_entries(store_dir)[-1]["object"] == "population.csv"


def test_saving_without_a_file_says_to_choose_one(store_dir):
    at = open_page(store_dir, "design")
    at.button(key="design_frame_save").click().run()
    assert at.warning and "Choose a CSV file first." in [w.value for w in at.warning]


def test_files_wait_while_a_questionnaire_cannot_be_used(store_dir, monkeypatch):
    before = (store_dir / "frame.csv").read_bytes()
    make_unusable(monkeypatch, "civil_servant", "age")
    at = open_page(store_dir, "design")
    upload(at, "frame", before)        # the same, good, file: it cannot be checked against every design now
    assert at.error and "Nothing was changed" in at.error[0].value and "civil_servant" in as_read(at.error[0].value)
    assert (store_dir / "frame.csv").read_bytes() == before


def test_kelurahan_auxiliaries_are_checked_and_saved(store_dir):
    """kelurahan.csv (issue 18, item 4): a bad one is refused in the user's language, a good one saved."""
    at = upload(open_page(store_dir, "design", lang="id"), "kelurahan", b"kelurahan,households\natlantis,3\n")
    assert "Tidak ada yang diubah" in at.error[0].value and "'atlantis'" in as_read(at.error[0].value)
    assert not (store_dir / "kelurahan.csv").exists()
    good = b"kelurahan,households,electricity_share\nkerten,3600,99.1\njajar,2900,98.4\n"
    at = upload(open_page(store_dir, "design"), "kelurahan", good)
    assert at.success and "kelurahan.csv checked and replaced" in at.success[0].value
    assert (store_dir / "kelurahan.csv").read_bytes() == good
    assert design_entries(store_dir)[-1]["object"] == "kelurahan.csv"
