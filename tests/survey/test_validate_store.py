"""validate() and submit() agree: what validate accepts is stored and read back unchanged,
everything else is a located ValidationError -- over every question type, with hypothesis."""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.questionnaire.model import instrument_from_yaml
from survey.questionnaire.problems import ValidationError
from survey.questionnaire.types import QUESTION_TYPES
from survey.questionnaire.validate import clean, validate
from survey.store.response_store import ResponseStore

FORM = """
id: every
version: 1
title: {id: Semua, en: Every}
choice_lists:
  colours:
    - {name: red, label: {id: Merah, en: Red}}
    - {name: "1", label: {id: Satu, en: One}}
    - {name: blue_green, label: {id: Biru, en: Blue}}
questions:
  - {name: intro, type: note, label: {id: Halo, en: Hello}}
  - {name: t, type: text, label: {id: T, en: T}}
  - {name: story, type: text, appearance: multiline, label: {id: Cerita, en: Story}}
  - {name: n, type: integer, label: {id: N, en: N}}
  - {name: age, type: integer, min: 0, max: 120, label: {id: Umur, en: Age}}
  - {name: x, type: decimal, label: {id: X, en: X}}
  - {name: colour, type: select_one, choices: colours, label: {id: Warna, en: Colour}}
  - {name: colours, type: select_multiple, choices: colours, label: {id: Warna, en: Colours}}
  - {name: day, type: date, label: {id: Hari, en: Day}}
  - {name: where, type: geopoint, label: {id: Lokasi, en: Where}}
  - {name: shout, type: calculate, calculation: "concat(${t}, '!')", label: {id: S, en: S}}
  - name: people
    type: repeat
    label: {id: Orang, en: People}
    questions:
      - {name: p_name, type: text, label: {id: Nama, en: Name}}
      - {name: p_age, type: integer, label: {id: Umur, en: Age}}
      - {name: p_x, type: decimal, label: {id: X, en: X}}
      - {name: p_colours, type: select_multiple, choices: colours, label: {id: W, en: C}}
      - {name: p_day, type: date, label: {id: H, en: D}}
"""
INST = instrument_from_yaml(FORM, "every.yaml")
CHOICES = ["red", "1", "blue_green"]

every_character = st.characters(codec=None, exclude_categories=())  # surrogates and controls too
tricky_text = st.sampled_from([
    "", " ", "\u200b", "\u200b \u2060\ufeff", "\u00a0", "\u3164", "a\x00b", "a\nb", "a\r\nb", "\r", "\t",
    "a\tb", "\ud800", "x\udfffy", "\u202eabc", "👨\u200d👩\u200d👧", "\x85", "\x7f", "é" * 2000, "é" * 2001,
    "  padded  ", "1e3", "12", "-7.5 110.8", "2024-02-30", "2024-02-29", "red", "red blue_green",
])
numbers = st.one_of(
    st.integers(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([2**63, -(2**63) - 1, 10**400, -(10**20), 2**53 + 1]),
    st.floats(), st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(np.int64),
    st.floats(width=32).map(np.float32), st.floats().map(np.float64), st.booleans().map(np.bool_),
)
oddities = st.sampled_from([None, pd.NA, pd.NaT, float("nan"), [], (), {}, {"a": 1}, b"bytes", object(),
                            np.array([1, 2]), np.str_("red"), True, False, [None], [["red"]]])
hostile = st.one_of(st.text(every_character, max_size=30), tricky_text, numbers, oddities, st.dates(),
                    st.datetimes(), st.datetimes(timezones=st.just(dt.timezone.utc)))


def typed(qtype: str, mixed: bool):
    """Plausible answers for one question type; with `mixed`, anything at all now and then."""
    int64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
    finite = st.floats(allow_nan=False, allow_infinity=False)
    plausible = {
        "text": st.one_of(st.text(st.characters(codec="utf-8", exclude_categories=["Cc"]), max_size=40),
                          st.text(max_size=40), tricky_text),
        "integer": st.one_of(int64, st.integers(0, 120), int64.map(np.int64), st.integers(0, 120).map(str),
                             st.integers(0, 120).map(float)),
        "decimal": st.one_of(finite, int64, finite.map(np.float64), st.decimals(allow_nan=False, allow_infinity=False),
                             st.floats(0, 1e6).map(lambda x: f"{x:.2f}")),
        "select_one": st.one_of(st.sampled_from(CHOICES), st.just(1), st.sampled_from(CHOICES).map(np.str_)),
        "select_multiple": st.one_of(
            st.lists(st.sampled_from(CHOICES), max_size=3, unique=True),
            st.lists(st.sampled_from(CHOICES), max_size=3, unique=True).map(" ".join),
            st.lists(st.sampled_from(CHOICES), max_size=3, unique=True).map(tuple),
        ),
        "date": st.one_of(st.dates(), st.datetimes(), st.dates().map(dt.date.isoformat),
                          st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)).map(pd.Timestamp)),
        "geopoint": st.one_of(
            st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
            st.tuples(st.floats(-90, 90), st.floats(-180, 180)).map(lambda p: f"{p[0]:.6f} {p[1]:.6f}"),
        ),
    }[qtype]
    return st.one_of(*[plausible] * 4, hostile) if mixed else plausible


def answers_for(questions, mixed: bool):
    fields = {q.name: typed(q.type, mixed) for q in questions if q.stores_answer and q.type != "calculate"}
    return st.fixed_dictionaries({}, optional=fields)


def answer_sets(mixed: bool):
    members = st.lists(answers_for(INST.question("people").questions, mixed), max_size=3)
    extra = st.just({})
    if mixed:
        members = st.one_of(members, st.sampled_from([None, "people", [1], [{"p_unknown": 1}], {"p_name": "x"}]))
        extra = st.one_of(extra, st.dictionaries(st.one_of(st.text(every_character, max_size=8), st.integers()),
                                                 hostile, max_size=1))
    return st.builds(lambda main, people, more: {**main, **({"people": people} if people is not None else {}), **more},
                     answers_for(INST.questions, mixed), members, extra)


_ids = itertools.count()


def test_the_instrument_has_every_question_type():
    assert {q.type for q in INST.all_questions()} == set(QUESTION_TYPES)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("agree")
    (root / "instruments").mkdir()
    (root / "instruments" / "every.yaml").write_text(FORM, encoding="utf-8")
    return ResponseStore(root / "data", instruments_dir=root / "instruments", audit=False)


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _same(stored, kept, qtype: str) -> bool:
    if kept is None:
        return _missing(stored)
    if qtype == "date":
        return isinstance(stored, pd.Timestamp) and stored.date() == kept
    if qtype == "select_multiple":
        return list(stored) == kept
    if qtype == "decimal":
        return type(kept) is float and float(stored) == kept
    if qtype == "integer":
        return type(kept) is int and int(stored) == kept
    return type(kept) is str and stored == kept


def check_agreement(store, answers):
    cleaned, problems = clean(INST, answers)
    assert problems == validate(INST, answers)
    rid = f"agree-{next(_ids)}"
    if problems:
        for p in problems:  # located, and safe to show and store
            assert isinstance(p.field, str) and isinstance(p.message, str) and p.message
            p.field.encode("utf-8"), p.message.encode("utf-8")
        with pytest.raises(ValidationError) as err:
            store.submit("every", answers, enumerator="prop", response_id=rid)
        assert err.value.problems == problems
        return
    receipt = store.submit("every", answers, enumerator="prop", response_id=rid)
    assert not receipt.duplicate
    row = store.history("every", rid).iloc[0]
    for q in INST.questions:
        if q.stores_answer:
            assert _same(row[q.name], cleaned.get(q.name), q.type), (q.name, row[q.name], cleaned.get(q.name))
    members = store.read("every_people")
    members = members[members["_response_id"] == rid].sort_values("_member_index")
    kept = cleaned.get("people") or []
    assert len(members) == len(kept)
    for (_, member), item in zip(members.iterrows(), kept):
        for q in INST.question("people").questions:
            assert _same(member[q.name], item.get(q.name), q.type), (q.name, member[q.name], item.get(q.name))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(answer_sets(mixed=False))
def test_plausible_answers_that_validate_accepts_are_stored_and_read_back_unchanged(store, answers):
    check_agreement(store, answers)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(answer_sets(mixed=True))
def test_any_answers_are_stored_unchanged_or_refused_as_located_problems(store, answers):
    check_agreement(store, answers)


@pytest.mark.parametrize(("answer", "code"), [
    ({"t": "a\ud800"}, "type"),  # pyarrow cannot encode an unpaired surrogate
    ({"t": "two\nlines"}, "type"), ({"t": "tab\there"}, "type"), ({"story": "bell\x07"}, "type"),
    ({"n": 2**63}, "range"), ({"n": -(2**63) - 1}, "range"), ({"x": 10**400}, "range"),
    ({"x": decimal.Decimal("1e400")}, "range"), ({"x": float("inf")}, "range"),
    ({"n": np.bool_(True)}, "type"), ({"colour": ["red"]}, "type"), ({"t": b"bytes"}, "type"),
    ({"colour": "re\ud800d"}, "type"), ({"colours": ["red", "red"]}, "type"),
])
def test_what_submit_cannot_store_is_a_located_problem(answer, code):
    assert [(p.field, p.code) for p in validate(INST, answer)] == [(next(iter(answer)), code)]


@pytest.mark.parametrize("blank", ["\u200b", " \u2060 ", "\ufeff", "\u00a0\u3000", "\u3164", "\u200d\u200c"])
def test_invisible_only_text_is_unanswered(blank):
    cleaned, problems = clean(INST, {"t": blank, "story": blank})
    assert problems == [] and "t" not in cleaned and "story" not in cleaned


def test_numpy_and_decimal_numbers_are_plain_numbers(store):
    answers = {"n": np.int64(7), "x": np.float32(2.5), "age": decimal.Decimal("41"), "colour": np.str_("red"),
               "story": "line one\r\nline two", "t": np.float64(1.5)}
    cleaned, problems = clean(INST, answers)
    assert problems == []
    assert cleaned == {"n": 7, "x": 2.5, "age": 41, "colour": "red", "story": "line one\nline two", "t": "1.5",
                       "shout": "1.5!", "people": []}
    assert all(type(v) in (int, float, str, list) for v in cleaned.values())
    store.submit("every", answers, enumerator="prop", response_id="plain-numbers")
    row = store.history("every", "plain-numbers").iloc[0]
    assert (row["n"], row["x"], row["age"], row["story"]) == (7, 2.5, 41, "line one\nline two")
