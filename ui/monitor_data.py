"""The monitor's reads, cached on the store's state: computed once per change of the store.

``snapshot(store, instrument_id, lang)`` gathers everything the monitor shows (visit
records and their dispositions, response rates, progress against the frame,
durations, quality flags, the precision tracker) as plain tables, ``queue(...)`` the
review page's queue and flags. The ``st.cache_data`` key is ``store.state_token()`` plus the stat of the data folder's
frame.csv and population.csv and of the questionnaire file, so a self-refreshing page
re-reads only when something changed. ``refresh_seconds()`` is the refresh period
(``SURVEY_REFRESH_SECONDS``, 30 s by default), as the analysis pages use.

When the researchers' pages' ``ui/data.py`` lands, these reads move there (the app's
one ``st.cache_data``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st

from analysis import fieldwork
from analysis.datafiles import FRAME_FILE, POPULATION_FILE, read_csv
from analysis.dataset import load_dataset
from analysis.precision import precision_tracker
from analysis.response import LEVELS, nonresponse_adjustment, response_rates
from survey.quality import durations, flags

DEFAULT_REFRESH_SECONDS = 30


def refresh_seconds() -> float:
    """Seconds between self-refreshes: ``SURVEY_REFRESH_SECONDS`` (at least 2), else 30."""
    try:
        return max(2.0, float(os.environ.get("SURVEY_REFRESH_SECONDS", DEFAULT_REFRESH_SECONDS)))
    except ValueError:
        return float(DEFAULT_REFRESH_SECONDS)


@dataclass(frozen=True)
class Snapshot:
    """What the monitor shows of one questionnaire (every table plain, picklable)."""

    instrument: str
    records: int                              # stored records, every status
    visits: pd.DataFrame                      # analysis.fieldwork.visits (rejected left out)
    flags: pd.DataFrame                       # survey.quality.flags, every status
    rates: dict = field(default_factory=dict)  # level -> analysis.response.response_rates
    areas: dict = field(default_factory=dict)  # level -> analysis.fieldwork.per_area
    per_day: pd.DataFrame | None = None
    per_enumerator: pd.DataFrame | None = None
    durations: dict = field(default_factory=dict)
    adjustment: pd.DataFrame | None = None    # analysis.response.nonresponse_adjustment per PSU
    precision: pd.DataFrame | None = None     # analysis.precision.precision_tracker
    provenance: object = None                 # the analysis Dataset's Provenance
    has_frame: bool = False
    statuses: dict = field(default_factory=dict)  # status -> stored responses


def _stat(path: Path) -> tuple:
    try:
        s = path.stat()
        return (s.st_mtime_ns, s.st_size, s.st_ino)
    except OSError:
        return ()


def _precision(data, frame) -> pd.DataFrame | None:
    """The headline indicators' precision, for a questionnaire that asks their questions."""
    if data.main.design is None:
        return None
    try:
        return precision_tracker(data, frame)
    except KeyError:   # not the household questionnaire: no HH4, HH6, HH7
        return None


def _key(store, instrument_id: str) -> tuple:
    """What the cached reads depend on: the store's files, frame.csv, population.csv, the questionnaire."""
    folder = store.instruments_dir or Path(__file__).resolve().parent.parent / "survey" / "instruments"
    files = (_stat(Path(store.root) / FRAME_FILE), _stat(Path(store.root) / POPULATION_FILE),
             _stat(Path(folder) / f"{instrument_id}.yaml"))
    return store.state_token(), files


def snapshot(store, instrument_id: str, lang: str) -> Snapshot:
    """Everything the monitor shows of ``instrument_id``, computed once per change of the store."""
    return _snapshot(str(store.root), instrument_id, lang, *_key(store, instrument_id), _store=store)


def queue(store, instrument_id: str, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the review queue, the flags) of ``instrument_id``: lighter than the whole snapshot."""
    records, times, raised = _quality(str(store.root), instrument_id, lang, *_key(store, instrument_id), _store=store)
    return review_queue(store.instrument(instrument_id), records, times, raised), raised


@st.cache_data(show_spinner=False, max_entries=16)
def _quality(root: str, instrument_id: str, lang: str, token: tuple, files: tuple, _store=None):
    """(current records, durations, flags): read and checked once per change of the store."""
    return _store.read(instrument_id), durations(_store, instrument_id), flags(_store, instrument_id, lang)


@st.cache_data(show_spinner=False, max_entries=16)
def _snapshot(root: str, instrument_id: str, lang: str, token: tuple, files: tuple, _store=None) -> Snapshot:
    store = _store
    inst = store.instrument(instrument_id)
    records, times, raised = _quality(root, instrument_id, lang, token, files, _store=store)
    frame = read_csv(Path(root) / FRAME_FILE) if inst.design.base == "frame" else None
    visits = fieldwork.visits(inst, records, times)
    data = load_dataset(store, inst.id, lang=lang)
    strata, psu = inst.design.strata, inst.design.psu
    areas = {}
    if strata:
        levels = ("stratum", "kelurahan", "psu") if psu else ("stratum",)
        areas = {level: fieldwork.per_area(visits, frame, strata, psu, level) for level in levels}
    adjustment = None
    if inst.design.base == "frame" and frame is not None and psu:
        raw = data.main.frame
        kept = records[records["_response_id"].astype(str).isin(set(raw["_response_id"].astype(str)))] \
            if len(raw) else records.iloc[:0]
        _, adjustment = nonresponse_adjustment(inst, inst.design, kept.reset_index(drop=True), records, frame)
    precision = _precision(data, frame)
    statuses = records["_status"].astype("string").value_counts().to_dict() if len(records) else {}
    return Snapshot(
        instrument=inst.id, records=len(records), visits=visits, flags=raised,
        rates={level: response_rates(inst, records, frame, level) for level in LEVELS if level != "psu" or psu},
        areas=areas, per_day=fieldwork.per_day(visits), per_enumerator=fieldwork.per_enumerator(visits, raised),
        durations=fieldwork.duration_summary(visits), adjustment=adjustment, precision=precision,
        provenance=data.provenance, has_frame=frame is not None, statuses={str(k): int(v) for k, v in statuses.items()})


def area_question(inst) -> str | None:
    """The question the review queue filters by: the design's strata (kecamatan, agency) or census unit."""
    return inst.design.strata or inst.design.census


def review_queue(inst, records: pd.DataFrame, times: pd.DataFrame, raised: pd.DataFrame) -> pd.DataFrame:
    """One row per stored response (every status), oldest first submission first: ``_response_id,
    _enumerator, _status, _revision, area, submitted_at`` (first submission) and ``flags`` (a tuple)."""
    area = area_question(inst)
    first = times.assign(_response_id=times["_response_id"].astype(str)).set_index("_response_id")["submitted_at"]
    by_id = raised.groupby("_response_id")["flag"].apply(lambda f: tuple(dict.fromkeys(f))) if len(raised) else {}
    ids = records["_response_id"].astype(str)
    out = pd.DataFrame({
        "_response_id": ids.to_numpy(),
        "_enumerator": records["_enumerator"].astype(str).to_numpy(),
        "_status": records["_status"].astype(str).to_numpy(),
        "_revision": records["_revision"].astype(int).to_numpy(),
        "area": records[area].astype("string").to_numpy() if area and area in records.columns else pd.NA,
        "submitted_at": first.reindex(ids).to_numpy(),
        "flags": [by_id.get(rid, ()) if len(by_id) else () for rid in ids],
    })
    return out.sort_values(["submitted_at", "_response_id"], kind="stable").reset_index(drop=True)
