"""Webhooks (issue 20, section 4): events queued at the store's commit, delivered by a pass with an
injected clock to a real receiver on 127.0.0.1 that fails, times out and recovers."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from survey import ResponseStore
from survey.odk.inbox import Inbox
from survey.simulate import generate
from survey.webhooks import EndpointError, Endpoints, delivery, events
from survey.webhooks import worker as worker_module
from tests.support.webhook_receiver import Receiver

AGENCY = generate("agency", 1, seed=4)[0]
CIVIL = {**generate("civil_servant", 1, seed=4)[0], "respondent_name": "Siti Rahayu"}
T0 = time.time()  # the scheduling clock starts at the real now; later passes add to it


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def store(tmp_path):
    return ResponseStore(tmp_path)


def register(root, url, events_=("submission.created", "submission.revised", "submission.status_changed"), **kw):
    return Endpoints(root).add(url, list(events_), now=_when(T0 - 60), **kw)


def _when(t):
    import datetime as dt
    return dt.datetime.fromtimestamp(t, dt.timezone.utc)


def deliver(root, now):
    return delivery.deliver(root, now, timeout=0.5)


def test_a_submit_is_signed_and_delivered_once_with_its_event_id(store, receiver):
    endpoint = register(store.root, receiver.url)
    assert stat.S_IMODE(os.stat(Endpoints(store.root).path).st_mode) == 0o600
    receipt = store.submit("agency", AGENCY, enumerator="enum01", response_id="a-1")
    assert receiver.seen == []  # acknowledged without any delivery
    assert deliver(store.root, T0) == {"delivered": 1}
    headers, body = receiver.seen[0]
    expected = "sha256=" + hmac.new(endpoint.secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Survey-Signature"] == expected
    event = json.loads(body)
    assert (event["type"], event["record_id"], event["revision"], event["status"]) == (
        "submission.created", "a-1", receipt.revision, "submitted")
    assert headers["X-Survey-Event-Id"] == event["id"] and "record" not in event
    store.submit("agency", AGENCY, enumerator="enum01", response_id="a-1")  # a retried submit: no new event
    assert deliver(store.root, T0 + 10) == {}
    assert len(receiver.seen) == 1
    [entry] = delivery.deliveries(store.root, endpoint.id)
    assert (entry["status"], entry["code"], entry["attempts"]) == ("delivered", 200, 1)
    assert list((store.root / "webhooks" / "pending").iterdir()) == []  # passes read pending ones only


def test_review_decision_and_revision_carry_status_and_note(store, receiver):
    register(store.root, receiver.url)
    store.submit("agency", AGENCY, enumerator="enum01", response_id="a-1")
    store.set_status("agency", "a-1", "rejected", editor="sup1", note="staff count?", base_revision=1)
    store.revise("agency", "a-1", AGENCY, editor="enum01", note="fixed", base_revision=2, status="submitted")
    deliver(store.root, T0)
    sent = sorted((json.loads(b) for _, b in receiver.seen), key=lambda e: e["revision"])
    assert [(e["type"], e["status"], e["note"]) for e in sent] == [
        ("submission.created", "submitted", None), ("submission.status_changed", "rejected", "staff count?"),
        ("submission.revised", "submitted", "fixed")]


def test_the_record_is_sent_de_identified_when_asked(store, receiver):
    register(store.root, receiver.url, include_record=True, questionnaire="civil_servant")
    store.submit("agency", AGENCY, enumerator="enum01", response_id="a-1")  # another questionnaire: not sent
    store.submit("civil_servant", CIVIL, enumerator="enum01", response_id="c-1")
    deliver(store.root, T0)
    [(_, body)] = receiver.seen
    record = json.loads(body)["record"]
    assert record["agency"] == CIVIL["agency"] and "respondent_name" not in record
    assert "Siti" not in body.decode()


def test_failures_back_off_by_the_clock_then_recover_without_a_duplicate(store, receiver):
    register(store.root, receiver.url)
    store.submit("agency", AGENCY, enumerator="enum01", response_id="a-1")
    receiver.script = ["500", "slow", "redirect"]
    assert deliver(store.root, T0) == {"pending": 1}
    assert deliver(store.root, T0 + 29) == {}  # not due before 30 s
    assert deliver(store.root, T0 + 30) == {"pending": 1}  # the slow one timed out
    assert deliver(store.root, T0 + 30 + 59) == {}  # then 60 s
    assert deliver(store.root, T0 + 90) == {"pending": 1}  # a redirect is not followed
    [state] = delivery.deliveries(store.root, Endpoints(store.root).list()[0].id)
    assert (state["attempts"], state["code"], state["next_at"]) == (3, 307, T0 + 90 + 120)
    assert deliver(store.root, T0 + 210) == {"delivered": 1}
    ids = {h["X-Survey-Event-Id"] for h, _ in receiver.seen}
    assert len(receiver.seen) == 4 and len(ids) == 1  # retries reuse the id
    assert deliver(store.root, T0 + 100_000) == {}


def test_a_day_of_failures_ends_in_failed_and_send_again_delivers(store, receiver):
    endpoint = register(store.root, receiver.url)
    store.submit("agency", AGENCY, enumerator="enum01", response_id="a-1")
    receiver.script = ["500"] * 1000
    now = T0
    outcome = deliver(store.root, now)
    while outcome.get("pending"):
        now = delivery.next_due(store.root)
        outcome = deliver(store.root, now)
    assert outcome == {"failed": 1} and now - T0 >= 86400
    [state] = delivery.deliveries(store.root, endpoint.id)
    assert state["status"] == "failed" and state["attempts"] == len(receiver.seen) < 40
    receiver.script = []
    delivery.send_again(store.root, endpoint.id, state["event"], now + 5)
    assert deliver(store.root, now + 5) == {"delivered": 1}
    assert receiver.seen[-1][0]["X-Survey-Event-Id"] == state["event"]


def test_a_restart_delivers_what_was_pending(store, receiver):
    register(store.root, receiver.url)
    store.submit("agency", AGENCY, enumerator="enum01", response_id="a-1")
    store.submit("agency", AGENCY, enumerator="enum01", response_id="a-2")
    receiver.script = ["500", "500"]
    assert deliver(store.root, T0) == {"pending": 2}
    # "restart": a new worker thread on the same data folder, with a new store object, an hour later
    worker = worker_module.Worker(store.root.resolve(), ResponseStore(store.root), clock=lambda: T0 + 3600)
    worker.thread.start()
    try:
        for _ in range(200):
            if [s["status"] for s in delivery.deliveries(store.root, Endpoints(store.root).list()[0].id)] == [
                    "delivered"] * 2:
                break
            time.sleep(0.05)
    finally:
        worker.stop()
    assert sorted(json.loads(b)["record_id"] for h, b in receiver.seen[2:]) == ["a-1", "a-2"]


def test_an_event_lost_in_a_crash_after_the_commit_is_recovered(store, receiver, monkeypatch):
    register(store.root, receiver.url)
    monkeypatch.setattr(events, "record_event", lambda root, event: (_ for _ in ()).throw(OSError("killed")))
    store.submit("agency", AGENCY, enumerator="enum01", response_id="a-1")  # stored; the event file is not
    monkeypatch.undo()
    assert deliver(store.root, T0) == {}
    assert events.recover(store.root, ResponseStore(store.root)) == 1
    assert events.recover(store.root, ResponseStore(store.root)) == 0
    assert deliver(store.root, T0) == {"delivered": 1}
    assert json.loads(receiver.seen[0][1])["record_id"] == "a-1"


def test_inbox_and_export_events(tmp_path, receiver):
    register(tmp_path, receiver.url, ("submission.inbox", "export.created"))
    Inbox(tmp_path).keep("agency", "enum01", b"<data/>", "unknown_form", "uuid:1")
    Inbox(tmp_path).keep("agency", "enum01", b"<data/>", "unknown_form", "uuid:1")  # the same keep: no event
    from analysis.export.audit import recorded
    from survey.fieldwork.audit_log import AuditLog
    with recorded(AuditLog(tmp_path), "sup1", "agency", format="csv") as extra:
        extra["rows"] = 3
    deliver(tmp_path, T0)
    sent = sorted((json.loads(b) for _, b in receiver.seen), key=lambda e: e["type"])
    assert [e["type"] for e in sent] == ["export.created", "submission.inbox"]
    assert sent[0]["export"] == "agency" and sent[0]["detail"] == {"format": "csv", "rows": 3}
    assert sent[1]["note"] == "unknown_form"


def test_only_http_urls_and_some_event(tmp_path):
    for url in ("file:///etc/passwd", "ftp://x/y", "javascript:alert(1)", "http://", "http://a b/"):
        with pytest.raises(EndpointError):
            Endpoints(tmp_path).add(url, ["submission.created"])
    with pytest.raises(EndpointError):
        Endpoints(tmp_path).add("https://example.org/hook", [])


def test_the_deliver_command_sends_what_is_due(store, receiver):
    register(store.root, receiver.url)
    store.submit("agency", AGENCY, enumerator="enum01", response_id="a-1")
    command = [sys.executable, "-m", "survey.webhooks", "deliver", "--data", str(store.root)]
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run(command, capture_output=True, text=True, cwd=root).stdout.strip() == "delivered=1"
    assert subprocess.run(command, capture_output=True, text=True, cwd=root).stdout.strip() == "nothing due"
    assert len(receiver.seen) == 1


def test_the_webhooks_folder_is_the_owners_only(store, receiver):
    old = os.umask(0o022)
    try:
        register(store.root, receiver.url, include_record=True)
        store.submit("agency", AGENCY, enumerator="enum01", response_id="a-1")
        receiver.script = ["500"]
        deliver(store.root, T0)  # a queued event, an event kept for retries, a delivery state
        events.recover(store.root, store)
    finally:
        os.umask(old)
    found = list((store.root / "webhooks").rglob("*"))
    assert {p.relative_to(store.root / "webhooks").parts[0] for p in found} >= {"queue", "events", "deliveries",
                                                                                  "endpoints.json"}
    exposed = [str(p) for p in [store.root / "webhooks", *found] if os.stat(p).st_mode & 0o077]
    assert exposed == []
