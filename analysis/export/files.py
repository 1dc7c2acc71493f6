"""Writing an export's bytes to a path: temp file, fsync, rename, so that a file with
the final name is always whole; and the media type of each kind of file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

MEDIA_TYPES = {
    "csv": "text/csv", "parquet": "application/vnd.apache.parquet", "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta", "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def write_file(path: str | os.PathLike, data: bytes) -> Path:
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target
