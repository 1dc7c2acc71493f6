"""Fieldwork progress against the sample: per day, per enumerator, per area, and durations.

From the stored visit records (every outcome), their durations and flags
(:mod:`survey.fieldwork.quality`) and the sampling frame (frame.csv: ``households_sampled`` per
PSU, with its stratum and kelurahan), for the monitor page:

* :func:`visits`: one row per record that counts (every status but rejected, as the
  analysis): who, where, which day, its disposition (:mod:`analysis.dataset.response_rates`) and
  minutes;
* :func:`per_day`: records per day and disposition. The day is the interview date
  answered (the day of the visit: the question the ``fieldwork:`` block names as its
  ``date``) or, without one, the WIB day of the first submission;
* :func:`per_enumerator`: visits, completed interviews, the response rate of the
  visited (RR1), the median length of a completed interview, flagged interviews and
  the last submission;
* :func:`per_area`: per stratum, kelurahan or PSU the households sampled (the target),
  visited and completed, and the share of the target visited (a record without a
  kelurahan answer is in its PSU's kelurahan, as the frame says);
* :func:`duration_summary`: median and quartiles of the completed interviews' minutes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.dataset.datafiles import numbers
from analysis.dataset.response_rates import dispositions
from survey.fieldwork.quality import aligned
from survey.locale import WIB
from survey.questionnaire.schema import counted_rows

__all__ = ["AREA_LEVELS", "among", "duration_summary", "per_area", "per_day", "per_enumerator", "visits"]

AREA_LEVELS = ("stratum", "kelurahan", "psu")
_KELURAHAN = "kelurahan"


def visits(inst, records: pd.DataFrame, times: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per counted record: ``_response_id, _enumerator, _status, stratum, psu,
    kelurahan, day, disposition, minutes, submitted_at`` (first submission, UTC)."""
    spec = inst.design
    counted = counted_rows(records)
    kept = records[counted].reset_index(drop=True)
    names = {q.name for q in inst.questions}

    def column(name):
        if name is None or name not in kept.columns:
            return pd.Series(pd.NA, index=kept.index, dtype="string")
        return kept[name].astype("string")

    # Text columns as str Arrow arrays: a numpy object array of them was made, then parsed back (0.05 s).
    out = pd.DataFrame({"_response_id": kept["_response_id"].astype(str).array,
                        "_enumerator": _text(kept["_enumerator"]),
                        "_status": _text(kept["_status"]) if "_status" in kept else "submitted",
                        "stratum": _text(column(spec.strata)), "psu": _text(column(spec.psu)),
                        "kelurahan": _text(column(_KELURAHAN if _KELURAHAN in names else None)),
                        "disposition": dispositions(inst, kept)})
    if times is not None and len(times):
        # aligned on every record, then the counted ones: times in the records' order are then a copy
        t = aligned(times, records["_response_id"]).iloc[np.flatnonzero(counted)]
        out["minutes"] = t["minutes"].to_numpy(dtype=float)
        # a zoned column as it is (its to_numpy() makes 100,000 Timestamp objects, parsed back below)
        out["submitted_at"] = pd.to_datetime(t["submitted_at"], utc=True).array
    else:
        out["minutes"] = np.nan
        out["submitted_at"] = pd.to_datetime(kept["_submitted_at"], utc=True).array \
            if "_submitted_at" in kept else pd.NaT
    submitted = pd.to_datetime(out["submitted_at"], utc=True).dt.tz_convert(WIB).dt.tz_localize(None).dt.normalize()
    date = inst.fieldwork.date
    day = pd.to_datetime(kept[date], errors="coerce") if date is not None and date in kept.columns \
        else pd.Series(pd.NaT, index=kept.index)
    out["day"] = day.dt.normalize().fillna(submitted).to_numpy()
    return out


def _text(column: pd.Series):
    """What a column's ``.astype("string").to_numpy()`` becomes in a new DataFrame (str, gaps NaN),
    without the object array in between."""
    return column.astype("string").astype(str).array if column.notna().all() else column.astype("string").to_numpy()


def among(column: pd.Series, values) -> np.ndarray:
    """``column.isin(values)`` for ids as text, quick for a hundred thousand values (pandas' own
    makes one Arrow scalar per value)."""
    wanted = pa.array([str(v) for v in values], type=pa.string())
    found = pc.is_in(pa.array(column.astype("string").array), value_set=wanted)
    return found.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)


def per_day(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns ``day, disposition, records`` (long form, for a stacked chart), by day."""
    if frame.empty:
        return pd.DataFrame({"day": pd.Series([], dtype="datetime64[ns]"), "disposition": pd.Series([], dtype=object),
                             "records": pd.Series([], dtype=int)})
    out = frame.dropna(subset=["day"]).groupby(["day", "disposition"]).size().rename("records").reset_index()
    return out.sort_values(["day", "disposition"], kind="stable").reset_index(drop=True)


def per_enumerator(frame: pd.DataFrame, flags: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per enumerator: ``enumerator, visits, complete, rr1_visited`` (percent),
    ``median_minutes`` (completed interviews), ``flagged`` (interviews with a flag),
    ``last_submitted_at``; most visits first."""
    columns = ["enumerator", "visits", "complete", "rr1_visited", "median_minutes", "flagged", "last_submitted_at"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    done = frame["disposition"] == "complete"
    eligible = frame["disposition"].isin(["complete", "refusal", "noncontact", "other"])
    flagged = pd.Series(among(frame["_response_id"], set(flags["_response_id"])), index=frame.index) \
        if flags is not None and len(flags) else pd.Series(False, index=frame.index)
    grouped = frame.assign(_done=done, _eligible=eligible, _flagged=flagged,
                           _minutes=frame["minutes"].where(done)).groupby("_enumerator")
    out = pd.DataFrame({
        "visits": grouped.size(), "complete": grouped["_done"].sum(), "eligible": grouped["_eligible"].sum(),
        "median_minutes": grouped["_minutes"].median(), "flagged": grouped["_flagged"].sum(),
        "last_submitted_at": grouped["submitted_at"].max()})
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rr1_visited"] = np.where(out["eligible"] > 0, 100 * out["complete"] / out["eligible"], np.nan)
    out = out.reset_index().rename(columns={"_enumerator": "enumerator"})
    out = out.sort_values(["visits", "enumerator"], ascending=[False, True], kind="stable")
    return out[columns].reset_index(drop=True).astype({"visits": int, "complete": int, "flagged": int})


def per_area(frame: pd.DataFrame, sample: pd.DataFrame | None, strata: str | None, psu: str | None,
             level: str = "stratum") -> pd.DataFrame:
    """Per area: ``area`` (a choice name or PSU code; with ``stratum`` for PSUs and
    kelurahan), ``target`` (households sampled, NaN without a frame), ``visited``,
    ``complete``, ``progress`` (percent of the target visited)."""
    if level not in AREA_LEVELS:
        raise ValueError(f"level must be one of {AREA_LEVELS}, not {level!r}")
    keys = {"stratum": ["stratum"], "kelurahan": ["stratum", "kelurahan"], "psu": ["stratum", "psu"]}[level]
    if level == "kelurahan" and sample is not None and psu in sample.columns and _KELURAHAN in sample.columns:
        # a record without a kelurahan answer is in its PSU's kelurahan, as the frame says
        where = sample.drop_duplicates(psu).set_index(sample.drop_duplicates(psu)[psu].astype(str))[_KELURAHAN]
        frame = frame.assign(kelurahan=frame["kelurahan"].fillna(frame["psu"].map(where)))
    counted = frame.dropna(subset=keys)
    counts = counted.assign(_done=counted["disposition"] == "complete").groupby(keys) \
        .agg(visited=("disposition", "size"), complete=("_done", "sum"))
    target = _targets(sample, strata, psu, level)
    if target is not None:
        counts = counts.reindex(counts.index.union(target.index), fill_value=0)
        counts["target"] = target.reindex(counts.index).to_numpy(dtype=float)
    else:
        counts["target"] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        counts["progress"] = np.where(counts["target"] > 0, 100 * counts["visited"] / counts["target"], np.nan)
    out = counts.reset_index().astype({"visited": int, "complete": int})
    out = out.rename(columns={keys[-1]: "area"})
    lead = ["area"] if level == "stratum" else ["stratum", "area"]
    return out[[*lead, "target", "visited", "complete", "progress"]]


def _targets(sample: pd.DataFrame | None, strata: str | None, psu: str | None, level: str) -> pd.Series | None:
    if sample is None or "households_sampled" not in sample.columns or strata is None or strata not in sample:
        return None
    column = {"stratum": None, "kelurahan": _KELURAHAN, "psu": psu}[level]
    if column is not None and column not in sample.columns:
        return None
    values = pd.Series(numbers(sample["households_sampled"]))
    keys = [sample[strata].astype(str).to_numpy()] + ([sample[column].astype(str).to_numpy()] if column else [])
    grouped = values.groupby(keys).sum(min_count=1)
    grouped.index = grouped.index.set_names(["stratum"] + ([ {"kelurahan": "kelurahan", "psu": "psu"}[level]]
                                                         if column else []))
    return grouped


def duration_summary(frame: pd.DataFrame) -> dict[str, float]:
    """``{n, median, p25, p75}`` of the completed interviews' minutes (NaN when none)."""
    minutes = frame.loc[frame["disposition"] == "complete", "minutes"].dropna()
    if minutes.empty:
        return {"n": 0, "median": np.nan, "p25": np.nan, "p75": np.nan}
    q = minutes.quantile([0.25, 0.5, 0.75])
    return {"n": int(len(minutes)), "median": float(q[0.5]), "p25": float(q[0.25]), "p75": float(q[0.75])}
