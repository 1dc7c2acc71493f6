"""The row-wise part of the quality checks, kept per (response, revision) between calls.

Three checks of survey.fieldwork.quality look at one interview at a time: straightlining
(its Likert blocks and its members'), the counts behind many_missing (questions asked,
left unanswered) and the keyed hashes behind duplicate_household. A stored revision
never changes, so what they give for it holds until the questionnaire, the salt, the
language or the day (skip logic may read today's date) changes. A :class:`RowMemo` keeps
them: the checks run again only on the responses that are new or revised since the last
call, and the flags that compare interviews (medians, groups, duplicates) are worked out
from the kept values over every response, so the flags equal those of a full run.
The memo keeps ids, numbers, hashes and the flags' texts: no answer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from survey.fieldwork.quality_checks import duplicate_keys, missing_counts, straightlining
from survey.questionnaire.validate import survey_today


@dataclass(frozen=True)
class RowChecks:
    straight: list                                 # (row, "straightlining", detail)
    counts: tuple[np.ndarray, np.ndarray] | None   # missing_counts, None when the rules have no missing share
    hashes: tuple[list, list] | None               # duplicate_keys, None when the rules compare no answers
    groups: dict | None = None                     # duplicates' memo of the groups of repeated answers


class _Kept:
    """The row-wise results of one set of responses, as columns aligned on ``ids`` (unique)."""

    def __init__(self, ids: pa.Array, revision: np.ndarray, straight: np.ndarray, asked: np.ndarray,
                 missing: np.ndarray, household: np.ndarray, phone: np.ndarray, groups: dict,
                 straightlined: np.ndarray) -> None:
        self.ids, self.revision, self.straight = ids, revision, straight
        self.asked, self.missing, self.household, self.phone = asked, missing, household, phone
        self.groups = groups   # survey.fieldwork.quality_checks.duplicates' memo
        self.straightlined = straightlined   # True where straight holds a detail

    @classmethod
    def empty(cls) -> "_Kept":
        none = np.empty(0, dtype=object)
        return cls(pa.array([], type=pa.string()), np.empty(0, dtype=np.int64), none, np.empty(0, dtype=int),
                   np.empty(0, dtype=int), none, none, {}, np.empty(0, dtype=bool))


class RowMemo:
    """What the row-wise checks gave per (response id, revision); see the module docstring.

    One set of results per language (and questionnaire, salt, day), the last few kept; each set
    holds the responses of the last call as columns, so a call looks its rows up at once (one
    hash join of the ids) instead of one dictionary lookup per response."""

    KEPT = 4

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._sets: list[tuple[tuple, _Kept]] = []   # (identity, results), latest last
        self.checked = 0    # rows checked since the memo was made (for tests and the benchmark)

    def kept(self, identity: tuple) -> _Kept:
        for i, (known, rows) in enumerate(self._sets):
            if len(known) == len(identity) and all(a is b or a == b for a, b in zip(identity, known)):
                self._sets.append(self._sets.pop(i))
                return rows
        self._sets = [*self._sets[-(self.KEPT - 1):], (identity, _Kept.empty())]
        return self._sets[-1][1]

    def keep(self, rows: _Kept) -> None:
        """Replace the set :meth:`kept` gave last (under :attr:`lock`, right after it)."""
        self._sets[-1] = (self._sets[-1][0], rows)


def row_checks(inst, rules, frame: pd.DataFrame, members: Mapping[str, pd.DataFrame], done: np.ndarray,
               key: bytes, lang: str, memo: RowMemo | None = None) -> RowChecks:
    """The row-wise checks of ``frame`` (current revisions, one row per response), run only on
    the rows ``memo`` has not seen (every row without one)."""
    want_counts = rules.missing_share is not None
    want_hashes = bool(rules.duplicate_match) and all(q in frame.columns for q in rules.duplicate_match)
    today = survey_today()
    ids = pa.array(frame["_response_id"].astype("string").array).cast(pa.string())
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    if memo is None or not _unique(ids):
        return RowChecks(straightlining(inst, rules, frame, members, done, lang),
                         missing_counts(inst, rules, frame, members, today) if want_counts else None,
                         duplicate_keys(rules, frame, key) if want_hashes else None)
    revision = frame["_revision"].to_numpy(dtype=np.int64)
    with memo.lock:
        # the questionnaire object itself (kept alive by the memo, so its id is never another's)
        old = memo.kept((inst, key, lang, today, tuple(frame.columns), tuple(sorted(members))))
        at = _positions(old.ids, ids)
        found = at >= 0
        found[found] = old.revision[at[found]] == revision[found]
        todo = np.flatnonzero(~found)
        take = np.where(found, at, 0)
        straight = old.straight[take] if len(old.ids) else np.empty(len(ids), dtype=object)
        asked = old.asked[take] if len(old.ids) else np.zeros(len(ids), dtype=int)
        missing = old.missing[take] if len(old.ids) else np.zeros(len(ids), dtype=int)
        household = old.household[take] if len(old.ids) else np.empty(len(ids), dtype=object)
        phone = old.phone[take] if len(old.ids) else np.empty(len(ids), dtype=object)
        straightlined = old.straightlined[take] if len(old.ids) else np.zeros(len(ids), dtype=bool)
        if len(todo):
            new = _check(inst, rules, frame, members, done, key, lang, today, todo, want_counts, want_hashes)
            straight[todo], asked[todo], missing[todo], household[todo], phone[todo] = new
            straightlined[todo] = [len(v) > 0 for v in new[0]]
            memo.checked += len(todo)
        memo.keep(_Kept(ids, revision, straight, asked, missing, household, phone, old.groups, straightlined))
        groups = old.groups
    straight_flags = [(int(i), "straightlining", detail) for i in np.flatnonzero(straightlined) for detail in straight[i]]
    return RowChecks(straight_flags, (asked, missing) if want_counts else None,
                     (household.tolist(), phone.tolist()) if want_hashes else None, groups)


def _unique(ids: pa.Array) -> bool:
    return pc.count_distinct(ids, mode="all").as_py() == len(ids)


def _positions(known: pa.Array, ids: pa.Array) -> np.ndarray:
    """Each of the (unique) ``ids``' position among the ``known`` ids of the last call, -1 for a new
    one.  Responses are stored in the order they came, so the ids are usually the last call's
    followed by new ones: then one comparison, no hash look-up of every id."""
    n = len(known)
    if 0 < n <= len(ids) and pc.all(pc.equal(ids.slice(0, n), known), skip_nulls=False).as_py():
        return np.concatenate([np.arange(n, dtype=np.intp), np.full(len(ids) - n, -1, dtype=np.intp)])
    return pc.index_in(ids, value_set=known).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)


def _check(inst, rules, frame, members, done, key, lang, today, todo, want_counts, want_hashes) -> tuple:
    """The row-wise checks of the rows ``todo`` of ``frame``: (straightlining details, asked, missing,
    household hash, phone hash), each an array over ``todo``."""
    part = frame.iloc[todo].reset_index(drop=True)
    wanted = set(part["_response_id"].astype(str))
    part_members = {name: table[table["_response_id"].astype(str).isin(wanted).to_numpy(dtype=bool)]
                    .reset_index(drop=True) for name, table in members.items()}
    found: dict[int, list[str]] = {}
    for j, _, detail in straightlining(inst, rules, part, part_members, done[todo], lang):
        found.setdefault(j, []).append(detail)
    straight = np.empty(len(todo), dtype=object)
    straight[:] = [tuple(found.get(j, ())) for j in range(len(todo))]
    asked, missing = missing_counts(inst, rules, part, part_members, today) if want_counts \
        else (np.zeros(len(todo), dtype=int), np.zeros(len(todo), dtype=int))
    household, phone = duplicate_keys(rules, part, key) if want_hashes else ([None] * len(todo), [None] * len(todo))
    return (straight, np.asarray(asked, dtype=int), np.asarray(missing, dtype=int),
            _objects(household), _objects(phone))


def _objects(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out
