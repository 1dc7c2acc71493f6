"""Reading access logs: the formats, their detection, and lines -> columns, a chunk at a time.

Apache/Nginx ``combined`` (``%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"``) and
``vhost_combined`` (the same after ``%v:%p``) are matched with one RE2 pattern per chunk
(pyarrow's ``extract_regex``), so a million lines cost no Python object per field. JSON lines
(Nginx ``escape=json`` logs) are read with pyarrow's JSON reader's field names or per line.
Matomo and GA4 exports are CSV files: see :mod:`survey.traffic.exports`.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

import pyarrow as pa
import pyarrow.compute as pc

LOG_FORMATS = ("combined", "vhost_combined", "json")
EXPORT_FORMATS = ("matomo", "ga4")
FORMATS = LOG_FORMATS + EXPORT_FORMATS
CHUNK_BYTES = 16 << 20   # ~100,000 lines a chunk: memory stays bounded whatever the file's size

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


def line_blocks(handle: IO[bytes], size: int = CHUNK_BYTES) -> Iterator[list[bytes]]:
    """The file's lines (no end of line), a block of whole lines at a time."""
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
        yield [line.rstrip(b"\r") for line in block[:cut].split(b"\n")]
    if rest.strip():
        yield [rest.rstrip(b"\r")]


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


def parse_lines(lines: list[str], fmt: str, first: int) -> Chunk:
    """Lines (already decoded) of a log format -> a Chunk; `first` is the first line's index."""
    if fmt == "json":
        return _parse_json(lines, first)
    array = pa.array(lines, pa.string())
    parts = pc.extract_regex(array, PATTERNS[fmt])
    matched = parts.is_valid()
    fields = {name: parts.field(name) for name in ("ip", "time", "request", "status", "bytes", "ua")}
    fields["vhost"] = parts.field("vhost") if fmt == "vhost_combined" else pa.nulls(len(lines), pa.string())
    return _finish(fields, matched, first, f"not a {fmt} line")


def _finish(fields: dict, matched: pa.Array, first: int, mismatch: str) -> Chunk:
    """Keep the matched lines, read their time, request, status and size; the rest are bad lines."""
    matched = pc.fill_null(matched, False)
    numbers = pa.array(range(first, first + len(matched)), pa.int64())
    bad = [(n, mismatch) for n in pc.filter(numbers, pc.invert(matched)).to_pylist()]
    kept = pa.table({"n": numbers, **fields}).filter(matched)
    time = kept["time"]
    if pa.types.is_string(time.type):
        time = pc.strptime(time, format=TIME_FORMAT, unit="s", error_is_null=True)
    if "method" not in fields:
        request = pc.extract_regex(kept["request"].combine_chunks(), _REQUEST)
        method, target = request.field("method"), request.field("target")
    else:
        method, target = kept["method"], kept["target"]
    size = kept["bytes"]
    size = pc.cast(pc.if_else(pc.match_substring_regex(size, r"^\d+$"), size, None), pa.int64())
    table = pa.table({
        "n": kept["n"], "ip": kept["ip"], "time": pc.cast(time, pa.timestamp("s", tz="UTC")),
        "method": method, "target": target, "status": pc.cast(kept["status"], pa.int16()),
        "bytes": size, "ua": pc.fill_null(kept["ua"], ""), "vhost": kept["vhost"],
    })
    timed = pc.fill_null(time.is_valid() if isinstance(time, pa.Array) else pc.is_valid(time), False)
    bad += [(n, "unreadable date and time") for n in pc.filter(table["n"], pc.invert(timed)).to_pylist()]
    bad.sort()
    return Chunk(table.filter(timed), bad)


def _parse_json(lines: list[str], first: int) -> Chunk:
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
    ok = pc.and_(pa.array(matched), pc.and_(has_request, status_ok))
    return _finish(fields, ok, first, "not a JSON log record (no request or status)")


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
