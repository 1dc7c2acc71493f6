"""The analysis pages past ``SURVEY_OUT_OF_CORE_ROWS`` rows: no Dataset, the store's rows through DuckDB.

:func:`dispatching` wraps ``ui.results.data_cache``'s ``table`` and ``facets``: when a table of the
instrument has more stored rows than the setting (a cheap count: :func:`stored_rows`, the Parquet
files' footers), the widgets' choices and the Explore and Cross-tab tables come from
:mod:`analysis.outofcore.store_source` (answers and design weights made by DuckDB on Parquet
copies of the store's current rows) and :mod:`analysis.outofcore.store_data`, and the
in-memory Dataset is never built.  What that path does not handle (another builder or interval
method, base weights from counts, a census, a raking that fails: see ``store_source.supported``) goes
the in-memory way, as below the setting, with a note that says so.  The cache token
(``analysis.results_cache.data_token``) carries the setting, so changing it never serves a result
made under the other one, to a page or to the data API.
"""

from __future__ import annotations

import atexit
import functools
import threading
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq

from analysis import results_cache
from analysis.indicators.sections import section_of
from analysis.outofcore import store_data, store_source
from analysis.tables import out_of_core, out_of_core_histogram, out_of_core_indicators, out_of_core_models
from analysis.tables.histograms import histogram_table
from analysis.tables.question_tables import crosstab_table, question_table
from survey.questionnaire.schema import COUNTED_STATUSES

KEPT = 2   # instruments' rows kept on disk at once (each a private folder of Parquet files, removed at exit)
_rows: dict[tuple, object] = {}       # (root, token, instrument) -> StoreRows or NotOutOfCore
_sizes: dict[tuple, bool] = {}
_lock = threading.Lock()
_building: dict[tuple, threading.Lock] = {}


@atexit.register
def forget() -> None:
    """Remove every kept instrument's rows and forget the sizes (at exit, and between a benchmark's rounds)."""
    with _lock:
        kept = list(_rows.values())
        _rows.clear()
        _sizes.clear()
        _building.clear()
    for made in kept:
        if isinstance(made, store_source.StoreRows):
            made.close()


def stored_rows(store, table: str) -> int:
    """The rows of the table's Parquet files, from their footers (milliseconds; every stored revision
    counts, so a little above ``ResponseStore.count``, which reads the rows' keys: its fallback)."""
    try:
        return sum(pq.read_metadata(path).num_rows for path in store.table_folder(table).glob("*.parquet"))
    except (OSError, pa.ArrowInvalid):   # a file compacted away (or being written) meanwhile
        return store.count(table)


def large(store, token: tuple, instrument_id: str) -> bool:
    """True when a table of the instrument has more stored rows than the setting."""
    limit = out_of_core.row_limit()
    key = (str(store.root), token, instrument_id, limit)
    if key not in _sizes:
        inst = store.instrument(instrument_id)
        names = [inst.id, *(inst.table_name(r) for r in inst.repeats)]
        _sizes[key] = max(stored_rows(store, name) for name in names) > limit
        if len(_sizes) > 64:
            _sizes.pop(next(iter(_sizes)))
    return _sizes[key]


def rows(store, token: tuple, instrument_id: str):
    """The instrument's StoreRows (made once per state of the store), or None when not out of core."""
    key = (str(store.root), token, instrument_id)
    with _lock:
        building = _building.setdefault(key, threading.Lock())
    with building:   # one build per key, whoever asks first
        if key not in _rows:
            try:
                made = store_source.build(store, instrument_id, COUNTED_STATUSES)
            except store_source.NotOutOfCore as exc:
                made = exc
            with _lock:
                _rows[key] = made
                while len(_rows) > KEPT:   # the oldest state's rows, and its build lock with them
                    oldest = next(iter(_rows))
                    old = _rows.pop(oldest)
                    _building.pop(oldest, None)
                    if isinstance(old, store_source.StoreRows):
                        old.close()
    found = _rows[key]
    return None if isinstance(found, store_source.NotOutOfCore) else found


def data_of(store, token: tuple, view) -> store_data.StoreData | None:
    """The view's data (a StoreData in the view's domain and weights), or None."""
    made = rows(store, token, view.instrument)
    if made is None:
        return None
    data = _base(made, store.instrument(view.instrument), view.lang)
    return data.view(view.weighted, view.dates, view.enumerators, view.statuses, view.answers)


def _base(made, inst, lang: str) -> store_data.StoreData:
    """The rows' StoreData with labels in ``lang`` (made once per language)."""
    with _lock:
        found = made.labelled.get(lang)
    if found is None:
        found = store_data.build(made, inst, lang)
        with _lock:
            made.labelled[lang] = found
    return found


# the builders that take a StoreData: a page's builder -> the one that makes its table out of core
BUILDERS = {question_table: question_table, histogram_table: out_of_core_histogram.histogram_table,
            crosstab_table: crosstab_table}
KINDS = {question_table: ("categorical", "multiple", "number"), histogram_table: ("number",), crosstab_table: ("categorical",)}
# the Indicators page's household and individual sections (ITU HH1-HH18): their builders -> the out-of-core ones
INDICATORS = {section_of("household").tables[0].build: out_of_core_indicators.household_indicator_table,
              section_of("individual").tables[0].build: out_of_core_indicators.individual_indicator_table}


def active(store, token: tuple, instrument_id: str) -> bool:
    """Whether the pages compute the instrument's tables out of core (past the setting, its design
    one the out-of-core build reproduces)."""
    return large(store, token, instrument_id) and rows(store, token, instrument_id) is not None


def _handled(store, token: tuple, builder: Callable, views: tuple, options: dict) -> bool:
    """Whether the out-of-core path makes this table: the Explore question table of a choice or a
    number, a number's histogram, the cross-tab of choices (logit intervals) and the household and
    individual indicators, on instruments past the setting whose design it reproduces (select_multiple
    questions included)."""
    known = builder in BUILDERS or builder in INDICATORS
    if not known or len(views) != 1 or options.get("ci_method", "logit") != "logit":
        return False
    view = views[0]
    if not active(store, token, view.instrument):
        return False
    data = _base(rows(store, token, view.instrument), store.instrument(view.instrument), view.lang)
    if builder in INDICATORS:
        return out_of_core_indicators.handles(data, INDICATORS[builder], options.get("by"))
    names = [options.get(k) for k in ("question", "row", "col", "layer") if options.get(k)]
    tables = [t for t in data.tables.values() if all(n in t.variables for n in names)]
    return bool(names) and bool(tables) and all(tables[0].variables[n].kind in KINDS[builder] for n in names)


def _why_not(store, token: tuple, views: tuple) -> str | None:
    """Why a table past the setting is computed in memory (a code of ui.i18n's ooc_why_*), or None
    below the setting and when no answer was kept (nothing to compute)."""
    instruments = [name for name in dict.fromkeys(view.instrument for view in views) if large(store, token, name)]
    if not instruments:
        return None
    for name in instruments:   # never builds the rows only to say why (the design says, or a build did)
        why = store_source.supported(store.instrument(name).design)
        found = _rows.get((str(store.root), token, name))
        if why is not None:
            return store_source.code_of(why)
        if isinstance(found, store_source.NotOutOfCore):
            return None if found.code == "empty" else found.code
    return "table"


def _in_memory(made, why: str):
    """``made`` with the note saying why it was computed in memory past the setting. A large table of
    an in-memory Dataset may still have had its sums made by DuckDB (analysis.tables.out_of_core, whose
    note it then carries): the note then says that the design and weights were made in memory."""
    from survey.locale import LANGUAGES, number
    from ui.i18n import t

    key = "out_of_core_weights_in_memory" if out_of_core.NOTE in made.notes else "out_of_core_in_memory"
    return made.with_note({lang: t(key, lang, rows=number(out_of_core.row_limit(), lang, 0),
                                   why=t(f"ooc_why_{why}", lang)) for lang in LANGUAGES})


def model_table(store, view, outcome: str, predictors: tuple, choice: str | None, in_memory: Callable):
    """The Explore page's regression model: out of core past the setting (analysis.tables.out_of_core_models),
    else ``in_memory()``, with the note that says so past the setting (a model whose terms are nearly
    collinear or whose outcome is separated takes the in-memory reference path)."""
    now = results_cache.data_token(store)
    if active(store, now, view.instrument):
        made = out_of_core_models.model_table(data_of(store, now, view), outcome, predictors, choice=choice)
        if made is not None:
            return made
        why = "model"
    else:
        why = _why_not(store, now, (view,))
    made = in_memory()
    return made if why is None else _in_memory(made, why)


def _table(store, token: tuple, builder: Callable, views: tuple, options: tuple):
    build = BUILDERS.get(builder) or INDICATORS[builder]
    return build(*[data_of(store, token, view) for view in views], **dict(options))


def _facets(store, token: tuple, instrument_id: str, lang: str):
    from ui.results import data_cache as cache

    made = rows(store, token, instrument_id)
    return cache.facets_of(_base(made, store.instrument(instrument_id), lang), made.enumerators, made.days)


def dispatching(table: Callable, facets: Callable):
    """(table, facets) for ``ui.results.data_cache``, going out of core past the setting (see the module
    docstring); the cache token (``analysis.results_cache.data_token``) carries the setting."""
    from ui.results import data_cache as cache

    token = cache.data_token

    def ooc_table(builder: Callable, views, store=None, **options):
        store = cache._store(store)
        views = (views,) if isinstance(views, cache.View) else tuple(views)
        now = token(store)
        if not _handled(store, now, builder, views, options):
            made = table(builder, views, store, **options)
            why = _why_not(store, now, views)
            return made if why is None or not hasattr(made, "with_note") else _in_memory(made, why)
        name = results_cache.qualified_name(builder)
        return cache._result(str(store.root), now, f"out_of_core:{name}", (views, tuple(sorted(options.items()))),
                             _compute=functools.partial(_table, store, now, builder))

    def ooc_facets(instrument_id: str, lang: str, store=None):
        store = cache._store(store)
        now = token(store)
        if not active(store, now, instrument_id):
            return facets(instrument_id, lang, store)
        return cache._result(str(store.root), now, "out_of_core:facets", (instrument_id, lang),
                             _compute=functools.partial(_facets, store, now))

    ooc_table.__doc__, ooc_facets.__doc__ = table.__doc__, facets.__doc__
    return ooc_table, ooc_facets
