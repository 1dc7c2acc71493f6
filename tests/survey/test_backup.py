"""Backups taken while writers write, verified, restored and compared row for row;
python -m survey.backup and python -m survey.check as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from survey.fieldwork.audit_log import AuditLog
from survey.store.backups import BackupError, create_backup, restore_backup, verify_backup
from survey.store.integrity import check_store
from survey.store.response_store import ResponseStore
from tests.support import store_worker as worker

ROOT = Path(__file__).resolve().parents[2]


class Writer:
    """A store_worker process whose acknowledgements are collected as they come."""

    def __init__(self, root: Path, start: int, stop: int, seed: int):
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, worker.SCRIPT, str(root), str(start), str(stop),
             "--threshold", "4", "--seed", str(seed), "--compact-every", "7"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def acknowledged(self) -> set[str]:
        return {line.split()[0] for line in list(self.lines) if line.startswith("r") and len(line.split()) == 3}

    def finish(self) -> None:
        _, err = self.proc.communicate(timeout=180)
        self.reader.join(timeout=30)
        assert self.proc.returncode == 0, err


def live_store(root: Path) -> ResponseStore:
    return ResponseStore(root / "data", instruments_dir=root / "instruments")


def test_a_backup_taken_while_four_processes_write_restores_row_for_row(tmp_path):
    worker.write_instrument(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    (data / "frame.csv").write_text("psu,households\n1,120\n")
    (data / "accounts").mkdir()
    (data / "accounts" / "users.json").write_text('{"admin": {"role": "admin"}}')
    writers = [Writer(tmp_path, a, a + 60, seed=n) for n, a in enumerate((0, 60, 120, 180))]
    try:
        deadline = time.monotonic() + 60
        while sum(len(w.acknowledged()) for w in writers) < 40:
            assert time.monotonic() < deadline, "writers too slow"
            time.sleep(0.01)
        before = set().union(*(w.acknowledged() for w in writers))
        manifest = create_backup(data, tmp_path / "backup")
        during = set().union(*(w.acknowledged() for w in writers))
    finally:
        for w in writers:
            w.finish()
    assert len(during) < 240, "the writers should still have been writing during the backup"

    checked = verify_backup(tmp_path / "backup")
    assert checked.ok, checked.problems
    assert checked.rows == {t: info["rows"] for t, info in manifest["tables"].items()}
    restore_backup(tmp_path / "backup", tmp_path / "restored")

    restored = ResponseStore(tmp_path / "restored", instruments_dir=tmp_path / "instruments")
    live = live_store(tmp_path)
    got, now = restored.read("hh"), live.read("hh")
    ids = set(got["_response_id"])
    assert before <= ids and len(ids) == len(got)  # everything acknowledged before is there, once
    expected = now[now["_response_id"].isin(ids)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)
    members, all_members = restored.read("hh_members"), live.read("hh_members")
    expected = all_members[all_members["_response_id"].isin(ids)].reset_index(drop=True)
    pd.testing.assert_frame_equal(members.reset_index(drop=True), expected)
    assert (tmp_path / "restored" / "frame.csv").read_text() == "psu,households\n1,120\n"
    assert (tmp_path / "restored" / "accounts" / "users.json").exists()
    assert len(AuditLog(tmp_path / "restored").entries()) >= len(before)
    assert restored.instrument_versions("hh") == [1]

    # the restored store behaves: a resubmission is a duplicate, compaction changes nothing
    rid = sorted(ids)[0]
    again = restored.submit("hh", worker.answers(int(rid[1:])), enumerator="e", response_id=rid)
    assert again.duplicate
    restored.compact()
    assert sorted(restored.read("hh")["_response_id"]) == sorted(ids)
    assert restored.count("hh_members") == len(members)


def test_verify_finds_a_damaged_backup_and_restore_refuses_it(tmp_path):
    store = ResponseStore(tmp_path / "data", instruments_dir=worker.write_instrument(tmp_path))
    for i in range(5):
        store.submit("hh", worker.answers(i), enumerator="e", response_id=worker.response_id(i))
    create_backup(tmp_path / "data", tmp_path / "b")
    assert verify_backup(tmp_path / "b").ok
    victim = next((tmp_path / "b" / "responses" / "hh").glob("*.parquet"))
    victim.write_bytes(victim.read_bytes()[:-20])
    result = verify_backup(tmp_path / "b")
    assert not result.ok and any(victim.name in p for p in result.problems)
    with pytest.raises(BackupError, match="damaged"):
        restore_backup(tmp_path / "b", tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_backup_and_restore_refuse_folders_that_are_not_empty(tmp_path):
    store = ResponseStore(tmp_path / "data", instruments_dir=worker.write_instrument(tmp_path))
    store.submit("hh", worker.answers(1), enumerator="e", response_id="r1")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(BackupError, match="not empty"):
        create_backup(tmp_path / "data", tmp_path / "full")
    with pytest.raises(BackupError, match="contain"):
        create_backup(tmp_path / "data", tmp_path / "data" / "inside")
    create_backup(tmp_path / "data", tmp_path / "b")
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(tmp_path / "b", tmp_path / "data")
    with pytest.raises(BackupError, match="incomplete"):
        verify_backup(tmp_path / "full")


def test_check_reports_and_repairs(tmp_path):
    store = ResponseStore(tmp_path / "data", instruments_dir=worker.write_instrument(tmp_path), orphan_seconds=60)
    for i in range(6):
        store.submit("hh", worker.answers(i), enumerator="e", response_id=worker.response_id(i))
    store.compact()
    store.submit("hh", worker.answers(7), enumerator="e", response_id=worker.response_id(7))
    main = tmp_path / "data" / "responses" / "hh"
    members = tmp_path / "data" / "responses" / "hh_members"
    (main / "r00007__r1.parquet").write_bytes(b"")
    (main / "notes.txt").write_text("mine")
    (main / "_committed" / "r00099__r1").touch()  # a marker whose row no part holds
    (main / "_committed" / "r00001__r1").unlink()  # a row in a part without its marker
    roster = next(members.glob("part-*.parquet"))
    (members / "r00001__r1__t1 (1).parquet").write_bytes(roster.read_bytes())
    (members / "ghost__r1__t5.parquet").write_bytes(roster.read_bytes())
    os.utime(members / "ghost__r1__t5.parquet", (time.time() - 600, time.time() - 600))

    report = check_store(tmp_path / "data", tmp_path / "instruments", orphan_seconds=60)
    kinds = sorted((f.kind, f.table, f.name.split("/")[0]) for f in report.findings)
    assert kinds == [
        ("corrupt", "hh", "r00007__r1.parquet"),
        ("foreign", "hh_members", "r00001__r1__t1 (1).parquet"),
        ("marker", "hh", "_committed"), ("marker", "hh", "_committed"),
        ("orphaned", "hh_members", "ghost__r1__t5.parquet"),
        ("stray", "hh", "notes.txt"),
    ]
    assert not report.sound and all(not f.repaired for f in report.findings)
    assert (main / "notes.txt").exists()  # reporting changes nothing

    repaired = check_store(tmp_path / "data", tmp_path / "instruments", repair=True, orphan_seconds=60)
    assert repaired.sound and len(repaired.findings) == 6
    after = check_store(tmp_path / "data", tmp_path / "instruments", orphan_seconds=60)
    assert after.sound and all(f.warning and f.kind == "quarantined" for f in after.findings)
    assert len(after.findings) == 5  # what --repair set aside is listed, with its reason
    assert (main / "_committed" / "r00001__r1").exists()
    assert sorted(p.name for p in (main / "_quarantine").iterdir()) == [
        "_committed-r00099__r1", "notes.txt", "r00007__r1.parquet"]
    assert sorted(store.read("hh")["_response_id"]) == [worker.response_id(i) for i in range(6)]


# ----------------------------------------------------------------------------- the commands


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def test_the_commands_take_data_anywhere_and_fail_with_a_message(tmp_path):
    data = tmp_path / "data"
    store = ResponseStore(data, instruments_dir=worker.write_instrument(tmp_path))
    for i in range(3):
        store.submit("hh", worker.answers(i), enumerator="e", response_id=worker.response_id(i))

    made = run("survey.backup", "--data", str(data), "create", str(tmp_path / "b1"))
    assert made.returncode == 0 and "3 stored rows" not in made.stderr and "backup of" in made.stdout
    assert run("survey.backup", "create", str(tmp_path / "b2"), "--data", str(data)).returncode == 0
    assert run("survey.backup", "create", str(tmp_path / "b3"), env={"SURVEY_DATA_DIR": str(data)}).returncode == 0
    for name in ("b1", "b2", "b3"):
        manifest = json.loads((tmp_path / name / "backup.json").read_text())
        assert manifest["tables"]["hh"]["rows"] == 3
    verified = run("survey.backup", "verify", str(tmp_path / "b1"))
    assert verified.returncode == 0 and verified.stdout.startswith("ok")

    again = run("survey.backup", "create", str(tmp_path / "b1"), "--data", str(data))
    assert again.returncode == 1 and "not empty" in again.stderr and "Traceback" not in again.stderr
    missing = run("survey.backup", "verify", str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "no backup" in missing.stderr and "Traceback" not in missing.stderr
    refused = run("survey.backup", "restore", str(tmp_path / "b1"), "--data", str(data))
    assert refused.returncode == 1 and "not empty" in refused.stderr
    restored = run("survey.backup", "--data", str(tmp_path / "new"), "restore", str(tmp_path / "b1"))
    assert restored.returncode == 0, restored.stderr
    assert sorted(p.name for p in (tmp_path / "new" / "responses").iterdir()) == ["hh", "hh_members"]
    usage = run("survey.backup", "explode")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr

    sound = run("survey.check", "--data", str(tmp_path / "new"))  # read with the stored versions
    assert sound.returncode == 0 and "sound" in sound.stdout, sound.stdout + sound.stderr
    (tmp_path / "new" / "responses" / "hh" / "r00001__r1.parquet").write_bytes(b"")
    damaged = run("survey.check", "--data", str(tmp_path / "new"))
    assert damaged.returncode == 1 and "corrupt" in damaged.stdout and "--repair" in damaged.stdout
    repaired = run("survey.check", "--repair", "--data", str(tmp_path / "new"))
    assert repaired.returncode == 0 and "repaired" in repaired.stdout
    nowhere = run("survey.check", "--data", str(tmp_path / "nothing"))
    assert nowhere.returncode == 1 and "no data folder" in nowhere.stderr and "Traceback" not in nowhere.stderr
