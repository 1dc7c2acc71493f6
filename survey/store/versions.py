"""Stored instrument versions: a copy of every questionnaire the store holds answers of.

Before the first answer of a questionnaire file is stored, the store keeps a copy
of that YAML file and of its schema (each table's questions and their types)::

    <data folder>/instrument_versions/<instrument id>/v<version>-<sha256[:12]>.yaml
    <data folder>/instrument_versions/<instrument id>/v<version>-<sha256[:12]>.json

(the JSON is written last and makes the copy count). So the answers of an older
version are always read with the schema they were written with, even after the
questionnaire file has changed, been broken or been removed.

A new file is only accepted when its tables can be read together with every
stored version: a question keeps its type, except that an integer question may
become a decimal one (an int64 column reads as a double). Any other change (between
select_one, select_multiple, text, date, numbers, geopoint, calculate) would make
the column unreadable or silently change its meaning, so it is refused with a
message that names the question, both types and the fix: a new name for the
question. Adding and removing questions and choices is always fine.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

from survey.questionnaire.model import Instrument, InstrumentError, instrument_from_yaml
from survey.questionnaire.types import QUESTION_TYPES
from survey.store.durable import fsync_dir, write_bytes_exclusive

VERSIONS = "instrument_versions"
_ALLOWED = {("integer", "decimal")}

Columns = tuple[tuple[str, str], ...]  # ((question name, question type), ...) in form order


def instrument_tables(inst: Instrument) -> dict[str, Columns]:
    """{table: its stored questions and their types}: main table first, then repeats."""

    def stored(questions) -> Columns:
        return tuple((q.name, q.type) for q in questions if QUESTION_TYPES[q.type].arrow_type is not None)

    tables = {inst.id: stored(inst.questions)}
    for repeat in inst.repeats:
        tables[inst.table_name(repeat)] = stored(repeat.questions)
    return tables


def readable_change(old: str, new: str) -> bool:
    """Can answers stored for a question of type `old` be read as type `new`?"""
    return old == new or (old, new) in _ALLOWED


@dataclass(frozen=True)
class StoredVersion:
    instrument: str
    version: int
    sha256: str
    stored_at: str
    tables: Mapping[str, Columns]
    yaml_path: Path

    @property
    def name(self) -> str:
        return self.yaml_path.stem


@dataclass(frozen=True)
class TypeChange:
    """A question whose new type cannot be read together with its stored answers."""

    table: str
    question: str
    stored_type: str
    new_type: str
    stored_version: int | str  # a version number, or "stored files" for data without a copy

    def message(self) -> str:
        where = (f"version {self.stored_version}" if isinstance(self.stored_version, int)
                 else self.stored_version)
        return (
            f"its type changed from {self.stored_type} (answers stored with {where}) to {self.new_type}, "
            f"and the stored answers cannot be read as {self.new_type}. Keep the type {self.stored_type}, "
            f"or give the question a new name (for example '{self.question}_{self.new_type}') so that "
            "the old answers stay under the old name"
        )


class IncompatibleInstrument(InstrumentError):
    """A questionnaire file whose change the store cannot read together with its stored answers."""

    def __init__(self, source: str, changes: list[TypeChange]):
        first = changes[0]
        more = f" ({len(changes) - 1} more question(s) changed type too)" if len(changes) > 1 else ""
        super().__init__(source, first.question, first.message() + more)
        self.changes = changes


def type_changes(new: Mapping[str, Columns], stored: list[StoredVersion]) -> list[TypeChange]:
    """The questions of `new` whose type cannot be read together with a stored version's."""
    out, seen = [], set()
    for version in stored:
        for table, columns in new.items():
            old = dict(version.tables.get(table, ()))
            for name, qtype in columns:
                if name in old and not readable_change(old[name], qtype) and (table, name) not in seen:
                    seen.add((table, name))
                    out.append(TypeChange(table, name, old[name], qtype, version.version))
    return out


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class VersionRegistry:
    """The stored versions of a data folder's instruments."""

    def __init__(self, root: str | os.PathLike):
        self.folder = Path(root) / VERSIONS
        self._cache: dict[Path, StoredVersion] = {}  # stored copies never change

    def _dir(self, instrument_id: str) -> Path:
        return self.folder / instrument_id

    def names(self, instrument_id: str) -> tuple[str, ...]:
        """The committed copies of one instrument, by file stem (cheap: one listing)."""
        try:
            return tuple(sorted(n[:-5] for n in os.listdir(self._dir(instrument_id))
                                if n.endswith(".json") and n.startswith("v")))
        except (FileNotFoundError, NotADirectoryError):
            return ()

    def instruments(self) -> list[str]:
        try:
            return sorted(e.name for e in os.scandir(self.folder) if e.is_dir() and self.names(e.name))
        except FileNotFoundError:
            return []

    def stored(self, instrument_id: str) -> list[StoredVersion]:
        """Every stored version, oldest first (by version, then by when it was stored)."""
        out = []
        for stem in self.names(instrument_id):
            path = self._dir(instrument_id) / f"{stem}.json"
            version = self._cache.get(path)
            if version is None:
                version = self._cache[path] = _read(path)
            if version is not None:
                out.append(version)
        return sorted(out, key=lambda v: (v.version, v.stored_at))

    def versions(self, instrument_id: str) -> list[int]:
        return sorted({v.version for v in self.stored(instrument_id)})

    def load(self, version: StoredVersion) -> Instrument:
        """The stored copy as an Instrument."""
        text = version.yaml_path.read_text(encoding="utf-8")
        return instrument_from_yaml(text, source=f"{VERSIONS}/{version.instrument}/{version.yaml_path.name}")

    def register(self, inst: Instrument, data: bytes, check) -> None:
        """Keep a copy of `inst` (its YAML `data`) unless one is kept already.

        `check(stored versions)` raises when `inst` cannot be stored next to them;
        it runs under the instrument's lock, so two processes that bring
        incompatible files at the same moment cannot both succeed.
        """
        digest = sha256(data)
        stem = f"v{inst.version}-{digest[:12]}"
        folder = self._dir(inst.id)
        if (folder / f"{stem}.json").exists():
            return
        if not folder.is_dir():
            fresh = [p for p in (self.folder, folder) if not p.is_dir()]
            folder.mkdir(parents=True, exist_ok=True)
            for path in fresh:
                fsync_dir(path.parent)
        with _locked(folder):
            if (folder / f"{stem}.json").exists():
                return
            check(self.stored(inst.id))
            write_bytes_exclusive(folder / f"{stem}.yaml", data)
            record = {
                "instrument": inst.id, "version": inst.version, "sha256": digest,
                "source": inst.source, "stored_at": dt.datetime.now(dt.timezone.utc).isoformat(),
                "tables": {t: [list(c) for c in cols] for t, cols in instrument_tables(inst).items()},
            }
            write_bytes_exclusive(folder / f"{stem}.json", json.dumps(record, indent=1).encode("utf-8"))


def _read(path: Path) -> StoredVersion | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        tables = {str(t): tuple((str(n), str(q)) for n, q in cols) for t, cols in record["tables"].items()}
        return StoredVersion(str(record["instrument"]), int(record["version"]), str(record["sha256"]),
                             str(record["stored_at"]), tables, path.with_suffix(".yaml"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
