"""survey.store.revisions: who stored each revision, when, and which answers it changed (old -> new)."""

import pandas as pd
import pytest

from survey import ResponseStore, UnknownResponse
from survey.simulate import generate
from survey.store.revisions import Change, response_rows, revisions
from survey.store.stored_answers import stored_answers

HOUSEHOLD = generate("household", 1, seed=21)[0]


def test_each_revision_lists_the_answers_it_changed(tmp_path):
    store = ResponseStore(tmp_path)
    inst = store.instrument("household")
    store.submit("household", HOUSEHOLD, enumerator="enum01", response_id="h-1")
    store.set_status("household", "h-1", "rejected", editor="sup1", note="check the RT", base_revision=1)
    fixed = {**HOUSEHOLD, "rt": HOUSEHOLD["rt"] % 12 + 1,
             "members": [{**HOUSEHOLD["members"][0], "age": HOUSEHOLD["members"][0]["age"] + 1},
                         *HOUSEHOLD["members"][1:]]}
    store.revise("household", "h-1", fixed, editor="enum01", base_revision=2, status="submitted")
    history = revisions(store, inst, "h-1")
    assert [(r.revision, r.editor, r.status, r.note) for r in history] == [
        (1, "enum01", "submitted", None), (2, "sup1", "rejected", "check the RT"), (3, "enum01", "submitted", None)]
    assert history[0].changes == () and history[1].changes == ()   # a decision changes no answer
    changes = {(c.question, c.member): c for c in history[2].changes}
    assert changes[("rt", None)] == Change("rt", None, None, HOUSEHOLD["rt"], fixed["rt"])
    age = changes[("age", 0)]
    assert (age.repeat, age.old, age.new) == ("members", HOUSEHOLD["members"][0]["age"],
                                              HOUSEHOLD["members"][0]["age"] + 1)
    assert history[2].submitted_at > history[1].submitted_at > history[0].submitted_at


def test_one_read_of_the_rows_gives_what_the_separate_reads_give(tmp_path):
    # the review page reads a response's rows once for its answers and its revisions: the current
    # roster is then the rows of the latest revision, picked from every revision's rows
    store = ResponseStore(tmp_path)
    inst = store.instrument("household")
    other = generate("household", 1, seed=22)[0]
    store.submit("household", HOUSEHOLD, enumerator="enum01", response_id="h-1")
    store.submit("household", other, enumerator="enum02", response_id="h-2")
    kept = HOUSEHOLD["members"][:3]   # a member removed, another's age changed
    fewer = {**HOUSEHOLD, "hh_size": 3, "members": [{**kept[0], "age": kept[0]["age"] + 2}, *kept[1:]]}
    store.revise("household", "h-1", fewer, editor="sup1", base_revision=1)
    store.set_status("household", "h-1", "on_hold", editor="sup1", note="wait", base_revision=2)
    every = store.read("household", history=True)   # the main rows picked from the read of every revision
    for rid in ("h-1", "h-2"):
        for rows in (response_rows(store, inst, rid), response_rows(store, inst, rid, every)):
            pd.testing.assert_frame_equal(rows.history, store.history("household", rid))
            assert stored_answers(store, inst, rid, rows) == stored_answers(store, inst, rid)
            assert revisions(store, inst, rid, rows) == revisions(store, inst, rid)
    with pytest.raises(UnknownResponse):
        response_rows(store, inst, "h-3", every)
    current = stored_answers(store, inst, "h-1", response_rows(store, inst, "h-1"))
    assert current.revision == 3 and [m["age"] for m in current.answers["members"]] == [m["age"] for m in
                                                                                         fewer["members"]]


def test_an_unknown_response(tmp_path):
    store = ResponseStore(tmp_path)
    with pytest.raises(UnknownResponse):
        revisions(store, store.instrument("household"), "nope")
