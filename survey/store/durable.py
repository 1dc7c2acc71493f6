"""Crash-safe file primitives: what makes a written file survive a power cut.

A file is written under a hidden temp name in its final folder, flushed and
fsynced, then published under its real name (a link or a rename), and the
folder is fsynced so that the new name is durable too. Nothing here knows about
tables or responses; survey.store.commit and survey.store.compaction decide what to write.

A write that fails (a full disk above all) removes its temp file before the error
is raised, so failed submissions leave nothing behind; `storage_error` turns the
ways a full disk is reported (OSError, pyarrow, DuckDB) into one StorageFull.
"""

from __future__ import annotations

import errno
import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

TEMP = ".tmp-"  # prefix of a file being written; never read (hidden)
_FULL = (errno.ENOSPC, errno.EDQUOT)


class StorageFull(OSError):
    """The data folder's disk (or quota) is full: nothing was stored. errno is ENOSPC."""

    def __init__(self, detail: str = ""):
        super().__init__(errno.ENOSPC, "No space left on device" + (f" ({detail})" if detail else ""))


def is_full(exc: BaseException) -> bool:
    """True for the errors a full disk causes, however the library reports them."""
    if isinstance(exc, OSError) and exc.errno in _FULL:
        return True
    text = str(exc)
    return "No space left on device" in text or "Disk quota exceeded" in text or '"errno":"28"' in text


def storage_error(exc: BaseException) -> BaseException:
    """`exc` itself, or a StorageFull in its place when it means the disk is full."""
    if isinstance(exc, StorageFull) or not is_full(exc):
        return exc
    full = StorageFull(str(exc)[:200])
    full.__cause__ = exc
    return full


class _DirSyncs:
    """The fsyncs of one folder in this process: `started` numbers them, `done` is the last finished."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.started = 0
        self.done = 0
        self.running = False


_dir_syncs: dict[str, _DirSyncs] = {}
_dir_syncs_lock = threading.Lock()


def fsync_dir(folder: Path) -> None:
    """Make the folder's entries (names linked, renamed or deleted in it) durable.

    Group commit: a folder fsync covers every change made in the folder before it started,
    so a thread that finds one running waits for it to end and then for one started after it
    came (by itself or by another waiting thread). Several writers waiting on one folder
    share one fsync instead of queueing one each; each still returns only after an fsync
    that began after its call. A failed fsync answers no one but its caller (the others try again).
    """
    with _dir_syncs_lock:
        syncs = _dir_syncs.setdefault(os.fspath(folder), _DirSyncs())
    with syncs.cond:
        needed = syncs.started + 1   # the first fsync to start after this call
        while syncs.done < needed and syncs.running:
            syncs.cond.wait()
        if syncs.done >= needed:
            return
        syncs.running = True
        syncs.started += 1
        mine = syncs.started
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with syncs.cond:
            syncs.running = False
            syncs.cond.notify_all()
        raise
    with syncs.cond:
        syncs.running = False
        syncs.done = mine
        syncs.cond.notify_all()


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def unlink(path: Path) -> None:
    """Delete `path`; a file that is already gone is fine."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def temp_path(folder: Path, suffix: str) -> Path:
    """A fresh hidden temp name in `folder`."""
    return folder / f"{TEMP}{uuid.uuid4().hex}{suffix}"


def write_parquet_temp(folder: Path, table: pa.Table, sync: bool = True) -> tuple[Path, os.stat_result]:
    """`table` written and fsynced under a temp name in `folder`: (its path, its stat).
    `sync=False`: not fsynced (the caller fsyncs it, fsync_file, before publishing it)."""
    tmp = temp_path(folder, ".parquet")
    try:
        with open(tmp, "xb") as handle:
            pq.write_table(table, handle)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
            stat = os.fstat(handle.fileno())
    except BaseException:
        unlink(tmp)
        raise
    return tmp, stat


def replace_bytes(path: Path, data: bytes, mode: int = 0o666) -> None:
    """Atomically (re)place `path` with `data`: temp, fsync, rename, folder fsync. A reader sees
    the old file or the new one, never a part. `mode` (before the umask) is the new file's,
    e.g. 0o600 for one only the owner may read."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(folder, path.suffix)
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        unlink(tmp)
        raise
    fsync_dir(folder)


def replace_with_json(path: Path, data: Any, mode: int = 0o666) -> None:
    """Atomically (re)place `path` with `data` as JSON (:func:`replace_bytes`, `mode` as there)."""
    replace_bytes(path, json.dumps(data).encode("utf-8"), mode=mode)


def write_bytes_exclusive(path: Path, data: bytes, mode: int = 0o666) -> bool:
    """Publish `data` durably as `path` unless it exists; True when this call created it.
    `mode` (before the umask) as in :func:`replace_bytes`."""
    folder = path.parent
    tmp = temp_path(folder, path.suffix)
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
    finally:
        unlink(tmp)
    fsync_dir(folder)
    return True


def old_temps(folder: Path, min_age_seconds: float) -> list[Path]:
    """Temp files in `folder` untouched for `min_age_seconds`: left by writers that crashed."""
    cutoff = time.time() - min_age_seconds
    out = []
    for entry in os.scandir(folder):
        if entry.name.startswith(TEMP):
            try:
                if entry.stat().st_mtime < cutoff:
                    out.append(Path(entry.path))
            except FileNotFoundError:
                pass
    return out
