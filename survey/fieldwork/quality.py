"""Interview durations and quality flags per response, from the store (no Streamlit).

``flags(store, instrument_id)`` returns one row per flag raised, columns
``_response_id, flag, detail`` (the detail in ``lang``, with numbers only: no answer
that identifies anyone). The thresholds are the instrument's ``quality:`` block
(:mod:`survey.questionnaire.quality_rules`, documented in docs/instruments.md):

* ``too_fast``: a completed interview shorter than ``min_minutes``, or shorter than
  ``fast_ratio`` times the median of the completed interviews with the same answer
  to ``size`` (the household size; at least ``min_peers`` of them).
* ``straightlining``: every item of a Likert block (``likert``, at least ``min_block``
  answered) has the same answer (Kim et al. 2019, "Straightlining: overview of
  measurement, comparison of indicators, and effects in mail-web mixed-mode surveys").
* ``outlier``: a number further than ``limit`` robust standard deviations from the
  median of its group (``within``, e.g. the kecamatan, with at least ``min_group``
  answers), on ``log(1 + x)`` for amounts: ``z = |x - group median| / s``, ``s`` the
  IQR / 1.349 of every answer's deviation from its group's median (pooled over the
  groups, which differ in level more than in spread; IQR / 1.349, like 1.4826 MAD in
  Iglewicz & Hoaglin 1993's modified z-score, is the standard deviation of normal
  data, and the pooled IQR stays stable for small counts such as the household size,
  where a group's own MAD jumps between 0.5 and 1). When the IQR is 0: 1.4826 MAD,
  then 1.2533 times the mean absolute deviation.
* ``many_missing``: of the questions the interview asked (skip logic applied, main
  form and every roster item) that allow no answer (optional ones, and those offering
  one of ``choices``: don't know, refused), more than ``share`` left unanswered or
  answered with one of ``choices``. Required questions always have an answer, so they
  would only dilute the share; an optional select_multiple left empty is an answer
  ("none of these"); ``ignore`` lists optional questions, such as the enumerator's
  comments, whose skipping says nothing.
* ``odd_hour``: started (``_started_at``) between ``odd_hours.from`` and ``to`` (WIB), any
  record; when it was sent does not count (a tablet sends when it finds a network), except
  for a record without a start time, whose first submission is read instead.
* ``duplicate_household``: the same answers to ``duplicate.match`` (respondent's name
  and kelurahan), and the same ``phone`` where both have one, as another response.
  The answers are compared as keyed hashes (HMAC-SHA256 with a salt kept in the data
  folder, created once with mode 0600), so names and phone numbers never leave this
  function.

A duration runs from ``_started_at`` to the ``_submitted_at`` of the first revision (a
correction or a review does not lengthen an interview). Completed means the answers
the questionnaire's ``fieldwork:`` block names (the visit went ahead, the respondent
agreed) where the instrument asks them. The medians and groups that the rules compare
with are computed over the responses that count
(``survey.questionnaire.schema.COUNTED_STATUSES``: every status but rejected); every
response is flagged against them. A
rejected response is a duplicate only of one that counts, so rejecting a repeated
household clears the original's flag.

This module reads the store and gathers the flags (``flag_frame``); each check itself
is a pure function of the data in survey.fieldwork.quality_checks.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from survey.fieldwork.quality_checks import duplicates, many_missing, odd_hours, outliers, too_fast
from survey.fieldwork.quality_rows import RowMemo, row_checks
from survey.questionnaire.model import Instrument
from survey.questionnaire.schema import counted_rows

__all__ = ["COLUMNS", "FLAGS", "SALT_FILE", "aligned", "completed", "durations", "flag_frame", "flags", "salt"]

FLAGS = ("too_fast", "straightlining", "outlier", "many_missing", "odd_hour", "duplicate_household")
COLUMNS = ["_response_id", "flag", "detail"]
SALT_FILE = "quality_salt"
_process_salt = secrets.token_bytes(32)   # when the data folder cannot keep one


# ---- reading -----------------------------------------------------------------------------
def completed(inst: Instrument, frame: pd.DataFrame) -> np.ndarray:
    """True for completed, consented interviews, as the questionnaire's ``fieldwork:`` block
    says (rows of versions that did not ask: True)."""
    keep = np.ones(len(frame), dtype=bool)
    for question, wanted in inst.fieldwork.completion:
        if question in frame.columns:
            answer = frame[question].astype("string")
            keep &= (answer.isna() | (answer == wanted)).to_numpy(dtype=bool)
    return keep


def durations(store, instrument_id: str) -> pd.DataFrame:
    """One row per response: ``_response_id, started_at, submitted_at`` (first revision, UTC)
    and ``minutes`` (NaN when the start is unknown)."""
    history = store.read(instrument_id, history=True)
    return _durations(history)


def _durations(history: pd.DataFrame) -> pd.DataFrame:
    if history.empty:
        return pd.DataFrame({"_response_id": pd.Series([], dtype="string"),
                             "started_at": pd.Series([], dtype="datetime64[us, UTC]"),
                             "submitted_at": pd.Series([], dtype="datetime64[us, UTC]"),
                             "minutes": pd.Series([], dtype=float)})
    # Arrow's stable sort of (id, revision): pandas' two-column sort factorizes the ids first (2x slower).
    order = pc.sort_indices(pa.table({"id": _text(history["_response_id"]), "rev": pa.array(history["_revision"].array)}),
                            sort_keys=[("id", "ascending"), ("rev", "ascending")]).to_numpy()
    first = history[["_response_id", "_revision", "_started_at", "_submitted_at"]].iloc[order] \
        .groupby("_response_id", sort=False).head(1)
    return _times(first["_response_id"], first["_started_at"], first["_submitted_at"])


def _times(ids: pd.Series, started: pd.Series, submitted: pd.Series) -> pd.DataFrame:
    """The durations' frame: each response's start, submission and minutes between (NaN when negative)."""
    minutes = (submitted - started).dt.total_seconds() / 60
    minutes = minutes.where(minutes >= 0)
    # Whole columns, not .to_numpy(): that turns a time-zone-aware column into Python objects.
    return pd.DataFrame({"_response_id": ids, "started_at": started, "submitted_at": submitted,
                         "minutes": minutes.astype(float)}).reset_index(drop=True)


def _text(column: pd.Series) -> pa.Array:
    return pa.array(column.astype("string").array).cast(pa.string())


def aligned(times: pd.DataFrame, ids) -> pd.DataFrame:
    """``times`` (:func:`durations`) in the order of ``ids``, indexed by them, a row of NaN/NaT where
    an id has none: ``times.set_index("_response_id").reindex(ids)`` with the ids as text, by Arrow's
    hash lookup (pandas' string re-index took 60 ms at 100,000 responses, and ran once per table)."""
    ids = pd.Series(np.asarray(ids, dtype=object) if not isinstance(ids, pd.Series) else ids)
    wanted, known = _text(ids), _text(times["_response_id"])
    if len(wanted) == len(known) and pc.all(pc.equal(wanted, known)).as_py():   # in that order already
        out = times.drop(columns="_response_id").reset_index(drop=True)
    else:
        pos = pc.index_in(wanted, value_set=known).fill_null(-1).to_numpy(zero_copy_only=False)
        out = times.drop(columns="_response_id").reset_index(drop=True).reindex(pos)   # -1: no such row, NaN
    out.index = pd.Index(ids.astype(str).to_numpy(), name="_response_id")
    return out


def salt(root: str | os.PathLike) -> bytes:
    """The data folder's secret salt for the duplicate check: created once (mode 0600), then read.

    A folder that cannot keep one gets a salt for this process only: hashes are
    only ever compared within one run of the check, never stored."""
    path = Path(root) / SALT_FILE
    for _ in range(2):
        try:
            text = path.read_text(encoding="ascii").strip()
            if re.fullmatch(r"[0-9a-f]{64}", text):
                return bytes.fromhex(text)
            return _process_salt
        except FileNotFoundError:
            pass
        except OSError:
            return _process_salt
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue   # another process made it meanwhile: read it
        except OSError:
            return _process_salt
        try:
            os.write(fd, secrets.token_hex(32).encode("ascii") + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
    return _process_salt


def flags(store, instrument_id: str, lang: str = "en") -> pd.DataFrame:
    """The quality flags of every stored response of ``instrument_id`` (see the module docstring)."""
    return checked(store, instrument_id, lang)[2]


def checked(store, instrument_id: str, lang: str = "en",
            memo: RowMemo | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(the current records, :func:`durations`, :func:`flags`) of ``instrument_id``, each table
    read once: what the monitor needs together (``memo``: see :func:`flag_frame`).  The durations
    come in the order of the current records, not sorted by id (look them up with :func:`aligned`)."""
    inst = store.instrument(instrument_id)
    history = store.read(inst.id, history=True)
    if history.empty:
        return store.read(inst.id), _durations(history), pd.DataFrame({c: pd.Series([], dtype=object) for c in COLUMNS})
    latest = _latest(history)
    current = history[latest].reset_index(drop=True)
    times = _current_durations(history, current, latest)
    members = {inst.table_name(r): store.read(inst.table_name(r)) for r in inst.repeats}
    return current, times, flag_frame(inst, current, times, members, salt(store.root), lang, memo)


def _latest(history: pd.DataFrame) -> np.ndarray:
    latest = history.groupby("_response_id", sort=False)["_revision"].transform("max")
    return (history["_revision"] == latest).to_numpy(dtype=bool)


def _current_durations(history: pd.DataFrame, current: pd.DataFrame, latest: np.ndarray) -> pd.DataFrame:
    """:func:`_durations` of ``history`` in the order of ``current`` (its rows ``latest``): each
    response's first revision is its current one unless it has earlier ones, so only those few
    are sorted (no sort of every id), and :func:`aligned` on the current ids is a copy."""
    older = history[~latest]
    started, submitted = current["_started_at"], current["_submitted_at"]
    if len(older):
        first = _durations(older)   # the first of the earlier revisions, where there are any
        where = pc.index_in(_text(current["_response_id"]), value_set=_text(first["_response_id"]))
        at = where.fill_null(-1).to_numpy(zero_copy_only=False)
        has = at >= 0
        if has.any():
            started, submitted = started.copy(), submitted.copy()
            started.iloc[np.flatnonzero(has)] = first["started_at"].array[at[has]]
            submitted.iloc[np.flatnonzero(has)] = first["submitted_at"].array[at[has]]
    return _times(current["_response_id"], started, submitted)


# ---- the flags ---------------------------------------------------------------------------
def flag_frame(inst: Instrument, current: pd.DataFrame, times: pd.DataFrame,
               members: Mapping[str, pd.DataFrame] | None = None, key: bytes = b"", lang: str = "en",
               memo: RowMemo | None = None) -> pd.DataFrame:
    """The flags of ``current`` (the main table's current revisions) given each response's
    ``times`` (:func:`durations`) and its repeat tables' rows: a pure function of the data.
    ``memo``: the row-wise checks' results of earlier calls (survey.fieldwork.quality_rows), so
    that only new and revised responses are checked one by one again; the flags are the same."""
    rules = inst.quality
    current = current.reset_index(drop=True)
    members = members or {}
    times = aligned(times, current["_response_id"])
    done = completed(inst, current)
    counted = counted_rows(current)
    rows = row_checks(inst, rules, current, members, done, key, lang, memo)
    found: list[tuple[int, str, str]] = []
    found += too_fast(inst, rules, current, times["minutes"].to_numpy(dtype=float), done, counted, lang)
    found += rows.straight
    found += outliers(inst, rules, current, done, counted, lang)
    found += many_missing(inst, rules, current, members, done, lang, counts=rows.counts)
    found += odd_hours(rules, times["started_at"], times["submitted_at"], lang)
    found += duplicates(inst, rules, current, counted, key, lang, hashes=rows.hashes, memo=rows.groups)
    order = {flag: i for i, flag in enumerate(FLAGS)}
    found.sort(key=lambda item: item[0] * len(FLAGS) + order[item[1]])   # (row, flag) as one number: no key tuples
    ids = current["_response_id"].astype(str).to_numpy()
    return pd.DataFrame({"_response_id": [ids[i] for i, _, _ in found], "flag": [f for _, f, _ in found],
                         "detail": [d for _, _, d in found]}, columns=COLUMNS)
