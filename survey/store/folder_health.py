"""The rest of a data folder, for ``python -m survey.check``: what sits in quarantine, the
accounts file, the drafts, the audit log and the stored questionnaire versions.

Each check returns findings (survey.store.integrity prints them). Files in quarantine,
unreadable drafts and torn audit-log lines are warnings: nothing is lost from the
store, but an administrator should look. An accounts file or a stored questionnaire
version that cannot be read is a problem: the app, or the answers written with that
version, depend on it. Nothing here changes a file. The public readers of each file
are used (Accounts, Drafts, AuditLog, VersionRegistry).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from survey.fieldwork.accounts import ACCOUNTS_DIR, USERS_FILE, Accounts, AccountsDamaged
from survey.fieldwork.audit_log import AUDIT_FILE, AuditLog
from survey.fieldwork.drafts import ASIDE_DIR, why_unreadable
from survey.store.layout import QUARANTINE
from survey.store.versions import VERSIONS, VersionRegistry

_DRAFT = re.compile(r"(?P<instrument>[a-z][a-z0-9_]*)\.(?P<rid>[A-Za-z0-9_-]{1,64})\.draft\.json")
_CARRY = re.compile(r"[a-z][a-z0-9_]*\.carry\.json")


@dataclass(frozen=True)
class Finding:
    kind: str  # stray | foreign | corrupt | orphaned | marker | journal | instrument | quarantined | accounts | ...
    table: str  # the table, or the data folder's part (accounts, drafts, audit log, instrument_versions)
    name: str
    detail: str
    repaired: bool = False
    warning: bool = False  # worth a look, but nothing is damaged

    def __str__(self) -> str:
        where = f"{self.table}/{self.name}" if self.name else self.table
        label = "warning " + self.kind if self.warning else self.kind
        return f"{label:<10} {where}: {self.detail}" + (" (repaired)" if self.repaired else "")


def _why(text: object) -> str:
    return " ".join(str(text).split())[:200]


def quarantined(root: Path, tables: list[str]) -> list[Finding]:
    """A warning for each file in a table's _quarantine/, with the reason the audit log gives."""
    reasons: dict[tuple[str, str], str] = {}
    for entry in AuditLog(root).entries(newest_first=False):
        detail = entry.get("detail") if entry.get("action") == "quarantine" else None
        if isinstance(detail, dict) and isinstance(entry.get("object"), str):
            table = entry["object"].split("/", 1)[0]
            moved = str(detail.get("moved_to", "")).rsplit("/", 1)[-1]
            reasons[(table, moved)] = f"{detail.get('reason', 'no reason given')} (set aside {entry.get('time', '')})"
    out = []
    for table in tables:
        box = root / "responses" / table / QUARANTINE
        try:
            names = sorted(os.listdir(box))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            why = reasons.get((table, name), "no audit entry says why")
            out.append(Finding("quarantined", table, f"{QUARANTINE}/{name}", f"in quarantine: {why}", warning=True))
    return out


def accounts(root: Path) -> list[Finding]:
    """The accounts file: readable, parsable, with at least one account (absent: the app's first run).
    The accounts' own reader decides what is sound, as the app does: AccountsDamaged names why not."""
    path = root / ACCOUNTS_DIR / USERS_FILE
    if not os.path.lexists(path):
        return []
    try:
        Accounts(root).list()
    except AccountsDamaged as exc:  # the app refuses it too, with the same reason
        return [Finding("accounts", ACCOUNTS_DIR, USERS_FILE, f"damaged ({exc.reason}); restore it from a backup")]
    except Exception as exc:  # whatever a damaged file makes the reader raise
        return [Finding("accounts", ACCOUNTS_DIR, USERS_FILE,
                        f"cannot be read ({type(exc).__name__}: {_why(exc)[:120]}); restore it from a backup")]
    return []


def drafts(root: Path) -> list[Finding]:
    """Every draft file readable by the entry page, and every draft the page set aside (warnings).

    Read-only: the entry page's own reader moves an unreadable draft aside, a check must not."""
    out = []
    for person in _folders(root / "drafts"):
        for entry in sorted(os.scandir(person.path), key=lambda e: e.name):
            name = f"{person.name}/{entry.name}"
            if entry.name.startswith("."):
                continue
            if _DRAFT.fullmatch(entry.name):
                why = why_unreadable(Path(entry.path))
            elif _CARRY.fullmatch(entry.name):
                try:
                    why = None if isinstance(json.loads(Path(entry.path).read_text(encoding="utf-8")), dict) \
                        else "not a whole location"
                except Exception as exc:  # a file that is not text, nested too deep, ...
                    why = f"{type(exc).__name__}: {_why(exc)[:100]}"
            else:
                out.append(Finding("drafts", "drafts", name, "not a draft file", warning=True))
                continue
            if why is not None:
                out.append(Finding("drafts", "drafts", name, f"cannot be read ({why}); the interview in it is lost",
                                   warning=True))
    for person in _folders(root / ASIDE_DIR):
        for entry in sorted(os.scandir(person.path), key=lambda e: e.name):
            out.append(Finding("drafts", ASIDE_DIR, f"{person.name}/{entry.name}",
                               "an unreadable draft the entry page set aside", warning=True))
    return out


def _folders(folder: Path) -> list[os.DirEntry]:
    try:
        return sorted((e for e in os.scandir(folder) if e.is_dir() and not e.name.startswith(".")),
                      key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []


def audit_log(root: Path) -> list[Finding]:
    """Every line of the audit log a whole JSON entry."""
    if not (root / AUDIT_FILE).exists():
        return []
    try:
        bad = AuditLog(root).unreadable_lines()
    except Exception as exc:
        return [Finding("audit", AUDIT_FILE, "", f"cannot be read ({type(exc).__name__}: {_why(exc)[:120]})")]
    if bad:
        return [Finding("audit", AUDIT_FILE, "", f"{bad} line(s) are not whole entries (a torn write); "
                        "the other entries are read", warning=True)]
    return []


def versions(root: Path, registry: VersionRegistry) -> list[Finding]:
    """Every stored questionnaire version: its record parses and its questionnaire loads."""
    out = []
    try:
        ids = sorted(e.name for e in os.scandir(registry.folder) if e.is_dir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    for instrument_id in ids:
        stored = {v.yaml_path.with_suffix("").name: v for v in registry.stored(instrument_id)}
        for stem in registry.names(instrument_id):
            where = f"{instrument_id}/{stem}"
            version = stored.get(stem)
            if version is None:
                out.append(Finding("version", VERSIONS, f"{where}.json",
                                   "the record of a stored version does not parse"))
                continue
            try:
                registry.load(version)
            except Exception as exc:
                out.append(Finding("version", VERSIONS, f"{where}.yaml",
                                   f"the stored questionnaire does not load ({_why(exc)[:150]})"))
    return out
