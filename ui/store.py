"""The app's one ResponseStore, on SURVEY_DATA_DIR or data/ beside app.py."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from survey import ResponseStore

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def data_dir() -> Path:
    return Path(os.environ.get("SURVEY_DATA_DIR") or DEFAULT_DATA_DIR)


@st.cache_resource
def _store(root: str) -> ResponseStore:
    return ResponseStore(root)


def get_store() -> ResponseStore:
    return _store(str(data_dir()))
