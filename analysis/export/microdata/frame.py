"""Store rows -> the microdata frame every format writes: one column per Variable.

Values by kind: text and choice columns are pandas ``string`` (a select_one holds its
choice name; the statistical formats turn it into its code), integers ``Int64``,
decimals ``float64``, 0/1 dummies ``Int8`` (missing when the question was not
answered: not asked, or skipped), dates ``datetime.date`` objects (None when
missing), timestamps ``datetime64[us, UTC]``.

A repeat table (the household roster) gets its parent's design variables by a
many-to-one join on ``_response_id``, and, when weights are given, its household's
weight and its own (weights.py), so a person-level analysis needs no join of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

import numpy as np
import pandas as pd

from analysis.export.errors import ExportError
from analysis.export.microdata.replicates import TableReplicates, row_replicates
from analysis.export.microdata.variables import (
    Variable,
    design_questions,
    table_of,
    table_variables,
    with_unknown_choices,
)
from analysis.export.microdata.weights import TableWeights, design_weights, from_response_ids, row_weights
from survey.questionnaire.model import Instrument, InstrumentError, Question

_SEP = "\x1f"


@dataclass(frozen=True)
class Microdata:
    """One table as exported: its variables (file order) and a frame named by export name."""

    instrument: Instrument
    table: str
    variables: list[Variable]
    frame: pd.DataFrame


@dataclass(frozen=True)
class ExportInfo:
    """What a file says about itself (file label, notes, metadata)."""

    instrument: Instrument
    table: str
    identified: bool
    lang: str
    exported_at: dt.datetime  # UTC
    rows: int


def table_owner(store, table: str) -> tuple[Instrument, Question | None]:
    """(instrument, repeat group or None) of a store table; ExportError for an unknown one.

    A questionnaire the store cannot use now (InstrumentError) is passed over, so that the
    tables of the others still export; its own tables raise its problem."""
    known, broken = [], []
    for instrument_id in store.instrument_ids():
        try:
            inst = store.instrument(instrument_id)
        except InstrumentError as exc:
            broken.append((instrument_id, exc))
            continue
        for name in (inst.id, *(inst.table_name(r) for r in inst.repeats)):
            known.append(name)
            if name == table:
                return inst, table_of(inst, table)
    for instrument_id, exc in broken:
        if table == instrument_id or table.startswith(f"{instrument_id}_"):
            raise exc
    raise ExportError({
        "id": f"Tabel {table!r} tidak ada. Tabel yang ada: {', '.join(known)}.",
        "en": f"There is no table {table!r}. Tables: {', '.join(known)}.",
    })


Weights = TableWeights | Mapping[str, float] | pd.Series | bool | None


def table_weights(store, inst: Instrument, table: str, weights: Weights) -> TableWeights | None:
    """The weights asked for: ``True`` is the design's (weights.design_weights); a mapping
    or Series is response id -> weight (a repeat table's rows take their household's)."""
    if weights is None or weights is False:
        return None
    if weights is True:
        return design_weights(store, inst.id)[table]
    if isinstance(weights, TableWeights):
        return weights
    return from_response_ids(weights, repeat=table != inst.id)


def _parents(store, inst: Instrument, repeat: Question | None) -> pd.DataFrame | None:
    """A repeat table's parent design variables by response id (None for a main table)."""
    parent_columns = list(design_questions(inst)) if repeat is not None else []
    if not parent_columns:
        return None
    return store.read_columns(inst.id, ["_response_id", *parent_columns])  # names are unique per instrument


def _with_design(rows: pd.DataFrame, parents: pd.DataFrame | None, weights: TableWeights | None,
                 repeat: bool, replicates: TableReplicates | None = None) -> pd.DataFrame:
    """Store rows with their parent's design variables, their weights and replicate weights."""
    if parents is not None:
        rows = rows.merge(parents, on="_response_id", how="left", validate="many_to_one")
    if weights is not None:
        rows = rows.assign(**row_weights(rows, weights, repeat))
    if replicates is not None:
        rows = rows.assign(**row_replicates(rows, replicates, repeat))
    return rows


def _variables(inst: Instrument, table: str, weights: TableWeights | None,
               replicates: TableReplicates | None) -> list[Variable]:
    names = tuple(replicates.names) if replicates is not None else ()
    return table_variables(inst, table, weight=weights is not None, replicates=names,
                           replicate_label=None if replicates is None else replicates.texts())


def _found_choices(variables: list[Variable], rows: pd.DataFrame, found: dict[str, set[str]]) -> None:
    """Add to `found` (column -> choice names) the choices `rows` hold in choice and dummy columns."""
    for column in {v.column for v in variables if v.kind == "dummy"}:
        _, sets = _choice_sets(rows[column])
        found.setdefault(column, set()).update(c for s in sets for c in s)
    for column in {v.column for v in variables if v.kind == "choice"}:
        found.setdefault(column, set()).update(rows[column].dropna().astype(str).unique())


def _frame(variables: list[Variable], rows: pd.DataFrame) -> pd.DataFrame:
    """The export columns of store rows (with design variables and weights), one per variable."""
    selections = {v.column: _choice_sets(rows[v.column]) for v in variables if v.kind == "dummy"}
    frame = pd.DataFrame({v.name: _column(v, rows[v.column], selections) for v in variables}, index=rows.index)
    return frame.reset_index(drop=True)


def _choice_sets(values: pd.Series) -> tuple[np.ndarray, list[list[str]]]:
    """(row -> index into the distinct selections, -1 when unanswered; the selections)."""
    keys = values.map(lambda v: None if v is None else _SEP.join(v))
    codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    return codes, [u.split(_SEP) if u else [] for u in uniques]


def _dates(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values, errors="coerce")
    out = np.empty(len(stamps), dtype=object)
    present = stamps.notna().to_numpy()
    out[present] = [t.date() for t in stamps[present]]
    out[~present] = None
    return pd.Series(out, index=values.index, dtype=object)


def _column(v: Variable, values: pd.Series, selections: dict) -> pd.Series:
    if v.kind in ("text", "choice"):
        return values.astype("string")
    if v.kind == "integer":
        return pd.to_numeric(values, errors="coerce").astype("Int64")
    if v.kind == "decimal":
        return pd.to_numeric(values, errors="coerce").astype("float64")
    if v.kind == "date":
        return _dates(values)
    if v.kind == "timestamp":
        return pd.to_datetime(values, utc=True).astype("datetime64[us, UTC]")
    codes, sets = selections[v.column]
    flags = np.array([v.choice in s for s in sets] + [False], dtype="int8")[codes]
    return pd.Series(pd.array(flags, dtype="Int8"), index=values.index).mask(codes < 0)


def microdata_frame(store, table: str, identified: bool = False, weights: Weights = None,
                    replicates: TableReplicates | None = None) -> Microdata:
    """One store table as exported: its variables and a frame whose columns are their names.

    `identified=False` leaves out every variable of a pii question. `weights` (see
    table_weights): ``True`` for the design's weights, a TableWeights, or response id
    -> weight; adds ``weight`` (and a repeat table's ``household_weight``). `replicates`:
    replicate weights carried instead of the design's strata, PSU and fpc (replicates.py).
    """
    inst, repeat = table_owner(store, table)
    weights = table_weights(store, inst, table, weights)
    rows = _with_design(store.read(table), _parents(store, inst, repeat), weights, repeat is not None, replicates)
    variables = _variables(inst, table, weights, replicates)
    found: dict[str, set[str]] = {}
    _found_choices(variables, rows, found)
    variables = _exported(variables, found, identified)
    return Microdata(inst, table, variables, _frame(variables, rows))


@dataclass(frozen=True)
class MicrodataBatches:
    """One store table as exported, in pieces: its variables and a way to read its frame
    batch by batch (microdata_frame's columns), so a table of millions of rows is never
    whole in memory. ``batches()`` may be called more than once; each call reads the store."""

    instrument: Instrument
    table: str
    variables: list[Variable]
    batches: Callable[[], Iterator[pd.DataFrame]]


def microdata_batches(store, table: str, identified: bool = False, weights: Weights = None,
                      replicates: TableReplicates | None = None, batch_rows: int = 50_000) -> MicrodataBatches:
    """microdata_frame in batches of at most `batch_rows` rows (the same variables and values).

    A first pass over the store reads only the choice columns, for the choice names that
    older questionnaire versions stored (their codes must be known before the first batch)."""
    inst, repeat = table_owner(store, table)
    weights = table_weights(store, inst, table, weights)
    parents = _parents(store, inst, repeat)
    variables = _variables(inst, table, weights, replicates)
    choice_columns = sorted({v.column for v in variables if v.kind in ("choice", "dummy") and v.origin != "weight"})
    found: dict[str, set[str]] = {}
    for rows in store.read_batches(table, batch_rows, columns=["_response_id", *choice_columns]):
        _found_choices(variables, _with_design(rows, parents, None, repeat is not None), found)
    variables = _exported(variables, found, identified)

    def batches() -> Iterator[pd.DataFrame]:
        for rows in store.read_batches(table, batch_rows):
            yield _frame(variables, _with_design(rows, parents, weights, repeat is not None, replicates))

    return MicrodataBatches(inst, table, variables, batches)


def _exported(variables: list[Variable], found: Mapping[str, set[str]], identified: bool) -> list[Variable]:
    variables = with_unknown_choices(variables, found)
    return variables if identified else [v for v in variables if not v.pii]
