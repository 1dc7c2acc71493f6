"""Bulk mode: the same sample as the normal mode, written as parts the store reads."""

import pandas as pd
import pytest

from survey import ResponseStore
from survey.simulate import generate, main

QUESTIONS = ["kecamatan", "psu", "has_internet", "internet_type", "hh_size", "ict_spending"]


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    bulk, normal = tmp_path_factory.mktemp("bulk"), tmp_path_factory.mktemp("normal")
    args = ["--households", "40", "--civil-servants", "6", "--agencies", "3", "--seed", "9"]
    main([*args, "--bulk", "--out", str(bulk)])
    main([*args, "--out", str(normal)])
    return ResponseStore(bulk, audit=False), ResponseStore(normal, audit=False)


def ordered(df, keys):
    return df.sort_values(keys).reset_index(drop=True)


def test_bulk_stores_the_normal_modes_sample(stores):
    bulk, normal = stores
    for table, keys, columns in (
            ("household", ["_response_id"], ["_response_id", "_enumerator", "_revision", "_status", *QUESTIONS]),
            ("household_members", ["_response_id", "_member_index"],
             ["_response_id", "_member_index", "sex", "age", "age_group", "internet_location"]),
            ("civil_servant", ["_response_id"], ["_response_id", "_enumerator", "agency", "barriers"]),
            ("agency", ["_response_id"], ["_response_id", "agency", "staff_count", "services_g2c"])):
        a, b = ordered(bulk.read(table), keys)[columns], ordered(normal.read(table), keys)[columns]
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert len(bulk.read("household")) == 40 == len(generate("household", 40, seed=9))


def test_bulk_writes_parts_only_and_the_design_files(stores):
    bulk, _ = stores
    root = bulk.root
    for table in ("household", "household_members", "civil_servant", "agency"):
        names = [p.name for p in (root / "responses" / table).iterdir()]
        assert names and all(n.startswith("part-") and n.endswith(".parquet") for n in names)
    assert (root / "frame.csv").is_file() and (root / "population.csv").is_file()
    assert (root / "kelurahan.csv").is_file()   # the small-area model's auxiliaries (issue 18, item 4)


def test_interview_times_are_in_fieldwork_hours(stores):
    bulk, _ = stores
    hh = bulk.read("household")
    local = hh["_started_at"].dt.tz_convert("Asia/Jakarta")
    assert local.dt.hour.between(8, 19).all()   # the odd-hour rule reads the start
    assert (local.dt.date == hh["interview_date"].dt.date).all()
    minutes = (hh["_submitted_at"] - hh["_started_at"]).dt.total_seconds() / 60
    assert minutes.between(25, 70).all()


def test_a_bulk_store_stays_a_working_store(tmp_path):
    store = ResponseStore(tmp_path, audit=False)
    main(["--households", "12", "--seed", "9", "--bulk", "--out", str(tmp_path)])
    store.set_status("household", store.read("household")["_response_id"].iloc[0], "approved", editor="sup01")
    store.submit("household", generate("household", 1, seed=77)[0], enumerator="enum01")
    assert store.count("household") == 13 and store.compact()["household"] > 0
    assert store.count("household") == 13
    with pytest.raises(SystemExit) as exit_:
        main(["--households", "12", "--seed", "9", "--bulk", "--out", str(tmp_path)])
    assert exit_.value.code == 2
