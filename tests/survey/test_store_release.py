"""A store let go of is freed at once, with the reads it keeps (issue 22, section 3): its
quarantine and compaction call it back weakly, so no reference cycle waits for the garbage
collector (a benchmark's next read of a million households faulted in GBs of fresh memory
while the last store's frames were still held). A requested compaction still runs first."""

from __future__ import annotations

import gc
import threading
import weakref

import survey.store.response_store as response_store
from tests.survey.test_store_markers import fill, make_store, small_files


def _freed_without_gc(make) -> bool:
    gc.collect()
    gc.disable()
    try:
        ref = make()
        return ref() is None
    finally:
        gc.enable()


def test_a_store_and_its_kept_read_go_when_dropped(tmp_path):
    fill(make_store(tmp_path), range(3))

    def make():
        store = make_store(tmp_path)
        frame = store.read("hh")
        assert len(frame) == 3
        return weakref.ref(store)
    assert _freed_without_gc(make)


def test_a_dropped_store_still_runs_its_requested_compaction(tmp_path, monkeypatch):
    started, go = threading.Event(), threading.Event()
    real = response_store.compact_table

    def compaction(*args, **kwargs):
        started.set()
        go.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(response_store, "compact_table", compaction)

    def make():
        store = make_store(tmp_path, compact_threshold=0)
        fill(store, [1])
        return weakref.ref(store), store._compactor
    gc.collect()
    gc.disable()
    try:
        ref, compactor = make()
        assert started.wait(10)
        assert ref() is not None   # kept while its compaction is pending
        go.set()
        assert compactor.wait(60)
    finally:
        gc.enable()
    assert small_files(make_store(tmp_path), "hh") == []
