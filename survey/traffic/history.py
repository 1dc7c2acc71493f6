"""What each import did (``<data>/traffic/imports.jsonl``), as a table for the page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from survey.traffic import storage

COLUMNS = ["at", "files", "format", "added", "present", "bad", "user"]


def import_history(root: Path) -> pd.DataFrame:
    """One row per import, newest last: at (UTC), files (names joined by ", "), format, added,
    present (already stored), bad (lines), user."""
    records = storage.read_history(Path(root))
    frame = pd.DataFrame([{c: r.get(c) for c in COLUMNS} for r in records], columns=COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["files"] = frame["files"].map(lambda f: ", ".join(f) if isinstance(f, list) else (f or ""))
    for column in ("added", "present", "bad"):
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame
