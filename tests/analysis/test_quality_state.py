"""analysis.monitoring.quality_state: the monitor's checks brought up to date equal a full run.

The questionnaire and the crafted interviews of tests/survey/test_quality.py; between the
calls the store gets new submissions (a straightliner, a copy of a household), revisions
(one that leaves questions unanswered, one that ends a straightline) and review decisions
(rejecting the original of a copy, approving one). Each time the kept results give the
same records, durations and flags, in every language, as survey.fieldwork.quality.checked
on a fresh store, and only the responses that changed are checked one by one again.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis.monitoring import quality_state
from survey import ResponseStore
from survey.fieldwork import quality
from tests.survey.test_quality import CASES, FORM, clean


@pytest.fixture
def store(tmp_path):
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "qc.yaml").write_text(FORM, encoding="utf-8")
    store = ResponseStore(tmp_path / "data", instruments_dir=tmp_path / "instruments", audit=False)
    now = dt.datetime.now(dt.timezone.utc)
    for i in range(12):
        store.submit("qc", clean(i), enumerator=f"enum{i % 3}", response_id=f"clean-{i}",
                     started_at=now - dt.timedelta(minutes=30 + i))
    for rid, (answers, length) in CASES.items():
        store.submit("qc", answers, enumerator="enum9", response_id=rid, started_at=now - dt.timedelta(minutes=length))
    quality_state.forget()
    yield store
    quality_state.forget()


def same_as_full(store: ResponseStore) -> None:
    fresh = ResponseStore(store.root, instruments_dir=store.instruments_dir, audit=False)
    for lang in ("en", "id"):
        kept = quality_state.checked(store, "qc", lang)
        full = quality.checked(fresh, "qc", lang)
        for mine, theirs in zip(kept, full):
            pd.testing.assert_frame_equal(mine, theirs, check_exact=True)
        ids = kept[0]["_response_id"]   # the durations are those of every revision, sorted (quality.durations)
        pd.testing.assert_frame_equal(quality.aligned(kept[1], ids), quality.aligned(quality.durations(fresh, "qc"), ids),
                                      check_exact=True)


def test_new_revised_and_reviewed_interviews_give_the_flags_of_a_full_run(store):
    same_as_full(store)
    memo = quality_state.memo_for(store, "qc")
    checked = memo.checked
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=33)
    store.submit("qc", {**clean(10), "name": "Gita Maharani", "q1": "5", "q2": "5", "q3": "5", "q4": "5"},
                 enumerator="enum1", response_id="new-straight", started_at=start)
    store.submit("qc", {**clean(11), "name": "Sri Rahayu", "village": "v1", "phone": None},
                 enumerator="enum2", response_id="new-copy", started_at=start)
    same_as_full(store)
    assert memo.checked - checked == 2 * 2   # only the two new interviews, in each language, were checked again
    store.revise("qc", "clean-4", {**CASES["missing"][0], "name": "Sri Rahayu"}, editor="sup1", note="asked again")
    store.revise("qc", "straight", {**CASES["straight"][0], "q2": "2"}, editor="sup1", note="fixed")
    store.set_status("qc", "clean-1", "rejected", editor="sup1", note="copy")
    store.set_status("qc", "clean-2", "approved", editor="sup1")
    same_as_full(store)
    flags = quality_state.checked(store, "qc", "en")[2]
    found = set(zip(flags["_response_id"], flags["flag"]))
    assert ("clean-4", "many_missing") in found and ("straight", "straightlining") not in found
    assert ("new-straight", "straightlining") in found and ("new-copy", "duplicate_household") in found


def test_duplicate_groups_are_kept_and_follow_review_decisions(store):
    """The duplicate check keeps each group of repeated answers' flags (survey.fieldwork.quality_checks
    .duplicates' memo): a rejection changes the group's key, so its flags are worked out again."""
    same_as_full(store)
    memo = quality_state.memo_for(store, "qc")
    groups = memo.kept(memo._sets[-1][0]).groups   # the last language's set: "id"

    def fields(key: str) -> list:   # a group's key is one text (no tuples for the garbage collector)
        lang, what, ids, counted, phones = key.split("\x1e")
        return [lang, what, ids.split("\x1f"), counted, phones]

    assert groups and all(fields(key)[0] == "id" for key in groups)
    before = set(groups)
    original = next(rid for key in groups for rid in fields(key)[2] if rid.startswith("clean-"))
    store.set_status("qc", original, "rejected", editor="sup1", note="copy")
    same_as_full(store)
    after = set(memo.kept(memo._sets[-1][0]).groups)
    assert after != before and all(original in fields(key)[2] for key in after - before)


def test_the_memos_look_up_of_ids_equals_a_hashed_one_appended_or_not():
    """Issue 22, section 3: ids that continue the last call's (new interviews come last) are looked up
    by one comparison; any other order by hashing: the positions of pandas' get_indexer either way."""
    import pyarrow as pa

    from survey.fieldwork.quality_rows import _positions

    known = ["a", "b", "c", "d"]
    for ids in (["a", "b", "c", "d", "e", "f"], known, ["b", "a", "c", "d", "e"], ["a", "b", "c"], ["x"], [],
                ["a", "b", "x", "d", "c"]):
        for kept in (known, []):
            got = _positions(pa.array(kept, type=pa.string()), pa.array(ids, type=pa.string()))
            assert got.tolist() == pd.Index(kept, dtype=object).get_indexer(ids).tolist(), (kept, ids)
