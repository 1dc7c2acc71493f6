"""The last read of each table, kept and brought up to date with only what changed since.

Stored files are never rewritten (survey.store.layout), so a table whose folders list the
same names holds the same rows. After a submission, a revision or a review decision, the
folders differ only by new small files: their names say which responses changed, and
only those responses' rows are read again (the same SQL as a whole read, restricted to
those ids, so the result is what a whole read gives). The kept frame loses those
responses' old rows and gets the new ones at their place in the read's order: slices and
one concatenation, no sort of the whole table. Anything else (a compaction, a
quarantined file, a journal, another questionnaire version, more than a few hundred
changed responses) means a whole read, as without this cache.

A ResponseStore keeps one entry per (table, history) and hands out shallow copies:
pandas' copy-on-write keeps a caller's changes to its frame away from the kept one (the
select_multiple lists are shared, as read() documents).
"""

from __future__ import annotations

import bisect
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from survey.store.layout import COMMITTED, JOURNAL, MAIN_FILE, REPEAT_FILE, scan

MAIN_ORDER = ["_submitted_at", "_response_id", "_revision"]
REPEAT_ORDER = ["_response_id", "_revision", "_member_index"]
MAX_CHANGED = 256     # more changed responses than this: a whole read is as quick
MAX_PIECES = 400      # slices joined since the last whole read: then read whole again (fewer Arrow chunks)


@dataclass(frozen=True)
class FolderState:
    parts: frozenset[str]
    small: frozenset[str]
    committed: int | None    # the _committed folder's mtime: a marker added or moved changes what is read
    journal: bool


def folder_state(folder: Path, main: bool) -> FolderState:
    found = scan(folder, main)
    try:
        committed = os.stat(folder / COMMITTED).st_mtime_ns if main else None
    except FileNotFoundError:
        committed = None
    return FolderState(frozenset(found.parts), frozenset(found.small), committed, (folder / JOURNAL).exists())


@dataclass
class Entry:
    states: dict[str, FolderState]   # folder name -> what it listed when the frame was read
    schema: pa.Schema
    frame: pd.DataFrame
    keys: list[np.ndarray] | None    # the frame's order keys as numpy arrays, made when first needed ([]: gaps)
    rows: dict[str, dict[str, int]]  # folder name -> file name -> its rows (to know a compaction's part)
    pieces: int = 0


def _changed_ids(before: dict[str, FolderState], now: dict[str, FolderState]) -> set[str] | None:
    """The responses with new small files, or None when the change is not only new small files."""
    changed: set[str] = set()
    for name, state in now.items():
        old = before.get(name)
        if old is None or state.journal or old.journal or state.parts != old.parts \
                or state.committed != old.committed or not old.small <= state.small:
            return None
        for file in state.small - old.small:
            m = MAIN_FILE.fullmatch(file) or REPEAT_FILE.fullmatch(file)
            if m is None:
                return None
            changed.add(m["rid"])
    return changed


def _key(name: str) -> tuple[str, int] | None:
    m = MAIN_FILE.fullmatch(name) or REPEAT_FILE.fullmatch(name)
    return None if m is None else (m["rid"], int(m["rev"]))


def _counts(folder: Path, main: bool, names) -> dict[str, int] | None:
    """Rows per file (a main table's small file holds one); None when one cannot be read."""
    out = {}
    for name in names:
        if main and MAIN_FILE.fullmatch(name):
            out[name] = 1
            continue
        try:
            out[name] = pq.read_metadata(folder / name).num_rows
        except (OSError, pa.ArrowException):
            return None
    return out


def _compacted(folder: Path, old: FolderState, now: FolderState, rows: dict[str, int], known) -> set[str] | None:
    """The responses with rows the kept frame lacks in the parts new in ``now`` (small files
    written after the last read and compacted since), when the files gone from ``old`` went
    into those parts: every gone small file's (response, revision) is there, and the parts'
    rows are the gone files' and those new ones. None otherwise."""
    gone = (old.parts - now.parts) | (old.small - now.small)
    added = now.parts - old.parts
    if not added or any(name not in rows for name in gone):
        return None
    try:
        tables = [pq.read_table(folder / name, columns=["_response_id", "_revision"]) for name in added]
    except (OSError, pa.ArrowException, KeyError):
        return None
    rows_of = [list(zip(t.column("_response_id").to_pylist(), t.column("_revision").to_pylist())) for t in tables]
    kept = known({rid for part in rows_of for rid, _ in part})
    if kept is None:
        return None
    pairs, latest = kept
    merged, fresh, fresh_rows = set(), set(), 0
    for part in rows_of:
        for rid, rev in part:
            merged.add((rid, rev))
            if (rid, rev) not in pairs and rev > latest.get(rid, 0):
                fresh.add(rid)
                fresh_rows += 1
    if sum(t.num_rows for t in tables) != sum(rows[name] for name in gone) + fresh_rows:
        return None
    return fresh if all(_key(name) in merged for name in old.small - now.small) else None


def _transition(entry: Entry, now: dict[str, FolderState], folders, order: list[str]) -> tuple[set[str], dict] | None:
    """(the responses to read again, the rows per file now) when the folders changed only by new
    small files and by compactions (the rows of the files they replaced in a new part); else None."""
    changed: set[str] = set()
    rows = {}

    def known(rids: set[str]):
        """(response, revision) pairs of the kept frame's rows of `rids`, and those responses'
        latest revisions; None when the kept frame's keys have a gap. Only those rows: a
        compaction's new part holds the few responses written since the last read, and a set
        of every row's pair took 0.2 s at 100,000 households."""
        keys = entry_keys(entry, order)
        if keys is None:
            return None
        at = np.flatnonzero(entry.frame["_response_id"].isin(list(rids)).to_numpy(dtype=bool))
        rid, rev = keys[order.index("_response_id")][at], keys[order.index("_revision")][at]
        pairs = set(zip(rid.tolist(), rev.tolist()))
        latest: dict[str, int] = {}
        for r, v in pairs:
            if v > latest.get(r, 0):
                latest[r] = v
        return pairs, latest

    for name, state in now.items():
        old, path, main = entry.states.get(name), *folders[name]
        if old is None or state.journal or old.journal:
            return None
        counts = dict(entry.rows.get(name, {}))
        if state.parts != old.parts or not old.small <= state.small:
            fresh = _compacted(path, old, state, counts, known)
            new_parts = _counts(path, main, state.parts - old.parts) if fresh is not None else None
            if new_parts is None:
                return None
            changed |= fresh
            counts.update(new_parts)
        elif state.committed != old.committed:   # a marker added or set aside without a compaction
            return None
        added = state.small - old.small
        for file in added:
            key = _key(file)
            if key is None:
                return None
            changed.add(key[0])
        new_small = _counts(path, main, added)
        if new_small is None:
            return None
        counts.update(new_small)
        rows[name] = {f: counts[f] for f in state.parts | state.small if f in counts}
    return changed, rows


def entry_keys(entry: Entry, order: list[str]) -> list[np.ndarray] | None:
    """The kept frame's order keys (made once, on first use), or None when one has a gap."""
    if entry.keys is None:
        entry.keys = order_keys(entry.frame, order) or []
    return entry.keys or None


def order_keys(frame: pd.DataFrame, order: list[str]) -> list[np.ndarray] | None:
    """The order columns as numpy arrays (times as integers), or None when one has a gap
    (a whole read's order puts gaps last; the cache does not try to follow it)."""
    keys = []
    for name in order:
        column = frame[name]
        if column.isna().any():
            return None
        if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(column.dtype):
            keys.append(np.asarray(column.array.asi8, dtype=np.int64))
        elif pd.api.types.is_integer_dtype(column.dtype):
            keys.append(column.to_numpy(dtype=np.int64))
        else:
            keys.append(column.to_numpy(dtype=object))
    return keys


class ReadCache:
    """One kept read per (table, history); see the module docstring."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, bool], Entry] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def read(self, key: tuple[str, bool], folders: dict[str, tuple[Path, bool]], schema: pa.Schema,
             order: list[str], whole: Callable[[], pd.DataFrame],
             some: Callable[[set[str]], pd.DataFrame]) -> pd.DataFrame:
        """The table's frame: ``whole()`` reads it all, ``some(ids)`` the rows of those responses
        (both as ResponseStore.read shapes them); ``folders``: name -> (folder, is main) of every
        folder the read lists."""
        def look() -> dict[str, FolderState]:
            return {name: folder_state(path, main) for name, (path, main) in folders.items()}

        states = look()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry.schema.equals(schema):
            moved = _transition(entry, states, folders, order)
            changed, rows = moved if moved is not None else (None, None)
            if changed is not None and len(changed) <= MAX_CHANGED:
                if not changed:
                    entry = Entry(states, schema, entry.frame, entry.keys, rows, entry.pieces)
                    with self._lock:
                        self._entries[key] = entry
                    return entry.frame.copy(deep=False)
                updated = self._update(entry, states, rows, changed, order, some, look)
                if updated is not None:
                    with self._lock:
                        self._entries[key] = updated
                    return updated.frame.copy(deep=False)
        frame = whole()
        counts = {name: _counts(path, main, states[name].parts | states[name].small)
                  for name, (path, main) in folders.items()}
        with self._lock:
            if any(c is None for c in counts.values()):
                self._entries.pop(key, None)
            else:   # the order keys are made when an update first needs them (a first read does not wait)
                self._entries[key] = Entry(states, schema, frame, None, counts)
        return frame.copy(deep=False)

    def _update(self, entry: Entry, states, counts, changed: set[str], order: list[str], some, look) -> Entry | None:
        new = some(changed)
        if _changed_ids(states, look()) is None:   # the read itself set a file aside, or a compaction ran
            return None
        old = entry.frame
        if list(new.columns) != list(old.columns) or any(
                new[c].dtype != old[c].dtype for c in old.columns if len(new)):
            return None
        new_keys = order_keys(new, order)
        old_keys = entry_keys(entry, order)
        if new_keys is None or old_keys is None:
            return None
        n = len(old)
        gone = old["_response_id"].isin(changed).to_numpy(dtype=bool)
        # A new row ties only with an old row of the same response, which goes: places among all old rows do.
        places = _places(old_keys, new_keys)
        rows = np.insert(np.arange(n), places, n + np.arange(len(new)))   # positions in old, then new (n + i)
        rows = rows[~np.r_[gone, np.zeros(len(new), dtype=bool)][rows]]
        if len(rows) == 0:   # nothing left (a repeat file whose household is not stored yet, say)
            return Entry(states, entry.schema, old.iloc[:0].reset_index(drop=True), [k[:0] for k in old_keys],
                         counts, entry.pieces)
        from_new = rows >= n
        starts = np.flatnonzero(np.r_[True, (np.diff(rows) != 1) | (from_new[1:] != from_new[:-1])])
        ends = np.r_[starts[1:], len(rows)]
        if entry.pieces + len(starts) > MAX_PIECES:
            return None
        pieces, keys = [], [[] for _ in order]
        for start, end in zip(starts, ends):
            first = rows[start]
            source, source_keys, at = (old, old_keys, first) if first < n else (new, new_keys, first - n)
            pieces.append(source.iloc[at:at + end - start])
            for part, k in zip(keys, source_keys):
                part.append(k[at:at + end - start])
        frame = pd.concat(pieces, ignore_index=True) if len(pieces) != 1 else pieces[0].reset_index(drop=True)
        keys = [np.concatenate(k) for k in keys]
        return Entry(states, entry.schema, frame, keys, counts, entry.pieces + len(pieces))


def _places(keys: list[np.ndarray], new_keys: list[np.ndarray]) -> np.ndarray:
    """Where each of the (sorted) new rows goes among the old ones (before which old row), by the keys."""
    out = np.empty(len(new_keys[0]), dtype=np.int64)
    first = keys[0]
    for i in range(len(out)):
        target = tuple(k[i].item() if isinstance(k[i], np.generic) else k[i] for k in new_keys)
        lo = int(np.searchsorted(first, new_keys[0][i], side="left"))
        hi = int(np.searchsorted(first, new_keys[0][i], side="right"))
        if hi > lo:   # the same first key: the others decide
            lo += bisect.bisect_left(range(lo, hi), target, key=lambda j: tuple(
                k[j].item() if isinstance(k[j], np.generic) else k[j] for k in keys))
        out[i] = lo
    return out
