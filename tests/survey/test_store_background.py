"""Compaction after the acknowledgement (issue 19, item 12): a submit never waits for a merge,
and a caller can wait for the background compaction deterministically."""

from __future__ import annotations

import threading

import survey.store.response_store as response_store
from tests.survey.test_store_markers import fill, make_store, small_files


def test_a_submit_is_acknowledged_before_its_compaction_runs(tmp_path, monkeypatch):
    store = make_store(tmp_path, compact_threshold=0)  # every submit asks for a compaction
    acknowledged, seen = threading.Event(), []
    real = response_store.compact_table

    def compaction(*args, **kwargs):
        seen.append(acknowledged.wait(5))  # inside submit() this times out: the submit was waiting for us
        return real(*args, **kwargs)

    monkeypatch.setattr(response_store, "compact_table", compaction)
    fill(store, [1])
    acknowledged.set()
    assert store.wait_for_compaction(60)
    assert seen and all(seen)
    assert small_files(store, "hh") == [] and small_files(store, "hh_members") == []
    assert store.read("hh")["_response_id"].tolist() == ["r1"] and store.count("hh_members") == 2


def test_background_compaction_keeps_every_row_once(tmp_path):
    store = make_store(tmp_path, compact_threshold=2)
    fill(store, range(30))
    assert store.wait_for_compaction(60)
    assert len(small_files(store, "hh")) <= 2
    assert sorted(store.read("hh")["_response_id"]) == sorted(f"r{i}" for i in range(30))
    assert store.count("hh_members") == sum(i % 3 + 1 for i in range(30))
