"""The snapshots a data API cursor pages through: one Parquet file per paged request.

The first page of a request with more rows than its page reads the store once and writes
the whole answer to ``<snapshot folder>/<id>.parquet`` (row groups of one page), with a small
JSON beside it saying whose it is and of which table. A cursor is ``<id>.<offset>``: the next
pages read only their row groups of that file, never the store, so a table changing between
pages neither repeats nor skips rows. Snapshots live at least SNAPSHOT_SECONDS (the contract
says a cursor stays valid for an hour); older ones are removed when a new one is made.
The folder is ``$SURVEY_API_SNAPSHOTS``, else ``survey-api-snapshots-<uid>`` in the system's temp
folder (outside the data folder: copies, not data to back up), mode 0700, files 0600.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

SNAPSHOT_SECONDS = 2 * 3600
_CURSOR = re.compile(r"([0-9a-f]{32})\.([0-9]{1,12})")


class CursorInvalid(ValueError):
    """A cursor that is malformed, expired, of another account or of another table."""


def folder() -> Path:
    default = Path(tempfile.gettempdir()) / f"survey-api-snapshots-{os.getuid()}"
    path = Path(os.environ.get("SURVEY_API_SNAPSHOTS") or default)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)  # rows (identified ones too): the server's user only; fails on another's folder
    return path


def _sweep(where: Path, now: float) -> None:
    for entry in where.glob("*.json"):
        try:
            if now - entry.stat().st_mtime > SNAPSHOT_SECONDS:
                entry.unlink(missing_ok=True)
                entry.with_suffix(".parquet").unlink(missing_ok=True)
        except OSError:
            continue


def make(table: pa.Table, *, owner: str, name: str, page: int) -> str:
    """Write a snapshot of `table`; returns its id."""
    def write(path: Path) -> int:
        pq.write_table(table, path, row_group_size=max(1, page))
        return table.num_rows
    return make_with(write, owner=owner, name=name)[0]


def make_with(write: Callable[[Path], int], *, owner: str, name: str) -> tuple[str, int]:
    """(snapshot id, rows) of a snapshot that `write(path)` writes as Parquet, in row groups of one
    page, returning its number of rows: the rows stream to disk and are never whole in memory."""
    where = folder()
    _sweep(where, time.time())
    snap = secrets.token_hex(16)
    temp = where / f".{snap}.parquet"
    try:
        rows = write(temp)  # in the folder only the server's user may open (0700)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    os.chmod(temp, 0o600)
    os.replace(temp, where / f"{snap}.parquet")
    (where / f"{snap}.json").write_text(json.dumps({"owner": owner, "table": name, "rows": rows,
                                                    "created": time.time()}), encoding="utf-8")
    return snap, rows


def discard(snap: str) -> None:
    """Remove a snapshot no cursor will read (its whole answer went out at once)."""
    where = folder()
    (where / f"{snap}.json").unlink(missing_ok=True)
    (where / f"{snap}.parquet").unlink(missing_ok=True)


def cursor(snap: str, offset: int) -> str:
    return f"{snap}.{offset}"


def open_cursor(text: str, *, owner: str, name: str) -> tuple[str, int, int]:
    """(snapshot id, offset, total rows) of a cursor this account may use on this table."""
    found = _CURSOR.fullmatch(text or "")
    if not found:
        raise CursorInvalid("malformed")
    snap, offset = found.group(1), int(found.group(2))
    meta_path = folder() / f"{snap}.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise CursorInvalid("expired") from None
    if time.time() - float(meta.get("created", 0)) > SNAPSHOT_SECONDS:
        raise CursorInvalid("expired")
    if meta.get("owner") != owner or meta.get("table") != name:
        raise CursorInvalid("not yours")  # told the same way as an unknown one
    return snap, offset, int(meta["rows"])


def read(snap: str, offset: int, limit: int) -> pa.Table:
    """Rows [offset, offset + limit) of a snapshot, reading only the row groups that hold them."""
    return pa.Table.from_batches(list(batches(snap, offset, limit)), schema=schema(snap))


def schema(snap: str) -> pa.Schema:
    return pq.read_schema(folder() / f"{snap}.parquet")


def batches(snap: str, offset: int, limit: int | None) -> Iterator[pa.RecordBatch]:
    """Rows [offset, offset + limit) of a snapshot (to its end without `limit`), one row group
    at a time, so a snapshot of a million rows streams in constant memory."""
    file = pq.ParquetFile(folder() / f"{snap}.parquet")
    end = file.metadata.num_rows if limit is None else min(file.metadata.num_rows, offset + limit)
    start = 0
    for i in range(file.num_row_groups):
        size = file.metadata.row_group(i).num_rows
        if start + size > offset and start < end:
            group = file.read_row_group(i)
            lo = max(offset - start, 0)
            yield from group.slice(lo, min(end - start, size) - lo).to_batches()
        start += size
