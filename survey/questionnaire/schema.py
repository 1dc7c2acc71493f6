"""The Parquet schema of an instrument's tables, derived from the instrument.

Nothing here is written by hand per questionnaire: the main table is named after
the instrument (``inst.id``) and each repeat group has its own table
(``inst.table_name(repeat)``, the household roster is ``household_members``).
Metadata columns (names starting with ``_``) come first, then one column per
stored question in form order, typed by ``QUESTION_TYPES[type].arrow_type``.

Repeat rows are keyed by ``_response_id``, ``_revision`` and ``_member_index``
(0-based: the item's position in the answers' list, as in problem fields such
as ``members[2].age``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping

import numpy as np
import pyarrow as pa

from survey.questionnaire.model import Instrument, Question
from survey.questionnaire.types import QUESTION_TYPES

TIMESTAMP = pa.timestamp("us", tz="UTC")
STATUSES = ("submitted", "approved", "rejected", "on_hold")
# the statuses that count: every one but rejected (a rejected interview waits for its correction).
# The analysis, the response rates, the quality checks' comparisons and the monitor read only these.
COUNTED_STATUSES = ("submitted", "approved", "on_hold")

MAIN_METADATA: tuple[pa.Field, ...] = (
    pa.field("_response_id", pa.string()),
    pa.field("_instrument", pa.string()),
    pa.field("_instrument_version", pa.int32()),
    pa.field("_enumerator", pa.string()),
    pa.field("_started_at", TIMESTAMP),
    pa.field("_submitted_at", TIMESTAMP),
    pa.field("_lang", pa.string()),
    pa.field("_status", pa.string()),
    pa.field("_revision", pa.int32()),
    pa.field("_editor", pa.string()),
    pa.field("_note", pa.string()),
    # the instanceID as ODK Collect or an ODK/Kobo export sent it (the response id is derived from it);
    # null for the entry form's answers and in files stored before the column existed (read as null)
    pa.field("_instance_id", pa.string()),
)
REPEAT_METADATA: tuple[pa.Field, ...] = (
    pa.field("_response_id", pa.string()),
    pa.field("_revision", pa.int32()),
    pa.field("_member_index", pa.int32()),
)


def counted_rows(frame, statuses: Iterable[str] = COUNTED_STATUSES) -> np.ndarray:
    """True for the rows of a stored table (a DataFrame) whose ``_status`` is one of ``statuses``;
    every row of a table without the column."""
    if "_status" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    return frame["_status"].astype("string").isin(tuple(statuses)).to_numpy(dtype=bool)


def question_fields(questions: tuple[Question, ...]) -> list[pa.Field]:
    """One Arrow field per stored question, in form order (notes/repeats skipped)."""
    out = []
    for q in questions:
        arrow_type = QUESTION_TYPES[q.type].arrow_type
        if arrow_type is not None:
            out.append(pa.field(q.name, arrow_type))
    return out


def table_schemas(inst: Instrument) -> dict[str, pa.Schema]:
    """{table name: schema}: the main table first, then one table per repeat group."""
    schemas = {inst.id: pa.schema([*MAIN_METADATA, *question_fields(inst.questions)])}
    for repeat in inst.repeats:
        schemas[inst.table_name(repeat)] = pa.schema([*REPEAT_METADATA, *question_fields(repeat.questions)])
    return schemas


def _utc(value: Any) -> dt.datetime | None:
    """An aware UTC datetime truncated to microseconds (naive values are taken as UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def to_tables(inst: Instrument, cleaned_answers: Mapping[str, Any], metadata: Mapping[str, Any]) -> dict[str, pa.Table]:
    """Arrow tables for one response: one row in the main table, one row per repeat item.

    `cleaned_answers` is the first result of `survey.questionnaire.validate.clean()`; `metadata`
    gives the main table's `_` columns (missing ones are null; `_response_id` and
    `_revision` are also used for the repeat tables).
    """
    schemas = table_schemas(inst)
    main_schema = schemas[inst.id]
    row: dict[str, Any] = {}
    for f in MAIN_METADATA:
        value = metadata.get(f.name)
        if pa.types.is_timestamp(f.type):
            value = _utc(value)
        row[f.name] = value
    for f in main_schema:
        if not f.name.startswith("_"):
            row[f.name] = _stored(cleaned_answers.get(f.name))
    tables = {inst.id: pa.Table.from_pylist([row], schema=main_schema)}
    for repeat in inst.repeats:
        name = inst.table_name(repeat)
        schema = schemas[name]
        items = cleaned_answers.get(repeat.name) or []
        rows = []
        for index, item in enumerate(items):
            member = {"_response_id": row["_response_id"], "_revision": row["_revision"], "_member_index": index}
            for f in schema:
                if not f.name.startswith("_"):
                    member[f.name] = _stored(item.get(f.name))
            rows.append(member)
        tables[name] = pa.Table.from_pylist(rows, schema=schema)
    return tables


def _stored(value: Any) -> Any:
    # clean() already removed unanswered values; an empty list is "not answered".
    if value == [] or value == "":
        return None
    return value
