"""A data folder as the data API serves it, for the tests of api/ (REST, estimates, OData)."""

from __future__ import annotations

from pathlib import Path

import api.data
from tests.support.hashing import cheap_accounts as accounts_of

PASSWORD = "Kampung-offline-2026"


def served(root: Path, tmp_path: Path, monkeypatch) -> Path:
    """`root` as the API's data folder: its own snapshot folder, fresh rate limits, and the supervisor sup01."""
    monkeypatch.setenv("SURVEY_DATA_DIR", str(root))
    monkeypatch.setenv("SURVEY_API_SNAPSHOTS", str(tmp_path / "snapshots"))
    monkeypatch.setattr(api.data, "BUCKETS", api.data._Buckets())
    accounts_of(root).add("sup01", "supervisor", PASSWORD)
    return root
