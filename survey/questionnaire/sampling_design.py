"""The sampling design of an instrument: its YAML ``design:`` block -> a frozen SamplingDesign.

The block names the questions that carry the design (strata, PSU, fpc), how a stratum
with a single PSU is handled, how the weights are made, and whether the variance has
two stages (``stages: 2``: PSUs, then the units within them, both stages' population
sizes from frame.csv); ``analysis.dataset.dataset``
turns it into a ``SurveyDesign``. The format is documented in docs/instruments.md
("Sampling design"). Everything that can be checked from the instrument alone is
checked when it is loaded (names exist and are stored, options are known, the parts
fit together), so a broken design fails at load with the file and the key.

Without a ``design:`` block an instrument is a simple random sample with equal weights.
A design block does not change the stored schema (no column is added or renamed), so
adding or editing one needs no new instrument version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

LONELY_PSU = ("fail", "adjust", "average", "remove")   # R's survey.lonely.psu
BASE_WEIGHTS = ("none", "frame", "counts")
CALIBRATION_METHODS = ("poststratify", "rake")
_DESIGN_KEYS = {"strata", "psu", "fpc", "lonely_psu", "weights", "repeats", "census", "target_moe", "stages"}
STAGES = (1, 2)   # 2: PSUs, then the units within them, each stage with its fpc from frame.csv
_WEIGHT_KEYS = {"base", "counts", "fpc", "calibrate"}
_CALIBRATE_KEYS = {"method", "by", "unit"}


@dataclass(frozen=True)
class Calibration:
    """Post-stratify or rake the weights to population totals of ``unit`` by ``by``."""

    method: str                 # "poststratify" | "rake"
    by: tuple[str, ...]         # questions (cells of post-stratification; margins of raking)
    unit: str                   # what the totals in population.csv count ("household", "person")


@dataclass(frozen=True)
class PopulationCounts:
    """Per stratum, the number of population units, read from another instrument's answers."""

    instrument: str             # e.g. agency
    question: str               # e.g. staff_count; matched to this design's strata question


@dataclass(frozen=True)
class SamplingDesign:
    """A frozen ``design:`` block (see the module docstring and docs/instruments.md)."""

    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    lonely_psu: str = "fail"
    base: str = "none"                          # "none" | "frame" | "counts"
    counts: PopulationCounts | None = None
    counts_fpc: bool = False
    calibrate: Calibration | None = None
    repeats: Mapping[str, Calibration] = field(default_factory=lambda: MappingProxyType({}))
    census: str | None = None
    target_moe: float | None = None             # percentage points
    stages: int = 1                             # 2: PSUs then units, fpc of both stages from frame.csv

    @property
    def weighted(self) -> bool:
        """True when the design makes weights (a frame, counts or a calibration)."""
        return self.base != "none" or self.calibrate is not None


def parse_design(raw: Any, source: str, main: Mapping[str, Any], repeats: Mapping[str, Mapping[str, Any]],
                 fail: Callable[[str], Exception]) -> SamplingDesign:
    """A checked SamplingDesign from the raw block.

    ``main``: the main table's questions by name; ``repeats``: repeat name -> its
    questions by name; ``fail(message)`` makes the exception to raise (located by file).
    """
    if raw is None:
        return SamplingDesign()
    if not isinstance(raw, dict):
        raise fail("'design' must be a mapping (strata, psu, fpc, lonely_psu, weights, ...)")
    _known(raw, _DESIGN_KEYS, "design", fail)
    strata, psu, fpc = (_stored(raw.get(key), f"design.{key}", main, fail) for key in ("strata", "psu", "fpc"))
    lonely = raw.get("lonely_psu", "fail")
    if lonely not in LONELY_PSU:
        raise fail(f"design.lonely_psu must be one of {', '.join(LONELY_PSU)}, not {lonely!r}")
    census = raw.get("census")
    if census is not None:
        question = main.get(census) if isinstance(census, str) else None
        if question is None or question.kind.choices != "one":
            raise fail(f"design.census must name a select_one question of the main table (the "
                       f"population's units are its choices), not {census!r}")
        if any(raw.get(key) is not None for key in ("strata", "psu", "fpc", "weights")):
            raise fail("design.census is a complete enumeration: it takes no strata, psu, fpc or weights")
    weights = raw.get("weights") or {}
    if not isinstance(weights, dict):
        raise fail("design.weights must be a mapping (base, counts, fpc, calibrate)")
    _known(weights, _WEIGHT_KEYS, "design.weights", fail)
    base = weights.get("base", "none")
    if base not in BASE_WEIGHTS:
        raise fail(f"design.weights.base must be one of {', '.join(BASE_WEIGHTS)}, not {base!r}")
    if base == "frame" and psu is None:
        raise fail("design.weights.base 'frame' needs design.psu: frame.csv has one row per PSU")
    counts = _counts(weights, base, strata, fail)
    counts_fpc = weights.get("fpc", False)
    if not isinstance(counts_fpc, bool) or (counts_fpc and base != "counts"):
        raise fail("design.weights.fpc is true or false, and only with base 'counts'")
    if counts_fpc and fpc is not None:
        raise fail("give design.fpc or design.weights.fpc, not both")
    calibrate = _calibration(weights.get("calibrate"), "design.weights.calibrate", main, fail)
    stages = raw.get("stages", 1)
    if isinstance(stages, bool) or stages not in STAGES:
        raise fail(f"design.stages must be 1 or 2, not {stages!r}")
    if stages == 2 and (base != "frame" or fpc is not None):
        raise fail("design.stages 2 takes both stages' population sizes from frame.csv (psus_in_stratum, "
                   "households_in_psu): it needs weights.base 'frame' and no design.fpc")
    return SamplingDesign(
        strata=strata, psu=psu, fpc=fpc, lonely_psu=lonely, base=base, counts=counts, counts_fpc=counts_fpc,
        calibrate=calibrate, repeats=_repeats(raw.get("repeats"), main, repeats, fail), census=census,
        target_moe=_target(raw.get("target_moe"), fail), stages=stages)


def _known(raw: dict, keys: set[str], where: str, fail) -> None:
    unknown = sorted(set(raw) - keys)
    if unknown:
        raise fail(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(keys))})")


def _stored(name: Any, where: str, questions: Mapping[str, Any], fail) -> str | None:
    if name is None:
        return None
    q = questions.get(name) if isinstance(name, str) else None
    if q is None or not q.stores_answer:  # a repeat group has no column
        raise fail(f"{where} must name a stored question of the main table, not {name!r}")
    return name


def _counts(weights: dict, base: str, strata: str | None, fail) -> PopulationCounts | None:
    raw = weights.get("counts")
    if base != "counts":
        if raw is not None:
            raise fail("design.weights.counts is only for base 'counts'")
        return None
    if strata is None:
        raise fail("design.weights.base 'counts' needs design.strata: the counts are per stratum")
    if not isinstance(raw, dict) or set(raw) != {"instrument", "question"} or not all(
            isinstance(v, str) and v for v in raw.values()):
        raise fail("design.weights.counts needs {instrument: <id>, question: <name>}: the instrument "
                   f"whose answers hold each {strata}'s population count")
    return PopulationCounts(raw["instrument"], raw["question"])


def _calibration(raw: Any, where: str, questions: Mapping[str, Any], fail) -> Calibration | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise fail(f"{where} must be a mapping (method, by, unit)")
    _known(raw, _CALIBRATE_KEYS, where, fail)
    method = raw.get("method")
    if method not in CALIBRATION_METHODS:
        raise fail(f"{where}.method must be one of {', '.join(CALIBRATION_METHODS)}, not {method!r}")
    by = raw.get("by")
    by = [by] if isinstance(by, str) else by
    if not isinstance(by, list) or not by or len(set(by)) != len(by):
        raise fail(f"{where}.by must list one or more different questions")
    for name in by:
        q = questions.get(name) if isinstance(name, str) else None
        if q is None or q.kind.choices != "one":
            raise fail(f"{where}.by: {name!r} is not a select_one question here; calibration cells "
                       "are the choices of select_one questions")
    unit = raw.get("unit")
    if not isinstance(unit, str) or not unit.strip():
        raise fail(f"{where}.unit must say what the population totals count (e.g. household, person)")
    return Calibration(method, tuple(by), unit.strip())


def _repeats(raw: Any, main: Mapping[str, Any], repeats: Mapping[str, Mapping[str, Any]], fail):
    if raw is None:
        return MappingProxyType({})
    if not isinstance(raw, dict):
        raise fail("design.repeats must map repeat group names to {calibrate: ...}")
    out = {}
    for name, spec in raw.items():
        if name not in repeats:
            raise fail(f"design.repeats: {name!r} is not a repeat group of this instrument")
        if not isinstance(spec, dict) or set(spec) != {"calibrate"}:
            raise fail(f"design.repeats.{name} takes one key, calibrate")
        visible = {**main, **repeats[name]}   # a member's own answers and its household's
        out[name] = _calibration(spec["calibrate"], f"design.repeats.{name}.calibrate", visible, fail)
    return MappingProxyType(out)


def _target(raw: Any, fail) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 < raw <= 100:
        raise fail(f"design.target_moe is a margin of error in percentage points (0-100], not {raw!r}")
    return float(raw)
