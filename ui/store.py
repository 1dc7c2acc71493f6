"""The app's one ResponseStore, on SURVEY_DATA_DIR or data/ beside app.py, and its usable questionnaires."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import streamlit as st

from survey import Instrument, ResponseStore
from survey.model import list_instruments

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def data_dir() -> Path:
    return Path(os.environ.get("SURVEY_DATA_DIR") or DEFAULT_DATA_DIR)


@st.cache_resource
def _store(root: str) -> ResponseStore:
    return ResponseStore(root)


def get_store() -> ResponseStore:
    return _store(str(data_dir()))


def usable_instruments(store: ResponseStore | None = None) -> tuple[dict[str, Instrument], dict[str, ValueError]]:
    """(the questionnaires the store can use now, the others with their problem), by id.

    A file that does not load, or whose change the stored answers cannot be read with
    (survey.versions.IncompatibleInstrument), is left out until the admin fixes it, so
    that the other questionnaires stay usable; the problem is logged."""
    store = store or get_store()
    usable, broken = {}, {}
    for name in list_instruments(store.instruments_dir):
        try:
            usable[name] = store.instrument(name)
        except ValueError as exc:   # InstrumentError, IncompatibleInstrument
            log.error("questionnaire %s cannot be used: %s", name, exc)
            broken[name] = exc
    return usable, broken
