"""Fixtures of the AppTest tests (the helpers that drive the app are in tests/support/app.py).

The app runs in this process, so its password hashing is swapped for a cheap one here;
production Argon2id would cost about a second for every login and every account made.
"""

from __future__ import annotations

import pytest

from tests.support.app import open_app
from tests.support.hashing import CHEAP_HASHER


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    from ui import auth

    monkeypatch.setattr(auth, "HASHER", CHEAP_HASHER)


@pytest.fixture(autouse=True)
def _background_work_ends_with_its_test():
    """What a page computes ahead (ui.results.data_cache.prefetch) is done before the next test starts."""
    yield
    from ui.results import data_cache as data
    data.wait_for_prefetch(timeout=120)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    root = tmp_path / "store"
    monkeypatch.setenv("SURVEY_DATA_DIR", str(root))
    return root


@pytest.fixture
def app(data_dir):
    """The entry page, logged in as the enumerator enum01."""
    return open_app(data_dir, "enum01")
