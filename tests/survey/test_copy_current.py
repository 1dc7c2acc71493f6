"""ResponseStore.copy_current: the current rows of a table, chosen columns, written to Parquet by DuckDB."""

from __future__ import annotations

import pyarrow.parquet as pq

from survey import ResponseStore
from survey.simulate import main as simulate


def test_the_copy_holds_the_current_revisions_and_the_columns_asked_for(tmp_path):
    root = tmp_path / "store"
    simulate(["--households", "40", "--civil-servants", "0", "--agencies", "0", "--seed", "5", "--bulk",
              "--out", str(root)])
    store = ResponseStore(root, audit=False)
    first = store.read("household")["_response_id"].iloc[0]
    store.set_status("household", first, "rejected", "sup01", note="ulang")   # a second revision
    path = store.copy_current("household", tmp_path / "hh.parquet", ["_status", "has_internet", "no_such"])
    copy = pq.read_table(path).to_pandas()
    assert set(copy.columns) == {"_submitted_at", "_response_id", "_revision", "_status", "has_internet"}
    whole = store.read("household")
    assert len(copy) == len(whole) and (copy["_response_id"] == first).sum() == 1
    assert copy.loc[copy["_response_id"] == first, "_status"].item() == "rejected"
    assert sorted(copy["has_internet"].dropna()) == sorted(whole["has_internet"].dropna())
    members = store.copy_current("household_members", tmp_path / "m.parquet", ["age"])
    assert pq.read_table(members).num_rows == len(store.read("household_members"))
    # unordered (the out-of-core build, issue 24): the same rows, without the sort
    unordered = pq.read_table(store.copy_current("household", tmp_path / "u.parquet", ["_status", "has_internet"],
                                                 ordered=False)).to_pandas()
    keys = ["_response_id", "_revision"]
    assert unordered.sort_values(keys).reset_index(drop=True).equals(copy.sort_values(keys).reset_index(drop=True))
    assert store.copy_current("agency", tmp_path / "a.parquet") is None
