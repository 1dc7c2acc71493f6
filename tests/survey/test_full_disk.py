"""A full disk fails only what needs space: logins still work, drafts say so (issue 19, item 9).
The audit log's own behaviour on a full disk is in test_audit.py."""

import errno

import pytest

from survey.fieldwork.audit_log import AuditLog
from survey.fieldwork.drafts import Draft, Drafts
from tests.support.hashing import cheap_accounts


def fill_the_disk(monkeypatch):
    """Every write that must reach the disk (fsync) and every unbuffered write fails as on a full disk.
    Give it a MonkeyPatch of its own when the disk is to be emptied again (its undo undoes all)."""
    import survey.fieldwork.audit_log as audit_log
    import survey.store.durable as durable

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(durable.os, "fsync", no_space)
    monkeypatch.setattr(audit_log.os, "write", no_space)


def test_logging_in_works_on_a_full_disk(tmp_path, monkeypatch):
    accounts = cheap_accounts(tmp_path)
    accounts.add("admin", "admin", "admin-pass-123")
    with pytest.MonkeyPatch.context() as disk:
        fill_the_disk(disk)
        result = accounts.login("admin", "admin-pass-123")
        assert result.ok and result.unrecorded
        wrong = accounts.login("admin", "not-the-password")
        assert wrong.outcome == "wrong" and wrong.unrecorded
        unknown = accounts.login("nobody", "not-the-password")
        assert unknown.outcome == "wrong" and unknown.unrecorded
    again = accounts.login("admin", "admin-pass-123")
    assert again.ok and not again.unrecorded
    assert [e["action"] for e in AuditLog(tmp_path).entries(newest_first=False)] == ["account_create", "login"]


def test_a_draft_on_a_full_disk_raises_a_full_disk_error_and_leaves_nothing(tmp_path, monkeypatch):
    from survey.store.durable import is_full

    drafts = Drafts(tmp_path)
    drafts.save(Draft("enum01", "household", "r1", values={"respondent_name": "Sri"}))
    with pytest.MonkeyPatch.context() as disk:
        fill_the_disk(disk)
        with pytest.raises(OSError) as caught:
            drafts.save(Draft("enum01", "household", "r1", values={"respondent_name": "Sri Wahyuni"}))
    assert is_full(caught.value)
    [kept] = drafts.list("enum01")
    assert kept.values["respondent_name"] == "Sri"  # the last good draft
    assert [p.name for p in (tmp_path / "drafts" / "enum01").iterdir()] == ["household.r1.draft.json"]
