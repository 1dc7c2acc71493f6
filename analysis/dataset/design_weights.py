"""Weights as an instrument's ``design:`` block says, from the data folder's files.

* ``base: frame``: ``1 / (prob_psu * prob_within)`` from ``frame.csv``
  (:func:`analysis.estimation.weighting.base_weights`, PSUs matched on strata and PSU), times
  the non-response adjustment within PSU, ``(sampled - ineligible) / responded``
  (:func:`analysis.dataset.response_rates.nonresponse_adjustment`), when the store's records are given.
* ``base: counts``: per stratum ``N_h / n_h``, ``N_h`` the population count that
  another instrument's answers give (civil servants: the agency survey's
  ``staff_count``, from each agency's latest response), ``n_h`` the responses in
  the stratum; with ``fpc: true`` ``N_h`` is also the finite population correction
  (sampling without replacement within the agency, Lohr ch. 3).  ``staff_count``
  counts civil servants and contract staff alike, so the weights estimate totals of
  all staff; shares are unaffected when the two groups answer alike.
* ``stages: 2`` with ``base: frame``: the frame's ``psus_in_stratum`` and ``households_in_psu``
  are the population sizes of the two stages (R's ``fpc=~N1+N2``), so the design's variance is
  R's two-stage recursion; a frame without them (or with a gap) gives the one-stage design, and a note.
* ``census``: no weights of its own; the population size is the number of choices of
  the census question (R's ``fpc``), so estimates have no sampling error once every
  unit has answered, and a partial census is a sample without replacement.
* ``calibrate``: the design (with the weights above) is post-stratified or raked
  (:func:`analysis.estimation.weighting.poststratify`, :func:`analysis.estimation.weighting.rake`) to the
  ``population.csv`` totals of its unit; the calibrated design keeps the calibration
  in its standard errors.

Nothing here raises for bad input: a missing frame, a frame that does not fit the
responses, missing counts or totals that cannot be met give equal (or uncalibrated)
weights, and a :class:`analysis.messages.Message` that says so and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

import numpy as np
import pandas as pd

from analysis.dataset.datafiles import numbers, population_totals
from analysis.dataset.response_rates import nonresponse_adjustment
from analysis.estimation.codes import first_of
from analysis.estimation.survey_design import SurveyDesign
from analysis.estimation.weighting import ConvergenceError, WeightingResult, base_weights, poststratify, rake
from analysis.messages import Message, listing, message, unit_texts
from survey.locale import LANGUAGES


@dataclass(frozen=True)
class BaseWeights:
    weights: np.ndarray | None          # None: equal weights
    fpc: np.ndarray | None              # population size of each row's stratum (or None)
    method: str                         # "equal" | "frame" | "counts" | "census" | "unweighted"
    texts: Mapping[str, str]            # {lang: how the weights were made}
    notes: tuple[Message, ...] = ()
    result: WeightingResult | None = None
    stage_fpc: tuple[np.ndarray, ...] = ()   # two-stage: (PSUs in the stratum, households in the PSU) per row
    nonresponse: pd.DataFrame | None = None   # the non-response adjustment per PSU (response_rates), when made


STAGE_COLUMNS = ("psus_in_stratum", "households_in_psu")


def base(inst, spec, raw: pd.DataFrame, frame: pd.DataFrame | None,
         counts: pd.DataFrame | None, records: pd.DataFrame | None = None) -> BaseWeights:
    """The base weights (and fpc) of ``raw``, the main table's kept responses (choice names).

    ``records``: every stored record of the instrument (refusals, non-contacts,
    rejected ones too); with a frame, the base weights are then adjusted for
    non-response within each PSU (:func:`analysis.dataset.response_rates.nonresponse_adjustment`)."""
    if len(raw) == 0:   # nothing to weight yet: no note about files
        return BaseWeights(None, None, "equal", message("weights.equal").texts)
    if spec.census is not None:
        n_units = len(inst.question(spec.census).choices)
        return BaseWeights(None, np.full(len(raw), float(n_units)), "census", message("weights.equal").texts)
    if spec.base == "frame":
        return _from_frame(inst, spec, raw, frame, records)
    if spec.base == "counts":
        return _from_counts(inst, spec, raw, counts)
    return BaseWeights(None, None, "equal", message("weights.equal").texts)


def _unweighted(reason: str, note: Message) -> BaseWeights:
    return BaseWeights(None, None, "unweighted", message("weights.unweighted", reason=message(reason).texts).texts,
                       (note,))


def _from_frame(inst, spec, raw: pd.DataFrame, frame: pd.DataFrame | None,
                records: pd.DataFrame | None) -> BaseWeights:
    if frame is None:
        return _unweighted("reason.no_frame", message("design.no_frame"))
    keys = [c for c in (spec.strata, spec.psu) if c is not None]
    try:
        table = frame.copy()
        for column in ("prob_psu", "prob_within", "households_in_psu"):
            if column in table.columns:
                table[column] = numbers(table[column])
        result = base_weights(raw[keys].astype(str), table.astype({k: str for k in keys}), psu=spec.psu,
                              stratum=spec.strata)
    except (ValueError, KeyError) as exc:
        return _unweighted("reason.frame_failed", message("design.frame_failed", detail=str(exc)))
    # each response's row of the frame, when the stages' sizes or prob_within need it (looked up once)
    at = rows_in(table, raw, keys) if spec.stages >= 2 or (records is not None and "prob_within" in table.columns) \
        else None
    stage_fpc, notes = _stage_fpc(spec, table, at)
    if records is None:
        made = BaseWeights(result.weights.to_numpy(), None, "frame", message("weights.frame").texts, (), result)
    else:
        made = _adjusted(inst, spec, raw, records, frame, table, at, result)
    return replace(made, stage_fpc=stage_fpc, notes=made.notes + notes)


def _stage_fpc(spec, table: pd.DataFrame, at: np.ndarray | None):
    """Each row's population sizes of the two stages from the frame (``stages: 2``), or ()
    with a note when the frame does not give them for every sampled PSU."""
    if spec.stages < 2:
        return (), ()
    missing = [c for c in STAGE_COLUMNS if c not in table.columns]
    sizes = [] if missing else [numbers(table[c])[at] for c in STAGE_COLUMNS]
    if missing or (at < 0).any() or any(np.isnan(v).any() or (v <= 0).any() for v in sizes):
        return (), (message("design.one_stage", columns=" / ".join(STAGE_COLUMNS)),)
    return tuple(sizes), ()


def rows_in(table: pd.DataFrame, raw: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """The row of ``table`` (-1: none) with each ``raw`` row's ``keys`` as text: the MultiIndex
    lookup is made for one row per distinct combination, not for every row (0.05 s at 100,000)."""
    codes = np.zeros(len(raw), dtype=np.int64)
    for key in keys:
        found, uniques = pd.factorize(raw[key].astype(str), use_na_sentinel=False)
        codes = codes * len(uniques) + found
    inverse, combos = pd.factorize(codes)
    once = raw[keys].iloc[first_of(inverse, len(combos), np.arange(len(inverse)))].astype(str)
    return pd.MultiIndex.from_frame(table[keys].astype(str)).get_indexer(pd.MultiIndex.from_frame(once))[inverse]


def _adjusted(inst, spec, raw, records, frame, table, at, result: WeightingResult) -> BaseWeights:
    """The frame's base weights times the non-response adjustment within PSU, where
    frame.csv gives prob_within (where it does not, the base weight already divides
    by the responding households)."""
    factors, per_psu = nonresponse_adjustment(inst, spec, raw, records, frame)
    if "prob_within" in table.columns:
        given = ~np.isnan(table["prob_within"].to_numpy(dtype=float)[at])
    else:
        given = np.zeros(len(raw), dtype=bool)
    factors = np.where(given, factors, 1.0)
    weights = result.weights.to_numpy() * factors
    summary = result.summary.copy()
    if spec.strata is not None:
        codes, _ = pd.factorize(raw[spec.strata].astype(str), sort=True)
    else:
        codes = np.zeros(len(raw), dtype=np.intp)
    summary["weighted_after"] = np.bincount(codes, weights=weights, minlength=len(summary))
    summary["note"] = "weighted_before = responses; weighted_after = estimated households (non-response adjusted)"
    adjusted = WeightingResult.from_weights(pd.Series(weights, index=result.weights.index, name="weight"), summary)
    return BaseWeights(weights, None, "frame", message("weights.frame_nonresponse").texts, (), adjusted,
                       nonresponse=per_psu)


def _from_counts(inst, spec, raw: pd.DataFrame, counts: pd.DataFrame | None) -> BaseWeights:
    where = dict(strata=spec.strata, question=spec.counts.question,
                 instrument=spec.counts.instrument)
    strata = raw[spec.strata].astype("string")
    population = _latest_counts(counts, spec.strata, spec.counts.question)
    sizes = strata.map(population).to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(sizes)
    if missing.any():
        note = message("design.no_counts", values=listing(sorted(set(strata[missing].dropna()))), **where)
        return _unweighted("reason.no_counts", note)
    sampled = strata.map(strata.value_counts()).to_numpy(dtype=float)
    small = sizes < sampled
    if small.any():
        note = message("design.counts_small", question=spec.counts.question,
                       values=listing(sorted(set(strata[small]))))
        return _unweighted("reason.no_counts", note)
    return BaseWeights(sizes / sampled, sizes if spec.counts_fpc else None, "counts",
                       message("weights.counts", **where).texts)


def _latest_counts(counts: pd.DataFrame | None, key: str, question: str) -> pd.Series:
    """Each unit's count from its latest response (rejected ones already left out)."""
    if counts is None or key not in counts.columns or question not in counts.columns or counts.empty:
        return pd.Series(dtype=float)
    table = counts[[key, question, *(["_submitted_at"] if "_submitted_at" in counts.columns else [])]]
    if "_submitted_at" in table.columns:
        table = table.sort_values("_submitted_at", kind="stable")
    values = pd.Series(numbers(table[question]), index=table[key].astype("string").to_numpy())
    values = values[~values.index.isna() & values.notna() & (values > 0)]
    return values[~values.index.duplicated(keep="last")]


@dataclass(frozen=True)
class Calibrated:
    design: SurveyDesign
    texts: Mapping[str, str]
    notes: tuple[Message, ...] = ()
    result: WeightingResult | None = None


def calibrate(design: SurveyDesign, rule, population: pd.DataFrame | None, variables: Mapping,
              texts: Mapping[str, str], lang: str) -> Calibrated:
    """``design`` post-stratified or raked as ``rule`` says, when population.csv allows."""
    if rule is None:
        return Calibrated(design, texts)
    by_text = {lang_: " × ".join(variables[v].label(lang_) for v in rule.by) for lang_ in LANGUAGES}
    where = dict(unit=unit_texts(rule.unit), by=by_text)
    cells = _labelled_totals(population, rule, variables, lang)
    if cells is None:
        return Calibrated(design, texts, (message("design.no_population", **where),))
    cells, empty = _sampled_cells(design, cells)
    notes = (message("design.empty_cells", cells=listing(empty), **where),) if empty else ()
    try:
        if rule.method == "poststratify":
            result = poststratify(design, None, cells[0], list(rule.by))
        else:
            result = rake(design, None, dict(zip(rule.by, cells)))
    except (ValueError, ConvergenceError) as exc:
        return Calibrated(design, texts, (message("design.calibration_failed", detail=str(exc), **where),))
    made = message(f"weights.{rule.method}", weights=dict(texts), **where).texts
    notes += tuple(message_from_warning(w) for w in result.warnings)
    return Calibrated(result.design, made, notes, result)


def _sampled_cells(design: SurveyDesign, cells: list[pd.DataFrame]) -> tuple[list[pd.DataFrame], list[str]]:
    """Leave out target cells without a response yet (R's postStratify(partial=TRUE))."""
    data = design.data
    kept, empty = [], []
    for totals in cells:
        by = [c for c in totals.columns if c != "total"]
        present = pd.MultiIndex.from_frame(data[by].drop_duplicates().dropna().astype(str))
        has = pd.MultiIndex.from_frame(totals[by].astype(str)).isin(present)
        empty += [" × ".join(map(str, cell)) for cell in totals.loc[~has, by].itertuples(index=False)]
        kept.append(totals[has].reset_index(drop=True))
    return kept, empty


def message_from_warning(text: str) -> Message:
    return Message("weights.warning", {lang: text for lang in LANGUAGES})


def _labelled_totals(population, rule, variables: Mapping, lang: str) -> list[pd.DataFrame] | None:
    """The rule's totals with choice names turned into the frame's category labels:
    [cells] for post-stratification, one table per margin for raking; None if absent."""
    sets = [list(rule.by)] if rule.method == "poststratify" else [[v] for v in rule.by]
    out = []
    for by in sets:
        totals = population_totals(population, rule.unit, by)
        if totals is None or totals.empty:
            return None
        for name in by:
            var = variables[name]
            labels = dict(zip(var.choices, var.choice_labels(lang)))
            totals[name] = totals[name].map(lambda v, m=labels: m.get(v, v))
        out.append(totals)
    return out
