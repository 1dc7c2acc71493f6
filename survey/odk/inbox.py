"""The ODK inbox: submissions kept whole because they could not be stored as they came.

Nothing sent from a phone (or imported from an ODK/Kobo export) is lost: a body that
does not parse, or parses but fails our validation, is kept here with its reason until a
supervisor fixes and accepts it, or discards it with a note. Layout, in the data folder::

    inbox/<entry id>/entry.json        instrument, enumerator, reason, received_at, instance_id, ...
    inbox/<entry id>/submission.xml    the body exactly as received (any bytes)
    inbox/<entry id>/attachments/<n>   the files sent beside it
    inbox/<entry id>/decision.json     written once: accepted or discarded, by whom, when

The inbox and each entry are the owner's only (0700 folders, 0600 files), as the store's data.

An entry is built in a hidden temp folder and published by one rename, so a reader sees
it whole or not at all. An entry of a known instance id is named by that id (a hash of
it), so a resend of the same submission finds the first entry instead of adding another.

API (also used by ``survey.odk import``)::

    inbox = Inbox(data_folder)
    entry_id = inbox.keep(instrument, enumerator, body, reason, instance_id, attachments={})
    inbox.list()            # waiting entries: [{"id", "instrument", "received_at", "enumerator", "reason"}]
    inbox.get(entry_id)     # the whole entry.json, plus "status" (waiting/accepted/discarded)
    inbox.body(entry_id)    # the bytes as received
    inbox.discard(entry_id, note, by)
    inbox.accept(entry_id, answers, by)   # validates and stores through ResponseStore; returns the Receipt
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Any, Mapping

from survey.store.durable import fsync_dir, write_bytes_exclusive
from survey.webhooks.events import inbox_event

log = logging.getLogger(__name__)

INBOX_DIR = "inbox"
_ENTRY_ID = re.compile(r"[a-z0-9-]{1,64}")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def entry_id_for(instance_id: str) -> str:
    """The entry id of a submission with this instance id: the same id for every resend."""
    return "i-" + hashlib.sha256(instance_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def safe_attachment_name(name: str) -> str:
    """A file name that stays inside its folder (no path, no dot file), at most 100 characters."""
    base = _SAFE_NAME.sub("_", os.path.basename(str(name).replace("\\", "/")))[-100:].lstrip(".")
    return base or "attachment"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class InboxError(ValueError):
    """An unknown entry, or one that was already accepted or discarded."""


class Inbox:
    """The inbox of one data folder (`root`, the folder the ResponseStore uses)."""

    def __init__(self, root: str | os.PathLike, store: Any = None):
        self.root = Path(root)
        self.folder = self.root / INBOX_DIR
        self._store = store  # a ResponseStore on the same folder; made on first accept when not given

    def __repr__(self) -> str:
        return f"Inbox({str(self.root)!r})"

    # ------------------------------------------------------------------ keeping
    def keep(self, instrument: str | None, enumerator: str, body: bytes, reason: str, instance_id: str | None,
             attachments: Mapping[str, bytes] | None = None, *, response_id: str | None = None,
             revises: str | None = None, source: str = "odk") -> str:
        """Keep `body` (with its attachments) and return its entry id. A second keep of the same
        `instance_id` returns the first entry's id and writes nothing.

        `response_id`: the id the answers are stored under when accepted; `revises`: the stored
        response an edit (deprecatedID) makes a new revision of; `source`: "odk" (a phone) or
        "import" (an export file)."""
        entry_id = entry_id_for(instance_id) if instance_id else uuid.uuid4().hex
        final = self.folder / entry_id
        if final.exists():
            return entry_id
        private_folder(self.folder)
        tmp = self.folder / f".tmp-{uuid.uuid4().hex}"
        try:
            tmp.mkdir(mode=0o700)
            (tmp / "attachments").mkdir(mode=0o700)
            names = {}
            for name, data in (attachments or {}).items():
                safe = safe_attachment_name(name)
                while safe in names.values():
                    safe = "_" + safe
                names[str(name)] = safe
                _write(tmp / "attachments" / safe, bytes(data))
            _write(tmp / "submission.xml", bytes(body))
            meta = {
                "id": entry_id, "instrument": instrument, "received_at": _now(), "enumerator": enumerator,
                "reason": reason, "instance_id": instance_id, "response_id": response_id, "revises": revises,
                "source": source, "size": len(body), "attachments": names,
            }
            _write(tmp / "entry.json", json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
            fsync_dir(tmp / "attachments")
            fsync_dir(tmp)
            try:
                os.rename(tmp, final)  # a folder is renamed onto a missing name only: the first keep wins
            except OSError as exc:
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
                return entry_id
            fsync_dir(self.folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        try:  # kept: the phone may be told so; the webhook goes out later (survey.webhooks)
            inbox_event(self.root, entry_id, instrument, reason, response_id)
        except Exception:
            log.exception("the webhook event of inbox entry %s could not be queued", entry_id)
        return entry_id

    # ------------------------------------------------------------------ reading
    def _path(self, entry_id: str) -> Path:
        if not isinstance(entry_id, str) or not _ENTRY_ID.fullmatch(entry_id) or not (self.folder / entry_id).is_dir():
            raise InboxError(f"no inbox entry {entry_id!r:.80}")
        return self.folder / entry_id

    def get(self, entry_id: str) -> dict:
        """The whole entry (entry.json) with "status" and, once decided, "decision"."""
        path = self._path(entry_id)
        entry = json.loads((path / "entry.json").read_text("utf-8"))
        decision = path / "decision.json"
        if decision.exists():
            entry["decision"] = json.loads(decision.read_text("utf-8"))
            entry["status"] = entry["decision"]["status"]
        else:
            entry["status"] = "waiting"
        return entry

    def body(self, entry_id: str) -> bytes:
        return (self._path(entry_id) / "submission.xml").read_bytes()

    def attachment(self, entry_id: str, name: str) -> bytes:
        return (self._path(entry_id) / "attachments" / safe_attachment_name(name)).read_bytes()

    def entries(self, waiting_only: bool = True) -> list[dict]:
        """Every entry (get()), oldest first; only those waiting for a decision unless told."""
        out = []
        if not self.folder.is_dir():
            return out
        for child in self.folder.iterdir():
            if child.name.startswith(".") or not (child / "entry.json").is_file():
                continue
            try:
                entry = self.get(child.name)
            except (OSError, ValueError):  # a damaged entry is still counted, never hidden
                entry = {"id": child.name, "instrument": None, "received_at": "", "enumerator": None,
                         "reason": "entry unreadable", "status": "waiting"}
            if not waiting_only or entry["status"] == "waiting":
                out.append(entry)
        return sorted(out, key=lambda e: (e.get("received_at") or "", e["id"]))

    def list(self) -> list[dict]:
        """The entries waiting for a decision: [{"id", "instrument", "received_at", "enumerator", "reason"}]."""
        keys = ("id", "instrument", "received_at", "enumerator", "reason")
        return [{k: e.get(k) for k in keys} for e in self.entries()]

    def count(self) -> int:
        return len(self.list())

    # ------------------------------------------------------------------ deciding
    def _decide(self, entry_id: str, decision: dict) -> None:
        path = self._path(entry_id)
        data = json.dumps({**decision, "at": _now()}, ensure_ascii=False).encode("utf-8")
        if not write_bytes_exclusive(path / "decision.json", data):  # inside the private entry folder
            raise InboxError(f"inbox entry {entry_id} was already decided")

    def _waiting(self, entry_id: str) -> dict:
        entry = self.get(entry_id)
        if entry["status"] != "waiting":
            raise InboxError(f"inbox entry {entry_id} was already {entry['status']}")
        return entry

    def discard(self, entry_id: str, note: str, by: str) -> None:
        """Set the entry aside for good, with the reason why (kept on disk, no longer waiting)."""
        self._waiting(entry_id)
        if not str(note or "").strip():
            raise InboxError("a discarded submission needs a note saying why")
        self._decide(entry_id, {"status": "discarded", "by": by, "note": str(note)[:2000]})
        self._audit("inbox_discard", by, entry_id, note=str(note))

    def accept(self, entry_id: str, answers: Mapping[str, Any], by: str, instrument: str | None = None):
        """Validate and store `answers` (the entry's, as fixed by `by`) as the entry's response, then mark it
        accepted. Raises ValidationError (nothing stored, still waiting) when the answers are still invalid.
        An edit (the entry `revises` a stored response) becomes that response's next revision."""
        entry = self._waiting(entry_id)
        instrument = instrument or entry.get("instrument")
        if not instrument:
            raise InboxError("name the questionnaire these answers belong to")
        store = self.store()
        # the instanceID the response id was derived from (an entry without one has no true instanceID)
        instance_id = entry.get("instance_id") if entry.get("response_id") else None
        if entry.get("revises"):
            receipt = store.revise(instrument, entry["revises"], answers, editor=by,
                                   note=f"ODK edit accepted from the inbox ({entry_id})", instance_id=instance_id)
        else:
            receipt = store.submit(instrument, answers, enumerator=entry.get("enumerator") or by,
                                   response_id=entry.get("response_id"), instance_id=instance_id)
        self._decide(entry_id, {"status": "accepted", "by": by, "response_id": receipt.response_id,
                                "instrument": instrument})
        self._audit("inbox_accept", by, entry_id, response=f"{instrument}/{receipt.response_id}")
        return receipt

    def store(self):
        if self._store is None:
            from survey.store.response_store import ResponseStore

            self._store = ResponseStore(self.root)
        return self._store

    def _audit(self, action: str, user: str, entry_id: str, **detail: Any) -> None:
        from survey.fieldwork.audit_log import AuditLog

        AuditLog(self.root).record(action, user=user, object=f"inbox/{entry_id}", **detail)


def private_folder(folder: Path) -> None:
    """`folder` (and its parents) made if missing, and only its owner's: it holds interviews as sent."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        os.chmod(folder, 0o700)


def _write(path: Path, data: bytes) -> None:
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


__all__ = ["INBOX_DIR", "Inbox", "InboxError", "entry_id_for", "private_folder", "safe_attachment_name"]
