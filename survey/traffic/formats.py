"""Reading access logs: the formats, their detection, and lines -> columns, a chunk at a time.

Apache/Nginx ``combined`` (``%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"``) and
``vhost_combined`` (the same after ``%v:%p``) are matched with one RE2 pattern per chunk
(pyarrow's ``extract_regex``), so a million lines cost no Python object per field. JSON lines
(Nginx ``escape=json`` logs) are read with pyarrow's JSON reader's field names or per line.
Matomo and GA4 exports are CSV files: see :mod:`survey.traffic.exports`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

LOG_FORMATS = ("combined", "vhost_combined", "json")
EXPORT_FORMATS = ("matomo", "ga4")
FORMATS = LOG_FORMATS + EXPORT_FORMATS
CHUNK_BYTES = 8 << 20   # ~40,000 lines a chunk: memory stays bounded whatever the file's size

_COMBINED = (r'(?P<ip>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\d{3}) '
             r'(?P<bytes>\d+|-)(?: "(?:[^"\\]|\\.)*" "(?P<ua>(?:[^"\\]|\\.)*)")?')
PATTERNS = {
    "combined": "^" + _COMBINED,
    "vhost_combined": r"^(?P<vhost>[^\s:]+)(?::\d+)? " + _COMBINED,
}
_REQUEST = r"^(?P<method>[A-Z]{3,10}) (?P<target>\S+)(?: HTTP/[\d.]+)?$"
TIME_FORMAT = "%d/%b/%Y:%H:%M:%S %z"

# JSON lines: the usual field names of Nginx/Caddy/Traefik JSON logs, first one present wins.
JSON_FIELDS = {
    "ip": ("remote_addr", "client_ip", "ip", "remote_ip", "ClientHost", "clientip"),
    "time": ("time_iso8601", "time", "timestamp", "@timestamp", "ts", "time_local", "StartUTC"),
    "request": ("request",),
    "method": ("request_method", "method", "RequestMethod"),
    "target": ("request_uri", "uri", "path", "url", "RequestPath"),
    "status": ("status", "DownstreamStatus", "status_code"),
    "bytes": ("body_bytes_sent", "bytes_sent", "size", "bytes", "DownstreamContentSize"),
    "ua": ("http_user_agent", "user_agent", "agent", "request_User-Agent"),
    "vhost": ("host", "server_name", "http_host", "vhost", "RequestHost"),
}


@dataclass
class Chunk:
    """Parsed lines of one chunk: `table` has ip, time (UTC timestamp), method, target, status, bytes,
    ua, vhost (or null) and the line's index `n` in its file (0-based); `bad` is [(n, reason)]."""
    table: pa.Table
    bad: list[tuple[int, str]]


def open_text(path: Path) -> IO[bytes]:
    """The file's bytes, un-gzipped when it starts with the gzip magic (whatever its name)."""
    handle = open(path, "rb")
    if handle.peek(2)[:2] == b"\x1f\x8b":
        return gzip.open(handle, "rb")  # type: ignore[return-value]
    return handle


def line_blocks(handle: IO[bytes], size: int = CHUNK_BYTES) -> Iterator[list[str]]:
    """The file's lines (no end of line), decoded as UTF-8 (an invalid byte becomes U+FFFD), a block
    of whole lines at a time."""
    rest = b""
    while True:
        block = handle.read(size)
        if not block:
            break
        block = rest + block
        cut = block.rfind(b"\n")
        if cut < 0:
            rest = block
            continue
        rest = block[cut + 1:]
        yield block[:cut].replace(b"\r\n", b"\n").decode("utf-8", "replace").split("\n")
    if rest.strip():
        yield [rest.rstrip(b"\r").decode("utf-8", "replace")]


def detect(first_lines: list[str], name: str = "") -> str | None:
    """The format that most of the first lines are in, or None."""
    lines = [line for line in first_lines if line.strip()]
    if not lines:
        return None
    if lines[0].startswith("#") or any(line.startswith("# ") for line in lines[:5]):
        return "ga4"
    head = lines[0].lower()
    if "idvisit" in head or ("visitorid" in head and "," in head) or "visitip" in head:
        return "matomo"
    votes = {}
    for fmt, pattern in PATTERNS.items():
        votes[fmt] = sum(bool(re.match(pattern, line)) for line in lines)
    votes["json"] = sum(line.lstrip().startswith("{") for line in lines)
    best = max(votes, key=votes.get)
    if votes[best] == 0:
        return None
    if votes["vhost_combined"] and votes["vhost_combined"] >= votes["combined"]:
        return "vhost_combined"
    return best


def parse_lines(lines: list[str], fmt: str, first: int, secret: str = "") -> Chunk:
    """Lines (already decoded) of a log format -> a Chunk; `first` is the first line's index.

    The line's hash is SHA-256 of the store's secret followed by the line: a plain hash of a line
    could be undone by trying the 4 billion IPv4 addresses with the rest of the line.

    Which lines are in the format is decided by the full pattern without captures (RE2 without
    submatches: fast); the fields of the usual shape (7 pieces between quotes) are cut with splits
    in DuckDB (vectorised, both cores), and only the others (escaped quotes, no user agent) go
    through the capturing pattern, several times slower per line. Each line's SHA-256 (the
    idempotency key's hash) is taken in the same pass."""
    if fmt == "json":
        return _parse_json(lines, first, secret)
    lead = 1 if fmt == "vhost_combined" else 0
    names = (["vhost"] if lead else []) + ["ip", "time", "request", "status", "bytes", "ua"]
    lines_table = pa.table({"n": pa.array(range(first, first + len(lines)), pa.int64()),
                            "line": pa.array(lines, pa.string())})
    con = _duck()
    con.register("chunk_lines", lines_table)
    try:
        table = con.sql(f"""
            WITH q AS (SELECT n, line, regexp_matches(line, $pattern) AS ok,
                              string_split(line, '"') AS parts FROM chunk_lines),
            p AS (SELECT *, string_split(parts[1], ' ') AS pre, string_split(trim(parts[3]), ' ') AS mid FROM q),
            u AS (SELECT *, ok AND len(parts) = 7 AND len(pre) = {6 + lead} AS usual FROM p),
            x AS (SELECT *, CASE WHEN ok AND NOT usual THEN regexp_extract(line, $pattern, {names!r}) END AS rx
                  FROM u),
            f AS (SELECT n, ok, sha256($secret || line) AS digest, {{
                    'vhost': {"CASE WHEN usual THEN pre[1] ELSE rx.vhost END" if lead else "NULL::VARCHAR"},
                    'ip': CASE WHEN usual THEN pre[{1 + lead}] ELSE rx.ip END,
                    'time': CASE WHEN usual THEN substr(pre[{4 + lead}], 2) || ' ' || rtrim(pre[{5 + lead}], ']')
                            ELSE rx.time END,
                    'request': CASE WHEN usual THEN parts[2] ELSE rx.request END,
                    'status': CASE WHEN usual THEN mid[1] ELSE rx.status END,
                    'bytes': CASE WHEN usual THEN mid[2] ELSE rx.bytes END,
                    'ua': CASE WHEN usual THEN parts[6] ELSE rx.ua END}} AS f FROM x),
            r AS (SELECT *, regexp_matches(f.request, $request) AS well_formed FROM f)
            SELECT n, ok, digest, f.ip AS ip, try_strptime(f.time, '{TIME_FORMAT}') AS time,
                   CASE WHEN well_formed THEN split_part(f.request, ' ', 1) END AS method,
                   CASE WHEN well_formed THEN split_part(f.request, ' ', 2) END AS target,
                   TRY_CAST(f.status AS SMALLINT) AS status, TRY_CAST(f.bytes AS BIGINT) AS bytes,
                   coalesce(f.ua, '') AS ua, regexp_replace(f.vhost, ':[0-9]+$', '') AS vhost
            FROM r ORDER BY n""", params={"pattern": PATTERNS[fmt], "request": _REQUEST, "secret": secret}).to_arrow_table()
    finally:
        con.unregister("chunk_lines")
    ok = table["ok"]
    timed = pc.fill_null(pc.is_valid(table["time"]), False)
    bad = [(n, f"not a {fmt} line") for n in pc.filter(table["n"], pc.invert(ok)).to_pylist()]
    bad += [(n, "unreadable date and time") for n in
            pc.filter(table["n"], pc.and_(ok, pc.invert(timed))).to_pylist()]
    bad.sort()
    kept = table.filter(pc.and_(ok, timed)).drop_columns(["ok"])
    return Chunk(kept.set_column(kept.schema.get_field_index("time"), "time",
                                 pc.cast(kept["time"], pa.timestamp("s", tz="UTC"))), bad)


_local = threading.local()


def _duck() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB connection per thread for parsing (a page may import while another reads)."""
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = duckdb.connect()
        con.execute("SET threads=2")
        con.execute("SET TimeZone='UTC'")
        con.execute("SET enable_progress_bar=false")
        con.execute("SET memory_limit='256MB'")
        con.execute("SET temp_directory=''")   # never spill: these rows still hold the addresses
    return con


def _finish(kept: pa.Table, bad: list[tuple[int, str]]) -> Chunk:
    """Read the kept lines' time, request, status and size; a line without a readable time is bad."""
    time = kept["time"]
    if pa.types.is_string(time.type):
        time = pc.strptime(time, format=TIME_FORMAT, unit="s", error_is_null=True)
    if "method" not in kept.column_names:
        request = pc.extract_regex(kept["request"].combine_chunks(), _REQUEST)
        valid = request.is_valid()
        method = pc.if_else(valid, request.field("method"), None)
        target = pc.if_else(valid, request.field("target"), None)
    else:
        method, target = kept["method"], kept["target"]
    size = kept["bytes"]
    size = pc.cast(pc.if_else(pc.match_substring_regex(size, r"^\d+$"), size, None), pa.int64())
    table = pa.table({
        "n": kept["n"], "ip": kept["ip"], "time": pc.cast(time, pa.timestamp("s", tz="UTC")),
        "method": method, "target": target, "status": pc.cast(kept["status"], pa.int16()),
        "bytes": size, "ua": pc.fill_null(kept["ua"], ""), "vhost": kept["vhost"], "digest": kept["digest"],
    })
    timed = pc.fill_null(pc.is_valid(table["time"]), False)
    bad += [(n, "unreadable date and time") for n in pc.filter(table["n"], pc.invert(timed)).to_pylist()]
    bad.sort()
    return Chunk(table.filter(timed), bad)


def _parse_json(lines: list[str], first: int, secret: str) -> Chunk:
    rows: dict[str, list] = {name: [] for name in JSON_FIELDS}
    matched = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            matched.append(False)
            for column in rows.values():
                column.append(None)
            continue
        matched.append(True)
        for name, keys in JSON_FIELDS.items():
            value = next((record[k] for k in keys if record.get(k) not in (None, "")), None)
            rows[name].append(None if value is None else str(value))
    fields = {name: pa.array(values, pa.string()) for name, values in rows.items()}
    fields["time"] = _json_times(fields["time"])
    has_request = pc.fill_null(pc.or_(fields["request"].is_valid(), fields["target"].is_valid()), False)
    request = pc.extract_regex(pc.fill_null(fields["request"], ""), _REQUEST)
    fields["method"] = pc.coalesce(fields["method"], request.field("method"))
    fields["target"] = pc.coalesce(fields["target"], request.field("target"))
    status_ok = pc.match_substring_regex(pc.fill_null(fields["status"], ""), r"^\d{3}$")
    fields["bytes"] = pc.fill_null(fields["bytes"], "-")
    ok = pc.fill_null(pc.and_(pa.array(matched), pc.and_(has_request, status_ok)), False)
    numbers = pa.array(range(first, first + len(lines)), pa.int64())
    fields["digest"] = pa.array([hashlib.sha256((secret + line).encode("utf-8")).hexdigest()
                                  for line in lines], pa.string())
    bad = [(n, "not a JSON log record (no request or status)") for n in pc.filter(numbers, pc.invert(ok)).to_pylist()]
    return _finish(pa.table({"n": numbers, **fields}).filter(ok), bad)


def _json_times(text: pa.Array) -> pa.Array:
    """ISO 8601 (with an offset or Z), epoch seconds, or the combined log's time, to UTC."""
    text = pc.fill_null(text, "")
    iso = pc.replace_substring_regex(text, r"Z$", "+00:00")
    iso = pc.replace_substring_regex(iso, r"\.\d+", "")
    iso = pc.replace_substring_regex(iso, r"([+-]\d\d):(\d\d)$", r"\1\2")
    result = pc.strptime(iso, format="%Y-%m-%dT%H:%M:%S%z", unit="s", error_is_null=True)
    result = pc.coalesce(result, pc.strptime(text, format=TIME_FORMAT, unit="s", error_is_null=True))
    epoch = pc.if_else(pc.match_substring_regex(text, r"^\d{9,10}(\.\d+)?$"), text, None)
    seconds = pc.cast(pc.cast(epoch, pa.float64()), pa.int64())
    return pc.coalesce(result, pc.cast(seconds, pa.timestamp("s", tz="UTC")))
