"""Live results: the part of a page that redraws itself while the page is open.

A page keeps its choice widgets outside and draws its results with a function
decorated by :func:`live`: a fragment (``st.fragment(run_every=...)``) that reruns
every ``SURVEY_REFRESH_SECONDS`` seconds (default 30; 0 turns refreshing off) with
the choices of the page's last full run.  Each rerun reads only when the store
changed (ui.results.data_cache's cache is keyed on the store's state), so an idle refresh costs
one folder listing per table.

A refresh is not a user action: :func:`refresh` ends an idle session
(``auth.end_if_idle``) and never touches the session clock, so the 30-minute idle
logout happens on a page left open.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Callable

import streamlit as st

from ui import auth

DEFAULT_REFRESH_SECONDS = 30.0
log = logging.getLogger(__name__)


def refresh_seconds() -> float | None:
    """Seconds between refreshes from SURVEY_REFRESH_SECONDS (None: no refresh)."""
    raw = os.environ.get("SURVEY_REFRESH_SECONDS", "").strip()
    if not raw:
        return DEFAULT_REFRESH_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        log.warning("SURVEY_REFRESH_SECONDS=%r is not a number; refreshing every %.0f s", raw,
                    DEFAULT_REFRESH_SECONDS)
        return DEFAULT_REFRESH_SECONDS
    return seconds if seconds > 0 else None


def refresh(draw: Callable, *args, **kwargs) -> None:
    """One drawing of a page's results: an idle session ends first; the session clock is left alone."""
    auth.end_if_idle()
    draw(*args, **kwargs)


def live(draw: Callable) -> Callable:
    """``draw`` as a fragment that redraws itself every :func:`refresh_seconds`."""
    @functools.wraps(draw)
    def results(*args, **kwargs) -> None:
        refresh(draw, *args, **kwargs)

    return st.fragment(results, run_every=refresh_seconds())
