"""What the analysis pages show, computed once per state of the data: the app's only st.cache_data.

Every Dataset (:func:`analysis.dataset.dataset.load_dataset`) and every result a page draws
(SummaryTables, the choices of its widgets, an enumerator's list of submissions) is
cached here, keyed on :func:`data_token` (the store's ``state_token()``: a digest of
each table folder's file names, plus the modification time and size of the
questionnaires, ``frame.csv`` and ``population.csv``), the language and the options.
So a rerun, or a page refreshing itself, with nothing new stored costs one listing
per table folder; a new submission, a review, an upload or an edited questionnaire
changes the token and the next run reads and computes again.

Three caches, each bounded.  Small results (tables, a widget's choices) in ``st.cache_data``,
which keeps pickles and hands each caller its own copy.  Datasets (about 190 MB pickled at
100,000 households) and the monitor's and the review queue's large tables in
``st.cache_resource``: one object shared by every session, never pickled (unpickling a
Dataset cost every reader 0.3-1 s at 100,000 households).  Nothing a session does can change
them all the same: a Dataset is read-only by construction (``SurveyDesign.data`` hands out a
copy-on-write copy of its frame, its arrays are not writeable, :func:`_frozen` makes the
tables' household positions so too), and :func:`shared` hands each caller shallow copies
of the frames it returns (copy-on-write: an edit copies, the cached frame stays as it was).
The questionnaires inside a Dataset hold read-only mappings (``types.MappingProxyType``),
which the pickle module cannot store: a reducer registered here stores their contents and
makes them read-only again on loading (results that hold a questionnaire).
"""

from __future__ import annotations

import copyreg
import dataclasses
import datetime as dt
import functools
import logging
import threading
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from analysis import results_cache
from analysis.dataset.dataset import Dataset, load_dataset
from analysis.dataset.provenance import Provenance
from analysis.results_cache import data_token  # the key shared with the data API's cache
from survey.locale import WIB
from survey.questionnaire.analysis_defaults import CrosstabDefault
from survey.questionnaire.schema import COUNTED_STATUSES
from ui.store import get_store

log = logging.getLogger(__name__)
DATASET_ENTRIES = 8      # instruments x languages, and the generation a refresh replaces
RESULT_ENTRIES = 256
SHARED_ENTRIES = 16      # the monitor's and the review's large tables, per instrument, language and state


def _readonly(contents: dict) -> types.MappingProxyType:
    return types.MappingProxyType(contents)


copyreg.pickle(types.MappingProxyType, lambda mapping: (_readonly, (dict(mapping),)))


@dataclass(frozen=True)
class View:
    """Which analysis data a result is computed on: an instrument's Dataset with labels in
    ``lang``, restricted to a domain (``Dataset.filter``), weighted or not."""

    instrument: str
    lang: str
    weighted: bool = True
    dates: tuple | None = None                     # (first, last) WIB days, either may be None
    enumerators: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    answers: tuple[tuple[str, tuple[str, ...]], ...] = ()   # (choice question, the choices kept)

    @property
    def filtered(self) -> bool:
        return any(v is not None for v in (self.dates, self.enumerators, self.statuses)) or bool(self.answers)

    def apply(self, data: Dataset) -> Dataset:
        if self.filtered:
            data = data.filter(dates=self.dates, enumerators=self.enumerators, statuses=self.statuses,
                               **dict(self.answers))
        return data if self.weighted else data.unweighted()


# ---- the caches ---------------------------------------------------------------------------------
@st.cache_resource(max_entries=DATASET_ENTRIES, show_spinner=False)
def _dataset(root: str, token: tuple, instrument_id: str, lang: str, _store=None) -> Dataset:
    return _frozen(load_dataset(_store, instrument_id, lang=lang, statuses=COUNTED_STATUSES))


@st.cache_data(max_entries=RESULT_ENTRIES, show_spinner=False)
def _result(root: str, token: tuple, what: str, args: tuple, _compute: Callable = None) -> Any:
    return _compute(*args)


@st.cache_resource(max_entries=SHARED_ENTRIES, show_spinner=False)
def _shared(root: str, token: tuple, what: str, args: tuple, _compute: Callable = None) -> Any:
    return _compute(*args)


def _frozen(data: Dataset) -> Dataset:
    """The Dataset shared by every session: its last writeable arrays made read-only (the designs'
    own arrays already are, and their frames are handed out as copy-on-write copies)."""
    for table in data.tables.values():
        if table.household is not None:
            table.household.flags.writeable = False
    return data


def _handed(value: Any) -> Any:
    """``value`` as one caller gets it from the shared cache: every DataFrame and Series in it (in
    tuples, lists, dicts and dataclasses) a shallow copy-on-write copy, so an edit stays the caller's."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if type(value) is tuple or type(value) is list:
        return type(value)(_handed(v) for v in value)
    if isinstance(value, tuple) and hasattr(value, "_fields"):   # a named tuple
        return type(value)(*(_handed(v) for v in value))
    if type(value) is dict:
        return {k: _handed(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _handed(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    return value


def _store(store):
    return get_store() if store is None else store


def dataset(instrument_id: str, lang: str, store=None) -> Dataset:
    """The instrument's Dataset (every status but rejected), labels in ``lang``."""
    store = _store(store)
    return _dataset(str(store.root), data_token(store), instrument_id, lang, _store=store)


def cached(what: str, compute: Callable, *args, store=None) -> Any:
    """``compute(store, *args)`` cached under ``what`` (a name unique to ``compute``), the
    store's state and ``args``."""
    store = _store(store)
    return _result(str(store.root), data_token(store), what, args, _compute=functools.partial(compute, store))


def shared(what: str, compute: Callable, *args, store=None) -> Any:
    """As :func:`cached`, for large results (tables of every response): computed once per state of
    the store and kept unpickled, each caller handed its own shallow copies (:func:`_handed`)."""
    store = _store(store)
    found = _shared(str(store.root), data_token(store), what, args, _compute=functools.partial(compute, store))
    return _handed(found)


# ---- tables -----------------------------------------------------------------------------------
# A page asks for a result by its builder (question_table, crosstab_table, an indicator table's
# build, weights_table...) and the builder's arguments: the cache keys on the builder's qualified
# name (analysis.results_cache.qualified_name), so a reader, a test or a tool sees which estimator
# a page shows, and no dict of names stands between them.
def _build(store, token: tuple, builder: Callable, views: tuple[View, ...], options: tuple):
    def load(view: View) -> Dataset:
        return view.apply(_dataset(str(store.root), token, view.instrument, view.lang, _store=store))

    langs = {view.lang for view in views}
    if len(langs) == 1 and all(view == View(view.instrument, view.lang) for view in views):
        # the whole weighted data, as the data API asks for: built once for both (analysis.results_cache)
        by_name = {view.instrument: view for view in views}
        return results_cache.result(builder, store, tuple(by_name), langs.pop(), _token=token,
                                    _load=lambda name: load(by_name[name]), **dict(options))
    return builder(*[load(view) for view in views], **dict(options))


def table(builder: Callable, views: View | Iterable[View], store=None, **options):
    """The SummaryTable ``builder(*datasets, **options)`` builds from the views' datasets (None where
    an indicator table has no data yet), cached under the builder's qualified name and the arguments."""
    store = _store(store)
    views = (views,) if isinstance(views, View) else tuple(views)
    token = data_token(store)
    name = results_cache.qualified_name(builder)
    args = (views, tuple(sorted(options.items())))
    return _result(str(store.root), token, f"table:{name}", args,
                   _compute=functools.partial(_build, store, token, builder))


# ---- the choices of a page's widgets ------------------------------------------------------------
@dataclass(frozen=True)
class ChoosableVariable:
    """A variable a page's selectors offer (question, breakdown, filter): its labels and choices,
    small enough to pickle in the cache, unlike the Dataset's own variables."""

    name: str
    labels: Mapping[str, str]          # {lang: text}
    kind: str                          # categorical | multiple | number
    table: str                         # the table that holds it
    choices: tuple[tuple[str, Mapping[str, str]], ...] = ()   # (choice name, {lang: label})


@dataclass(frozen=True)
class Facets:
    """What a page offers to choose from for one instrument (small, pickled in the cache)."""

    instrument: str
    title: Mapping[str, str]
    provenance: Provenance
    design_weighted: bool              # the design makes weights (a frame, counts or a calibration)
    questions: tuple[ChoosableVariable, ...]        # questions with estimates, form order, PII left out
    groups: Mapping[str, tuple[ChoosableVariable, ...]] = field(default_factory=dict)  # table -> its choices
    area: ChoosableVariable | None = None           # the design's strata (or census) question, for the area filter
    enumerators: tuple[str, ...] = ()
    days: tuple[dt.date, dt.date] | None = None
    crosstab: CrosstabDefault | None = None         # the cross-tab shown first (the questionnaire's analysis: block)
    explore: str | None = None                      # the question Explore shows first (the same block)

    def question(self, name: str) -> ChoosableVariable:
        return next(q for q in self.questions if q.name == name)

    def breakdowns(self, name: str) -> tuple[ChoosableVariable, ...]:
        """Choice variables that can break ``name``'s estimates down (its table's, itself left out)."""
        return tuple(v for v in self.groups.get(self.question(name).table, ()) if v.name != name)


def _variable(var, table: str) -> ChoosableVariable:
    labels = var.value_labels() if var.kind == "categorical" else {}
    choices = tuple((c, labels[c]) for c in var.choices) if var.kind == "categorical" else ()
    return ChoosableVariable(var.name, dict(var.labels), var.kind, table, choices)


def _facets(store, token: tuple, instrument_id: str, lang: str) -> Facets:
    data = _dataset(str(store.root), token, instrument_id, lang, _store=store)
    frame = data.main.frame
    enumerators = tuple(sorted(frame["_enumerator"].dropna().astype(str).unique())) if "_enumerator" in frame else ()
    days = None
    if "_submitted_at" in frame and frame["_submitted_at"].notna().any():
        local = frame["_submitted_at"].dropna().dt.tz_convert(WIB)
        days = (local.min().date(), local.max().date())
    return facets_of(data, enumerators, days)


def facets_of(data, enumerators: tuple[str, ...], days) -> Facets:
    """The Facets of ``data`` (a Dataset, or out of core a StoreData: both have the instrument,
    questions, tables and provenance) with its enumerators and (first, last) WIB days."""
    inst, spec = data.instrument, data.instrument.design
    questions = tuple(_variable(v, data.table_of(v.name).name) for v in data.questions())
    groups = {name: tuple(_variable(v, name) for v in t.variables.values()
                          if v.kind == "categorical" and not v.question.pii)
              for name, t in data.tables.items()}
    area_name = spec.strata or spec.census
    area = next((v for v in groups.get(inst.id, ()) if v.name == area_name), None)
    return Facets(inst.id, dict(inst.title), data.provenance, spec.weighted, questions, groups, area,
                  enumerators, days, inst.analysis.crosstab, inst.analysis.explore)


def facets(instrument_id: str, lang: str, store=None) -> Facets:
    store = _store(store)
    token = data_token(store)
    return _result(str(store.root), token, "facets", (instrument_id, lang),
                   _compute=functools.partial(_facets, store, token))


def days_filter(chosen: Iterable[dt.date]) -> tuple | None:
    """A date_input's range as View.dates: () -> None, (first,) -> (first, None)."""
    chosen = tuple(chosen or ())
    if not chosen:
        return None
    first = pd.Timestamp(chosen[0]).date().isoformat()
    last = pd.Timestamp(chosen[-1]).date().isoformat() if len(chosen) > 1 else None
    return first, last


# ---- computing ahead ----------------------------------------------------------------------------
_prefetching: dict[tuple, threading.Thread] = {}
_prefetching_lock = threading.Lock()


def prefetch(name: str, builds: Iterable[Callable[[], Any]], store=None) -> None:
    """Call ``builds`` (each fills this module's caches) in a background thread, so that the
    page on screen finishes its run now and the next choice is a read from the cache.  One
    thread per ``name`` and state of the store at a time; a choice made before it is done
    waits for the same cache entry (``st.cache_data`` computes a key once) instead of
    computing it again.  A failure is only logged: the page that needs it reports it itself."""
    store = _store(store)
    key = (name, str(store.root), data_token(store))
    builds = list(builds)
    with _prefetching_lock:
        for done in [k for k, thread in _prefetching.items() if not thread.is_alive()]:
            del _prefetching[done]
        if key in _prefetching:
            return
        thread = threading.Thread(target=_run_all, args=(name, builds), name=f"prefetch-{name}", daemon=True)
        ctx = get_script_run_ctx(suppress_warning=True)
        if ctx is not None:
            add_script_run_ctx(thread, ctx)   # the caches log a warning in a thread without one
        _prefetching[key] = thread
    thread.start()


def _run_all(name: str, builds: list[Callable[[], Any]]) -> None:
    for build in builds:
        try:
            build()
        except Exception:   # noqa: BLE001 - computing ahead must never break anything
            log.exception("computing %s ahead failed", name)


def wait_for_prefetch(timeout: float | None = None) -> None:
    """Wait until every background computation has ended (for tests and the benchmark)."""
    with _prefetching_lock:
        threads = list(_prefetching.values())
    for thread in threads:
        thread.join(timeout)


# ---- past SURVEY_OUT_OF_CORE_ROWS (issue 24): no Dataset, the store's rows through DuckDB -------
from ui.results import out_of_core_pages  # noqa: E402

table, facets = out_of_core_pages.dispatching(table, facets)


def out_of_core(instrument_id: str, store=None) -> bool:
    """Whether the analysis pages compute the instrument's tables out of core (past the setting), so
    that a view only the in-memory Dataset makes (the kelurahan model) is not offered."""
    store = _store(store)
    return out_of_core_pages.active(store, data_token(store), instrument_id)
