"""Import access logs into the traffic store: parse, enrich, key, and store each line once.

The idempotency key of a line is its host, the SHA-256 of its bytes and which repeat of that
identical line it is within its file: importing a file twice, or a rotated log that overlaps the
previous one, adds nothing, while a line genuinely logged twice counts twice.

Memory stays bounded whatever the size of the files: lines are parsed and enriched a block at a
time (pyarrow, one lookup per distinct address or user agent) into staged Parquet parts without
the addresses; the repeat numbers, the check against the stored keys and the partitioned write
are one DuckDB statement over those parts, which spills to disk past its memory limit.
"""

from __future__ import annotations

import getpass
import io
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Iterable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from survey.traffic import enrich, formats, storage

WIB_SECONDS = 7 * 3600
DUCKDB_MEMORY = "500MB"
MAX_EXAMPLES = 5
_HOST = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"

SCHEMA = pa.schema([
    ("host", pa.string()), ("ts", pa.timestamp("s", tz="UTC")), ("day", pa.date32()), ("month", pa.string()),
    ("method", pa.string()), ("path", pa.string()), ("status", pa.int16()), ("bytes", pa.int64()),
    ("kind", pa.string()), ("is_pageview", pa.bool_()), ("visitor", pa.string()), ("country", pa.string()),
    ("device", pa.string()), ("ua_bot", pa.bool_()), ("line_key", pa.string()),
])
STAGED = pa.schema([f for f in SCHEMA if f.name != "line_key"]
                   + [("digest", pa.string()), ("file_no", pa.int32()), ("n", pa.int64())])


@dataclass
class ImportResult:
    format: str | None
    added: int = 0
    present: int = 0
    bad: int = 0
    bad_examples: list[tuple[str, int, str, str]] = field(default_factory=list)
    refused: str | None = None
    hosts: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.refused:
            return f"refused: {self.refused}"
        unit = "aggregated row(s) (kept apart from the requests)" if self.format == "ga4" else "request(s)"
        return (f"format {self.format}; added {self.added} {unit}, {self.present} already stored, "
                f"{self.bad} bad line(s); hosts: {', '.join(self.hosts) or '-'}")


def host_from_name(name: str) -> str | None:
    """`surakarta.go.id-access.log.2.gz` -> `surakarta.go.id` (one log per host)."""
    stem = Path(name).name.lower()
    stem = re.split(r"[-_.]?(access|ssl_access|ssl)?[-_.]?log", stem)[0]
    return stem if "." in stem and re.match(_HOST, stem) else None


def clean_host(text: str | None) -> str | None:
    if not text:
        return None
    text = re.sub(r":\d+$", "", text.strip().lower()).rstrip(".")
    return text if re.match(_HOST, text) else None


def _enrich(chunk: formats.Chunk, host: str | None, salt: bytes, file_no: int) -> pa.Table:
    """The stored columns but the key, plus what makes the key in `_store`: the line's SHA-256,
    its file's number and its line number."""
    t = {name: chunk.table.column(name).combine_chunks() for name in chunk.table.column_names}
    vhost = pc.utf8_lower(pc.replace_substring_regex(pc.fill_null(t["vhost"], ""), r":\d+$", ""))
    vhost = pc.if_else(pc.match_substring_regex(vhost, _HOST), vhost, None)
    hosts = pc.fill_null(pc.coalesce(vhost, pa.scalar(host, pa.string())), "unknown") if host else \
        pc.fill_null(vhost, "unknown")
    ts = t["time"]
    seconds = pc.cast(ts, pa.int64())
    wib = pc.cast(pc.add(seconds, WIB_SECONDS), pa.timestamp("s"))
    day = pc.cast(wib, pa.date32())
    path = enrich.path_of(pc.fill_null(t["target"], "-"))
    kind = enrich.kinds(path)
    method = pc.utf8_upper(pc.fill_null(t["method"], "-"))
    device, bot = enrich.devices(t["ua"])
    digests = t["digest"]
    return pa.table({
        "host": hosts, "ts": ts, "day": day, "month": pc.strftime(wib, "%Y-%m"),
        "method": method, "path": path, "status": t["status"], "bytes": t["bytes"],
        "kind": kind, "is_pageview": enrich.pageviews(method, t["status"], kind),
        "visitor": enrich.visitors(t["ip"], t["ua"], salt), "country": enrich.countries(t["ip"]),
        "device": device, "ua_bot": bot, "digest": digests,
        "file_no": pa.nulls(len(digests), pa.int32()).fill_null(file_no), "n": t["n"],
    }, schema=STAGED)


def _stage_log(name: str, handle: IO[bytes], fmt: str | None, host: str | None, salt: bytes,
               staging: Path, result: ImportResult, file_no: int) -> tuple[str | None, int]:
    """Parse one log into part files under `staging`; (format, lines kept)."""
    kept = 0
    first = 0
    host = clean_host(host) or host_from_name(name)
    for text in formats.line_blocks(handle):
        if fmt is None:
            fmt = formats.detect(text[:50], name)
            if fmt is None or fmt in formats.EXPORT_FORMATS:
                return fmt, 0
        chunk = formats.parse_lines(text, fmt, first, salt.hex())
        result.bad += len(chunk.bad)
        for n, reason in chunk.bad[:MAX_EXAMPLES - len(result.bad_examples)]:
            result.bad_examples.append((name, n + 1, reason, enrich.mask_ip(text[n - first])[:300]))
        if chunk.table.num_rows:
            table = _enrich(chunk, host, salt, file_no)
            pq.write_table(table, staging / f"raw-{uuid.uuid4().hex}.parquet")
            kept += table.num_rows
        first += len(text)
    return fmt, kept


def import_files(root: Path, files: list[Path], format: str | None = None, host: str | None = None,
                 *, user: str | None = None) -> ImportResult:
    """Import log files (plain or gzip) into `<root>/traffic/`."""
    sources = [(Path(f).name, Path(f)) for f in files]
    return _import(Path(root), sources, format, host, user)


def import_bytes(root: Path, name: str, data: bytes, format: str | None = None, host: str | None = None,
                 *, user: str | None = None) -> ImportResult:
    """Import one uploaded file (its name only informs the host and the messages)."""
    return _import(Path(root), [(name, data)], format, host, user)


def _open(source: Path | bytes) -> IO[bytes]:
    if isinstance(source, bytes):
        handle = io.BufferedReader(io.BytesIO(source))  # type: ignore[arg-type]
        if source[:2] == b"\x1f\x8b":
            import gzip
            return gzip.GzipFile(fileobj=handle)  # type: ignore[return-value]
        return handle
    return formats.open_text(source)


def _import(root: Path, sources: Iterable[tuple[str, Path | bytes]], fmt: str | None, host: str | None,
            user: str | None) -> ImportResult:
    if fmt is not None and fmt not in formats.FORMATS:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(formats.FORMATS)}")
    sources = list(sources)
    result = ImportResult(format=fmt)
    if not sources:
        result.refused = "no file given"
        return result
    with storage.import_lock(root):
        for stale in storage.folder(root).glob(".staging-*"):   # left by an import that was killed
            shutil.rmtree(stale, ignore_errors=True)
        salt = storage.salt(root)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=storage.folder(root)))
        try:
            found = []
            for file_no, (name, source) in enumerate(sources):
                with _open(source) as handle:
                    file_fmt, kept = _stage_file(name, handle, fmt, host, salt, staging, result, file_no)
                found.append(file_fmt)
                if kept == 0:
                    what = f"format {file_fmt}" if file_fmt else "no known format (combined, vhost_combined, " \
                        "json, matomo, ga4)"
                    result.refused = (f"{name}: no line could be read ({what}); nothing was imported. "
                                      "Check the file, or name its format with --format.")
                    result.format = fmt or file_fmt
                    return result
            result.format = fmt or ("+".join(sorted(set(found))) if len(set(found)) > 1 else found[0])
            if any(staging.glob("raw-*.parquet")):
                _store(root, staging, result, len(sources))
            if any(staging.glob("ga4-*.parquet")):
                from survey.traffic import exports
                exports.publish_ga4(staging, root, result)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        storage.append_history(root, {
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "files": [name for name, _ in sources], "format": result.format, "added": result.added,
            "present": result.present, "bad": result.bad, "user": user or _user(),
        })
    return result


def _stage_file(name: str, handle: IO[bytes], fmt: str | None, host: str | None, salt: bytes,
                staging: Path, result: ImportResult, file_no: int) -> tuple[str | None, int]:
    if fmt in formats.EXPORT_FORMATS:
        from survey.traffic import exports
        return exports.stage(name, handle, fmt, host, salt, staging, result, file_no)
    peek = handle.peek(4096)[:4096] if hasattr(handle, "peek") else b""
    if fmt is None and peek:
        guess = formats.detect(peek.decode("utf-8", "replace").splitlines()[:50], name)
        if guess in formats.EXPORT_FORMATS:
            from survey.traffic import exports
            return exports.stage(name, handle, guess, host, salt, staging, result, file_no)
    return _stage_log(name, handle, fmt, host, salt, staging, result, file_no)


def _store(root: Path, staging: Path, result: ImportResult, files: int) -> None:
    """Key the staged lines, keep those not stored yet (one of each key), publish them as new parts."""
    con = storage.connect()
    con.execute(f"SET temp_directory='{staging / 'spill'}'")
    con.execute(f"SET memory_limit='{DUCKDB_MEMORY}'")
    con.execute("SET preserve_insertion_order=false")
    # the partitioned write buffers rows per open partition (default 524,288 each): flush sooner
    con.execute("SET partitioned_write_flush_threshold=65536")
    con.execute("SET partitioned_write_max_open_files=32")
    staged = f"read_parquet('{staging}/raw-*.parquet')"
    # Repeats are rare: number only the lines whose hash occurs twice in a file (a small set from a
    # spilling aggregate), so no operator has to hold every staged row at once.
    con.execute(f"""CREATE TEMP TABLE repeats AS
        SELECT file_no, n, row_number() OVER (PARTITION BY file_no, digest ORDER BY n) - 1 AS rep
        FROM {staged} SEMI JOIN (SELECT file_no, digest FROM {staged} GROUP BY ALL HAVING count(*) > 1)
        USING (file_no, digest)""")
    con.execute(f"""CREATE VIEW keyed AS
        SELECT s.* EXCLUDE (digest, file_no, n, rep), host || ':' || digest || ':' || coalesce(rep, 0) AS line_key
        FROM (SELECT * FROM {staged} LEFT JOIN repeats USING (file_no, n)) s""")
    hosts, months, total = con.execute(f"SELECT list(DISTINCT host), list(DISTINCT month), count(*) "
                                       f"FROM read_parquet('{staging}/raw-*.parquet')").fetchone()
    if storage.parts(root):
        # hosts are [a-z0-9.-] and months YYYY-MM (checked at parse): safe as literals, and they prune partitions
        con.execute(f"CREATE VIEW stored AS SELECT host, line_key FROM {storage.source(root)} "
                    f"WHERE host IN ({_literals(hosts)}) AND month IN ({_literals(months)})")
        fresh = "SELECT * FROM keyed ANTI JOIN stored USING (host, line_key)"
    else:
        fresh = "SELECT * FROM keyed"
    if files > 1:   # overlapping files in one import: each key once
        fresh += " QUALIFY row_number() OVER (PARTITION BY line_key ORDER BY ts) = 1"
    out = staging / "out"
    written = con.execute(f"COPY ({fresh}) TO '{out}' (FORMAT parquet, PARTITION_BY (host, month), "
                          "FILENAME_PATTERN 'part-{uuid}', COMPRESSION zstd)").fetchone()
    con.close()
    result.added = int(written[0]) if written else 0
    result.present = total - result.added
    result.hosts = sorted(set(result.hosts) | set(hosts))
    if result.added:
        storage.publish(out, root)


def _literals(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"
