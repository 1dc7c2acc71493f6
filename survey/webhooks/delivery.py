"""One delivery pass over a data folder's webhooks: fan out, POST what is due, record the outcome.

Each (endpoint, event) has a state file ``deliveries/<endpoint>/<event>.json``: pending, delivered
or failed, the attempts, the last response code and when to try next. It is created once
(exclusively), so an event reaches an endpoint as new only once; retries and "send again" reuse
the event's id (``X-Survey-Event-Id``), which a receiver can use to ignore a repeat.
A failed attempt is retried after 30 s, 1 min, 2 min, ... (at most an hour apart) for a day,
then the delivery is "failed" until an admin sends it again.

Each pending delivery also has an empty marker in ``pending/``, so that a pass and the worker's
"when next" read the pending ones only, not every delivery ever made. A pass holds a lock file, so the app's worker and a cron run never POST the same delivery at
once. Times come from `now` (a test passes its own clock; nothing here sleeps).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import http.client
import json
import logging
import os
import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from survey.store.durable import replace_with_json, unlink, write_bytes_exclusive
from survey.webhooks.endpoints import Endpoint, Endpoints, folder, private_dir
from survey.webhooks.events import EVENTS_DIR, QUEUE

log = logging.getLogger(__name__)

DELIVERIES = "deliveries"
PENDING = "pending"  # an empty file <endpoint>.<event> per pending delivery: a pass reads only these
TIMEOUT_SECONDS = 10.0
FIRST_RETRY_SECONDS = 30.0
MAX_RETRY_SECONDS = 3600.0
GIVE_UP_SECONDS = 86400.0
MAX_RESPONSE_BYTES = 64 * 1024  # a hostile receiver's body is read this far, never more
USER_AGENT = "survey-webhooks/1"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def body_for(endpoint: Endpoint, event: dict) -> bytes:
    keep = {k: v for k, v in event.items() if k != "record" or endpoint.include_record}
    return json.dumps(keep, ensure_ascii=False, sort_keys=True).encode("utf-8")


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = TIMEOUT_SECONDS) -> tuple[int | None, str]:
    """POST once: (the response code or None, a short error). http.client follows no redirect;
    a 3xx is a failure like any other code outside 2xx."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None, "not an http(s) URL"
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = cls(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers={**headers, "Content-Type": "application/json",
                                                        "User-Agent": USER_AGENT, "Connection": "close"})
        response = conn.getresponse()
        deadline, left = time.monotonic() + timeout, MAX_RESPONSE_BYTES
        while left > 0 and time.monotonic() < deadline:  # a body dripped slowly is cut off too
            chunk = response.read(min(left, 8192))
            if not chunk:
                break
            left -= len(chunk)
        return response.status, "" if 200 <= response.status < 300 else f"HTTP {response.status}"
    except (socket.timeout, TimeoutError):
        return None, "timeout"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, type(exc).__name__
    finally:
        conn.close()


def retry_delay(attempts: int) -> float:
    return min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)


def _iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat()


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def fan_out(root: Path, now: float) -> int:
    """Queued events -> one pending delivery per endpoint that wants it; the event moves to events/."""
    base = folder(root)
    queue = base / QUEUE
    if not queue.is_dir():
        return 0
    endpoints = Endpoints(root).list()
    private_dir(base / EVENTS_DIR)
    made = 0
    for path in sorted(queue.glob("*.json")):
        event = _read(path)
        if event is None:
            continue
        for endpoint in endpoints:
            if endpoint.wants(event):
                target = base / DELIVERIES / endpoint.id
                private_dir(target)
                state = {"event": event["id"], "type": event["type"], "status": "pending", "attempts": 0,
                         "created": now, "first_at": now, "next_at": now, "last_at": None, "code": None, "error": ""}
                if write_bytes_exclusive(target / path.name, json.dumps(state).encode("utf-8"), mode=0o600):
                    made += 1
                elif (_read(target / path.name) or {}).get("status") != "pending":
                    continue  # fanned out before a crash cut this pass short, and sent since
                _mark(base, endpoint.id, event["id"])
        os.replace(path, base / EVENTS_DIR / path.name)
    return made


def attempt(root: Path, endpoint: Endpoint, state_path: Path, now: float, timeout: float = TIMEOUT_SECONDS) -> dict:
    """POST one due delivery and store its new state."""
    state = _read(state_path) or {}
    event = _read(folder(root) / EVENTS_DIR / state_path.name)
    if event is None:
        state.update(status="failed", error="event missing")
    else:
        body = body_for(endpoint, event)
        code, error = post(endpoint.url, body, {"X-Survey-Signature": signature(endpoint.secret, body),
                                                "X-Survey-Event-Id": event["id"], "X-Survey-Event": event["type"]},
                           timeout)
        state.update(attempts=state.get("attempts", 0) + 1, last_at=now, code=code, error=error)
        if code is not None and 200 <= code < 300:
            state.update(status="delivered", next_at=None)
        elif now - state.get("first_at", now) >= GIVE_UP_SECONDS:
            state.update(status="failed", next_at=None)
        else:
            state.update(status="pending", next_at=now + retry_delay(state["attempts"]))
    replace_with_json(state_path, state, mode=0o600)
    if state["status"] != "pending":
        unlink(folder(root) / PENDING / f"{endpoint.id}.{state_path.stem}")
    return state


def _mark(base: Path, endpoint_id: str, event: str) -> None:
    """A pending delivery's marker, written after its state (so a marker never hides a state)."""
    write_bytes_exclusive(private_dir(base / PENDING) / f"{endpoint_id}.{event}", b"", mode=0o600)


def _pending(base: Path) -> list[tuple[str, str, Path]]:
    """(endpoint id, event id, marker) of every pending delivery."""
    if not (base / PENDING).is_dir():
        return []
    return [(*entry.name.split(".", 1), Path(entry.path)) for entry in os.scandir(base / PENDING)
            if "." in entry.name and not entry.name.startswith(".")]


def deliver(root: str | Path, now: float, timeout: float = TIMEOUT_SECONDS) -> dict[str, int]:
    """One pass: fan out, then every pending delivery due by `now`. Counts by outcome; {} when another
    pass holds the lock."""
    root = Path(root)
    base = folder(root)
    if not base.is_dir():
        return {}
    with _pass_lock(base) as held:
        if not held:
            return {}
        fan_out(root, now)
        counts: dict[str, int] = {}
        endpoints = {e.id: e for e in Endpoints(root).list()}
        for endpoint_id, event, marker in sorted(_pending(base)):
            path = base / DELIVERIES / endpoint_id / f"{event}.json"
            state = _read(path)
            if endpoint_id not in endpoints or not state or state.get("status") != "pending":
                unlink(marker)  # a removed endpoint, or a crash between a state and its marker
            elif state.get("next_at", 0) <= now:
                outcome = attempt(root, endpoints[endpoint_id], path, now, timeout)["status"]
                counts[outcome] = counts.get(outcome, 0) + 1
        return counts


def next_due(root: str | Path) -> float | None:
    """When the earliest pending delivery is due (a time.time()), or None when nothing is pending."""
    base = folder(root)
    if any((base / QUEUE).glob("*.json")):
        return 0.0
    states = (_read(base / DELIVERIES / endpoint_id / f"{event}.json") for endpoint_id, event, _ in _pending(base))
    due = [s["next_at"] for s in states if s and s.get("status") == "pending" and s.get("next_at") is not None]
    return min(due, default=None)


def deliveries(root: str | Path, endpoint_id: str) -> list[dict]:
    """The delivery log of an endpoint, newest first: event, type, status, attempts, last time, code."""
    out = []
    for path in (folder(root) / DELIVERIES / endpoint_id).glob("*.json"):
        state = _read(path)
        if state:
            out.append({**state, "last_time": _iso(state["last_at"]) if state.get("last_at") else None})
    return sorted(out, key=lambda s: s.get("created", 0), reverse=True)


def send_again(root: str | Path, endpoint_id: str, event: str, now: float) -> None:
    """Deliver `event` to the endpoint again soon (same event id), with a new day of retries."""
    if "/" in event or "/" in endpoint_id or event.startswith("."):
        raise LookupError(event)
    path = folder(root) / DELIVERIES / endpoint_id / f"{event}.json"
    state = _read(path)
    if state is None:
        raise LookupError(event)
    state.update(status="pending", first_at=now, next_at=now, error="")
    replace_with_json(path, state, mode=0o600)
    _mark(folder(root), endpoint_id, event)


def remove_endpoint(root: str | Path, endpoint_id: str) -> None:
    Endpoints(root).remove(endpoint_id)
    for path in (folder(root) / DELIVERIES / endpoint_id).glob("*.json"):
        unlink(path)
    for marked, _, marker in _pending(folder(root)):
        if marked == endpoint_id:
            unlink(marker)


class _pass_lock:
    def __init__(self, base: Path):
        self.path = base / ".deliver.lock"
        self.fd: int | None = None

    def __enter__(self) -> bool:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def __exit__(self, *exc: Any) -> None:
        os.close(self.fd)  # closing releases the lock
