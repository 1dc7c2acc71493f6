"""What happens to one submission from ODK Collect: stored, already stored, or kept in the inbox.

Plain Python (the HTTP route in api/odk.py only reads the request and writes the answer):
`receive` parses the instance, maps it through the questionnaire, validates and stores it
with the store's own submit/revise, and keeps anything it cannot store in the inbox, so
that nothing a phone sends is lost. The result says which HTTP status and message fit.

- new or already stored (a resend: the instanceID is the response id) -> 201
- an edit (meta/deprecatedID) -> the named response's next revision, once per instanceID -> 201
- parses but fails validation, an unknown questionnaire version, an edit of a response
  not stored -> inbox, 202 "kept for review" (the phone stops resending; a resend adds no entry)
- not an instance (truncated, not XML, an XML bomb, no form id or instanceID), a form this
  server does not have -> inbox, 400
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from survey.odk import instance as xml_instance
from survey.odk.inbox import Inbox, entry_id_for, private_folder, safe_attachment_name
from survey.questionnaire.problems import ValidationError
from survey.store.durable import replace_bytes, unlink, write_bytes_exclusive
from survey.store.inputs import check_instance_id
from survey.store.receipts import UnknownResponse
from survey.store.versions import IncompatibleInstrument

EDITS_DIR = "odk/edits"  # one marker per applied edit's instanceID: a resend of the edit is a no-op
ATTACHMENTS_DIR = "odk/attachments"  # <instrument>/<response id>/<file>, for stored submissions


@dataclass
class Outcome:
    status: int  # the HTTP status: 201 stored, 202 kept for review, 400 refused (kept)
    key: str  # the message's key in MESSAGES
    detail: str = ""
    instrument: str | None = None
    response_id: str | None = None
    revision: int | None = None
    inbox_id: str | None = None
    duplicate: bool = False
    instance_id: str | None = None  # the instanceID as sent (the response id is derived from it)


def reason_of(problems) -> str:
    """'age: out_of_range (...); sex: required' — each question named with the rule it broke."""
    return "; ".join(f"{p.field}: {p.code} ({p.message})" for p in problems)[:2000]


def receive(store, user: str, body: bytes, attachments: Mapping[str, bytes], may_edit: bool = True) -> Outcome:
    """Store one submission (`body`: the xml_submission_file) for `user`, or keep it in the inbox.

    `may_edit=False` (a submission without an account): an edit (deprecatedID) is not applied but
    kept for review, since anyone could otherwise overwrite a stored response by naming it."""
    inbox = Inbox(store.root, store=store)

    def keep(status: int, key: str, reason: str, parsed=None, instrument=None, **ids) -> Outcome:
        instance_id = parsed.instance_id if parsed else None
        entry = inbox.keep(instrument, user, body, reason, instance_id, dict(attachments), **ids)
        return Outcome(status, key, reason, instrument=instrument, inbox_id=entry, instance_id=instance_id)

    try:
        parsed = xml_instance.parse(body)
    except xml_instance.InstanceError as exc:
        return keep(400, "odk_unparseable", str(exc))
    if not parsed.instance_id:
        return keep(400, "odk_unparseable", "no meta/instanceID", parsed)
    try:
        check_instance_id(parsed.instance_id)  # it is stored as sent, in _instance_id
    except ValueError as exc:
        return keep(400, "odk_unparseable", f"meta/instanceID: {exc}", parsed)
    if parsed.form_id not in store.instrument_ids():
        return keep(400, "odk_unknown_form", f"this server has no form {parsed.form_id!r}", parsed)
    rid = xml_instance.response_id_for(parsed.instance_id)
    old = xml_instance.response_id_for(parsed.deprecated_id) if parsed.deprecated_id else None
    ids = {"response_id": rid, "revises": old, "instrument": parsed.form_id}
    try:
        inst = store.instrument(parsed.form_id)
    except ValueError as exc:  # the questionnaire file is broken or its change unreadable: the admin must fix it
        return keep(202, "odk_kept", f"questionnaire {parsed.form_id} cannot be used now: {exc}", parsed, **ids)
    if parsed.version != str(inst.version) and not _known_version(store, inst.id, parsed.version):
        return keep(202, "odk_kept", f"questionnaire version {parsed.version!r} is not one this server knows "
                                     f"(now {inst.version})", parsed, **ids)
    if old is not None and not may_edit:
        return keep(202, "odk_kept", f"an edit of {parsed.deprecated_id} sent without an account", parsed, **ids)
    answers = xml_instance.answers(inst, parsed)
    try:
        if old is None:
            receipt = store.submit(inst.id, answers, enumerator=user, response_id=rid, instance_id=parsed.instance_id)
        else:
            receipt = _revise(store, inst.id, parsed.instance_id, old, answers, user)
            if receipt is None:
                return Outcome(201, "odk_stored", instrument=inst.id, response_id=old, duplicate=True,
                               instance_id=parsed.instance_id)
    except ValidationError as exc:
        return keep(202, "odk_kept", reason_of(exc.problems), parsed, **ids)
    except UnknownResponse:
        return keep(202, "odk_kept", f"an edit of {parsed.deprecated_id} (response {old}), which is not stored", parsed, **ids)
    except IncompatibleInstrument as exc:
        return keep(202, "odk_kept", str(exc), parsed, **ids)
    _store_attachments(store.root, inst.id, receipt.response_id, attachments)
    return Outcome(201, "odk_stored", instrument=inst.id, response_id=receipt.response_id,
                   revision=receipt.revision, duplicate=receipt.duplicate, instance_id=parsed.instance_id)


def _known_version(store, instrument_id: str, version: str | None) -> bool:
    try:
        return int(version or "") in store.instrument_versions(instrument_id)
    except ValueError:
        return False


def _revise(store, instrument_id: str, instance_id: str, old: str, answers, user: str):
    """The edit as `old`'s next revision, once: a marker named by the edit's instanceID is claimed first
    (a resend, even one racing the first, finds it and stores nothing: None), and given back on failure."""
    private_folder(Path(store.root) / "odk")
    folder = Path(store.root) / EDITS_DIR
    folder.mkdir(exist_ok=True)
    marker = folder / entry_id_for(instance_id)
    if not write_bytes_exclusive(marker, json.dumps({"instance_id": instance_id, "revises": old}).encode()):
        return None
    try:
        return store.revise(instrument_id, old, answers, editor=user, note="ODK Collect edit", instance_id=instance_id)
    except BaseException:
        unlink(marker)
        raise


def _store_attachments(root, instrument_id: str, response_id: str, attachments: Mapping[str, bytes]) -> None:
    if not attachments:
        return
    private_folder(Path(root) / "odk")  # photos of people and homes: the owner's only, as the answers
    folder = Path(root) / ATTACHMENTS_DIR / instrument_id / response_id
    for name, data in attachments.items():
        replace_bytes(folder / safe_attachment_name(name), bytes(data), mode=0o600)


# The phone shows these (OpenRosa <message>); {detail} is the reason kept with the submission.
MESSAGES = {
    "odk_stored": {"id": "Terkirim dan tersimpan.", "en": "Sent and stored."},
    "odk_kept": {"id": "Diterima, disimpan untuk diperiksa supervisor: {detail}",
                 "en": "Received and kept for review by a supervisor: {detail}"},
    "odk_unparseable": {"id": "Kiriman tidak dapat dibaca (disimpan untuk supervisor): {detail}",
                        "en": "The submission cannot be read (kept for a supervisor): {detail}"},
    "odk_unknown_form": {"id": "Formulir tidak dikenal server ini (disimpan untuk supervisor): {detail}",
                         "en": "This server does not know the form (kept for a supervisor): {detail}"},
    "odk_too_large": {"id": "Kiriman terlalu besar: paling banyak {detail} byte.",
                      "en": "The submission is too large: at most {detail} bytes."},
    "odk_login": {"id": "Nama atau kata sandi salah.", "en": "Wrong name or password."},
    "odk_locked": {"id": "Akun dikunci sementara setelah terlalu banyak kata sandi salah.",
                   "en": "The account is locked for a while after too many wrong passwords."},
    "odk_forbidden": {"id": "Akun ini tidak boleh mengirim formulir.", "en": "This account may not send forms."},
    "odk_anonymous_off": {"id": "Formulir ini hanya menerima kiriman dengan akun.",
                          "en": "This form takes submissions from an account only."},
    "odk_no_file": {"id": "Kiriman tanpa xml_submission_file (disimpan untuk supervisor).",
                    "en": "A submission without xml_submission_file (kept for a supervisor)."},
    "odk_unavailable": {"id": "Server tidak dapat menyimpan sekarang; kirim ulang nanti.",
                        "en": "The server cannot store now; send again later."},
}
