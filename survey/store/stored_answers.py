"""A stored response read back as the answers that produced it.

The inverse of `survey.questionnaire.schema.to_tables`: one response's current revision (main row
and roster rows) as an answers dict that `validate()` and `ResponseStore.revise()`
accept, plus its metadata. Used to reopen an interview for a correction or a review.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from survey.questionnaire.model import Instrument, Question
from survey.questionnaire.schema import table_schemas
from survey.store.frames import arrange, sorted_rows, to_pandas
from survey.store.reading import repeat_rows
from survey.store.revisions import ResponseRows


@dataclass(frozen=True)
class StoredResponse:
    answers: dict[str, Any]
    metadata: dict[str, Any]  # the `_` columns of the current revision

    @property
    def revision(self) -> int:
        return int(self.metadata["_revision"])

    @property
    def status(self) -> str:
        return str(self.metadata["_status"])

    @property
    def enumerator(self) -> str:
        return str(self.metadata["_enumerator"])


def _answer(q: Question, value: Any) -> Any:
    """A stored cell as the answer value (None when unanswered)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return q.kind.answer_from_cell(value)


def _row_answers(questions: tuple[Question, ...], row: dict) -> dict[str, Any]:
    out = {}
    for q in questions:
        if q.kind.entered and q.name in row:
            value = _answer(q, row[q.name])
            if value is not None:
                out[q.name] = value
    return out


def stored_answers(store, inst: Instrument, response_id: str, rows: ResponseRows | None = None) -> StoredResponse:
    """The current revision of `response_id` as answers (UnknownResponse when absent); from `rows`
    (survey.store.revisions.response_rows, every revision's) when given, not read again."""
    history = store.history(inst.id, response_id) if rows is None else rows.history
    row = history.iloc[-1].to_dict()
    answers = _row_answers(inst.questions, row)
    schemas = table_schemas(inst)
    for repeat in inst.repeats:
        table = inst.table_name(repeat)
        if rows is None:
            found = repeat_rows(store.responses, inst.id, table, False, rid=response_id)
        else:   # the current revision's roster: the rows of the main table's latest revision
            found = _of_revision(rows.repeats[table], int(row["_revision"]))
        rows_now = sorted_rows(found, ["_member_index"])
        members = to_pandas(arrange(rows_now, schemas[table])).to_dict("records")
        answers[repeat.name] = [_row_answers(repeat.questions, m) for m in members]
    metadata = {k: v for k, v in row.items() if k.startswith("_")}
    return StoredResponse(answers, metadata)


def _of_revision(rows: pa.Table | None, revision: int) -> pa.Table | None:
    return None if rows is None else rows.filter(pc.equal(rows.column("_revision"), revision))
