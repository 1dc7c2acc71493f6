"""Analytics exports: Matomo's visits export (CSV) and GA4's CSV export.

- **Matomo** (Visitors > Visits Log, export as CSV; ``Live.getLastVisitsDetails``): one row per
  visit, its actions flattened into columns such as ``actionDetails_0_url``/``actionDetails 0 url``,
  ``..._type``, ``..._timestamp``. Each page or download action becomes one stored request (a GET
  answered 200): Matomo records no assets, errors or bots (it filters bots itself), so ``requests``
  from Matomo are its actions. The visitor key is the keyed hash of Matomo's ``visitorId`` (or of
  the visit's address when it has none); country is ``countryCode``; device class from
  ``deviceType``. The address column (``visitIp``) is never stored.
- **GA4** exports aggregated rows (no requests, no visitors to key): they are kept as they are, in
  ``<data>/traffic/analytics/``, beside the requests and never added to them; the report shows
  their totals apart (``analytics``). Lines starting with ``#`` (the preamble) give the period.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq

from survey.traffic import enrich, storage

MATOMO_DEVICES = {"smartphone": "mobile", "phablet": "mobile", "feature phone": "mobile", "tablet": "tablet",
                  "desktop": "desktop"}
_ACTION = re.compile(r"^actionDetails[ _.:/]?(\d+)[ _.:/]?(url|type|timestamp|serverTimePretty)$", re.I)


def stage(name: str, handle: IO[bytes], fmt: str, host: str | None, salt: bytes, staging: Path,
          result, file_no: int) -> tuple[str, int]:
    text = handle.read().decode("utf-8-sig", "replace")
    if fmt == "matomo":
        return fmt, _stage_matomo(name, text, host, salt, staging, result, file_no)
    return fmt, _stage_ga4(name, text, host, staging, result)


def _bad(result, name: str, line: int, reason: str, text: str) -> None:
    from survey.traffic.importer import MAX_EXAMPLES

    result.bad += 1
    if len(result.bad_examples) < MAX_EXAMPLES:
        result.bad_examples.append((name, line, reason, enrich.mask_ip(text)[:300]))


def _stage_matomo(name, text, host, salt, staging, result, file_no) -> int:
    from survey.traffic.importer import STAGED, WIB_SECONDS, clean_host

    lines = text.splitlines()
    rows = list(csv.reader(lines))
    if not rows:
        return 0
    header = rows[0]
    col = {h.strip(): i for i, h in enumerate(header)}
    actions: dict[int, dict[str, int]] = {}
    for i, h in enumerate(header):
        m = _ACTION.match(h.strip())
        if m:
            actions.setdefault(int(m.group(1)), {})[m.group(2).lower()] = i
    out: dict[str, list] = {f.name: [] for f in STAGED}
    fallback_host = clean_host(host) or "unknown"

    def get(row, key):
        i = col.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    for number, row in enumerate(rows[1:], start=1):
        if not any(cell.strip() for cell in row):
            continue
        visit_time = _epoch(get(row, "serverTimestamp") or get(row, "firstActionTimestamp")
                            or get(row, "lastActionTimestamp"))
        visitor_id = get(row, "visitorId") or get(row, "visitIp") or get(row, "idVisit")
        if visit_time is None or not visitor_id:
            _bad(result, name, number + 1, "a Matomo visit without a time or a visitor", lines[number])
            continue
        country = get(row, "countryCode").upper()
        country = country if re.fullmatch(r"[A-Z]{2}", country) and country != "XX" else ""
        if not country and get(row, "visitIp"):
            country = enrich.countries(pa.array([get(row, "visitIp")]))[0].as_py()
        device = MATOMO_DEVICES.get(get(row, "deviceType").lower(), "other")
        visitor = hmac.new(salt, ("matomo\0" + visitor_id).encode(), hashlib.sha256).hexdigest()[:32]
        steps = [(k, actions[k]) for k in sorted(actions)] or [(0, {})]
        for k, cols in steps:
            kind_of = row[cols["type"]].strip().lower() if "type" in cols and cols["type"] < len(row) else "action"
            url = row[cols["url"]].strip() if "url" in cols and cols["url"] < len(row) else get(row, "entryPageUrl")
            if not url or kind_of not in ("action", "download", ""):
                continue
            parts = urlsplit(url if "//" in url else "//" + fallback_host + "/" + url.lstrip("/"))
            when = _epoch(row[cols["timestamp"]]) if "timestamp" in cols and cols["timestamp"] < len(row) else None
            when = when if when is not None else visit_time
            wib = datetime.fromtimestamp(when + WIB_SECONDS, timezone.utc)
            out["host"].append(clean_host(parts.hostname) or fallback_host)
            out["ts"].append(datetime.fromtimestamp(when, timezone.utc))
            out["day"].append(wib.date())
            out["month"].append(wib.strftime("%Y-%m"))
            out["method"].append("GET")
            out["path"].append(parts.path or "/")
            out["status"].append(200)
            out["bytes"].append(None)
            out["kind"].append(None)
            out["is_pageview"].append(None)
            out["visitor"].append(visitor)
            out["country"].append(country or "ZZ")
            out["device"].append(device)
            out["ua_bot"].append(False)
            out["digest"].append(hashlib.sha256(f"{salt.hex()}{lines[number]}\0{k}".encode()).hexdigest())
            out["file_no"].append(file_no)
            out["n"].append(number)
    if not out["host"]:
        return 0
    table = pa.table(out, schema=STAGED)
    kind = enrich.kinds(table["path"].combine_chunks())
    table = table.set_column(table.schema.get_field_index("kind"), "kind", kind)
    table = table.set_column(table.schema.get_field_index("is_pageview"), "is_pageview",
                             enrich.pageviews(table["method"].combine_chunks(), table["status"].combine_chunks(), kind))
    pq.write_table(table, staging / f"raw-{uuid.uuid4().hex}.parquet")
    return table.num_rows


def _epoch(text: str) -> int | None:
    text = (text or "").strip()
    if re.fullmatch(r"\d{9,10}(\.\d+)?", text):
        return int(float(text))
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp())


# GA4: the dimension and metric columns understood, by their English export headers.
GA4_COLUMNS = {
    "date": "day", "hostname": "host", "host name": "host", "page path and screen class": "path",
    "page path": "path", "country": "country", "country id": "country", "device category": "device",
    "views": "views", "sessions": "sessions", "total users": "users", "active users": "users", "users": "users",
}


def _stage_ga4(name, text, host, staging, result) -> int:
    """GA4 rows go straight to `<data>/traffic/analytics/` (own idempotency: the file's content)."""
    from survey.traffic.importer import clean_host

    lines = text.splitlines()
    preamble = {}
    body_start = 0
    for i, line in enumerate(lines):
        if line.startswith("#"):
            m = re.match(r"#\s*(Start date|End date)\s*:\s*(\d{8})", line)
            if m:
                preamble[m.group(1)] = datetime.strptime(m.group(2), "%Y%m%d").date()
            body_start = i + 1
        elif line.strip() and body_start <= i:
            body_start = i
            break
    rows = list(csv.reader(io.StringIO("\n".join(lines[body_start:]))))
    if not rows:
        return 0
    header = [GA4_COLUMNS.get(h.strip().lower()) for h in rows[0]]
    if not any(h in ("views", "sessions", "users") for h in header):
        return 0
    records = []
    for offset, row in enumerate(rows[1:], start=body_start + 2):
        if not any(c.strip() for c in row) or (row and row[0].strip().lower().startswith("grand total")):
            continue
        record = {h: row[i].strip() for i, h in enumerate(header) if h and i < len(row)}
        try:
            values = {m: int(float(record[m].replace(",", ""))) if record.get(m) else None
                      for m in ("views", "sessions", "users")}
        except ValueError:
            _bad(result, name, offset, "a GA4 row with a number that is not one", ",".join(row))
            continue
        day = None
        if record.get("day"):
            try:
                day = datetime.strptime(record["day"], "%Y%m%d").date()
            except ValueError:
                _bad(result, name, offset, "a GA4 date that is not YYYYMMDD", ",".join(row))
                continue
        records.append({
            "host": clean_host(record.get("host")) or clean_host(host) or "unknown",
            "day": day, "start": preamble.get("Start date"), "end": preamble.get("End date"),
            "path": record.get("path"), "country": record.get("country"), "device": record.get("device"),
            **values, "file": name,
        })
    if not records:
        return 0
    # staged like the requests, published by the import once every file is read (a refusal stores nothing)
    digest = hashlib.sha256(text.encode()).hexdigest()
    pq.write_table(pa.Table.from_pylist(records, schema=GA4_SCHEMA), staging / f"ga4-{digest[:32]}.parquet")
    result.hosts = sorted(set(result.hosts) | {r["host"] for r in records})
    return len(records)


def publish_ga4(staging: Path, root: Path, result) -> None:
    """Move staged GA4 files into `analytics/`; an export already there counts as present."""
    for part in sorted(staging.glob("ga4-*.parquet")):
        rows = pq.read_metadata(part).num_rows
        target = storage.private_dir(storage.folder(root) / "analytics") / part.name
        if target.exists():
            result.present += rows
            continue
        part.chmod(0o600)
        part.replace(target)
        result.added += rows


GA4_SCHEMA = pa.schema([
    ("host", pa.string()), ("day", pa.date32()), ("start", pa.date32()), ("end", pa.date32()),
    ("path", pa.string()), ("country", pa.string()), ("device", pa.string()),
    ("views", pa.int64()), ("sessions", pa.int64()), ("users", pa.int64()), ("file", pa.string()),
])


def analytics_totals(root: Path) -> dict:
    """GA4 totals as exported (views, sessions, users summed over rows: GA4's users are not additive
    across rows; shown as exported), with the period and hosts; {} when none."""
    files = sorted((storage.folder(root) / "analytics").glob("ga4-*.parquet"))
    if not files:
        return {}
    table = pa.concat_tables([pq.read_table(f, schema=GA4_SCHEMA) for f in files]).to_pandas()
    days = [d for d in list(table["day"]) + list(table["start"]) + list(table["end"]) if isinstance(d, date)]
    return {"ga4": {
        "period": [min(days).isoformat(), max(days).isoformat()] if days else [None, None],
        "rows": int(len(table)), "views": int(table["views"].fillna(0).sum()),
        "sessions": int(table["sessions"].fillna(0).sum()), "users_summed_over_rows": int(table["users"].fillna(0).sum()),
        "hosts": sorted(table["host"].dropna().unique().tolist()),
    }}
