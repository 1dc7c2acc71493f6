"""The response store: validated answers -> Parquet files that are never lost or doubled.

ResponseStore is the public API: submit, revise, set_status, read, history,
count, tables, compact. It keeps one folder per table under ``root/responses``;
the pieces live in small private modules, one topic each:

    survey._layout      the names of a table folder's files, markers and journal
    survey._durable     crash-safe file primitives (temp, fsync, publish, unlink)
    survey._reading     DuckDB reads that see each (response, revision) once
    survey._compaction  merging small files into parts, and recovering from a crash
    survey._frames      Arrow rows sorted, shaped to a schema, converted to pandas

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
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from survey._compaction import compact_table
from survey._durable import fsync_dir, unlink, write_parquet_temp
from survey._frames import arrange, replace_columns, sorted_rows, to_pandas
from survey._layout import marker, scan
from survey._reading import READ_ATTEMPTS, main_rows, repeat_rows
from survey.audit import AuditLog
from survey.model import INSTRUMENT_DIR, LANGUAGES, Instrument, Question, load_instrument
from survey.problems import ValidationError
from survey.schema import STATUSES, table_schemas, to_tables
from survey.validate import clean

__all__ = ["ConflictError", "Receipt", "ResponseStore", "UnknownResponse", "STATUSES"]

log = logging.getLogger(__name__)

_RESPONSE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TABLE = re.compile(r"[a-z][a-z0-9_]*")


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
    data folder's audit log (survey.audit); False for bulk loads and benchmarks.
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

    def __repr__(self) -> str:
        return f"ResponseStore({str(self.root)!r})"

    # ------------------------------------------------------------------ instruments

    def instrument(self, instrument_id: str) -> Instrument:
        return load_instrument(instrument_id, self.instruments_dir)

    def _owner(self, table: str) -> tuple[Instrument, Question | None]:
        """(instrument, repeat group or None for the main table) owning `table`."""
        if not isinstance(table, str) or not _TABLE.fullmatch(table):
            raise ValueError(f"unknown table {table!r:.80}")
        directory = self.instruments_dir or INSTRUMENT_DIR
        if (directory / f"{table}.yaml").is_file():
            return self.instrument(table), None
        for i, char in enumerate(table):
            if char == "_" and (directory / f"{table[:i]}.yaml").is_file():
                inst = self.instrument(table[:i])
                for repeat in inst.repeats:
                    if inst.table_name(repeat) == table:
                        return inst, repeat
        raise ValueError(f"unknown table {table!r}: no instrument defines it")

    def tables(self) -> list[str]:
        """Every table of every instrument (main table, then its repeats), by instrument id."""
        directory = self.instruments_dir or INSTRUMENT_DIR
        out = []
        for path in sorted(directory.glob("*.yaml")):
            try:
                inst = self.instrument(path.stem)
            except ValueError:
                log.warning("skipping instrument %s that does not load", path.name)
                continue
            out.extend(table_schemas(inst))
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

    # ------------------------------------------------------------------ reading

    def read(self, table: str, history: bool = False) -> pd.DataFrame:
        """One table as a DataFrame: the current revision of each response.

        `history=True`: every stored revision. Repeat tables return the rows of
        their parent's current revision (every revision's rows with history).
        Columns: metadata, the current instrument's questions in form order (null
        where older files lack them), then columns found only in older files.
        """
        inst, repeat = self._owner(table)
        if repeat is None:
            rows = sorted_rows(main_rows(self.responses, table, history), ["_submitted_at", "_response_id", "_revision"])
        else:
            rows = sorted_rows(repeat_rows(self.responses, inst.id, table, history), ["_response_id", "_revision", "_member_index"])
        return to_pandas(arrange(rows, table_schemas(inst)[table]))

    def count(self, table: str) -> int:
        """Number of rows read(table) would return."""
        inst, repeat = self._owner(table)
        if repeat is None:
            rows = main_rows(self.responses, table, False, count=True)
        else:
            rows = repeat_rows(self.responses, inst.id, table, False, count=True)
        return 0 if rows is None else int(rows.column("n")[0].as_py())

    def history(self, instrument_id: str, response_id: str) -> pd.DataFrame:
        """Every revision of one response (main table), oldest first."""
        rid = check_response_id(response_id)
        inst = self.instrument(instrument_id)
        rows = main_rows(self.responses, inst.id, True, rid=rid)
        if rows is None or rows.num_rows == 0:
            raise UnknownResponse(f"{inst.id}: no response {rid}")
        rows = sorted_rows(rows, ["_revision"])
        return to_pandas(arrange(rows, table_schemas(inst)[inst.id]))

    def _current(self, inst: Instrument, rid: str) -> pa.Table:
        rows = main_rows(self.responses, inst.id, False, rid=rid)
        if rows is None or rows.num_rows == 0:
            raise UnknownResponse(f"{inst.id}: no response {rid}")
        return rows

    def _original(self, inst: Instrument, rid: str, rev: int) -> dt.datetime | None:
        """`_submitted_at` of the stored (rid, rev), or None when it is not (yet) visible."""
        rows = main_rows(self.responses, inst.id, True, rid=rid)
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

        Raises ValidationError (nothing written) for invalid answers. Returns the
        receipt; for an id already stored, the original receipt (duplicate=True).
        """
        enumerator = _check_person(enumerator, "enumerator")
        rid = str(uuid.uuid4()) if response_id is None else check_response_id(response_id)
        if lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {LANGUAGES}")
        inst = self.instrument(instrument_id)
        cleaned, problems = clean(inst, answers, lang=lang)
        if problems:
            raise ValidationError(problems)
        if self._stored(inst.id, rid, 1):  # fast path for a retry; the link below decides races
            original = self._original(inst, rid, 1)
            if original is not None:
                receipt = self._receipt(inst, rid, 1, original, duplicate=True)
                self._audit("submit", enumerator, receipt)
                return receipt
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
    ) -> Receipt:
        """Store edited answers (all of them, roster included) as the next revision.

        ConflictError when `base_revision` is given and is not the current revision,
        or when another writer stored the next revision first.
        """
        rid = check_response_id(response_id)
        editor = _check_person(editor, "editor")
        inst = self.instrument(instrument_id)
        current = self._current(inst, rid).to_pylist()[0]
        rev = current["_revision"]
        if base_revision is not None and base_revision != rev:
            raise ConflictError(f"{rid}: revision {base_revision} is not the current one ({rev})")
        lang = current.get("_lang") if current.get("_lang") in LANGUAGES else "en"
        cleaned, problems = clean(inst, answers, lang=lang)
        if problems:
            raise ValidationError(problems)
        metadata = {
            "_response_id": rid,
            "_instrument": inst.id,
            "_instrument_version": inst.version,
            "_enumerator": current.get("_enumerator"),
            "_started_at": current.get("_started_at"),
            "_lang": current.get("_lang"),
            "_status": current.get("_status"),
            "_revision": rev + 1,
            "_editor": editor,
            "_note": note or None,
        }
        receipt = self._write(inst, rid, rev + 1, lambda at: to_tables(inst, cleaned, {**metadata, "_submitted_at": at}), conflict=True)
        self._audit("revise", editor, receipt)
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
        inst = self.instrument(instrument_id)
        schemas = table_schemas(inst)
        current = arrange(self._current(inst, rid), schemas[inst.id])
        rev = current.column("_revision")[0].as_py()
        if base_revision is not None and base_revision != rev:
            raise ConflictError(f"{rid}: revision {base_revision} is not the current one ({rev})")
        members = {}
        for repeat in inst.repeats:
            name = inst.table_name(repeat)
            rows = repeat_rows(self.responses, inst.id, name, True, rid=rid)
            if rows is not None:
                rows = rows.filter(pc.equal(rows.column("_revision"), rev))
                members[name] = arrange(rows, schemas[name])

        def build(at: dt.datetime) -> dict[str, pa.Table]:
            main = replace_columns(current, {
                "_submitted_at": at, "_status": status, "_revision": rev + 1, "_editor": editor, "_note": note or None,
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
        """Publish one revision: repeat files, then the main file as the commit point."""
        main = inst.id
        token = _now_us()
        tables = build(_from_us(token))
        main_folder = self._ensure_folder(main)
        # 1. Repeat tables: temp + fsync, then exclusive link under the token's name.
        temps: dict[str, Path] = {}
        linked: list[Path] = []
        try:
            for name, table in tables.items():
                if name != main and table.num_rows:
                    temps[name], _ = write_parquet_temp(self._ensure_folder(name), table)
            while temps:
                try:
                    for name, tmp in temps.items():
                        final = self._folder(name) / f"{rid}__r{rev}__t{token}.parquet"
                        os.link(tmp, final)
                        linked.append(final)
                    break
                except FileExistsError:  # the same token twice: practically never; take the next
                    for path in linked:
                        unlink(path)
                    linked.clear()
                    token = _now_us()
            for name in temps:
                fsync_dir(self._folder(name))
        finally:
            for tmp in temps.values():
                unlink(tmp)
        at = _from_us(token)
        main_table = replace_columns(tables[main], {"_submitted_at": at})
        # 2. The main table: the commit point.
        tmp, stat = write_parquet_temp(main_folder, main_table)
        final = main_folder / f"{rid}__r{rev}.parquet"
        try:
            os.link(tmp, final)
            won = True
        except FileExistsError:
            won = False
        finally:
            unlink(tmp)
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
        if not won:
            for path in linked:
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
        self._auto_compact([main, *(n for n in temps)])
        return self._receipt(inst, rid, rev, at)

    # ------------------------------------------------------------------ compaction

    def _auto_compact(self, tables: list[str]) -> None:
        for table in tables:
            if len(scan(self._folder(table))[0]) > self.compact_threshold:
                try:
                    self.compact(table, wait=False)
                except Exception:  # the submission is stored; compaction can run later
                    log.exception("compaction of %s failed", table)

    def compact(self, table: str | None = None, wait: bool = True) -> dict[str, int]:
        """Merge small files into parts. Returns {table: number of files merged}.

        `table=None`: every table of every instrument. `wait=False`: skip a table
        whose compaction is running in another thread or process.
        """
        names = [table] if table is not None else [t for t in self.tables() if self._folder(t).is_dir()]
        done = {}
        for name in names:
            inst, repeat = self._owner(name)
            done[name] = 0
            if not self._folder(name).is_dir():
                continue
            parent = None if repeat is None else inst.id
            done[name] = compact_table(self._folder(name), parent, wait, self.part_bytes, self.orphan_seconds)
        return done

