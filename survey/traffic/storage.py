"""Where the traffic lives: ``<data>/traffic/``, private to the owner (folders 0700, files 0600).

- ``requests/host=<host>/month=<YYYY-MM>/part-<uuid>.parquet``: one row per stored request, new part
  files per import (never rewritten), read with DuckDB's hive partitioning.
- ``imports.jsonl``: one JSON line per import (when, files, format, added, present, bad, user).
- ``visitor_salt``: the secret key of the visitor hashes (0600). Without it nobody can test whether
  an address visited; losing it only means new keys for the same visitors after it.
- ``import.lock``: one import at a time (the idempotency check and the write are one step).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

SALT_FILE = "visitor_salt"
HISTORY_FILE = "imports.jsonl"


def folder(root: Path) -> Path:
    return Path(root) / "traffic"


def requests_folder(root: Path) -> Path:
    return folder(root) / "requests"


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def salt(root: Path) -> bytes:
    """The store's secret for visitor keys: made once (0600), then read."""
    path = private_dir(folder(root)) / SALT_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        text = path.read_text(encoding="ascii").strip()
        if not re.fullmatch(r"[0-9a-f]{64}", text):
            raise OSError(f"{path} is damaged: it should hold 64 hexadecimal digits") from None
        return bytes.fromhex(text)
    try:
        key = secrets.token_hex(32)
        os.write(fd, key.encode("ascii") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    return bytes.fromhex(key)


@contextmanager
def import_lock(root: Path) -> Iterator[None]:
    path = private_dir(folder(root)) / "import.lock"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def append_history(root: Path, record: dict) -> None:
    path = private_dir(folder(root)) / HISTORY_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_history(root: Path) -> list[dict]:
    path = folder(root) / HISTORY_FILE
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue   # a torn last line after a crash: the import it described did not finish
    return records


def parts(root: Path) -> list[Path]:
    return sorted(requests_folder(root).glob("host=*/month=*/*.parquet"))


def source(root: Path) -> str:
    """The DuckDB table expression of every stored request (an empty relation when none)."""
    if not parts(root):
        return ("(SELECT * FROM (VALUES (NULL::VARCHAR, NULL::VARCHAR, NULL::TIMESTAMPTZ, NULL::DATE, NULL::VARCHAR,"
                " NULL::VARCHAR, NULL::SMALLINT, NULL::BIGINT, NULL::VARCHAR, NULL::BOOLEAN, NULL::VARCHAR,"
                " NULL::VARCHAR, NULL::VARCHAR, NULL::BOOLEAN, NULL::VARCHAR)) t(host, month, ts, day, method, path,"
                " status, bytes, kind, is_pageview, visitor, country, device, ua_bot, line_key) WHERE false)")
    pattern = str(requests_folder(root) / "host=*" / "month=*" / "*.parquet").replace("'", "''")
    return (f"read_parquet('{pattern}', hive_partitioning=true, union_by_name=true,"
            " hive_types={'host': VARCHAR, 'month': VARCHAR})")


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    con.execute("SET threads=2")
    con.execute("SET enable_progress_bar=false")   # a command's output is its report, not a bar
    return con


def publish(staged: Path, root: Path) -> None:
    """Move the partitioned part files written under `staged` into the store, each atomically.

    A crash in between leaves some parts stored: importing the file again adds only the rest
    (the idempotency key), so an import is never half counted twice."""
    target = private_dir(requests_folder(root))
    for part in sorted(staged.glob("host=*/month=*/*.parquet")):
        dest_dir = target / part.parent.parent.name / part.parent.name
        private_dir(dest_dir.parent)
        private_dir(dest_dir)
        os.chmod(part, 0o600)
        os.replace(part, dest_dir / part.name)
        dirfd = os.open(dest_dir, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
