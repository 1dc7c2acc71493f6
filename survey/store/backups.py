"""Backups of a whole data folder: a consistent snapshot taken while writers keep writing.

    python -m survey.backup create DEST     [--data DIR]   snapshot the data folder into DEST
    python -m survey.backup verify DEST                    read every file, compare with the manifest
    python -m survey.backup restore DEST    [--data DIR]   fill an empty data folder from DEST

How the snapshot stays consistent without stopping anyone: stored Parquet files are
never changed in place (survey.store.layout), so a table's snapshot is the reader's own
listing (each stored row exactly once, survey.store.reading) copied file by file; when
compaction removes a listed file mid-copy, the table is listed again and only what
changed is copied. A main table is copied before its repeat tables, so every roster
row of a copied household is there too (a roster row of a later submission without
its household is invisible, as after a crash, and collected later). The markers of
the copied parts are written afresh. The audit log is copied under its lock up to
its last complete line; every other file of the data folder (accounts/, frame.csv,
population.csv, drafts/, instrument_versions/, quarantined files) is copied as it
is. ``backup.json``, written last, lists every file with its size, SHA-256 and rows.

A backup holds the store's secrets and personal data, so neither it nor a restore may
open them to others: every folder they make is 0700, a copied file keeps the mode it
had, and the private files (``PRIVATE``: the accounts, the drafts, the audit log) are
0600 whatever the mode of their source (a backup made by an older version may differ).
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import shutil
import stat
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pyarrow.parquet as pq

from survey.command_line import CommandError, add_data_option, data_dir
from survey.fieldwork.audit_log import AUDIT_FILE
from survey.store.durable import TEMP, fsync_dir
from survey.store.layout import COMMITTED, LOCK, MAIN_FILE, PART_FILE, QUARANTINE, REPEAT_FILE, scan
from survey.store.reading import READ_ATTEMPTS, connect, listing
from survey.store.versions import VERSIONS

MANIFEST = "backup.json"
PRIVATE = ("accounts", "drafts", AUDIT_FILE)  # password hashes; names and phones; who did what
FORMAT = 1
RESPONSES = "responses"
_CHUNK = 1 << 20


class BackupError(CommandError):
    """A backup that cannot be made, verified or restored; the message says why."""


@dataclass
class Verification:
    files: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# ----------------------------------------------------------------------------- create


def create_backup(data: str | os.PathLike, dest: str | os.PathLike) -> dict:
    """Snapshot the data folder `data` into the new (or empty) folder `dest`; return the manifest."""
    data, dest = Path(data), Path(dest)
    if not data.is_dir():
        raise BackupError(f"there is no data folder at {data}")
    _check_apart(data, dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} is not empty: a backup goes into a new or empty folder")
    dest.mkdir(parents=True, exist_ok=True)
    os.chmod(dest, 0o700)
    manifest: dict = {"format": FORMAT, "created_at": _now(), "source": str(data.resolve()),
                      "tables": {}, "files": {}, "skipped": []}
    responses = data / RESPONSES
    if responses.is_dir():
        # sorted: a main table ("household") comes before its repeat tables ("household_members")
        tables = sorted(e.name for e in os.scandir(responses) if e.is_dir() and not e.name.startswith("."))
        for table in tables:
            manifest["tables"][table] = _snapshot_table(responses / table, dest / RESPONSES / table,
                                                         _is_main(data, table), manifest["skipped"])
        _trim_repeats(dest / RESPONSES, manifest["tables"])
    for path in _other_files(data):
        rel = path.relative_to(data).as_posix()
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            if rel == AUDIT_FILE:
                entry = _copy_audit(path, target)
            else:
                entry = _copy(path, target, private=_private(rel))
        except FileNotFoundError:  # removed while the backup ran (a draft that was submitted)
            continue
        manifest["files"][rel] = entry
    _private_folders(dest)
    _fsync_tree(dest)
    _write_json(dest / MANIFEST, manifest)
    return manifest


def _check_apart(data: Path, dest: Path) -> None:
    a, b = data.resolve(), dest.resolve()
    if a == b or a in b.parents or b in a.parents:
        raise BackupError("the backup folder and the data folder must not contain one another")


def _is_main(data: Path, table: str) -> bool:
    """Is `table` an instrument's main table (rather than one of its repeat tables)?

    The stored instrument versions say; for a folder they do not know, its files do
    (markers or main-table names; a repeat part has `_member_index`).
    """
    versions = data / VERSIONS
    if (versions / table).is_dir():
        return True
    if versions.is_dir() and any(table.startswith(e.name + "_") for e in os.scandir(versions) if e.is_dir()):
        return False
    folder = data / RESPONSES / table
    if (folder / COMMITTED).is_dir() or scan(folder, True).small:
        return True
    if scan(folder, False).small:
        return False
    for name in scan(folder, True).parts:
        try:
            return "_member_index" not in pq.read_schema(folder / name).names
        except (OSError, ValueError):
            continue
    return True


def _snapshot_table(source: Path, target: Path, main: bool, skipped: list[str]) -> dict:
    """Copy the reader's listing of one table; list again when compaction moved files away."""
    target.mkdir(parents=True, exist_ok=True)
    copied: dict[str, dict] = {}
    for attempt in range(READ_ATTEMPTS):
        names = [Path(p).name for p in listing(source, main).files]
        for name in [n for n in copied if n not in names]:
            (target / name).unlink()
            del copied[name]
        try:
            for name in names:
                if name not in copied:
                    copied[name] = _copy(source / name, target / name)
        except FileNotFoundError:
            continue
        break
    else:
        raise BackupError(f"table {source.name} keeps changing; try again")
    for name in list(copied):
        try:
            copied[name]["rows"] = pq.read_metadata(target / name).num_rows
        except (OSError, ValueError):  # unreadable in the store too: left out, and said so
            (target / name).unlink()
            del copied[name]
            skipped.append(f"{RESPONSES}/{source.name}/{name}")
    markers = _write_markers(target, [n for n in copied if PART_FILE.fullmatch(n)]) if main else 0
    for entry in _quarantined(source):
        rel = entry.relative_to(source)
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        try:
            copied[rel.as_posix()] = _copy(entry, target / rel)
        except FileNotFoundError:
            pass
    rows = sum(e.get("rows", 0) for e in copied.values())
    return {"main": main, "files": copied, "rows": rows, "markers": markers}


def _trim_repeats(responses: Path, tables: dict) -> None:
    """Leave out of the copied repeat tables the rows whose main row is not in the backup.

    A repeat table is copied after its main table, so it may hold rows of submissions
    that committed in between: parts would show them (rows in parts count as
    committed), so those parts are rewritten without them; small files of them are
    left out (they would only be collected later).
    """
    mains = [t for t, info in tables.items() if info["main"]]
    for table, info in tables.items():
        parents = [m for m in mains if table.startswith(m + "_")]
        if info["main"] or not parents:
            continue
        parent = max(parents, key=len)
        main_files = listing(responses / parent, True).files
        folder = responses / table
        con = connect()
        try:
            keys = "SELECT _response_id, _revision, epoch_us(_submitted_at) AS tok FROM read_parquet($main, union_by_name = true)"
            committed = set() if not main_files else set(con.execute(keys, {"main": main_files}).fetchall())
            pairs = {(rid, rev) for rid, rev, _ in committed}
            for name in sorted(info["files"]):
                m = REPEAT_FILE.fullmatch(name)
                if m and (m["rid"], int(m["rev"]), int(m["tok"])) not in committed:
                    (folder / name).unlink()
                    del info["files"][name]
                elif PART_FILE.fullmatch(name):
                    rows = con.execute("SELECT DISTINCT _response_id, _revision FROM read_parquet($f)",
                                       {"f": [str(folder / name)]}).fetchall()
                    if set(rows) <= pairs:
                        continue
                    con.execute("CREATE OR REPLACE TEMP TABLE keep AS SELECT * FROM (VALUES (NULL::VARCHAR, NULL::INTEGER)) t(r, v) WHERE false")
                    if pairs:
                        con.executemany("INSERT INTO keep VALUES (?, ?)", sorted(pairs))
                    part = f"part-{uuid.uuid4().hex}.parquet"
                    con.execute(
                        f"COPY (SELECT p.* FROM read_parquet($f) p SEMI JOIN keep ON p._response_id = keep.r "
                        f"AND p._revision = keep.v) TO '{folder / part}' (FORMAT parquet)", {"f": [str(folder / name)]})
                    (folder / name).unlink()
                    del info["files"][name]
                    info["files"][part] = _digest(folder / part)
                    info["files"][part]["rows"] = pq.read_metadata(folder / part).num_rows
        finally:
            con.close()
        info["rows"] = sum(e.get("rows", 0) for e in info["files"].values())


def _digest(path: Path) -> dict:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"bytes": size, "sha256": digest.hexdigest()}


def _quarantined(folder: Path) -> list[Path]:
    box = folder / QUARANTINE
    return sorted(p for p in box.rglob("*") if p.is_file()) if box.is_dir() else []


def _write_markers(folder: Path, parts: list[str]) -> int:
    """`_committed` markers for every (response, revision) in the copied parts."""
    if not parts:
        return 0
    con = connect()
    try:
        keys = con.execute(
            "SELECT DISTINCT _response_id, _revision FROM read_parquet($files, union_by_name = true)",
            {"files": [str(folder / n) for n in parts]},
        ).fetchall()
    finally:
        con.close()
    committed = folder / COMMITTED
    committed.mkdir(exist_ok=True)
    for rid, rev in keys:
        if MAIN_FILE.fullmatch(f"{rid}__r{rev}.parquet"):
            (committed / f"{rid}__r{rev}").touch()
    return len(keys)


def _other_files(data: Path) -> list[Path]:
    """Every file of the data folder outside responses/, less temp files and locks."""
    out = []
    for dirpath, dirnames, filenames in os.walk(data):
        here = Path(dirpath)
        if here == data:
            dirnames[:] = [d for d in dirnames if d != RESPONSES]
        dirnames.sort()
        for name in sorted(filenames):
            if name.startswith(TEMP) or name == LOCK:
                continue
            out.append(here / name)
    return out


def _private(rel: str) -> bool:
    """Is the file at `rel` (relative to the data folder) one of the private ones?"""
    return rel.split("/", 1)[0] in PRIVATE


def _private_folders(root: Path) -> None:
    """Every folder under `root` (a backup, a restore's staging folder) the owner's only."""
    for dirpath, _, _ in os.walk(root):
        os.chmod(dirpath, 0o700)


def _create(target: Path, mode: int):
    """`target` created exclusively with exactly `mode` (the umask does not apply), open for writing."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, mode)
    return os.fdopen(fd, "wb")


def _copy(source: Path, target: Path, private: bool = False) -> dict:
    """Copy one file (exclusively, fsynced) with its mode, 0600 if `private`; its size and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as src:
        mode = 0o600 if private else stat.S_IMODE(os.fstat(src.fileno()).st_mode)
        with _create(target, mode) as dst:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
            dst.flush()
            os.fsync(dst.fileno())
    return {"bytes": size, "sha256": digest.hexdigest()}


def _copy_audit(source: Path, target: Path) -> dict:
    """The audit log up to its last complete line, read under its lock (writers append whole lines)."""
    with open(source, "rb") as src:
        fcntl.flock(src.fileno(), fcntl.LOCK_SH)
        try:
            data = src.read()
        finally:
            fcntl.flock(src.fileno(), fcntl.LOCK_UN)
    data = data[: data.rfind(b"\n") + 1]
    with _create(target, 0o600) as dst:
        dst.write(data)
        dst.flush()
        os.fsync(dst.fileno())
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _fsync_tree(root: Path) -> None:
    for dirpath, _, _ in os.walk(root):
        fsync_dir(Path(dirpath))


def _write_json(path: Path, data: dict) -> None:
    with _create(path, 0o600) as handle:   # names the drafts' enumerators and the store's files
        handle.write(json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
    fsync_dir(path.parent)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# ----------------------------------------------------------------------------- verify


def read_manifest(dest: str | os.PathLike) -> dict:
    path = Path(dest) / MANIFEST
    if not Path(dest).is_dir():
        raise BackupError(f"there is no backup at {dest}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{dest} has no {MANIFEST}: the backup is incomplete (it was interrupted?)") from None
    except ValueError:
        raise BackupError(f"{path} is not readable JSON: the backup is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup manifest this version understands")
    return manifest


def verify_backup(dest: str | os.PathLike) -> Verification:
    """Read every file of the backup in full and compare sizes, checksums and row counts."""
    dest = Path(dest)
    manifest = read_manifest(dest)
    result = Verification()
    for table, info in manifest["tables"].items():
        folder = dest / RESPONSES / table
        rows = 0
        for name, entry in info["files"].items():
            path = folder / name
            result.files += 1
            problem = _check_file(path, entry)
            if problem:
                result.problems.append(f"{RESPONSES}/{table}/{name}: {problem}")
                continue
            if "rows" in entry:
                try:
                    got = pq.read_table(path).num_rows
                except Exception as exc:  # noqa: BLE001 - any failure to read is the finding
                    result.problems.append(f"{RESPONSES}/{table}/{name}: cannot be read ({str(exc)[:100]})")
                    continue
                if got != entry["rows"]:
                    result.problems.append(f"{RESPONSES}/{table}/{name}: {got} rows, the manifest says {entry['rows']}")
                rows += got
        result.rows[table] = rows
        if rows != info["rows"]:
            result.problems.append(f"table {table}: {rows} rows, the manifest says {info['rows']}")
        markers = folder / COMMITTED
        found = sum(1 for _ in os.scandir(markers)) if markers.is_dir() else 0
        if found != info.get("markers", 0):
            result.problems.append(f"table {table}: {found} markers, the manifest says {info.get('markers', 0)}")
        found_files = scan(folder, info.get("main", True))
        for name in [n for n in found_files.small + found_files.parts + found_files.foreign if n not in info["files"]]:
            result.problems.append(f"{RESPONSES}/{table}/{name}: not in the manifest")
    for rel, entry in manifest["files"].items():
        result.files += 1
        problem = _check_file(dest / rel, entry)
        if problem:
            result.problems.append(f"{rel}: {problem}")
    return result


def _check_file(path: Path, entry: dict) -> str | None:
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if size != entry["bytes"]:
        return f"{size} bytes, the manifest says {entry['bytes']}"
    if digest.hexdigest() != entry["sha256"]:
        return "its content changed (checksum mismatch)"
    return None


# ----------------------------------------------------------------------------- restore


def restore_backup(dest: str | os.PathLike, data: str | os.PathLike) -> Verification:
    """Fill the empty (or new) data folder `data` from the backup `dest`, after verifying it."""
    dest, data = Path(dest), Path(data)
    checked = verify_backup(dest)
    if not checked.ok:
        raise BackupError(f"the backup at {dest} is damaged ({checked.problems[0]}); nothing was restored")
    _check_apart(data, dest)
    if data.exists():
        if not data.is_dir():
            raise BackupError(f"{data} is not a folder")
        for entry in data.iterdir():
            if entry.name.startswith(".restore-"):  # an interrupted restore: start again
                shutil.rmtree(entry)
        if any(data.iterdir()):
            raise BackupError(f"{data} is not empty: restore only fills an empty data folder")
    if not data.exists():
        data.mkdir(parents=True)
        os.chmod(data, 0o700)
    staging = data / f".restore-{uuid.uuid4().hex[:8]}"
    staging.mkdir(mode=0o700)
    manifest = read_manifest(dest)
    for table, info in manifest["tables"].items():
        source, target = dest / RESPONSES / table, staging / RESPONSES / table
        target.mkdir(parents=True)
        for name in info["files"]:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            _copy(source / name, target / name)
        if (source / COMMITTED).is_dir():
            shutil.copytree(source / COMMITTED, target / COMMITTED)
    for rel in manifest["files"]:
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        _copy(dest / rel, staging / rel, private=_private(rel))
    _private_folders(staging)
    _fsync_tree(staging)
    for entry in sorted(staging.iterdir()):
        os.rename(entry, data / entry.name)
    fsync_dir(data)
    staging.rmdir()
    fsync_dir(data)
    return checked


# ----------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m survey.backup", description=__doc__.split("\n\n")[0])
    add_data_option(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in [("create", "snapshot the data folder into DEST (a new or empty folder)"),
                       ("verify", "read every file of the backup DEST and compare with its manifest"),
                       ("restore", "fill the empty data folder from the backup DEST")]:
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("dest", type=Path, metavar="DEST")
        add_data_option(sub, sub=True)
    args = parser.parse_args(argv)
    data = data_dir(args)
    logging.getLogger("survey").setLevel(logging.ERROR)
    if args.command == "create":
        manifest = create_backup(data, args.dest)
        for rel in manifest["skipped"]:
            print(f"warning: {rel} cannot be read and was left out (run python -m survey.check)")
        rows = sum(t["rows"] for t in manifest["tables"].values())
        files = sum(len(t["files"]) for t in manifest["tables"].values()) + len(manifest["files"])
        print(f"backup of {data} in {args.dest}: {len(manifest['tables'])} tables, {rows} stored rows, {files} files")
        return 0
    if args.command == "verify":
        result = verify_backup(args.dest)
        for problem in result.problems:
            print(f"problem: {problem}")
        summary = ", ".join(f"{t} {n}" for t, n in result.rows.items()) or "no tables"
        print(f"{'ok' if result.ok else 'DAMAGED'}: {result.files} files read; rows: {summary}")
        return 0 if result.ok else 1
    result = restore_backup(args.dest, data)
    print(f"restored {args.dest} into {data}: {result.files} files, rows: "
          + (", ".join(f"{t} {n}" for t, n in result.rows.items()) or "no tables"))
    return 0
