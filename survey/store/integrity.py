"""Check a data folder's store: stray, corrupt and orphaned files, marker mismatches.

    python -m survey.check [--repair] [--data DIR]

Reads every file of every table in full (under each table's compaction lock, so a
running compaction is never mistaken for damage; writers keep writing) and reports:

- stray: names the store never writes in a table folder (``notes.txt``, ``.DS_Store``)
- foreign: ``.parquet`` names that fit none of the table's patterns (a sync tool's copy)
- corrupt: files that cannot be read, or whose columns are not the table's
- orphaned: repeat files whose household never committed, and temp files, older
  than ``orphan_seconds`` (younger ones may belong to a submission in progress);
  roster rows in parts whose household row is not readable (its file quarantined)
- marker: a ``_committed`` marker whose row no part holds (it would hide that row's
  file and refuse its resubmission), or a row in a part without its marker (a
  resubmission could store it twice)
- journal: an interrupted compaction
- instrument: a questionnaire file that does not load, or that the store refuses
- the rest of the data folder (survey.store.folder_health): files in quarantine, with
  the reason the audit log gives (a warning), the accounts file (readable, parsable,
  not empty), drafts (a warning for each unreadable one), the audit log (a warning for
  lines that are not whole entries), stored questionnaire versions (each parses)

``--repair`` moves stray, foreign, corrupt and orphaned files and wrong markers to
the table's ``_quarantine/`` (audit action ``quarantine``), writes missing markers
and finishes interrupted compactions. Nothing is deleted. Exit status 0 when the
store is sound (or everything found was repaired; warnings are printed but do not
change it), 1 otherwise.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import duckdb
import pyarrow as pa

from survey.command_line import CommandError, add_data_option, data_dir
from survey.questionnaire.model import InstrumentError
from survey.store import folder_health
from survey.store.compaction import marker_folder, orphan_rows, table_lock
from survey.store.durable import TEMP, fsync_dir
from survey.store.folder_health import Finding
from survey.store.layout import COMMITTED, HIDDEN, JOURNAL, KNOWN, LOCK, MAIN_FILE, REPEAT_FILE, scan
from survey.store.reading import connect, file_problem, listing


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def sound(self) -> bool:
        """Nothing wrong is left (warnings aside)."""
        return all(f.repaired or f.warning for f in self.findings)

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.warning]


def check_store(root: str | os.PathLike, instruments_dir: str | os.PathLike | None = None,
                repair: bool = False, orphan_seconds: float | None = None) -> Report:
    """Examine every table of the store at `root`; with `repair`, mend what can be mended."""
    from survey.store.response_store import ResponseStore

    root = Path(root)
    if not root.is_dir():
        raise CommandError(f"there is no data folder at {root}")
    store = ResponseStore(root, instruments_dir=instruments_dir)
    store.quarantine.moved = None  # no background compaction: the check reports and repairs each table itself
    if orphan_seconds is None:
        orphan_seconds = store.orphan_seconds
    report = Report()
    # what sat in quarantine before this run (what --repair moves now is reported as repaired)
    report.findings += folder_health.quarantined(root, store.table_folders())
    bad: dict[str, set[str]] = {}  # table -> names found unreadable (left out of the orphan check)
    for path in sorted(store.instruments_dir.glob("*.yaml")):
        try:
            store.instrument(path.stem)
        except InstrumentError as exc:  # answers stay readable with the stored versions meanwhile
            if store.versions.names(path.stem) or (store.responses / path.stem).is_dir():
                report.findings.append(Finding("instrument", path.stem, "", str(exc)))
    for table in store.table_folders():
        try:
            instrument_id, main, schemas = store.table_owner(table)
        except ValueError:
            report.findings.append(Finding("stray", table, "", "a table folder that no instrument defines (left as it is)"))
            continue
        folder = store.table_folder(table)
        with table_lock(folder, wait=True):  # no compaction runs meanwhile: a journal now is an interrupted one
            interrupted = (folder / JOURNAL).exists()
            bad[table] = _check_table(store, report, folder, table, main, instrument_id, schemas.get(table),
                                      orphan_seconds, repair, bad)
        if interrupted:
            if repair:
                store.compact(table)
            report.findings.append(Finding("journal", table, JOURNAL, "an interrupted compaction", repair))
        if not main:
            _check_roster_rows(store, report, table, instrument_id, schemas, repair)
    report.findings += folder_health.versions(root, store.versions)
    report.findings += folder_health.accounts(root)
    report.findings += folder_health.drafts(root)
    report.findings += folder_health.audit_log(root)
    return report


def _check_table(store, report: Report, folder: Path, table: str, main: bool, instrument_id: str,
                 schema: pa.Schema | None, orphan_seconds: float, repair: bool, bad: dict[str, set[str]]) -> set[str]:
    """Check one table (under its lock); return the names of its unreadable files."""
    def found(kind: str, name: str, detail: str, mend=None) -> None:
        done = False
        if repair and mend is not None:
            done = mend() is not False
        report.findings.append(Finding(kind, table, name, detail, done))

    def quarantine(name: str, reason: str):
        return lambda: store.quarantine.move(folder, name, reason) is not None

    cutoff = time.time() - orphan_seconds
    names = os.listdir(folder)
    for name in sorted(names):
        if name in KNOWN or name.endswith(".parquet") and not name.startswith(HIDDEN):
            continue
        if name.startswith(TEMP):
            if _mtime(folder / name) < cutoff:
                found("orphaned", name, "a temp file left by a writer that stopped", quarantine(name, "old temp file"))
            continue
        if name != LOCK:
            found("stray", name, "not a file the store writes", quarantine(name, "stray file"))
    listed = scan(folder, main)
    for name in sorted(listed.foreign):
        found("foreign", name, "a .parquet name that is not this table's", quarantine(name, "not a file of this table"))
    readable, unreadable = [], set()
    for name in sorted(listed.small + listed.parts):
        problem = file_problem(str(folder / name), schema, full=True)
        if problem:
            found("corrupt", name, problem, quarantine(name, problem))
            unreadable.add(name)
        else:
            readable.append(name)
    report.files[table] = len(readable)
    report.rows[table] = _rows(folder, readable)
    if main:
        _check_markers(store, folder, table, readable, found)
    else:
        _check_orphans(store, folder, table, instrument_id, readable, bad.get(instrument_id, set()), cutoff,
                       found, quarantine)
    return unreadable


def _rows(folder: Path, names: list[str]) -> int:
    if not names:
        return 0
    con = connect()
    try:
        return con.execute("SELECT count(*) FROM read_parquet($f, union_by_name = true)",
                           {"f": [str(folder / n) for n in names]}).fetchone()[0]
    finally:
        con.close()


def _check_markers(store, folder: Path, table: str, readable: list[str], found) -> None:
    parts = [n for n in readable if n.startswith("part-")]
    in_parts: set[str] = set()
    if parts:
        con = connect()
        try:
            rows = con.execute("SELECT DISTINCT _response_id, _revision FROM read_parquet($f, union_by_name = true)",
                               {"f": [str(folder / n) for n in parts]}).fetchall()
        finally:
            con.close()
        in_parts = {f"{rid}__r{rev}" for rid, rev in rows}
    committed = folder / COMMITTED
    markers = set(os.listdir(committed)) if committed.is_dir() else set()
    if os.path.lexists(committed) and not committed.is_dir():
        found("marker", COMMITTED, "a file where the marker folder belongs",
              lambda: marker_folder(folder, store.quarantine).is_dir())
    for key in sorted(markers - in_parts):
        if key.startswith(HIDDEN):
            continue
        hidden = (folder / f"{key}.parquet").exists()
        detail = ("marks a row that no part holds" +
                  ("; it hides that row's own file" if hidden else "; a resubmission of it would fail"))

        def mend(key=key):
            return store.quarantine.move(committed, key, "marker without a row", table_folder=folder) is not None

        found("marker", f"{COMMITTED}/{key}", detail, mend)
    missing = sorted(in_parts - markers)
    if missing:
        def write_markers():
            marker_folder(folder, store.quarantine)
            for key in missing:
                if MAIN_FILE.fullmatch(f"{key}.parquet"):
                    os.close(os.open(committed / key, os.O_WRONLY | os.O_CREAT, 0o644))
            fsync_dir(committed)
            fsync_dir(folder)

        shown = ", ".join(missing[:3]) + (" ..." if len(missing) > 3 else "")
        found("marker", COMMITTED, f"{len(missing)} row(s) in parts without a marker ({shown})", write_markers)


def _check_orphans(store, folder: Path, table: str, parent: str, readable: list[str], parent_bad: set[str],
                   cutoff: float, found, quarantine) -> None:
    small = {n: REPEAT_FILE.fullmatch(n) for n in readable if not n.startswith("part-")}
    if not small:
        return
    files = listing(store.table_folder(parent), True, skip=parent_bad).files
    committed: set[tuple[str, int, int]] = set()
    if files:
        con = connect()
        try:
            rows = con.execute(
                "SELECT DISTINCT _response_id, _revision, epoch_us(_submitted_at) FROM read_parquet($f, union_by_name = true)",
                {"f": files}).fetchall()
        except duckdb.Error as exc:
            raise CommandError(f"cannot read {parent} to check {table}: {exc}; run the check again") from exc
        finally:
            con.close()
        committed = {(rid, rev, tok) for rid, rev, tok in rows}
    for name, m in sorted(small.items()):
        key = (m["rid"], int(m["rev"]), int(m["tok"]))
        if key not in committed and _mtime(folder / name) < cutoff:
            found("orphaned", name, f"its {parent} row was never stored", quarantine(name, "orphaned repeat file"))


def _check_roster_rows(store, report: Report, table: str, parent: str, schemas, repair: bool) -> None:
    """Rows in a repeat table's parts whose household row is not readable (its file was quarantined).

    Readers leave them out; repair compacts the table, which merges the part again without
    them and moves the part to quarantine (compaction takes the table's lock, so not under it).
    """
    folder = store.table_folder(table)
    orphaned = orphan_rows(folder, parent, None, schemas)
    if not orphaned:
        return
    left = orphaned
    if repair:
        store.compact(table)
        left = orphan_rows(folder, parent, None, schemas)
    for name, pairs in sorted(orphaned.items()):
        detail = f"{len(pairs)} roster row(s) whose {parent} row is not readable (not read; quarantined by --repair)"
        report.findings.append(Finding("orphaned", table, name, detail, repair and name not in left))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m survey.check", description=__doc__.split("\n\n")[0])
    add_data_option(parser)
    parser.add_argument("--repair", action="store_true", help="quarantine what is wrong, write missing markers")
    args = parser.parse_args(argv)
    root = data_dir(args)
    logging.getLogger("survey").setLevel(logging.ERROR)  # each finding is printed below
    report = check_store(root, repair=args.repair)
    for finding in report.findings:
        print(finding)
    tables = ", ".join(f"{t} {report.files[t]} files {report.rows[t]} rows" for t in report.files) or "no tables"
    problems = sum(not (f.repaired or f.warning) for f in report.findings)
    repaired = any(f.repaired for f in report.findings)
    verdict = f"{problems} problem(s)" if problems else ("repaired" if repaired else "sound")
    if report.warnings:  # never "sound" alone while something waits for a look
        verdict += f", {len(report.warnings)} warning(s) (files in quarantine or damaged outside the tables)"
    print(f"{root}: {verdict}; {tables}")
    if problems and not args.repair:
        print("run again with --repair to quarantine what is wrong (nothing is deleted)")
    return 0 if report.sound else 1
