"""Writing an export's bytes to a path: temp file, fsync, rename, so that a file with
the final name is always whole; and the media type of each kind of file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, TypeVar

T = TypeVar("T")

MEDIA_TYPES = {
    "csv": "text/csv", "parquet": "application/vnd.apache.parquet", "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta", "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def write_file(path: str | os.PathLike, data: bytes) -> Path:
    return write_file_with(path, lambda handle: handle.write(data))[0]


def write_file_with(path: str | os.PathLike, write: Callable[[BinaryIO], T]) -> tuple[Path, T]:
    """(path, what `write` returned): `write(handle)` fills a temporary file beside `path`, which
    replaces `path` once whole and on disk; a failure leaves `path` as it was and no temporary file."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        with open(tmp, "wb") as handle:  # (by name: ReadStat writes to handle.name itself)
            result = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target, result
