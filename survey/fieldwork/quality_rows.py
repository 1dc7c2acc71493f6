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

from survey.fieldwork.quality_checks import duplicate_keys, missing_counts, straightlining
from survey.questionnaire.validate import survey_today


@dataclass(frozen=True)
class RowChecks:
    straight: list                                 # (row, "straightlining", detail)
    counts: tuple[np.ndarray, np.ndarray] | None   # missing_counts, None when the rules have no missing share
    hashes: tuple[list, list] | None               # duplicate_keys, None when the rules compare no answers


class RowMemo:
    """What the row-wise checks gave per (response id, revision); see the module docstring.

    One set of results per language (and questionnaire, salt, day), the last few kept."""

    KEPT = 4

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._sets: list[tuple[tuple, dict]] = []   # (identity, {(id, revision): results}), latest last
        self.checked = 0    # rows checked since the memo was made (for tests and the benchmark)

    def rows(self, identity: tuple) -> dict:
        for i, (known, rows) in enumerate(self._sets):
            if len(known) == len(identity) and all(a is b or a == b for a, b in zip(identity, known)):
                self._sets.append(self._sets.pop(i))
                return rows
        self._sets = [*self._sets[-(self.KEPT - 1):], (identity, {})]
        return self._sets[-1][1]

    def replace(self, rows: dict, kept: dict) -> None:
        self._sets = [(identity, kept if found is rows else found) for identity, found in self._sets]


def row_checks(inst, rules, frame: pd.DataFrame, members: Mapping[str, pd.DataFrame], done: np.ndarray,
               key: bytes, lang: str, memo: RowMemo | None = None) -> RowChecks:
    """The row-wise checks of ``frame`` (current revisions, one row per response), run only on
    the rows ``memo`` has not seen (every row without one)."""
    want_counts = rules.missing_share is not None
    want_hashes = bool(rules.duplicate_match) and all(q in frame.columns for q in rules.duplicate_match)
    today = survey_today()
    if memo is None:
        return RowChecks(straightlining(inst, rules, frame, members, done, lang),
                         missing_counts(inst, rules, frame, members, today) if want_counts else None,
                         duplicate_keys(rules, frame, key) if want_hashes else None)
    ids = frame["_response_id"].astype(str).tolist()
    keys = list(zip(ids, frame["_revision"].astype("int64").tolist()))
    with memo.lock:
        # the questionnaire object itself (kept alive by the memo, so its id is never another's)
        rows = memo.rows((inst, key, lang, today, tuple(frame.columns), tuple(sorted(members))))
        todo = [i for i, k in enumerate(keys) if k not in rows]
        if todo:
            _check(inst, rules, frame, members, done, key, lang, today, todo, keys, rows, want_counts, want_hashes)
            memo.checked += len(todo)
        values = [rows[k] for k in keys]
        if len(rows) > 2 * len(keys) + 1000:   # revisions replaced, responses set aside: forget them
            memo.replace(rows, dict(zip(keys, values)))
    straight = [(i, "straightlining", detail) for i, v in enumerate(values) for detail in v[0]]
    counts = (np.fromiter((v[1] for v in values), dtype=int, count=len(values)),
              np.fromiter((v[2] for v in values), dtype=int, count=len(values))) if want_counts else None
    hashes = ([v[3] for v in values], [v[4] for v in values]) if want_hashes else None
    return RowChecks(straight, counts, hashes)


def _check(inst, rules, frame, members, done, key, lang, today, todo, keys, rows, want_counts, want_hashes) -> None:
    part = frame.iloc[todo].reset_index(drop=True)
    wanted = set(part["_response_id"].astype(str))
    part_members = {name: table[table["_response_id"].astype(str).isin(wanted).to_numpy(dtype=bool)]
                    .reset_index(drop=True) for name, table in members.items()}
    straight: dict[int, list[str]] = {}
    for j, _, detail in straightlining(inst, rules, part, part_members, done[todo], lang):
        straight.setdefault(j, []).append(detail)
    asked, missing = missing_counts(inst, rules, part, part_members, today) if want_counts else (None, None)
    household, phone = duplicate_keys(rules, part, key) if want_hashes else (None, None)
    for j, i in enumerate(todo):
        rows[keys[i]] = (tuple(straight.get(j, ())),
                         int(asked[j]) if want_counts else 0, int(missing[j]) if want_counts else 0,
                         household[j] if want_hashes else None, phone[j] if want_hashes else None)
