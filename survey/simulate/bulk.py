"""Bulk mode: a large simulated sample written straight into a new store as compacted parts.

For benchmarks and demos only (``python -m survey.simulate --households 100000 --bulk
--out DIR``). Submitting 100,000 interviews one by one costs hours of fsyncs; here
the same answers (the same seed gives the same households, ids and enumerators as
the normal mode) are cleaned by the validator as a submission would be (types,
calculated fields, skip logic), then written in the store's layout
(``survey.store.layout``): one ``part-<uuid>.parquet`` per chunk in each table's folder,
each written to a hidden temp file, fsynced and renamed. Parts hold committed rows
by definition, so they need no ``_committed`` markers, and repeat rows in parts are
read without a token check. Interviews start at times spread over the fieldwork days
(08:00-20:00 WIB), each interview as long as survey.simulate.fieldwork says. Bulk
mode writes only into a store that has no responses yet: a second run would store
the same ids twice.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from survey.locale import WIB
from survey.simulate._draws import random_stream

CHUNK = 20_000   # households (or other responses) per part


class BulkError(RuntimeError):
    """The store cannot take a bulk load (it already has responses)."""


def _write_part(folder: Path, table: pa.Table) -> Path:
    """A part written as the store's compaction publishes one: temp, fsync, rename, fsync."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".tmp-{uuid.uuid4().hex}.parquet"
    with open(tmp, "xb") as handle:
        pq.write_table(table, handle)
        handle.flush()
        os.fsync(handle.fileno())
    final = folder / f"part-{uuid.uuid4().hex}.parquet"
    os.rename(tmp, final)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return final


def _stored(value: Any) -> Any:
    # As survey.questionnaire.schema.to_tables: an empty list or text is "not answered".
    return None if value == [] or value == "" else value


def _times(rng, interview_date: dt.date | None, minutes: float | None) -> tuple[dt.datetime, dt.datetime]:
    day = interview_date or dt.date(2024, 7, 1)
    started = dt.datetime.combine(day, dt.time(8), WIB) + dt.timedelta(seconds=rng.randrange(12 * 3600))
    seconds = rng.randrange(25 * 60, 70 * 60) if minutes is None else round(minutes * 60)
    submitted = started + dt.timedelta(seconds=seconds)
    return started.astimezone(dt.timezone.utc), submitted.astimezone(dt.timezone.utc)


def write_responses(root: Path, instrument_id: str, answers: Iterable[dict[str, Any]],
                    response_id: Callable[[], str], enumerator: Callable[[int], str], seed: int,
                    chunk: int = CHUNK, minutes: Callable[[int, dict[str, Any]], float] | None = None) -> int:
    """Clean and write ``answers`` as parts of the instrument's tables; return the count.

    ``minutes(i, answers)``: how long interview ``i`` took (default: 25-70 minutes)."""
    from survey import load_instrument
    from survey.questionnaire.schema import MAIN_METADATA, table_schemas
    from survey.questionnaire.validate import clean

    inst = load_instrument(instrument_id)
    schemas = table_schemas(inst)
    responses = Path(root) / "responses"
    for name in schemas:
        folder = responses / name
        if folder.is_dir() and any(p.suffix == ".parquet" for p in folder.iterdir()):
            raise BulkError(f"{folder} already holds responses; bulk mode writes a new store only "
                            "(use a new --out folder, or the normal mode to add to this one).")
    clock = random_stream(seed, f"bulk-times/{instrument_id}")
    buffers: dict[str, list[dict[str, Any]]] = {name: [] for name in schemas}
    count = 0

    def flush() -> None:
        for name, rows in buffers.items():
            if rows:
                _write_part(responses / name, pa.Table.from_pylist(rows, schema=schemas[name]))
                rows.clear()

    for i, raw in enumerate(answers):
        cleaned, problems = clean(inst, raw, lang="id")
        if problems:
            raise ValueError(f"simulated {instrument_id} #{i} does not validate: {problems[:3]}")
        started, submitted = _times(clock, cleaned.get("interview_date"), None if minutes is None else minutes(i, raw))
        who = enumerator(i)
        row = {f.name: None for f in MAIN_METADATA}
        row.update(_response_id=response_id(), _instrument=inst.id, _instrument_version=inst.version,
                   _enumerator=who, _started_at=started, _submitted_at=submitted, _lang="id",
                   _status="submitted", _revision=1, _editor=who)
        for f in schemas[inst.id]:
            if not f.name.startswith("_"):
                row[f.name] = _stored(cleaned.get(f.name))
        buffers[inst.id].append(row)
        for repeat in inst.repeats:
            table = inst.table_name(repeat)
            for index, item in enumerate(cleaned.get(repeat.name) or []):
                member = {"_response_id": row["_response_id"], "_revision": 1, "_member_index": index}
                member.update({f.name: _stored(item.get(f.name)) for f in schemas[table] if not f.name.startswith("_")})
                buffers[table].append(member)
        count += 1
        if count % chunk == 0:
            flush()
    flush()
    return count

