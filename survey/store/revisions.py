"""The revisions of one response and what each one changed, for the review page.

``revisions(store, inst, response_id)`` lists every stored revision, oldest first:
who stored it (``_editor``), when, its review status and note, and the answers it
changed against the revision before, main form and roster (a member added or
removed shows as every one of its answers changing from or to nothing). A review
decision (``set_status``) changes no answer, only the status.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from survey.questionnaire.model import Instrument
from survey.questionnaire.schema import table_schemas
from survey.store.frames import arrange, sorted_rows, to_pandas
from survey.store.inputs import check_response_id
from survey.store.reading import repeat_rows
from survey.store.receipts import UnknownResponse


@dataclass(frozen=True)
class Change:
    question: str
    member: int | None        # the roster item (0-based) for a repeat group's question
    repeat: str | None        # the repeat group's name
    old: Any                  # None when there was no answer
    new: Any


@dataclass(frozen=True)
class Revision:
    revision: int
    editor: str
    submitted_at: dt.datetime
    status: str
    note: str | None
    changes: tuple[Change, ...]


def _value(value: Any) -> Any:
    """A stored cell as a comparable answer (None when unanswered; lists as tuples)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ndarray":
        return tuple(str(v) for v in value) or None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() and value.tzinfo is None else value.to_pydatetime()
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value


def _answers(row: dict, names: list[str]) -> dict[str, Any]:
    return {name: _value(row.get(name)) for name in names}


@dataclass(frozen=True)
class ResponseRows:
    """One response's stored rows, every revision: its main-table rows (``store.history``, oldest
    first) and each repeat table's rows (unsorted; None without files)."""

    history: pd.DataFrame
    repeats: dict[str, pa.Table | None]


def response_rows(store, inst: Instrument, response_id: str, every: pd.DataFrame | None = None) -> ResponseRows:
    """Every revision's rows of ``response_id`` (UnknownResponse when absent), read once for both
    :func:`revisions` and survey.store.stored_answers (each query scans the table's files).
    ``every``: ``store.read(inst.id, history=True)`` when the caller holds it (the review page's
    queue has just read it): the main-table rows are picked from it, not queried again."""
    history = store.history(inst.id, response_id) if every is None else _history(every, inst.id, response_id)
    return ResponseRows(history, {inst.table_name(r): repeat_rows(store.responses, inst.id, inst.table_name(r), True,
                                                                  rid=response_id) for r in inst.repeats})


def _history(every: pd.DataFrame, instrument_id: str, response_id: str) -> pd.DataFrame:
    """What ``store.history`` gives, from the read of every revision: the response's rows by revision."""
    check_response_id(response_id)   # as store.history: a malformed id is a ValueError
    mine = every[(every["_response_id"] == response_id).to_numpy(dtype=bool)]
    if mine.empty:
        raise UnknownResponse(f"{instrument_id}: no response {response_id}")
    return mine.iloc[np.argsort(mine["_revision"].to_numpy(), kind="stable")].reset_index(drop=True)


def revisions(store, inst: Instrument, response_id: str, rows: ResponseRows | None = None) -> list[Revision]:
    """Every revision of ``response_id`` with its changes (UnknownResponse when absent); from
    ``rows`` (:func:`response_rows`) when given."""
    if rows is None:
        rows = response_rows(store, inst, response_id)
    history = rows.history
    main_names = [q.name for q in inst.questions if q.stores_answer]
    rosters: dict[int, dict[str, list[dict]]] = {}
    schemas = table_schemas(inst)
    for repeat in inst.repeats:
        table = inst.table_name(repeat)
        found = rows.repeats[table]
        if found is None or found.num_rows == 0:
            continue
        frame = to_pandas(arrange(sorted_rows(found, ["_revision", "_member_index"]), schemas[table]))
        names = [q.name for q in repeat.questions if q.stores_answer]
        for revision, items in frame.groupby("_revision", sort=True):
            rosters.setdefault(int(revision), {})[repeat.name] = [_answers(r, names) for r in items.to_dict("records")]
    out: list[Revision] = []
    before: dict[str, Any] | None = None
    before_roster: dict[str, list[dict]] = {}
    for row in history.to_dict("records"):
        revision = int(row["_revision"])
        now = _answers(row, main_names)
        roster = rosters.get(revision, {})
        changes: list[Change] = []
        if before is not None:
            changes += [Change(name, None, None, before[name], now[name]) for name in main_names
                        if before[name] != now[name]]
            for repeat in inst.repeats:
                old_items, new_items = before_roster.get(repeat.name, []), roster.get(repeat.name, [])
                for i in range(max(len(old_items), len(new_items))):
                    old = old_items[i] if i < len(old_items) else {}
                    new = new_items[i] if i < len(new_items) else {}
                    for q in repeat.questions:
                        if q.stores_answer and old.get(q.name) != new.get(q.name):
                            changes.append(Change(q.name, i, repeat.name, old.get(q.name), new.get(q.name)))
        out.append(Revision(revision, str(row.get("_editor") or row.get("_enumerator")),
                            pd.Timestamp(row["_submitted_at"]).to_pydatetime(), str(row["_status"]),
                            None if row.get("_note") is None or row.get("_note") is pd.NA else str(row["_note"]),
                            tuple(changes)))
        before, before_roster = now, roster
    return out
