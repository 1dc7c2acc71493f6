"""The administration page's tables as SummaryTables: accounts, the audit log, the store's tables
and the questionnaire versions it keeps.

As :mod:`analysis.tables.fieldwork_tables`: raw values in, labels in both languages here, times
as moments written in WIB (summary_table.WIB_KINDS), so the page draws them and offers
their CSV, XLSX and printable files (audited) as every other table. Labels the interface
names elsewhere (roles, an account's state) come in as ``{value: {lang: text}}``.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import pandas as pd

from analysis.tables.fieldwork_tables import Labels, Texts
from analysis.tables.summary_table import Column, SummaryTable

LABELS: Mapping[str, Texts] = {
    "name": {"en": "User name", "id": "Nama pengguna"},
    "role": {"en": "Role", "id": "Peran"},
    "state": {"en": "State", "id": "Keadaan"},
    "last_login": {"en": "Last login (WIB)", "id": "Terakhir masuk (WIB)"},
    "created": {"en": "Created (WIB)", "id": "Dibuat (WIB)"},
    "time": {"en": "Time (WIB)", "id": "Waktu (WIB)"},
    "user": {"en": "User", "id": "Pengguna"},
    "action": {"en": "Action", "id": "Tindakan"},
    "object": {"en": "Object", "id": "Objek"},
    "outcome": {"en": "Outcome", "id": "Hasil"},
    "detail": {"en": "Detail", "id": "Rincian"},
    "table": {"en": "Table", "id": "Tabel"},
    "rows": {"en": "Rows (current revisions)", "id": "Baris (revisi terkini)"},
    "quarantined": {"en": "Files in quarantine", "id": "Berkas dikarantina"},
    "instrument": {"en": "Questionnaire", "id": "Kuesioner"},
    "version": {"en": "Version of the file", "id": "Versi berkas"},
    "kept": {"en": "Versions kept by the store", "id": "Versi yang disimpan"},
    "problem": {"en": "Problem", "id": "Masalah"},
    "at": {"en": "When", "id": "Waktu"},
    "files": {"en": "Files", "id": "Berkas"},
    "format": {"en": "Format", "id": "Format"},
    "added": {"en": "Added", "id": "Ditambahkan"},
    "present": {"en": "Already stored", "id": "Sudah tersimpan"},
    "bad": {"en": "Bad lines", "id": "Baris rusak"},
    "by": {"en": "By", "id": "Oleh"},
    "line": {"en": "Line", "id": "Baris"},
    "reason": {"en": "Reason", "id": "Alasan"},
    "text": {"en": "Text", "id": "Teks"},
    "event": {"en": "Event id", "id": "Id kejadian"},
    "type": {"en": "Event", "id": "Kejadian"},
    "status": {"en": "Status", "id": "Status"},
    "last_time": {"en": "Last attempt", "id": "Percobaan terakhir"},
    "code": {"en": "Response", "id": "Tanggapan"},
    "attempts": {"en": "Attempts", "id": "Percobaan"},
    "account": {"en": "User name", "id": "Nama pengguna"},
    "label": {"en": "What the token is for (e.g. Power BI)", "id": "Kegunaan token (mis. Power BI)"},
    "id": {"en": "id", "id": "id"},
    "token_created": {"en": "Created", "id": "Dibuat"},
}
TITLES: Mapping[str, Texts] = {
    "accounts": {"en": "Accounts", "id": "Akun"},
    "audit": {"en": "Audit log", "id": "Log audit"},
    "store": {"en": "Data store tables", "id": "Tabel penyimpanan data"},
    "versions": {"en": "Questionnaire versions", "id": "Versi kuesioner"},
    "imports": {"en": "What each import added", "id": "Yang ditambahkan setiap impor"},
    "deliveries": {"en": "Webhook deliveries", "id": "Pengiriman webhook"},
    "tokens": {"en": "API tokens", "id": "Token API"},
    "bad_lines": {"en": "Bad lines (examples; addresses masked)", "id": "Baris rusak (contoh; alamat disamarkan)"},
}


def _columns(*names: str, kinds: Mapping[str, str] | None = None) -> dict[str, Column]:
    kinds = kinds or {}
    return {name: Column(LABELS[name], kinds.get(name, "text")) for name in names}


def accounts_table(accounts: Sequence, states: Sequence[Texts], role_labels: Labels) -> SummaryTable:
    """One row per account: name, role, state (``states``: one {lang: text} per account, "locked until
    ..." written in each language), last login and creation (WIB)."""
    frame = pd.DataFrame({"name": [a.name for a in accounts], "role": [a.role for a in accounts],
                          "state": list(range(len(accounts))), "last_login": [a.last_login for a in accounts],
                          "created": [a.created for a in accounts]})
    value_labels = {"role": dict(role_labels), "state": dict(enumerate(states))}
    columns = _columns("name", "role", "state", "last_login", "created", kinds={"last_login": "wib", "created": "wib"})
    return SummaryTable(frame, TITLES["accounts"], columns, value_labels=value_labels, kind="accounts", keys=("name",))


def audit_table(frame: pd.DataFrame, note: Texts | None = None) -> SummaryTable:
    """Audit entries (``ui.supervision.audit_view.audit_frame``: newest first), times to the second."""
    columns = _columns("time", "user", "action", "object", "outcome", "detail", kinds={"time": "wib_seconds"})
    return SummaryTable(frame.reset_index(drop=True), TITLES["audit"], columns, notes=(note,) if note else (),
                        kind="audit", keys=("time",))


def store_table(counts: Iterable[tuple[str, int, int]]) -> SummaryTable:
    """(table, rows, files in quarantine) per table of the store."""
    frame = pd.DataFrame(list(counts), columns=["table", "rows", "quarantined"])
    return SummaryTable(frame, TITLES["store"], _columns("table", "rows", "quarantined",
                                                         kinds={"rows": "count", "quarantined": "count"}),
                        kind="store", keys=("table",))


def import_history_table(history: pd.DataFrame) -> SummaryTable:
    """The website-traffic imports (survey.traffic.import_history), newest first."""
    history = history.iloc[::-1].reset_index(drop=True)
    frame = history.assign(by=history["user"])
    columns = _columns("at", "files", "format", "added", "present", "bad", "by",
                       kinds={"at": "wib", "added": "count", "present": "count", "bad": "count"})
    return SummaryTable(frame, TITLES["imports"], columns, kind="imports", keys=("at",))


def bad_lines_table(examples: Sequence[Sequence]) -> SummaryTable:
    """Examples of the lines an import could not read: (line number, reason, text)."""
    frame = pd.DataFrame(list(examples), columns=["line", "reason", "text"])
    return SummaryTable(frame, TITLES["bad_lines"], _columns("line", "reason", "text", kinds={"line": "integer"}),
                        kind="bad_lines", keys=("line",))


def deliveries_table(log: Sequence[Mapping], status_labels: Labels) -> SummaryTable:
    """A webhook endpoint's deliveries (survey.webhooks.delivery.deliveries), newest first: the HTTP
    code, or the error, of the last attempt."""
    frame = pd.DataFrame({
        "event": [s["event"] for s in log], "type": [s["type"] for s in log], "status": [s["status"] for s in log],
        "last_time": [s["last_time"] for s in log],
        "code": [str(s["code"]) if s["code"] is not None else s.get("error") for s in log],
        "attempts": [s["attempts"] for s in log]})
    columns = _columns("event", "type", "status", "last_time", "code", "attempts",
                       kinds={"last_time": "wib_seconds", "attempts": "count"})
    return SummaryTable(frame, TITLES["deliveries"], columns, value_labels={"status": dict(status_labels)},
                        kind="deliveries", keys=("event",))


def tokens_table(tokens: Sequence, owner: bool) -> SummaryTable:
    """API tokens: (whose, when ``owner``) label, id, created (never the token: only its hash is kept)."""
    frame = pd.DataFrame({"account": [x.account for x in tokens], "label": [x.label or None for x in tokens],
                          "id": [x.id for x in tokens], "token_created": [x.created for x in tokens]})
    names = (("account",) if owner else ()) + ("label", "id", "token_created")
    return SummaryTable(frame, TITLES["tokens"], _columns(*names, kinds={"token_created": "wib"}), kind="tokens",
                        keys=("id",))


def versions_table(versions: Iterable[tuple[str, str, str, str]]) -> SummaryTable:
    """(questionnaire, its file's version, the versions the store keeps, a problem reading it) per questionnaire."""
    frame = pd.DataFrame(list(versions), columns=["instrument", "version", "kept", "problem"])
    return SummaryTable(frame, TITLES["versions"], _columns("instrument", "version", "kept", "problem"),
                        kind="versions", keys=("instrument",))
