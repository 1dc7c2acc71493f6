"""Recording an event: a JSON file in ``<data>/webhooks/queue/``, written durably at the commit.

An event is a plain dict: id, type, time, questionnaire, record_id, revision, status, note and,
for endpoints that asked for it, the de-identified record. Recording never sends anything; a
delivery pass (survey.webhooks.delivery) fans each queued event out to the endpoints that want
it and moves it to ``events/``, where its body stays for retries and "send again".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
import uuid
from pathlib import Path
from typing import Any, Callable, Mapping

from survey.store.durable import replace_with_json, write_bytes_exclusive
from survey.webhooks.endpoints import Endpoints, folder, private_dir

log = logging.getLogger(__name__)

QUEUE, EVENTS_DIR = "queue", "events"
RECOVERED = "recovered.json"
_listeners: list[Callable[[Path], None]] = []  # the workers of this process, woken on a new event
_lock = threading.Lock()

# the store's audit verbs -> an event type (a review decision is a status change)
TYPE_OF_CHANGE = {"submit": "submission.created", "revise": "submission.revised", "review": "submission.status_changed"}


def now_iso(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).isoformat()


def event_id(*parts: Any) -> str:
    """A stable id: the same change (questionnaire, record, revision) always gets the same one, so
    recording it again, by the store or by recover(), is a no-op."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:32]


def deidentified(inst: Any, answers: Mapping[str, Any]) -> dict[str, Any]:
    """`answers` without the questions marked pii (in roster items too), as JSON-ready values."""
    pii = {q.name for q in inst.all_questions() if q.pii}
    out: dict[str, Any] = {}
    for name, value in answers.items():
        if name in pii or name.startswith("_"):
            continue
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            value = [{k: v for k, v in item.items() if k not in pii and not k.startswith("_")} for item in value]
        out[name] = value
    return json.loads(json.dumps(out, default=str))


def record_event(root: str | Path, event: dict) -> bool:
    """Queue `event` durably unless no endpoint wants it or it is queued or sent already; True when queued."""
    root = Path(root)
    endpoints = Endpoints(root)
    if not endpoints.path.exists():
        return False
    wanting = [e for e in endpoints.list() if e.wants(event)]
    if not wanting:
        return False
    if not any(e.include_record for e in wanting):
        event = {k: v for k, v in event.items() if k != "record"}
    base = folder(root)
    if (base / EVENTS_DIR / f"{event['id']}.json").exists():
        return False
    private_dir(base / QUEUE)
    created = write_bytes_exclusive(base / QUEUE / f"{event['id']}.json",
                                    json.dumps(event, default=str).encode("utf-8"), mode=0o600)
    if created:
        for wake in list(_listeners):
            wake(root)
    return created


def record_change(root: str | Path, action: str, inst: Any, receipt: Any, status: str | None, note: str | None,
                  answers: Mapping[str, Any] | None = None) -> bool:
    """The event of a stored revision (`action`: submit, revise or review), at its commit time."""
    kind = TYPE_OF_CHANGE[action]
    event = {
        "id": event_id(receipt.instrument, receipt.response_id, receipt.revision),
        "type": kind, "time": now_iso(receipt.submitted_at), "questionnaire": receipt.instrument,
        "record_id": receipt.response_id, "revision": receipt.revision, "status": status, "note": note or None,
    }
    if answers is not None:
        event["record"] = deidentified(inst, answers)
    return record_event(root, event)


def inbox_event(root: str | Path, entry_id: str, instrument: str | None, reason: str, record_id: str | None) -> bool:
    return record_event(root, {
        "id": event_id("submission.inbox", entry_id), "type": "submission.inbox", "time": now_iso(),
        "questionnaire": instrument, "record_id": record_id, "inbox_entry": entry_id, "revision": None,
        "status": "inbox", "note": reason,
    })


def export_event(root: str | Path, user: str, what: str, detail: Mapping[str, Any]) -> bool:
    return record_event(root, {
        "id": uuid.uuid4().hex, "type": "export.created", "time": now_iso(), "questionnaire": None,
        "record_id": None, "revision": None, "status": None, "note": None, "export": what, "user": user,
        "detail": json.loads(json.dumps(dict(detail), default=str)),
    })


def recover(root: str | Path, store: Any) -> int:
    """Record the events of revisions committed since the last recovery (or since the first endpoint
    was registered) whose event file a crash may have cut off; how many were missing."""
    root = Path(root)
    endpoints = Endpoints(root).list()
    if not endpoints:
        return 0
    mark = folder(root) / RECOVERED
    try:
        since = json.loads(mark.read_text("utf-8"))["until"]
    except (FileNotFoundError, ValueError, KeyError):
        since = min(e.created for e in endpoints)
    started = now_iso()
    found = 0
    for name in store.instrument_ids():
        try:
            inst = store.instrument(name)
            rows = store.read(name, history=True)
        except (ValueError, OSError, KeyError):
            continue
        if rows.empty:
            continue
        rows = rows.sort_values(["_response_id", "_revision"])
        previous: dict[str, Any] = {}
        for row in rows.to_dict("records"):
            rid, rev, status = row["_response_id"], int(row["_revision"]), row.get("_status")
            before = previous.get(rid)
            previous[rid] = status
            when = row["_submitted_at"].isoformat()
            if when < since:
                continue
            action = "submit" if rev == 1 else ("review" if before is not None and status != before else "revise")
            kind = TYPE_OF_CHANGE[action]
            eid = event_id(name, rid, rev)  # the id of the change, whatever its type
            base = folder(root)
            if (base / QUEUE / f"{eid}.json").exists() or (base / EVENTS_DIR / f"{eid}.json").exists():
                continue
            answers = {q.name: row.get(q.name) for q in inst.questions if not q.kind.is_repeat}
            event = {"id": eid, "type": kind, "time": when, "questionnaire": name, "record_id": rid,
                     "revision": rev, "status": status, "note": row.get("_note") if _present(row.get("_note")) else None,
                     "record": deidentified(inst, {k: v for k, v in answers.items() if _present(v)})}
            found += record_event(root, event)
    replace_with_json(mark, {"until": started}, mode=0o600)
    return found


def _present(value: Any) -> bool:
    try:
        return not (value is None or value != value)  # NaN / NA
    except (TypeError, ValueError):
        return True
