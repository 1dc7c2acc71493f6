"""python -m survey.check looks at the whole data folder (issue 19, item 13): files in
quarantine (a warning with the reason), the accounts file, drafts, the audit log and
the stored questionnaire versions."""

from __future__ import annotations

from survey.store.integrity import check_store, main
from tests.survey.test_store_markers import fill, folder, make_store


def kinds(report) -> list[tuple[str, str, bool]]:
    return sorted((f.kind, f.table, f.warning) for f in report.findings)


def test_files_in_quarantine_are_a_warning_with_their_reason(tmp_path, capsys):
    store = make_store(tmp_path)
    fill(store, range(3))
    (folder(store, "hh") / "r1__r1.parquet").write_bytes(b"")
    store.read("hh")  # the reader sets it aside
    report = check_store(store.root, store.instruments_dir)
    (warning,) = report.findings
    assert warning.warning and warning.kind == "quarantined" and warning.name == "_quarantine/r1__r1.parquet"
    assert "unreadable" in warning.detail and report.sound
    assert main(["--data", str(store.root)]) == 0  # warnings do not fail the check...
    out = capsys.readouterr().out
    assert "r1__r1.parquet" in out and "unreadable" in out
    assert ": sound;" not in out and "1 warning(s)" in out  # ...but it never says "sound" alone


def test_accounts_drafts_audit_log_and_stored_versions_are_checked(tmp_path, capsys):
    store = make_store(tmp_path)
    fill(store, range(2))
    root = store.root
    (root / "accounts").mkdir()  # a folder without its file: the app's first run, nothing to report
    assert check_store(root, store.instruments_dir).findings == []

    (root / "accounts" / "users.json").write_text('{"users": {"admin": {"role": ')  # torn
    drafts = root / "drafts" / "enum01"
    drafts.mkdir(parents=True)
    (drafts / "hh.r9.draft.json").write_text("[" * 100_000 + "]" * 100_000)  # nested too deep to read
    (drafts / "hh.r8.draft.json").write_text("{not json")
    with open(root / "audit.jsonl", "ab") as handle:
        handle.write(b'{"time": "2026-12-01T08:00:00Z", "act')  # a torn last line
    (version,) = (root / "instrument_versions" / "hh").glob("v1-*.yaml")
    version.write_text("questions: [unclosed", encoding="utf-8")

    report = check_store(root, store.instruments_dir)
    assert kinds(report) == [("accounts", "accounts", False), ("audit", "audit.jsonl", True),
                             ("drafts", "drafts", True), ("drafts", "drafts", True),
                             ("version", "instrument_versions", False)]
    assert not report.sound
    assert main(["--data", str(root)]) == 1
    out = capsys.readouterr().out
    assert "users.json" in out and "hh.r9.draft.json" in out and "audit.jsonl" in out and version.name in out
    assert (drafts / "hh.r9.draft.json").exists()  # a check reads; only the entry page sets a draft aside

    (root / "accounts" / "users.json").write_text('{"users": {}}')  # emptied
    assert [f.detail for f in check_store(root, store.instruments_dir).findings if f.kind == "accounts"] == [
        "damaged (no account in it); restore it from a backup"]
