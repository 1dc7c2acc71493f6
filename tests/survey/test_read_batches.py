"""ResponseStore.read_batches: read() in pieces, through a DuckDB copy, never the whole table."""

from __future__ import annotations

import pandas as pd

from survey import ResponseStore
from survey.simulate import main as simulate


def _store(tmp_path) -> ResponseStore:
    root = tmp_path / "store"
    simulate(["--households", "120", "--civil-servants", "2", "--agencies", "0", "--seed", "5", "--bulk", "--out", str(root)])
    return ResponseStore(root, audit=False)


def test_batches_are_read_in_order_with_its_dtypes_and_current_revisions(tmp_path):
    store = _store(tmp_path)
    first = store.read("household")["_response_id"].iloc[0]
    store.set_status("household", first, "rejected", "sup01", note="ulang")  # a second revision of one household
    for table in ("household", "household_members"):
        whole = store.read(table).reset_index(drop=True)
        parts = list(store.read_batches(table, batch_rows=37))
        assert all(len(p) <= 37 for p in parts) and len(parts) > 2
        pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)
    again = pd.concat(store.read_batches("household", 50), ignore_index=True)
    assert (again["_response_id"] == first).sum() == 1
    assert again.loc[again["_response_id"] == first, "_status"].item() == "rejected"


def test_only_the_columns_asked_for_and_none_that_no_file_has(tmp_path):
    store = _store(tmp_path)
    parts = list(store.read_batches("household", columns=["_response_id", "_status", "no_such_question"]))
    got = pd.concat(parts, ignore_index=True)
    assert list(got.columns) == ["_response_id", "_status"]
    pd.testing.assert_frame_equal(got, store.read("household")[["_response_id", "_status"]].reset_index(drop=True))


def test_an_empty_table_gives_no_batch_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    store = _store(tmp_path)
    assert list(store.read_batches("agency", 10)) == []  # no agency interviews in this store
    assert list(store.read_batches("household", 10))  # rows come
    assert list((tmp_path / "tmp").iterdir()) == []   # and the private copy is gone
