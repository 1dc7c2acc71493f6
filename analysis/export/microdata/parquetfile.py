"""Microdata as Parquet: typed columns and labels in the file's own metadata.

Types: text ``string``; select_one ``dictionary<int32, string>`` whose dictionary is the
choice names in the list's order (R's arrow and pandas read it as a factor /
categorical); 0/1 dummies ``int8``; integers ``int64``; decimals and the weight
``double``; dates ``date32``; timestamps ``timestamp[us, tz=UTC]``. Each field's
metadata holds ``label`` and, for a select_one, ``value_labels`` (JSON: choice name
-> label) in the chosen language; the schema metadata says where the file comes from.
"""

from __future__ import annotations

import io
import json
from typing import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.export.microdata.frame import ExportInfo
from analysis.export.microdata.variables import Variable
from survey.locale import pick

_ARROW = {"text": pa.string(), "integer": pa.int64(), "decimal": pa.float64(), "dummy": pa.int8(),
          "date": pa.date32(), "timestamp": pa.timestamp("us", tz="UTC")}


def _array(v: Variable, values: pd.Series) -> pa.Array:
    if v.kind == "choice":
        names = [name for _, name, _ in v.codes]
        codes = pd.Categorical(values.astype(object).where(values.notna(), None), categories=names).codes
        indices = pa.array(codes.astype("int32"), mask=codes < 0, type=pa.int32())
        return pa.DictionaryArray.from_arrays(indices, pa.array(names, type=pa.string()))
    if v.kind == "date":
        return pa.array(list(values), type=pa.date32())
    return pa.Array.from_pandas(values, type=_ARROW[v.kind])


def _schema(variables: list[Variable], info: ExportInfo) -> pa.Schema:
    fields = []
    for v in variables:
        kind = pa.dictionary(pa.int32(), pa.string()) if v.kind == "choice" else _ARROW[v.kind]
        metadata = {"label": pick(v.label, info.lang), "column": v.column}
        if v.kind == "choice":
            metadata["value_labels"] = json.dumps({name: pick(lab, info.lang) for _, name, lab in v.codes},
                                                  ensure_ascii=False)
        fields.append(pa.field(v.name, kind, metadata=metadata))
    about = {
        "instrument": info.instrument.id, "instrument_version": str(info.instrument.version),
        "table": info.table, "identified": str(info.identified).lower(), "lang": info.lang,
        "exported_at": info.exported_at.isoformat(), "title": pick(info.instrument.title, info.lang),
    }
    return pa.schema(fields, metadata=about)


def _table(variables: list[Variable], frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    return pa.Table.from_arrays([_array(v, frame[v.name]) for v in variables], schema=schema)


def write(variables: list[Variable], frame: pd.DataFrame, info: ExportInfo) -> bytes:
    schema = _schema(variables, info)
    buffer = io.BytesIO()
    pq.write_table(_table(variables, frame, schema), buffer)
    return buffer.getvalue()


def write_batches(variables: list[Variable], batches: Iterable[pd.DataFrame], info: ExportInfo, handle) -> int:
    """The same file written to the binary `handle` a batch (a row group) at a time; returns the rows."""
    schema, rows = _schema(variables, info), 0
    with pq.ParquetWriter(handle, schema) as writer:
        for frame in batches:
            writer.write_table(_table(variables, frame, schema))
            rows += len(frame)
    return rows
