"""Writing answers: submit a new response, revise one, record a review decision.

Each call checks its arguments (survey.store.inputs) and the answers (survey.questionnaire.validate),
keeps a copy of the questionnaire version (survey.store.catalogue), builds the revision's
tables and hands them to ``_write``, the commit protocol in survey.store.commit, which
says how a write stays crash-safe: never lost, never doubled. Every stored revision
gets an audit entry.

A mixin of ResponseStore (survey.store.response_store), which gives it ``audit``,
``_folder``, ``_main_rows`` and ``_repeat_rows``, ``_checked`` and ``_keep_version``
(survey.store.catalogue) and ``_write`` and ``_original`` (survey.store.commit).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any, Mapping

import pyarrow as pa
import pyarrow.compute as pc

from survey.questionnaire.model import LANGUAGES, Instrument
from survey.questionnaire.problems import ValidationError
from survey.questionnaire.schema import STATUSES, table_schemas, to_tables
from survey.questionnaire.validate import clean
from survey.store.frames import arrange, replace_columns
from survey.store.inputs import (
    check_instance_id,
    check_note,
    check_person,
    check_response_id,
    check_revision,
    check_started_at,
)
from survey.store.layout import marker
from survey.store.receipts import ConflictError, Receipt, UnknownResponse

log = logging.getLogger(__name__)


class Writing:
    """ResponseStore's writes: submit, revise, set_status."""

    def submit(
        self,
        instrument_id: str,
        answers: Mapping[str, Any],
        enumerator: str,
        response_id: str | None = None,
        lang: str = "en",
        started_at: dt.datetime | None = None,
        *,
        submitted_at: dt.datetime | None = None,
        instance_id: str | None = None,
    ) -> Receipt:
        """Validate and store a new response (revision 1); a repeated id is a no-op.

        ``submitted_at`` (as ``started_at``: aware, or naive UTC) records a submission
        time other than now, for the simulator's field hours; one before ``started_at`` is
        refused. ``instance_id``: the ODK instanceID the answers came with (kept in ``_instance_id``;
        None for the entry form's).

        Raises ValidationError (nothing written) for invalid answers, ValueError for
        invalid arguments, IncompatibleInstrument when the questionnaire file changed
        in a way the stored answers cannot be read with, and StorageFull (an OSError,
        errno ENOSPC) when the disk is full; nothing is stored then. Returns the
        receipt; for an id already stored, the original receipt (duplicate=True).
        """
        enumerator = check_person(enumerator, "enumerator")
        rid = str(uuid.uuid4()) if response_id is None else check_response_id(response_id)
        if lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {LANGUAGES}")
        started_at = check_started_at(started_at)
        instance_id = check_instance_id(instance_id)
        if submitted_at is not None:
            submitted_at = check_started_at(submitted_at)
            if started_at is not None and submitted_at < started_at:
                raise ValueError("submitted_at must not be before started_at")
        inst, data = self._checked(instrument_id)
        cleaned, problems = clean(inst, answers, lang=lang)
        if problems:
            raise ValidationError(problems)
        if self._stored(inst.id, rid, 1):  # fast path for a retry; the link below decides races
            original = self._original(inst, rid, 1)
            if original is not None:
                receipt = self._receipt(inst, rid, 1, original, duplicate=True)
                self._audit("submit", enumerator, receipt)
                return receipt
        self._keep_version(inst, data)
        metadata = {
            "_response_id": rid,
            "_instrument": inst.id,
            "_instrument_version": inst.version,
            "_enumerator": enumerator,
            "_started_at": started_at,
            "_lang": lang,
            "_status": "submitted",
            "_revision": 1,
            "_editor": enumerator,
            "_note": None,
            "_instance_id": instance_id,
        }
        receipt = self._write(inst, rid, 1, lambda at: to_tables(inst, cleaned, {**metadata, "_submitted_at": at}), conflict=False,
                              at=submitted_at)
        self._audit("submit", enumerator, receipt)
        self._announce("submit", inst, receipt, "submitted", None, cleaned)
        return receipt

    def revise(
        self,
        instrument_id: str,
        response_id: str,
        answers: Mapping[str, Any],
        editor: str,
        note: str = "",
        base_revision: int | None = None,
        status: str | None = None,
        *,
        instance_id: str | None = None,
    ) -> Receipt:
        """Store edited answers (all of them, roster included) as the next revision.

        The revision keeps the current review status, or takes `status` (one of
        STATUSES) when given: a rejected interview that its enumerator corrected goes
        back to "submitted", and so back into the review queue.

        ConflictError when `base_revision` is given and is not the current revision,
        or when another writer stored the next revision first. ValueError for a note
        that is not short printable text (see check_note), a bad base_revision or an
        unknown status. ``instance_id``: the instanceID of an edit made in ODK Collect; without it the
        revision keeps the current one (a supervisor's fix of a Collect submission still came from it).
        """
        rid = check_response_id(response_id)
        instance_id = check_instance_id(instance_id)
        editor = check_person(editor, "editor")
        note = check_note(note)
        base_revision = check_revision(base_revision)
        if status is not None and status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        inst, data = self._checked(instrument_id)
        current = self._current(inst, rid).to_pylist()[0]
        rev = current["_revision"]
        if base_revision is not None and base_revision != rev:
            raise ConflictError(f"{rid}: revision {base_revision} is not the current one ({rev})")
        lang = current.get("_lang") if current.get("_lang") in LANGUAGES else "en"
        cleaned, problems = clean(inst, answers, lang=lang)
        if problems:
            raise ValidationError(problems)
        self._keep_version(inst, data)
        metadata = {
            "_response_id": rid,
            "_instrument": inst.id,
            "_instrument_version": inst.version,
            "_enumerator": current.get("_enumerator"),
            "_started_at": current.get("_started_at"),
            "_lang": current.get("_lang"),
            "_status": current.get("_status") if status is None else status,
            "_revision": rev + 1,
            "_editor": editor,
            "_note": note,
            "_instance_id": current.get("_instance_id") if instance_id is None else instance_id,
        }
        receipt = self._write(inst, rid, rev + 1, lambda at: to_tables(inst, cleaned, {**metadata, "_submitted_at": at}), conflict=True)
        changed = {} if status is None or status == current.get("_status") else {"status": status}
        self._audit("revise", editor, receipt, **changed)
        self._announce("revise", inst, receipt, metadata["_status"], note, cleaned)
        return receipt

    def set_status(
        self, instrument_id: str, response_id: str, status: str, editor: str, note: str = "",
        base_revision: int | None = None,
    ) -> Receipt:
        """A review decision: the current answers and roster as a new revision with `status`.

        With `base_revision` (the revision the reviewer looked at), ConflictError when
        someone else has changed the response since, as `revise`.
        """
        rid = check_response_id(response_id)
        editor = check_person(editor, "editor")
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        note = check_note(note)
        base_revision = check_revision(base_revision)
        inst, data = self._checked(instrument_id)
        schemas = table_schemas(inst)
        current = arrange(self._current(inst, rid), schemas[inst.id])
        rev = current.column("_revision")[0].as_py()
        if base_revision is not None and base_revision != rev:
            raise ConflictError(f"{rid}: revision {base_revision} is not the current one ({rev})")
        members = {}
        for repeat in inst.repeats:
            name = inst.table_name(repeat)
            rows = self._repeat_rows(inst.id, name, True, rid=rid)
            if rows is not None:
                rows = rows.filter(pc.equal(rows.column("_revision"), rev))
                members[name] = arrange(rows, schemas[name])
        self._keep_version(inst, data)

        def build(at: dt.datetime) -> dict[str, pa.Table]:
            main = replace_columns(current, {
                "_submitted_at": at, "_status": status, "_revision": rev + 1, "_editor": editor, "_note": note,
            })
            out = {inst.id: main}
            for name, rows in members.items():
                out[name] = replace_columns(rows, {"_revision": rev + 1}) if rows.num_rows else rows
            return out

        receipt = self._write(inst, rid, rev + 1, build, conflict=True)
        self._audit("review", editor, receipt, status=status)
        answers = {q.name: v for q in inst.questions if not q.kind.is_repeat
                   and (v := current.column(q.name)[0].as_py() if q.name in current.column_names else None) is not None}
        self._announce("review", inst, receipt, status, note, answers)
        return receipt

    def _audit(self, action: str, user: str, receipt: Receipt, **detail: Any) -> None:
        """An audit entry for a stored revision. The data is stored already: an audit
        log that cannot be written (disk full) is logged, never reported as a lost answer."""
        if self.audit is None:
            return
        try:
            self.audit.record(action, user, f"{receipt.instrument}/{receipt.response_id}",
                              "duplicate" if receipt.duplicate else "ok", revision=receipt.revision, **detail)
        except OSError:
            log.exception("the audit log could not record %s of %s", action, receipt.response_id)

    def _announce(self, action: str, inst: Instrument, receipt: Receipt, status: str | None, note: str | None,
                  answers: Mapping[str, Any]) -> None:
        """The webhook event of a stored revision, queued in the data folder before the call returns
        (survey.webhooks: sent later by a worker). A retried submit (duplicate) is no new event. The
        data is stored already: an event that cannot be written is logged, and recovered by the next
        worker to start (survey.webhooks.events.recover)."""
        if receipt.duplicate:
            return
        from survey.webhooks import events as webhook_events  # here: survey.webhooks imports survey.store

        try:
            webhook_events.record_change(self.root, action, inst, receipt, status, note, answers)
        except Exception:
            log.exception("the webhook event of %s %s could not be queued", action, receipt.response_id)

    def _stored(self, table: str, rid: str, rev: int) -> bool:
        folder = self.table_folder(table)
        return (folder / f"{rid}__r{rev}.parquet").exists() or marker(folder, rid, rev).exists()

    def _current(self, inst: Instrument, rid: str) -> pa.Table:
        rows = self._main_rows(inst.id, False, rid=rid)
        if rows is None or rows.num_rows == 0:
            raise UnknownResponse(f"{inst.id}: no response {rid}")
        return rows
