"""The analysis store (tests/support/analysis_store.py) with a raked design, for the out-of-core
calibration tests: households raked to their totals by kecamatan and by has_tv, members by kecamatan
and by sex (population.csv gets the margins' totals, each margin summing to the same population of
the sampled kecamatans, so the raking needs no scaling); ``raked(monkeypatch)`` makes the store's
household questionnaire carry that design."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from survey.questionnaire.sampling_design import Calibration
from survey.store.response_store import ResponseStore

HOUSEHOLD = Calibration("rake", ("kecamatan", "has_tv"), "household")
MEMBERS = Calibration("rake", ("kecamatan", "sex"), "person")


def write_margins(root: Path, empty: str = "serengan") -> None:
    """Add to ``root``'s population.csv the households by has_tv and the people by sex, each summing
    to the totals by kecamatan without the ``empty`` one (no response there)."""
    path = root / "population.csv"
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    households = sum(float(r["total"]) for r in rows if r["unit"] == "household" and r["kecamatan"] != empty)
    people = sum(float(r["total"]) for r in rows if r["unit"] == "person" and r["kecamatan"] != empty)
    extra = [{"unit": "household", "has_tv": "yes", "total": households * 0.7},
             {"unit": "household", "has_tv": "no", "total": households * 0.3},
             {"unit": "person", "sex": "male", "total": people * 0.52},
             {"unit": "person", "sex": "female", "total": people * 0.48}]
    # people by kecamatan alone (the joint rows stay for other rules): a margin of its own
    kec = {}
    for r in rows:
        if r["unit"] == "person" and r["kecamatan"] != empty:
            kec[r["kecamatan"]] = kec.get(r["kecamatan"], 0.0) + float(r["total"])
    extra += [{"unit": "person", "kecamatan": k, "total": v} for k, v in kec.items()]
    fields += [c for c in ("has_tv",) if c not in fields]
    with open(path, "w", newline="") as f:
        out = csv.DictWriter(f, fields)
        out.writeheader()
        out.writerows([*rows, *extra])


def raked(monkeypatch) -> None:
    """From now on the store's household questionnaire is raked (``HOUSEHOLD``, ``MEMBERS``)."""
    real = ResponseStore.instrument

    def instrument(self, wanted):
        inst = real(self, wanted)
        if wanted != "household":
            return inst
        design = replace(inst.design, calibrate=HOUSEHOLD, repeats=MappingProxyType({"members": MEMBERS}))
        return replace(inst, design=design)

    monkeypatch.setattr(ResponseStore, "instrument", instrument)
