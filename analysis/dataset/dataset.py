"""Store + instrument (+ the data folder's frame.csv and population.csv) -> the analysis data.

``load_dataset(store, "household", lang="id")`` reads the instrument's tables and
the files its design needs (:func:`read_inputs`) and builds (:func:`build_dataset`)
a :class:`Dataset`: one :class:`TableData` per table (the main table, then each
repeat group), each an analysis frame with its ``SurveyDesign``, and a
:class:`Provenance`.  Building is vectorised (no loop over rows) and touches no file.

What the frames hold (see :mod:`analysis.dataset.answer_columns` for the columns of each question):

* responses with a review status in ``statuses`` (default:
  ``survey.questionnaire.schema.COUNTED_STATUSES``, every status but ``rejected``); when
  the questionnaire's ``fieldwork:`` block names an outcome and/or a consent question,
  only completed and consented interviews; rows of versions that did not ask them
  count as completed.  Refusals, non-contacts and rejected
  responses are counted in ``Provenance.excluded`` (they feed response rates, not
  estimates).  A census keeps each unit's latest response.
* ``_weight``: the weight each row has in the design (``design_weights``; frame-based
  base weights are adjusted for non-response within each PSU from every stored
  record, refusals and non-contacts included, :mod:`analysis.dataset.response_rates`); members
  of a repeat group also carry their household's design columns (strata, PSU, fpc,
  and the questions their calibration uses) under their own names, the household's
  ``_household_weight``, and ``_weight`` (the household's, or person-level
  calibrated).  Without a PSU question the household is the members' cluster.
  Rows missing a strata or PSU answer are left out, with a note.  When the base weights
  cannot be made (no frame.csv, a frame that does not fit, missing counts), every
  table is unweighted (equal weights, not calibrated either) and a note says why.
* the designs: strata, PSU, fpc and lonely-PSU rule from the design block, PSUs
  nested in strata; calibrated designs keep their calibration in the variance.

``Dataset.filter(...)`` restricts every table to a domain (kecamatan, dates,
enumerators, statuses, any choice question): the rows stay in the design, so standard
errors are those of domain estimation (``SurveyDesign.subset``), never of a smaller
sample.  ``Dataset.unweighted()`` is the same data with equal weights and the same
strata and PSUs; the provenance names the design in force either way.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from analysis.dataset import assembly as _assembly
from analysis.dataset import design_weights
from analysis.dataset.answer_columns import AnswerColumns
from analysis.dataset.datafiles import FRAME_FILE, POPULATION_FILE, read_csv
from analysis.dataset.provenance import Provenance, project_version, unique_notes
from analysis.dataset.table_data import TableData
from analysis.messages import Message, message
from survey.locale import LANGUAGES, WIB
from survey.questionnaire.schema import COUNTED_STATUSES, table_schemas

__all__ = ["Dataset", "Inputs", "Provenance", "TableData", "analysed_rows", "build_dataset", "load_dataset",
           "read_inputs"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """An instrument's analysis data: tables (main first), provenance, the language of labels."""

    instrument: Any
    lang: str
    tables: Mapping[str, TableData]
    provenance: Provenance
    _unweighted: dict = field(default_factory=dict, repr=False)
    # the non-response adjustment per PSU the base weights went through (the monitor shows it), or None
    nonresponse: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def main(self) -> TableData:
        return self.tables[self.instrument.id]

    @property
    def weighted(self) -> bool:
        return self.provenance.weighted

    def table(self, name: str) -> TableData:
        return self.tables[name]

    def table_of(self, question: str) -> TableData:
        """The table that holds ``question``'s own answers."""
        for table in self.tables.values():
            if question in table.own:
                return table
        raise KeyError(f"{self.instrument.id} has no question {question!r} in its analysis data")

    def variable(self, question: str) -> AnswerColumns:
        return self.table_of(question).variables[question]

    def questions(self) -> list[AnswerColumns]:
        """The questions that have estimates (choices, numbers), in form order, PII left out,
        and the questions that end an interview (visit outcome, consent) too: the analysis
        keeps only the interviews they let go on, so their answer is the same everywhere."""
        out = []
        for q in self.instrument.all_questions():
            for table in self.tables.values():
                var = table.variables.get(q.name)
                if q.name in table.own and var is not None and var.kind in ("categorical", "multiple", "number") \
                        and not q.pii and q.end_if is None:
                    out.append(var)
        return out

    def breakdowns(self, question: str) -> list[AnswerColumns]:
        """Choice questions that can break ``question``'s estimates down (its table's, and a
        repeat group's inherited household questions), in form order."""
        table = self.table_of(question)
        return [v for v in table.variables.values()
                if v.kind == "categorical" and v.name != question and not v.question.pii]

    def filter(self, dates: tuple | None = None, enumerators: Iterable[str] | None = None,
               statuses: Iterable[str] | None = None, **answers: Iterable[str]) -> "Dataset":
        """The dataset restricted to a domain (rows stay in the design; see the module docstring).

        ``dates``: (first, last) WIB calendar days of ``_submitted_at``, inclusive (either may
        be None); ``enumerators``, ``statuses``: the values kept; ``answers``: question ->
        the choice names kept (``kecamatan=["laweyan"]``), applied to every table that has it.
        """
        main = self.main
        if main.design is None:
            return self
        frame = main.frame
        keep = np.ones(len(frame), dtype=bool)
        used: dict[str, Any] = {}
        if dates is not None:
            keep &= _in_dates(frame, dates)
            used["dates"] = tuple("" if d is None else str(d) for d in dates)
        for column, values, key in (("_enumerator", enumerators, "enumerators"), ("_status", statuses, "statuses")):
            if values is not None:
                values = list(values)
                keep &= frame[column].isin(values).to_numpy(dtype=bool) if column in frame else False
                used[key] = tuple(values)
        tables = {}
        for name, table in self.tables.items():
            mask = keep if table.household is None else keep[table.household]
            for question, choices in answers.items():
                if question in table.variables:
                    mask = mask & _chosen(table, question, choices)
            tables[name] = table.subset(mask)
        for question, choices in answers.items():
            if not any(question in t.variables for t in self.tables.values()):
                raise KeyError(f"filter: {self.instrument.id} has no choice question {question!r}")
            used[question] = tuple(choices)
        provenance = replace(self.provenance, filters={**self.provenance.filters, **used},
                             in_filter=tables[self.instrument.id].n)
        return replace(self, tables=tables, provenance=provenance, _unweighted={})

    def unweighted(self) -> "Dataset":
        """The same data with equal weights (computed once per dataset)."""
        if not self.provenance.weighted:
            return self
        if "dataset" not in self._unweighted:
            tables = {name: t.unweighted() for name, t in self.tables.items()}
            weights = {name: t.weights_text for name, t in tables.items()}
            provenance = replace(self.provenance, weighted=False, weights=weights)
            self._unweighted["dataset"] = replace(self, tables=tables, provenance=provenance, _unweighted={})
        return self._unweighted["dataset"]


def _in_dates(frame: pd.DataFrame, dates: tuple) -> np.ndarray:
    if "_submitted_at" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    days = frame["_submitted_at"].dt.tz_convert(WIB).dt.tz_localize(None).dt.normalize()
    keep = days.notna().to_numpy().copy()
    first, last = dates
    if first is not None:
        keep &= (days >= pd.Timestamp(first)).to_numpy(dtype=bool, na_value=False)
    if last is not None:
        keep &= (days <= pd.Timestamp(last)).to_numpy(dtype=bool, na_value=False)
    return keep


def _chosen(table: TableData, question: str, choices: Iterable[str]) -> np.ndarray:
    var = table.variables[question]
    if var.kind != "categorical":
        raise ValueError(f"filter: {question!r} is not a choice question")
    wanted = [var.choices.index(c) for c in choices if c in var.choices]
    return np.isin(table.choice_codes(question), wanted)


# ---- reading ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Inputs:
    """What a dataset is built from: the store's tables and the data folder's files."""

    tables: Mapping[str, pd.DataFrame]     # the instrument's tables (main, repeats)
    frame: pd.DataFrame | None = None      # <data>/frame.csv (text columns)
    population: pd.DataFrame | None = None  # <data>/population.csv
    counts: pd.DataFrame | None = None     # the main table of the design's counts instrument


def read_inputs(store, instrument_id: str) -> Inputs:
    """Read what :func:`build_dataset` needs for ``instrument_id`` (store and data folder)."""
    inst = store.instrument(instrument_id)
    spec = inst.design
    names = [inst.id] + [inst.table_name(repeat) for repeat in inst.repeats]
    if spec.counts is not None:
        names.append(spec.counts.instrument)
    # The tables read side by side: much of a read (Parquet decoding, text from dictionaries) lets
    # go of the GIL, so the households and their members take about the longer one's time.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="read-inputs") as pool:
        reads = [pool.submit(store.read, name) for name in names]
        root = Path(store.root)
        frame = read_csv(root / FRAME_FILE) if spec.base == "frame" else None
        population = read_csv(root / POPULATION_FILE) if spec.calibrate or spec.repeats else None
        frames = [read.result() for read in reads]
    counts = frames.pop() if spec.counts is not None else None
    return Inputs(dict(zip(names, frames)), frame, population, counts)


def load_dataset(store, instrument_id: str, lang: str = "en",
                 statuses: Iterable[str] = COUNTED_STATUSES) -> Dataset:
    """The analysis data of ``instrument_id`` from ``store`` (a ResponseStore)."""
    inputs = read_inputs(store, instrument_id)
    return build_dataset(store.instrument(instrument_id), inputs.tables, inputs.frame, inputs.population,
                         inputs.counts, lang=lang, statuses=statuses, memo=str(store.root))


# ---- building -----------------------------------------------------------------------------
def _empty(inst) -> pd.DataFrame:
    """The main table with no rows (an instrument nobody has answered yet)."""
    return table_schemas(inst)[inst.id].empty_table().to_pandas()


def _kept(raw: pd.DataFrame, inst, spec, statuses: tuple[str, ...]) -> tuple[np.ndarray, dict[str, int]]:
    """Rows of the main table that go into the analysis, and the counts of those left out."""
    keep = np.ones(len(raw), dtype=bool)
    excluded: dict[str, int] = {}
    if "_status" in raw.columns:
        status = raw["_status"].astype("string")
        ok = status.isin(statuses).to_numpy(dtype=bool)
        for value, count in status[~ok].value_counts(dropna=False).items():
            excluded[f"status: {value}"] = int(count)
        keep &= ok
    for question, wanted in inst.fieldwork.completion:
        if question in raw.columns:
            answer = raw[question].astype("string")
            ok = (answer.isna() | (answer == wanted)).to_numpy(dtype=bool)
            for value, count in answer[keep & ~ok].value_counts().items():
                excluded[f"{question}: {value}"] = int(count)
            keep &= ok
    if spec.census is not None and spec.census in raw.columns:
        order = (raw["_submitted_at"].rank(method="first").fillna(0).to_numpy() if "_submitted_at" in raw
                 else np.arange(len(raw), dtype=float))
        unit = raw[spec.census].astype("string")
        latest = pd.Series(np.where(keep, order, -np.inf)).groupby(unit.to_numpy(), dropna=False).transform("max")
        newest = keep & (np.where(keep, order, -np.inf) == latest.to_numpy()) & unit.notna().to_numpy()
        if (keep & ~newest).any():
            excluded["earlier response of the same unit"] = int((keep & ~newest).sum())
        keep = newest
    return keep, excluded


def analysed_rows(inst, stored: pd.DataFrame, statuses: Iterable[str] = COUNTED_STATUSES,
                  design=None) -> tuple[np.ndarray, dict[str, int], list[Message]]:
    """(which rows of the main table ``stored`` the analysis keeps, the counts of those left out
    by reason, the notes about them): the Dataset's rows, without building it (the monitor
    counts and adjusts with them)."""
    spec = design if design is not None else inst.design
    keep, excluded = _kept(stored, inst, spec, tuple(statuses))
    needed = [c for c in (spec.strata, spec.psu) if c is not None]
    notes: list[Message] = []
    if needed:
        lacking = keep & stored.reindex(columns=needed).isna().any(axis=1).to_numpy()
        if lacking.any():
            notes.append(message("design.missing_design", count=int(lacking.sum()), columns=" / ".join(needed)))
            excluded["missing design answers"] = int(lacking.sum())
            keep &= ~lacking
    return keep, excluded, notes


def build_dataset(instrument, tables: Mapping[str, pd.DataFrame], frame: pd.DataFrame | None = None,
                  population: pd.DataFrame | None = None, counts: pd.DataFrame | None = None,
                  lang: str = "en", statuses: Iterable[str] = COUNTED_STATUSES, design=None,
                  memo: str | None = None) -> Dataset:
    """The Dataset of ``instrument`` from its tables as ``ResponseStore.read`` gives them.

    ``frame``, ``population``: the data folder's frame.csv and population.csv (text
    columns, as :func:`analysis.dataset.datafiles.read_csv` reads them) or None; ``counts``: the
    main table of the instrument the design's ``counts`` come from; ``design``: a
    ``survey.questionnaire.sampling_design.SamplingDesign`` in place of the instrument's own;
    ``memo``: the store's root, to code only the answers its last build had not coded
    (:mod:`analysis.dataset.answer_memo`; the result is the same).
    """
    inst = instrument
    spec = design if design is not None else inst.design
    statuses = tuple(statuses)
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    stored = tables.get(inst.id)
    stored = _empty(inst) if stored is None else stored
    keep, excluded, notes = analysed_rows(inst, stored, statuses, spec)
    raw = stored[keep].reset_index(drop=True)
    if counts is not None and "_status" in counts.columns:
        counts = counts[counts["_status"].isin(statuses).to_numpy(dtype=bool)]

    base = design_weights.base(inst, spec, raw, frame, counts, records=stored)
    notes += base.notes
    if base.method == "unweighted":   # no usable frame or counts: unweighted, as its note says, not calibrated
        spec = replace(spec, calibrate=None, repeats=MappingProxyType({}))
    main_table = _assembly.main_table(inst, spec, raw, base, population, lang, notes, memo)
    out = {inst.id: main_table}
    for repeat in inst.repeats:
        name = inst.table_name(repeat)
        out[name] = _assembly.repeat_table(inst, spec, repeat, name, tables.get(name), raw, main_table,
                                           population, lang, notes, memo)
        out[inst.id] = main_table = _assembly.with_head(main_table, out[name])
    weighted = base.method in ("frame", "counts") or any(
        t.design is not None and bool(t.design.calibration) for t in out.values())
    submitted = raw["_submitted_at"].max() if "_submitted_at" in raw and len(raw) else None
    versions = raw["_instrument_version"].dropna().unique() if "_instrument_version" in raw else []
    provenance = Provenance(
        instrument=inst.id, instrument_version=inst.version, data_versions=tuple(sorted(int(v) for v in versions)),
        responses=len(raw), rows={k: (0 if t.design is None else len(t.design)) for k, t in out.items()},
        stored=len(stored), excluded=excluded, last_submitted_at=None if pd.isna(submitted) else submitted,
        statuses=statuses, design=_assembly.design_text(inst, spec, main_table), weighted=weighted,
        weights={k: t.weights_text for k, t in out.items()}, notes=tuple(unique_notes(notes)), filters={},
        project_version=project_version(), built_at=pd.Timestamp.now(tz="UTC"))
    return Dataset(inst, lang, out, provenance, nonresponse=base.nonresponse)


