"""survey.store.read_cache: a store that reads a table again gives what a fresh read gives.

One store keeps its reads and brings them up to date with what changed; a second store on
the same folder, made anew for every check, reads everything from the files.  Between
the checks: new submissions (some submitted earlier than the last one), revisions that
change the roster, review decisions, a compaction and a quarantined file.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from survey import ResponseStore
from survey.simulate import generate

TABLES = [("household", False), ("household", True), ("household_members", False), ("household_members", True)]


def same_as_fresh(store: ResponseStore) -> None:
    fresh = ResponseStore(store.root, audit=False)
    for table, history in TABLES:
        kept, whole = store.read(table, history=history), fresh.read(table, history=history)
        pd.testing.assert_frame_equal(kept, whole, check_exact=True)


@pytest.fixture
def answers():
    return generate("household", 40, seed=11)


def test_each_change_is_read_as_a_fresh_store_reads_it(tmp_path, answers):
    store = ResponseStore(tmp_path, audit=False, compact_threshold=10_000)
    for i in range(20):
        store.submit("household", answers[i], enumerator="enum01", response_id=f"h-{i:02d}")
    same_as_fresh(store)
    for i in range(20, 24):   # new interviews
        store.submit("household", answers[i], enumerator="enum02", response_id=f"h-{i:02d}")
    same_as_fresh(store)
    # one sent late: its submission time is before the others' (it goes into the middle)
    store.submit("household", answers[24], enumerator="enum03", response_id="a-late",
                 started_at=dt.datetime(2024, 1, 2, 8, tzinfo=dt.timezone.utc),
                 submitted_at=dt.datetime(2024, 1, 2, 9, tzinfo=dt.timezone.utc))
    same_as_fresh(store)
    # a correction with one member fewer, a review decision, a rejection corrected
    fewer = {**answers[3], "members": answers[3]["members"][:1], "hh_size": 1} \
        if "members" in answers[3] else answers[3]
    store.revise("household", "h-03", fewer, editor="sup1", note="one member")
    store.set_status("household", "h-05", "approved", editor="sup1")
    store.set_status("household", "h-07", "rejected", editor="sup1", note="check")
    same_as_fresh(store)
    store.revise("household", "h-07", answers[7], editor="enum01", status="submitted")
    store.submit("household", answers[25], enumerator="enum02", response_id="h-25")
    same_as_fresh(store)
    store.compact()                       # the same rows in other files
    same_as_fresh(store)
    store.submit("household", answers[26], enumerator="enum02", response_id="h-26")
    same_as_fresh(store)


def test_a_quarantined_file_leaves_the_kept_read(tmp_path, answers):
    store = ResponseStore(tmp_path, audit=False, compact_threshold=10_000)
    for i in range(5):
        store.submit("household", answers[i], enumerator="enum01", response_id=f"h-{i}")
    assert len(store.read("household")) == 5
    (tmp_path / "responses" / "household" / "h-2__r1.parquet").write_bytes(b"not parquet")
    store.submit("household", answers[5], enumerator="enum01", response_id="h-5")
    same_as_fresh(store)
    assert "h-2" not in set(store.read("household")["_response_id"])


def test_a_callers_change_stays_in_its_own_frame(tmp_path, answers):
    store = ResponseStore(tmp_path, audit=False)
    for i in range(3):
        store.submit("household", answers[i], enumerator="enum01", response_id=f"h-{i}")
    frame = store.read("household")
    frame.loc[0, "_enumerator"] = "someone else"
    frame["extra"] = 1
    again = store.read("household")
    assert "extra" not in again.columns and again.loc[0, "_enumerator"] == "enum01"


def test_after_a_compaction_only_the_new_interviews_are_read(tmp_path, answers, monkeypatch):
    import survey.store.response_store as response_store

    store = ResponseStore(tmp_path, audit=False, compact_threshold=10_000)
    for i in range(10):
        store.submit("household", answers[i], enumerator="enum01", response_id=f"h-{i:02d}")
    store.compact()
    for i in range(10, 14):
        store.submit("household", answers[i], enumerator="enum01", response_id=f"h-{i:02d}")
    for table, history in TABLES:
        store.read(table, history=history)
    whole = []
    for name in ("main_rows", "repeat_rows"):
        def counted(*args, _real=getattr(response_store, name), **kwargs):
            if kwargs.get("quarantine") is store.quarantine and kwargs.get("rids") is None \
                    and kwargs.get("rid") is None and not kwargs.get("count"):
                whole.append(args)
            return _real(*args, **kwargs)
        monkeypatch.setattr(response_store, name, counted)
    store.submit("household", answers[14], enumerator="enum01", response_id="h-14")
    store.compact()   # the small files and the first part merged into one part: the same rows
    store.set_status("household", "h-02", "approved", editor="sup1")
    same_as_fresh(store)
    assert whole == []


def test_a_roster_file_whose_household_is_not_stored_yet_leaves_the_read_empty(tmp_path):
    """A writer publishes the roster first and its household last: a read in between has no rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from survey.store.read_cache import REPEAT_ORDER, ReadCache

    folder = tmp_path / "members"
    folder.mkdir()
    empty = pd.DataFrame({"_response_id": pd.Series([], dtype="string"), "_revision": pd.Series([], dtype="Int64"),
                          "_member_index": pd.Series([], dtype="Int64")})
    cache = ReadCache()
    schema = pa.schema([("_response_id", pa.string()), ("_revision", pa.int64()), ("_member_index", pa.int64())])

    def read():
        return cache.read(("members", False), {"members": (folder, False)}, schema, REPEAT_ORDER,
                          lambda: empty, lambda ids: empty)

    assert read().empty
    pq.write_table(schema.empty_table(), folder / "r1__r1__t5.parquet")
    frame = read()
    assert frame.empty and list(frame.columns) == list(empty.columns)


def test_a_compaction_of_revisions_and_new_interviews_keeps_the_read_up_to_date(tmp_path, answers, monkeypatch):
    """After a tiered compaction merged new small files (a new interview, a revision, a review
    decision) into a new small part, the kept read looks only at that part's responses among its
    rows (issue 22, section 3: not a set of every row's pair) and still gives a fresh read's rows."""
    import survey.store.response_store as response_store

    store = ResponseStore(tmp_path, audit=False, compact_threshold=10_000)
    for i in range(12):
        store.submit("household", answers[i], enumerator="enum01", response_id=f"h-{i:02d}")
    store.compact()
    for table, history in TABLES:
        store.read(table, history=history)
    whole = []
    for name in ("main_rows", "repeat_rows"):
        def counted(*args, _real=getattr(response_store, name), **kwargs):
            if kwargs.get("quarantine") is store.quarantine and kwargs.get("rids") is None \
                    and kwargs.get("rid") is None and not kwargs.get("count"):
                whole.append(args)
            return _real(*args, **kwargs)
        monkeypatch.setattr(response_store, name, counted)
    real_whole = response_store.arrow_read.whole
    monkeypatch.setattr(response_store.arrow_read, "whole", lambda *a, **k: whole.append(a) or real_whole(*a, **k))
    store.submit("household", answers[20], enumerator="enum02", response_id="h-20")
    revised = next(i for i in range(12) if len(answers[i].get("members") or []) > 1)
    fewer = {**answers[revised], "members": answers[revised]["members"][:1], "hh_size": 1}
    store.revise("household", f"h-{revised:02d}", fewer, editor="sup1", note="one member")
    store.set_status("household", "h-03", "approved", editor="sup1")
    store.compact(tiered=True)   # the small files into a new small part beside the first
    for table, history in TABLES:
        store.read(table, history=history)
    assert whole == []   # brought up to date, not read whole
    same_as_fresh(store)
    store.submit("household", answers[21], enumerator="enum02", response_id="h-21")
    store.compact()
    same_as_fresh(store)
