"""Compaction: merging a table's small files into parts, never losing or doubling a row.

Compaction (one per table at a time: ``flock`` on ``.lock``) writes the journal,
merges small files and small parts into one ``part-<uuid>.parquet`` (temp, fsync,
rename, folder fsync), writes the markers, deletes the merged files, then the
journal. An input is deleted only when the part, read back, holds every one of its
rows; a second copy of a row goes to quarantine instead, and a household and its
members always come from the same copy. An interrupted compaction is finished by
the next one, which checks the journal's names and reads the part back the same
way; old temp files and repeat files of submissions that never committed are collected.
Files that cannot be read are quarantined (survey.store.quarantine), never merged.

Parts are written in the order a read returns rows, and say so in their footer (ORDER_FLAG);
a part without it (written before, or by a bulk load) is rewritten in order by the next compaction,
explicit or in the background, once, by the same merge (journal, read back, then delete).

Readers (survey.store.reading) rely on the journal and the markers to read each row
once while a compaction runs; survey.store.response_store decides when to compact.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Mapping

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from survey.store.durable import (
    fsync_dir,
    fsync_file,
    is_full,
    old_temps,
    replace_with_json,
    storage_error,
    temp_path,
    unlink,
)
from survey.store.layout import (
    COMMITTED,
    JOURNAL,
    LOCK,
    MAIN_FILE,
    PART,
    QUARANTINE,
    REPEAT_FILE,
    marker,
    read_journal,
    scan,
)
from survey.store.quarantine import Quarantine
from survey.store.read_cache import MAIN_ORDER, REPEAT_ORDER
from survey.store.reading import READ_ATTEMPTS, Listing, connect, file_problem, find_unreadable, query

log = logging.getLogger(__name__)

_MAIN_KEY = "_response_id, _revision"
_REPEAT_KEY = "_response_id, _revision, _member_index"
# Parts are stored in the order a read returns rows, so that reading one needs no sort
# (survey.store.frames.sorted_rows).
_ORDER = {_MAIN_KEY: ", ".join(MAIN_ORDER), _REPEAT_KEY: ", ".join(REPEAT_ORDER)}
# A part written in that order says so in its footer (key-value metadata): a compaction rewrites once
# the parts without it (written before, or by a bulk load), so that an old store's reads become fast too.
ORDER_FLAG = b"survey_order"


def compact_table(
    folder: Path, parent: str | None, wait: bool, part_bytes: int, orphan_seconds: float,
    quarantine: Quarantine | None = None, schemas: Mapping[str, pa.Schema] | None = None,
    tiered: bool = False, merged: Callable[[Path], None] | None = None,
) -> int:
    """Compact one table's folder; return the number of files merged.

    `parent`: None for a main table; for a repeat table, its main table (a sibling
    folder). `wait=False`: return 0 at once when another thread or process is
    compacting this table. `part_bytes`: parts smaller than this are merged again.
    `orphan_seconds`: age after which temp files and repeat files of submissions
    that never committed are deleted. Files that cannot be read, or are not the
    table's own, are moved to quarantine (with `quarantine`) and never merged.
    `schemas`: {table: expected schema}, to tell files with foreign columns.
    `tiered`: merge a small part only with about as many rows or more (see _parts_to_merge),
    not every small part every time. `merged(part)`: called with each new part's path.

    Old temp files are deleted first, so that a full disk gets space back before
    the merge needs some. A file is deleted only when every one of its rows was
    read back from the merged part; a second copy of a row (a marker that was
    lost, a writer stopped before removing its losing file) goes to quarantine.
    """
    with table_lock(folder, wait) as locked:
        if not locked:
            return 0
        main = parent is None
        _recover(folder, main, quarantine)
        found = scan(folder, main)
        if quarantine is not None:
            for name in found.foreign:
                quarantine.move(folder, name, "not a file of this table")
        orphans: list[tuple[str, str, int]] = []
        if main:
            merge_names, aside = _main_inputs(folder, found.small, quarantine, schemas)
        else:
            merge_names, aside, orphans = _repeat_inputs(folder, found.small, parent, orphan_seconds,
                                                         quarantine, schemas)
        for name, why in aside:  # never deleted: rows no part will hold
            _set_aside(folder, name, why, quarantine)
        drop = [p.name for p in old_temps(folder, orphan_seconds)]
        for name in drop:
            unlink(folder / name)
        for name, rid, rev in orphans:
            _collect_orphan(folder, name, folder.parent / parent, rid, rev, quarantine)
        if drop or orphans or aside:
            fsync_dir(folder)
        small_parts = _small_parts(folder, found.parts, part_bytes)
        footers = _footers(folder, found.parts)   # read once: the tiers' sizes and the parts' order flag
        if tiered:
            small_parts = _parts_to_merge(footers, small_parts, len(merge_names))
        inputs = merge_names + (small_parts if merge_names or len(small_parts) > 1 else [])
        key = _MAIN_KEY if main else _REPEAT_KEY
        inputs += [n for n in unordered_parts(footers, key) if n not in inputs]  # once: rewritten in order
        orphaned = {} if main else orphan_rows(folder, parent, quarantine, schemas)
        inputs += [n for n in sorted(orphaned) if n not in inputs]  # merged again without those rows
        leave_out = sorted({pair for pairs in orphaned.values() for pair in pairs})
        if not inputs:
            return 0
        for attempt in range(READ_ATTEMPTS):
            inputs = [n for n in inputs if (folder / n).exists()]
            if not inputs:
                return 0
            try:
                part = merge(folder, inputs, key, leave_out)
                if merged is not None:
                    merged(folder / part)
                break
            except duckdb.Error as exc:
                if is_full(exc):
                    raise storage_error(exc) from exc
                listed = Listing([str(folder / n) for n in inputs if n.startswith(PART)],
                                 [str(folder / n) for n in inputs if not n.startswith(PART)])
                bad = find_unreadable({folder.name: listed}, str(exc), schemas or {})
                if not bad and all((folder / n).exists() for n in inputs):
                    raise
                for path in bad:
                    name = Path(path).name
                    inputs.remove(name)
                    if quarantine is not None:
                        quarantine.move(folder, name, bad[path])
        else:
            raise RuntimeError(f"table {folder.name}: compaction could not read its inputs")
        held = _contained(folder, part, inputs)
        if held is None:  # the journal stays: readers read the part, the next compaction finishes it
            return 0
        why = {n: f"{len(orphaned[n])} roster row(s) whose household is not readable" for n in orphaned}
        _finish(folder, main, inputs, quarantine=quarantine, held=held, why=why)
        return len(inputs)


@contextmanager
def table_lock(folder: Path, wait: bool) -> Iterator[bool]:
    """The table's compaction lock (a flock on its lock file); yields False when taken and not waiting."""
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
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


def _recover(folder: Path, main: bool, quarantine: Quarantine | None) -> None:
    """Finish (or undo) a compaction that was interrupted; called under the lock.

    The journal is not trusted blindly: only names that fit the table's own
    patterns are considered, and an input is deleted only when the part holds
    every one of its rows. A journal with other names is moved to quarantine.
    """
    path = folder / JOURNAL
    if not path.exists():
        return
    journal = read_journal(folder, main)
    if journal is not None and (folder / journal.part).exists():
        inputs = [n for n in journal.inputs if (folder / n).exists() and n != journal.part]
        held = _contained(folder, journal.part, inputs)
        keys = _contained(folder, journal.part, inputs, _MAIN_KEY if main else _REPEAT_KEY)
        if held is None or keys is None:  # cannot tell yet: the journal stays, so readers read the part only
            return
        # An input whose every key the part holds, but not every row, is a copy the merge
        # left out (quarantine); one with keys the part lacks is an only copy: it stays.
        copies = [n for n in keys if n not in held]
        _finish(folder, main, held + copies, keep_journal=True, quarantine=quarantine, held=held)
    if journal is None or journal.ignored:
        why = "names files that are not this table's: " + ", ".join(journal.ignored[:5]) if journal else "not a journal"
        if quarantine is not None and quarantine.move(folder, JOURNAL, why) is not None:
            return
        log.warning("ignored compaction journal of %s: %s", folder.name, why)
    unlink(path)
    fsync_dir(folder)


def _contained(folder: Path, part: str, inputs: list[str], key: str | None = None) -> list[str] | None:
    """The inputs every row of which `part` holds, read back from the disk (None: cannot tell).

    Rows are compared whole (a hash of every column, read together so that their
    types are unified), so a second copy of a row that the merge left out is
    never taken for merged; with `key` (column names), only those columns.
    """
    present = [n for n in inputs if (folder / n).exists() and n != part]
    if not present:
        return []
    con = connect(merging=True)
    try:
        missing = con.execute(
            f"WITH r AS (SELECT filename AS __file, hash({key or '*COLUMNS(* EXCLUDE (filename))'}) AS __row "
            "FROM read_parquet($files, union_by_name = true, filename = true)) "
            "SELECT DISTINCT s.__file FROM r s WHERE s.__file <> $part "
            "AND NOT EXISTS (SELECT 1 FROM r p WHERE p.__file = $part AND p.__row = s.__row)",
            {"files": [str(folder / n) for n in present] + [str(folder / part)], "part": str(folder / part)},
        ).fetchall()
    except duckdb.Error:
        log.warning("could not read back the compaction of %s; its inputs are kept", folder.name)
        return None
    finally:
        con.close()
    lacking = {Path(row[0]).name for row in missing}
    return [n for n in present if n not in lacking]


def _set_aside(folder: Path, name: str, why: str, quarantine: Quarantine | None) -> None:
    """Move a file whose rows no part is to hold to quarantine (kept in place without one)."""
    if quarantine is not None:
        quarantine.move(folder, name, why)
    else:
        log.warning("kept %s/%s: %s", folder.name, name, why)


def _held(folder: Path, pairs: set[tuple[str, int]], main: bool,
          quarantine: Quarantine | None, schemas: Mapping[str, pa.Schema] | None) -> set[tuple[str, int]]:
    """The (response, revision) pairs among `pairs` that a part of this table already holds."""
    if not pairs:
        return set()
    rids = sorted({rid for rid, _ in pairs})

    def build(listings):
        parts = listings[folder.name].parts
        if not parts:
            return None
        return ("SELECT DISTINCT _response_id, _revision FROM read_parquet($parts, union_by_name = true) "
                "WHERE _response_id IN (SELECT unnest($rids))"), {"parts": parts, "rids": rids}

    rows = query(folder.parent, build, {folder.name: main}, quarantine, schemas)
    found = set() if rows is None else {(r["_response_id"], r["_revision"]) for r in rows.to_pylist()}
    return found & pairs


def _main_inputs(folder: Path, small: list[str], quarantine: Quarantine | None,
                 schemas: Mapping[str, pa.Schema] | None) -> tuple[list[str], list[tuple[str, str]]]:
    """(to merge, to set aside with why) among a main table's small files.

    A small file whose (response, revision) a part already holds is a second copy
    (a writer that lost the race and was stopped before removing its file, or a
    copy stored while a marker was lost): it goes to quarantine, never into a
    part. Every other one is merged, whether or not a marker says it is in a part
    (a stray marker must not make compaction delete the only copy).
    """
    files = {name: (m["rid"], int(m["rev"])) for name in small if (m := MAIN_FILE.fullmatch(name))}
    held = _held(folder, set(files.values()), True, quarantine, schemas)
    merge_names, aside = [], []
    for name, pair in sorted(files.items()):
        if pair in held:
            aside.append((name, "a second copy of a row that a part holds"))
        else:
            merge_names.append(name)
    return merge_names, aside


def _repeat_inputs(
    folder: Path, small: list[str], parent: str, orphan_seconds: float,
    quarantine: Quarantine | None, schemas: Mapping[str, pa.Schema] | None,
) -> tuple[list[str], list[str], list[tuple[str, str, int]]]:
    """(to merge, to set aside with why, orphans) among a repeat table's small files.

    A file is merged when its (response, revision, token) is committed in the
    parent's main table (the first stored copy, when there are two) and no part
    holds rows of that (response, revision) yet; set aside when another copy
    is the one kept, and an orphan (rid, rev given) when it never committed and is older than
    `orphan_seconds` -- see _collect_orphan for why it is not simply deleted.
    """
    files = {}
    for name in small:
        m = REPEAT_FILE.fullmatch(name)
        if m:
            files[name] = (m["rid"], int(m["rev"]), int(m["tok"]))
    committed: dict[tuple[str, int], int] = {}
    if files:
        rids = sorted({rid for rid, _, _ in files.values()})

        def build(listings):
            if not listings[parent].files:
                return None
            return (
                "SELECT DISTINCT _response_id, _revision, epoch_us(_submitted_at) AS tok "
                "FROM read_parquet($files, union_by_name = true) WHERE _response_id IN (SELECT unnest($rids))"
            ), {"files": listings[parent].files, "rids": rids}

        rows = query(folder.parent, build, {parent: True}, quarantine, schemas)
        if rows is not None:
            for row in rows.to_pylist():  # two copies of a row: the first stored is the one kept
                pair = (row["_response_id"], row["_revision"])
                committed[pair] = min(row["tok"], committed.get(pair, row["tok"]))
    held = _held(folder, {(rid, rev) for rid, rev, tok in files.values() if committed.get((rid, rev)) == tok},
                 False, quarantine, schemas)
    cutoff = time.time() - orphan_seconds
    merge_names, aside, orphans = [], [], []
    for name, (rid, rev, tok) in sorted(files.items()):
        owner = committed.get((rid, rev))
        if owner == tok and (rid, rev) in held:
            aside.append((name, "a second roster of a household whose roster a part holds"))
        elif owner == tok:
            merge_names.append(name)
        elif owner is not None:  # another copy of its household is the one kept: never visible
            aside.append((name, "the roster of a household copy that is not the one kept"))
        else:
            try:  # not committed (yet): an in-flight submission, or a crash's leftover
                if (folder / name).stat().st_mtime < cutoff:
                    orphans.append((name, rid, rev))
            except FileNotFoundError:
                pass
    return merge_names, aside, orphans


def _collect_orphan(folder: Path, name: str, parent: Path, rid: str, rev: int, quarantine: Quarantine | None) -> None:
    """Delete a repeat file whose main row never committed -- unless it commits meanwhile.

    A writer may only be slow (a laptop suspended mid-submit) and commit its main
    row after all. The file is first renamed to a hidden name (it is no longer
    visible), then the main row is looked for: found, the file is put back; not
    found, it is deleted. The writer, after committing, checks that its repeat
    files exist and writes any missing one again (survey.store.commit), so whichever
    order the two take, a committed main row keeps its rows. When the main file
    was quarantined (unreadable), the repeat file joins it there instead.
    """
    hidden = temp_path(folder, ".parquet")
    try:
        os.rename(folder / name, hidden)
    except FileNotFoundError:
        return
    if (parent / f"{rid}__r{rev}.parquet").exists() or marker(parent, rid, rev).exists():
        os.rename(hidden, folder / name)
    elif quarantine is not None and (parent / QUARANTINE / f"{rid}__r{rev}.parquet").exists():
        os.rename(hidden, folder / name)  # its main file was quarantined: keep the rows beside it
        quarantine.move(folder, name, "its main row's file is in quarantine")
    else:
        unlink(hidden)


def orphan_rows(folder: Path, parent: str, quarantine: Quarantine | None = None,
                schemas: Mapping[str, pa.Schema] | None = None) -> dict[str, list[tuple[str, int]]]:
    """{part name: (response, revision) pairs} of a repeat table's parts whose household row is not readable.

    Rows in parts belong to a committed household; when that household's file was
    quarantined, its members must go too, or they would be shown without it (and
    doubled by a resubmission of the household).
    """
    table = folder.name

    def build(listings):
        parts = listings[table].parts
        if not parts:
            return None
        # a household file hidden by a stray marker is stored all the same: its members are not orphans
        mains = listings[parent].files + _marked(folder.parent / parent, listings[parent].files)
        rows = ("SELECT DISTINCT filename, _response_id, _revision "
                "FROM read_parquet($parts, union_by_name = true, filename = true) r")
        if not mains:
            return rows, {"parts": parts}
        sql = (f"{rows} WHERE NOT EXISTS (SELECT 1 FROM read_parquet($mains, union_by_name = true) m "
               "WHERE m._response_id = r._response_id AND m._revision = r._revision)")
        return sql, {"parts": parts, "mains": mains}

    found = query(folder.parent, build, {parent: True, table: False}, quarantine, schemas)
    out: dict[str, list[tuple[str, int]]] = {}
    for row in [] if found is None else found.to_pylist():
        out.setdefault(Path(row["filename"]).name, []).append((row["_response_id"], row["_revision"]))
    return out


def _marked(folder: Path, listed: list[str]) -> list[str]:
    """Readable small files of a main table that readers leave out because of a marker."""
    out = []
    for name in scan(folder, True).small:
        path = str(folder / name)
        m = MAIN_FILE.fullmatch(name)
        if path in listed or not m or not marker(folder, m["rid"], int(m["rev"])).exists():
            continue
        if file_problem(path, full=False) is None:  # a damaged one is left to the check
            out.append(path)
    return out


TIER = 4   # a part is merged again once the rows merged with it are at least a quarter of its own


def _footers(folder: Path, parts: list[str]) -> dict:
    """Each part's Parquet footer, None where it cannot be read (a part compacted away meanwhile, or
    a damaged one: the readers find and quarantine it, as before)."""
    found = {}
    for name in parts:
        try:
            found[name] = pq.read_metadata(folder / name)
        except (OSError, pa.ArrowException):
            found[name] = None
    return found


def _parts_to_merge(footers: dict, parts: list[str], new_rows: int) -> list[str]:
    """The parts to merge with `new_rows` new rows, smallest first, each while it has at most
    TIER times the rows gathered before it: parts grow by merges of comparable sizes, so a
    submission's row is written again a few times (log of the table's size), not at every
    compaction (a table of 100,000 rows rewritten every 64 submissions)."""
    # an unreadable part counts 0 rows: merging it finds and quarantines it, as before
    sized = [(0 if footers.get(name) is None else footers[name].num_rows, name) for name in parts]
    out, gathered = [], new_rows
    for rows, name in sorted(sized):
        if (out or new_rows) and rows > TIER * gathered:
            break
        out.append(name)
        gathered += rows
    return out


def unordered_parts(footers: dict, key: str) -> list[str]:
    """The parts (of ``footers``, :func:`_footers`) whose footer does not say they are stored in the
    read's order (_ORDER[key]). A part whose footer cannot be read is not one of them: the readers find
    and quarantine it, as before."""
    return [name for name, footer in footers.items()
            if footer is not None and (footer.metadata or {}).get(ORDER_FLAG) != _ORDER[key].encode()]


def _small_parts(folder: Path, parts: list[str], part_bytes: int) -> list[str]:
    out = []
    for name in parts:
        try:
            if (folder / name).stat().st_size < part_bytes:
                out.append(name)
        except FileNotFoundError:
            pass
    return out


def merge(folder: Path, names: list[str], key: str, leave_out: list[tuple[str, int]] | None = None) -> str:
    """Write the deduplicated union of `names` as a new part; return its name.

    Journal first (so readers know a part and its sources may both be visible,
    and an interrupted compaction can be finished), then temp, fsync, rename,
    folder fsync. A merge that fails leaves neither its temp file nor its journal.
    `leave_out`: (response, revision) pairs whose rows are not merged (roster rows
    whose household is not readable; the files holding them go to quarantine).
    """
    part = f"{PART}{uuid.uuid4().hex}.parquet"
    replace_with_json(folder / JOURNAL, {"part": part, "inputs": names})
    tmp = temp_path(folder, ".parquet")
    # Each (response, revision) is taken from one file only, so a household and its
    # members never come from two copies: the first stored copy for a main table,
    # one file for a repeat table (whose rows do not carry the copy's time).
    first = "arg_min(filename, _submitted_at)" if key == _MAIN_KEY else "min(filename)"
    con = connect(merging=True)
    try:
        con.execute(
            f"COPY (WITH s AS (SELECT * FROM read_parquet($files, union_by_name = true, filename = true) "
            f"ANTI JOIN (SELECT unnest($rids) AS _response_id, unnest($revs) AS _revision) x "
            f"USING (_response_id, _revision)), "
            f"src AS (SELECT _response_id, _revision, {first} AS filename FROM s GROUP BY ALL) "
            f"SELECT s.* EXCLUDE (filename) FROM s SEMI JOIN src USING (_response_id, _revision, filename) "
            f"QUALIFY row_number() OVER (PARTITION BY {key}) = 1 ORDER BY {_ORDER[key]}) "
            f"TO {_sql_text(str(tmp))} "
            f"(FORMAT parquet, KV_METADATA {{{ORDER_FLAG.decode()}: {_sql_text(_ORDER[key])}}})",
            {"files": [str(folder / n) for n in names], "rids": [rid for rid, _ in leave_out or []],
             "revs": [rev for _, rev in leave_out or []]},
        )
        fsync_file(tmp)
        os.rename(tmp, folder / part)
    except BaseException:
        unlink(tmp)
        unlink(folder / JOURNAL)
        raise
    finally:
        con.close()
    fsync_dir(folder)
    return part


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def marker_folder(folder: Path, quarantine: Quarantine | None) -> Path:
    """The table's `_committed/` folder, made when missing; anything else by that name is moved to quarantine."""
    committed = folder / COMMITTED
    if committed.is_dir():
        return committed
    if os.path.lexists(committed):  # a file (or a link) where the marker folder belongs
        (quarantine or Quarantine(None)).move(folder, COMMITTED, "not the marker folder")
    committed.mkdir(exist_ok=True)
    fsync_dir(folder)
    return committed


def _finish(folder: Path, main: bool, inputs: list[str], keep_journal: bool = False,
            quarantine: Quarantine | None = None, held: list[str] | None = None,
            why: Mapping[str, str] | None = None) -> None:
    """After the part is published: markers, then the inputs, then the journal.

    Only the inputs in `held` (every row read back from the part) are deleted;
    the others (a copy the merge left out) go to quarantine.
    """
    held = inputs if held is None else held
    if main:
        keys = [f"{m['rid']}__r{m['rev']}" for m in map(MAIN_FILE.fullmatch, inputs) if m]
        if keys:
            committed = marker_folder(folder, quarantine)
            for key in keys:
                os.close(os.open(committed / key, os.O_WRONLY | os.O_CREAT, 0o644))
            fsync_dir(committed)
    for name in inputs:
        if name in held:
            unlink(folder / name)
        else:
            reason = (why or {}).get(name, "rows that the merged part does not hold (another copy was kept)")
            _set_aside(folder, name, reason, quarantine)
    fsync_dir(folder)
    if not keep_journal:
        unlink(folder / JOURNAL)
        fsync_dir(folder)
