"""A compaction rewrites once the parts not stored in the read's order (a bulk load's, or parts
written before compaction kept that order), so that an existing store's reads need no sort
(issue 22, section 3, reading the store)."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq

from survey import ResponseStore
from survey.simulate import generate
from survey.simulate import main as simulate
from survey.store.compaction import ORDER_FLAG, merge
from survey.store.frames import sorted_rows
from survey.store.layout import JOURNAL
from survey.store.read_cache import MAIN_ORDER, REPEAT_ORDER

TABLES = {"household": MAIN_ORDER, "household_members": REPEAT_ORDER}


def parts(store: ResponseStore, table: str) -> list:
    return sorted(store.table_folder(table).glob("part-*.parquet"))


def bulk_store(root, households: int, chunk: int, monkeypatch) -> ResponseStore:
    """A store of a bulk load: parts written straight with pyarrow, in no order, without the flag."""
    import survey.simulate.bulk as bulk
    monkeypatch.setattr(bulk, "CHUNK", chunk)
    simulate(["--households", str(households), "--civil-servants", "2", "--agencies", "2", "--seed", "3",
              "--bulk", "--out", str(root)])
    return ResponseStore(root, audit=False)


def in_order(store: ResponseStore) -> None:
    for table, order in TABLES.items():
        found = parts(store, table)
        assert len(found) == 1, table
        stored = pq.read_table(found[0])
        assert pq.read_metadata(found[0]).metadata[ORDER_FLAG]
        assert sorted_rows(stored, order) is stored, table    # found in order: nothing to sort


def test_an_explicit_compaction_rewrites_a_part_in_no_order_once(tmp_path, monkeypatch):
    store = bulk_store(tmp_path, 60, 60, monkeypatch)      # one part per table, rows in no order
    before = {table: parts(store, table) for table in TABLES}
    assert all(len(found) == 1 for found in before.values())
    assert sorted_rows(pq.read_table(before["household"][0]), MAIN_ORDER) is not pq.read_table(before["household"][0])
    read = {table: ResponseStore(tmp_path, audit=False).read(table) for table in TABLES}
    done = store.compact()
    assert done["household"] == 1 and done["household_members"] == 1
    in_order(store)
    assert all(parts(store, table) != before[table] for table in TABLES)
    for table in TABLES:   # the same rows, dtypes and order
        pd.testing.assert_frame_equal(ResponseStore(tmp_path, audit=False).read(table), read[table], check_exact=True)
    again = {table: parts(store, table) for table in TABLES}
    assert store.compact()["household"] == 0                # once: a part in order stays
    assert {table: parts(store, table) for table in TABLES} == again


def test_the_background_compaction_rewrites_big_parts_in_no_order(tmp_path, monkeypatch):
    bulk_store(tmp_path, 40, 20, monkeypatch)              # two parts per table, neither in order
    store = ResponseStore(tmp_path, audit=False, compact_threshold=0, part_bytes=1)  # every part is "big"
    read = {table: store.read(table) for table in TABLES}
    store.submit("household", generate("household", 1, seed=11)[0], enumerator="enum01", response_id="new-1")
    assert store.wait_for_compaction(60)                   # the compaction that submit asked for
    in_order(store)
    for table in TABLES:   # the rows read before, and the new household's
        now = ResponseStore(tmp_path, audit=False).read(table)
        pd.testing.assert_frame_equal(now[now["_response_id"] != "new-1"].reset_index(drop=True), read[table],
                                      check_exact=True)
    assert "new-1" in set(now["_response_id"])


def test_a_rewrite_interrupted_after_its_part_is_published_reads_each_row_once_and_is_finished(tmp_path, monkeypatch):
    store = bulk_store(tmp_path, 30, 30, monkeypatch)
    read = {table: ResponseStore(tmp_path, audit=False).read(table) for table in TABLES}
    keys = {"household": "_response_id, _revision", "household_members": "_response_id, _revision, _member_index"}
    for table, key in keys.items():   # a crash after the ordered part is published, before the old one goes
        old = parts(store, table)[0]
        merge(store.table_folder(table), [old.name], key)
        assert len(parts(store, table)) == 2 and (store.table_folder(table) / JOURNAL).exists()
    for table in TABLES:   # the journal says the new part replaces the old one: no row twice
        pd.testing.assert_frame_equal(ResponseStore(tmp_path, audit=False).read(table), read[table], check_exact=True)
    store.compact()        # finishes it: the old part goes, the ordered one stays
    in_order(store)
    assert not any((store.table_folder(table) / JOURNAL).exists() for table in TABLES)
    for table in TABLES:
        pd.testing.assert_frame_equal(ResponseStore(tmp_path, audit=False).read(table), read[table], check_exact=True)
