"""Fixtures of the data API's tests: a store served as the API serves one (helpers in tests/support/api.py)."""

from __future__ import annotations

import pytest

from survey.simulate import main as simulate
from tests.support.api import served


@pytest.fixture
def big(tmp_path, monkeypatch):
    """A simulated store with more than 1,000 roster rows, served to the supervisor sup01."""
    root = tmp_path / "big"
    simulate(["--households", "300", "--civil-servants", "2", "--agencies", "1", "--seed", "3", "--bulk",
              "--out", str(root)])
    return served(root, tmp_path, monkeypatch)
