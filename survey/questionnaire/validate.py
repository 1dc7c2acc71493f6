"""Check a set of answers against an instrument and clean them.

Stages, each on plain data: coerce every answer to its question's type, then walk
the form in order applying skip logic (answers to questions that are not relevant
are removed, as ODK does), required flags, choice membership (and choice filters),
numeric ranges and constraints. Cross-question checks are constraints that refer
to other answers (`${age}`); inside a repeat an item sees its own answers first,
then the main form's. A valid answer whose `end_if` holds ends the interview (a
refusal, a non-contact): no later question is required or kept, except the
`identifying` ones (where and when), so every record can be counted where it belongs. A calculation is
computed only from answers that are given and valid.

Whatever `clean()` accepts is stored and read back unchanged (tests/survey/
test_validate_store.py checks it for every question type with hypothesis): text
has no unpaired surrogates and no control characters (a line break only in a
``multiline`` text), text that is only blanks and invisible characters (zero-width
spaces, joiners, BOMs) is unanswered, integers fit int64, decimals are finite.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
import unicodedata
from typing import Any, Mapping

from survey.locale import WIB
from survey.questionnaire.expressions import evaluate, truthy
from survey.questionnaire.limits import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_ANSWERS,
    far_too_long,
    roster_limit,
    text_limit,
)
from survey.questionnaire.model import Instrument, Question
from survey.questionnaire.problems import MESSAGES, Problem, problem, shown
from survey.questionnaire.types import CoercionError, OutOfRange

# Characters that show nothing on their own; text made only of these (and blanks) is unanswered.
_INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e"}


def validate(inst: Instrument, answers: Any, lang: str = "en", today: dt.date | None = None) -> list[Problem]:
    """Problems with `answers` as located, coded records; [] means valid."""
    return clean(inst, answers, lang=lang, today=today)[1]


def clean(
    inst: Instrument, answers: Any, lang: str = "en", today: dt.date | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """(answers as stored: typed, calculated, non-relevant removed; problems)."""
    if not isinstance(answers, Mapping):
        return {}, [problem("", "form", lang)]
    if len(answers) > MAX_ANSWERS:  # before walking them: each unknown one would be a problem
        return {}, [problem("", "form.size", lang, limit=MAX_ANSWERS)]
    checker = _Checker(inst, lang, today or survey_today())
    known = {q.name for q in inst.questions}
    for key in answers:
        if not isinstance(key, str) or (key not in known and not key.startswith("_")):
            checker.problems.append(problem(shown(key), "unknown", lang, name=shown(key)))
    cleaned = checker.form(inst.questions, answers, outer={}, prefix="")
    return cleaned, checker.problems


def is_unanswered(value: Any) -> bool:
    """None, blank or invisible text, an empty selection, NaN, pandas NA/NaT: nothing was answered."""
    if value is None:
        return True
    if isinstance(value, str):
        return is_blank(value)
    if isinstance(value, (list, tuple)):
        return len(value) == 0
    if isinstance(value, decimal.Decimal):
        return value.is_nan()
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        try:
            return math.isnan(value)
        except (TypeError, ValueError, OverflowError):
            return False
    return type(value).__name__ in ("NAType", "NaTType")


def is_blank(text: str) -> bool:
    """True when `text` shows nothing: only blanks and invisible characters (or nothing)."""
    return all(char.isspace() or char in _INVISIBLE or unicodedata.category(char) == "Cf" for char in text)


def survey_today() -> dt.date:
    """Today's date where the interviews happen (WIB), whatever the server's clock zone."""
    return dt.datetime.now(WIB).date()


class _Checker:
    def __init__(self, inst: Instrument, lang: str, today: dt.date):
        self.inst, self.lang, self.today = inst, lang, today
        self.problems: list[Problem] = []

    def form(self, questions: tuple[Question, ...], raw: Mapping, outer: Mapping, prefix: str) -> dict[str, Any]:
        # Coerce first so that skip logic sees typed values of later questions too.
        values: dict[str, Any] = {}
        bad_type: dict[str, tuple[str, dict]] = {}  # question name -> (message key, its values)
        for q in questions:
            if not q.kind.entered:
                continue
            if far_too_long(q, raw.get(q.name)):  # before coercion walks megabytes
                limited = isinstance(raw[q.name], str)
                bad_type[q.name] = ("length", {"limit": text_limit(q)}) if limited else (_type_key(q), {})
            elif not is_unanswered(raw.get(q.name)):
                try:
                    values[q.name] = self._coerce(q, raw[q.name])
                except OutOfRange:
                    bad_type[q.name] = ("range.stored", {})
                except CoercionError:
                    bad_type[q.name] = (_type_key(q), {})
        cleaned: dict[str, Any] = {}
        ended = False  # a valid answer's end_if held: only identifying questions are asked after it
        for q in questions:
            field = f"{prefix}{q.name}"
            context = {**outer, **values}
            if (ended and not q.identifying) or not is_relevant(q, context, self.today):
                values.pop(q.name, None)
                continue
            if q.kind.computed:
                # Only from valid answers: a rejected or missing input leaves it uncomputed.
                ready = all(ref in context for ref in q.calculation.references)
                result = evaluate(q.calculation, context, today=self.today) if ready else None
                values[q.name] = cleaned[q.name] = _calculated_text(result)
                continue
            if q.kind.is_repeat:
                cleaned[q.name] = self._repeat(q, raw.get(q.name), context, field)
                continue
            if not q.stores_answer:
                continue
            if q.name in bad_type:
                key, details = bad_type[q.name]
                self.problems.append(problem(field, key, self.lang, **details))
                continue
            if q.name not in values:
                if q.required:
                    self.problems.append(problem(field, "required", self.lang))
                continue
            value = values[q.name]
            if self._check(q, value, context, field):
                cleaned[q.name] = value
                ended = ended or ends_interview(q, context, self.today)
            else:  # later questions see a rejected answer as unanswered
                del values[q.name]
        return cleaned

    def _repeat(self, q: Question, raw: Any, context: Mapping, field: str) -> list[dict[str, Any]]:
        items = [] if raw is None else raw
        limit = roster_limit(q)
        if isinstance(items, list) and len(items) > limit:  # refused before any member is looked at
            self.problems.append(problem(field, "count.max", self.lang, limit=limit, actual=len(items)))
            return []
        if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
            self.problems.append(problem(field, "type.repeat", self.lang))
            return []
        if q.repeat_count is not None:
            expected = evaluate(q.repeat_count, context, today=self.today)
            if isinstance(expected, (int, float)) and math.isfinite(expected) and int(expected) != len(items):
                self.problems.append(problem(field, "count", self.lang, expected=int(expected), actual=len(items)))
        if q.required and not items:
            self.problems.append(problem(field, "required", self.lang))
        known = {inner.name for inner in q.questions}
        out = []
        for i, item in enumerate(items):
            for key in item:
                if key not in known and not (isinstance(key, str) and key.startswith("_")):
                    self.problems.append(problem(f"{field}[{i}].{shown(key)}", "unknown", self.lang, name=shown(key)))
            out.append(self.form(q.questions, item, outer=context, prefix=f"{field}[{i}]."))
        return out

    def _coerce(self, q: Question, value: Any) -> Any:
        coerced = q.kind.coerce(value)
        if isinstance(coerced, str):
            multiline = q.kind.free_text and q.appearance == "multiline"
            if multiline:
                coerced = coerced.replace("\r\n", "\n").replace("\r", "\n")
            coerced = coerced.strip()
            for char in coerced:
                if unicodedata.category(char) == "Cc" and not (multiline and char == "\n"):
                    raise CoercionError("control characters")
            if is_blank(coerced):
                raise CoercionError("empty")
        return coerced

    def _check(self, q: Question, value: Any, context: Mapping, field: str) -> bool:
        """Range, length, choice and constraint checks; True when the answer is kept."""
        lang = self.lang
        if isinstance(value, str) and len(value) > text_limit(q):
            self.problems.append(problem(field, "length", lang, limit=text_limit(q)))
            return False
        if q.kind.is_date and not EARLIEST_DATE <= value <= LATEST_DATE:
            self.problems.append(problem(field, "range.date", lang, min=EARLIEST_DATE.isoformat(),
                                         max=LATEST_DATE.isoformat()))
            return False
        if q.kind.numeric:
            low, high = q.min, q.max
            if (low is not None and value < low) or (high is not None and value > high):
                key = "range" if low is not None and high is not None else ("range.min" if low is not None else "range.max")
                self.problems.append(problem(field, key, lang, min=_number(low), max=_number(high)))
                return False
        if q.kind.choices != "none":
            allowed = set(filtered_choices(q, context, self.today))
            picked = value if isinstance(value, list) else [value]
            wrong = [v for v in picked if v not in allowed]
            if wrong:
                self.problems.append(problem(field, "choice", lang, value=shown(wrong[0])))
                return False
            if len(set(picked)) != len(picked):
                self.problems.append(problem(field, "type.select_multiple", lang))
                return False
        # A cross-question rule waits until the answers it compares with are there (and
        # valid): their own problems say what is missing, not a misleading rule message.
        waiting = q.constraint is not None and any(ref not in context for ref in q.constraint.references)
        if q.constraint is not None and not waiting and not truthy(
            evaluate(q.constraint, context, current=value, today=self.today)
        ):
            self.problems.append(Problem(field, "constraint", q.text("constraint_message", lang)))
            return False
        return True


def _type_key(q: Question) -> str:
    return f"type.{q.type}" if f"type.{q.type}" in MESSAGES else "type"


def filtered_choices(q: Question, answers: Mapping, today: dt.date | None = None) -> list[str]:
    """Choice names offered for `q` given the answers so far (for the entry form)."""
    if q.choice_filter is None:
        return list(q.choices)
    return [
        c.name
        for c in q.choice_options
        if truthy(evaluate(q.choice_filter, answers, choice=c.filters, today=today or survey_today()))
    ]


def is_relevant(q: Question, answers: Mapping, today: dt.date | None = None) -> bool:
    return q.relevant is None or truthy(evaluate(q.relevant, answers, today=today or survey_today()))


def ends_interview(q: Question, answers: Mapping, today: dt.date | None = None) -> bool:
    """True when `q` has an end_if that holds for its answer in `answers` (a refusal, a non-contact)."""
    if q.end_if is None or is_unanswered(answers.get(q.name)):
        return False
    return truthy(evaluate(q.end_if, answers, current=answers[q.name], today=today or survey_today()))


def end_question(inst: Instrument, cleaned: Mapping) -> Question | None:
    """The question whose valid answer ended the interview, in answers as `clean` returns them."""
    return next((q for q in inst.questions if ends_interview(q, cleaned)), None)



def _calculated_text(result: Any) -> str | None:
    if isinstance(result, bool):
        return "true" if result else "false"
    if isinstance(result, float):
        if math.isnan(result):
            return None
        return str(int(result)) if result.is_integer() else repr(result)
    if result is None or result == "":
        return None
    return str(result)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)
