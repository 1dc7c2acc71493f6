"""The response store: validated answers -> Parquet files that are never lost or doubled.

ResponseStore is the public API: submit, revise, set_status, read, history,
count, tables, compact. It keeps one folder per table under ``root/responses``.
The class is put together from mixins, one topic each, over small modules:

    survey.store.response_store  this module: the folders, reading and compaction
    survey.store.catalogue       the questionnaires: instrument(), instrument_ids(), tables(), versions kept
    survey.store.writing         submit, revise, set_status
    survey.store.commit          how a write stays crash-safe (the commit protocol: read it first)
    survey.store.inputs          the checks of ids, notes, times and people
    survey.store.receipts        Receipt, ConflictError, UnknownResponse
    survey.store.layout          the names of a table folder's files, markers and journal
    survey.store.durable         crash-safe file primitives (temp, fsync, publish, unlink)
    survey.store.reading         DuckDB reads that see each (response, revision) once
    survey.store.compaction      merging small files into parts, and recovering from a crash
    survey.store.frames          Arrow rows sorted, shaped to a schema, converted to pandas

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
  compaction collected meanwhile, before and after its commit (survey.store.commit).
- A full disk is a StorageFull (an OSError with errno ENOSPC), and leaves nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from survey.fieldwork.audit_log import AuditLog
from survey.questionnaire.model import INSTRUMENT_DIR, Instrument
from survey.questionnaire.schema import STATUSES
from survey.store import arrow_read
from survey.store import quarantine as _quarantine
from survey.store.background import Compactor
from survey.store.catalogue import Catalogue
from survey.store.commit import Commit
from survey.store.compaction import compact_table
from survey.store.durable import StorageFull, fsync_dir, storage_error
from survey.store.frames import arrange, sorted_frame, sorted_rows, to_pandas
from survey.store.inputs import MAX_NOTE_LENGTH, check_instrument_id, check_response_id
from survey.store.layout import HIDDEN, JOURNAL, scan
from survey.store.part_keys import PartKeys
from survey.store.quarantine import Quarantine
from survey.store.read_cache import MAIN_ORDER, REPEAT_ORDER, ReadCache
from survey.store.reading import CopyTo, main_rows, repeat_rows
from survey.store.receipts import ConflictError, Receipt, UnknownResponse
from survey.store.versions import IncompatibleInstrument, TypeChange, VersionRegistry
from survey.store.writing import Writing

__all__ = [
    "ConflictError", "IncompatibleInstrument", "Receipt", "ResponseStore", "StorageFull", "UnknownResponse",
    "STATUSES", "MAX_NOTE_LENGTH",
]

log = logging.getLogger(__name__)


class ResponseStore(Catalogue, Writing, Commit):
    """Parquet store of responses under ``root/responses/<table>/``.

    `instruments_dir`: where the instruments' YAML files are (default: the
    package's survey/instruments); the attribute is always the folder in use, so
    that everything listing or loading questionnaires for this store looks there
    (instrument_ids()). `compact_threshold`: after a submit, a table
    with more small files than this is compacted in the background (skipped
    while another compactor is busy with it). `part_bytes`: parts smaller than this are merged again by
    later compactions. `orphan_seconds`: temp files and repeat files of submissions
    that never committed are deleted by compaction once they are this old.
    A submit never waits for compaction: it is requested after the acknowledgement
    and runs in a background thread (wait_for_compaction() waits for it).
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
        self.instruments_dir = Path(instruments_dir) if instruments_dir is not None else INSTRUMENT_DIR
        self.compact_threshold = compact_threshold
        self.part_bytes = part_bytes
        self.orphan_seconds = orphan_seconds
        self._known_folders: set[str] = set()
        self.audit = AuditLog(self.root) if audit else None
        # The store's own parts call it back weakly: a store let go of is freed at once, with the reads it
        # keeps (GBs for a million households), not at some later garbage collection.
        self.quarantine = Quarantine(self.audit, moved=_weakly(self._after_quarantine))
        self._due: set[str] = set()  # tables to compact at once (roster rows of a quarantined household)
        # the questionnaire side (survey.store.catalogue)
        self.versions = VersionRegistry(self.root)
        self._sources: dict[str, tuple[tuple, Any]] = {}  # id -> (file stat, (Instrument, bytes) or error)
        self._changes_cache: dict[tuple, list[TypeChange]] = {}
        self._reading_cache: dict[tuple, tuple[Instrument, dict[str, pa.Schema]]] = {}
        self._kept: set[tuple[str, str]] = set()  # (instrument id, sha256) with a stored copy
        self._lock = threading.Lock()
        self._compactor = Compactor(_weakly(self._compact_if_due))
        self._reads = ReadCache()  # the last read of each table, brought up to date (survey.store.read_cache)
        self._part_keys = PartKeys()  # which (response, revision) each part holds, for the submits' check

    def __repr__(self) -> str:
        return f"ResponseStore({str(self.root)!r})"

    # ------------------------------------------------------------------ folders and files

    def table_folder(self, table: str) -> Path:
        """The folder of one table's files (it may not exist yet)."""
        return self.responses / table

    def _ensure_folder(self, table: str) -> Path:
        folder = self.table_folder(table)
        if table not in self._known_folders:
            missing = [p for p in (self.root, self.responses, folder) if not p.is_dir()]
            self.root.mkdir(parents=True, exist_ok=True)
            for path in (self.responses, folder):   # answers hold names and phones: the owner's only
                path.mkdir(exist_ok=True, mode=0o700)
            for path in missing:  # make the new folders themselves durable
                fsync_dir(path.parent)
            self._known_folders.add(table)
        return folder

    def table_folders(self) -> list[str]:
        """The names of the folders under ``root/responses`` (a table's once it has stored files)."""
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
        for table in self.table_folders():
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
        return {table: _quarantine.count(self.table_folder(table)) for table in self.table_folders()}

    # ------------------------------------------------------------------ reading

    def read(self, table: str, history: bool = False) -> pd.DataFrame:
        """One table as a DataFrame: the current revision of each response.

        `history=True`: every stored revision. Repeat tables return the rows of
        their parent's current revision (every revision's rows with history).
        Columns: metadata, the current instrument's questions in form order (null
        where older files lack them), then columns found only in older versions.
        Main tables come in the order of ``_submitted_at, _response_id, _revision``,
        repeat tables of ``_response_id, _revision, _member_index``.
        A table read before is read again only for the responses that changed since
        (survey.store.read_cache).
        """
        instrument_id, main, schemas = self.table_owner(table)
        order = MAIN_ORDER if main else REPEAT_ORDER
        folders = {table: (self.table_folder(table), main)}
        if not main:
            folders[instrument_id] = (self.table_folder(instrument_id), True)

        def rows(rids=None):
            try:  # a whole read comes straight from the files when they are as usual
                if rids is not None:
                    raise arrow_read.Unusual("a few responses")
                found = arrow_read.whole(self.responses, instrument_id, table, history, schemas)
            except arrow_read.Unusual:
                if main:
                    found = self._main_rows(table, history, schemas, rids=rids)
                else:
                    found = self._repeat_rows(instrument_id, table, history, schemas, rids=rids)
            return sorted_frame(arrange(found, schemas[table]), order)

        return self._reads.read((table, history), folders, schemas[table], order, rows, rows)

    def read_batches(self, table: str, batch_rows: int = 50_000,
                     columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """read(table) in pieces of at most `batch_rows` rows, same order and dtypes, without
        ever holding the whole table: DuckDB writes the current rows, sorted, to a private
        temporary Parquet file, which is read one piece at a time and deleted at the end.
        `columns`: only these (metadata and questions; ones no stored file has come back empty).
        """
        schema = self.table_owner(table)[2][table]
        if columns is not None:
            schema = pa.schema([f for f in schema if f.name in set(columns)])
        with tempfile.TemporaryDirectory(prefix="survey-read-") as folder:  # mode 0700: identified rows
            path = self.copy_current(table, Path(folder) / "rows.parquet", schema.names, max(1, batch_rows))
            if path is None:
                return
            for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows):
                rows = arrange(pa.Table.from_batches([batch]), schema)
                yield to_pandas(rows.select(schema.names) if columns is not None else rows)

    def read_columns(self, table: str, columns: list[str]) -> pd.DataFrame:
        """read(table)[columns] (those the table has), gathered from read_batches: only those
        columns are ever held, never the whole table."""
        parts = list(self.read_batches(table, columns=columns))
        if parts:
            return pd.concat(parts, ignore_index=True)
        schema = self.table_owner(table)[2][table]
        return to_pandas(schema.empty_table()).loc[:, [c for c in schema.names if c in set(columns)]]

    def copy_current(self, table: str, path: str | Path, columns: list[str] | None = None,
                     row_group_rows: int = 100_000, ordered: bool = True) -> Path | None:
        """Write the current rows of `table` (as read() gives them: latest revisions) to a Parquet
        file at `path`, with only `columns` and the row keys; DuckDB streams them there, so no row
        passes through pandas or this process's memory.  Returns the path, None without rows.
        Out-of-core analysis (analysis.tables.out_of_core) reads such copies.  `ordered=False`
        writes the rows in no particular order, without the sort (for readers that group them)."""
        instrument_id, main, schemas = self.table_owner(table)
        keys = MAIN_ORDER if main else REPEAT_ORDER
        names = schemas[table].names if columns is None else [c for c in schemas[table].names if c in set(columns)]
        copy = CopyTo(str(path), tuple(keys) if ordered else (), tuple(dict.fromkeys([*keys, *names])), row_group_rows)
        if main:
            written = self._main_rows(table, False, schemas, copy_to=copy)
        else:
            written = self._repeat_rows(instrument_id, table, False, schemas, copy_to=copy)
        if written is None or written.column("n")[0].as_py() == 0:
            return None
        return Path(path)

    def count(self, table: str) -> int:
        """Number of rows read(table) would return."""
        instrument_id, main, schemas = self.table_owner(table)
        if main:
            rows = self._main_rows(table, False, schemas, count=True)
        else:
            rows = self._repeat_rows(instrument_id, table, False, schemas, count=True)
        return 0 if rows is None else int(rows.column("n")[0].as_py())

    def _main_rows(self, table: str, history: bool, schemas=None, rid: str | None = None, count: bool = False,
                   rids=None, copy_to: CopyTo | None = None):
        if schemas is None:
            schemas = self._reading(table)[1]
        return main_rows(self.responses, table, history, rid=rid, count=count, quarantine=self.quarantine,
                         schemas=schemas, rids=rids, copy_to=copy_to)

    def _repeat_rows(self, instrument_id: str, table: str, history: bool, schemas=None, rid: str | None = None,
                     count: bool = False, rids=None, copy_to: CopyTo | None = None):
        if schemas is None:
            schemas = self._reading(instrument_id)[1]
        return repeat_rows(self.responses, instrument_id, table, history, rid=rid, count=count,
                           quarantine=self.quarantine, schemas=schemas, rids=rids, copy_to=copy_to)

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

    # ------------------------------------------------------------------ compaction

    def _auto_compact(self, tables: list[str]) -> None:
        """After an acknowledged write: compaction of `tables` in the background (survey.store.background)."""
        self._compactor.request(tables, keep=self)

    def _compact_if_due(self, table: str) -> None:
        instrument_id, main, _ = self.table_owner(table)
        due = table in self._due
        if due or len(scan(self.table_folder(table), main).small) > self.compact_threshold:
            self._due.discard(table)
            self.compact(table, wait=due, tiered=True)  # a sweep that is due waits for a running compaction

    def _after_quarantine(self, folder, name: str) -> None:
        """A household file went to quarantine: its members in the roster parts are set aside
        soon after (compaction of the repeat tables), before a resubmission could pair with them."""
        if folder.parent != self.responses or not name.endswith(".parquet"):
            return
        try:
            instrument_id, main, schemas = self.table_owner(folder.name)
        except ValueError:
            return
        if main:
            repeats = [t for t in schemas if t != instrument_id]
            self._due.update(repeats)
            self._compactor.request(repeats, keep=self)

    def wait_for_compaction(self, timeout: float | None = None) -> bool:
        """Wait until the background compactions requested by this store's writes have run.

        False when `timeout` (seconds) passed first. compact() compacts at once instead.
        """
        return self._compactor.wait(timeout)

    def compact(self, table: str | None = None, wait: bool = True, tiered: bool = False) -> dict[str, int]:
        """Merge small files into parts. Returns {table: number of files merged}.

        `table=None`: every table of every instrument. `wait=False`: skip a table
        whose compaction is running in another thread or process. StorageFull when
        the disk is full: what could be deleted has been, the rest waits for space.
        `tiered` (the background compaction after submits): merge small parts only with
        comparable ones (survey.store.compaction), not every small part every time.
        """
        names = [table] if table is not None else [t for t in self.tables() if self.table_folder(t).is_dir()]
        done, failed = {}, None
        for name in names:
            instrument_id, main, schemas = self.table_owner(name)
            done[name] = 0
            if not self.table_folder(name).is_dir():
                continue
            try:
                # a new main part's (response, revision) pairs are read here, not by the next submits
                done[name] = compact_table(self.table_folder(name), None if main else instrument_id, wait,
                                           self.part_bytes, self.orphan_seconds, self.quarantine, schemas,
                                           tiered=tiered, merged=self._part_keys.load if main else None)
            except OSError as exc:  # go on: the other tables may still free space
                failed = failed or exc
        if failed is not None:
            raise storage_error(failed) from failed
        return done


def _weakly(method: Callable) -> Callable:
    """`method` called through a weak reference to its object (nothing once that is gone)."""
    ref = weakref.WeakMethod(method)

    def call(*args):
        bound = ref()
        return None if bound is None else bound(*args)
    return call
