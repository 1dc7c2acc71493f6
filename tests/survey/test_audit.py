"""The audit log: append-only JSON lines, durable, safe with several writers."""

from __future__ import annotations

import json
import multiprocessing

import pytest

from survey.fieldwork.audit_log import AUDIT_FILE, AuditLog
from survey.locale import pick


def test_entries_are_appended_and_read_newest_first(tmp_path):
    log = AuditLog(tmp_path / "data")
    log.record("login", "admin")
    log.record("submit", "enum01", "household/abc", "ok", revision=1)
    entries = log.entries()
    assert [e["action"] for e in entries] == ["submit", "login"]
    assert entries[0]["object"] == "household/abc" and entries[0]["detail"] == {"revision": 1}
    assert entries[0]["time"].endswith("Z")
    assert [e["action"] for e in log.entries(newest_first=False)] == ["login", "submit"]


def test_hostile_values_are_clipped_and_kept_on_one_line(tmp_path):
    log = AuditLog(tmp_path)
    log.record("login_failed", "x" * 5000 + "\n\x00\ud800", outcome="failed")
    lines = (tmp_path / AUDIT_FILE).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    user = json.loads(lines[0])["user"]
    assert len(user) <= 300 and user.endswith("…")


def test_a_torn_last_line_is_skipped_and_counted(tmp_path):
    log = AuditLog(tmp_path)
    log.record("login", "admin")
    with open(tmp_path / AUDIT_FILE, "ab") as handle:
        handle.write(b'{"time": "2026-')
    assert [e["action"] for e in log.entries()] == ["login"]
    assert log.unreadable_lines() == 1


def _write_many(root: str, worker: int) -> None:
    log = AuditLog(root)
    for i in range(50):
        log.record("submit", f"enum{worker}", f"household/{worker}-{i}")


def test_concurrent_writers_lose_no_entry(tmp_path):
    procs = [multiprocessing.Process(target=_write_many, args=(str(tmp_path), w)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    entries = AuditLog(tmp_path).entries()
    assert len(entries) == 200 and AuditLog(tmp_path).unreadable_lines() == 0
    assert len({e["object"] for e in entries}) == 200


def test_store_records_submissions_and_reviews(tmp_path):
    from survey import ResponseStore
    from survey.simulate import generate

    store = ResponseStore(tmp_path)
    answers = generate("agency", 1, seed=3)[0]
    receipt = store.submit("agency", answers, enumerator="enum01", response_id="r1")
    store.submit("agency", answers, enumerator="enum01", response_id="r1")
    store.set_status("agency", "r1", "approved", editor="super1", base_revision=1)
    got = [(e["action"], e["user"], e["object"], e["outcome"]) for e in store.audit.entries(newest_first=False)]
    assert got == [("submit", "enum01", "agency/r1", "ok"), ("submit", "enum01", "agency/r1", "duplicate"),
                   ("review", "super1", "agency/r1", "ok")]
    assert receipt.revision == 1


def test_pick_falls_back_to_english_then_any():
    assert pick({"id": "Ya", "en": "Yes"}, "id") == "Ya"
    assert pick({"en": "Yes"}, "id") == "Yes"
    assert pick({"id": "Ya"}, "en") == "Ya"
    assert pick(None, "en") == ""


def test_a_torn_last_line_is_cut_off_before_the_next_entry(tmp_path):
    log = AuditLog(tmp_path)
    log.record("login", "admin")
    with open(tmp_path / AUDIT_FILE, "ab") as handle:
        handle.write(b'{"time": "2026-')  # a crash in the middle of a write
    log.record("logout", "admin")
    assert [e["action"] for e in log.entries(newest_first=False)] == ["login", "logout"]
    assert log.unreadable_lines() == 0


def test_a_full_disk_leaves_no_half_line(tmp_path, monkeypatch):
    import errno

    import survey.fieldwork.audit_log as audit_log

    log = AuditLog(tmp_path)
    log.record("login", "admin")
    real_write = audit_log.os.write

    def half_then_full(fd, data):  # the disk fills up in the middle of the line
        return real_write(fd, data[: len(data) // 2])

    monkeypatch.setattr(audit_log.os, "write", half_then_full)
    with pytest.raises(OSError) as caught:
        log.record("submit", "enum01", "household/abc")
    assert caught.value.errno == errno.ENOSPC
    monkeypatch.setattr(audit_log.os, "write", real_write)

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(audit_log.os, "fsync", no_space)
    with pytest.raises(OSError):
        log.record("submit", "enum01", "household/def")
    monkeypatch.undo()
    log.record("logout", "admin")
    assert [e["action"] for e in log.entries(newest_first=False)] == ["login", "logout"]
    assert log.unreadable_lines() == 0
    assert (tmp_path / AUDIT_FILE).read_bytes().endswith(b"\n")
