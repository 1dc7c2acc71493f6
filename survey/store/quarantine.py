"""Quarantine: files a table cannot use are moved aside, never deleted, and reported.

A file lands in ``<table folder>/_quarantine/`` when it cannot be read (truncated,
zero bytes, corrupt pages), when its name fits none of the table's patterns (a
sync tool's ``x__r1__t5 (1).parquet``), or when its columns cannot be read with the
table's schema. Readers and compaction skip it from then on, so one bad file never
takes a table down. Each move is recorded in the data folder's audit log (action
``quarantine``, object ``<table>/<file name>``, with the response id when the name
tells it); without an audit log it is logged. An administrator can inspect the
files, restore a good one by moving it back, or delete them.
"""

from __future__ import annotations

import errno
import logging
import os
import uuid
from pathlib import Path
from typing import Callable

from survey.fieldwork.audit_log import AuditLog
from survey.store.durable import fsync_dir
from survey.store.layout import LOOSE_NAME, QUARANTINE

log = logging.getLogger(__name__)


class Quarantine:
    """Moves files of table folders into their ``_quarantine/`` and reports each move."""

    def __init__(self, audit: AuditLog | None, moved: Callable[[Path, str], None] | None = None):
        self.audit = audit
        self.moved = moved  # told of each move: (table folder, name)

    def move(self, folder: Path, name: str, reason: str, table_folder: Path | None = None) -> Path | None:
        """Move `folder/name` into the table's `_quarantine/`; None when it is already gone.

        `table_folder`: the table's folder when `folder` is below it (a marker in
        `_committed/`); the file keeps its place in the name (`_committed-<name>`).
        Never overwrites a file already in quarantine (a second bad copy of the same
        name gets a suffix). Errors other than "already gone" are logged and the file
        stays where it is (the caller skips it anyway).
        """
        source = folder / name
        table = table_folder or folder
        box = table / QUARANTINE
        kept = name if table_folder is None else f"{folder.name}-{name}"
        try:
            if not box.is_dir():
                box.mkdir(exist_ok=True)
                fsync_dir(table)
            target = _move(source, box, kept)
            if target is None:
                return None
            fsync_dir(box)
            fsync_dir(folder)
        except OSError:
            log.exception("could not quarantine %s", source)
            return None
        self._report(table.name, name if table_folder is None else kept, reason, target)
        if self.moved is not None:
            try:
                self.moved(table, name)
            except Exception:  # the move is done; what follows it can happen later
                log.exception("after quarantining %s", source)
        return target

    def _report(self, table: str, name: str, reason: str, target: Path) -> None:
        detail = {"reason": reason, "moved_to": f"{QUARANTINE}/{target.name}"}
        m = LOOSE_NAME.match(name)
        if m:
            detail["response_id"] = m["rid"]
            detail["revision"] = int(m["rev"])
        log.warning("quarantined %s/%s (%s)", table, name, reason)
        if self.audit is None:
            return
        try:
            self.audit.record("quarantine", "store", f"{table}/{name}", "ok", **detail)
        except OSError:
            log.exception("the audit log could not record the quarantine of %s/%s", table, name)


def _move(source: Path, box: Path, name: str) -> Path | None:
    """Move without replacing anything in `box`: link + unlink for files, rename for folders."""
    for attempt in range(20):
        target = box / (name if attempt == 0 else f"{name}.{uuid.uuid4().hex[:8]}")
        try:
            os.link(source, target, follow_symlinks=False)
        except FileExistsError:
            if _same_file(source, target):  # another reader is moving this very file right now
                _unlink(source)
                return None
            continue
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EISDIR, errno.EXDEV, errno.EMLINK):
                raise
            if os.path.lexists(target):
                continue
            try:
                os.rename(source, target)  # a folder named like a file, or no hard links here
            except FileNotFoundError:
                return None
            return target
        _unlink(source)
        return target
    raise FileExistsError(f"no free name in {box} for {name}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samestat(os.lstat(a), os.lstat(b))
    except FileNotFoundError:
        return False


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def count(folder: Path) -> int:
    """Entries in `folder/_quarantine/` (0 when there is none)."""
    try:
        return sum(1 for _ in os.scandir(folder / QUARANTINE))
    except (FileNotFoundError, NotADirectoryError):
        return 0
