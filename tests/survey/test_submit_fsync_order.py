"""What a durable submit makes durable, and in which order (issue 22, section 3, submits).

Every file is written, then every file fsynced (the later fsyncs find the data written by the
first), each before its name is linked; the roster's folder is fsynced before the household's
file is linked (the commit point), and the household's folder before submit() returns.
"""

from __future__ import annotations

import os

import survey.store.commit as commit
from survey import ResponseStore
from survey.simulate import generate


def test_each_file_and_name_is_durable_before_the_next_step(tmp_path, monkeypatch):
    answers = next(a for a in generate("household", 20, seed=2) if a.get("members"))
    store = ResponseStore(tmp_path, audit=False, compact_threshold=10**6)
    store.submit("household", answers, enumerator="enum01", response_id="warm")   # folders made
    events: list[tuple[str, str]] = []
    real_write, real_fsync, real_dir, real_link = (commit.write_parquet_temp, commit.fsync_file,
                                                   commit.fsync_dir, os.link)

    def write(folder, table, **kwargs):
        path, stat = real_write(folder, table, **kwargs)
        events.append(("write" if kwargs.get("sync") is False else "write+fsync", path.parent.name))
        return path, stat

    monkeypatch.setattr(commit, "write_parquet_temp", write)
    monkeypatch.setattr(commit, "fsync_file", lambda path: (real_fsync(path), events.append(("fsync", path.parent.name))))
    monkeypatch.setattr(commit, "fsync_dir", lambda folder: (real_dir(folder), events.append(("fsync dir", folder.name))))
    monkeypatch.setattr(commit.os, "link", lambda a, b: (real_link(a, b), events.append(("link", os.path.basename(os.path.dirname(b))))))
    receipt = store.submit("household", answers, enumerator="enum01", response_id="h-1")
    assert not receipt.duplicate
    assert events == [
        ("write", "household_members"), ("write", "household"),
        ("fsync", "household_members"), ("fsync", "household"),
        ("link", "household_members"), ("fsync dir", "household_members"),
        ("link", "household"), ("fsync dir", "household"),
    ]
