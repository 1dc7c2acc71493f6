"""survey.store.part_keys: a submit reads no part that cannot hold its (response, revision).

The check for an earlier copy (survey.store.commit) still finds one in a part: a submission
whose small file was compacted away and that is sent again is the original, once.
"""

from __future__ import annotations

import time

import survey.store.commit as commit
from survey import ResponseStore
from survey.simulate import generate


def test_a_new_submission_reads_no_part_and_a_compacted_one_is_still_found(tmp_path, monkeypatch):
    answers = generate("household", 6, seed=3)
    store = ResponseStore(tmp_path, audit=False)
    for i in range(5):
        store.submit("household", answers[i], enumerator="enum01", response_id=f"h-{i}")
    store.compact()
    store.submit("household", answers[5], enumerator="enum01", response_id="h-5")   # the parts are read aside
    parts = [str(p) for p in (tmp_path / "responses" / "household").glob("part-*.parquet")]
    for _ in range(500):
        if store._part_keys.known(parts):
            break
        time.sleep(0.01)
    read = []
    real = commit.query

    def spied(responses, build, tables, *args, **kwargs):
        def built(listings):
            out = build(listings)
            if out is not None:
                read.extend(out[1]["files"])
            return out
        return real(responses, built, tables, *args, **kwargs)

    monkeypatch.setattr(commit, "query", spied)
    store.submit("household", answers[0], enumerator="enum01", response_id="h-6")
    assert not [f for f in read if "part-" in f]
    again = store.submit("household", answers[2], enumerator="enum01", response_id="h-2")   # stored in a part
    assert again.duplicate and any("part-" in f for f in read)
    assert list(store.read("household")["_response_id"]).count("h-2") == 1


def test_a_new_submission_lists_only_the_parts_when_none_can_hold_it(tmp_path, monkeypatch):
    answers = generate("household", 4, seed=6)
    store = ResponseStore(tmp_path, audit=False)
    for i in range(3):
        store.submit("household", answers[i], enumerator="enum01", response_id=f"h-{i}")
    store.compact()   # the compaction reads its new part's pairs
    queried = []
    real = commit.query
    monkeypatch.setattr(commit, "query", lambda *a, **k: queried.append(a) or real(*a, **k))
    store.submit("household", answers[3], enumerator="enum01", response_id="h-3")
    assert queried == []   # no reader's listing (markers, journal), no DuckDB
    again = store.submit("household", answers[1], enumerator="enum01", response_id="h-1")
    assert again.duplicate and queried
