"""The append-only audit log: who did what, when, to which object, and how it ended.

One JSON object per line in ``<data folder>/audit.jsonl``::

    {"time": "2026-12-01T08:15:02.123456Z", "user": "enum01", "action": "submit",
     "object": "household/3f2c...", "outcome": "ok", "detail": {"revision": 1}}

Each entry is written with a single ``write`` on a file opened for appending, under
an exclusive ``flock`` (several app processes and command lines may write at once),
and fsynced before ``record`` returns: an action that was reported as done is in
the log. The file holds whole lines only: a write that fails (a full disk) is cut
off again before ``record`` raises, and a torn last line left by a crash is skipped
by readers, reported by ``unreadable_lines`` and cut off (to the server log) before
the next entry is appended, so it never swallows that entry. Nothing else is ever
rewritten or removed.
Secrets never reach this module: callers pass names and ids, never passwords.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import logging
import os
from pathlib import Path
from typing import Any, Iterable

AUDIT_FILE = "audit.jsonl"
OUTCOMES = ("ok", "duplicate", "denied", "failed", "invalid", "conflict", "locked")
MAX_TEXT = 300  # characters kept of any one text value
log = logging.getLogger(__name__)

# The actions the project records (others are allowed; these are the ones pages filter by).
ACTIONS = (
    "setup", "login", "login_failed", "lockout", "logout", "session_expired",
    "account_create", "account_password", "account_role", "account_disable", "account_enable", "account_unlock",
    "submit", "revise", "review", "export", "quarantine", "design",
    "odk_request", "odk_form_list", "odk_form", "odk_submission", "odk_anonymous", "inbox_accept",
    "inbox_discard",
)


def _clip(value: Any) -> Any:
    """A JSON-safe, bounded copy of `value` (text clipped, odd types as text)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dict):
        return {str(k)[:60]: _clip(v) for k, v in list(value.items())[:30]}
    if isinstance(value, (list, tuple)):
        return [_clip(v) for v in list(value)[:30]]
    text = str(value)
    # Lone surrogates cannot be encoded as UTF-8; keep a visible trace of them instead.
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AuditLog:
    """The audit log of one data folder."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.path = self.root / AUDIT_FILE

    def __repr__(self) -> str:
        return f"AuditLog({str(self.root)!r})"

    def record(self, action: str, user: str | None = None, object: str | None = None,
               outcome: str = "ok", **detail: Any) -> dict:
        """Append one entry durably and return it. Raises OSError when it cannot be written."""
        entry = {
            "time": _utc_now(), "user": _clip(user), "action": _clip(action),
            "object": _clip(object), "outcome": _clip(outcome),
        }
        if detail:
            entry["detail"] = _clip(detail)
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                end = self._whole_lines(fd)
                try:
                    written = os.write(fd, line)
                    if written != len(line):  # a short write (disk full)
                        raise OSError(errno.ENOSPC, "the audit log could not be written completely")
                    os.fsync(fd)
                except OSError:
                    os.ftruncate(fd, end)  # no half line left behind (shrinking needs no space)
                    raise
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
        return entry

    def _whole_lines(self, fd: int) -> int:
        """The file's size once a torn last line (a crash mid-write) is cut off, so the next
        entry starts on a line of its own. Called under the lock."""
        size = os.fstat(fd).st_size
        if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
            return size
        start = size
        while start > 0:
            start = max(0, start - 65536)
            newline = os.pread(fd, size - start, start).rfind(b"\n")
            if newline >= 0:
                start += newline + 1
                break
        torn = os.pread(fd, min(size - start, 200), start)
        log.warning("%s: cutting off a torn last line of %d bytes: %r", self.path, size - start, torn)
        os.ftruncate(fd, start)
        os.fsync(fd)
        return start

    def _lines(self) -> Iterable[bytes]:
        try:
            with open(self.path, "rb") as handle:
                yield from handle
        except FileNotFoundError:
            return

    def entries(self, newest_first: bool = True) -> list[dict]:
        """Every readable entry (oldest first unless `newest_first`)."""
        out = []
        for raw in self._lines():
            try:
                entry = json.loads(raw)
            except ValueError:
                continue
            if isinstance(entry, dict) and "action" in entry:
                out.append(entry)
        return out[::-1] if newest_first else out

    def unreadable_lines(self) -> int:
        """Lines that are not an entry (a torn write after a crash)."""
        bad = 0
        for raw in self._lines():
            try:
                entry = json.loads(raw)
            except ValueError:
                bad += 1
                continue
            bad += not (isinstance(entry, dict) and "action" in entry)
        return bad
