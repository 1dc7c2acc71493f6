"""The ODK inbox keeps what could not be stored, once per instance, until accepted or discarded."""

from __future__ import annotations

import pytest

from survey import ResponseStore, ValidationError
from survey.fieldwork.audit_log import AuditLog
from survey.odk.inbox import Inbox, InboxError
from survey.simulate import generate


def test_keep_is_once_per_instance_and_listed(tmp_path):
    inbox = Inbox(tmp_path)
    first = inbox.keep("household", "enum01", b"<data/>", "age: too large", "uuid:1", {"../photo.jpg": b"JPEG"})
    again = inbox.keep("household", "enum01", b"<data/>", "age: too large", "uuid:1")
    assert again == first
    other = inbox.keep(None, "enum01", b"<trunc", "not XML", None)
    assert other != first
    listed = inbox.list()
    assert [e["id"] for e in listed] == [first, other]
    assert set(listed[0]) == {"id", "instrument", "received_at", "enumerator", "reason"}
    assert inbox.body(first) == b"<data/>"
    assert inbox.attachment(first, "photo.jpg") == b"JPEG"
    assert not any(p.name.startswith(".tmp") for p in (tmp_path / "inbox").iterdir())


def test_discard_needs_a_note_and_leaves_the_list(tmp_path):
    inbox = Inbox(tmp_path)
    entry = inbox.keep(None, "enum01", b"junk", "not XML", None)
    with pytest.raises(InboxError):
        inbox.discard(entry, "  ", "super1")
    inbox.discard(entry, "test sending", "super1")
    assert inbox.list() == []
    assert inbox.get(entry)["decision"]["note"] == "test sending"
    with pytest.raises(InboxError):
        inbox.discard(entry, "again", "super1")
    assert AuditLog(tmp_path).entries()[0]["action"] == "inbox_discard"


def test_accept_stores_fixed_answers_under_the_entrys_id(tmp_path):
    store = ResponseStore(tmp_path)
    inbox = Inbox(tmp_path, store=store)
    answers = generate("household", n=1, seed=3)[0]
    entry = inbox.keep("household", "enum01", b"<data/>", "age: too large", "uuid:abc", response_id="abc")
    with pytest.raises(ValidationError):
        inbox.accept(entry, {}, "super1")
    assert inbox.count() == 1
    receipt = inbox.accept(entry, answers, "super1")
    assert receipt.response_id == "abc"
    assert store.read("household")["_enumerator"].tolist() == ["enum01"]
    assert inbox.list() == []
