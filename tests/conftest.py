"""Fixtures every test folder shares.

``analysis_store``: the one seeded store with awkward data (tests/support/analysis_store.py),
built once per run. It is a template: a test that changes a store copies it first
(``tests.support.analysis_store.copy_to``), and the session checks at its end that
nobody wrote into the template.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.analysis_store import build, fingerprint


@pytest.fixture(scope="session")
def analysis_store(tmp_path_factory) -> Path:
    root = build(tmp_path_factory.mktemp("analysis_store") / "store")
    before = fingerprint(root)
    yield root
    assert fingerprint(root) == before, "a test wrote into the shared analysis store; copy it first (copy_to)"
