"""The data API's answers as bytes (api/data.py streams them): a JSON page, CSV and Parquet chunks.

Each takes the Arrow rows of analysis.export.microdata.feed (a table, or a schema and an iterable of
record batches read from a snapshot file): JSON with times as ISO 8601 UTC
(``...Z``) and dates as ``YYYY-MM-DD``; CSV as the microdata export writes it (UTF-8 with a BOM,
CRLF, a text cell a spreadsheet would run as a formula made safe) in chunks of `batch` rows;
Parquet written by pyarrow one row group of `batch` rows at a time, each handed on once written,
so neither format is built whole in memory beside the rows.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from analysis.export.safe_cells import csv_text_column


def _json_value(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


Rows = pa.Table | tuple[pa.Schema, Iterable[pa.RecordBatch]]  # a table, or a schema and its batches


def _batches(rows: Rows, batch: int) -> tuple[pa.Schema, Iterable[pa.RecordBatch]]:
    if isinstance(rows, pa.Table):
        return rows.schema, rows.to_batches(max_chunksize=batch)
    return rows


def json_page(rows: pa.Table, next_cursor: str | None) -> bytes:
    return json.dumps({"rows": rows.to_pylist(), "next_cursor": next_cursor}, default=_json_value,
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


def csv_chunks(rows: Rows, batch: int = 5000):
    schema, parts = _batches(rows, batch)
    yield "\ufeff".encode()  # Excel then reads UTF-8; pandas and readr skip it
    first = True
    for part in parts:
        frame = part.to_pandas()
        for name, field in zip(part.schema.names, part.schema):
            if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
                frame[name] = csv_text_column(frame[name])  # a cell Excel would run as a formula
            elif pa.types.is_timestamp(field.type):
                frame[name] = frame[name].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        yield frame.to_csv(index=False, header=first, lineterminator="\r\n").encode("utf-8")
        first = False
    if first:
        yield (",".join(schema.names) + "\r\n").encode("utf-8")


class _Sink:
    """A file Parquet writes into, emptied after each row group."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.closed = False

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def parquet_chunks(rows: Rows, batch: int = 5000):
    schema, parts = _batches(rows, batch)
    sink = _Sink()
    with pq.ParquetWriter(pa.PythonFile(sink, mode="w"), schema) as writer:
        for part in parts:
            writer.write_batch(part)
            yield sink.take()
    yield sink.take()
