"""The response store: validated answers -> Parquet files that are never lost or doubled.

ResponseStore is the public API: submit, revise, set_status, read, history,
count, tables, compact. It keeps one folder per table under ``root/responses``;
the pieces live in small private modules, one topic each:

    survey.store.layout      the names of a table folder's files, markers and journal
    survey.store.durable     crash-safe file primitives (temp, fsync, publish, unlink)
    survey.store.reading     DuckDB reads that see each (response, revision) once
    survey.store.compaction  merging small files into parts, and recovering from a crash
    survey.store.frames      Arrow rows sorted, shaped to a schema, converted to pandas

Writing. Every file is written to a hidden temp name in its folder, flushed and
fsynced, published, and the folder fsynced. Repeat-table files go first, named
with a token (the submission's ``_submitted_at`` in microseconds). The commit
point is the main table's file, published by an atomic exclusive create,
``os.link(temp, "<rid>__r<rev>.parquet")``: ``FileExistsError`` means this
(response, revision) is already stored (a duplicate submit, or a revision
conflict). After a successful link the writer checks the ``_committed`` marker:
compaction writes it durably *before* deleting the small file, so a link that
succeeded only because the file had been compacted away finds the marker,
removes its own file and returns the original receipt. A repeat row counts only
when its (response, revision, token) matches a committed main row, so a crash
between the two writes leaves nothing visible.

read() returns pandas: text as ``string`` dtype (pd.NA for missing), integers as
nullable ``Int64``, decimals as float64 (NaN), dates as ``datetime64[ms]`` (NaT),
timestamps as ``datetime64[us, UTC]``, select_multiple as Python lists (None when
unanswered; rows with the same choices share one list object, so copy one before
mutating it). ``_member_index`` is 0-based (the item's position in the list).

What goes wrong with real data folders is survived, not trusted:

- A file that cannot be read (truncated, zero bytes, corrupt) or that is not the
  table's own (a sync tool's ``x__r1 (1).parquet``) is skipped and moved to the
  table's ``_quarantine/`` with an audit entry (survey.store.quarantine).
- Every questionnaire version the store has answers of is kept in the data folder
  (survey.store.versions), so a changed, broken or removed questionnaire file never makes
  stored answers unreadable; a change the store cannot read is refused.
- A writer stalled past ``orphan_seconds`` puts back the repeat files that
  compaction collected meanwhile, before and after its commit.
- A full disk is a StorageFull (an OSError with errno ENOSPC), and leaves nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import numbers
import os
import re
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from survey.fieldwork.audit_log import AuditLog
from survey.questionnaire.model import (
    INSTRUMENT_DIR,
    LANGUAGES,
    Instrument,
    InstrumentError,
    instrument_from_yaml,
    load_instrument,
)
from survey.questionnaire.problems import ValidationError
from survey.questionnaire.schema import REPEAT_METADATA, STATUSES, table_schemas, to_tables
from survey.questionnaire.types import QUESTION_TYPES
from survey.questionnaire.validate import clean
from survey.store import quarantine as _quarantine
from survey.store.compaction import compact_table
from survey.store.durable import StorageFull, fsync_dir, storage_error, unlink, write_parquet_temp
from survey.store.frames import arrange, replace_columns, sorted_rows, to_pandas
from survey.store.layout import HIDDEN, JOURNAL, marker, scan
from survey.store.quarantine import Quarantine
from survey.store.reading import READ_ATTEMPTS, connect, main_rows, readable_as, repeat_rows
from survey.store.versions import IncompatibleInstrument, TypeChange, VersionRegistry, instrument_tables, type_changes

__all__ = [
    "ConflictError", "IncompatibleInstrument", "Receipt", "ResponseStore", "StorageFull", "UnknownResponse",
    "STATUSES", "MAX_NOTE_LENGTH",
]

log = logging.getLogger(__name__)

_RESPONSE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
MAX_ID_LENGTH = 64  # instrument ids: they name folders and files
MAX_TABLE_LENGTH = 128  # table names (instrument id + repeat name): folder names
MAX_NOTE_LENGTH = 2000
_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)


class ConflictError(RuntimeError):
    """A revision based on a revision that is no longer the current one."""


class UnknownResponse(LookupError):
    """No response with this id is stored for the instrument."""


@dataclass(frozen=True)
class Receipt:
    """Proof that a response (revision) is durably stored."""

    response_id: str
    instrument: str
    revision: int
    submitted_at: dt.datetime  # UTC, microseconds
    tables: tuple[str, ...]  # the instrument's tables: main first, then repeats
    duplicate: bool = field(default=False, compare=False)  # True: it was already stored


def check_response_id(response_id: Any) -> str:
    """The id itself, or ValueError: ids name files, so only [A-Za-z0-9_-]{1,64}."""
    if not isinstance(response_id, str) or not _RESPONSE_ID.fullmatch(response_id):
        raise ValueError(f"a response id is 1-64 letters, digits, '-' or '_'; got {response_id!r:.80}")
    return response_id


def check_note(note: Any) -> str | None:
    """A review or edit note as stored (None for none), or ValueError saying what is wrong.

    Text of at most MAX_NOTE_LENGTH characters; line breaks are kept, other control
    characters and unpaired surrogates are refused (they break files and screens).
    """
    if note is None:
        return None
    if not isinstance(note, str):
        raise ValueError(f"a note must be text, got {type(note).__name__}")
    note = note.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValueError(f"a note is at most {MAX_NOTE_LENGTH} characters, this one has {len(note)}")
    for char in note:
        if char != "\n" and (unicodedata.category(char) == "Cc" or "\ud800" <= char <= "\udfff"):
            raise ValueError(f"a note cannot contain the control character U+{ord(char):04X}")
    return note or None


def check_started_at(value: Any) -> dt.datetime | None:
    """When the interview started, as an aware UTC datetime (None for unknown), or ValueError.

    A datetime (naive ones are taken as UTC) or ISO 8601 text, from 2000 up to a
    day ahead of this clock.
    """
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) > 40:
            raise ValueError("started_at must be an ISO date and time, e.g. 2026-11-27T08:30:00+07:00")
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"started_at {value!r} is not an ISO date and time") from None
    if not isinstance(value, dt.datetime) or value is pd.NaT:
        raise ValueError(f"started_at must be a datetime, got {type(value).__name__}")
    try:
        value = value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        raise ValueError(f"started_at {value!r} is out of range") from None
    if not _EARLIEST <= value <= dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1):
        raise ValueError(f"started_at {value.isoformat()} is not a plausible start of an interview")
    return value


def check_revision(value: Any) -> int | None:
    """A base revision as an int (None for none), or ValueError."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 1 <= value <= 2**31 - 1:
        raise ValueError(f"base_revision must be a revision number (1, 2, ...), got {value!r:.40}")
    return int(value)


def check_instrument_id(instrument_id: Any) -> str:
    """The id itself, or ValueError: lower-case letters, digits and _, at most 64 characters."""
    if not isinstance(instrument_id, str) or len(instrument_id) > MAX_ID_LENGTH or not _NAME.fullmatch(instrument_id):
        raise InstrumentError(f"{instrument_id!r:.80}", None,
                              f"an instrument id is 1-{MAX_ID_LENGTH} lower-case letters, digits and _")
    return instrument_id


def _check_person(value: Any, what: str) -> str:
    """An enumerator or editor id: printable, at most 64 characters (it lands in every row)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string")
    value = value.strip()
    if len(value) > 64 or not value.isprintable():
        raise ValueError(f"{what} must be at most 64 printable characters, got {value[:70]!r}")
    return value


_clock_lock = threading.Lock()
_last_us = 0


def _now_us() -> int:
    """Microseconds since the epoch, strictly increasing within the process."""
    global _last_us
    with _clock_lock:
        now = time.time_ns() // 1000
        _last_us = now if now > _last_us else _last_us + 1
        return _last_us


def _fields(columns) -> list[pa.Field]:
    """Arrow fields of stored (question, type) pairs."""
    return [pa.field(name, QUESTION_TYPES[qtype].arrow_type) for name, qtype in columns
            if qtype in QUESTION_TYPES and QUESTION_TYPES[qtype].arrow_type is not None]


def _from_us(us: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=us)


def _to_us(value: Any) -> int:
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    delta = value - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


class ResponseStore:
    """Parquet store of responses under ``root/responses/<table>/``.

    `instruments_dir`: where the instruments' YAML files are (default: the
    package's survey/instruments). `compact_threshold`: after a submit, a table
    with more small files than this is compacted (without waiting if another
    compactor is busy). `part_bytes`: parts smaller than this are merged again by
    later compactions. `orphan_seconds`: temp files and repeat files of submissions
    that never committed are deleted by compaction once they are this old.
    `audit`: record every stored submission, revision and review decision in the
    data folder's audit log (survey.fieldwork.audit_log); False for bulk loads and benchmarks.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        instruments_dir: str | os.PathLike | None = None,
        compact_threshold: int = 64,
        part_bytes: int = 8 << 20,
        orphan_seconds: float = 3600.0,
        audit: bool = True,
    ):
        self.root = Path(root)
        self.responses = self.root / "responses"
        self.instruments_dir = Path(instruments_dir) if instruments_dir is not None else None
        self.compact_threshold = compact_threshold
        self.part_bytes = part_bytes
        self.orphan_seconds = orphan_seconds
        self._known_folders: set[str] = set()
        self.audit = AuditLog(self.root) if audit else None
        self.quarantine = Quarantine(self.audit)
        self.versions = VersionRegistry(self.root)
        self._sources: dict[str, tuple[tuple, Any]] = {}  # id -> (file stat, (Instrument, bytes) or error)
        self._changes_cache: dict[tuple, list[TypeChange]] = {}
        self._reading_cache: dict[tuple, tuple[Instrument, dict[str, pa.Schema]]] = {}
        self._kept: set[tuple[str, str]] = set()  # (instrument id, sha256) with a stored copy
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ResponseStore({str(self.root)!r})"

    # ------------------------------------------------------------------ instruments

    @property
    def _instrument_dir(self) -> Path:
        return self.instruments_dir or INSTRUMENT_DIR

    def instrument(self, instrument_id: str) -> Instrument:
        """The questionnaire as its file is now, checked against the stored versions.

        Raises InstrumentError (a ValueError) when the file does not load, and
        IncompatibleInstrument (an InstrumentError) when a question changed type
        in a way the stored answers cannot be read with; the message names the
        question, both types and the fix. Stored answers stay readable meanwhile.
        """
        return self._checked(instrument_id)[0]

    def instrument_versions(self, instrument_id: str) -> list[int]:
        """The versions of this instrument whose questionnaire the store keeps (oldest first)."""
        return self.versions.versions(check_instrument_id(instrument_id))

    def _source(self, instrument_id: str) -> tuple[Instrument, bytes]:
        """The instrument file as it is now, parsed from the very bytes that are read."""
        check_instrument_id(instrument_id)
        path = self._instrument_dir / f"{instrument_id}.yaml"
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            load_instrument(instrument_id, self._instrument_dir)  # raises, listing the available ones
            raise
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        cached = self._sources.get(instrument_id)
        if cached is None or cached[0] != key:
            try:
                data = path.read_bytes()
                inst = instrument_from_yaml(data.decode("utf-8"), source=path.name)
                for table in table_schemas(inst):
                    if len(table) > MAX_TABLE_LENGTH:
                        raise InstrumentError(path.name, None, f"the table name {table[:40]}... is too long "
                                              f"(at most {MAX_TABLE_LENGTH} characters): shorten the repeat's name")
                value: Any = (inst, data)
            except UnicodeDecodeError:
                value = InstrumentError(path.name, None, "the file is not UTF-8 text")
            except InstrumentError as exc:
                value = exc
            cached = self._sources[instrument_id] = (key, value)
        if isinstance(cached[1], Exception):
            raise cached[1]
        return cached[1]

    def _checked(self, instrument_id: str) -> tuple[Instrument, bytes]:
        inst, data = self._source(instrument_id)
        changes = self._changes(inst, data)
        if changes:
            raise IncompatibleInstrument(inst.source, changes)
        return inst, data

    def _changes(self, inst: Instrument, data: bytes) -> list[TypeChange]:
        """What in `inst` the stored answers cannot be read with ([]: nothing)."""
        names = self.versions.names(inst.id)
        key = (inst.id, hashlib.sha256(data).digest(), names)
        cached = self._changes_cache.get(key)
        if cached is None:
            if names:
                cached = type_changes(instrument_tables(inst), self.versions.stored(inst.id))
            else:  # answers stored before versions were kept: compare with the files themselves
                cached = self._file_changes(inst)
            self._changes_cache[key] = cached
        return cached

    def _file_changes(self, inst: Instrument) -> list[TypeChange]:
        out = []
        for table, schema in table_schemas(inst).items():
            found = scan(self._folder(table), table == inst.id)
            files = [str(self._folder(table) / n) for n in found.parts + found.small]
            if not files:
                continue
            con = connect()
            try:
                stored = con.sql("SELECT * FROM read_parquet($files, union_by_name = true) LIMIT 0",
                                 params={"files": files}).to_arrow_table().schema
            except Exception:  # unreadable or already mixed: reading deals with it
                continue
            finally:
                con.close()
            types = dict(instrument_tables(inst)[table])
            for f in stored:
                i = schema.get_field_index(f.name)
                if f.name in types and i >= 0 and not readable_as(f.type, schema.field(i).type):
                    out.append(TypeChange(table, f.name, str(f.type), types[f.name], "the stored files"))
        return out

    def _keep_version(self, inst: Instrument, data: bytes) -> None:
        """Keep a copy of the questionnaire before its first answer is stored."""
        key = (inst.id, hashlib.sha256(data).hexdigest())
        if key in self._kept:
            return

        def check(stored):
            changes = type_changes(instrument_tables(inst), stored)
            if changes:
                raise IncompatibleInstrument(inst.source, changes)

        try:
            self.versions.register(inst, data, check)
        except OSError as exc:
            raise storage_error(exc) from exc
        self._kept.add(key)

    def _reading(self, instrument_id: str) -> tuple[Instrument, dict[str, pa.Schema]]:
        """(the instrument to read with, {table: schema to read it with}); never refuses.

        The current file when it loads and fits the stored answers, else the newest
        stored copy. Tables and questions known only from older stored versions are
        added with their stored types, so nothing stored becomes unreadable.
        """
        try:
            current: Instrument | None = self._checked(instrument_id)[0]
        except InstrumentError:
            current = None
        names = self.versions.names(instrument_id)
        key = (instrument_id, id(current), names)
        with self._lock:
            cached = self._reading_cache.get(key)
        if cached is not None and (current is None or cached[0] is current):
            return cached
        stored = self.versions.stored(instrument_id)
        base = current
        if base is None:
            if not stored:
                self._checked(instrument_id)  # raises the reason the file cannot be used
            base = self.versions.load(stored[-1])
        schemas = table_schemas(base)
        for version in reversed(stored):
            for table, columns in version.tables.items():
                fields = _fields(columns)
                if table not in schemas:  # a repeat group that the current file no longer has
                    schemas[table] = pa.schema([*REPEAT_METADATA, *fields])
                    continue
                extra = [f for f in fields if f.name not in schemas[table].names]
                if extra:
                    schemas[table] = pa.schema([*schemas[table], *extra])
        with self._lock:
            self._reading_cache[key] = (base, schemas)
        return base, schemas

    def _owner(self, table: str) -> tuple[str, bool, dict[str, pa.Schema]]:
        """(instrument id, is it the main table, {table: read schema}) of `table`."""
        if not isinstance(table, str) or len(table) > MAX_TABLE_LENGTH or not _NAME.fullmatch(table):
            raise ValueError(f"unknown table {table!r:.80}")
        candidates = [table] + [table[:i] for i, char in enumerate(table) if char == "_" and i <= MAX_ID_LENGTH]
        for candidate in candidates:
            if len(candidate) > MAX_ID_LENGTH:
                continue
            if not (self._instrument_dir / f"{candidate}.yaml").is_file() and not self.versions.names(candidate):
                continue
            try:
                _, schemas = self._reading(candidate)
            except InstrumentError:
                continue
            if table in schemas:
                return candidate, table == candidate, schemas
        raise ValueError(f"unknown table {table!r}: no instrument defines it")

    def tables(self) -> list[str]:
        """Every table of every instrument (main table, then its repeats), by instrument id.

        Instruments whose file is gone or broken but whose answers are stored are
        included (read with their stored versions).
        """
        ids = {p.stem for p in self._instrument_dir.glob("*.yaml")
               if _NAME.fullmatch(p.stem) and len(p.stem) <= MAX_ID_LENGTH}
        ids |= set(self.versions.instruments())
        out = []
        for instrument_id in sorted(ids):
            try:
                out.extend(self._reading(instrument_id)[1])
            except InstrumentError:
                log.warning("skipping instrument %s that does not load", instrument_id)
        return out

    # ------------------------------------------------------------------ folders and files

    def _folder(self, table: str) -> Path:
        return self.responses / table

    def _ensure_folder(self, table: str) -> Path:
        folder = self._folder(table)
        if table not in self._known_folders:
            missing = [p for p in (self.root, self.responses, folder) if not p.is_dir()]
            folder.mkdir(parents=True, exist_ok=True)
            for path in missing:  # make the new folders themselves durable
                fsync_dir(path.parent)
            self._known_folders.add(table)
        return folder

    def _table_folders(self) -> list[str]:
        try:
            return sorted(e.name for e in os.scandir(self.responses) if e.is_dir() and not e.name.startswith(HIDDEN))
        except FileNotFoundError:
            return []

    def state_token(self) -> tuple:
        """A token that changes whenever any table's stored files change (cache key).

        One listing per table folder (compaction keeps them to a few dozen names)
        and a digest of its visible names: stored files are never rewritten in
        place, so a new, merged, removed or quarantined file always changes it.
        """
        out = []
        for table in self._table_folders():
            try:
                names = [n for n in os.listdir(self.responses / table) if not n.startswith(HIDDEN) and n != JOURNAL]
            except (FileNotFoundError, NotADirectoryError):
                continue
            names.sort()
            digest = hashlib.blake2b("\0".join(names).encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()
            out.append((table, len(names), digest))
        return tuple(out)

    def quarantine_counts(self) -> dict[str, int]:
        """{table: number of files in its _quarantine/ folder} for every table folder."""
        return {table: _quarantine.count(self._folder(table)) for table in self._table_folders()}

    # ------------------------------------------------------------------ reading

    def read(self, table: str, history: bool = False) -> pd.DataFrame:
        """One table as a DataFrame: the current revision of each response.

        `history=True`: every stored revision. Repeat tables return the rows of
        their parent's current revision (every revision's rows with history).
        Columns: metadata, the current instrument's questions in form order (null
        where older files lack them), then columns found only in older versions.
        """
        instrument_id, main, schemas = self._owner(table)
        if main:
            rows = sorted_rows(self._main_rows(table, history, schemas), ["_submitted_at", "_response_id", "_revision"])
        else:
            rows = sorted_rows(self._repeat_rows(instrument_id, table, history, schemas),
                               ["_response_id", "_revision", "_member_index"])
        return to_pandas(arrange(rows, schemas[table]))

    def count(self, table: str) -> int:
        """Number of rows read(table) would return."""
        instrument_id, main, schemas = self._owner(table)
        if main:
            rows = self._main_rows(table, False, schemas, count=True)
        else:
            rows = self._repeat_rows(instrument_id, table, False, schemas, count=True)
        return 0 if rows is None else int(rows.column("n")[0].as_py())

    def _main_rows(self, table: str, history: bool, schemas=None, rid: str | None = None, count: bool = False):
        if schemas is None:
            schemas = self._reading(table)[1]
        return main_rows(self.responses, table, history, rid=rid, count=count, quarantine=self.quarantine, schemas=schemas)

    def _repeat_rows(self, instrument_id: str, table: str, history: bool, schemas=None, rid: str | None = None,
                     count: bool = False):
        if schemas is None:
            schemas = self._reading(instrument_id)[1]
        return repeat_rows(self.responses, instrument_id, table, history, rid=rid, count=count,
                           quarantine=self.quarantine, schemas=schemas)

    def history(self, instrument_id: str, response_id: str) -> pd.DataFrame:
        """Every revision of one response (main table), oldest first."""
        rid = check_response_id(response_id)
        check_instrument_id(instrument_id)
        _, schemas = self._reading(instrument_id)
        rows = self._main_rows(instrument_id, True, schemas, rid=rid)
        if rows is None or rows.num_rows == 0:
            raise UnknownResponse(f"{instrument_id}: no response {rid}")
        rows = sorted_rows(rows, ["_revision"])
        return to_pandas(arrange(rows, schemas[instrument_id]))

    def _current(self, inst: Instrument, rid: str) -> pa.Table:
        rows = self._main_rows(inst.id, False, rid=rid)
        if rows is None or rows.num_rows == 0:
            raise UnknownResponse(f"{inst.id}: no response {rid}")
        return rows

    def _original(self, inst: Instrument, rid: str, rev: int) -> dt.datetime | None:
        """`_submitted_at` of the stored (rid, rev), or None when it is not (yet) visible."""
        rows = self._main_rows(inst.id, True, rid=rid)
        if rows is None:
            return None
        for row in rows.select(["_revision", "_submitted_at"]).to_pylist():
            if row["_revision"] == rev:
                return _from_us(_to_us(row["_submitted_at"]))
        return None

    # ------------------------------------------------------------------ writing

    def submit(
        self,
        instrument_id: str,
        answers: Mapping[str, Any],
        enumerator: str,
        response_id: str | None = None,
        lang: str = "en",
        started_at: dt.datetime | None = None,
    ) -> Receipt:
        """Validate and store a new response (revision 1); a repeated id is a no-op.

        Raises ValidationError (nothing written) for invalid answers, ValueError for
        invalid arguments, IncompatibleInstrument when the questionnaire file changed
        in a way the stored answers cannot be read with, and StorageFull (an OSError,
        errno ENOSPC) when the disk is full; nothing is stored then. Returns the
        receipt; for an id already stored, the original receipt (duplicate=True).
        """
        enumerator = _check_person(enumerator, "enumerator")
        rid = str(uuid.uuid4()) if response_id is None else check_response_id(response_id)
        if lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {LANGUAGES}")
        started_at = check_started_at(started_at)
        inst, data = self._checked(instrument_id)
        cleaned, problems = clean(inst, answers, lang=lang)
        if problems:
            raise ValidationError(problems)
        if self._stored(inst.id, rid, 1):  # fast path for a retry; the link below decides races
            original = self._original(inst, rid, 1)
            if original is not None:
                receipt = self._receipt(inst, rid, 1, original, duplicate=True)
                self._audit("submit", enumerator, receipt)
                return receipt
        self._keep_version(inst, data)
        metadata = {
            "_response_id": rid,
            "_instrument": inst.id,
            "_instrument_version": inst.version,
            "_enumerator": enumerator,
            "_started_at": started_at,
            "_lang": lang,
            "_status": "submitted",
            "_revision": 1,
            "_editor": enumerator,
            "_note": None,
        }
        receipt = self._write(inst, rid, 1, lambda at: to_tables(inst, cleaned, {**metadata, "_submitted_at": at}), conflict=False)
        self._audit("submit", enumerator, receipt)
        return receipt

    def revise(
        self,
        instrument_id: str,
        response_id: str,
        answers: Mapping[str, Any],
        editor: str,
        note: str = "",
        base_revision: int | None = None,
        status: str | None = None,
    ) -> Receipt:
        """Store edited answers (all of them, roster included) as the next revision.

        The revision keeps the current review status, or takes `status` (one of
        STATUSES) when given: a rejected interview that its enumerator corrected goes
        back to "submitted", and so back into the review queue.

        ConflictError when `base_revision` is given and is not the current revision,
        or when another writer stored the next revision first. ValueError for a note
        that is not short printable text (see check_note), a bad base_revision or an
        unknown status.
        """
        rid = check_response_id(response_id)
        editor = _check_person(editor, "editor")
        note = check_note(note)
        base_revision = check_revision(base_revision)
        if status is not None and status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        inst, data = self._checked(instrument_id)
        current = self._current(inst, rid).to_pylist()[0]
        rev = current["_revision"]
        if base_revision is not None and base_revision != rev:
            raise ConflictError(f"{rid}: revision {base_revision} is not the current one ({rev})")
        lang = current.get("_lang") if current.get("_lang") in LANGUAGES else "en"
        cleaned, problems = clean(inst, answers, lang=lang)
        if problems:
            raise ValidationError(problems)
        self._keep_version(inst, data)
        metadata = {
            "_response_id": rid,
            "_instrument": inst.id,
            "_instrument_version": inst.version,
            "_enumerator": current.get("_enumerator"),
            "_started_at": current.get("_started_at"),
            "_lang": current.get("_lang"),
            "_status": current.get("_status") if status is None else status,
            "_revision": rev + 1,
            "_editor": editor,
            "_note": note,
        }
        receipt = self._write(inst, rid, rev + 1, lambda at: to_tables(inst, cleaned, {**metadata, "_submitted_at": at}), conflict=True)
        changed = {} if status is None or status == current.get("_status") else {"status": status}
        self._audit("revise", editor, receipt, **changed)
        return receipt

    def set_status(
        self, instrument_id: str, response_id: str, status: str, editor: str, note: str = "",
        base_revision: int | None = None,
    ) -> Receipt:
        """A review decision: the current answers and roster as a new revision with `status`.

        With `base_revision` (the revision the reviewer looked at), ConflictError when
        someone else has changed the response since, as `revise`.
        """
        rid = check_response_id(response_id)
        editor = _check_person(editor, "editor")
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        note = check_note(note)
        base_revision = check_revision(base_revision)
        inst, data = self._checked(instrument_id)
        schemas = table_schemas(inst)
        current = arrange(self._current(inst, rid), schemas[inst.id])
        rev = current.column("_revision")[0].as_py()
        if base_revision is not None and base_revision != rev:
            raise ConflictError(f"{rid}: revision {base_revision} is not the current one ({rev})")
        members = {}
        for repeat in inst.repeats:
            name = inst.table_name(repeat)
            rows = self._repeat_rows(inst.id, name, True, rid=rid)
            if rows is not None:
                rows = rows.filter(pc.equal(rows.column("_revision"), rev))
                members[name] = arrange(rows, schemas[name])
        self._keep_version(inst, data)

        def build(at: dt.datetime) -> dict[str, pa.Table]:
            main = replace_columns(current, {
                "_submitted_at": at, "_status": status, "_revision": rev + 1, "_editor": editor, "_note": note,
            })
            out = {inst.id: main}
            for name, rows in members.items():
                out[name] = replace_columns(rows, {"_revision": rev + 1}) if rows.num_rows else rows
            return out

        receipt = self._write(inst, rid, rev + 1, build, conflict=True)
        self._audit("review", editor, receipt, status=status)
        return receipt

    def _audit(self, action: str, user: str, receipt: Receipt, **detail: Any) -> None:
        """An audit entry for a stored revision. The data is stored already: an audit
        log that cannot be written (disk full) is logged, never reported as a lost answer."""
        if self.audit is None:
            return
        try:
            self.audit.record(action, user, f"{receipt.instrument}/{receipt.response_id}",
                              "duplicate" if receipt.duplicate else "ok", revision=receipt.revision, **detail)
        except OSError:
            log.exception("the audit log could not record %s of %s", action, receipt.response_id)

    def _stored(self, table: str, rid: str, rev: int) -> bool:
        folder = self._folder(table)
        return (folder / f"{rid}__r{rev}.parquet").exists() or marker(folder, rid, rev).exists()

    def _receipt(self, inst: Instrument, rid: str, rev: int, at: dt.datetime, duplicate: bool = False) -> Receipt:
        return Receipt(rid, inst.id, rev, at, tuple(table_schemas(inst)), duplicate=duplicate)

    def _write(self, inst: Instrument, rid: str, rev: int, build, conflict: bool) -> Receipt:
        """Publish one revision: repeat files, then the main file as the commit point.

        Until the main file is linked, a failure removes everything this call wrote
        (a full disk leaves nothing behind) and is raised, as StorageFull when the
        disk is full. Around the commit the repeat files are checked: compaction
        may have collected them as orphans while this writer was stalled.
        """
        main = inst.id
        token = _now_us()
        tables = build(_from_us(token))
        repeats = {name: table for name, table in tables.items() if name != main and table.num_rows}
        linked: dict[str, Path] = {}
        try:
            main_folder = self._ensure_folder(main)
            for name in repeats:
                self._ensure_folder(name)
            token = self._publish_repeats(rid, rev, token, repeats, linked)
            main_table = replace_columns(tables[main], {"_submitted_at": _from_us(token)})
            self._keep_repeats(rid, rev, token, repeats)
            won, stat = self._commit(main_folder, rid, rev, main_table)
        except BaseException as exc:
            for path in linked.values():
                unlink(path)
            if isinstance(exc, OSError):
                raise storage_error(exc) from exc
            raise
        at = _from_us(token)
        final = main_folder / f"{rid}__r{rev}.parquet"
        if won:
            fsync_dir(main_folder)
            if marker(main_folder, rid, rev).exists():
                # The name was free because compaction already merged this (rid, rev)
                # away -- or merged *our* file in the meantime.
                original = self._original(inst, rid, rev)
                if original is None or _to_us(original) != token:
                    try:
                        if os.path.samestat(os.stat(final), stat):
                            unlink(final)
                    except FileNotFoundError:
                        pass
                    won = False
        if won:
            # Committed: a repeat file collected in the last moments is written again.
            self._keep_repeats(rid, rev, token, repeats)
        else:
            for path in linked.values():
                unlink(path)
            if conflict:
                raise ConflictError(f"{rid}: revision {rev} was stored by another writer first")
            original = None
            for attempt in range(READ_ATTEMPTS):
                original = self._original(inst, rid, rev)
                if original is not None:
                    break
                time.sleep(0.01)
            if original is None:
                raise RuntimeError(f"{rid}: stored, but its row cannot be read")
            return self._receipt(inst, rid, rev, original, duplicate=True)
        self._auto_compact([main, *repeats])
        return self._receipt(inst, rid, rev, at)

    def _repeat_path(self, name: str, rid: str, rev: int, token: int) -> Path:
        return self._folder(name) / f"{rid}__r{rev}__t{token}.parquet"

    def _publish_repeats(self, rid: str, rev: int, token: int, repeats: Mapping[str, pa.Table],
                         linked: dict[str, Path]) -> int:
        """Link every repeat table's file under the token's name; return the token used."""
        temps: dict[str, Path] = {}
        try:
            for name, table in repeats.items():
                temps[name], _ = write_parquet_temp(self._folder(name), table)
            for attempt in range(READ_ATTEMPTS):
                try:
                    for name, tmp in temps.items():
                        if name not in linked:
                            final = self._repeat_path(name, rid, rev, token)
                            os.link(tmp, final)
                            linked[name] = final
                    break
                except FileExistsError:  # the same token twice: practically never; take the next
                    for path in linked.values():
                        unlink(path)
                    linked.clear()
                    token = _now_us()
                except FileNotFoundError:  # a temp collected while this writer was stalled
                    for name in temps:
                        if name not in linked and not temps[name].exists():
                            temps[name], _ = write_parquet_temp(self._folder(name), repeats[name])
            for name in temps:
                fsync_dir(self._folder(name))
        finally:
            for tmp in temps.values():
                unlink(tmp)
        return token

    def _keep_repeats(self, rid: str, rev: int, token: int, repeats: Mapping[str, pa.Table]) -> None:
        """Write again any repeat file of this submission that is no longer there."""
        for name, table in repeats.items():
            final = self._repeat_path(name, rid, rev, token)
            if final.exists():
                continue
            log.warning("%s: repeat file %s was collected while the writer was stalled; writing it again",
                        rid, final.name)
            tmp, _ = write_parquet_temp(self._folder(name), table)
            try:
                os.link(tmp, final)
            except FileExistsError:  # put back by compaction meanwhile: the same rows
                pass
            finally:
                unlink(tmp)
            fsync_dir(self._folder(name))

    def _commit(self, folder: Path, rid: str, rev: int, table: pa.Table) -> tuple[bool, os.stat_result]:
        """Link the main file, the commit point: (won, its stat). False: the name was taken."""
        final = folder / f"{rid}__r{rev}.parquet"
        for attempt in range(3):
            tmp, stat = write_parquet_temp(folder, table)
            try:
                os.link(tmp, final)
                return True, stat
            except FileExistsError:
                return False, stat
            except FileNotFoundError:  # the temp was collected while this writer was stalled
                if attempt == 2:
                    raise
            finally:
                unlink(tmp)
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ compaction

    def _auto_compact(self, tables: list[str]) -> None:
        main = tables[0]
        for table in tables:
            if len(scan(self._folder(table), table == main).small) > self.compact_threshold:
                try:
                    self.compact(table, wait=False)
                except Exception:  # the submission is stored; compaction can run later
                    log.exception("compaction of %s failed", table)

    def compact(self, table: str | None = None, wait: bool = True) -> dict[str, int]:
        """Merge small files into parts. Returns {table: number of files merged}.

        `table=None`: every table of every instrument. `wait=False`: skip a table
        whose compaction is running in another thread or process. StorageFull when
        the disk is full: what could be deleted has been, the rest waits for space.
        """
        names = [table] if table is not None else [t for t in self.tables() if self._folder(t).is_dir()]
        done, failed = {}, None
        for name in names:
            instrument_id, main, schemas = self._owner(name)
            done[name] = 0
            if not self._folder(name).is_dir():
                continue
            try:
                done[name] = compact_table(self._folder(name), None if main else instrument_id, wait,
                                           self.part_bytes, self.orphan_seconds, self.quarantine, schemas)
            except OSError as exc:  # go on: the other tables may still free space
                failed = failed or exc
        if failed is not None:
            raise storage_error(failed) from failed
        return done
