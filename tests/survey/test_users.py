"""Accounts: hashes, lockout with a controlled clock, admin rules, and the command line.

The tests of hashing and the command line use the production Argon2id hasher; those of
lockouts, names and roles the cheap one of tests/support/hashing.py."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import Type

from survey.fieldwork.accounts import (
    DEFAULT_HASHER,
    LOCKOUT_SECONDS,
    AccountError,
    Accounts,
    AccountsDamaged,
    dummy_hash,
)
from survey.fieldwork.audit_log import AuditLog
from tests.support.hashing import CHEAP_HASHER

ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_hash_is_argon2id_with_its_parameters_and_a_salt_per_user(tmp_path):
    accounts = Accounts(tmp_path)
    accounts.add("a", "enumerator", "same-password-1")
    accounts.add("b", "enumerator", "same-password-1")
    users = json.loads((tmp_path / "accounts" / "users.json").read_text())["users"]
    hashes = [users[n]["hash"] for n in ("a", "b")]
    for h in hashes:
        algorithm, version, params, salt, digest = h.split("$")[1:]
        assert (algorithm, version) == ("argon2id", "v=19")
        assert dict(p.split("=") for p in params.split(",")) == {"m": "65536", "t": "3", "p": "4"}
        assert len(salt) >= 22 and len(digest) >= 43
    assert hashes[0] != hashes[1]  # different salts
    assert "same-password-1" not in (tmp_path / "accounts" / "users.json").read_text()


def parameters(digest: str) -> dict[str, str]:
    """m, t and p of an Argon2 PHC string."""
    return dict(p.split("=") for p in digest.split("$")[3].split(","))


def test_the_app_and_the_command_line_hash_with_argon2id_at_its_parameters(tmp_path):
    from ui import auth

    for hasher in (DEFAULT_HASHER, auth.HASHER, Accounts(tmp_path).hasher):
        assert (hasher.type, hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (Type.ID, 3, 65536, 4)


def test_an_injected_hasher_hashes_checks_and_times_unknown_users(tmp_path):
    accounts = Accounts(tmp_path, hasher=CHEAP_HASHER)
    accounts.add("enum01", "enumerator", "enumerator-pass-1")
    stored = json.loads((tmp_path / "accounts" / "users.json").read_text())["users"]["enum01"]["hash"]
    assert stored.startswith("$argon2id$") and parameters(stored) == {"m": "8", "t": "1", "p": "1"}
    assert accounts.login("enum01", "enumerator-pass-1").ok
    assert accounts.login("nobody", "enumerator-pass-1").outcome == "wrong"
    # An unknown name is checked against a hash of the same hasher: the same work as a wrong password.
    assert parameters(dummy_hash(CHEAP_HASHER)) == parameters(stored)
    assert parameters(dummy_hash(DEFAULT_HASHER)) == {"m": "65536", "t": "3", "p": "4"}


def test_a_login_rehashes_a_hash_of_other_parameters(tmp_path):
    Accounts(tmp_path, hasher=CHEAP_HASHER).add("enum01", "enumerator", "enumerator-pass-1")
    assert Accounts(tmp_path).login("enum01", "enumerator-pass-1").ok
    stored = json.loads((tmp_path / "accounts" / "users.json").read_text())["users"]["enum01"]["hash"]
    assert parameters(stored) == {"m": "65536", "t": "3", "p": "4"}
    assert Accounts(tmp_path).login("enum01", "enumerator-pass-1").ok


def test_the_accounts_file_is_private(tmp_path):
    Accounts(tmp_path).add("admin", "admin", "admin-pass-123")
    assert stat.S_IMODE(os.stat(tmp_path / "accounts").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "accounts" / "users.json").st_mode) == 0o600


@pytest.mark.parametrize("name, password, code", [
    ("", "long-enough-1", "username"),
    ("a" * 41, "long-enough-1", "username"),
    ("bad name", "long-enough-1", "username"),
    ("ok", "short", "password_short"),
    ("ok", "x" * 300, "password_long"),
    ("ok", "tab\tinside-pw", "password_chars"),
    ("longname12", "LongName12", "password_name"),
    ("sim-enum01", "long-enough-1", "simulated"),   # the simulator's names are no person's
    ("SIM-Enum01", "long-enough-1", "simulated"),
])
def test_names_and_passwords_are_checked(tmp_path, name, password, code):
    with pytest.raises(AccountError) as err:
        Accounts(tmp_path).add(name, "enumerator", password)
    assert err.value.code == code


def test_user_names_are_case_insensitive_and_unique(tmp_path):
    accounts = Accounts(tmp_path, hasher=CHEAP_HASHER)
    accounts.add("Enum01", "enumerator", "enumerator-pass-1")
    with pytest.raises(AccountError, match="already"):
        accounts.add("ENUM01", "supervisor", "enumerator-pass-1")
    assert accounts.login("eNuM01", "enumerator-pass-1").ok


def test_five_failures_in_a_row_lock_for_15_minutes_and_survive_a_restart(tmp_path):
    clock = Clock()
    Accounts(tmp_path, clock, CHEAP_HASHER).add("enum01", "enumerator", "enumerator-pass-1")
    for left in (4, 3, 2, 1):
        result = Accounts(tmp_path, clock, CHEAP_HASHER).login("enum01", "wrong-password")
        assert (result.outcome, result.failures_left) == ("wrong", left)
    result = Accounts(tmp_path, clock, CHEAP_HASHER).login("enum01", "wrong-password")
    assert result.outcome == "locked" and result.locked_until == clock.now + LOCKOUT_SECONDS
    clock.now += LOCKOUT_SECONDS - 1
    again = Accounts(tmp_path, clock, CHEAP_HASHER)  # a new process
    assert again.login("enum01", "enumerator-pass-1").outcome == "locked"
    clock.now += 2
    assert Accounts(tmp_path, clock, CHEAP_HASHER).login("enum01", "enumerator-pass-1").ok
    actions = [e["action"] for e in AuditLog(tmp_path).entries(newest_first=False)]
    assert actions == ["account_create"] + ["login_failed"] * 4 + ["lockout", "login_failed", "login"]


def outcomes(accounts: Accounts, name: str, tries: int = 6) -> list[tuple]:
    """(outcome, failures_left, locked_until) of `tries` wrong passwords for `name`."""
    return [(r.outcome, r.failures_left, r.locked_until)
            for r in (accounts.login(name, "wrong-password") for _ in range(tries))]


def test_an_unknown_name_answers_as_a_known_one_and_is_locked_after_five_tries(tmp_path):
    clock = Clock()
    accounts = Accounts(tmp_path, clock, CHEAP_HASHER)
    accounts.add("admin", "admin", "admin-pass-123")
    known, unknown = outcomes(accounts, "admin"), outcomes(accounts, "ghost")
    assert unknown == known
    assert [o[0] for o in unknown] == ["wrong"] * 4 + ["locked"] * 2
    # the count survives a restart, a malformed name is counted too, and the lock ends as a real one
    assert Accounts(tmp_path, clock, CHEAP_HASHER).login("GHOST", "x").outcome == "locked"
    assert outcomes(accounts, "not a name!") == known
    clock.now += LOCKOUT_SECONDS + 1
    assert accounts.login("ghost", "wrong-password").failures_left == 4
    stored = (tmp_path / "accounts" / "unknown_names.json").read_text()
    assert "ghost" not in stored and "wrong-password" not in stored
    assert stat.S_IMODE((tmp_path / "accounts" / "unknown_names.json").stat().st_mode) == 0o600
    # a name that gets an account starts with a clean count
    accounts.add("ghost", "enumerator", "enumerator-pass-1")
    assert accounts.login("ghost", "enumerator-pass-1").ok


def test_unknown_names_are_bounded(tmp_path, monkeypatch):
    from survey.fieldwork import accounts as module

    monkeypatch.setattr(module, "MAX_UNKNOWN_NAMES", 5)
    clock = Clock()
    accounts = Accounts(tmp_path, clock, CHEAP_HASHER)
    for i in range(12):
        clock.now += 1
        accounts.login(f"name{i}", "wrong-password")
    assert len(json.loads((tmp_path / "accounts" / "unknown_names.json").read_text())) == 5
    assert accounts.login("name11", "wrong-password").failures_left == 3   # the newest are kept


def test_unlock_lifts_a_lock_of_a_known_or_unknown_name(tmp_path):
    clock = Clock()
    accounts = Accounts(tmp_path, clock, CHEAP_HASHER)
    accounts.add("admin", "admin", "admin-pass-123")
    outcomes(accounts, "admin", 5)
    outcomes(accounts, "ghost", 5)
    assert accounts.login("admin", "admin-pass-123").outcome == "locked"
    accounts.unlock("admin", by="cli:root")
    accounts.unlock("ghost", by="cli:root")
    assert accounts.login("admin", "admin-pass-123").ok
    assert accounts.login("ghost", "wrong-password").failures_left == 4
    with pytest.raises(AccountError) as err:
        accounts.unlock("nobody-at-all")
    assert err.value.code == "unknown"
    unlocks = [e for e in AuditLog(tmp_path).entries(newest_first=False) if e["action"] == "account_unlock"]
    assert [(e["user"], e["object"]) for e in unlocks] == [("cli:root", "admin"), ("cli:root", "ghost")]


def test_a_success_resets_the_count(tmp_path):
    accounts = Accounts(tmp_path, Clock(), CHEAP_HASHER)
    accounts.add("enum01", "enumerator", "enumerator-pass-1")
    for _ in range(4):
        accounts.login("enum01", "nope-nope-nope")
    assert accounts.login("enum01", "enumerator-pass-1").ok
    assert accounts.login("enum01", "nope-nope-nope").failures_left == 4


def test_the_last_administrator_cannot_be_disabled_or_demoted(tmp_path):
    accounts = Accounts(tmp_path, hasher=CHEAP_HASHER)
    accounts.add("boss", "admin", "boss-password-1")
    with pytest.raises(AccountError, match="last"):
        accounts.set_disabled("boss", True)
    with pytest.raises(AccountError, match="last"):
        accounts.set_role("boss", "supervisor")
    accounts.add("boss2", "admin", "boss-password-2")
    accounts.set_role("boss", "supervisor")
    assert accounts.get("boss").role == "supervisor"


def test_disabled_accounts_cannot_log_in_and_changed_passwords_apply(tmp_path):
    accounts = Accounts(tmp_path, hasher=CHEAP_HASHER)
    accounts.add("enum01", "enumerator", "enumerator-pass-1")
    accounts.set_disabled("enum01", True, by="admin")
    assert accounts.login("enum01", "enumerator-pass-1").outcome == "disabled"
    assert accounts.login("enum01", "wrong-password").outcome == "wrong"
    accounts.set_disabled("enum01", False, by="admin")
    accounts.set_password("enum01", "brand-new-pass-2", by="admin")
    assert not accounts.login("enum01", "enumerator-pass-1").ok
    assert accounts.login("enum01", "brand-new-pass-2").ok


def cli(data: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SURVEY_DATA_DIR"}
    return subprocess.run([sys.executable, "-m", "survey.users", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=60)


def test_command_line_add_list_passwd_role_disable(tmp_path):
    data = tmp_path / "data"
    made = cli(data, "add", "enum01", "--role", "enumerator", "--password-stdin", "--data", str(data),
               stdin="field-password-1\n")
    assert made.returncode == 0, made.stderr
    assert cli(data, "--data", str(data), "add", "sup1", "--role", "supervisor", "--password-stdin",
               stdin="super-password-1\n").returncode == 0
    listed = cli(data, "list", "--data", str(data))
    assert listed.returncode == 0 and "enum01" in listed.stdout and "supervisor" in listed.stdout
    assert "argon2" not in listed.stdout and "field-password-1" not in listed.stdout
    assert cli(data, "passwd", "enum01", "--password-stdin", "--data", str(data),
               stdin="changed-password-2\n").returncode == 0
    assert Accounts(data).login("enum01", "changed-password-2").ok
    assert cli(data, "role", "enum01", "--role", "supervisor", "--data", str(data)).returncode == 0
    assert cli(data, "--data", str(data), "disable", "enum01").returncode == 0
    assert Accounts(data).get("enum01").disabled and Accounts(data).get("enum01").role == "supervisor"
    changes = [e for e in AuditLog(data).entries(newest_first=False) if e["action"] != "login"]
    assert [e["action"] for e in changes] == ["account_create", "account_create", "account_password",
                                              "account_role", "account_disable"]
    assert all(e["user"].startswith("cli:") for e in changes)


def test_command_line_unlock(tmp_path):
    data = tmp_path / "data"
    assert cli(data, "add", "admin", "--role", "admin", "--password-stdin", "--data", str(data),
               stdin="admin-pass-123\n").returncode == 0
    for _ in range(5):
        Accounts(data, hasher=CHEAP_HASHER).login("admin", "wrong-password")
    assert Accounts(data).login("admin", "admin-pass-123").outcome == "locked"
    done = cli(data, "unlock", "admin", "--data", str(data))
    assert done.returncode == 0 and "admin unlocked" in done.stdout, done.stderr
    assert Accounts(data).login("admin", "admin-pass-123").ok
    missing = cli(data, "unlock", "ghost", "--data", str(data))
    assert missing.returncode == 2 and "no account" in missing.stderr


def test_command_line_errors_are_messages_not_tracebacks(tmp_path):
    data = tmp_path / "data"
    short = cli(data, "add", "enum01", "--role", "enumerator", "--password-stdin", "--data", str(data), stdin="short\n")
    assert short.returncode == 2 and "at least 10" in short.stderr and "Traceback" not in short.stderr
    missing = cli(data, "disable", "ghost", "--data", str(data))
    assert missing.returncode == 2 and "no account" in missing.stderr


@pytest.mark.parametrize("text", ['{"users": {}}', '{"users": ', "[]", '{"users": {"a": {"role": "boss", "hash": "x"}}}'])
def test_a_damaged_or_emptied_accounts_file_is_refused_not_taken_for_a_first_run(tmp_path, text):
    assert not Accounts(tmp_path).exist()   # no file at all: the first run
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "users.json").write_text(text)
    accounts = Accounts(tmp_path, hasher=CHEAP_HASHER)
    for attempt in (accounts.exist, lambda: accounts.login("a", "some-password-1"),
                    lambda: accounts.add("intruder", "admin", "intruder-pass-1", only_if_none=True)):
        with pytest.raises(AccountsDamaged) as err:
            attempt()
        assert "users.json" in str(err.value) and "python -m survey.backup restore" in str(err.value)
    assert (tmp_path / "accounts" / "users.json").read_text() == text
    listed = cli(tmp_path, "list", "--data", str(tmp_path))
    assert listed.returncode == 1 and "damaged" in listed.stderr and "Traceback" not in listed.stderr


def test_command_line_uses_survey_data_dir(tmp_path):
    data = tmp_path / "env-data"
    env = {**os.environ, "SURVEY_DATA_DIR": str(data)}
    done = subprocess.run([sys.executable, "-m", "survey.users", "add", "admin", "--role", "admin", "--password-stdin"],
                          input="admin-pass-123\n", capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert Accounts(data).get("admin").role == "admin"
