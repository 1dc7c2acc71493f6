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


def test_the_inbox_and_the_attachments_are_the_owners_only(tmp_path):
    import os
    import stat
    import uuid as uuid_module

    from analysis.export.xlsform.xform import xform
    from survey import load_instrument
    from survey.odk.receive import receive
    from tests.support.odk import instance

    old = os.umask(0o022)
    try:
        store = ResponseStore(tmp_path)
        Inbox(tmp_path).keep("household", "enum01", b"<x", "not XML", None, {"face.jpg": b"JPEG"})
        body = instance(xform(load_instrument("agency")).xml, generate("agency", n=1, seed=1)[0],
                        f"uuid:{uuid_module.uuid4()}")
        assert receive(store, "enum01", body, {"sign.jpg": b"JPEG"}).status == 201
    finally:
        os.umask(old)
    for folder in (tmp_path / "inbox", tmp_path / "odk"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    entry = next(p for p in (tmp_path / "inbox").iterdir())
    assert {stat.S_IMODE(p.stat().st_mode) for p in entry.rglob("*") if p.is_file()} == {0o600}
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "odk").rglob("*.jpg")} == {0o600}
