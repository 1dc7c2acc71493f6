"""An enumerator's own submissions, read out of the store for the "My submissions" page.

``my_submissions`` lists the last days' interviews; ``sent_back`` the ones a supervisor
rejected, whenever they were submitted, with the reviewer's comment: they wait for a
correction. Each row carries its ``identity``: the answers the questionnaire's
``fieldwork: identify`` names (a respondent's name, an address), which :func:`identity_text`
writes, so that on a phone the enumerator tells interviews apart. Both are read through ui.results.data_cache's cache (keyed on the store's state), so a
rerun of the page with nothing new stored reads no file.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from survey import load_instrument
from survey.locale import WIB
from ui.results import data_cache as data

DAYS = 7
SHOWN = 2         # identifying answers shown: the first two given
SHORT_ID = 8      # characters of a response ID shown


def _identities(store, name: str, rows: pd.DataFrame) -> list[dict]:
    """Per row, {question: answer} of the questionnaire's identifying questions it answers."""
    wanted = [q for q in load_instrument(name, store.instruments_dir).fieldwork.identify if q in rows.columns]
    values = rows[wanted].astype(object).where(rows[wanted].notna(), None)
    return [{q: v for q, v in zip(wanted, row) if v not in (None, "")} for row in values.itertuples(index=False)]


def identity_text(instrument, identity: dict, lang: str) -> str:
    """"Sri Wahyuni · Jl. Kenanga 4": the first identifying answers given, a choice by its label."""
    shown = []
    for name in instrument.fieldwork.identify:
        if name in identity and len(shown) < SHOWN:
            q = instrument.question(name)
            labels = q.choices.get(str(identity[name])) if q.choices else None
            shown.append(labels[lang] if labels else str(identity[name]))
    return " · ".join(shown)


def my_submissions(store, enumerator: str, today: dt.date, days: int = DAYS) -> pd.DataFrame:
    """One row per response of `enumerator` first submitted from `today - days` to today (WIB).

    Columns: submitted_at (first revision, WIB), instrument, response_id, revision,
    status, note and identity (of the current revision), newest first.
    """
    return data.cached("my_submissions", _listing, enumerator, today, days, store=store)


def _listing(store, enumerator: str, today: dt.date, days: int) -> pd.DataFrame:
    frames = []
    for name in store.instrument_ids():
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
            "submitted_at": first.dt.tz_convert(WIB),
            "instrument": name,
            "response_id": first.index,
            "revision": current.loc[first.index, "_revision"].astype(int).to_numpy(),
            "status": current.loc[first.index, "_status"].to_numpy(),
            "note": current.loc[first.index, "_note"].to_numpy(),
            "identity": _identities(store, name, current.loc[first.index]),
        }).reset_index(drop=True))
    if not frames:
        frames = [pd.DataFrame({
            "submitted_at": pd.Series([], dtype=f"datetime64[us, {WIB.key}]"),
            **{c: pd.Series([], dtype=object) for c in ("instrument", "response_id", "revision", "status", "note",
                                                        "identity")},
        })]
    rows = pd.concat(frames, ignore_index=True)
    since = today - dt.timedelta(days=days)
    rows = rows[(rows["submitted_at"].dt.date >= since) & (rows["submitted_at"].dt.date <= today)]
    return rows.sort_values("submitted_at", ascending=False, kind="stable").reset_index(drop=True)


def sent_back(store, enumerator: str) -> pd.DataFrame:
    """Every response of ``enumerator`` whose current status is rejected, of any age, oldest
    first: the columns of :func:`my_submissions` and ``editor`` (who rejected it)."""
    return data.cached("sent_back", _rejected, enumerator, store=store)


def _rejected(store, enumerator: str) -> pd.DataFrame:
    frames = []
    for name in store.instrument_ids():
        df = store.read(name)
        if df.empty:
            continue
        mine = df[(df["_enumerator"] == enumerator).to_numpy(dtype=bool)
                  & (df["_status"] == "rejected").to_numpy(dtype=bool)]
        if mine.empty:
            continue
        first = store.read(name, history=True)
        first = first[first["_response_id"].isin(set(mine["_response_id"]))].groupby("_response_id")["_submitted_at"].min()
        frames.append(pd.DataFrame({
            "submitted_at": first.reindex(mine["_response_id"]).dt.tz_convert(WIB).to_numpy(),
            "instrument": name,
            "response_id": mine["_response_id"].astype(str).to_numpy(),
            "revision": mine["_revision"].astype(int).to_numpy(),
            "status": "rejected",
            "note": mine["_note"].to_numpy(),
            "editor": mine["_editor"].astype(str).to_numpy(),
            "identity": _identities(store, name, mine),
        }))
    if not frames:
        return pd.DataFrame({"submitted_at": pd.Series([], dtype=f"datetime64[us, {WIB.key}]"),
                             **{c: pd.Series([], dtype=object)
                                for c in ("instrument", "response_id", "revision", "status", "note", "editor",
                                          "identity")}})
    rows = pd.concat(frames, ignore_index=True)
    rows["submitted_at"] = pd.to_datetime(rows["submitted_at"], utc=True).dt.tz_convert(WIB)
    return rows.sort_values("submitted_at", kind="stable").reset_index(drop=True)
