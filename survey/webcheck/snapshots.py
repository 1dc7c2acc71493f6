"""The checks' dated snapshots, one JSON line per site and check, and the agencies' addresses.

``<data folder>/webcheck/snapshots.jsonl``: each line is one site's snapshot (the fields of
``--format json``) with ``agency`` (the agency's choice name, or null for an address typed on
the command line that no agency gave).  Lines are only ever appended (a whole line in one
write, then fsync), so the file is the history a city reads its change over time from; a
torn last line (a crash mid-write) is skipped on reading.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

FOLDER = "webcheck"
FILE = "snapshots.jsonl"
MAX_LINE = 1_000_000


def snapshots_path(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / FOLDER / FILE


def append(data_dir: str | os.PathLike, snapshot: dict) -> None:
    path = snapshots_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(snapshot, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_all(data_dir: str | os.PathLike) -> list[dict]:
    """Every stored snapshot, oldest first (unreadable lines skipped)."""
    path = snapshots_path(data_dir)
    if not path.exists():
        return []
    out = []
    with open(path, "rb") as lines:
        for raw in lines:
            if len(raw) > MAX_LINE:
                continue
            try:
                item = json.loads(raw)
            except ValueError:
                continue
            if isinstance(item, dict) and isinstance(item.get("url"), str):
                out.append(item)
    return out


def agency_addresses(data_dir: str | os.PathLike) -> dict[str, str]:
    """{website address: agency} from each agency's latest response in the store that gives one."""
    from survey.store.response_store import ResponseStore

    store = ResponseStore(data_dir, audit=False)
    if "agency" not in store.instrument_ids():
        return {}
    frame = store.read("agency")
    if frame.empty or "website_url" not in frame.columns:
        return {}
    if "_status" in frame.columns:
        frame = frame[frame["_status"] != "rejected"]
    if "_submitted_at" in frame.columns:
        frame = frame.sort_values("_submitted_at", kind="stable")
    latest = frame.drop_duplicates("agency", keep="last")
    return {str(row.website_url).strip(): str(row.agency) for row in latest.itertuples()
            if isinstance(row.website_url, str) and row.website_url.strip()}
