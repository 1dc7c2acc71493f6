"""Which (response, revision) pairs each part holds, read once per part and kept.

A durable submit asks whether another copy of its (response, revision) is stored already
(survey.store.commit): a part merged while the writer was stalled, or one whose marker was
lost. Reading every part's ids for each submit costs tens of milliseconds at 100,000
households; parts are never rewritten and their names never reused, so each part's pairs
are read once, kept, and the parts that cannot hold the pair are left out of the query.
A part not read yet stays in the query and is read in a background thread (a submit never
waits for it); one that cannot be read stays in the query, which deals with it as before.
"""

from __future__ import annotations

import threading
from typing import Iterable

import pyarrow as pa
import pyarrow.parquet as pq

KEPT_PARTS = 4096


class PartKeys:
    def __init__(self) -> None:
        self._keys: dict[str, frozenset[tuple[str, int]]] = {}
        self._loading: set[str] = set()
        self._lock = threading.Lock()

    def _load(self, path: str) -> None:
        try:
            table = pq.read_table(path, columns=["_response_id", "_revision"])
            found = frozenset(zip(table.column("_response_id").to_pylist(), table.column("_revision").to_pylist()))
        except (OSError, pa.ArrowException, KeyError):
            found = None
        with self._lock:
            self._loading.discard(path)
            if found is not None:
                if len(self._keys) >= KEPT_PARTS:
                    self._keys.clear()
                self._keys[path] = found

    def load(self, path) -> None:
        """Read the pairs of a part now (compaction, right after writing it)."""
        path = str(path)
        with self._lock:
            if path in self._keys or path in self._loading:
                return
            self._loading.add(path)
        self._load(path)

    def _load_all(self, paths: list[str]) -> None:
        for path in paths:
            self._load(path)

    def known(self, parts: Iterable[str]) -> bool:
        """Whether every one of ``parts`` has been read (tests)."""
        with self._lock:
            return all(path in self._keys for path in parts)

    def that_may_hold(self, parts: Iterable[str], rid: str, rev: int) -> list[str]:
        """The parts among ``parts`` that hold (rid, rev), or whose pairs are not known yet."""
        out, unknown = [], []
        with self._lock:
            for path in parts:
                keys = self._keys.get(path)
                if keys is None:
                    out.append(path)
                    if path not in self._loading:
                        self._loading.add(path)
                        unknown.append(path)
                elif (rid, rev) in keys:
                    out.append(path)
        if unknown:
            threading.Thread(target=self._load_all, args=(unknown,), name="part-keys", daemon=True).start()
        return out
