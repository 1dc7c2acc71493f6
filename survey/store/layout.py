"""One table's folder on disk: the names of its files, its markers and its journal.

Layout (``root/responses/<table>/``, one folder per table; see DESIGN.md "Storage")::

    <rid>__r<rev>.parquet           main table: one small file per submission/revision
    <rid>__r<rev>__t<token>.parquet repeat tables: one small file per submission
    part-<uuid>.parquet             compacted files (many rows)
    _committed/<rid>__r<rev>        main table: this (response, revision) is in a part
    _compacting                     journal of the compaction in progress: {part, inputs}
    _quarantine/                    files the store cannot read or did not write (survey.store.quarantine)
    .tmp-<uuid>.parquet             being written; never read (hidden prefix)
    .lock                           compaction lock (fcntl.flock)

Names are matched exactly: a ``.parquet`` file whose name fits none of the table's
own patterns (``x__r1__t5 (1).parquet``, a roster file in a main table's folder) is
*foreign*: readers and compaction never read it, and move it to ``_quarantine/``.
Writers (survey.store.commit), readers (survey.store.reading) and compaction
(survey.store.compaction) all name and find files through this module.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

MAIN_FILE = re.compile(r"(?P<rid>[A-Za-z0-9_-]{1,64})__r(?P<rev>[0-9]{1,10})\.parquet")
REPEAT_FILE = re.compile(r"(?P<rid>[A-Za-z0-9_-]{1,64})__r(?P<rev>[0-9]{1,10})__t(?P<tok>[0-9]{1,18})\.parquet")
PART_FILE = re.compile(r"part-[0-9a-f]{32}\.parquet")
# How a response id is told from a name that is not quite ours (a sync tool's "x__r1 (1).parquet").
LOOSE_NAME = re.compile(r"(?P<rid>[A-Za-z0-9_-]{1,64})__r(?P<rev>[0-9]{1,10})")
PART = "part-"
COMMITTED = "_committed"
JOURNAL = "_compacting"
QUARANTINE = "_quarantine"
LOCK = ".lock"
HIDDEN = "."  # temp files, the lock, and what file managers leave (.DS_Store) start with a dot
KNOWN = {COMMITTED, JOURNAL, QUARANTINE, LOCK}


def marker(folder: Path, rid: str, rev: int) -> Path:
    """The `_committed` marker of (rid, rev) in a main table's folder."""
    return folder / COMMITTED / f"{rid}__r{rev}"


def is_small(name: str, main: bool) -> bool:
    """A submission's own file in a main (`main`) or repeat table's folder."""
    return (MAIN_FILE if main else REPEAT_FILE).fullmatch(name) is not None


def is_input(name: str, main: bool) -> bool:
    """A name that compaction may merge (and then delete): a small file or a part."""
    return is_small(name, main) or PART_FILE.fullmatch(name) is not None


@dataclass(frozen=True)
class Scan:
    small: list[str]
    parts: list[str]
    foreign: list[str]  # *.parquet names that fit none of the table's patterns


def scan(folder: Path, main: bool) -> Scan:
    """The table's files visible in `folder`, by name (hidden names are never looked at)."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return Scan([], [], [])
    small_file = MAIN_FILE if main else REPEAT_FILE
    small, parts, foreign = [], [], []
    for name in names:
        if name.startswith(HIDDEN) or not name.endswith(".parquet"):
            continue
        if name.startswith(PART) and PART_FILE.fullmatch(name):
            parts.append(name)
        elif small_file.fullmatch(name):
            small.append(name)
        else:
            foreign.append(name)
    return Scan(small, parts, foreign)


@dataclass(frozen=True)
class Journal:
    part: str
    inputs: list[str]
    ignored: list[str]  # names in the journal that are not this table's own files


def read_journal(folder: Path, main: bool) -> Journal | None:
    """The compaction in progress (or interrupted), if any, with its names checked.

    Only names that fit the table's own patterns are kept (no separators, no
    ``..``): a journal naming ``../../x`` never makes anyone touch that file. A
    journal whose part is not a part name, or that does not parse, is None.
    """
    try:
        with open(folder / JOURNAL, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    part, inputs = data.get("part"), data.get("inputs")
    if not isinstance(part, str) or not PART_FILE.fullmatch(part) or not isinstance(inputs, list):
        return None
    kept = [n for n in inputs if isinstance(n, str) and is_input(n, main)]
    ignored = [str(n)[:200] for n in inputs if not (isinstance(n, str) and is_input(n, main))]
    return Journal(part, kept, ignored)
