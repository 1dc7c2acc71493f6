"""The browser of the end-to-end tests (the helpers are in tests/support/browser.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.support.browser import launch


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless (a test module that uses it calls require_chromium() first)."""
    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()
