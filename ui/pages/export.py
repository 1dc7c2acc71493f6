"""Exports (supervisors and admins): microdata, codebooks, XLSForms, the indicator report.

Every file is built only when its button is pressed: Streamlit runs the button's data
callable in a worker thread (a deferred download). There the role is checked again
(auth.guarded), an identified file is refused to anyone but an admin
(analysis.export: ``identified_allowed``, recorded as denied) and the export is
recorded in the audit log under the user's name. The run of the page that the click
starts waits a moment for that build and says how it ended: the file's name and size,
or an ExportError's message in the page's language; never a traceback.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

import streamlit as st

from analysis.export import (
    CODEBOOK_FORMATS,
    MEDIA_TYPES,
    MICRODATA_FORMATS,
    REPORT_FORMATS,
    ExportError,
    codebook,
    export_filename,
    indicator_report,
    microdata,
    weight_texts,
    xlsform,
)
from analysis.export.microdata.replicates import REPLICATE_METHODS, design_replicates
from survey import Instrument
from survey import locale as formatting
from survey.fieldwork.audit_log import AuditLog
from survey.locale import LANGUAGE_NAMES, pick
from survey.questionnaire.model import InstrumentError
from ui import auth
from ui.api_tokens import own_tokens_ui
from ui.i18n import TEXT, current_lang, t
from ui.pages import registry
from ui.store import get_store, unusable_texts, usable_instruments_ui

FORMAT_NAMES = {"csv": "CSV", "parquet": "Parquet", "sav": "SPSS (.sav)", "dta": "Stata (.dta)",
                "xlsx": "Excel (.xlsx)", "html": "HTML"}
WAIT_START = 2.0   # seconds the click's run waits for the build to begin (none begins in AppTest)
WAIT_DONE = 300.0  # seconds it waits for the build to end
_BUILDS, _COUNTS = "_export_builds", "_export_counts"
log = logging.getLogger("survey.export")


class Build:
    """A download's data callable (`make`, already guarded), and how its build ended,
    for the page's next run."""

    def __init__(self, make: Callable[[], bytes], name: str):
        self.make, self.name = make, name
        self.started, self.done = threading.Event(), threading.Event()
        self.problem: dict[str, str] | None = None
        self.size = 0

    def __call__(self) -> bytes:
        self.started.set()
        try:
            data = self.make()
            self.size = len(data)
            return data
        except ExportError as exc:
            self.problem = exc.texts
            raise
        except PermissionError:
            self.problem = TEXT["no_access"]
            raise
        except InstrumentError as exc:   # the report needs every questionnaire; one cannot be used now
            self.problem = unusable_texts(exc.source, exc)
            raise
        except Exception:
            log.exception("export %s failed", self.name)
            self.problem = TEXT["page_failed"]
            raise
        finally:
            self.done.set()


def outcome_ui(build: Build, lang: str) -> None:
    """How the build the last click started ended."""
    if not build.started.wait(WAIT_START):
        return
    with st.spinner(t("export_building", lang)):
        finished = build.done.wait(WAIT_DONE)
    if not finished:
        st.info(t("export_still_building", lang), icon=":material/hourglass_top:")
    elif build.problem is not None:
        st.error(pick(build.problem, lang), icon=":material/error:")
    else:
        st.success(t("export_done", lang, name=build.name, size=formatting.number(build.size, lang, 0)),
                   icon=":material/task_alt:")


def download_ui(key: str, make: Callable[[], bytes], name: str, fmt: str, lang: str) -> None:
    """A download button whose file `make` builds on the click, the role checked again then."""
    builds = st.session_state.setdefault(_BUILDS, {})
    previous = builds.get(key)
    builds[key] = build = Build(auth.guarded("export", make), name)
    clicked = st.download_button(t("export_download", lang, name=name), data=build, file_name=name,
                                 mime=MEDIA_TYPES[fmt], key=key, icon=":material/download:")
    if clicked and previous is not None:
        outcome_ui(previous, lang)


def row_counts(store, tables: list[str]) -> dict[str, int]:
    """Rows per table, counted again only when the stored files change."""
    token = store.state_token()
    kept = st.session_state.get(_COUNTS)
    if kept is None or kept[0] != token:
        kept = (token, {table: store.count(table) for table in tables})
        st.session_state[_COUNTS] = kept
    return kept[1]


def store_tables(instruments: dict[str, Instrument]) -> list[str]:
    """Every table of the questionnaires: each main table, then its repeat groups."""
    out = []
    for inst in instruments.values():
        out += [inst.id, *(inst.table_name(r) for r in inst.repeats)]
    return out


def microdata_ui(user: auth.User, store, instruments: dict[str, Instrument], file_lang: str, lang: str) -> None:
    st.subheader(t("export_microdata", lang))
    st.caption(t("export_microdata_help", lang))
    left, right = st.columns(2)
    tables = store_tables(instruments)
    counts = row_counts(store, tables)
    table = left.selectbox(t("export_table", lang), tables, key="export_table", format_func=lambda name: t(
        "export_table_rows", lang, table=name, n=formatting.number(counts.get(name, 0), lang, 0)))
    fmt = right.selectbox(t("export_format", lang), MICRODATA_FORMATS, key="export_format",
                          format_func=FORMAT_NAMES.get)
    if user.role == "admin":
        st.checkbox(t("export_identified", lang), key="export_identified", help=t("export_identified_help", lang))
    else:
        st.caption(t("export_deidentified_only", lang))
    # Read from the state for every role: a forged request of a non-admin is refused
    # when the file is built, not merely hidden here.
    identified = st.session_state.get("export_identified") is True
    if identified and user.role == "admin":
        st.warning(t("export_identified_warning", lang), icon=":material/shield_person:")
    replicate = replicate_ui(identified, lang)
    reader = auth.session_user()

    def build() -> bytes:
        who = reader()
        return microdata(store, table, fmt, user=who.name, lang=file_lang, identified=identified, weights=True,
                         identified_allowed=who.role == "admin", replicate=replicate)

    download_ui("export_microdata", build, export_filename(table, fmt, identified, file_lang), fmt, lang)


def replicate_ui(identified: bool, lang: str) -> str | None:
    """The design variables of a de-identified file: strata and PSU, or replicate weights."""
    options = [None, *REPLICATE_METHODS]
    choice = st.selectbox(t("export_replicate", lang), options, key="export_replicate", disabled=identified,
                          format_func=lambda m: t("export_replicate_none", lang) if m is None
                          else t("export_replicate_method", lang, method=m),
                          help=t("export_replicate_help", lang))
    return None if identified else choice


def codebook_ui(store, instruments: dict[str, Instrument], file_lang: str, lang: str) -> None:
    st.subheader(t("export_codebook", lang))
    st.caption(t("export_codebook_help", lang))
    left, right = st.columns(2)
    instrument_id = left.selectbox(t("instrument", lang), list(instruments), key="codebook_instrument")
    fmt = right.selectbox(t("export_format", lang), CODEBOOK_FORMATS, key="codebook_format",
                          format_func=FORMAT_NAMES.get)
    reader = auth.session_user()
    replicate = st.session_state.get("export_replicate")   # the microdata's choice, documented

    def build() -> bytes:
        return codebook(store.instrument(instrument_id), fmt, user=reader().name, audit=AuditLog(store.root),
                        lang=file_lang, weights=weight_texts(store, instrument_id),
                        replicates=design_replicates(store, instrument_id, replicate) if replicate else None)

    download_ui("export_codebook", build, export_filename(f"codebook_{instrument_id}", fmt, None, file_lang), fmt,
                lang)


def xlsform_ui(store, instruments: dict[str, Instrument], lang: str) -> None:
    st.subheader(t("export_xlsform", lang))
    st.caption(t("export_xlsform_help", lang))
    instrument_id = st.selectbox(t("instrument", lang), list(instruments), key="xlsform_instrument")
    reader = auth.session_user()

    def build() -> bytes:
        return xlsform(store.instrument(instrument_id), user=reader().name, audit=AuditLog(store.root))

    download_ui("export_xlsform", build, export_filename(f"xlsform_{instrument_id}", "xlsx"), "xlsx", lang)


def report_ui(store, file_lang: str, lang: str) -> None:
    st.subheader(t("export_report", lang))
    st.caption(t("export_report_help", lang))
    fmt = st.radio(t("export_format", lang), REPORT_FORMATS, key="report_format", format_func=FORMAT_NAMES.get,
                   horizontal=True)
    reader = auth.session_user()

    def build() -> bytes:
        return indicator_report(store, fmt, user=reader().name, lang=file_lang)

    download_ui("export_report", build, export_filename("indicator_report", fmt, None, file_lang), fmt, lang)


def page() -> None:
    user = auth.gate("export")
    lang = current_lang()
    st.header(registry.title("export", lang))
    st.caption(t("export_intro", lang))
    languages = list(LANGUAGE_NAMES)
    file_lang = st.radio(t("export_lang", lang), languages, index=languages.index(lang), key="export_lang",
                         format_func=LANGUAGE_NAMES.get, horizontal=True)
    store = get_store()
    instruments = usable_instruments_ui(lang)   # a broken questionnaire file is exported once it is fixed
    with st.container(border=True):
        microdata_ui(user, store, instruments, file_lang, lang)
    with st.container(border=True):
        codebook_ui(store, instruments, file_lang, lang)
    with st.container(border=True):
        xlsform_ui(store, instruments, lang)
    with st.container(border=True):
        report_ui(store, file_lang, lang)
    with st.container(border=True):
        own_tokens_ui(user, lang)


page()
