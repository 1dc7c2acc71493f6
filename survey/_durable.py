"""Crash-safe file primitives: what makes a written file survive a power cut.

A file is written under a hidden temp name in its final folder, flushed and
fsynced, then published under its real name (a link or a rename), and the
folder is fsynced so that the new name is durable too. Nothing here knows about
tables or responses; survey.store and survey._compaction decide what to write.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

TEMP = ".tmp-"  # prefix of a file being written; never read (hidden)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


def write_parquet_temp(folder: Path, table: pa.Table) -> tuple[Path, os.stat_result]:
    """`table` written and fsynced under a temp name in `folder`: (its path, its stat)."""
    tmp = temp_path(folder, ".parquet")
    with open(tmp, "xb") as handle:
        pq.write_table(table, handle)
        handle.flush()
        os.fsync(handle.fileno())
        stat = os.fstat(handle.fileno())
    return tmp, stat


def replace_with_json(path: Path, data: Any) -> None:
    """Atomically (re)place `path` with `data` as JSON: temp, fsync, rename, folder fsync."""
    folder = path.parent
    tmp = temp_path(folder, ".json")
    with open(tmp, "x", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_dir(folder)


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
