"""Compaction: merging a table's small files into parts, never losing or doubling a row.

Compaction (one per table at a time: ``flock`` on ``.lock``) writes the journal,
merges small files and small parts into one ``part-<uuid>.parquet`` (temp, fsync,
rename, folder fsync), writes the markers, deletes the merged files, then the
journal. An interrupted compaction is finished (or undone) by the next one; old
temp files and repeat files of submissions that never committed are collected.

Readers (survey._reading) rely on the journal and the markers to read each row
once while a compaction runs; survey.store decides when to compact.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from survey._durable import fsync_dir, fsync_file, old_temps, replace_with_json, temp_path, unlink
from survey._layout import COMMITTED, JOURNAL, MAIN_FILE, PART, REPEAT_FILE, marker, scan
from survey._reading import connect, query

_MAIN_KEY = "_response_id, _revision"
_REPEAT_KEY = "_response_id, _revision, _member_index"


def compact_table(folder: Path, parent: str | None, wait: bool, part_bytes: int, orphan_seconds: float) -> int:
    """Compact one table's folder; return the number of files merged.

    `parent`: None for a main table; for a repeat table, its main table (a sibling
    folder). `wait=False`: return 0 at once when another thread or process is
    compacting this table. `part_bytes`: parts smaller than this are merged again.
    `orphan_seconds`: age after which temp files and repeat files of submissions
    that never committed are deleted.
    """
    with _lock(folder, wait) as locked:
        if not locked:
            return 0
        main = parent is None
        _recover(folder, main)
        small, parts = scan(folder)
        if main:
            merge_names, drop = _main_inputs(folder, small)
        else:
            merge_names, drop = _repeat_inputs(folder, small, parent, orphan_seconds)
        small_parts = _small_parts(folder, parts, part_bytes)
        inputs = merge_names + (small_parts if merge_names or len(small_parts) > 1 else [])
        drop += [p.name for p in old_temps(folder, orphan_seconds)]
        if inputs:
            merge(folder, inputs, _MAIN_KEY if main else _REPEAT_KEY)
            _finish(folder, main, inputs, drop)
        elif drop:
            for name in drop:
                unlink(folder / name)
            fsync_dir(folder)
        return len(inputs)


@contextmanager
def _lock(folder: Path, wait: bool) -> Iterator[bool]:
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                yield False
                return
            raise
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _recover(folder: Path, main: bool) -> None:
    """Finish (or undo) a compaction that was interrupted; called under the lock."""
    try:
        with open(folder / JOURNAL, encoding="utf-8") as handle:
            journal = json.load(handle)
    except FileNotFoundError:
        return
    except ValueError:
        journal = {}
    part, inputs = journal.get("part"), journal.get("inputs") or []
    if isinstance(part, str) and (folder / part).exists():
        _finish(folder, main, inputs, [])
    else:
        unlink(folder / JOURNAL)
        fsync_dir(folder)


def _main_inputs(folder: Path, small: list[str]) -> tuple[list[str], list[str]]:
    """(to merge, to delete) among a main table's small files."""
    merge_names, drop = [], []
    for name in small:
        m = MAIN_FILE.fullmatch(name)
        if not m:
            continue
        if marker(folder, m["rid"], int(m["rev"])).exists():
            drop.append(name)  # already in a part; or a losing duplicate
        else:
            merge_names.append(name)
    return merge_names, drop


def _repeat_inputs(folder: Path, small: list[str], parent: str, orphan_seconds: float) -> tuple[list[str], list[str]]:
    """(to merge, to delete) among a repeat table's small files.

    A file is merged when its (response, revision, token) is committed in the
    parent's main table, deleted when another token won that (response, revision)
    or when it never committed and is older than `orphan_seconds`.
    """
    files = {}
    for name in small:
        m = REPEAT_FILE.fullmatch(name)
        if m:
            files[name] = (m["rid"], int(m["rev"]), int(m["tok"]))
    committed: dict[tuple[str, int], int] = {}
    if files:
        rids = sorted({rid for rid, _, _ in files.values()})

        def build(listings):
            if not listings[parent].files:
                return None
            return (
                "SELECT DISTINCT _response_id, _revision, epoch_us(_submitted_at) AS tok "
                "FROM read_parquet($files, union_by_name = true) WHERE _response_id IN (SELECT unnest($rids))"
            ), {"files": listings[parent].files, "rids": rids}

        rows = query(folder.parent, build, {parent: True})
        if rows is not None:
            for row in rows.to_pylist():
                committed[(row["_response_id"], row["_revision"])] = row["tok"]
    cutoff = time.time() - orphan_seconds
    merge_names, drop = [], []
    for name, (rid, rev, tok) in sorted(files.items()):
        owner = committed.get((rid, rev))
        if owner == tok:
            merge_names.append(name)
        elif owner is not None:
            drop.append(name)  # lost the race for this (rid, rev): never visible
        else:
            try:  # not committed (yet): an in-flight submission, or a crash's leftover
                if (folder / name).stat().st_mtime < cutoff:
                    drop.append(name)
            except FileNotFoundError:
                pass
    return merge_names, drop


def _small_parts(folder: Path, parts: list[str], part_bytes: int) -> list[str]:
    out = []
    for name in parts:
        try:
            if (folder / name).stat().st_size < part_bytes:
                out.append(name)
        except FileNotFoundError:
            pass
    return out


def merge(folder: Path, names: list[str], key: str) -> str:
    """Write the deduplicated union of `names` as a new part; return its name.

    Journal first (so readers know a part and its sources may both be visible,
    and an interrupted compaction can be finished), then temp, fsync, rename,
    folder fsync.
    """
    part = f"{PART}{uuid.uuid4().hex}.parquet"
    replace_with_json(folder / JOURNAL, {"part": part, "inputs": names})
    tmp = temp_path(folder, ".parquet")
    con = connect()
    try:
        con.execute(
            f"COPY (SELECT * FROM read_parquet($files, union_by_name = true) "
            f"QUALIFY row_number() OVER (PARTITION BY {key}) = 1) TO {_sql_text(str(tmp))} (FORMAT parquet)",
            {"files": [str(folder / n) for n in names]},
        )
    finally:
        con.close()
    fsync_file(tmp)
    os.rename(tmp, folder / part)
    fsync_dir(folder)
    return part


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _finish(folder: Path, main: bool, inputs: list[str], drop: list[str]) -> None:
    """After the part is published: markers, then delete the inputs, then the journal."""
    if main:
        keys = [f"{m['rid']}__r{m['rev']}" for m in map(MAIN_FILE.fullmatch, inputs) if m]
        if keys:
            committed = folder / COMMITTED
            if not committed.is_dir():
                committed.mkdir(exist_ok=True)
                fsync_dir(folder)
            for key in keys:
                os.close(os.open(committed / key, os.O_WRONLY | os.O_CREAT, 0o644))
            fsync_dir(committed)
    for name in inputs + drop:
        unlink(folder / name)
    fsync_dir(folder)
    unlink(folder / JOURNAL)
    fsync_dir(folder)
