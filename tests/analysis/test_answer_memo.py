"""analysis.dataset.answer_memo: a Dataset built after submissions, revisions and review decisions,
coding only the rows the last build had not coded, equals a Dataset built from nothing (issue 22,
section 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.dataset import answer_memo
from analysis.dataset.answer_columns import tidy
from analysis.dataset.dataset import build_dataset, load_dataset, read_inputs
from survey import ResponseStore
from survey.simulate import generate
from tests.support.analysis_store import copy_to


@pytest.fixture
def store(analysis_store, tmp_path):
    answer_memo.forget()
    yield ResponseStore(copy_to(analysis_store, tmp_path / "store"), audit=False)
    answer_memo.forget()


@pytest.fixture
def coded_rows(monkeypatch):
    """How many rows of each table each build coded."""
    seen = []
    real = answer_memo.coded

    def spy(df, questions):
        seen.append(len(df))
        return real(df, questions)

    monkeypatch.setattr(answer_memo, "coded", spy)
    return seen


def full(store, lang):
    inputs = read_inputs(ResponseStore(store.root, audit=False), "household")
    return build_dataset(store.instrument("household"), inputs.tables, inputs.frame, inputs.population,
                         inputs.counts, lang=lang)


def assert_same(mine, theirs):
    assert list(mine.tables) == list(theirs.tables)
    for name, table in mine.tables.items():
        other = theirs.tables[name]
        pd.testing.assert_frame_equal(table.frame, other.frame, check_exact=True)
        assert {k: (v.kind, v.columns, v.choices) for k, v in table.variables.items()} == \
            {k: (v.kind, v.columns, v.choices) for k, v in other.variables.items()}
        np.testing.assert_array_equal(table.household, other.household, strict=True)
        if table.design is not None:
            np.testing.assert_array_equal(table.design.weights, other.design.weights, strict=True)
            assert table.design.degf == other.design.degf and table.design.columns == other.design.columns
    assert mine.provenance.rows == theirs.provenance.rows and mine.provenance.excluded == theirs.provenance.excluded
    if theirs.nonresponse is None:
        assert mine.nonresponse is None
    else:
        pd.testing.assert_frame_equal(mine.nonresponse, theirs.nonresponse, check_exact=True)


def test_a_build_after_changes_codes_only_them_and_equals_a_full_build(store, coded_rows):
    for lang in ("en", "id"):
        assert_same(load_dataset(store, "household", lang=lang), full(store, lang))
    main = store.read("household")
    members = store.read("household_members")
    coded_rows.clear()
    new = generate("household", 2, seed=5)
    for i, answers in enumerate(new):
        store.submit("household", answers, enumerator="enum01", response_id=f"new-{i}")
    revised = main["_response_id"].iloc[3]
    store.revise("household", revised, new[0], editor="sup1", note="asked again")
    store.set_status("household", main["_response_id"].iloc[5], "rejected", editor="sup1", note="copy")
    store.set_status("household", main["_response_id"].iloc[7], "approved", editor="sup1")
    mine = load_dataset(store, "household", lang="id")
    # coded again: the two new, the revised and the approved household (the rejected one is left
    # out of the analysis), and their members
    approved = int((members["_response_id"] == main["_response_id"].iloc[7]).sum())
    assert coded_rows == [4, 2 * len(new[0]["members"]) + len(new[1]["members"]) + approved]
    assert_same(mine, full(store, "id"))
    assert_same(load_dataset(store, "household", lang="en"), full(store, "en"))


def test_values_outside_the_choices_come_and_go_as_in_a_full_coding(store):
    inst = store.instrument("household")
    questions = [q for q in inst.questions if not q.kind.is_repeat]
    df = store.read("household").head(40).reset_index(drop=True)
    single = next(q.name for q in questions if q.kind.analysis_kind == "categorical" and not q.kind.computed)
    multiple = next(q.name for q in questions if q.kind.analysis_kind == "multiple")
    key = ("memo-test", inst.id)

    def check(frame):
        mine = answer_memo.tidy(frame, questions, "en", key)
        theirs = tidy(frame, questions, "en")
        pd.testing.assert_frame_equal(mine[0], theirs[0], check_exact=True)
        assert {k: v.choices for k, v in mine[1].items()} == {k: v.choices for k, v in theirs[1].items()}
        return mine

    first = df.copy()
    first.loc[2, single] = "zz_old_choice"
    first.loc[4, multiple] = ["zz_old", "aa_old"]
    made = check(first)
    assert made[1][single].choices[-1] == "zz_old_choice" and "aa_old" in made[1][multiple].choices
    second = first.copy()   # row 2 revised back to a choice, row 6 revised to another old value, a row added
    second.loc[2, single] = df.loc[0, single]
    second.loc[6, single] = "aa_old_choice"
    second.loc[[2, 6], "_revision"] = second.loc[[2, 6], "_revision"] + 1
    second = pd.concat([second, df.iloc[[9]].assign(_response_id="added")], ignore_index=True)
    made = check(second)
    assert "zz_old_choice" not in made[1][single].choices and made[1][single].choices[-1] == "aa_old_choice"
    third = second.drop(index=4).reset_index(drop=True)   # the household with the old choices goes
    made = check(third)
    assert "aa_old" not in made[1][multiple].choices


def test_another_store_object_codes_every_row(store, coded_rows):
    load_dataset(store, "household", lang="en")
    other = ResponseStore(store.root, audit=False)   # its own questionnaire objects: nothing is reused
    coded_rows.clear()
    mine = load_dataset(other, "household", lang="en")
    assert coded_rows == [mine.provenance.responses, len(mine.tables["household_members"].frame)]
    assert_same(mine, full(store, "en"))
