"""What the monitor and the review queue show, read through ui.results.data_cache's cache.

``snapshot(store, instrument_id, lang)`` gathers what the monitor shows first (visit
records and their dispositions, response rates, progress against the frame,
durations, quality flags) as plain tables; ``precision(...)`` the precision tracker, apart
because only its own tab shows it (the monitor computes it in the background after drawing
the first tab, issue 22, section 3); ``queue(...)`` the review page's queue and its flags. Both are ``ui.results.data_cache.shared`` results (kept
unpickled: a refresh no longer unpickles 100,000 rows), keyed on the store's state (and the
questionnaires, frame.csv and population.csv), so a page refreshing itself reads and computes
again only when something changed; the analysis Dataset is ui.results.data_cache's, shared
with the analysis pages.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.dataset.datafiles import FRAME_FILE, read_csv
from analysis.dataset.dataset import analysed_rows
from analysis.dataset.provenance import sentence as provenance_sentence
from analysis.dataset.response_rates import LEVELS, nonresponse_adjustment, response_rates_at
from analysis.monitoring import progress as fieldwork
from analysis.monitoring.precision import precision_tracker
from analysis.monitoring.quality_state import checked
from survey.fieldwork.quality import FLAGS, aligned
from ui.results import data_cache as data


@dataclass(frozen=True)
class Snapshot:
    """What the monitor shows of one questionnaire (every table plain, picklable)."""

    instrument: str
    records: int                              # stored records, every status
    visits: pd.DataFrame                      # analysis.monitoring.progress.visits (rejected left out)
    flagged: pd.DataFrame                     # survey.fieldwork.quality.flags of the counted visits, with their columns
    # response id -> its flags, in order; read-only, so the shared cache hands it out as it is (copying
    # a dict of 60,000 tuples for each of a run's three asks took 0.1 s)
    flag_reasons: Mapping = field(default_factory=dict)
    rates: dict = field(default_factory=dict)  # level -> analysis.dataset.response_rates.response_rates
    areas: dict = field(default_factory=dict)  # level -> analysis.monitoring.progress.per_area
    per_day: pd.DataFrame | None = None
    per_enumerator: pd.DataFrame | None = None
    durations: dict = field(default_factory=dict)
    adjustment: pd.DataFrame | None = None    # analysis.dataset.response_rates.nonresponse_adjustment per PSU
    has_frame: bool = False
    statuses: dict = field(default_factory=dict)  # status -> stored responses
    flag_counts: pd.DataFrame | None = None   # flag_counts(): how many of the checked interviews each flag fires on
    responses: int = 0                        # the analysis Dataset's responses (its Provenance.responses) ...
    last_submitted_at: pd.Timestamp | None = None   # ... and the newest one's submission (UTC)

    def sentence(self, lang: str) -> str:
        """The analysis Dataset's ``Provenance.sentence``: how many responses, the last when."""
        return provenance_sentence(self.responses, self.last_submitted_at, lang)


def snapshot(store, instrument_id: str, lang: str) -> Snapshot:
    """Everything the monitor shows of ``instrument_id``, computed once per change of the store."""
    return data.shared("monitor_snapshot", _snapshot, instrument_id, lang, store=store)


def precision(store, instrument_id: str, lang: str) -> pd.DataFrame | None:
    """analysis.monitoring.precision.precision_tracker of ``instrument_id`` (None when it asks no
    headline indicator), from the shared Dataset, computed once per change of the store."""
    return data.shared("monitor_precision", _precision_of, instrument_id, lang, store=store)


def precision_ready(store, instrument_id: str, lang: str) -> bool:
    """Whether :func:`precision` of the store as it is now has been computed in this process (so
    that asking for it is a read from the cache, not a computation)."""
    with _ready_lock:
        return (str(store.root), data.data_token(store), instrument_id, lang) in _ready


_ready: set = set()   # (data folder, state of the store, questionnaire, language) of computed precisions
_ready_lock = threading.Lock()


def forget() -> None:
    """Forget which precisions were computed (with the caches cleared: a benchmark's new round)."""
    with _ready_lock:
        _ready.clear()


def _precision_of(store, instrument_id: str, lang: str) -> pd.DataFrame | None:
    token = data.data_token(store)
    inst = store.instrument(instrument_id)
    frame = read_csv(Path(store.root) / FRAME_FILE) if inst.design.base == "frame" else None
    found = _precision(data.dataset(instrument_id, lang, store=store), frame)
    with _ready_lock:
        if len(_ready) > 64:   # earlier states of the store: forgotten
            _ready.clear()
        _ready.add((str(store.root), token, instrument_id, lang))
    return found


def queue(store, instrument_id: str, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the review queue, the flags) of ``instrument_id``: lighter than the whole snapshot."""
    return data.shared("review_queue", _queue, instrument_id, lang, store=store)


def _quality(store, instrument_id: str, lang: str):
    """(current records, durations, flags): read and checked once per change of the store, only the
    changed responses one by one (analysis.monitoring.quality_state)."""
    return checked(store, instrument_id, lang)


def _checked(store, instrument_id: str, lang: str):
    return data.shared("monitor_quality", _quality, instrument_id, lang, store=store)


def _queue(store, instrument_id: str, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    records, times, raised = _checked(store, instrument_id, lang)
    return review_queue(store.instrument(instrument_id), records, times, raised), raised


def _precision(dataset, frame) -> pd.DataFrame | None:
    """The headline indicators' precision, for a questionnaire that asks their questions."""
    if dataset.main.design is None:
        return None
    try:
        return precision_tracker(dataset, frame)
    except KeyError:   # not the household questionnaire: no HH4, HH6, HH7
        return None


def _snapshot(store, instrument_id: str, lang: str) -> Snapshot:
    """The snapshot from the checked records alone: the Dataset (designs, weights, calibrations)
    is not needed for it, so the page's first paint after a submission does not wait for one; the
    rows the analysis keeps, its count and its non-response adjustment are the Dataset's (tested)."""
    inst = store.instrument(instrument_id)
    records, times, raised = _checked(store, instrument_id, lang)
    frame = read_csv(Path(store.root) / FRAME_FILE) if inst.design.base == "frame" else None
    visits = fieldwork.visits(inst, records, times)
    strata, psu = inst.design.strata, inst.design.psu
    areas = {}
    if strata:
        levels = ("stratum", "kelurahan", "psu") if psu else ("stratum",)
        areas = {level: fieldwork.per_area(visits, frame, strata, psu, level) for level in levels}
    keep = analysed_rows(inst, records)[0] if len(records) else np.zeros(0, dtype=bool)
    kept = records[keep].reset_index(drop=True)
    adjustment = None
    if inst.design.base == "frame" and frame is not None and psu:
        # what the base weights go through (analysis.dataset.design_weights), from the same rows
        _, adjustment = nonresponse_adjustment(inst, inst.design, kept, records, frame)
    last = kept["_submitted_at"].max() if "_submitted_at" in kept and len(kept) else None
    statuses = records["_status"].astype("string").value_counts().to_dict() if len(records) else {}
    flagged = counted_flags(visits, raised)
    return Snapshot(
        instrument=inst.id, records=len(records), visits=visits, flagged=flagged,
        flag_reasons=MappingProxyType(flag_reasons(flagged)),
        rates=response_rates_at(inst, records, frame, [level for level in LEVELS if level != "psu" or psu]),
        areas=areas, per_day=fieldwork.per_day(visits), per_enumerator=fieldwork.per_enumerator(visits, raised),
        durations=fieldwork.duration_summary(visits), adjustment=adjustment, has_frame=frame is not None,
        statuses={str(k): int(v) for k, v in statuses.items()}, flag_counts=flag_counts(visits, flagged),
        responses=len(kept), last_submitted_at=None if last is None or pd.isna(last) else last)


# Flags checked on every visit; the others only on completed interviews (survey.fieldwork.quality).
EVERY_VISIT = ("odd_hour", "duplicate_household")
COMMON_SHARE = 0.5   # a flag on more than this share of the interviews it checks says more about its threshold
COMMON_MIN = 10      # ... once it has checked at least this many


def flag_counts(visits: pd.DataFrame, flagged: pd.DataFrame) -> pd.DataFrame:
    """Per flag raised (in FLAGS order): ``flag, flagged, checked, share`` and ``common``, True for a
    flag that fires on most of the interviews it checks (a threshold to look at, not a problem of
    those interviews, so the monitor lists it after the others)."""
    raised = flagged.groupby("flag")["_response_id"].nunique() if len(flagged) else pd.Series(dtype=int)
    complete = int((visits["disposition"] == "complete").sum()) if len(visits) else 0
    rows = [(flag, int(raised[flag]), len(visits) if flag in EVERY_VISIT else complete)
            for flag in FLAGS if flag in raised.index]
    out = pd.DataFrame(rows, columns=["flag", "flagged", "checked"]).astype({"flagged": int, "checked": int})
    out["share"] = out["flagged"] / out["checked"].where(out["checked"] > 0)
    out["common"] = (out["checked"] >= COMMON_MIN) & (out["share"] > COMMON_SHARE)
    return out


def counted_flags(visits: pd.DataFrame, raised: pd.DataFrame) -> pd.DataFrame:
    """The flags of the visits the monitor counts (rejected ones are not), each with its visit's
    ``_enumerator, stratum, _status``; computed with the snapshot so a refresh only draws it."""
    columns = ["_response_id", "_enumerator", "stratum", "_status"]
    if raised.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in [*raised.columns, *columns[1:]]})
    keyed = visits[columns].assign(_response_id=visits["_response_id"].astype(str))
    return raised.assign(_response_id=raised["_response_id"].astype(str)).merge(
        keyed, on="_response_id", how="inner", sort=False)


def flag_reasons(flagged: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Response id -> its distinct flags, in the order raised."""
    ids, combos = _reasons(flagged)
    return dict(zip(ids.to_pylist(), combos.tolist()))


def _reasons(flagged: pd.DataFrame) -> tuple[pa.Array, np.ndarray]:
    """(each flagged response's id, in order of its first flag; its distinct flags as a tuple, in the
    order raised), worked out in arrays: each response's flags as one number (a digit per flag, in
    order), one tuple per distinct number, shared (a few objects for the garbage collector, not one
    a response; a Python loop over 100,000 flags took 0.15 s)."""
    if flagged.empty:
        return pa.array([], pa.string()), np.empty(0, dtype=object)
    unique = flagged.drop_duplicates(["_response_id", "flag"])
    rid, ids = pd.factorize(unique["_response_id"].astype(str).to_numpy(dtype=object), use_na_sentinel=False)
    code, names = pd.factorize(unique["flag"].to_numpy(dtype=object), use_na_sentinel=False)
    order = np.argsort(rid, kind="stable")   # each response's flags together, in the order raised
    rid, code = rid[order], code[order].astype(np.int64) + 1   # ids in order of their first flag
    starts = np.flatnonzero(np.r_[True, rid[1:] != rid[:-1]])
    ends = np.r_[starts[1:], len(rid)]
    place = np.arange(len(rid)) - np.repeat(starts, ends - starts)   # a flag's place among its response's
    base = len(names) + 1
    if float(base) ** (place.max() + 1) >= 2 ** 62:   # too many digits for one number: each response's own
        number = np.arange(len(starts))
    else:
        number = np.add.reduceat(code * base ** place, starts)
    distinct, first, which = np.unique(number, return_index=True, return_inverse=True)
    combos = np.empty(len(distinct), dtype=object)   # filled one by one: numpy would make rows of equal tuples
    for k, (a, b) in enumerate(zip(starts[first], ends[first])):   # the flags of a response with each combination
        combos[k] = tuple(names[code[a:b] - 1].tolist())
    return pa.array(ids, pa.string()), combos[which]


def area_question(inst) -> str | None:
    """The question the review queue filters by: the design's strata (kecamatan, agency) or census unit."""
    return inst.design.strata or inst.design.census


def review_queue(inst, records: pd.DataFrame, times: pd.DataFrame, raised: pd.DataFrame) -> pd.DataFrame:
    """One row per stored response (every status), oldest first submission first: ``_response_id,
    _enumerator, _status, _revision, area, submitted_at`` (first submission) and ``flags`` (a tuple)."""
    area = area_question(inst)
    flagged, combos = _reasons(raised)
    ids = records["_response_id"].astype(str)
    at = pc.index_in(pa.array(ids.array), value_set=flagged).fill_null(len(combos)).to_numpy(zero_copy_only=False)
    flags = np.empty(len(combos) + 1, dtype=object)
    flags[:-1], flags[-1] = combos, ()
    out = pd.DataFrame({   # text columns as the str columns they are (not Python strings made Arrow's again)
        "_response_id": ids.array,
        "_enumerator": records["_enumerator"].astype(str).array,
        "_status": records["_status"].astype(str).array,
        "_revision": records["_revision"].astype(int).to_numpy(),
        "area": records[area].astype("string").to_numpy() if area and area in records.columns else pd.NA,
        "submitted_at": aligned(times, ids)["submitted_at"].array,   # zoned as it is: to_numpy() makes a Timestamp per row
        "flags": flags[at],
    })
    return out.take(oldest_first(out)).reset_index(drop=True)


def oldest_first(queue: pd.DataFrame) -> np.ndarray:
    """The positions of ``queue`` sorted by (``submitted_at``, ``_response_id``), gaps last, ties kept in
    order: ``sort_values(..., kind="stable")``'s order by Arrow's stable sort (pandas factorizes the
    100,000 text ids first: 2x slower)."""
    keys = pa.table({"at": pa.array(queue["submitted_at"].array), "id": pa.array(queue["_response_id"].array)})
    return pc.sort_indices(keys, sort_keys=[("at", "ascending"), ("id", "ascending")]).to_numpy()   # gaps last
