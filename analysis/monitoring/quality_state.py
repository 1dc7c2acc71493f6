"""The monitor's quality checks, brought up to date with what changed since the last state of the store.

``checked(store, instrument_id, lang)`` gives what survey.fieldwork.quality.checked gives (the
current records, the durations, the flags) for the store as it is now. The store's reads
are themselves brought up to date with only the responses that changed
(survey.store.read_cache); the checks that look at one interview at a time run only on the
new and revised responses (survey.fieldwork.quality_rows), kept per data folder and
questionnaire in this process; the flags that compare interviews are worked out again over
every response, from the kept values. The result equals a full recomputation.
"""

from __future__ import annotations

import threading

import pandas as pd

from survey.fieldwork import quality
from survey.fieldwork.quality_rows import RowMemo

_memos: dict[tuple[str, str], RowMemo] = {}
_lock = threading.Lock()


def memo_for(store, instrument_id: str) -> RowMemo:
    """The row-wise results kept for this data folder and questionnaire."""
    with _lock:
        return _memos.setdefault((str(store.root), instrument_id), RowMemo())


def checked(store, instrument_id: str, lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(current records, durations, flags) of ``instrument_id``, as survey.fieldwork.quality.checked."""
    return quality.checked(store, instrument_id, lang, memo=memo_for(store, instrument_id))


def forget() -> None:
    """Drop every kept result (tests; a benchmark's first visit)."""
    with _lock:
        _memos.clear()
