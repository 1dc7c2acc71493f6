"""The rows the data API serves (api/data.py): the microdata export's table as Arrow, in batches.

The same variables as the microdata files (frame.py): the current revision of each record,
a roster table with its household key and design variables and the design's weights,
pii variables only when identified. Differences that suit a feed: the metadata columns keep
their store names (``_response_id``, ``_submitted_at``, ``_status`` ...), choices are their
names or, with ``labels="id"|"en"``, their labels in that language, and the rows can be cut
to those whose current revision was stored after a time (``since``) or has a review status.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.export.errors import ExportError
from analysis.export.microdata.frame import MicrodataBatches, microdata_batches, table_owner
from analysis.export.microdata.variables import table_variables
from survey.locale import LANGUAGES, pick
from survey.questionnaire.schema import STATUSES

log = logging.getLogger(__name__)


ARROW_OF_KIND = {"text": pa.large_string(), "choice": pa.large_string(), "integer": pa.int64(),
                 "decimal": pa.float64(), "dummy": pa.int8(), "date": pa.date32(),
                 "timestamp": pa.timestamp("us", tz="UTC")}
BATCH_ROWS = 50_000  # rows read from the store at a time


def _with_weights(store, table: str, identified: bool, batch_rows: int) -> MicrodataBatches:
    """The table with the design's weights, as the export page makes it; without them when the
    data folder has no design to weight by (a new survey): the rows are still worth serving."""
    try:
        return microdata_batches(store, table, identified=identified, weights=True, batch_rows=batch_rows)
    except ExportError:
        raise
    except Exception as exc:  # no frame.csv / population yet, or a design the data does not fit
        log.warning("rows of %s served without weights: %s", table, exc)
        return microdata_batches(store, table, identified=identified, batch_rows=batch_rows)


def kept_responses(store, instrument_id: str, since: dt.datetime | None, statuses: tuple[str, ...]) -> pd.Series:
    """The response ids whose current revision passes the filters (a repeat table's rows follow their parent)."""
    main = store.read_columns(instrument_id, ["_response_id", "_submitted_at", "_status"])
    keep = pd.Series(True, index=main.index)
    if since is not None:
        keep &= (main["_submitted_at"] > pd.Timestamp(since)).fillna(False)
    if statuses:
        keep &= main["_status"].isin(statuses).fillna(False)
    return main.loc[keep, "_response_id"]


def _check(labels: str | None, statuses: tuple[str, ...]) -> None:
    if labels is not None and labels not in LANGUAGES:
        raise ExportError({"id": f"labels harus salah satu dari {', '.join(LANGUAGES)}.",
                           "en": f"labels must be one of {', '.join(LANGUAGES)}."})
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise ExportError({"id": f"Status tidak dikenal: {', '.join(unknown)} (ada: {', '.join(STATUSES)}).",
                           "en": f"Unknown status: {', '.join(unknown)} (known: {', '.join(STATUSES)})."})


def _feed_name(v) -> str:
    return v.column if v.origin == "metadata" else v.name  # metadata keeps its store name


def _schema(variables) -> pa.Schema:
    return pa.schema([pa.field(_feed_name(v), ARROW_OF_KIND[v.kind]) for v in variables])


def feed_schema(store, table: str, *, identified: bool = False) -> pa.Schema:
    """The columns feed_batches serves for `table`, without reading its rows (OData's $metadata).
    Choices that only older questionnaire versions had are left out (they need the rows)."""
    inst, _ = table_owner(store, table)
    variables = table_variables(inst, table, weight=True)
    return _schema([v for v in variables if identified or not v.pii])


def feed_batches(store, table: str, *, identified: bool = False, labels: str | None = None,
                 since: dt.datetime | None = None, statuses: tuple[str, ...] = (),
                 batch_rows: int = BATCH_ROWS) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """One store table's current rows as Arrow batches of at most `batch_rows` rows, never the
    whole table in memory; ExportError for an unknown table or a bad option."""
    _check(labels, statuses)
    inst, _ = table_owner(store, table)
    md = _with_weights(store, table, identified, batch_rows)
    schema = _schema(md.variables)
    kept = kept_responses(store, inst.id, since, statuses) if since is not None or statuses else None
    key = next(v.name for v in md.variables if v.column == "_response_id")
    names = {v.name: {name: pick(text, labels) for _, name, text in v.codes}
             for v in md.variables if labels and v.kind == "choice" and v.codes}

    def batches() -> Iterator[pa.RecordBatch]:
        for frame in md.batches():
            if kept is not None:
                frame = frame[frame[key].isin(kept)]
            columns = {}
            for v in md.variables:
                values = frame[v.name]
                if v.name in names:
                    n = names[v.name]
                    values = values.astype(object).map(lambda x, n=n: None if pd.isna(x) else n.get(x, x)).astype("string")
                columns[_feed_name(v)] = values
            out = pd.DataFrame(columns).reset_index(drop=True)
            yield from pa.Table.from_pandas(out, schema=schema, preserve_index=False).to_batches()

    return schema, batches()


def feed_table(store, table: str, *, identified: bool = False, labels: str | None = None,
               since: dt.datetime | None = None, statuses: tuple[str, ...] = ()) -> pa.Table:
    """One store table's current rows as one Arrow table (feed_batches gathered: small tables)."""
    schema, batches = feed_batches(store, table, identified=identified, labels=labels, since=since,
                                   statuses=statuses)
    return pa.Table.from_batches(list(batches), schema=schema)


def write_feed(store, table: str, path, *, row_group_rows: int = 1000, **options) -> int:
    """feed_batches written to a Parquet file at `path` in row groups of `row_group_rows` rows
    (the data API's snapshot a cursor pages through); returns the number of rows."""
    schema, batches = feed_batches(store, table, **options)
    rows = 0
    with pq.ParquetWriter(path, schema) as writer:
        pending: list[pa.RecordBatch] = []
        waiting = 0
        for batch in batches:
            pending.append(batch)
            waiting += batch.num_rows
            if waiting >= row_group_rows:  # whole row groups of one page each, as the cursor reads them
                joined = pa.Table.from_batches(pending, schema=schema)
                whole = (waiting // row_group_rows) * row_group_rows
                writer.write_table(joined.slice(0, whole), row_group_size=row_group_rows)
                rest = joined.slice(whole)
                pending, waiting = rest.to_batches(), rest.num_rows
                rows += whole
        if waiting:
            writer.write_table(pa.Table.from_batches(pending, schema=schema), row_group_size=row_group_rows)
            rows += waiting
    return rows


def feed_tables(store) -> list[dict]:
    """[{table, instrument, rows, columns}] of every table of the store's usable questionnaires."""
    out = []
    for instrument_id in store.instrument_ids():
        try:
            inst = store.instrument(instrument_id)
        except Exception as exc:  # a questionnaire the store cannot use now is not listed (logged)
            log.error("table list: questionnaire %s left out: %s", instrument_id, exc)
            continue
        for name in (inst.id, *(inst.table_name(r) for r in inst.repeats)):
            try:
                rows = store.count(name)
            except Exception:
                rows = 0  # a table with no stored file yet
            out.append({"table": name, "instrument": inst.id, "rows": rows,
                        "columns": _column_names(store, name)})
    return out


def _column_names(store, table: str) -> list[str]:
    from analysis.export.microdata.variables import table_variables  # the de-identified names

    inst, _ = table_owner(store, table)
    return [v.column if v.origin == "metadata" else v.name for v in table_variables(inst, table) if not v.pii]
