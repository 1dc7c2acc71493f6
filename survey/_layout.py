"""One table's folder on disk: the names of its files, its markers and its journal.

Layout (``root/responses/<table>/``, one folder per table; see DESIGN.md "Storage")::

    <rid>__r<rev>.parquet           main table: one small file per submission/revision
    <rid>__r<rev>__t<token>.parquet repeat tables: one small file per submission
    part-<uuid>.parquet             compacted files (many rows)
    _committed/<rid>__r<rev>        main table: this (response, revision) is in a part
    _compacting                     journal of the compaction in progress: {part, inputs}
    .tmp-<uuid>.parquet             being written; never read (hidden prefix)
    .lock                           compaction lock (fcntl.flock)

Writers (survey.store), readers (survey._reading) and compaction
(survey._compaction) all name and find files through this module.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

MAIN_FILE = re.compile(r"(?P<rid>[A-Za-z0-9_-]{1,64})__r(?P<rev>[0-9]+)\.parquet")
REPEAT_FILE = re.compile(r"(?P<rid>[A-Za-z0-9_-]{1,64})__r(?P<rev>[0-9]+)__t(?P<tok>[0-9]+)\.parquet")
PART = "part-"
COMMITTED = "_committed"
JOURNAL = "_compacting"


def marker(folder: Path, rid: str, rev: int) -> Path:
    """The `_committed` marker of (rid, rev) in a main table's folder."""
    return folder / COMMITTED / f"{rid}__r{rev}"


def scan(folder: Path) -> tuple[list[str], list[str]]:
    """(small files, parts) visible in the table's folder, by name."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return [], []
    small, parts = [], []
    for name in names:
        if not name.endswith(".parquet") or name.startswith("."):
            continue
        (parts if name.startswith(PART) else small).append(name)
    return small, parts


def read_journal(folder: Path) -> tuple[str, list[str]] | None:
    """(part, inputs) of the compaction in progress (or interrupted), if any."""
    try:
        with open(folder / JOURNAL, encoding="utf-8") as handle:
            data = json.load(handle)
        return str(data["part"]), [str(n) for n in data["inputs"]]
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        return None
