"""Reading table folders with DuckDB: each stored (response, revision) exactly once.

Reading lists the folder and leaves out files whose rows are also elsewhere: the
journal's inputs when its part is listed, and main small files with a marker. A
listed file that vanishes before DuckDB reads it makes the query retry. So each
(response, revision) is read exactly once without a costly per-row dedupe; the
current revision is chosen by a join with the (few) responses that have several.

`responses` below is the folder holding one folder per table (``root/responses``).
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import duckdb
import pyarrow as pa

from survey._layout import MAIN_FILE, marker, read_journal, scan

READ_ATTEMPTS = 50


_duck: dict[int, duckdb.DuckDBPyConnection] = {}
_duck_lock = threading.Lock()


def connect() -> duckdb.DuckDBPyConnection:
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


@dataclass(frozen=True)
class Listing:
    parts: list[str]
    small: list[str]

    @property
    def files(self) -> list[str]:
        return self.parts + self.small


def listing(folder: Path, main: bool) -> Listing:
    """What a reader should scan: each stored row exactly once.

    1. List the folder. 2. If a compaction journal names a part that is in the
    listing, leave out that compaction's inputs (the part holds their rows;
    they are being deleted). 3. Main table: leave out small files with a
    `_committed` marker (already inside a part, or a losing duplicate whose
    name was reused), checked last because names can be reused once deleted.
    4. List again; if the parts changed, start over, so that the part holding
    a left-out file's rows is always in the listing. A listed file that is
    deleted before it is read makes the query fail and retry (see query).
    """
    small, parts = scan(folder)
    for _ in range(READ_ATTEMPTS):
        keep_small, keep_parts = small, parts
        journal = read_journal(folder)
        if journal and journal[0] in parts:
            replaced = set(journal[1])
            keep_small = [n for n in keep_small if n not in replaced]
            keep_parts = [n for n in keep_parts if n not in replaced]
        if main:
            live = []
            for name in keep_small:
                m = MAIN_FILE.fullmatch(name)
                if m and not marker(folder, m["rid"], int(m["rev"])).exists():
                    live.append(name)
            keep_small = live
        small2, parts2 = scan(folder)
        if set(parts2) == set(parts):
            return Listing([str(folder / n) for n in sorted(keep_parts)], [str(folder / n) for n in sorted(keep_small)])
        small, parts = small2, parts2
    raise RuntimeError(f"table {folder.name}: the folder keeps changing; cannot list it")


def query(responses: Path, build, tables: Mapping[str, bool]) -> pa.Table | None:
    """Run the SQL that `build` makes for the current listing of `tables`.

    `tables`: {name: is_main}. `build({table: Listing})` returns (sql, params),
    or None when there is nothing to read. A file that vanished between listing
    and reading (compaction) means: list again and retry.
    """
    last: Exception | None = None
    for attempt in range(READ_ATTEMPTS):
        built = build({t: listing(responses / t, main) for t, main in tables.items()})
        if built is None:
            return None
        sql, params = built
        params = {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}
        con = connect()
        try:
            return con.sql(sql, params=params).to_arrow_table()
        except duckdb.IOException as exc:
            last = exc
            time.sleep(min(0.001 * 2**attempt, 0.05))
        finally:
            con.close()
    raise RuntimeError(f"could not read {', '.join(tables)}: {last}")


def main_rows(responses: Path, table: str, history: bool, rid: str | None = None, count: bool = False) -> pa.Table | None:
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

    return query(responses, build, {table: True})


def repeat_rows(
    responses: Path, main: str, table: str, history: bool, rid: str | None = None, count: bool = False
) -> pa.Table | None:
    """Repeat-table rows of committed revisions (current ones unless `history`), unsorted.

    `main`: the main table the repeat table belongs to. Rows in parts always
    belong to a committed revision. A small file counts only when the main table
    has its (response, revision) with its token (the `_submitted_at` in its
    name): that leaves out a losing duplicate's rows and those of a submission
    that crashed before its main file was published.
    """
    where = "WHERE _response_id = $rid" if rid is not None else ""

    def build(listings):
        parents, listing = listings[main], listings[table]
        if not parents.files or not listing.files:
            return None
        params = {"parents": parents.files, **({"rid": rid} if rid is not None else {})}
        src = "read_parquet($parents, union_by_name = true)"
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

    return query(responses, build, {main: True, table: False})
