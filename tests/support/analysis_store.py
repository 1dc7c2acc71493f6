"""One seeded simulated store with awkward data, for the analysis pages' AppTests and browser test.

Households of a two-stage sample (``survey.simulate``), written in bulk, with:

* an empty stratum: no household of Serengan (frame.csv still lists its PSUs and
  population.csv its totals, so the calibration says which cells are empty);
* a lonely PSU: Pasar Kliwon keeps the households of one PSU only (the design's
  ``lonely_psu: adjust``);
* missing answers (refused incomes, no phone), select_multiple questions asked and
  left empty, members' names with apostrophes, a question label with an apostrophe
  ("What is the household's approximate monthly income (IDR)?");
* two enumerators, enum01 and enum02, by turns, on several interview days;
* civil servants and agencies for the e-government indicators and stages.

``build(root)`` writes it, once per test run (the ``analysis_store`` fixture of
tests/conftest.py); tests copy that template (``copy_to``) so that each can change its
own store, and ``fingerprint`` tells whether a template was written to.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from survey.simulate._draws import random_stream
from survey.simulate.bulk import write_responses
from survey.simulate.government import agency_answers, civil_servant_answers
from survey.simulate.households import iter_household_answers
from survey.simulate.sampling import sample_frame, write_frame, write_population

SEED = 11
HOUSEHOLDS = 160
EMPTY_STRATUM = "serengan"
LONELY_STRATUM = "pasar_kliwon"


def _ids(stream: str):
    rng = random_stream(SEED, f"test-ids/{stream}")
    return lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))


def households() -> list[dict]:
    rows = [h for h in iter_household_answers(HOUSEHOLDS, SEED) if h["kecamatan"] != EMPTY_STRATUM]
    lonely = next(h["psu"] for h in rows if h["kecamatan"] == LONELY_STRATUM)
    return [h for h in rows if h["kecamatan"] != LONELY_STRATUM or h["psu"] == lonely]


def build(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write_frame(sample_frame(HOUSEHOLDS, SEED), root / "frame.csv")
    write_population(root / "population.csv")
    write_responses(root, "household", households(), _ids("household"), lambda i: f"enum0{i % 2 + 1}", SEED)
    write_responses(root, "civil_servant", civil_servant_answers(60, SEED), _ids("civil_servant"),
                    lambda i: "enum03", SEED)
    write_responses(root, "agency", agency_answers(20, SEED), _ids("agency"), lambda i: "enum03", SEED)
    return root


def copy_to(template: Path, root: Path) -> Path:
    shutil.copytree(template, root, dirs_exist_ok=True)
    return root


def fingerprint(root: Path) -> dict[str, tuple[int, int]]:
    """Each file under `root` -> (size, modification time in ns): changes if anything is written."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}
