"""Store + instrument (+ the data folder's frame.csv and population.csv) -> the analysis data.

``load_dataset(store, "household", lang="id")`` reads the instrument's tables and
the files its design needs (:func:`read_inputs`) and builds (:func:`build_dataset`)
a :class:`Dataset`: one :class:`TableData` per table (the main table, then each
repeat group), each an analysis frame with its ``SurveyDesign``, and a
:class:`Provenance`.  Building is vectorised (no loop over rows) and touches no file.

What the frames hold (see :mod:`analysis.answers` for the columns of each question):

* responses with a review status in ``statuses`` (default: every status but
  ``rejected``); when the instrument asks ``visit_outcome`` and/or ``consent``, only
  completed (``completed``) and consented (``yes``) interviews; rows of versions
  that did not ask them count as completed.  Refusals, non-contacts and rejected
  responses are counted in ``Provenance.excluded`` (they feed response rates, not
  estimates).  A census keeps each unit's latest response.
* ``_weight``: the weight each row has in the design (``design_weights``); members
  of a repeat group also carry their household's design columns (strata, PSU, fpc,
  and the questions their calibration uses) under their own names, the household's
  ``_household_weight``, and ``_weight`` (the household's, or person-level
  calibrated).  Without a PSU question the household is the members' cluster.
  Rows missing a strata or PSU answer are left out, with a note.
* the designs: strata, PSU, fpc and lonely-PSU rule from the design block, PSUs
  nested in strata; calibrated designs keep their calibration in the variance.

``Dataset.filter(...)`` restricts every table to a domain (kecamatan, dates,
enumerators, statuses, any choice question): the rows stay in the design, so standard
errors are those of domain estimation (``SurveyDesign.subset``), never of a smaller
sample.  ``Dataset.unweighted()`` is the same data with equal weights and the same
strata and PSUs; the provenance names the design in force either way.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis import design_weights
from analysis.answers import Variable, tidy
from analysis.datafiles import FRAME_FILE, POPULATION_FILE, read_csv
from analysis.design import DesignError, SurveyDesign
from analysis.formatting import WIB, number, wib_time
from analysis.messages import Message, message
from analysis.weighting import WeightingResult
from survey.i18n import LANGUAGES, pick

__all__ = ["DEFAULT_STATUSES", "Dataset", "Inputs", "Provenance", "TableData", "build_dataset", "load_dataset",
           "read_inputs"]

DEFAULT_STATUSES = ("submitted", "approved", "on_hold")   # every status but rejected
COMPLETED = (("visit_outcome", "completed"), ("consent", "yes"))
_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def project_version() -> str:
    """The project's version (pyproject.toml), or "unknown"."""
    try:
        return str(tomllib.loads(_PYPROJECT.read_text())["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


@dataclass(frozen=True)
class Provenance:
    """Where the numbers come from: what went in, which design and weights, when."""

    instrument: str
    instrument_version: int                   # the questionnaire's current version
    data_versions: tuple[int, ...]            # versions the analysed responses were entered with
    responses: int                            # responses in the analysis (main table rows)
    rows: Mapping[str, int]                   # rows per table (members too)
    stored: int                               # responses read from the store
    excluded: Mapping[str, int]               # reason -> responses left out ("status: rejected", ...)
    last_submitted_at: pd.Timestamp | None    # UTC, of the newest response in the analysis
    statuses: tuple[str, ...]
    design: Mapping[str, str]                 # {lang: text}, the main table's design
    weights: Mapping[str, Mapping[str, str]]  # table -> {lang: how its weights were made}
    weighted: bool                            # False after Dataset.unweighted() (or no weights)
    notes: tuple[Message, ...]                # fallbacks and problems, for people
    filters: Mapping[str, Any]                # the domain in force (Dataset.filter)
    project_version: str
    built_at: pd.Timestamp

    def sentence(self, lang: str) -> str:
        """"1.234 responses, the last at 14:05 WIB" (or that there are none yet)."""
        n = number(self.responses, lang, 0)
        if self.last_submitted_at is None:
            return "Belum ada respons" if lang == "id" else "No responses yet"
        at = wib_time(self.last_submitted_at, lang)
        return f"{n} respons, terakhir pukul {at}" if lang == "id" else f"{n} responses, the last at {at}"

    def lines(self, lang: str) -> list[str]:
        """The provenance as short lines for a table's notes or a file's notes block."""
        id_ = lang == "id"
        out = [self.sentence(lang),
               ("Desain: " if id_ else "Design: ") + pick(self.design, lang)]
        out += [("Bobot " if id_ else "Weights ") + f"({table}): " + pick(text, lang)
                for table, text in self.weights.items()]
        out.append(("Status: " if id_ else "Statuses: ") + ", ".join(self.statuses))
        if self.filters:
            shown = "; ".join(f"{k} = {_shown(v)}" for k, v in self.filters.items())
            out.append(("Filter: " if id_ else "Filters: ") + shown)
        if self.excluded:
            shown = ", ".join(f"{k}: {number(v, lang, 0)}" for k, v in self.excluded.items())
            out.append(("Tidak diikutkan: " if id_ else "Left out: ") + shown)
        out += [note.text(lang) for note in self.notes]
        version = ", ".join(map(str, self.data_versions)) or "–"
        out.append((f"Kuesioner {self.instrument} versi {self.instrument_version} (data: versi {version}); "
                    f"versi proyek {self.project_version}") if id_ else
                   (f"Questionnaire {self.instrument} version {self.instrument_version} (data: version "
                    f"{version}); project version {self.project_version}"))
        return out


def _shown(value) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(map(str, value))
    return str(value)


@dataclass(frozen=True, eq=False)
class TableData:
    """One table's analysis frame, its design (with the domain in force) and variables."""

    name: str                                  # the store table ("household", "household_members")
    design: SurveyDesign | None                # None when the table has no rows
    variables: Mapping[str, Variable]          # question -> its columns (inherited ones too)
    own: frozenset                             # the questions of this table itself
    weights_text: Mapping[str, str]            # {lang: how the weights were made}
    weighting: tuple[WeightingResult, ...] = ()  # base weights and calibrations (for the design page)
    household: np.ndarray | None = None        # repeat tables: each row's position in the main table
    lonely_psu: str = "fail"
    lang: str = "en"                           # the language of the frame's category labels

    @property
    def frame(self) -> pd.DataFrame:
        """Every row of the table (the domain is ``design.in_subset``)."""
        return self.design.data if self.design is not None else pd.DataFrame()

    @property
    def n(self) -> int:
        """Rows in the domain in force."""
        return 0 if self.design is None else int(self.design.in_subset.sum())

    def rows(self) -> pd.DataFrame:
        """The rows in the domain in force."""
        return self.frame[self.design.in_subset] if self.design is not None else pd.DataFrame()

    def choice_codes(self, question: str) -> np.ndarray:
        """Per row, the position of the answer in ``variables[question].choices`` (-1 missing)."""
        var = self.variables[question]
        if var.kind != "categorical":
            raise ValueError(f"{question!r} is not a choice question")
        return self.frame[question].cat.codes.to_numpy(np.int64)

    def is_choice(self, question: str, choice: str) -> pd.Series:
        """Nullable boolean per row: the answer is ``choice`` (NA where unanswered)."""
        var = self.variables[question]
        codes = self.choice_codes(question)
        hit = codes == (var.choices.index(choice) if choice in var.choices else -2)
        return pd.Series(pd.arrays.BooleanArray(hit, codes < 0), index=self.frame.index)

    def subset(self, mask: np.ndarray) -> "TableData":
        return self if self.design is None else replace(self, design=self.design.subset(mask))

    def unweighted(self) -> "TableData":
        """The same rows and domain with equal weights (strata, PSUs and fpc kept)."""
        if self.design is None:
            return self
        c = self.design.columns
        equal = SurveyDesign(self.design.data.assign(_equal_weight=1.0), weights="_equal_weight",
                             strata=c["strata"], psu=c["psu"], fpc=c["fpc"], lonely_psu=self.design.lonely_psu,
                             nest=c["nest"])
        texts = message("weights.unweighted", reason=message("reason.switch").texts).texts
        return replace(self, design=equal.subset(self.design.in_subset), weights_text=texts, weighting=())


@dataclass(frozen=True, eq=False)
class Dataset:
    """An instrument's analysis data: tables (main first), provenance, the language of labels."""

    instrument: Any
    lang: str
    tables: Mapping[str, TableData]
    provenance: Provenance
    _unweighted: dict = field(default_factory=dict, repr=False)

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

    def variable(self, question: str) -> Variable:
        return self.table_of(question).variables[question]

    def questions(self) -> list[Variable]:
        """The questions that have estimates (choices, numbers), in form order, PII left out."""
        out = []
        for q in self.instrument.all_questions():
            for table in self.tables.values():
                var = table.variables.get(q.name)
                if q.name in table.own and var.kind in ("categorical", "multiple", "number") and not q.pii:
                    out.append(var)
        return out

    def breakdowns(self, question: str) -> list[Variable]:
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
        provenance = replace(self.provenance, filters={**self.provenance.filters, **used})
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
    tables = {inst.id: store.read(inst.id)}
    for repeat in inst.repeats:
        tables[inst.table_name(repeat)] = store.read(inst.table_name(repeat))
    spec = inst.design
    counts = store.read(spec.counts.instrument) if spec.counts is not None else None
    root = Path(store.root)
    frame = read_csv(root / FRAME_FILE) if spec.base == "frame" else None
    population = read_csv(root / POPULATION_FILE) if spec.calibrate or spec.repeats else None
    return Inputs(tables, frame, population, counts)


def load_dataset(store, instrument_id: str, lang: str = "en",
                 statuses: Iterable[str] = DEFAULT_STATUSES) -> Dataset:
    """The analysis data of ``instrument_id`` from ``store`` (a ResponseStore)."""
    inputs = read_inputs(store, instrument_id)
    return build_dataset(store.instrument(instrument_id), inputs.tables, inputs.frame, inputs.population,
                         inputs.counts, lang=lang, statuses=statuses)


# ---- building -----------------------------------------------------------------------------
def _empty(inst) -> pd.DataFrame:
    from survey.schema import table_schemas

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
    names = {q.name for q in inst.questions}
    for question, wanted in COMPLETED:
        if question in names and question in raw.columns:
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


def build_dataset(instrument, tables: Mapping[str, pd.DataFrame], frame: pd.DataFrame | None = None,
                  population: pd.DataFrame | None = None, counts: pd.DataFrame | None = None,
                  lang: str = "en", statuses: Iterable[str] = DEFAULT_STATUSES, design=None) -> Dataset:
    """The Dataset of ``instrument`` from its tables as ``ResponseStore.read`` gives them.

    ``frame``, ``population``: the data folder's frame.csv and population.csv (text
    columns, as :func:`analysis.datafiles.read_csv` reads them) or None; ``counts``: the
    main table of the instrument the design's ``counts`` come from; ``design``: a
    ``survey.sampling_design.SamplingDesign`` in place of the instrument's own.
    """
    inst = instrument
    spec = design if design is not None else inst.design
    statuses = tuple(statuses)
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    stored = tables.get(inst.id)
    stored = _empty(inst) if stored is None else stored
    keep, excluded = _kept(stored, inst, spec, statuses)
    needed = [c for c in (spec.strata, spec.psu) if c is not None]
    notes: list[Message] = []
    if needed:
        lacking = keep & stored.reindex(columns=needed).isna().any(axis=1).to_numpy()
        if lacking.any():
            notes.append(message("design.missing_design", count=int(lacking.sum()), columns=" / ".join(needed)))
            excluded["missing design answers"] = int(lacking.sum())
            keep &= ~lacking
    raw = stored[keep].reset_index(drop=True)
    if counts is not None and "_status" in counts.columns:
        counts = counts[counts["_status"].isin(statuses).to_numpy(dtype=bool)]

    base = design_weights.base(inst, spec, raw, frame, counts)
    notes += base.notes
    main_table = _main_table(inst, spec, raw, base, population, lang, notes)
    out = {inst.id: main_table}
    for repeat in inst.repeats:
        name = inst.table_name(repeat)
        out[name] = _repeat_table(inst, spec, repeat, name, tables.get(name), raw, main_table, population,
                                  lang, notes)
        out[inst.id] = main_table = _with_head(main_table, out[name])
    weighted = base.method in ("frame", "counts") or any(
        t.design is not None and bool(t.design.calibration) for t in out.values())
    submitted = raw["_submitted_at"].max() if "_submitted_at" in raw and len(raw) else None
    versions = raw["_instrument_version"].dropna().unique() if "_instrument_version" in raw else []
    provenance = Provenance(
        instrument=inst.id, instrument_version=inst.version, data_versions=tuple(sorted(int(v) for v in versions)),
        responses=len(raw), rows={k: (0 if t.design is None else len(t.design)) for k, t in out.items()},
        stored=len(stored), excluded=excluded, last_submitted_at=None if pd.isna(submitted) else submitted,
        statuses=statuses, design=_design_text(inst, spec, main_table), weighted=weighted,
        weights={k: t.weights_text for k, t in out.items()}, notes=tuple(_unique(notes)), filters={},
        project_version=project_version(), built_at=pd.Timestamp.now(tz="UTC"))
    return Dataset(inst, lang, out, provenance)


def _unique(notes: list[Message]) -> list[Message]:
    seen, out = set(), []
    for note in notes:
        key = (note.code, tuple(sorted(note.texts.items())))
        if key not in seen:
            seen.add(key)
            out.append(note)
    return out


def _design(frame: pd.DataFrame, spec, psu: str | None, fpc: str | None, notes: list[Message]) -> SurveyDesign:
    """The SurveyDesign of a frame; a design the data cannot support falls back to an
    unclustered one with the same weights, and a note that says why."""
    try:
        return SurveyDesign(frame, weights="_weight", strata=spec.strata, psu=psu, fpc=fpc,
                            lonely_psu=spec.lonely_psu, nest=True)
    except DesignError as exc:
        notes.append(Message("design.invalid", {lang: str(exc) for lang in LANGUAGES}))
        return SurveyDesign(frame, weights="_weight")


def _main_table(inst, spec, raw, base, population, lang, notes) -> TableData:
    questions = [q for q in inst.questions if q.type != "repeat"]
    frame, variables = tidy(raw, questions, lang)
    weighting = (base.result,) if base.result is not None else ()
    if len(frame) == 0:
        return TableData(inst.id, None, variables, frozenset(variables), base.texts, weighting,
                         lonely_psu=spec.lonely_psu, lang=lang)
    fpc = spec.fpc
    if base.fpc is not None:
        frame["_fpc"] = base.fpc
        fpc = "_fpc"
    if base.weights is not None:
        frame["_weight"] = base.weights
    elif spec.census is not None:   # a census (or partial one): N / n, R's weights from the fpc
        frame["_weight"] = base.fpc / len(frame)
    else:
        frame["_weight"] = 1.0
    design = _design(frame, spec, spec.psu, fpc, notes)
    cal = design_weights.calibrate(design, spec.calibrate, population, variables, base.texts, lang)
    notes += cal.notes
    weighting += (cal.result,) if cal.result is not None else ()
    return TableData(inst.id, cal.design, variables, frozenset(variables), cal.texts, weighting,
                     lonely_psu=spec.lonely_psu, lang=lang)


def _repeat_table(inst, spec, repeat, name, stored, raw, main: TableData, population, lang, notes) -> TableData:
    own_texts = message("weights.household").texts
    empty = TableData(name, None, {}, frozenset(q.name for q in repeat.questions), own_texts,
                      household=np.zeros(0, dtype=np.int64), lonely_psu=spec.lonely_psu, lang=lang)
    if stored is None or main.design is None or len(stored) == 0:
        return empty
    position = _positions(stored["_response_id"], raw["_response_id"])
    kept = position >= 0
    rows = stored[kept].reset_index(drop=True)
    position = position[kept]
    if len(rows) == 0:
        return empty
    frame, variables = tidy(rows, repeat.questions, lang)
    household = main.frame
    rule = spec.repeats.get(repeat.name)
    inherited = [c for c in dict.fromkeys([spec.strata, spec.psu, spec.fpc, *(rule.by if rule else ())])
                 if c is not None and c in household.columns and c not in frame.columns]
    extra = {c: _take(household[c], position) for c in inherited}
    weights = main.design.weights[position]
    extra.update(_household_weight=weights, _weight=weights)
    fpc = spec.fpc
    if "_fpc" in household.columns:
        extra["_fpc"] = household["_fpc"].to_numpy()[position]
        fpc = "_fpc"
    frame = frame.assign(**extra)
    psu = spec.psu or "_response_id"   # without PSUs the household is the members' cluster
    design = _design(frame, spec, psu, fpc, notes)
    all_vars = {**{c: main.variables[c] for c in inherited if c in main.variables}, **variables}
    cal = design_weights.calibrate(design, rule, population, all_vars, own_texts, lang)
    notes += cal.notes
    return TableData(name, cal.design, all_vars, frozenset(variables), cal.texts,
                     (cal.result,) if cal.result is not None else (), position, spec.lonely_psu, lang)


def _positions(keys: pd.Series, among: pd.Series) -> np.ndarray:
    """Position of each key in ``among`` (-1: absent), hashed by Arrow.  Members come in
    runs per household, so only the first key of each run is looked up."""
    def arrow(column: pd.Series) -> pa.Array:
        values = column.array if isinstance(column.array, pd.arrays.ArrowStringArray) else \
            column.to_numpy(dtype=object, na_value=None)
        out = pa.array(values)
        return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out

    values = arrow(keys)
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.ones(len(values), dtype=bool)
    start[1:] = pc.not_equal(values[1:], values[:-1]).fill_null(True).to_numpy(zero_copy_only=False)
    heads = pc.index_in(values.filter(pa.array(start)), value_set=arrow(among))
    found = heads.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return found[np.cumsum(start) - 1]


def _take(column: pd.Series, position: np.ndarray) -> pd.Series:
    """A household column for its members; text (a PSU code) becomes a Categorical, so the
    members' design codes it once per household instead of once per member."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Series(pd.Categorical.from_codes(column.cat.codes.to_numpy()[position],
                                                   categories=column.cat.categories))
    if pd.api.types.is_string_dtype(column.dtype) or column.dtype == object:
        codes, uniques = pd.factorize(column, sort=True)
        return pd.Series(pd.Categorical.from_codes(codes[position], categories=pd.Index(uniques).astype(str)))
    return column.iloc[position].reset_index(drop=True)


HEAD = ("relationship", "head")
HEAD_TITLE = {"id": "Kepala rumah tangga: {label}", "en": "Head of household: {label}"}


def _with_head(main: TableData, members: TableData) -> TableData:
    """The main table with its head's answers as ``head_<question>`` columns, when the
    repeat group says who the head is (a ``relationship`` choice ``head``): household
    analyses by the head's sex, age or education need no join."""
    question, choice = HEAD
    rel = members.variables.get(question)
    if members.design is None or rel is None or rel.kind != "categorical" or choice not in rel.choices:
        return main
    is_head = members.choice_codes(question) == rel.choices.index(choice)
    rows = np.flatnonzero(is_head)
    households, first = np.unique(members.household[rows], return_index=True)
    rows = rows[first]                     # one head per household (the first listed)
    n = len(main.frame)
    columns, variables = {}, {}
    for var in members.variables.values():
        if var.name not in members.own or var.name == question or var.question.pii or \
                var.kind not in ("categorical", "number"):
            continue
        name = f"head_{var.name}"
        if name in main.frame.columns:
            continue
        column = members.frame[var.name]
        if var.kind == "categorical":
            codes = np.full(n, -1, dtype=np.int64)
            codes[households] = column.cat.codes.to_numpy()[rows]
            columns[name] = pd.Categorical.from_codes(codes, categories=column.cat.categories)
        else:
            numbers = np.full(n, np.nan)
            numbers[households] = pd.to_numeric(column.iloc[rows], errors="coerce").to_numpy(float, na_value=np.nan)
            columns[name] = numbers
        title = {lang: HEAD_TITLE[lang].format(label=var.label(lang)) for lang in LANGUAGES}
        variables[name] = Variable(var.question, var.kind, (name,), var.choices, name, title)
    if not columns:
        return main
    return replace(main, design=main.design.update(**columns), variables={**main.variables, **variables},
                   own=main.own | frozenset(variables))


def _design_text(inst, spec, main: TableData) -> dict[str, str]:
    """{lang: the design in words}, e.g. "Stratified cluster sample (strata: District; PSU: ...)"."""
    def label(name: str, lang: str) -> str:
        return pick(inst.question(name).label, lang) if name in {q.name for q in inst.all_questions()} else name

    if spec.census is not None:
        unit = {lang: label(spec.census, lang) for lang in LANGUAGES}
        return message("text.census", unit=unit).texts
    strata = {lang: label(spec.strata, lang) for lang in LANGUAGES} if spec.strata else None
    psu = {lang: label(spec.psu, lang) for lang in LANGUAGES} if spec.psu else None
    if strata and psu:
        texts = message("text.stratified_cluster", strata=strata, psu=psu).texts
    elif strata:
        texts = message("text.stratified", strata=strata).texts
    elif psu:
        texts = message("text.cluster", psu=psu).texts
    else:
        texts = message("text.srs").texts
    if main.design is not None and main.design.columns["fpc"] is not None:
        texts = message("text.fpc", design=texts).texts
    return texts
