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

from survey.questionnaire.model import Instrument, Question
from survey.questionnaire.schema import table_schemas
from survey.store.frames import arrange, sorted_rows, to_pandas
from survey.store.reading import repeat_rows


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


def stored_answers(store, inst: Instrument, response_id: str) -> StoredResponse:
    """The current revision of `response_id` as answers (UnknownResponse when absent)."""
    history = store.history(inst.id, response_id)
    row = history.iloc[-1].to_dict()
    answers = _row_answers(inst.questions, row)
    schemas = table_schemas(inst)
    for repeat in inst.repeats:
        table = inst.table_name(repeat)
        rows = repeat_rows(store.responses, inst.id, table, False, rid=response_id)
        rows = sorted_rows(rows, ["_member_index"])
        members = to_pandas(arrange(rows, schemas[table])).to_dict("records")
        answers[repeat.name] = [_row_answers(repeat.questions, m) for m in members]
    metadata = {k: v for k, v in row.items() if k.startswith("_")}
    return StoredResponse(answers, metadata)
