"""An enumerator's own submissions, read out of the store for the "My submissions" page.

The list is read through ui.data's cache (keyed on the store's state), so a rerun of
the page with nothing new stored reads no file.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from survey.model import list_instruments
from survey.validate import SURVEY_TIMEZONE
from ui import data

DAYS = 7


def my_submissions(store, enumerator: str, today: dt.date, days: int = DAYS) -> pd.DataFrame:
    """One row per response of `enumerator` first submitted from `today - days` to today (WIB).

    Columns: submitted_at (first revision, WIB), instrument, response_id, revision,
    status and note (of the current revision), newest first.
    """
    return data.cached("my_submissions", _listing, enumerator, today, days, store=store)


def _listing(store, enumerator: str, today: dt.date, days: int) -> pd.DataFrame:
    frames = []
    for name in list_instruments():
        df = store.read(name, history=True)
        if df.empty:
            continue
        mine = df[df["_enumerator"] == enumerator]
        if mine.empty:
            continue
        mine = mine.sort_values(["_response_id", "_revision"])
        first = mine.groupby("_response_id", sort=False)["_submitted_at"].min()
        current = mine.groupby("_response_id", sort=False).tail(1).set_index("_response_id")
        frames.append(pd.DataFrame({
            "submitted_at": first.dt.tz_convert(SURVEY_TIMEZONE),
            "instrument": name,
            "response_id": first.index,
            "revision": current.loc[first.index, "_revision"].astype(int).to_numpy(),
            "status": current.loc[first.index, "_status"].to_numpy(),
            "note": current.loc[first.index, "_note"].to_numpy(),
        }).reset_index(drop=True))
    if not frames:
        frames = [pd.DataFrame({
            "submitted_at": pd.Series([], dtype=f"datetime64[us, {SURVEY_TIMEZONE.key}]"),
            **{c: pd.Series([], dtype=object) for c in ("instrument", "response_id", "revision", "status", "note")},
        })]
    rows = pd.concat(frames, ignore_index=True)
    since = today - dt.timedelta(days=days)
    rows = rows[(rows["submitted_at"].dt.date >= since) & (rows["submitted_at"].dt.date <= today)]
    return rows.sort_values("submitted_at", ascending=False, kind="stable").reset_index(drop=True)
