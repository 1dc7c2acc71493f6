"""A whole read straight from the files (survey.store.arrow_read) gives what DuckDB's read gives,
and compaction stores parts in the read's order so that a read needs no sort (issue 22, section 3)."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from survey import ResponseStore
from survey.simulate import generate
from survey.store import arrow_read
from survey.store import response_store as response_store_module
from survey.store.frames import sorted_frame, sorted_rows, to_pandas
from survey.store.read_cache import MAIN_ORDER, REPEAT_ORDER

TABLES = [("household", False), ("household", True), ("household_members", False), ("household_members", True)]
UTC = dt.timezone.utc


def through_duckdb(root, monkeypatch) -> dict:
    with monkeypatch.context() as patch:
        def unusual(*args, **kwargs):
            raise arrow_read.Unusual("forced")
        patch.setattr(arrow_read, "whole", unusual)
        store = ResponseStore(root, audit=False)
        return {key: store.read(key[0], history=key[1]) for key in TABLES}


def straight(root, monkeypatch) -> dict:
    with monkeypatch.context() as patch:
        def no_duckdb(*args, **kwargs):
            raise AssertionError("a whole read of usual files went through DuckDB")
        patch.setattr(response_store_module, "main_rows", no_duckdb)
        patch.setattr(response_store_module, "repeat_rows", no_duckdb)
        store = ResponseStore(root, audit=False)
        return {key: store.read(key[0], history=key[1]) for key in TABLES}


def same(root, monkeypatch) -> None:
    fast, slow = straight(root, monkeypatch), through_duckdb(root, monkeypatch)
    for key in TABLES:
        pd.testing.assert_frame_equal(fast[key], slow[key], check_exact=True)
        assert len(fast[key]) > 0


def test_a_whole_read_without_duckdb_gives_duckdbs_rows(tmp_path, monkeypatch):
    answers = generate("household", 30, seed=5)
    store = ResponseStore(tmp_path, audit=False, compact_threshold=10_000)
    for i in range(12):
        store.submit("household", answers[i], enumerator="enum01", response_id=f"h-{i:02d}")
    same(tmp_path, monkeypatch)                       # small files only
    store.submit("household", answers[12], enumerator="enum03", response_id="a-late",
                 started_at=dt.datetime(2024, 1, 2, 8, tzinfo=UTC), submitted_at=dt.datetime(2024, 1, 2, 9, tzinfo=UTC))
    with_members = next(i for i in range(12) if len(answers[i].get("members") or []) > 1)
    fewer = {**answers[with_members], "members": answers[with_members]["members"][:1], "hh_size": 1}
    store.revise("household", f"h-{with_members:02d}", fewer, editor="sup1", note="one member")
    store.set_status("household", "h-05", "approved", editor="sup1")
    same(tmp_path, monkeypatch)                       # revisions: the current one of each
    store.compact()
    for i in range(13, 20):
        store.submit("household", answers[i], enumerator="enum02", response_id=f"h-{i:02d}")
    store.set_status("household", "h-07", "rejected", editor="sup1", note="check")
    same(tmp_path, monkeypatch)                       # parts and newer small files
    store.compact()
    same(tmp_path, monkeypatch)


def test_compaction_stores_rows_in_the_order_a_read_returns_them(tmp_path):
    answers = generate("household", 12, seed=8)
    store = ResponseStore(tmp_path, audit=False, compact_threshold=10_000)
    for i in range(12):   # ids in one order, submission times in the other
        at = dt.datetime(2024, 3, 1, tzinfo=UTC) + dt.timedelta(hours=12 - i)
        store.submit("household", answers[i], enumerator="enum01", response_id=f"h-{i:02d}",
                     started_at=at - dt.timedelta(minutes=40), submitted_at=at)
    store.compact()
    for table, order in (("household", MAIN_ORDER), ("household_members", REPEAT_ORDER)):
        parts = list(store.table_folder(table).glob("part-*.parquet"))
        assert len(parts) == 1
        stored = pq.read_table(parts[0])
        assert stored.num_rows > 1
        assert sorted_rows(stored, order) is stored   # found in order: nothing to sort


@pytest.mark.parametrize("runs", [1, 3, 40])
def test_sorted_runs_are_put_in_order_as_a_sort_would(runs):
    n = 200
    keys = [(i % runs) * 1000 + i // runs for i in range(n)]   # `runs` interleaved sorted runs
    table = pa.table({"k": keys, "v": [str(k) for k in keys]})
    got = sorted_rows(table, ["k"])
    assert got.column("k").to_pylist() == sorted(keys)
    assert got.column("v").to_pylist() == [str(k) for k in sorted(keys)]
    assert (got is table) == (runs == 1)


@pytest.mark.parametrize("runs", [1, 3, 2000])
def test_a_frame_sorted_after_the_conversion_is_the_frame_of_the_sorted_rows(runs):
    n = 4000
    keys = [(i % runs) * 10_000 + i // runs for i in range(n)]   # 2000 runs: more than slices are used for
    table = pa.table({"k": pa.array(keys, pa.int32()), "s": [None if k % 7 == 0 else f"v{k % 13}" for k in keys],
                      "l": [None if k % 5 == 0 else [f"c{k % 3}", "d"][: k % 3] for k in keys]})
    expected = to_pandas(sorted_rows(table, ["k"]))
    got = sorted_frame(table, ["k"])
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got["k"].tolist() == sorted(keys)


@pytest.mark.parametrize("seed", range(6))
def test_which_roster_rows_have_their_household_is_what_is_in_says(seed, monkeypatch):
    # _among looks each id up once by a binary search among the sorted heads (or compares them one
    # for one) instead of hashing every head; it must say exactly what pc.is_in says, sorted or not
    monkeypatch.setattr(arrow_read, "SEARCH_FROM", 0)   # from the first household, as past 500,000
    rng = random.Random(seed)
    for _ in range(300):
        pool = [f"r{rng.randrange(30):02d}" for _ in range(rng.randrange(0, 12))]
        heads = pa.chunked_array([pool[:3], pool[3:]], pa.string())
        ids = sorted(rng.choice(pool + ["a", "x", "r99"]) for _ in range(rng.randrange(0, 15))) if pool else []
        if rng.random() < 0.2:
            rng.shuffle(ids)
        cut = rng.randrange(0, len(ids) + 1)
        rids = pa.chunked_array([ids[:cut], ids[cut:]], pa.string())
        expected = pc.is_in(rids, value_set=heads).to_numpy(zero_copy_only=False)
        got = arrow_read._among(rids, heads)
        assert got.dtype == bool and got.tolist() == expected.tolist(), (ids, pool)
    every = pa.chunked_array([[f"h{i}" for i in range(9, -1, -1)]], pa.string())   # one for one: the usual case
    members = pa.chunked_array([[f"h{i}" for i in range(10) for _ in range(i % 3 + 1)]], pa.string())
    assert arrow_read._among(members, every).all()
