"""A whole table read with pyarrow straight from its files: the fast path of a full read.

survey.store.reading reads through DuckDB: a SQL query over every listed file, unifying
their columns, choosing the current revisions by a join, and finding and quarantining the
files it cannot read. For the common case -- readable files of the table's own names --
the same rows come quicker from pyarrow: each file read in full (multi-threaded, no SQL),
shaped to the table's schema, and the rows chosen with the same rules as the SQL in
survey.store.reading (main_rows, repeat_rows), on a few arrays. Anything out of the common
case gives None and the caller reads through DuckDB as before: a file that cannot be read
or vanished (compaction), a name that is not the table's own, files whose columns differ
once shaped to the schema.

The rows come in file order; the caller sorts them (survey.store.frames.sorted_rows),
which costs little since compaction stores parts in the read's order.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from survey.store.frames import arrange
from survey.store.layout import REPEAT_FILE
from survey.store.reading import Listing, listing

KEYS = ["_response_id", "_revision"]

_STRINGS = "BYTE_ARRAY"   # Parquet's physical type of text (the storage's, not a question's type)
SEARCH_FROM = 500_000   # households from which _among sorts their ids instead of hashing them (is_in)


class Unusual(Exception):
    """Not the common case: read through DuckDB instead."""


def _read(paths: list[str], schema: pa.Schema, columns: list[str] | None = None,
          counts: list[int] | None = None) -> pa.Table | None:
    """The files' rows shaped to `schema` (only `columns` of it when given), one table in file
    order; None without files. `counts` gets each file's number of rows. Unusual when one cannot
    be read, their shapes differ or a key has a gap. Text (and select_multiple lists) stored with a
    dictionary keep it: frames.to_pandas makes the same frame from it."""
    if not paths:
        return None
    tables = []
    try:
        footers = [pq.read_metadata(path) for path in paths]
        encoded = _dictionary_columns(footers, schema, columns)
        for path in paths:
            table = pq.read_table(path, columns=columns, use_threads=True, read_dictionary=encoded or None)
            tables.append(arrange(table.select(columns) if columns is not None else table, schema))
            if counts is not None:
                counts.append(table.num_rows)
    except (OSError, pa.ArrowException, ValueError, KeyError) as exc:
        raise Unusual(str(exc)) from exc
    rows = _concat(tables, schema)
    if any(rows.column(k).null_count for k in KEYS):
        raise Unusual("a row without its key")
    return rows


def _concat(tables: list[pa.Table], schema: pa.Schema) -> pa.Table:
    """The tables one after the other; select_multiple columns kept as dictionary in some of them
    only are decoded in those. Unusual when their columns differ otherwise."""
    if len(tables) == 1:
        return tables[0]
    if any(not t.schema.equals(tables[0].schema) for t in tables[1:]):
        tables = [_decoded(t, schema) for t in tables]
        if any(not t.schema.equals(tables[0].schema) for t in tables[1:]):
            raise Unusual("files of different columns")
    return pa.concat_tables(tables)


def _decoded(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with its dictionary-encoded text (and lists of it) as the schema's text (and lists)."""
    for i, f in enumerate(table.schema):
        inner = f.type.value_type if pa.types.is_list(f.type) else f.type
        if pa.types.is_dictionary(inner) and f.name in schema.names:
            expected = schema.field(f.name)
            table = table.set_column(i, expected, table.column(i).cast(expected.type))
    return table


def _dictionary_columns(footers: list[pq.FileMetaData], schema: pa.Schema, columns: list[str] | None) -> list[str]:
    """The text and select_multiple columns (Parquet leaf paths) that every file stores with a small
    dictionary in every row group: read as dictionary, they skip building every value (2-4 times
    cheaper to decode; the text is taken from the dictionary once, by frames.to_pandas)."""
    wanted = {f.name for f in schema if f.name not in KEYS and (columns is None or f.name in columns) and (
        pa.types.is_string(f.type) or (pa.types.is_list(f.type) and pa.types.is_string(f.type.value_type)))}
    found: set[str] | None = None
    for footer in footers:
        ok: dict[str, bool] = {}
        for g in range(footer.num_row_groups):
            group = footer.row_group(g)
            for c in range(group.num_columns):
                chunk = group.column(c)
                path = chunk.path_in_schema
                top = path.split(".")[0]
                if top not in wanted or path not in (top, top + ".list.element"):
                    continue
                start = chunk.dictionary_page_offset
                size = chunk.total_compressed_size   # a dictionary of most of the chunk: values mostly distinct
                small = chunk.has_dictionary_page and start is not None and chunk.physical_type == _STRINGS \
                    and (2 * (chunk.data_page_offset - start) < size or size < 1 << 16)
                ok[path] = ok.get(path, True) and small
        mine = {path for path, good in ok.items() if good}
        found = mine if found is None else found & mine
    return sorted(found or ())


def _listing(responses: Path, table: str, main: bool) -> Listing:
    found = listing(responses / table, main)
    if found.foreign:
        raise Unusual("names that are not the table's own")
    return found


def _current(revisions: np.ndarray, rids: pa.ChunkedArray, source_rids: pa.ChunkedArray,
             source_revisions: np.ndarray, repeat: bool) -> np.ndarray | None:
    """Rows to keep (boolean) for the current revision of each response, as the SQL does:
    the responses with a revision > 1 in `source` (the main table's rows) keep only their
    latest one; the others keep all (a main table) or revision 1 (a repeat table). None: all."""
    revised = source_revisions > 1
    if not revised.any():
        return (revisions == 1) if repeat and (revisions != 1).any() else None
    latest: dict[str, int] = {}
    for rid, rev in zip(source_rids.filter(pa.array(revised)).to_pylist(), source_revisions[revised].tolist()):
        if rev > latest.get(rid, 0):
            latest[rid] = rev
    of_revised = pc.is_in(rids, value_set=pa.array(list(latest), pa.string())).to_numpy(zero_copy_only=False)
    keep = ~of_revised
    if repeat:
        keep &= revisions == 1
    candidates = np.flatnonzero(of_revised)
    for i, rid, rev in zip(candidates.tolist(), rids.take(pa.array(candidates)).to_pylist(),
                           revisions[candidates].tolist()):
        if latest[rid] == rev:
            keep[i] = True
    return keep


def main_table(responses: Path, table: str, history: bool, schema: pa.Schema) -> pa.Table | None:
    """The rows main_rows (survey.store.reading) gives, in file order: the current revisions unless `history`."""
    rows = _read(_listing(responses, table, True).files, schema)
    if rows is None or history:
        return rows
    revisions = rows.column("_revision").to_numpy()
    keep = _current(revisions, rows.column("_response_id"), rows.column("_response_id"), revisions, False)
    return _kept(rows, keep)


def repeat_table(responses: Path, main: str, table: str, history: bool,
                 schemas: Mapping[str, pa.Schema]) -> pa.Table | None:
    """The rows repeat_rows (survey.store.reading) gives, in file order: part rows whose
    (response, revision) the main table holds, small files whose token is their main row's
    `_submitted_at`; then the current revisions unless `history`."""
    parents, found = _listing(responses, main, True), _listing(responses, table, False)
    if not parents.files or not found.files:
        return None
    head_schema = pa.schema([schemas[main].field(name) for name in ("_response_id", "_revision", "_submitted_at")])
    heads = _read(parents.files, head_schema, head_schema.names)
    head_revisions = heads.column("_revision").to_numpy()
    head_rids = heads.column("_response_id")
    pieces = []
    parts = _read(found.parts, schemas[table])
    if parts is not None:
        pieces.append(_kept(parts, _held(parts, head_rids, head_revisions)))
    if found.small:
        counts: list[int] = []
        small = _read(found.small, schemas[table], counts=counts)
        pieces.append(_kept(small, _tokens_match(small, found.small, counts, heads)))
    rows = _concat(pieces, schemas[table])
    if history:
        return rows
    keep = _current(rows.column("_revision").to_numpy(), rows.column("_response_id"), head_rids, head_revisions, True)
    return _kept(rows, keep)


def _kept(rows: pa.Table, keep: np.ndarray | None) -> pa.Table:
    """The rows where `keep` (all without it); no copy when every row is kept."""
    return rows if keep is None or keep.all() else rows.filter(pa.array(keep))


def _held(rows: pa.Table, head_rids: pa.ChunkedArray, head_revisions: np.ndarray) -> np.ndarray:
    """Which rows' (response, revision) the main table holds (a semi join)."""
    revisions = rows.column("_revision").to_numpy()
    rids = rows.column("_response_id")
    first = head_revisions == 1
    firsts = head_rids if first.all() else head_rids.filter(pa.array(first))   # usually all: no copy of the keys
    held = _among(rids, firsts)
    held &= revisions == 1
    later = np.flatnonzero(revisions != 1)
    if len(later):
        pairs = set(zip(head_rids.filter(pa.array(~first)).to_pylist(), head_revisions[~first].tolist()))
        for i, rid, rev in zip(later.tolist(), rids.take(pa.array(later)).to_pylist(), revisions[later].tolist()):
            held[i] = (rid, rev) in pairs
    return held


def _among(rids: pa.ChunkedArray, heads: pa.ChunkedArray) -> np.ndarray:
    """Whether each of `rids` is one of `heads` (a writable boolean array), as pc.is_in says.

    is_in hashes every head's id, which past a few hundred thousand misses the caches (a million
    households: 0.4-0.7 s). A part's rows come in id order (compaction writes them so), so each id
    is looked for once, by a binary search among the heads' ids sorted; when the ids are the
    sorted heads' one for one (every household has rows: the usual case) not even that. Sorting
    costs about what hashing does for ids in random order, much less for ids that follow the
    submission order (0.15 s for the bulk generator's million)."""
    n = len(rids)
    if len(heads) < SEARCH_FROM or n < 2 or rids.null_count or heads.null_count \
            or not pc.all(pc.less_equal(rids.slice(0, n - 1), rids.slice(1))).as_py():
        return pc.is_in(rids, value_set=heads).to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(np.r_[True, pc.not_equal(rids.slice(0, n - 1), rids.slice(1)).to_numpy(
        zero_copy_only=False)])
    ids = rids.take(pa.array(starts)).combine_chunks()
    lengths = np.diff(np.r_[starts, n])
    ordered = heads.take(pc.sort_indices(heads)).combine_chunks()
    if len(ordered) == 0:
        return np.zeros(n, dtype=bool)
    if len(ordered) == len(ids) and pc.all(pc.equal(ordered, ids)).as_py():
        return np.ones(n, dtype=bool)
    at = pc.search_sorted(ordered, ids).to_numpy().astype(np.int64)
    inside = at < len(ordered)
    found = inside & pc.equal(ordered.take(pa.array(np.where(inside, at, 0))), ids).to_numpy(zero_copy_only=False)
    return np.repeat(found, lengths)


def _tokens_match(rows: pa.Table, paths: list[str], counts: list[int], heads: pa.Table) -> np.ndarray:
    """Which small-file rows (`counts` rows from each of `paths`, in that order) belong to a
    stored main row whose `_submitted_at` (in microseconds) is their file's token."""
    names = [REPEAT_FILE.fullmatch(os.path.basename(p)) for p in paths]
    if any(m is None for m in names):
        raise Unusual("not a repeat file")
    rids = pa.array(sorted({m["rid"] for m in names}), pa.string())
    mine = heads.filter(pc.is_in(heads.column("_response_id"), value_set=rids))
    at = pc.cast(pc.cast(mine.column("_submitted_at"), pa.timestamp("us", tz="UTC")), pa.int64())
    stored = set(zip(mine.column("_response_id").to_pylist(), mine.column("_revision").to_pylist(), at.to_pylist()))
    tokens = np.repeat([int(m["tok"]) for m in names], counts).tolist()
    keep = [(rid, rev, tok) in stored for rid, rev, tok in zip(
        rows.column("_response_id").to_pylist(), rows.column("_revision").to_pylist(), tokens)]
    return np.array(keep, dtype=bool)


def whole(responses: Path, instrument_id: str, table: str, history: bool,
          schemas: Mapping[str, pa.Schema]) -> pa.Table | None:
    """The rows of `table` (main_rows or repeat_rows of survey.store.reading, unsorted); None
    without rows. Raises Unusual outside the common case (read through DuckDB then)."""
    if table == instrument_id:
        return main_table(responses, table, history, schemas[table])
    return repeat_table(responses, instrument_id, table, history, schemas)
