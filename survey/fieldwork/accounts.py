"""User accounts: roles, argon2id password hashes, lockout after repeated failures.

Accounts live in ``<data folder>/accounts/users.json`` (folder mode 0700, file 0600),
rewritten atomically (temp file, fsync, rename, folder fsync) under an exclusive
``flock``, so several app processes and the command line can change them at once.
Failure counts and lockouts are stored there too, so a restart forgets neither.
Accounts are never deleted, so an accounts file that cannot be read, or holds no
account, is damaged (AccountsDamaged): the first-run set-up ("create the
administrator") is offered only while the file does not exist at all.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second
recommended option: m=64 MiB, t=3, p=4) and a random 16-byte salt per hash; the
PHC string ``$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>`` keeps the algorithm and
its parameters with the hash, so parameters can be raised later (old hashes are
re-hashed at the next successful login). Verification is constant-time. A password
is never stored, logged or returned.

A login does not tell which names exist: an unknown name costs the same hash work as a
wrong password (a dummy hash of the same hasher), gets the same answers, and is locked
after five tries like a real one. Its count lives in ``accounts/unknown_names.json``
(0600), keyed by a SHA-256 of the name (typed names may be mistyped passwords) and
capped at ``MAX_UNKNOWN_NAMES`` entries, the oldest dropped first. A locked login is
checked against the dummy hash too, so "locked" takes as long as any other answer.
``python -m survey.users unlock NAME`` lifts a lock, so no one can keep the
administrator out.

The hasher is injectable (``Accounts(root, hasher=...)``, argon2-cffi's
``PasswordHasher`` interface) so that tests of other parts can log in cheaply; every
caller in the product uses ``DEFAULT_HASHER``.

Command line (``python -m survey.users --help``)::

    python -m survey.users add NAME --role enumerator|supervisor|admin [--password-stdin]
    python -m survey.users passwd NAME [--password-stdin]
    python -m survey.users role NAME --role ROLE
    python -m survey.users disable NAME | enable NAME
    python -m survey.users unlock NAME
    python -m survey.users list
    python -m survey.users token NAME [--name LABEL]   (a data API token, printed alone; not for enumerators)

Each takes ``--data DIR`` (default ``$SURVEY_DATA_DIR``, else ``data/``) in any position.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
import re
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from survey.command_line import add_data_option, data_dir
from survey.fieldwork.audit_log import AuditLog
from survey.store.durable import replace_bytes

ROLES = ("enumerator", "supervisor", "admin")
MAX_FAILURES = 5  # wrong passwords in a row before a lockout
LOCKOUT_SECONDS = 15 * 60
MIN_PASSWORD = 10
MAX_PASSWORD = 256  # argon2 hashes anything, but a megabyte "password" is an attack
ACCOUNTS_DIR = "accounts"
USERS_FILE = "users.json"
UNKNOWN_FILE = "unknown_names.json"  # failure counts of names that have no account
MAX_UNKNOWN_NAMES = 1000
_USERNAME = re.compile(r"[A-Za-z0-9._-]{1,40}")
SIMULATED_PREFIX = "sim-"   # the simulator's enumerators (survey.simulate): no person's account starts so
DEFAULT_HASHER = PasswordHasher()  # Argon2id, m=64 MiB, t=3, p=4


@lru_cache(maxsize=4)
def dummy_hash(hasher: PasswordHasher) -> str:
    """A hash made by `hasher`, verified against when the user does not exist, so that timing
    does not tell (the same parameters cost the same work). Made once per hasher and process,
    at the first login, known name or not (commands that log nobody in never pay for it)."""
    return hasher.hash(uuid.uuid4().hex)


RESTORE_COMMAND = "python -m survey.backup restore BACKUP --data NEW_FOLDER"


class AccountsDamaged(RuntimeError):
    """The accounts file exists but cannot be used: unreadable, not JSON, not an accounts
    file, or without a single account. Nobody can log in until it is restored."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path} is damaged ({reason}); nobody can log in until it is restored from a backup: "
                         f"{RESTORE_COMMAND}, then copy NEW_FOLDER/{ACCOUNTS_DIR}/{USERS_FILE} to {path}")
        self.path = path
        self.reason = reason


class AccountError(ValueError):
    """A request the accounts cannot carry out; ``code`` names the reason for a message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Account:
    """What may be shown of an account (never its hash)."""

    name: str
    role: str
    disabled: bool
    created: str
    last_login: str | None
    failures: int
    locked_until: float | None  # epoch seconds


@dataclass(frozen=True)
class LoginResult:
    """outcome: "ok", "wrong" (unknown name or wrong password), "locked", "disabled"."""

    outcome: str
    account: Account | None = None
    locked_until: float | None = None
    failures_left: int | None = None
    unrecorded: bool = False  # a full disk: the attempt is not in the audit log (nor its count or time)

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def check_username(name: Any) -> str:
    """The normalised (lower-case) user name, or AccountError."""
    if not isinstance(name, str) or not _USERNAME.fullmatch(name.strip()):
        raise AccountError("username", "A user name is 1-40 letters, digits, '.', '-' or '_'.")
    return name.strip().lower()


def check_password(password: Any, name: str | None = None) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError("password_short", f"A password has at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AccountError("password_long", f"A password has at most {MAX_PASSWORD} characters.")
    if not password.isprintable():
        raise AccountError("password_chars", "A password cannot contain control characters.")
    if name is not None and password.strip().lower() == name.lower():
        raise AccountError("password_name", "The password cannot be the user name.")
    return password


def _iso(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Accounts:
    """The accounts of one data folder. `clock` (epoch seconds) is for tests, and so is a
    `hasher` other than the default Argon2id one."""

    def __init__(self, root: str | os.PathLike, clock: Callable[[], float] = time.time,
                 hasher: PasswordHasher = DEFAULT_HASHER):
        self.root = Path(root)
        self.folder = self.root / ACCOUNTS_DIR
        self.path = self.folder / USERS_FILE
        self.clock = clock
        self.hasher = hasher
        self.audit = AuditLog(self.root)

    def __repr__(self) -> str:
        return f"Accounts({str(self.root)!r})"

    # ------------------------------------------------------------------ storage

    def _load(self) -> dict[str, dict]:
        """The accounts by name; {} when the file does not exist; AccountsDamaged when it is not sound."""
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, RecursionError) as exc:   # unreadable, not UTF-8, not JSON
            raise AccountsDamaged(self.path, type(exc).__name__) from None
        users = data.get("users") if isinstance(data, dict) else None
        if not isinstance(users, dict):
            raise AccountsDamaged(self.path, "not an accounts file")
        if not users:   # accounts are never deleted: an empty file would reopen the first-run set-up
            raise AccountsDamaged(self.path, "no account in it")
        for record in users.values():
            if not (isinstance(record, dict) and record.get("role") in ROLES and isinstance(record.get("hash"), str)):
                raise AccountsDamaged(self.path, "an account without a role or a password hash")
        return users

    def _save(self, users: dict[str, dict]) -> None:
        text = json.dumps({"format": 1, "users": users}, indent=1, sort_keys=True)
        replace_bytes(self.path, text.encode("utf-8"), mode=0o600)   # hashes: the owner's only

    def _load_unknown(self) -> dict[str, dict]:
        """Failure counts of unknown names; an unreadable file only forgets them."""
        try:
            data = json.loads((self.folder / UNKNOWN_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save_unknown(self, unknown: dict[str, dict]) -> None:
        if len(unknown) > MAX_UNKNOWN_NAMES:   # bounded: the oldest attempts go first
            kept = sorted(unknown.items(), key=lambda item: item[1].get("seen", 0))[-MAX_UNKNOWN_NAMES:]
            unknown = dict(kept)
        replace_bytes(self.folder / UNKNOWN_FILE, json.dumps(unknown, sort_keys=True).encode("utf-8"), mode=0o600)

    @staticmethod
    def _unknown_key(name: Any) -> str:
        text = str(name)[:MAX_PASSWORD].strip().lower()
        return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()

    @contextmanager
    def _locked(self) -> Iterator[dict[str, dict]]:
        """The accounts, locked against other writers; saved when the block ends normally."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            users = self._load()
            before = json.dumps(users, sort_keys=True)
            yield users
            if json.dumps(users, sort_keys=True) != before:
                self._save(users)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    @staticmethod
    def _public(name: str, record: dict) -> Account:
        return Account(name, record["role"], bool(record.get("disabled")), record.get("created", ""),
                       record.get("last_login"), int(record.get("failures", 0)), record.get("locked_until"))

    # ------------------------------------------------------------------ reading

    def exist(self) -> bool:
        """True once any account exists (the app then asks for a login, not a set-up);
        AccountsDamaged when the accounts file exists but is not sound."""
        return bool(self._load())

    def list(self) -> list[Account]:
        return [self._public(name, rec) for name, rec in sorted(self._load().items())]

    def get(self, name: str) -> Account | None:
        try:
            key = check_username(name)
        except AccountError:
            return None
        record = self._load().get(key)
        return None if record is None else self._public(key, record)

    # ------------------------------------------------------------------ changes

    def add(self, name: str, role: str, password: str, by: str | None = None,
            only_if_none: bool = False) -> Account:
        """Create an account. `only_if_none`: refuse unless no account exists (the first run)."""
        key = check_username(name)
        if key.startswith(SIMULATED_PREFIX):   # else a new account would own simulated interviews
            raise AccountError("simulated", f"A user name cannot start with {SIMULATED_PREFIX!r}: "
                                            "those are the simulated enumerators' names.")
        if role not in ROLES:
            raise AccountError("role", f"A role is one of {', '.join(ROLES)}.")
        check_password(password, key)
        digest = self.hasher.hash(password)
        with self._locked() as users:
            if only_if_none and users:
                raise AccountError("exists", "The administrator account has already been created; log in.")
            if key in users:
                raise AccountError("exists", f"There is already an account named {key!r}.")
            now = _iso(self.clock())
            users[key] = {"role": role, "hash": digest, "disabled": False, "created": now,
                          "password_changed": now, "failures": 0, "locked_until": None, "last_login": None}
            account = self._public(key, users[key])
            self._forget_unknown(key)
        self.audit.record("setup" if only_if_none else "account_create", by or key, key, role=role)
        return account

    def set_password(self, name: str, password: str, by: str | None = None) -> None:
        key = check_username(name)
        check_password(password, key)
        digest = self.hasher.hash(password)
        with self._locked() as users:
            record = self._require(users, key)
            record.update(hash=digest, password_changed=_iso(self.clock()), failures=0, locked_until=None)
        self.audit.record("account_password", by or key, key)

    def set_role(self, name: str, role: str, by: str | None = None) -> None:
        key = check_username(name)
        if role not in ROLES:
            raise AccountError("role", f"A role is one of {', '.join(ROLES)}.")
        with self._locked() as users:
            record = self._require(users, key)
            if record["role"] == "admin" and role != "admin":
                self._keep_an_admin(users, key)
            record["role"] = role
        self.audit.record("account_role", by, key, role=role)

    def set_disabled(self, name: str, disabled: bool, by: str | None = None) -> None:
        key = check_username(name)
        with self._locked() as users:
            record = self._require(users, key)
            if disabled and record["role"] == "admin":
                self._keep_an_admin(users, key)
            record["disabled"] = bool(disabled)
            if not disabled:
                record.update(failures=0, locked_until=None)
        self.audit.record("account_disable" if disabled else "account_enable", by, key)

    def unlock(self, name: str, by: str | None = None) -> None:
        """Lift a lockout (and reset the count of wrong passwords) of a name, known or not."""
        key = check_username(name)
        with self._locked() as users:
            forgotten = self._forget_unknown(key)
            if key not in users and not forgotten:
                raise AccountError("unknown", f"There is no account named {key!r}.")
            if key in users:
                users[key].update(failures=0, locked_until=None)
        self.audit.record("account_unlock", by, key)

    def _forget_unknown(self, key: str) -> bool:
        """Drop the failure count kept for `key` as an unknown name (call under the lock)."""
        unknown = self._load_unknown()
        if unknown.pop(self._unknown_key(key), None) is None:
            return False
        self._save_unknown(unknown)
        return True

    @staticmethod
    def _require(users: dict, key: str) -> dict:
        if key not in users:
            raise AccountError("unknown", f"There is no account named {key!r}.")
        return users[key]

    @staticmethod
    def _keep_an_admin(users: dict, key: str) -> None:
        others = [n for n, r in users.items() if n != key and r["role"] == "admin" and not r.get("disabled")]
        if not others:
            raise AccountError("last_admin", "This is the last active administrator; make another one first.")

    # ------------------------------------------------------------------ logging in

    def login(self, name: str, password: str) -> LoginResult:
        """Check a password; count failures, lock after MAX_FAILURES, record it all in the audit log."""
        try:
            key = check_username(name)
        except AccountError:
            key = None
        password = password if isinstance(password, str) and len(password) <= MAX_PASSWORD else ""
        dummy = dummy_hash(self.hasher)  # made at the process's first login, whatever the name
        result = None
        try:
            with self._locked() as users:
                record = users.get(key) if key else None
                if record is None:
                    result = self._check_unknown(name, password, dummy)
                else:
                    result = self._check(key, record, password, dummy)
        except OSError:  # a full disk: the answer stands, only its count and time are not saved
            if result is None:
                raise
            result = replace(result, unrecorded=True)
        shown = key or str(name)[:40]
        try:
            if result.outcome == "ok":
                self.audit.record("login", key, key)
            elif result.outcome == "locked" and result.failures_left == 0:
                self.audit.record("lockout", shown, shown, "locked", minutes=LOCKOUT_SECONDS // 60)
            else:
                self.audit.record("login_failed", shown, shown, "locked" if result.outcome == "locked" else "failed",
                                  reason=result.outcome)
        except OSError:  # logging in must work on a full disk, so that the admin can see why
            result = replace(result, unrecorded=True)
        return result

    def _check(self, key: str, record: dict, password: str, dummy: str) -> LoginResult:
        now = self.clock()
        locked = self._still_locked(record, now, dummy, password)
        if locked is not None:
            return locked
        if not self._verify(record["hash"], password):
            return self._failed(record, now)
        if record.get("disabled"):
            return LoginResult("disabled")
        if self.hasher.check_needs_rehash(record["hash"]):
            record["hash"] = self.hasher.hash(password)
        record.update(failures=0, locked_until=None, last_login=_iso(now))
        return LoginResult("ok", self._public(key, record))

    def _check_unknown(self, name: Any, password: str, dummy: str) -> LoginResult:
        """A name without an account: counted and locked as a real one, always a failure."""
        now = self.clock()
        unknown = self._load_unknown()
        record = unknown.setdefault(self._unknown_key(name), {"failures": 0, "locked_until": None})
        locked = self._still_locked(record, now, dummy, password)
        if locked is not None:
            return locked
        self._verify(dummy, password)
        record["seen"] = now
        result = self._failed(record, now)
        try:
            self._save_unknown(unknown)
        except OSError:  # a full disk: the answer stands, its count is not saved
            result = replace(result, unrecorded=True)
        return result

    def _still_locked(self, record: dict, now: float, dummy: str, password: str) -> LoginResult | None:
        """A "locked" answer while `record`'s lockout lasts (after the same hash work as any
        other answer); once it is over the count starts afresh."""
        locked_until = record.get("locked_until")
        if locked_until is not None and now < locked_until:
            self._verify(dummy, password)
            return LoginResult("locked", locked_until=locked_until, failures_left=None)
        if locked_until is not None:
            record.update(failures=0, locked_until=None)
        return None

    @staticmethod
    def _failed(record: dict, now: float) -> LoginResult:
        record["failures"] = int(record.get("failures", 0)) + 1
        if record["failures"] >= MAX_FAILURES:
            record.update(failures=0, locked_until=now + LOCKOUT_SECONDS)
            return LoginResult("locked", locked_until=record["locked_until"], failures_left=0)
        return LoginResult("wrong", failures_left=MAX_FAILURES - record["failures"])

    def _verify(self, digest: str, password: str) -> bool:
        try:
            return self.hasher.verify(digest, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


# ---------------------------------------------------------------------- command line

def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise AccountError("mismatch", "The two passwords differ; nothing was changed.")
    return first


def _parser() -> argparse.ArgumentParser:
    # --data is accepted before and after the subcommand (a subcommand's only overrides when given).
    data = argparse.ArgumentParser(add_help=False)
    add_data_option(data, sub=True)
    parser = argparse.ArgumentParser(prog="python -m survey.users", parents=[data],
                                     description="Manage the app's user accounts.")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", parents=[data], help="create an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    passwd = sub.add_parser("passwd", parents=[data], help="set an account's password")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    role = sub.add_parser("role", parents=[data], help="change an account's role")
    role.add_argument("name")
    role.add_argument("--role", required=True, choices=ROLES)
    for command, text in (("disable", "disable an account"), ("enable", "enable a disabled account")):
        sub.add_parser(command, parents=[data], help=text).add_argument("name")
    sub.add_parser("unlock", parents=[data], help="lift a lockout after too many wrong passwords").add_argument("name")
    sub.add_parser("list", parents=[data], help="list the accounts (no hashes)")
    token = sub.add_parser("token", parents=[data], help="create a data API token (printed once, alone)")
    token.add_argument("name")
    token.add_argument("--name", dest="label", default="", metavar="LABEL", help="what the token is for")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    accounts = Accounts(data_dir(args))
    who = f"cli:{getpass.getuser()}"
    try:
        if args.command == "add":
            account = accounts.add(args.name, args.role, _read_password(args.password_stdin), by=who)
            print(f"created {account.name} ({account.role})")
        elif args.command == "passwd":
            if accounts.get(args.name) is None:
                raise AccountError("unknown", f"There is no account named {args.name!r}.")
            accounts.set_password(args.name, _read_password(args.password_stdin), by=who)
            print(f"password of {check_username(args.name)} changed")
        elif args.command == "role":
            accounts.set_role(args.name, args.role, by=who)
            print(f"{check_username(args.name)} is now {args.role}")
        elif args.command in ("disable", "enable"):
            accounts.set_disabled(args.name, args.command == "disable", by=who)
            print(f"{check_username(args.name)} {args.command}d")
        elif args.command == "token":
            from survey.fieldwork.api_tokens import ApiTokens  # (it imports this module)

            print(ApiTokens(accounts.root).create(args.name, args.label, by=who))
        elif args.command == "unlock":
            accounts.unlock(args.name, by=who)
            print(f"{check_username(args.name)} unlocked")
        else:
            now = time.time()
            print(f"{'name':<24} {'role':<11} {'state':<26} last login")
            for a in accounts.list():
                state = "disabled" if a.disabled else (
                    f"locked until {_iso(a.locked_until)}" if a.locked_until and a.locked_until > now else "active")
                print(f"{a.name:<24} {a.role:<11} {state:<26} {a.last_login or '-'}")
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
