"""Analysis results computed once per state of the data, outside Streamlit (the data API's cache).

A result is keyed on the builder's qualified name, its arguments, and :func:`data_token`: the
store's ``state_token()`` (a digest of each table folder's file names) plus the modification time
and size of the questionnaires, ``frame.csv``, ``population.csv`` and ``kelurahan.csv`` (the design files), and
the ``SURVEY_OUT_OF_CORE_ROWS`` setting (a change never serves a table made under the other). So a
dashboard polling every minute costs one listing per table folder while nothing changed; a new
submission, a review, an upload or an edited design changes the token and the next request
computes again. ui/results/data_cache.py keys its ``st.cache_data`` on the same token, and builds
the tables of an unfiltered, weighted view through :func:`result`: a table a page has shown is a
cache read for the API, and the other way round.

Two small LRUs, thread-safe (the API answers from a thread pool): Datasets (large) and the
results built from them (small). Cached objects are shared, not copied: SummaryTables are
immutable and the API only reads Datasets. Two threads missing the same key at once both
compute (no per-key lock): harmless, and rare for a dashboard.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Hashable

from analysis.dataset.datafiles import FRAME_FILE, KELURAHAN_FILE, POPULATION_FILE

DATASET_ENTRIES = 4
RESULT_ENTRIES = 256


def data_token(store) -> tuple:
    """What every result depends on besides its options (see the module docstring)."""
    files = []
    root = Path(store.root)
    for path in [*sorted(store.instruments_dir.glob("*.yaml")), root / FRAME_FILE, root / POPULATION_FILE,
                 root / KELURAHAN_FILE]:
        try:
            stat = path.stat()
            files.append((path.name, stat.st_mtime_ns, stat.st_size))
        except FileNotFoundError:
            files.append((path.name, None, None))
    from analysis.tables.out_of_core import row_limit  # past it, tables come out of core (issue 24)

    return store.state_token(), tuple(files), ("out_of_core_rows", row_limit())


class LRU:
    """A bounded mapping, least recently used out first; every access under one lock."""

    def __init__(self, entries: int):
        self.entries = entries
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            self.misses += 1
        value = compute()   # outside the lock: other keys stay readable meanwhile
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)
        return value

    def peek(self, key: Hashable, default: Any = None) -> Any:
        """The cached value (counted as a hit), or ``default`` without computing anything."""
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            self.hits += 1
            return self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


DATASETS = LRU(DATASET_ENTRIES)
RESULTS = LRU(RESULT_ENTRIES)


def qualified_name(builder: Callable) -> str:
    """What a result's key calls its builder: ``module.qualname`` (a test's stand-in may borrow them).
    A lambda or a nested function is refused: two of them would share a name, and so a result."""
    if "<" in builder.__qualname__:
        raise ValueError(f"a result's builder must be a named module-level function, not {builder.__qualname__}")
    return f"{builder.__module__}.{builder.__qualname__}"


def dataset(store, instrument_id: str, lang: str, token: tuple | None = None):
    """The instrument's Dataset (every counted status), labels in ``lang``, cached."""
    from analysis.dataset.dataset import load_dataset
    from survey.questionnaire.schema import COUNTED_STATUSES

    token = data_token(store) if token is None else token
    key = (str(store.root), token, instrument_id, lang)
    return DATASETS.get(key, lambda: load_dataset(store, instrument_id, lang=lang, statuses=COUNTED_STATUSES))


def _key(builder: Callable, store, token: tuple, instruments: tuple[str, ...], lang: str, options: dict) -> tuple:
    return qualified_name(builder), str(store.root), token, tuple(instruments), lang, tuple(sorted(options.items()))


def result(builder: Callable, store, instruments: tuple[str, ...], lang: str, *, _token: tuple | None = None,
           _load: Callable[[str], Any] | None = None, **options) -> Any:
    """``builder(*datasets, **options)`` on the instruments' Datasets in ``lang``, cached under the
    builder's qualified name, the arguments and the store's :func:`data_token`.  ``_load(instrument)``
    gives a Dataset in place of this module's (the pages pass their own cache's copy)."""
    token = data_token(store) if _token is None else _token

    def compute():
        load = _load or (lambda name: dataset(store, name, lang, token))
        return builder(*(load(name) for name in instruments), **options)
    return RESULTS.get(_key(builder, store, token, instruments, lang, options), compute)


ABSENT = object()


def cached_result(builder: Callable, store, instruments: tuple[str, ...], lang: str, *, _token: tuple | None = None,
                  **options) -> Any:
    """What :func:`result` would return if it is cached, else ``ABSENT`` (nothing is computed)."""
    token = data_token(store) if _token is None else _token
    return RESULTS.peek(_key(builder, store, token, instruments, lang, options), ABSENT)


def clear() -> None:
    DATASETS.clear()
    RESULTS.clear()
