"""File modes: the store's secrets and personal data stay the owner's only (0600 files, 0700
folders) in the live folder, after compaction, `check --repair`, a backup and a restore.

Under the usual umask 022 a file made without care is 0644 and a folder 0755, readable by
every account of the server: `exposed` lists the files another account could read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from survey.fieldwork.drafts import Draft, Drafts
from survey.store.backups import create_backup, restore_backup, verify_backup
from survey.store.integrity import check_store
from survey.store.response_store import ResponseStore
from tests.support import store_worker as worker
from tests.support.hashing import cheap_accounts

# not personal: the questionnaire versions and the sampling frame
PUBLIC = ("instrument_versions/", "frame.csv")


@pytest.fixture(autouse=True)
def _usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def exposed(root: Path) -> list[str]:
    """Files under `root` that another account could read: readable by group or others through
    folders (below `root`) that let them in."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if mode(here / d) & 0o011]   # others can pass through
        found += [(here / f).relative_to(root).as_posix() for f in filenames if mode(here / f) & 0o044]
    return sorted(f for f in found if not f.startswith(PUBLIC))


def assert_private(root: Path) -> None:
    assert exposed(root) == []
    assert mode(root / "accounts") == 0o700 and mode(root / "accounts" / "users.json") == 0o600
    assert mode(root / "audit.jsonl") == 0o600
    assert mode(root / "drafts") == 0o700 and mode(root / "drafts" / "enum01") == 0o700
    assert {mode(p) for p in (root / "drafts" / "enum01").iterdir()} == {0o600}
    assert {mode(root / "responses"), mode(root / "responses" / "hh")} == {0o700}


def live_folder(tmp_path: Path) -> tuple[Path, ResponseStore]:
    data = tmp_path / "data"
    store = ResponseStore(data, instruments_dir=worker.write_instrument(tmp_path), orphan_seconds=60)
    for i in range(5):
        store.submit("hh", worker.answers(i), enumerator="enum01", response_id=worker.response_id(i))
    accounts = cheap_accounts(data)
    accounts.add("admin", "admin", "admin-pass-123")
    accounts.login("ghost", "wrong-password")   # an unknown name's count is kept too
    drafts = Drafts(data)
    drafts.save(Draft("enum01", "hh", "r00099", {"name": "Siti Aminah", "phone": "0812 3456 7890"}))
    drafts.carry("enum01", "hh", {"kecamatan": "Laweyan"})
    (data / "frame.csv").write_text("psu,households\n1,120\n")
    return data, store


def test_drafts_accounts_and_the_audit_log_are_private_in_the_live_folder(tmp_path):
    data, _ = live_folder(tmp_path)
    assert_private(data)
    assert mode(data / "accounts" / "unknown_names.json") == 0o600


def test_draft_folders_made_before_drafts_were_private_are_closed_at_the_next_save(tmp_path):
    folder = tmp_path / "drafts" / "enum01"
    folder.mkdir(parents=True, mode=0o755)
    os.chmod(tmp_path / "drafts", 0o755)
    Drafts(tmp_path).save(Draft("enum01", "hh", "r1", {"name": "Siti"}))
    assert (mode(tmp_path / "drafts"), mode(folder), mode(next(folder.iterdir()))) == (0o700, 0o700, 0o600)


def test_compaction_and_repair_keep_the_store_private(tmp_path):
    data, store = live_folder(tmp_path)
    store.compact()
    assert_private(data)
    (data / "responses" / "hh" / "notes.txt").write_text("mine")
    assert check_store(data, tmp_path / "instruments", repair=True, orphan_seconds=60).sound
    assert (data / "responses" / "hh" / "_quarantine" / "notes.txt").exists()
    assert_private(data)


def test_a_backup_and_its_restore_keep_every_mode_private(tmp_path):
    data, _ = live_folder(tmp_path)
    backup, restored = tmp_path / "backup", tmp_path / "restored"
    create_backup(data, backup)
    assert {mode(Path(d)) for d, _, _ in os.walk(backup)} == {0o700}
    assert mode(backup / "backup.json") == 0o600
    assert_private(backup)
    restore_backup(backup, restored)
    assert mode(restored) == 0o700
    assert_private(restored)
    assert mode(restored / "frame.csv") == mode(data / "frame.csv")   # other files keep their mode


def test_a_restore_of_a_backup_with_loose_modes_makes_the_private_files_private(tmp_path):
    data, _ = live_folder(tmp_path)
    backup, restored = tmp_path / "backup", tmp_path / "restored"
    create_backup(data, backup)
    for dirpath, _, filenames in os.walk(backup):   # as a backup of an older version left them
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(Path(dirpath) / name, 0o644)
    assert verify_backup(backup).ok
    restore_backup(backup, restored)
    assert_private(restored)
