"""survey.store.durable.fsync_dir: threads waiting on one folder share an fsync (group commit),
and none returns before an fsync that started after its call has finished (issue 22, section 3)."""

from __future__ import annotations

import os
import threading
import time

import survey.store.durable as durable


def wait_until(condition, seconds: float = 30.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end
        time.sleep(0.005)


def test_waiting_writers_share_a_folder_fsync_that_started_after_they_came(tmp_path, monkeypatch):
    syncs: list[tuple[int, int]] = []   # (step when it started, step when it ended)
    steps = iter(range(10**6))
    gate = threading.Event()
    real = durable.os.fsync

    def held_fsync(fd):
        start = next(steps)
        gate.wait(30)   # the first fsync lasts until every other writer is waiting
        real(fd)
        syncs.append((start, next(steps)))

    monkeypatch.setattr(durable.os, "fsync", held_fsync)
    calls: list[tuple[int, int]] = []

    def writer():
        came = next(steps)
        durable.fsync_dir(tmp_path)
        calls.append((came, next(steps)))

    first = threading.Thread(target=writer)
    first.start()
    wait_until(lambda: os.fspath(tmp_path) in durable._dir_syncs and durable._dir_syncs[os.fspath(tmp_path)].running)
    others = [threading.Thread(target=writer) for _ in range(5)]
    for thread in others:
        thread.start()
    syncs_of = durable._dir_syncs[os.fspath(tmp_path)]
    wait_until(lambda: len(syncs_of.cond._waiters) == 5)
    gate.set()
    for thread in [first, *others]:
        thread.join()
    assert len(syncs) == 2   # one each would be 6
    for came, left in calls:
        assert any(start > came and end < left for start, end in syncs)
