"""A realistic synthetic sample for demos, tests and benchmarks.

`generate(instrument_id, n, seed)` returns answer dicts that `validate()` accepts,
the same for the same seed. Households come from a stratified two-stage design over
Surakarta (`sampling`: `sample_frame()` gives each sampled PSU's selection
probabilities) and behave like the BPS Susenas and ITU figures (`households`); civil
servants and agencies are in `government`. `python -m survey.simulate` writes a
sample into a store folder (`cli`).
"""

from __future__ import annotations

from typing import Any, Callable

from survey.simulate._city import STRATA
from survey.simulate.cli import main
from survey.simulate.government import agency_answers, civil_servant_answers
from survey.simulate.households import household_answers
from survey.simulate.sampling import (
    FRAME_COLUMNS,
    HOUSEHOLDS_PER_PSU,
    FramePSU,
    sample_frame,
    write_frame,
)

__all__ = ["FRAME_COLUMNS", "HOUSEHOLDS_PER_PSU", "STRATA", "FramePSU", "generate", "main", "sample_frame",
           "write_frame"]


_GENERATORS: dict[str, Callable[[int, int], list[dict[str, Any]]]] = {
    "household": household_answers,
    "civil_servant": civil_servant_answers,
    "agency": agency_answers,
}


def generate(instrument_id: str, n: int, seed: int = 0) -> list[dict[str, Any]]:
    """`n` answer dicts for the instrument that `validate()` accepts; the same for the same seed."""
    if instrument_id not in _GENERATORS:
        raise ValueError(f"no simulator for {instrument_id!r} (known: {', '.join(_GENERATORS)})")
    if n < 0:
        raise ValueError("n must not be negative")
    return _GENERATORS[instrument_id](n, seed) if n else []
