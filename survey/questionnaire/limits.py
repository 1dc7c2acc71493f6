"""Bounds on every answer, checked before any expensive work on it.

A value past one of these is refused with a problem (survey.questionnaire.problems),
never walked, parsed or stored: a 5 MB "location", a roster of 100,000 members or a
date in year 1 would otherwise cost seconds of server time, fill a draft or break an
export (Excel has no dates before 1900). A questionnaire may set tighter bounds for a
question (``max_length`` of a text, ``max_items`` of a repeat); these are the caps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

MAX_TEXT_LENGTH = 2000  # characters of a text answer (a question's max_length is at most this)
MAX_GEOPOINT_LENGTH = 100  # "lat lon altitude accuracy" needs far less
MAX_ROSTER = 60  # members of a roster (a repeat's max_items is at most this)
MAX_ANSWERS = 5000  # keys in one set of answers (metadata included)
EARLIEST_DATE = dt.date(1900, 1, 1)  # Excel's first date; also before any respondent was born
LATEST_DATE = dt.date(2100, 12, 31)


def text_limit(question) -> int:
    """The most characters an answer to `question` may have."""
    if question.kind.free_text:
        return question.max_length or MAX_TEXT_LENGTH
    return question.kind.max_chars or MAX_TEXT_LENGTH  # a location needs far less


def roster_limit(question) -> int:
    """The most items a repeat group may have."""
    return question.max_items or MAX_ROSTER


def far_too_long(question, raw: Any) -> bool:
    """True for a raw answer so much longer than allowed that it is refused before coercion.

    Coercion strips blanks, so the exact check comes after it; this one only keeps
    megabytes away from the coercion (twice the limit leaves room for the blanks)."""
    if isinstance(raw, str):
        return len(raw) > 2 * text_limit(question) + 100
    if isinstance(raw, (list, tuple)):  # a select_multiple or a geopoint given as a list
        return len(raw) > max(len(question.choice_options), 4) * 2
    return False
