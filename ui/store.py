"""The app's one ResponseStore, on SURVEY_DATA_DIR or data/ beside app.py, and its usable questionnaires."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from survey import Instrument, ResponseStore
from survey.command_line import default_data_dir
from survey.locale import texts
from survey.webhooks import worker as webhooks_worker
from ui.i18n import TEXT, t

log = logging.getLogger(__name__)

def data_dir() -> Path:
    return default_data_dir()


@st.cache_resource
def _store(root: str) -> ResponseStore:
    store = ResponseStore(root)
    webhooks_worker.start(root, store)  # once per data folder: webhooks go out beside the requests
    return store


def get_store() -> ResponseStore:
    return _store(str(data_dir()))


def usable_instruments(store: ResponseStore | None = None) -> tuple[dict[str, Instrument], dict[str, ValueError]]:
    """(the questionnaires the store can use now, the others with their problem), by id.

    A file that does not load, or whose change the stored answers cannot be read with
    (survey.store.versions.IncompatibleInstrument), is left out until the admin fixes it, so
    that the other questionnaires stay usable; the problem is logged."""
    store = store or get_store()
    usable, broken = {}, {}
    for name in store.instrument_ids():
        try:
            usable[name] = store.instrument(name)
        except ValueError as exc:   # InstrumentError, IncompatibleInstrument
            log.error("questionnaire %s cannot be used: %s", name, exc)
            broken[name] = exc
    return usable, broken


def usable_instruments_ui(lang: str) -> dict[str, Instrument]:
    """The questionnaires a page can use now (usable_instruments); each other one is named
    with its problem, and the page stops when none is left."""
    usable, broken = usable_instruments()
    unusable_ui(broken, lang)
    if not usable:
        st.error(t("no_instrument", lang), icon=":material/error:")
        st.stop()
    return usable


def unusable_texts(name: str, problem: Exception) -> dict[str, str]:
    """{lang: "The questionnaire 'name' cannot be used until ...: problem"}, for a message kept for later."""
    return texts(TEXT, "instrument_unusable", name=name, problem=str(problem))


def unusable_ui(broken: dict[str, ValueError], lang: str) -> None:
    """Name each questionnaire that cannot be used now, with its problem, for the admin to fix."""
    for name, exc in broken.items():
        st.warning(t("instrument_unusable", lang, name=name, problem=str(exc)), icon=":material/warning:")
