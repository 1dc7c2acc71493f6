"""``python -m survey.odk import``: an ODK Central or Kobo export's submissions into the store.

Each submission's cells are mapped through the questionnaire (a header names its question with or
without its group path; select_multiple as space-separated names, a choice's label read as its
name; a date's day; a geopoint from its one column or Central's four), then stored by
ResponseStore.submit under the instance id as a phone's submission is (survey.odk.instance.response_id_for:
``uuid:`` dropped), so a second import of the same
file stores nothing again. A submission that fails validation, or cannot be read, is kept whole
in the inbox (survey.odk.inbox) with its reason. The enumerator is the export's submitter when it
names an account of ours, else the importing name (``--enumerator``, default "import").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from survey.fieldwork.accounts import Accounts
from survey.odk.export_files import (
    CENTRAL_COLUMNS,
    INSTANCE_COLUMNS,
    SUBMITTER_COLUMNS,
    Record,
    read_export,
    repeat_index,
)
from survey.odk.inbox import Inbox, entry_id_for
from survey.odk.instance import response_id_for
from survey.odk.receive import reason_of
from survey.questionnaire.model import Instrument, Question
from survey.questionnaire.problems import ValidationError
from survey.store.inputs import check_instance_id
from survey.store.receipts import UnknownResponse
from survey.store.response_store import ResponseStore

DEFAULT_ENUMERATOR = "import"
_BARE_UUID = re.compile(r"[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}")
_GEO_PARTS = {"latitude": 0, "longitude": 1, "altitude": 2, "accuracy": 3, "precision": 3}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", name.strip().lower()).strip("_")


class _Columns:
    """Which question a header of one table (the form, or one repeat) holds."""

    def __init__(self, questions: tuple[Question, ...]):
        self.questions = {q.name: q for q in questions if q.stores_answer and not q.kind.computed}
        self.loose = {_key(name): name for name in self.questions}

    def question(self, header: str) -> Question | None:
        segments = [s for s in re.split(r"[/-]", header) if s]
        if header.startswith("_") or header in CENTRAL_COLUMNS or segments[:1] == ["meta"]:
            return None  # Kobo's _uuid, _index ..., Central's columns, the form's meta group
        if len(segments) > 1 and self._named(segments[-2]) and self._named(segments[-2]).kind.choices == "many":
            return None  # Kobo's and Central's 0/1 column of one choice (q/choice): the q column has it all
        return self._named(header) or (self._named(segments[-1]) if segments else None)

    def _named(self, text: str) -> Question | None:
        name = text if text in self.questions else self.loose.get(_key(text))
        return self.questions.get(name) if name else None

    def geopoint(self, header: str) -> tuple[Question, int] | None:
        """Central's ``gps-Latitude`` ... and Kobo's ``_gps_latitude`` ...: (question, part)."""
        m = re.fullmatch(r"_?(?P<name>.+?)[-_](?P<part>latitude|longitude|altitude|accuracy|precision)", header,
                         re.IGNORECASE)
        if not m:
            return None
        q = self.question(m["name"]) or self._named(m["name"].lstrip("_"))
        return (q, _GEO_PARTS[m["part"].lower()]) if q is not None and q.kind.widget == "location" else None


def _value(q: Question, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        value = value.date() if q.kind.is_date else value.isoformat()
    if isinstance(value, str) and q.kind.is_date and re.match(r"\d{4}-\d{2}-\d{2}", value):
        return value[:10]  # a date written as a timestamp: its day
    if q.kind.choices != "none" and isinstance(value, (str, int, float)):
        labels = {text.strip().lower(): c.name for c in q.choice_options for text in c.label.values()}
        names = {c.name for c in q.choice_options}
        words = str(int(value) if isinstance(value, float) and value.is_integer() else value)
        items = words.split() if q.kind.choices == "many" else [words]
        if q.kind.choices == "one" and words not in names and words.strip().lower() in labels:
            return labels[words.strip().lower()]
        if q.kind.choices == "many":
            return [item if item in names else labels.get(item.lower(), item) for item in items]
        return words
    return value


def answers_of(row: Mapping[str, Any], questions: tuple[Question, ...]) -> dict[str, Any]:
    """The answers one table row holds, as the entry form gives them."""
    columns, answers, points = _Columns(questions), {}, {}
    for header, value in row.items():
        if value is None or value == "":
            continue
        if (q := columns.question(header)) is not None:
            answers[q.name] = _value(q, value)
        elif (part := columns.geopoint(header)) is not None:
            points.setdefault(part[0].name, {})[part[1]] = value
    for name, parts in points.items():
        if name not in answers and 0 in parts and 1 in parts:
            answers[name] = " ".join(str(parts[i]) for i in range(4) if i in parts)
    return answers


def _repeat_rows(record: Record, repeat: Question) -> list[dict] | None:
    for table, rows in record.repeats.items():
        name = _key(table)
        if name == repeat.name or (len(table) == 31 and repeat.name.startswith(name)):  # Kobo cuts sheet names
            return sorted(rows, key=lambda r: (repeat_index(r.get("KEY")), int(r.get("_index") or 0)))
    return None


def record_answers(inst: Instrument, record: Record) -> dict[str, Any]:
    answers = answers_of(record.main, inst.questions)
    for repeat in inst.repeats:
        rows = _repeat_rows(record, repeat)
        if rows is not None:
            answers[repeat.name] = [answers_of(row, repeat.questions) for row in rows]
    return answers


@dataclass
class Summary:
    added: int = 0
    present: int = 0  # already stored, or already waiting in the inbox
    inbox: int = 0  # kept in the inbox by this import
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"added": self.added, "present": self.present, "inbox": self.inbox}


class _Importer:
    def __init__(self, root: Path, inst: Instrument, enumerator: str, source: str):
        self.store, self.inbox, self.inst = ResponseStore(root), Inbox(root), inst
        self.enumerator, self.source, self.summary = enumerator, source, Summary()
        try:
            self.accounts = {a.name.lower() for a in Accounts(root).list()}
        except Exception:  # no or a damaged accounts file: every row is the importer's
            self.accounts = set()

    def submitter(self, record: Record) -> str:
        name = record.first(SUBMITTER_COLUMNS)
        return name if name and name.lower() in self.accounts else self.enumerator

    def body(self, record: Record) -> bytes:
        whole = {"source": self.source, "row": record.main, "repeats": record.repeats}
        return json.dumps(whole, ensure_ascii=False, default=str, indent=1).encode("utf-8")

    def keep(self, record: Record, instance_id: str, enumerator: str, reason: str, response_id: str | None) -> None:
        if (self.inbox.folder / entry_id_for(instance_id)).exists():
            self.summary.present += 1
            return
        self.inbox.keep(self.inst.id, enumerator, self.body(record), reason, instance_id,
                        response_id=response_id, source="import")
        self.summary.inbox += 1

    def one(self, record: Record) -> None:
        enumerator = self.submitter(record)
        instance_id = record.first(INSTANCE_COLUMNS)
        if instance_id and _BARE_UUID.fullmatch(instance_id):  # Kobo's _uuid: the instanceID a phone sends
            instance_id = f"uuid:{instance_id}"
        if instance_id is None:  # named by its content, so a second import finds the same entry
            digest = hashlib.sha256(self.body(record)).hexdigest()[:32]
            self.keep(record, f"row:{digest}", enumerator, "no instance id (KEY, meta/instanceID or _uuid)", None)
            return
        try:
            check_instance_id(instance_id)  # stored as read, in _instance_id
        except ValueError as exc:
            self.keep(record, instance_id, enumerator, str(exc), None)
            return
        rid = response_id_for(instance_id)
        answers = record_answers(self.inst, record)
        try:
            receipt = self.store.submit(self.inst.id, answers, enumerator=enumerator, response_id=rid,
                                        instance_id=instance_id)
        except ValidationError as exc:
            if self._stored(rid):
                self.summary.present += 1
                return
            self.keep(record, instance_id, enumerator, reason_of(exc.problems), rid)
            return
        except ValueError as exc:  # a questionnaire the store cannot take (IncompatibleInstrument), a bad value
            self.keep(record, instance_id, enumerator, str(exc), rid)
            return
        if receipt.duplicate:
            self.summary.present += 1
        else:
            self.summary.added += 1

    def _stored(self, rid: str) -> bool:
        try:
            return not self.store.history(self.inst.id, rid).empty
        except (UnknownResponse, KeyError, ValueError):
            return False


def import_export(root: Path | str, inst: Instrument, path: Path | str,
                  enumerator: str = DEFAULT_ENUMERATOR) -> Summary:
    """Store the submissions of the export at `path` for `inst`; failures go to the inbox."""
    export = read_export(path)
    importer = _Importer(Path(root), inst, enumerator, Path(path).name)
    importer.summary.notes.extend(export.notes)
    for record in export.records:
        importer.one(record)
    return importer.summary
