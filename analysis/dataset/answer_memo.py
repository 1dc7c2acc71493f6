"""The answer columns of the last build of each table, kept so that the next build codes only
the rows it has not seen (issue 22, section 3: after a submission, a revision or a review
decision, the Dataset is built again, and coding every answer was a third of it).

Stored files are never rewritten (survey.store.layout), so the rows of one (response,
revision) always hold the same answers, and :func:`analysis.dataset.answer_columns.coded`
gives each row values from its own answers only.  A build takes the coded values of the
rows whose response, revision and number of rows (members) are those of the last build of
the same store, instrument and table, codes the other rows, and merges the two; the choice
names (the questionnaire's, then the other values found, sorted) are worked out again over
the rows of this build.  So the frame equals coding every row (tested with submissions,
revisions and review decisions between builds).  Anything unexpected (a response in two
runs of rows, another questionnaire object, another set of questions) codes every row; as
each ResponseStore object loads its own questionnaire objects, a build reuses only what a
build through the same store object coded (the app keeps one per data folder).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.dataset.answer_columns import AnswerColumns, assemble, calculation_order, coded

KEPT = 8    # (store, instrument, table) entries; a few per store and instrument


@dataclass(frozen=True, eq=False)
class Memo:
    questions: tuple
    ids: pa.Array            # the response of each run of rows (one per response)
    revision: np.ndarray     # per run
    start: np.ndarray        # its first row
    length: np.ndarray       # its number of rows
    parts: dict              # coded(): question -> ("categorical", codes, names) | ("multiple", chosen, unknown, names)


_MEMOS: dict[tuple, Memo] = {}
_LOCK = threading.Lock()


def forget() -> None:
    with _LOCK:
        _MEMOS.clear()


def tidy(df: pd.DataFrame, questions, lang: str, key: tuple | None) -> tuple[pd.DataFrame, dict[str, AnswerColumns]]:
    """:func:`analysis.dataset.answer_columns.tidy` of ``df``, reusing the last build under ``key``
    (None: code every row, keep nothing)."""
    questions = tuple(questions)
    runs = _runs(df) if key is not None else None
    if runs is None:
        return assemble(df, questions, lang, coded(df, questions))
    with _LOCK:
        memo = _MEMOS.get(key)
    source = _reused(memo, questions, runs, len(df)) if memo is not None else None
    if source is None:
        parts = coded(df, questions)
    else:
        fresh = np.flatnonzero(source < 0)
        new = coded(df.iloc[fresh], questions)
        parts = _merged(memo.parts, new, source, fresh, {q.name: q for q in questions})
        if parts is None:
            parts = coded(df, questions)
    with _LOCK:
        _MEMOS.pop(key, None)
        _MEMOS[key] = Memo(questions, *runs, {name: _small(part) for name, part in parts.items()})
        while len(_MEMOS) > KEPT:
            del _MEMOS[next(iter(_MEMOS))]
    return assemble(df, questions, lang, parts)


def _small(part: tuple) -> tuple:
    """A categorical's codes kept in the smallest integer type (8 bytes a row and question otherwise)."""
    if part[0] != "categorical":
        return part
    return ("categorical", part[1].astype(pd.Categorical.from_codes([], categories=part[2]).codes.dtype), part[2])


def _runs(df: pd.DataFrame):
    """(response of each run, its revision, first row, rows) of ``df``'s runs of one (response,
    revision), or None when a response has two runs or the columns are not there."""
    if "_response_id" not in df.columns or "_revision" not in df.columns or len(df) == 0:
        return None
    column = df["_response_id"]
    ids = pa.array(column.array if isinstance(column.array, pd.arrays.ArrowStringArray)
                   else column.to_numpy(dtype=object, na_value=None))
    ids = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    revision = df["_revision"].to_numpy(dtype=np.float64, na_value=np.nan)
    if ids.null_count or np.isnan(revision).any():
        return None
    change = np.ones(len(df), dtype=bool)
    change[1:] = pc.not_equal(ids[1:], ids[:-1]).to_numpy(zero_copy_only=False) | (revision[1:] != revision[:-1])
    start = np.flatnonzero(change)
    heads = ids.filter(pa.array(change))
    if pc.count_distinct(heads).as_py() != len(heads):
        return None
    return heads, revision[start], start, np.diff(start, append=len(df))


def _reused(memo: Memo, questions: tuple, runs, n: int) -> np.ndarray | None:
    """The row of the last build each row takes its coded values from (-1: coded now), or None."""
    if len(memo.questions) != len(questions) or any(a is not b for a, b in zip(memo.questions, questions)):
        return None
    heads, revision, start, length = runs
    at = pc.index_in(heads, value_set=memo.ids).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    found = at >= 0
    same = found.copy()
    same[found] = (memo.revision[at[found]] == revision[found]) & (memo.length[at[found]] == length[found])
    if not same.any():
        return None
    run = np.repeat(np.arange(len(start)), length)
    offset = np.arange(n) - start[run]
    earlier = np.where(same, memo.start[np.where(same, at, 0)], -1)[run]
    return np.where(earlier >= 0, earlier + offset, -1)


def _merged(old: dict, new: dict, source: np.ndarray, fresh: np.ndarray, by_name: dict) -> dict | None:
    """Each question's coded values for every row: the last build's at ``source``, the newly coded
    at ``fresh``; names merged and the other values no row holds any more dropped."""
    if old.keys() != new.keys() or any(old[k][0] != new[k][0] for k in old):
        return None
    rows = np.where(source >= 0, source, 0)   # (the fresh rows are written over below)
    out = {}
    for name, before in old.items():
        after = new[name]
        q = by_name[name]
        base = list(calculation_order(q) if before[0] == "categorical" and q.kind.computed else q.choices)
        names = base + sorted((set(before[-1]) | set(after[-1])) - set(base))
        slot = {v: i for i, v in enumerate(names)}
        old_at = np.array([slot[v] for v in before[-1]], dtype=np.int64)
        new_at = np.array([slot[v] for v in after[-1]], dtype=np.int64)
        same = len(old_at) == len(names)   # (then old_at is 0, 1, 2...: the names only grew at the end, or not)
        if before[0] == "categorical":
            codes = before[1][rows].astype(np.int64)   # (kept small: the merged names may need more)
            if not same:
                codes = np.append(old_at, -1)[codes]
            codes[fresh] = np.append(new_at, -1)[after[1]]
            keep = _held(names, len(base), lambda: np.bincount(codes[codes >= 0], minlength=len(names)) > 0)
            if not keep.all():
                codes = np.where(codes >= 0, (np.cumsum(keep) - 1)[np.maximum(codes, 0)], -1)
            out[name] = ("categorical", codes, tuple(v for v, k in zip(names, keep) if k))
        else:
            held = before[1]
            if not same:
                held = np.zeros((len(names), held.shape[1]), dtype=np.int8)
                held[old_at] = before[1]
            chosen = np.take(held, rows, axis=1)
            chosen[:, fresh] = 0
            chosen[new_at[:, None], fresh[None, :]] = after[1]
            unknown = before[2][rows]
            unknown[fresh] = after[2]
            keep = _held(names, len(base), lambda: chosen.any(axis=1))
            if not keep.all():
                chosen = chosen[keep]
            out[name] = ("multiple", chosen, unknown, tuple(v for v, k in zip(names, keep) if k))
    return out


def _held(names: list, first: int, found) -> np.ndarray:
    """Which names stay: the questionnaire's always, the other values where a row holds them."""
    keep = np.ones(len(names), dtype=bool)
    if len(names) > first:
        keep[first:] = found()[first:]
    return keep
