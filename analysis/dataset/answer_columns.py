"""Stored answers -> analysis columns, driven by the instrument, vectorised over rows.

* ``select_one`` (yes/no included): a pandas Categorical labelled in the chosen
  language, categories in the questionnaire's choice order; a stored value that is
  not a choice (an older version's, say) is kept as its own category at the end.
  Two choices with the same label get their names added, so categories stay unique.
* ``select_multiple``: one nullable 0/1 column per choice, ``<question>_<choice>``.
  A question that was not asked (its ``relevant`` is false, or a required answer is
  missing) is ``<NA>`` in every choice column, never 0: HH8 locations exist only for
  Internet users.  An optional question asked and left empty means "none of these"
  (0 for every choice).  Whether it was asked is decided by the questionnaire's own
  evaluator, once per distinct combination of the answers it refers to.
* ``calculate``: a Categorical whose categories follow the text literals of the
  calculation in their order of appearance (an age group's bands in order), other
  values after them, sorted.
* numbers, dates and text pass through as the store reads them.

Which of these a question gets is its type's ``analysis_kind``
(survey.questionnaire.types.QUESTION_TYPES).

:class:`AnswerColumns` records, per question, the frame columns that hold it and the
choice names in category order, so nobody has to parse column names or map labels
back to choices.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.estimation.codes import first_of
from survey.locale import LANGUAGES, pick
from survey.questionnaire.expressions import evaluate, truthy

KINDS = ("categorical", "multiple", "number", "date", "text")   # a question type's analysis_kind
_LITERAL = re.compile(r"'([^']*)'|\"([^\"]*)\"")


@dataclass(frozen=True)
class AnswerColumns:
    """What the analysis frame holds for one question."""

    question: object                 # survey.questionnaire.model.Question
    kind: str                        # one of KINDS
    columns: tuple[str, ...]         # the frame columns (multiple: one per choice, in choice order)
    choices: tuple[str, ...] = ()    # choice names in category (or column) order
    column: str | None = None        # the variable's name when it is not the question's (head_sex)
    title: Mapping[str, str] | None = None   # its label when it is not the question's

    @property
    def name(self) -> str:
        return self.column or self.question.name

    @property
    def labels(self) -> dict[str, str]:
        """The variable's label, {lang: text}."""
        return dict(self.title or self.question.label)

    def choice_labels(self, lang: str) -> tuple[str, ...]:
        """The frame's category labels in ``lang``, in choice order (see category_labels)."""
        return tuple(category_labels(list(self.choices), self.question, lang))

    def label(self, lang: str) -> str:
        return pick(self.labels, lang)

    def value_labels(self) -> dict[str, dict[str, str]]:
        """Choice name -> {lang: the frame's category label} (SummaryTable value labels)."""
        per_lang = {lang: self.choice_labels(lang) for lang in LANGUAGES}
        return {name: {lang: per_lang[lang][i] for lang in LANGUAGES} for i, name in enumerate(self.choices)}


def dummy_name(question: str, choice: str) -> str:
    """The 0/1 column of one select_multiple choice: ``<question>_<choice>``."""
    return f"{question}_{choice}"


def asked(question, frame: pd.DataFrame, cache: dict | None = None) -> np.ndarray | None:
    """True where the question was relevant, by its ``relevant`` expression; None when the
    expression refers to columns this frame lacks (the caller then goes by whether it was
    answered).  Evaluated once per distinct combination of the referenced answers
    (``cache`` keeps each column's distinct values between questions)."""
    if question.relevant is None:
        return np.ones(len(frame), dtype=bool)
    refs = sorted(question.relevant.references)
    if not refs:
        return np.full(len(frame), truthy(evaluate(question.relevant, {})), dtype=bool)
    if any(ref not in frame.columns for ref in refs):
        return None
    cache = {} if cache is None else cache
    key = np.zeros(len(frame), dtype=np.int64)
    parts = []
    for ref in refs:
        if ref not in cache:
            cache[ref] = _distinct_values(frame[ref])
        codes, values = cache[ref]
        key = key * (len(values) + 1) + codes + 1
        parts.append(values)
    inverse, combos = pd.factorize(key)
    verdicts = []
    for combo in combos:
        answers, rest = {}, int(combo)
        for ref, values in zip(reversed(refs), reversed(parts)):
            rest, code = divmod(rest, len(values) + 1)
            answers[ref] = values[code - 1] if code else None
        verdicts.append(truthy(evaluate(question.relevant, answers)))
    return np.asarray(verdicts, dtype=bool)[inverse]


def _distinct_values(col: pd.Series) -> tuple[np.ndarray, list]:
    """(code per row, -1 missing; the distinct answers) of a stored column; a
    select_multiple list is given as ODK's space-separated text (the evaluator reads both)."""
    if col.dtype == object:
        codes, lists = _distinct_lists(col.to_numpy())
        values = [None if v is None else " ".join(v) for v in lists]
        missing = [i for i, v in enumerate(values) if v is None]
        if missing:   # unanswered is a code of its own: -1
            keep = [i for i, v in enumerate(values) if v is not None]
            remap = np.full(len(values), -1, dtype=np.int64)
            remap[keep] = np.arange(len(keep))
            return remap[codes], [values[i] for i in keep]
        return codes, values
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    return codes.astype(np.int64), [_plain(v) for v in uniques]


def _plain(value):
    """A numpy / pandas scalar as the plain Python value the evaluator expects."""
    return value.item() if isinstance(value, np.generic) else value


def _distinct_lists(values: np.ndarray) -> tuple[np.ndarray, list]:
    """(code per row, the distinct values) of an object column of lists (None = unanswered).

    The store shares one list object between rows with the same choices, so rows are
    grouped by object identity first (cheap), then equal lists are merged by content.
    """
    inverse, unique_ids = pd.factorize(_identities(values))
    first_pos = first_of(inverse, len(unique_ids), np.arange(len(values)))
    seen: dict = {}
    merged = np.empty(len(first_pos), dtype=np.int64)
    distinct: list = []
    for j, pos in enumerate(first_pos):
        value = values[pos]
        key = None if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else tuple(
            value.split() if isinstance(value, str) else map(str, value))
        if key not in seen:
            seen[key] = len(distinct)
            distinct.append(None if key is None else list(key))
        merged[j] = seen[key]
    return merged[inverse], distinct


def _identities(values: np.ndarray) -> np.ndarray:
    """``id()`` of every element of an object array, read from its buffer of object pointers
    (CPython's id is the address) instead of one Python call per row (8x faster at 300,000 rows)."""
    values = np.ascontiguousarray(values, dtype=object)
    return np.frombuffer(memoryview(values).cast("B"), dtype=np.intp).copy()


def _codes(col: pd.Series) -> tuple[np.ndarray, list]:
    """(integer code per row, -1 = missing; the distinct values as text) of a column."""
    array = col.array
    if isinstance(array, pd.arrays.ArrowStringArray):
        arrow = pa.array(array)
        if isinstance(arrow, pa.ChunkedArray):
            arrow = arrow.combine_chunks()
        encoded = pc.dictionary_encode(arrow)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        return codes, [str(v) for v in encoded.dictionary.to_pylist()]
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    return codes.astype(np.int64), [str(v) for v in uniques]


def category_labels(names: list[str], question, lang: str) -> list[str]:
    """Category labels: the choices' labels in ``lang`` (a value that is not a choice: the
    value itself); labels that would repeat get their choice name added."""
    options = question.choices
    labels = [pick(options[n], lang) if n in options else n for n in names]
    counts = Counter(labels)
    return [f"{label} ({name})" if counts[label] > 1 else label for label, name in zip(labels, names)]


def categorical(col: pd.Series, question, lang: str, order: Iterable[str] | None = None) -> tuple[pd.Series, tuple]:
    """A labelled Categorical of a choice (or calculated) column and its choice names in order."""
    codes, names = choice_codes(col, question, order)
    return labelled(codes, names, question, lang, col.index, col.name), names


def choice_codes(col: pd.Series, question, order: Iterable[str] | None = None) -> tuple[np.ndarray, tuple]:
    """(each row's position in the choice names, -1 missing; the names: the choices, or ``order``,
    then the other values found, sorted)."""
    codes, values = _codes(col)
    names = list(order if order is not None else question.choices)
    extra = sorted(set(values) - set(names))
    names += extra
    position = {n: i for i, n in enumerate(names)}
    remap = np.array([position[v] for v in values] + [-1], dtype=np.int64)
    return remap[codes], tuple(names)


def labelled(codes: np.ndarray, names: tuple, question, lang: str, index, name) -> pd.Series:
    cat = pd.Categorical.from_codes(codes, categories=category_labels(list(names), question, lang))
    return pd.Series(cat, index=index, name=name)


def calculation_order(question) -> list[str]:
    """The text literals of a calculation, in their order of appearance."""
    if question.calculation is None:
        return []
    found = [a or b for a, b in _LITERAL.findall(question.calculation.text)]
    return list(dict.fromkeys(v for v in found if v))


def dummy_parts(col: pd.Series, question, was_asked: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, tuple]:
    """(0/1 per choice and row, shape (choices, rows), whatever was asked; True where the answer
    is unknown (not asked, or a required answer missing); the choice names: the questionnaire's,
    then the other choices found, sorted)."""
    values = col.to_numpy() if col.dtype == object else col.to_numpy(dtype=object, na_value=None)
    codes, distinct = _distinct_lists(values)
    names = list(question.choices)
    extra = sorted({c for v in distinct if v for c in v} - set(names))
    names += extra
    position = {n: i for i, n in enumerate(names)}
    table = np.zeros((len(names), len(distinct)), dtype=np.int8)
    for d, value in enumerate(distinct):
        for choice in value or ():
            table[position[choice], d] = 1
    answered = np.array([v is not None for v in distinct], dtype=bool)[codes] if len(codes) else np.zeros(0, bool)
    now = answered if was_asked is None else was_asked
    unknown = ~(now & (answered | (not question.required)))
    return table[:, codes], unknown, tuple(names)


def dummy_columns(question, chosen: np.ndarray, unknown: np.ndarray, names: tuple) -> dict[str, pd.arrays.IntegerArray]:
    return {dummy_name(question.name, c): pd.arrays.IntegerArray(chosen[j], unknown) for j, c in enumerate(names)}


def tidy(df: pd.DataFrame, questions: Iterable, lang: str) -> tuple[pd.DataFrame, dict[str, AnswerColumns]]:
    """Analysis columns for stored answers and an AnswerColumns per question found in ``df``.

    Columns without a question (metadata ``_...``, design columns) pass through; each
    select_multiple list column is replaced by its ``<question>_<choice>`` columns.
    A choice column whose name is already taken is an error naming both.
    """
    return assemble(df, questions, lang, coded(df, questions))


def coded(df: pd.DataFrame, questions: Iterable) -> dict[str, tuple]:
    """The language-free work of :func:`tidy`, per question: ("categorical", codes, names) or
    ("multiple", chosen, unknown, names) (:func:`choice_codes`, :func:`dummy_parts`); one value
    per row, each row's from its own answers only (``analysis.dataset.answer_memo`` relies on it)."""
    parts: dict[str, tuple] = {}
    by_name = {q.name: q for q in questions}
    distinct: dict = {}   # the referenced columns' distinct values, shared by the relevance checks
    for name in df.columns:
        q = by_name.get(name)
        kind = q.kind.analysis_kind if q is not None else "none"
        if kind == "multiple":
            parts[name] = ("multiple", *dummy_parts(df[name], q, asked(q, df, distinct)))
        elif kind == "categorical":
            parts[name] = ("categorical", *choice_codes(df[name], q, calculation_order(q) if q.kind.computed else None))
    return parts


def assemble(df: pd.DataFrame, questions: Iterable, lang: str,
             parts: Mapping[str, tuple]) -> tuple[pd.DataFrame, dict[str, AnswerColumns]]:
    """:func:`tidy`'s frame and variables from :func:`coded`'s parts for the rows of ``df``."""
    columns: dict[str, object] = {}
    variables: dict[str, AnswerColumns] = {}
    by_name = {q.name: q for q in questions}
    for name in df.columns:
        q = by_name.get(name)
        kind = q.kind.analysis_kind if q is not None else "none"
        if kind == "none":
            columns[name] = df[name]
            continue
        if kind == "multiple":
            _, chosen, unknown, names = parts[name]
            made = dummy_columns(q, chosen, unknown, names)
            variables[name] = AnswerColumns(q, kind, tuple(made), names)
            columns.update(made)
        elif kind == "categorical":
            _, codes, names = parts[name]
            columns[name] = labelled(codes, names, q, lang, df.index, name)
            variables[name] = AnswerColumns(q, kind, (name,), names)
        else:
            columns[name] = df[name]
            variables[name] = AnswerColumns(q, kind, (name,))
    _check_names(df, variables)
    return pd.DataFrame(columns, index=df.index, copy=False), variables


def _check_names(df: pd.DataFrame, variables: dict[str, AnswerColumns]) -> None:
    owner: dict[str, str] = {c: c for c in df.columns if c not in variables or variables[c].kind != "multiple"}
    for var in variables.values():
        if var.kind != "multiple":
            continue
        for column, choice in zip(var.columns, var.choices):
            if column in owner:
                raise ValueError(f"The 0/1 column {column!r} of {var.name!r} choice {choice!r} has the name of "
                                 f"{owner[column]!r}; rename the choice or the question in the instrument.")
            owner[column] = f"{var.name} choice {choice!r}"
