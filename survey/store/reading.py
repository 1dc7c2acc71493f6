"""Reading table folders with DuckDB: each stored (response, revision) exactly once.

Reading lists the folder and leaves out files whose rows are also elsewhere: the
journal's inputs when its part is listed, and main small files with a marker. A
listed file that vanishes before DuckDB reads it makes the query retry. So each
(response, revision) is read exactly once without a costly per-row dedupe; the
current revision is chosen by a join with the (few) responses that have several.

A file that cannot be read never takes the table down, and costs nothing while
there is none: only when DuckDB fails are the listed files examined (the ones its
message names first, then every footer, then every file in full) and the bad ones
left out and quarantined (survey.store.quarantine). Names that fit none of the table's
patterns are never read at all.

`responses` below is the folder holding one folder per table (``root/responses``).
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Mapping

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from survey.store.layout import MAIN_FILE, marker, read_journal, scan
from survey.store.quarantine import Quarantine

READ_ATTEMPTS = 50


_duck: dict[tuple[int, bool], duckdb.DuckDBPyConnection] = {}
_duck_lock = threading.Lock()
_thread = threading.local()


def one_core_for_this_thread() -> None:
    """DuckDB work of the calling thread runs on one core (background compaction: the
    other cores stay free for the submissions and pages it runs beside)."""
    _thread.one_core = True


COPY_MEMORY = "512MB"  # DuckDB's memory for a streamed copy (read_batches); its sort spills to disk past it
# DuckDB's memory for a compaction's merge and read-back: unlimited, rewriting a store of a
# million households in order peaked at 5.5 GB inside the app's process; with this, 1.5 GB.
MERGE_MEMORY = "1GB"


def connect(copying: bool = False, merging: bool = False) -> duckdb.DuckDBPyConnection:
    """A fresh cursor on this process's in-memory DuckDB database (nothing is stored in it).

    Opening a database costs tens of milliseconds, a cursor next to nothing; each
    call gets its own cursor, so threads never share one. A thread that asked for
    one core (one_core_for_this_thread) gets a database of its own with one thread, and a
    streamed copy of a table to a file (`copying`) one limited to COPY_MEMORY, a compaction
    (`merging`) one limited to MERGE_MEMORY; past their limits their sorts spill to disk.
    """
    one_core = getattr(_thread, "one_core", False)
    key = (os.getpid(), "copy" if copying else ("merge" if merging else "read", one_core))
    with _duck_lock:
        db = _duck.get(key)
        if db is None:
            config = {"threads": 1} if one_core else {}
            if copying:  # a database of its own, so its memory limit binds only the copies
                config = {"memory_limit": COPY_MEMORY, "preserve_insertion_order": False}
            elif merging:
                config = {**config, "memory_limit": MERGE_MEMORY}
            db = _duck[key] = duckdb.connect(config=config)
            db.execute("SET GLOBAL TimeZone = 'UTC'")
        return db.cursor()


@dataclass(frozen=True)
class Listing:
    parts: list[str]
    small: list[str]
    foreign: tuple[str, ...] = ()  # names (not paths) that are not the table's own files

    @property
    def files(self) -> list[str]:
        return self.parts + self.small


def listing(folder: Path, main: bool, skip: Collection[str] = ()) -> Listing:
    """What a reader should scan: each stored row exactly once.

    1. List the folder. 2. If a compaction journal names a part that is in the
    listing, leave out that compaction's inputs (the part holds their rows;
    they are being deleted). 3. Main table: leave out small files with a
    `_committed` marker (already inside a part, or a losing duplicate whose
    name was reused), checked last because names can be reused once deleted.
    4. List again; if the parts changed, start over, so that the part holding
    a left-out file's rows is always in the listing. A listed file that is
    deleted before it is read makes the query fail and retry (see query).
    `skip`: names known to be unreadable (left out of this read).
    """
    first = scan(folder, main)
    small, parts = first.small, first.parts
    for _ in range(READ_ATTEMPTS):
        keep_small, keep_parts = small, parts
        journal = read_journal(folder, main)
        if journal and journal.part in parts and not journal.ignored:  # a journal naming others' files is not ours
            replaced = set(journal.inputs)
            keep_small = [n for n in keep_small if n not in replaced]
            keep_parts = [n for n in keep_parts if n not in replaced]
        if main:
            live = []
            for name in keep_small:
                m = MAIN_FILE.fullmatch(name)
                if m and not marker(folder, m["rid"], int(m["rev"])).exists():
                    live.append(name)
            keep_small = live
        again = scan(folder, main)
        if set(again.parts) == set(parts):
            if skip:
                keep_parts = [n for n in keep_parts if n not in skip]
                keep_small = [n for n in keep_small if n not in skip]
            return Listing(
                [str(folder / n) for n in sorted(keep_parts)],
                [str(folder / n) for n in sorted(keep_small)],
                tuple(again.foreign),
            )
        small, parts = again.small, again.parts
    raise RuntimeError(f"table {folder.name}: the folder keeps changing; cannot list it")


@dataclass(frozen=True)
class CopyTo:
    """Where query() writes its rows instead of returning them: a Parquet file at `path`, rows
    ordered by `order`, only `columns` (all when empty), in row groups of `row_group_rows`.
    DuckDB streams the rows to the file (sorting spills to disk), so a table of millions of rows
    never stands whole in this process's memory."""

    path: str
    order: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    row_group_rows: int = 100_000

    def sql(self, body: str) -> str:
        quoted = self.path.replace("'", "''")
        # COLUMNS(lambda) keeps the asked-for columns the files have (older files may lack new ones)
        wanted = ", ".join("'" + c.replace("'", "''") + "'" for c in self.columns)
        select = f"COLUMNS(lambda c: list_contains([{wanted}], c))" if self.columns else "*"
        order = f" ORDER BY {', '.join(_quote(c) for c in self.order)}" if self.order else ""
        return (f"COPY (SELECT {select} FROM ({body}){order}) TO '{quoted}' "
                f"(FORMAT parquet, ROW_GROUP_SIZE {int(self.row_group_rows)})")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def query(
    responses: Path, build, tables: Mapping[str, bool],
    quarantine: Quarantine | None = None, schemas: Mapping[str, pa.Schema] | None = None,
    copy_to: CopyTo | None = None,
) -> pa.Table | None:
    """Run the SQL that `build` makes for the current listing of `tables`.

    `tables`: {name: is_main}. `build({table: Listing})` returns (sql, params),
    or None when there is nothing to read. A file that vanished between listing
    and reading (compaction) means: list again and retry. A file that cannot be
    read (or whose columns contradict `schemas`, {table: expected schema}) is
    left out, and moved to quarantine when `quarantine` is given. With `copy_to`
    the rows go to its file and the answer is a one-row table of their count (``n``).
    """
    last: Exception | None = None
    bad: dict[str, set[str]] = {t: set() for t in tables}
    unexplained = 0
    for attempt in range(READ_ATTEMPTS):
        listings = {t: listing(responses / t, main, bad[t]) for t, main in tables.items()}
        for t, found in listings.items():
            for name in found.foreign:
                if quarantine is not None:
                    quarantine.move(responses / t, name, "not a file of this table")
        built = build(listings)
        if built is None:
            return None
        sql, params = built
        params = {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}
        con = connect(copying=copy_to is not None)
        try:
            if copy_to is not None:
                written = con.execute(copy_to.sql(sql), params).fetchall()
                return pa.table({"n": [int(written[0][0]) if written else 0]})
            return con.sql(sql, params=params).to_arrow_table()
        except duckdb.Error as exc:
            last = exc
            files = [f for t in listings for f in listings[t].files]
            if any(not os.path.exists(f) for f in files):  # compaction removed one: list again
                time.sleep(min(0.001 * 2**attempt, 0.05))
                continue
            found_bad = find_unreadable(listings, str(exc), schemas or {})
            if not found_bad:
                unexplained += 1
                if unexplained > 2:  # no file is to blame: not something a retry mends
                    break
                time.sleep(min(0.001 * 2**attempt, 0.05))
                continue
            for path, reason in found_bad.items():
                table = Path(path).parent.name
                bad.setdefault(table, set()).add(Path(path).name)
                if quarantine is not None:
                    quarantine.move(Path(path).parent, Path(path).name, reason)
        finally:
            con.close()
    raise RuntimeError(f"could not read {', '.join(tables)}: {last}")


def find_unreadable(listings: Mapping[str, Listing], message: str, schemas: Mapping[str, pa.Schema]) -> dict[str, str]:
    """{path: reason} of the listed files that cannot be read, after DuckDB failed with `message`.

    Cheapest first: the files the message names, then every file's footer and
    columns, then every file read in full (corruption inside a data page).
    """
    tables = {path: t for t, found in listings.items() for path in found.files}
    named = [p for p in tables if p in message]
    found = {p: why for p in named if (why := file_problem(p, schemas.get(tables[p]), full=True))}
    if found:
        return found
    for full in (False, True):
        found = {p: why for p in tables if (why := file_problem(p, schemas.get(tables[p]), full=full))}
        if found:
            return found
    return {}


def file_problem(path: str, schema: pa.Schema | None = None, full: bool = True) -> str | None:
    """Why the Parquet file at `path` cannot be read as part of its table, or None.

    `schema`: the table's expected schema; a column whose stored type cannot be
    read as the expected one makes the file foreign. `full`: read every page too.
    A file that is gone is not a problem (compaction removed it).
    """
    try:
        if full:
            stored = pq.read_table(path).schema
        else:
            stored = pq.read_schema(path)
    except FileNotFoundError:
        return None
    except (OSError, pa.ArrowException, ValueError) as exc:
        if not os.path.exists(path):
            return None
        text = str(exc).replace(f"'{path}'", "").replace(path, "")
        return "unreadable: " + " ".join(text.split(". ")[0].split())[:120]
    if schema is not None:
        for f in stored:
            i = schema.get_field_index(f.name)
            if i >= 0 and not readable_as(f.type, schema.field(i).type):
                return f"column {f.name} is {f.type}, the table has {schema.field(i).type}"
        for key in ("_response_id", "_revision"):
            if key in schema.names and key not in stored.names:
                return f"no {key} column"
    return None


def readable_as(stored: pa.DataType, expected: pa.DataType) -> bool:
    """Can a column stored as `stored` be read (unified by DuckDB) as `expected`?"""
    t = pa.types
    if stored == expected or t.is_null(stored):
        return True
    if t.is_integer(stored):
        return t.is_integer(expected) or t.is_floating(expected)
    if t.is_floating(stored):
        return t.is_floating(expected)
    if t.is_string(stored) or t.is_large_string(stored) or t.is_string_view(stored):
        return t.is_string(expected) or t.is_large_string(expected) or t.is_string_view(expected)
    if t.is_list(stored) or t.is_large_list(stored):
        return (t.is_list(expected) or t.is_large_list(expected)) and readable_as(stored.value_type, expected.value_type)
    if t.is_timestamp(stored):
        return t.is_timestamp(expected)
    if t.is_date(stored):
        return t.is_date(expected)
    return False


def _only(rid: str | None, rids: Collection[str] | None) -> tuple[str, dict]:
    """The WHERE clause (and its parameters) that keeps one response, or a few."""
    if rid is not None:
        return "WHERE _response_id = $rid", {"rid": rid}
    if rids is not None:
        return "WHERE list_contains($rids, _response_id)", {"rids": sorted(rids)}
    return "", {}


def main_rows(
    responses: Path, table: str, history: bool, rid: str | None = None, count: bool = False,
    quarantine: Quarantine | None = None, schemas: Mapping[str, pa.Schema] | None = None,
    rids: Collection[str] | None = None, copy_to: CopyTo | None = None,
) -> pa.Table | None:
    """Main-table rows (current revisions, or all with `history`), unsorted (or written to `copy_to`);
    only those of response `rid`, or of the responses `rids`, when given."""
    where, only = _only(rid, rids)

    def build(listings):
        listing = listings[table]
        if not listing.files:
            return None
        params = {"files": listing.files, **only}
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

    return query(responses, build, {table: True}, quarantine, schemas, copy_to)


def repeat_rows(
    responses: Path, main: str, table: str, history: bool, rid: str | None = None, count: bool = False,
    quarantine: Quarantine | None = None, schemas: Mapping[str, pa.Schema] | None = None,
    rids: Collection[str] | None = None, copy_to: CopyTo | None = None,
) -> pa.Table | None:
    """Repeat-table rows of committed revisions (current ones unless `history`), unsorted
    (or written to `copy_to`).

    `main`: the main table the repeat table belongs to. Rows in parts belong to a
    committed revision, and count while its household row is readable (not
    quarantined; compaction then quarantines them too). A small file counts only when the main table
    has its (response, revision) with its token (the `_submitted_at` in its
    name): that leaves out a losing duplicate's rows and those of a submission
    that crashed before its main file was published.
    """
    where, only = _only(rid, rids)

    def build(listings):
        parents, listing = listings[main], listings[table]
        if not parents.files or not listing.files:
            return None
        params = {"parents": parents.files, **only}
        src = "read_parquet($parents, union_by_name = true)"
        branches = []
        if listing.parts:  # only with their household: a quarantined household's members are not read
            params["parts"] = listing.parts
            branches.append(
                f"SELECT p.* FROM (SELECT * FROM read_parquet($parts, union_by_name = true) {where}) p "
                f"SEMI JOIN (SELECT _response_id, _revision FROM {src} {where}) m "
                "ON p._response_id = m._response_id AND p._revision = m._revision"
            )
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
                f"{where.replace('WHERE', 'AND')} GROUP BY 1) "
                "SELECT r.* FROM r LEFT JOIN cur ON r._response_id = cur._response_id "
                "WHERE (cur.__current IS NULL AND r._revision = 1) OR r._revision = cur.__current"
            )
        if count:
            return f"SELECT count(*) AS n FROM ({body})", params
        return body, params

    return query(responses, build, {main: True, table: False}, quarantine, schemas, copy_to)
