"""The response store: validated answers -> Parquet files that are never lost or doubled.

Layout (``root/responses/<table>/``, one folder per table; see DESIGN.md "Storage")::

    <rid>__r<rev>.parquet           main table: one small file per submission/revision
    <rid>__r<rev>__t<token>.parquet repeat tables: one small file per submission
    part-<uuid>.parquet             compacted files (many rows)
    _committed/<rid>__r<rev>        main table: this (response, revision) is in a part
    _compacting                     journal of the compaction in progress: {part, inputs}
    .tmp-<uuid>.parquet             being written; never read (hidden prefix)
    .lock                           compaction lock (fcntl.flock)

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

Compaction (one per table at a time: ``flock`` on ``.lock``) writes the journal,
merges small files and small parts into one ``part-<uuid>.parquet`` (temp, fsync,
rename, folder fsync), writes the markers, deletes the merged files, then the
journal. An interrupted compaction is finished (or undone) by the next one; old
temp files and repeat files of submissions that never committed are collected.

Reading lists the folder and leaves out files whose rows are also elsewhere: the
journal's inputs when its part is listed, and main small files with a marker. A
listed file that vanishes before DuckDB reads it makes the query retry. So each
(response, revision) is read exactly once without a costly per-row dedupe; the
current revision is chosen by a join with the (few) responses that have several.

read() returns pandas: text as ``string`` dtype (pd.NA for missing), integers as
nullable ``Int64``, decimals as float64 (NaN), dates as ``datetime64[ms]`` (NaT),
timestamps as ``datetime64[us, UTC]``, select_multiple as Python lists (None when
unanswered; rows with the same choices share one list object, so copy one before
mutating it). ``_member_index`` is 0-based (the item's position in the list).
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import logging
import os
import re
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from survey.model import INSTRUMENT_DIR, LANGUAGES, Instrument, Question, load_instrument
from survey.problems import ValidationError
from survey.schema import STATUSES, table_schemas, to_tables
from survey.validate import clean

__all__ = ["ConflictError", "Receipt", "ResponseStore", "UnknownResponse", "STATUSES"]

log = logging.getLogger(__name__)

_RESPONSE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TABLE = re.compile(r"[a-z][a-z0-9_]*")
_MAIN_FILE = re.compile(r"(?P<rid>[A-Za-z0-9_-]{1,64})__r(?P<rev>[0-9]+)\.parquet")
_REPEAT_FILE = re.compile(r"(?P<rid>[A-Za-z0-9_-]{1,64})__r(?P<rev>[0-9]+)__t(?P<tok>[0-9]+)\.parquet")
_PART = "part-"
_TEMP = ".tmp-"
_COMMITTED = "_committed"
_JOURNAL = "_compacting"
_READ_ATTEMPTS = 50


class ConflictError(RuntimeError):
    """A revision based on a revision that is no longer the current one."""


class UnknownResponse(LookupError):
    """No response with this id is stored for the instrument."""


@dataclass(frozen=True)
class _Listing:
    parts: list[str]
    small: list[str]

    @property
    def files(self) -> list[str]:
        return self.parts + self.small


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
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string")
    return value.strip()


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


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


_duck: dict[int, duckdb.DuckDBPyConnection] = {}
_duck_lock = threading.Lock()


def _connect() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on this process's in-memory DuckDB database (nothing is stored in it).

    Opening a database costs tens of milliseconds, a cursor next to nothing; each
    call gets its own cursor, so threads never share one.
    """
    with _duck_lock:
        db = _duck.get(os.getpid())
        if db is None:
            db = _duck[os.getpid()] = duckdb.connect()
            db.execute("SET GLOBAL TimeZone = 'UTC'")
        return db.cursor()


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class ResponseStore:
    """Parquet store of responses under ``root/responses/<table>/``.

    `instruments_dir`: where the instruments' YAML files are (default: the
    package's survey/instruments). `compact_threshold`: after a submit, a table
    with more small files than this is compacted (without waiting if another
    compactor is busy). `part_bytes`: parts smaller than this are merged again by
    later compactions. `orphan_seconds`: temp files and repeat files of submissions
    that never committed are deleted by compaction once they are this old.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        instruments_dir: str | os.PathLike | None = None,
        compact_threshold: int = 64,
        part_bytes: int = 8 << 20,
        orphan_seconds: float = 3600.0,
    ):
        self.root = Path(root)
        self.responses = self.root / "responses"
        self.instruments_dir = Path(instruments_dir) if instruments_dir is not None else None
        self.compact_threshold = compact_threshold
        self.part_bytes = part_bytes
        self.orphan_seconds = orphan_seconds
        self._known_folders: set[str] = set()

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
                _fsync_dir(path.parent)
            self._known_folders.add(table)
        return folder

    def _marker(self, table: str, rid: str, rev: int) -> Path:
        return self._folder(table) / _COMMITTED / f"{rid}__r{rev}"

    def _scan(self, table: str) -> tuple[list[str], list[str]]:
        """(small files, parts) visible in the table's folder, by name."""
        try:
            names = os.listdir(self._folder(table))
        except FileNotFoundError:
            return [], []
        small, parts = [], []
        for name in names:
            if not name.endswith(".parquet") or name.startswith("."):
                continue
            (parts if name.startswith(_PART) else small).append(name)
        return small, parts

    def _files(self, table: str, main: bool) -> _Listing:
        """What a reader should scan: each stored row exactly once.

        1. List the folder. 2. If a compaction journal names a part that is in the
        listing, leave out that compaction's inputs (the part holds their rows;
        they are being deleted). 3. Main table: leave out small files with a
        `_committed` marker (already inside a part, or a losing duplicate whose
        name was reused), checked last because names can be reused once deleted.
        4. List again; if the parts changed, start over, so that the part holding
        a left-out file's rows is always in the listing. A listed file that is
        deleted before it is read makes the query fail and retry (see _query).
        """
        folder = self._folder(table)
        small, parts = self._scan(table)
        for _ in range(_READ_ATTEMPTS):
            keep_small, keep_parts = small, parts
            journal = self._journal(folder)
            if journal and journal[0] in parts:
                replaced = set(journal[1])
                keep_small = [n for n in keep_small if n not in replaced]
                keep_parts = [n for n in keep_parts if n not in replaced]
            if main:
                live = []
                for name in keep_small:
                    m = _MAIN_FILE.fullmatch(name)
                    if m and not self._marker(table, m["rid"], int(m["rev"])).exists():
                        live.append(name)
                keep_small = live
            small2, parts2 = self._scan(table)
            if set(parts2) == set(parts):
                return _Listing([str(folder / n) for n in sorted(keep_parts)], [str(folder / n) for n in sorted(keep_small)])
            small, parts = small2, parts2
        raise RuntimeError(f"table {table}: the folder keeps changing; cannot list it")

    @staticmethod
    def _journal(folder: Path) -> tuple[str, list[str]] | None:
        """(part, inputs) of the compaction in progress (or interrupted), if any."""
        try:
            with open(folder / _JOURNAL, encoding="utf-8") as handle:
                data = json.load(handle)
            return str(data["part"]), [str(n) for n in data["inputs"]]
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            return None

    def _small_count(self, table: str) -> int:
        return len(self._scan(table)[0])

    # ------------------------------------------------------------------ queries

    def _query(self, build, tables: Mapping[str, bool]) -> pa.Table | None:
        """Run the SQL that `build` makes for the current listing of `tables`.

        `tables`: {name: is_main}. `build({table: _Listing})` returns (sql, params),
        or None when there is nothing to read. A file that vanished between listing
        and reading (compaction) means: list again and retry.
        """
        last: Exception | None = None
        for attempt in range(_READ_ATTEMPTS):
            built = build({t: self._files(t, main) for t, main in tables.items()})
            if built is None:
                return None
            sql, params = built
            params = {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}
            con = _connect()
            try:
                return con.sql(sql, params=params).to_arrow_table()
            except duckdb.IOException as exc:
                last = exc
                time.sleep(min(0.001 * 2**attempt, 0.05))
            finally:
                con.close()
        raise RuntimeError(f"could not read {', '.join(tables)}: {last}")

    def _main_rows(self, table: str, history: bool, rid: str | None = None, count: bool = False) -> pa.Table | None:
        """Main-table rows (current revisions, or all with `history`), unsorted."""
        where = "WHERE _response_id = $rid" if rid is not None else ""

        def build(listings):
            listing = listings[table]
            if not listing.files:
                return None
            params = {"files": listing.files, **({"rid": rid} if rid is not None else {})}
            rows = f"SELECT * FROM read_parquet($files, union_by_name = true) {where}"
            if history:  # each (response, revision) is listed once
                body = rows
            else:  # drop the older revisions of the (few) responses revised after submission
                body = (
                    f"WITH t AS NOT MATERIALIZED ({rows}), "
                    "cur AS (SELECT _response_id, max(_revision) AS __current FROM t WHERE _revision > 1 GROUP BY 1) "
                    "SELECT t.* FROM t LEFT JOIN cur ON t._response_id = cur._response_id "
                    "WHERE cur.__current IS NULL OR t._revision = cur.__current"
                )
            if count:
                return f"SELECT count(*) AS n FROM ({body})", params
            return body, params

        return self._query(build, {table: True})

    def _repeat_rows(self, inst: Instrument, table: str, history: bool, rid: str | None = None, count: bool = False) -> pa.Table | None:
        """Repeat-table rows of committed revisions (current ones unless `history`), unsorted.

        Rows in parts always belong to a committed revision. A small file counts only
        when the main table has its (response, revision) with its token (the
        `_submitted_at` in its name): that leaves out a losing duplicate's rows and
        those of a submission that crashed before its main file was published.
        """
        main = inst.id
        where = "WHERE _response_id = $rid" if rid is not None else ""

        def build(listings):
            parents, listing = listings[main], listings[table]
            if not parents.files or not listing.files:
                return None
            params = {"parents": parents.files, **({"rid": rid} if rid is not None else {})}
            src = f"read_parquet($parents, union_by_name = true)"
            branches = []
            if listing.parts:
                params["parts"] = listing.parts
                branches.append(f"SELECT * FROM read_parquet($parts, union_by_name = true) {where}")
            if listing.small:
                params["small"] = listing.small
                branches.append(
                    "SELECT s.* EXCLUDE (filename) FROM "
                    f"(SELECT * FROM read_parquet($small, union_by_name = true, filename = true) {where}) s "
                    f"SEMI JOIN (SELECT _response_id, _revision, epoch_us(_submitted_at) AS tok FROM {src} {where}) m "
                    "ON s._response_id = m._response_id AND s._revision = m._revision "
                    "AND CAST(regexp_extract(s.filename, '__t([0-9]+)\\.parquet$', 1) AS BIGINT) = m.tok"
                )
            rows = " UNION ALL BY NAME ".join(branches)
            if history:
                body = rows
            else:
                body = (
                    f"WITH r AS NOT MATERIALIZED ({rows}), "
                    f"cur AS (SELECT _response_id, max(_revision) AS __current FROM {src} WHERE _revision > 1 "
                    f"{'AND _response_id = $rid' if rid is not None else ''} GROUP BY 1) "
                    "SELECT r.* FROM r LEFT JOIN cur ON r._response_id = cur._response_id "
                    "WHERE (cur.__current IS NULL AND r._revision = 1) OR r._revision = cur.__current"
                )
            if count:
                return f"SELECT count(*) AS n FROM ({body})", params
            return body, params

        return self._query(build, {main: True, table: False})

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
            rows = _sorted(self._main_rows(table, history), ["_submitted_at", "_response_id", "_revision"])
        else:
            rows = _sorted(self._repeat_rows(inst, table, history), ["_response_id", "_revision", "_member_index"])
        return _to_pandas(_arrange(rows, table_schemas(inst)[table]))

    def count(self, table: str) -> int:
        """Number of rows read(table) would return."""
        inst, repeat = self._owner(table)
        rows = self._main_rows(table, False, count=True) if repeat is None else self._repeat_rows(inst, table, False, count=True)
        return 0 if rows is None else int(rows.column("n")[0].as_py())

    def history(self, instrument_id: str, response_id: str) -> pd.DataFrame:
        """Every revision of one response (main table), oldest first."""
        rid = check_response_id(response_id)
        inst = self.instrument(instrument_id)
        rows = self._main_rows(inst.id, True, rid=rid)
        if rows is None or rows.num_rows == 0:
            raise UnknownResponse(f"{inst.id}: no response {rid}")
        rows = _sorted(rows, ["_revision"])
        return _to_pandas(_arrange(rows, table_schemas(inst)[inst.id]))

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
                return self._receipt(inst, rid, 1, original, duplicate=True)
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
        return self._write(inst, rid, 1, lambda at: to_tables(inst, cleaned, {**metadata, "_submitted_at": at}), conflict=False)

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
        return self._write(inst, rid, rev + 1, lambda at: to_tables(inst, cleaned, {**metadata, "_submitted_at": at}), conflict=True)

    def set_status(self, instrument_id: str, response_id: str, status: str, editor: str, note: str = "") -> Receipt:
        """A review decision: the current answers and roster as a new revision with `status`."""
        rid = check_response_id(response_id)
        editor = _check_person(editor, "editor")
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        inst = self.instrument(instrument_id)
        schemas = table_schemas(inst)
        current = _arrange(self._current(inst, rid), schemas[inst.id])
        rev = current.column("_revision")[0].as_py()
        members = {}
        for repeat in inst.repeats:
            name = inst.table_name(repeat)
            rows = self._repeat_rows(inst, name, True, rid=rid)
            if rows is not None:
                rows = rows.filter(pc.equal(rows.column("_revision"), rev))
                members[name] = _arrange(rows, schemas[name])

        def build(at: dt.datetime) -> dict[str, pa.Table]:
            main = _replace(current, {
                "_submitted_at": at, "_status": status, "_revision": rev + 1, "_editor": editor, "_note": note or None,
            })
            out = {inst.id: main}
            for name, rows in members.items():
                out[name] = _replace(rows, {"_revision": rev + 1}) if rows.num_rows else rows
            return out

        return self._write(inst, rid, rev + 1, build, conflict=True)

    def _stored(self, table: str, rid: str, rev: int) -> bool:
        return (self._folder(table) / f"{rid}__r{rev}.parquet").exists() or self._marker(table, rid, rev).exists()

    def _receipt(self, inst: Instrument, rid: str, rev: int, at: dt.datetime, duplicate: bool = False) -> Receipt:
        return Receipt(rid, inst.id, rev, at, tuple(table_schemas(inst)), duplicate=duplicate)

    def _write_temp(self, folder: Path, table: pa.Table) -> tuple[Path, os.stat_result]:
        tmp = folder / f"{_TEMP}{uuid.uuid4().hex}.parquet"
        with open(tmp, "xb") as handle:
            pq.write_table(table, handle)
            handle.flush()
            os.fsync(handle.fileno())
            stat = os.fstat(handle.fileno())
        return tmp, stat

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
                    temps[name], _ = self._write_temp(self._ensure_folder(name), table)
            while temps:
                try:
                    for name, tmp in temps.items():
                        final = self._folder(name) / f"{rid}__r{rev}__t{token}.parquet"
                        os.link(tmp, final)
                        linked.append(final)
                    break
                except FileExistsError:  # the same token twice: practically never; take the next
                    for path in linked:
                        _unlink(path)
                    linked.clear()
                    token = _now_us()
            for name in temps:
                _fsync_dir(self._folder(name))
        finally:
            for tmp in temps.values():
                _unlink(tmp)
        at = _from_us(token)
        main_table = _replace(tables[main], {"_submitted_at": at})
        # 2. The main table: the commit point.
        tmp, stat = self._write_temp(main_folder, main_table)
        final = main_folder / f"{rid}__r{rev}.parquet"
        try:
            os.link(tmp, final)
            won = True
        except FileExistsError:
            won = False
        finally:
            _unlink(tmp)
        if won:
            _fsync_dir(main_folder)
            if self._marker(main, rid, rev).exists():
                # The name was free because compaction already merged this (rid, rev)
                # away -- or merged *our* file in the meantime.
                original = self._original(inst, rid, rev)
                if original is None or _to_us(original) != token:
                    try:
                        if os.path.samestat(os.stat(final), stat):
                            _unlink(final)
                    except FileNotFoundError:
                        pass
                    won = False
        if not won:
            for path in linked:
                _unlink(path)
            if conflict:
                raise ConflictError(f"{rid}: revision {rev} was stored by another writer first")
            original = None
            for attempt in range(_READ_ATTEMPTS):
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
            if self._small_count(table) > self.compact_threshold:
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
            with self._lock(name, wait) as locked:
                if locked:
                    self._recover(name, main=repeat is None)
                    done[name] = self._compact_main(name) if repeat is None else self._compact_repeat(inst, name)
        return done

    @contextmanager
    def _lock(self, table: str, wait: bool) -> Iterator[bool]:
        fd = os.open(self._folder(table) / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                    yield False
                    return
                raise
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _old_temps(self, folder: Path) -> list[Path]:
        cutoff = time.time() - self.orphan_seconds
        out = []
        for entry in os.scandir(folder):
            if entry.name.startswith(_TEMP):
                try:
                    if entry.stat().st_mtime < cutoff:
                        out.append(Path(entry.path))
                except FileNotFoundError:
                    pass
        return out

    def _small_parts(self, folder: Path, parts: list[str]) -> list[str]:
        out = []
        for name in parts:
            try:
                if (folder / name).stat().st_size < self.part_bytes:
                    out.append(name)
            except FileNotFoundError:
                pass
        return out

    def _write_journal(self, folder: Path, part: str, inputs: list[str]) -> None:
        tmp = folder / f"{_TEMP}{uuid.uuid4().hex}.json"
        with open(tmp, "x", encoding="utf-8") as handle:
            json.dump({"part": part, "inputs": inputs}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, folder / _JOURNAL)
        _fsync_dir(folder)

    def _recover(self, table: str, main: bool) -> None:
        """Finish (or undo) a compaction that was interrupted; called under the lock."""
        folder = self._folder(table)
        try:
            with open(folder / _JOURNAL, encoding="utf-8") as handle:
                journal = json.load(handle)
        except FileNotFoundError:
            return
        except ValueError:
            journal = {}
        part, inputs = journal.get("part"), journal.get("inputs") or []
        if isinstance(part, str) and (folder / part).exists():
            self._finish(folder, table, main, inputs, [])
        else:
            _unlink(folder / _JOURNAL)
            _fsync_dir(folder)

    def _finish(self, folder: Path, table: str, main: bool, inputs: list[str], drop: list[str]) -> None:
        """After the part is published: markers, then delete the inputs, then the journal."""
        if main:
            keys = [f"{m['rid']}__r{m['rev']}" for m in map(_MAIN_FILE.fullmatch, inputs) if m]
            if keys:
                committed = folder / _COMMITTED
                if not committed.is_dir():
                    committed.mkdir(exist_ok=True)
                    _fsync_dir(folder)
                for key in keys:
                    os.close(os.open(committed / key, os.O_WRONLY | os.O_CREAT, 0o644))
                _fsync_dir(committed)
        for name in inputs + drop:
            _unlink(folder / name)
        _fsync_dir(folder)
        _unlink(folder / _JOURNAL)
        _fsync_dir(folder)

    def _merge(self, folder: Path, names: list[str], key: str) -> str:
        """Write the deduplicated union of `names` as a new part; return its name.

        Journal first (so readers know a part and its sources may both be visible,
        and an interrupted compaction can be finished), then temp, fsync, rename,
        folder fsync.
        """
        part = f"{_PART}{uuid.uuid4().hex}.parquet"
        self._write_journal(folder, part, names)
        tmp = folder / f"{_TEMP}{uuid.uuid4().hex}.parquet"
        con = _connect()
        try:
            con.execute(
                f"COPY (SELECT * FROM read_parquet($files, union_by_name = true) "
                f"QUALIFY row_number() OVER (PARTITION BY {key}) = 1) TO {_sql_text(str(tmp))} (FORMAT parquet)",
                {"files": [str(folder / n) for n in names]},
            )
        finally:
            con.close()
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, folder / part)
        _fsync_dir(folder)
        return part

    def _compact_main(self, table: str) -> int:
        folder = self._folder(table)
        small, parts = self._scan(table)
        merge, drop = [], []
        for name in small:
            m = _MAIN_FILE.fullmatch(name)
            if not m:
                continue
            if self._marker(table, m["rid"], int(m["rev"])).exists():
                drop.append(name)  # already in a part; or a losing duplicate
            else:
                merge.append(name)
        small_parts = self._small_parts(folder, parts)
        inputs = merge + (small_parts if merge or len(small_parts) > 1 else [])
        drop += [p.name for p in self._old_temps(folder)]
        if inputs:
            self._merge(folder, inputs, "_response_id, _revision")
            self._finish(folder, table, True, inputs, drop)
        elif drop:
            for name in drop:
                _unlink(folder / name)
            _fsync_dir(folder)
        return len(inputs)

    def _compact_repeat(self, inst: Instrument, table: str) -> int:
        folder = self._folder(table)
        small, parts = self._scan(table)
        files = {}
        for name in small:
            m = _REPEAT_FILE.fullmatch(name)
            if m:
                files[name] = (m["rid"], int(m["rev"]), int(m["tok"]))
        committed: dict[tuple[str, int], int] = {}
        if files:
            main = inst.id
            rids = sorted({rid for rid, _, _ in files.values()})

            def build(listings):
                if not listings[main].files:
                    return None
                return (
                    "SELECT DISTINCT _response_id, _revision, epoch_us(_submitted_at) AS tok "
                    "FROM read_parquet($files, union_by_name = true) WHERE _response_id IN (SELECT unnest($rids))"
                ), {"files": listings[main].files, "rids": rids}

            rows = self._query(build, {main: True})
            if rows is not None:
                for row in rows.to_pylist():
                    committed[(row["_response_id"], row["_revision"])] = row["tok"]
        cutoff = time.time() - self.orphan_seconds
        merge, drop = [], []
        for name, (rid, rev, tok) in sorted(files.items()):
            owner = committed.get((rid, rev))
            if owner == tok:
                merge.append(name)
            elif owner is not None:
                drop.append(name)  # lost the race for this (rid, rev): never visible
            else:
                try:  # not committed (yet): an in-flight submission, or a crash's leftover
                    if (folder / name).stat().st_mtime < cutoff:
                        drop.append(name)
                except FileNotFoundError:
                    pass
        small_parts = self._small_parts(folder, parts)
        inputs = merge + (small_parts if merge or len(small_parts) > 1 else [])
        drop += [p.name for p in self._old_temps(folder)]
        if inputs:
            self._merge(folder, inputs, "_response_id, _revision, _member_index")
            self._finish(folder, table, False, inputs, drop)
        elif drop:
            for name in drop:
                _unlink(folder / name)
            _fsync_dir(folder)
        return len(inputs)


# ---------------------------------------------------------------------- Arrow -> pandas


def _sorted(table: pa.Table | None, keys: list[str]) -> pa.Table | None:
    """`table` sorted by `keys` (ascending); untouched when it already is."""
    if table is None or table.num_rows < 2:
        return table
    indices = pc.sort_indices(table, [(k, "ascending") for k in keys]).to_numpy()
    if np.array_equal(indices, np.arange(len(indices))):
        return table
    return table.take(indices)


def _replace(table: pa.Table, values: Mapping[str, Any]) -> pa.Table:
    """`table` with the named columns set to one value on every row (types kept)."""
    for name, value in values.items():
        i = table.schema.get_field_index(name)
        column = pa.array([value] * table.num_rows, type=table.schema.field(name).type)
        table = table.set_column(i, table.schema.field(name), column)
    return table


def _arrange(rows: pa.Table | None, schema: pa.Schema) -> pa.Table:
    """Columns of `schema` first (cast to its types; all-null when absent), then extras."""
    if rows is None:
        return schema.empty_table()
    columns, fields = [], []
    for f in schema:
        if f.name in rows.column_names:
            column = rows.column(f.name)
            if column.type != f.type:
                try:
                    column = column.cast(f.type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    f = pa.field(f.name, column.type)
        else:
            column = pa.nulls(rows.num_rows, type=f.type)
        columns.append(column)
        fields.append(f)
    for name in rows.column_names:
        if name not in schema.names:
            columns.append(rows.column(name))
            fields.append(rows.schema.field(name))
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


_SEP = "\x1f"


def _lists(column: pa.ChunkedArray) -> np.ndarray:
    """A list<string> column as an object array of Python lists (None for null).

    Fast for a million rows: rows with the same choices share one list object
    (a select_multiple has few distinct combinations), so treat the lists as
    read-only (copy before mutating one).
    """
    parts = []
    for chunk in column.chunks:
        chunk = chunk.cast(pa.list_(pa.string())) if chunk.type.value_type != pa.string() else chunk
        if len(chunk.values) and pc.any(pc.match_substring(chunk.values, _SEP)).as_py():
            values = np.empty(len(chunk), dtype=object)
            values[:] = chunk.to_pylist()
            parts.append(values)
            continue
        encoded = pc.dictionary_encode(pc.binary_join(chunk, _SEP))
        unique = [v.split(_SEP) if v else [] for v in encoded.dictionary.to_pylist()]
        lookup = np.empty(len(unique) + 1, dtype=object)
        lookup[: len(unique)] = unique
        lookup[len(unique)] = None
        indices = encoded.indices.fill_null(len(unique)).to_numpy(zero_copy_only=False)
        parts.append(lookup[indices])
    return np.concatenate(parts) if parts else np.empty(0, dtype=object)


def _pandas_type(arrow_type: pa.DataType):
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_string_view(arrow_type):
        return pd.StringDtype()
    return None


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    list_columns = [f.name for f in table.schema if pa.types.is_list(f.type) or pa.types.is_large_list(f.type)]
    for f in table.schema:
        if pa.types.is_integer(f.type) and f.type != pa.int64():
            table = table.set_column(table.schema.get_field_index(f.name), pa.field(f.name, pa.int64()), table.column(f.name).cast(pa.int64()))
    plain = table.drop_columns(list_columns)
    df = plain.to_pandas(types_mapper=_pandas_type, date_as_object=False)
    for name in list_columns:
        df[name] = pd.Series(_lists(table.column(name)), index=df.index, dtype=object, copy=False)
    return df[table.column_names]
