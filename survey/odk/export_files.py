"""ODK Central and KoboToolbox exports as plain records: one per submission, with its main row
and its repeat rows, each a {column header: cell} as the export wrote it.

* ODK Central, "All data and media" (``.csv.zip``): ``<form>.csv`` (one row per submission, its
  ``KEY`` the instanceID ``uuid:...``) and ``<form>-<repeat>.csv`` per repeat, whose rows name
  their submission in ``PARENT_KEY`` (a nested repeat names its parent item, ``.../child[1]``:
  we have no nested repeats, so those files are reported, not read). Headers carry the group
  path (``hh-age``) unless "remove group names" was chosen; a geopoint is four columns
  (``gps-Latitude``, ``-Longitude``, ``-Altitude``, ``-Accuracy``).
* KoboToolbox, XLSX: the first sheet the submissions (``_uuid``, ``meta/instanceID``, ``_index``),
  one sheet per repeat named after it, its rows linked by ``_parent_index`` to the main row's
  ``_index``; CSV: the submissions only (``;`` or ``,`` separated). Group paths use ``/``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

INSTANCE_COLUMNS = ("KEY", "meta-instanceID", "meta/instanceID", "instanceID", "_uuid")
SUBMITTER_COLUMNS = ("SubmitterName", "_submitted_by")
# Central's own columns: never a question's, whatever the questionnaire names its questions
CENTRAL_COLUMNS = frozenset({"SubmissionDate", "SubmitterID", "SubmitterName", "AttachmentsPresent",
                             "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion",
                             "KEY", "PARENT_KEY"})
MAX_EXPORT_BYTES = 512 * 1024 * 1024  # an export bigger than this is refused before it is unpacked


class ExportError(ValueError):
    """A file that is not an ODK Central or Kobo export we can read."""


@dataclass
class Record:
    """One submission as the export wrote it."""

    main: dict[str, Any]
    repeats: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # repeat table name -> its rows

    def first(self, columns: tuple[str, ...]) -> str | None:
        for column in columns:
            value = self.main.get(column)
            if value not in (None, ""):
                return str(value).strip()
        return None


@dataclass
class Export:
    records: list[Record]
    notes: list[str] = field(default_factory=list)  # tables we could not link (nested repeats ...)


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value


def _csv_rows(data: bytes) -> list[dict[str, Any]]:
    text = data.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","  # Kobo's CSV default is ';'
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [{k: _cell(v) for k, v in row.items() if k is not None} for row in reader]


def _sheet_rows(ws) -> list[dict[str, Any]]:
    rows = ws.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    out = []
    for values in rows:
        row = {header[i]: _cell(v) for i, v in enumerate(values) if i < len(header) and header[i]}
        if any(v is not None for v in row.values()):
            out.append(row)
    return out


def _central(archive: zipfile.ZipFile) -> Export:
    names = [n for n in archive.namelist() if n.lower().endswith(".csv") and not n.startswith("media/")]
    if not names:
        raise ExportError("the zip holds no CSV file")
    main_name = min(names, key=len)  # <form>.csv; each repeat's is <form>-<repeat>.csv
    stem = Path(main_name).stem
    records = [Record(row) for row in _csv_rows(archive.read(main_name))]
    by_key = {r.main.get("KEY"): r for r in records if r.main.get("KEY")}
    notes = []
    for name in names:
        if name == main_name:
            continue
        table = Path(name).stem
        table = table[len(stem) + 1:] if table.startswith(stem + "-") else table
        rows = _csv_rows(archive.read(name))
        if any(str(r.get("PARENT_KEY") or "") not in by_key for r in rows):
            notes.append(f"{name}: rows whose PARENT_KEY is no submission (a repeat inside a repeat) are not read")
        for row in rows:
            parent = by_key.get(row.get("PARENT_KEY"))
            if parent is not None:
                parent.repeats.setdefault(table, []).append(row)
    return Export(records, notes)


def _kobo_workbook(path: Path) -> Export:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = [(ws.title, _sheet_rows(ws)) for ws in book.worksheets]
    finally:
        book.close()
    if not sheets:
        raise ExportError("the workbook has no sheet")
    records = [Record(row) for row in sheets[0][1]]
    by_index = {str(r.main.get("_index")): r for r in records if r.main.get("_index") is not None}
    by_uuid = {str(r.main.get("_uuid")): r for r in records if r.main.get("_uuid")}
    notes = []
    for title, rows in sheets[1:]:
        unlinked = 0
        for row in rows:
            parent = by_uuid.get(str(row.get("_submission__uuid"))) if row.get("_submission__uuid") else None
            if parent is None or row.get("_parent_table_name") not in (None, sheets[0][0]):
                parent = by_index.get(str(row.get("_parent_index"))) if row.get("_parent_table_name") in (
                    None, sheets[0][0]) else None
            if parent is None:
                unlinked += 1
                continue
            parent.repeats.setdefault(title, []).append(row)
        if unlinked:
            notes.append(f"sheet {title!r}: {unlinked} row(s) belong to no submission (a repeat inside a repeat?): "
                         "not read")
    return Export(records, notes)


def read_export(path: Path | str) -> Export:
    """The submissions of an ODK Central zip, a Kobo XLSX or a Kobo/ODK CSV."""
    path = Path(path)
    if path.stat().st_size > MAX_EXPORT_BYTES:
        raise ExportError(f"the file is over {MAX_EXPORT_BYTES // 2**20} MB")
    suffix = path.suffix.lower()
    try:
        if zipfile.is_zipfile(path) and suffix != ".xlsx":
            with zipfile.ZipFile(path) as archive:
                if sum(i.file_size for i in archive.infolist()) > MAX_EXPORT_BYTES:  # a zip bomb stops here
                    raise ExportError(f"the zip unpacks to over {MAX_EXPORT_BYTES // 2**20} MB")
                return _central(archive)
        if suffix == ".xlsx":
            return _kobo_workbook(path)
        if suffix == ".csv":
            return Export([Record(row) for row in _csv_rows(path.read_bytes())])
    except (zipfile.BadZipFile, UnicodeDecodeError, csv.Error, KeyError) as exc:
        raise ExportError(f"not a readable export ({exc})") from None
    raise ExportError("an export is an ODK Central .zip, a Kobo .xlsx or a .csv")


def repeat_index(key: str | None) -> int:
    """The item number of a Central repeat KEY (``uuid:1/members[3]`` -> 3), for ordering."""
    m = re.search(r"\[(\d+)\]$", key or "")
    return int(m[1]) if m else 0
