"""Coercion of raw answers to each question type (survey.questionnaire.types.QUESTION_TYPES)."""

import datetime as dt

import pytest

from survey.questionnaire.types import QUESTION_TYPES, CoercionError


@pytest.mark.parametrize(
    "qtype, raw, expected",
    [
        ("integer", "42", 42),
        ("integer", 7.0, 7),
        ("decimal", "3,5", 3.5),
        ("decimal", ".5", 0.5),
        ("date", "2026-11-20", dt.date(2026, 11, 20)),
        ("date", dt.datetime(2026, 11, 20, 9, 30), dt.date(2026, 11, 20)),
        ("geopoint", " -7.5666  110.8166 ", "-7.5666 110.8166"),
        ("geopoint", [-7.5, 110.8], "-7.5 110.8"),
        ("select_multiple", "home work", ["home", "work"]),
    ],
)
def test_values_are_coerced(qtype, raw, expected):
    assert QUESTION_TYPES[qtype].coerce(raw) == expected


@pytest.mark.parametrize(
    "qtype, raw",
    [
        ("integer", True),
        ("integer", 2.5),
        ("integer", "1e3"),
        ("integer", "\u0663"),
        ("decimal", "nan"),
        ("decimal", "inf"),
        ("decimal", "\u0663.5"),
        ("date", "2026-W48-5"),
        ("date", "27/11/2026"),
        ("geopoint", "-7.5 110.8 \u0663"),
        ("geopoint", "95 110"),
        ("select_one", ["a"]),
        ("select_multiple", [True]),
        ("text", {"a": 1}),
    ],
)
def test_malformed_values_are_rejected(qtype, raw):
    with pytest.raises(CoercionError):
        QUESTION_TYPES[qtype].coerce(raw)
