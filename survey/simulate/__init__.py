"""A realistic synthetic sample for demos, tests and benchmarks.

`generate(instrument_id, n, seed)` returns answer dicts that `validate()` accepts,
the same for the same seed. Households come from a stratified two-stage design over
Surakarta (`sampling`: `sample_frame()` gives each sampled PSU's selection
probabilities) and behave like the BPS Susenas and ITU figures (`households`); civil
servants and agencies are in `government`. With `outcomes=True` some sampled
households refuse, are not at home or are vacant, and are short records
(`fieldwork`, which also gives interview lengths and deliberately bad interviews).
`python -m survey.simulate` writes a sample into a store folder (`cli`).
"""

from __future__ import annotations

from typing import Any, Callable

from survey.simulate._city import STRATA
from survey.simulate.fieldwork import OUTCOME_RATES, with_outcomes
from survey.simulate.government import agency_answers, civil_servant_answers
from survey.simulate.households import household_answers
from survey.simulate.sampling import (
    FRAME_COLUMNS,
    HOUSEHOLDS_PER_PSU,
    FramePSU,
    sample_frame,
    write_frame,
)
from survey.simulate.simulate_cli import main

__all__ = ["FRAME_COLUMNS", "HOUSEHOLDS_PER_PSU", "OUTCOME_RATES", "STRATA", "FramePSU", "generate", "main",
           "sample_frame", "write_frame"]


_GENERATORS: dict[str, Callable[[int, int], list[dict[str, Any]]]] = {
    "household": household_answers,
    "civil_servant": civil_servant_answers,
    "agency": agency_answers,
}


def generate(instrument_id: str, n: int, seed: int = 0, outcomes: bool = False) -> list[dict[str, Any]]:
    """`n` answer dicts for the instrument that `validate()` accepts; the same for the same seed.

    `outcomes=True` (households): each sampled household as its visit ended, a short
    record for a refusal, non-contact, vacant dwelling or refused consent
    (`fieldwork.OUTCOME_RATES`); the completed ones are the same as without.
    """
    if instrument_id not in _GENERATORS:
        raise ValueError(f"no simulator for {instrument_id!r} (known: {', '.join(_GENERATORS)})")
    if n < 0:
        raise ValueError("n must not be negative")
    rows = _GENERATORS[instrument_id](n, seed) if n else []
    return with_outcomes(rows, seed) if outcomes and instrument_id == "household" else rows
