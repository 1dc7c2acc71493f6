"""Personal API tokens for the data API (api/data.py): created, listed and revoked per account.

Tokens live in ``<data folder>/accounts/api_tokens.json`` (0600, beside users.json, under
the same folder lock). Only a SHA-256 of each token is stored: a token is 32 random bytes,
so a fast hash cannot be guessed back, and a request is checked with one hash and one
lookup. The token itself is returned once, by create(). A token acts with its account's
current role; enumerators get none (create refuses them, and a token whose account has
become an enumerator, or is disabled, no longer works).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from survey.fieldwork.accounts import ACCOUNTS_DIR, Account, AccountError, Accounts, check_username
from survey.fieldwork.audit_log import AuditLog
from survey.store.durable import replace_bytes

TOKENS_FILE = "api_tokens.json"
TOKEN_PREFIX = "svy_"
TOKEN_ROLES = ("supervisor", "admin")  # enumerators: none of the data API
MAX_LABEL = 60


@dataclass(frozen=True)
class ApiToken:
    """A stored token without its secret: what a page lists."""

    id: str
    account: str
    label: str
    created: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ApiTokens:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.folder = self.root / ACCOUNTS_DIR
        self.path = self.folder / TOKENS_FILE
        self.accounts = Accounts(self.root)
        self.audit = AuditLog(self.root)

    def _load(self, strict: bool = False) -> dict[str, dict]:
        """{token hash: record}. An unreadable file holds no working token (nobody gets in by it);
        `strict` (before a change) refuses to write over it instead, so that it can be looked at."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            data = None
        tokens = data.get("tokens") if isinstance(data, dict) else None
        if isinstance(tokens, dict):
            return tokens
        if strict:
            raise AccountError("damaged", f"{self.path} cannot be read; move it away to start a new one.")
        return {}

    @contextmanager
    def _locked(self) -> Iterator[dict[str, dict]]:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)  # the accounts' own lock
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            tokens = self._load(strict=True)
            yield tokens
            text = json.dumps({"format": 1, "tokens": tokens}, indent=1, sort_keys=True)
            replace_bytes(self.path, text.encode("utf-8"), mode=0o600)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def create(self, account: str, label: str = "", by: str | None = None) -> str:
        """A new token of `account` (returned once, never stored); AccountError for an unknown,
        disabled or enumerator account."""
        name = check_username(account)
        found = self.accounts.get(name)
        if found is None:
            raise AccountError("unknown", f"There is no account named {account!r}.")
        if found.disabled:
            raise AccountError("disabled", f"The account {name!r} is disabled.")
        if found.role not in TOKEN_ROLES:
            raise AccountError("role", f"{name!r} is an enumerator: enumerators get no API token.")
        label = " ".join(str(label).split())[:MAX_LABEL]
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token_id = secrets.token_hex(6)
        with self._locked() as tokens:
            tokens[token_hash(token)] = {"id": token_id, "account": found.name, "label": label, "created": _now()}
        self.audit.record("api_token_create", by or found.name, found.name, "ok", token=token_id, label=label)
        return token

    def list(self, account: str | None = None) -> list[ApiToken]:
        """The tokens of `account`, or every token (the admin's view), oldest first."""
        out = [ApiToken(r["id"], r["account"], r.get("label", ""), r.get("created", ""))
               for r in self._load().values() if account is None or r.get("account") == account]
        return sorted(out, key=lambda t: (t.created, t.id))

    def revoke(self, token_id: str, by: str, account: str | None = None) -> bool:
        """Remove a token by id; with `account`, only one of that account's. True when one was removed."""
        with self._locked() as tokens:
            hit = [h for h, r in tokens.items()
                   if r.get("id") == token_id and (account is None or r.get("account") == account)]
            for h in hit:
                owner = tokens.pop(h).get("account")
        if hit:
            self.audit.record("api_token_revoke", by, owner, "ok", token=token_id)
        return bool(hit)

    def verify(self, token: str) -> tuple[Account, str] | None:
        """(the account, the token id) for a working token, else None."""
        if not token or len(token) > 200:
            return None
        record = self._load().get(token_hash(token))
        if record is None:
            return None
        account = self.accounts.get(record.get("account", ""))
        if account is None or account.disabled or account.role not in TOKEN_ROLES:
            return None
        return account, record["id"]
