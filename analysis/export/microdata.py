"""Labelled microdata of one store table in one of five formats, recorded in the audit log.

    data = microdata(store, "household_members", "dta", user="admin1", lang="id")

Formats: ``csv`` (csvfile), ``parquet`` (parquetfile), ``sav`` and ``dta``
(statfiles), ``xlsx`` (xlsxfile). Variables and values come from frame.py and
variables.py; fields flagged ``pii`` are left out unless ``identified=True``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Mapping

import pandas as pd

from survey.audit import AuditLog
from survey.i18n import LANGUAGES

from analysis.export import csvfile, parquetfile, statfiles, xlsxfile
from analysis.export.audit import recorded
from analysis.export.errors import check_option
from analysis.export.files import write_file
from analysis.export.frame import ExportInfo, microdata_frame

MICRODATA_FORMATS = ("csv", "parquet", "sav", "dta", "xlsx")
_WRITERS = {
    "csv": csvfile.write, "parquet": parquetfile.write, "sav": statfiles.write_sav,
    "dta": statfiles.write_dta, "xlsx": xlsxfile.write,
}
MEDIA_TYPES = {
    "csv": "text/csv", "parquet": "application/vnd.apache.parquet", "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta", "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMAT_OPTION = {"id": "Format", "en": "format"}
LANG_OPTION = {"id": "Bahasa", "en": "language"}


def microdata(store, table: str, fmt: str, *, user: str, lang: str = "en", identified: bool = False,
              weights: Mapping[str, float] | pd.Series | None = None) -> bytes:
    """The file's bytes. `store`: a ResponseStore; `table`: household, household_members,
    civil_servant, agency (any table of the store's instruments); `weights`: response id
    -> weight (a roster's rows take their household's). ExportError for a bad request."""
    detail = {"identified": bool(identified), "format": fmt, "lang": lang}
    with recorded(AuditLog(store.root), user, table, **detail) as done:
        check_option(fmt, MICRODATA_FORMATS, FORMAT_OPTION)
        check_option(lang, LANGUAGES, LANG_OPTION)
        md = microdata_frame(store, table, identified=identified, weights=weights)
        info = ExportInfo(md.instrument, table, bool(identified), lang, dt.datetime.now(dt.timezone.utc), len(md.frame))
        data = _WRITERS[fmt](md.variables, md.frame, info)
        done.update(rows=len(md.frame), bytes=len(data))
    return data


def write_microdata(store, table: str, fmt: str, path: str | os.PathLike, **options) -> Path:
    """microdata() written to `path` (atomically); the same keyword options."""
    return write_file(path, microdata(store, table, fmt, **options))
