"""The weights a microdata file carries, as the instrument's ``design:`` block makes them.

The analysis data (:func:`analysis.dataset.dataset.load_dataset`) gives every response in the
analysis its ``_weight``: base weights from ``frame.csv`` or population counts, then
calibration to ``population.csv``, as analysis.dataset.design_weights describes. A repeat
table's rows (the household roster) carry their household's weight
(``_household_weight``) and their own ``_weight``: the person weight, the household's
or calibrated to the person totals. The files carry exactly these numbers:

* a main table: ``weight``, the weight of the response (the household weight);
* a repeat table: ``household_weight`` (its household's) and ``weight`` (the person
  weight), which estimates about members use.

Rows the analysis leaves out (rejected, refused or not completed interviews, missing
design answers, a census unit's earlier responses) have no weight: they are in the
file, with a missing weight, so that the file still lists every stored response.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import pandas as pd

from analysis.export.microdata.variables import HOUSEHOLD_WEIGHT, WEIGHT

Texts = Mapping[str, str]
ROW_KEY = ("_response_id", "_member_index")  # a repeat table's row: its parent and its place in the list


@dataclass(frozen=True)
class TableWeights:
    """Weights for one table's rows, and how they were made ({lang: text})."""

    weight: pd.Series                    # main: by response id; repeat: by (response id, member index)
    household: pd.Series | None = None   # repeat tables: response id -> its household's weight
    texts: Texts = field(default_factory=dict)            # how ``weight`` was made
    household_texts: Texts = field(default_factory=dict)  # how ``household_weight`` was made


def _series(index, values) -> pd.Series:
    series = pd.Series(pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float), index=index,
                       dtype="float64")
    if not series.index.is_unique:
        raise ValueError("weights: one weight per row")
    return series


def from_response_ids(weights: Mapping[str, float] | pd.Series, repeat: bool) -> TableWeights:
    """Weights given as response id -> weight: a main table's rows take theirs; a repeat
    table's rows their household's, as both ``household_weight`` and ``weight``."""
    series = weights if isinstance(weights, pd.Series) else pd.Series(dict(weights), dtype="float64")
    series = _series(series.index, series.to_numpy())
    return TableWeights(series, series if repeat else None)


def design_weights(store, instrument_id: str) -> dict[str, TableWeights]:
    """{table: its weights} for every table of `instrument_id`, from the analysis data."""
    from analysis.dataset.dataset import load_dataset  # the analysis stack, only when weights are asked for

    dataset = load_dataset(store, instrument_id)
    texts = dataset.provenance.weights
    main = dataset.main
    out: dict[str, TableWeights] = {}
    for name, table in dataset.tables.items():
        frame = table.frame
        own = MappingProxyType(dict(texts.get(name, {})))
        if table.household is None:
            ids = frame["_response_id"].astype(str) if len(frame) else pd.Index([], dtype=str)
            weight = _series(pd.Index(ids), frame["_weight"] if len(frame) else [])
            out[name] = TableWeights(weight, None, own)
            continue
        if len(frame):
            index = pd.MultiIndex.from_arrays([frame["_response_id"].astype(str).to_numpy(),
                                               frame["_member_index"].astype("int64").to_numpy()], names=ROW_KEY)
            weight = _series(index, frame["_weight"])
        else:
            weight = _series(pd.MultiIndex.from_arrays([[], []], names=ROW_KEY), [])
        household = out[main.name].weight if main.name in out else _series(pd.Index([], dtype=str), [])
        out[name] = TableWeights(weight, household, own, MappingProxyType(dict(texts.get(main.name, {}))))
    return out


def row_weights(rows: pd.DataFrame, weights: TableWeights, repeat: bool) -> dict[str, pd.Series]:
    """{column: values} of the weight columns for store rows (missing where none)."""
    ids = rows["_response_id"].astype(str)
    if not repeat:
        return {WEIGHT: ids.map(weights.weight).astype("float64")}
    household = weights.household if weights.household is not None else weights.weight
    out = {HOUSEHOLD_WEIGHT: ids.map(household).astype("float64")}
    if weights.weight.index.nlevels == 2:
        keys = pd.MultiIndex.from_arrays([ids.to_numpy(), pd.to_numeric(rows["_member_index"]).astype("int64")])
        out[WEIGHT] = pd.Series(weights.weight.reindex(keys).to_numpy(), index=rows.index, dtype="float64")
    else:
        out[WEIGHT] = ids.map(weights.weight).astype("float64")
    return out
