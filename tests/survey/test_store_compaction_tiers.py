"""Background compaction after submits merges parts of comparable sizes only (issue 22, section 3,
submits): a big part is not written again every few submissions, and the pairs of a part it
writes are known at once, so that the next submits need not read the part."""

from __future__ import annotations

import pandas as pd

from survey import ResponseStore
from survey.simulate import generate


def parts(store: ResponseStore, table: str) -> set[str]:
    return {p.name for p in store.table_folder(table).glob("part-*.parquet")}


def test_a_big_part_stays_while_a_few_submissions_are_compacted_beside_it(tmp_path):
    answers = generate("household", 46, seed=4)
    store = ResponseStore(tmp_path, audit=False, compact_threshold=10**6)
    for i in range(40):
        store.submit("household", answers[i], enumerator="enum01", response_id=f"h-{i:02d}")
    store.compact()
    big = {table: parts(store, table) for table in ("household", "household_members")}
    assert all(len(names) == 1 for names in big.values())
    store.compact_threshold = 2     # the background compaction runs after the next submits
    for i in range(40, 46):
        store.submit("household", answers[i], enumerator="enum01", response_id=f"h-{i:02d}")
    assert store.wait_for_compaction(60)
    for table, names in big.items():
        now = parts(store, table)
        assert names < now, table    # the big part is still there, beside the newer ones
    main = store.table_folder("household")
    assert store._part_keys.known([str(main / name) for name in parts(store, "household")])
    kept = ResponseStore(tmp_path, audit=False).read("household_members")
    store.compact()                  # an explicit compaction merges every small part, as before
    assert all(len(parts(store, table)) == 1 for table in big)
    pd.testing.assert_frame_equal(ResponseStore(tmp_path, audit=False).read("household_members"), kept)
    assert sorted(store.read("household")["_response_id"]) == [f"h-{i:02d}" for i in range(46)]
