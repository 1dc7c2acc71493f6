"""Labelled microdata of one store table in one of five formats, recorded in the audit log.

    data = microdata(store, "household_members", "dta", user="admin1", lang="id")

Formats: ``csv`` (csvfile), ``parquet`` (parquetfile), ``sav`` and ``dta``
(statfiles), ``xlsx`` (xlsxfile). Variables and values come from frame.py and
variables.py; fields flagged ``pii`` are left out unless ``identified=True``, which
the caller may forbid (``identified_allowed=False``: the app's non-admins), so that
the refusal is in the audit log like every other request. ``weights=True`` adds the
design's weights (weights.py).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from analysis.export.audit import recorded
from analysis.export.errors import IDENTIFIED_ADMINS_ONLY, ExportDenied, ExportError, check_option
from analysis.export.files import write_file
from analysis.export.microdata import csvfile, parquetfile, statfiles, xlsxfile
from analysis.export.microdata.frame import ExportInfo, Weights, microdata_frame, table_owner
from analysis.export.microdata.replicates import check_method, design_replicates
from survey.fieldwork.audit_log import AuditLog
from survey.locale import LANGUAGES

MICRODATA_FORMATS = ("csv", "parquet", "sav", "dta", "xlsx")
_WRITERS = {
    "csv": csvfile.write, "parquet": parquetfile.write, "sav": statfiles.write_sav,
    "dta": statfiles.write_dta, "xlsx": xlsxfile.write,
}
FORMAT_OPTION = {"id": "Format", "en": "format"}
LANG_OPTION = {"id": "Bahasa", "en": "language"}
REPLICATES_DEIDENTIFIED = {
    "id": "Bobot replikasi menggantikan strata dan PSU di berkas tanpa identitas; berkas beridentitas "
          "sudah memuat strata dan PSU.",
    "en": "Replicate weights replace strata and PSUs in de-identified files; an identified file already "
          "has the strata and PSUs.",
}


def microdata(store, table: str, fmt: str, *, user: str, lang: str = "en", identified: bool = False,
              weights: Weights = None, identified_allowed: bool = True, replicate: str | None = None) -> bytes:
    """The file's bytes. `store`: a ResponseStore; `table`: household, household_members,
    civil_servant, agency (any table of the store's instruments); `weights`: True for
    the design's weights, or see frame.table_weights. ExportError for a bad request,
    ExportDenied for an identified file when `identified_allowed` is False. `replicate`
    (JKn, JK1, BRR, bootstrap; de-identified files): replicate weights instead of the
    design's strata, PSU and fpc (replicates.py)."""
    detail = {"identified": bool(identified), "format": fmt, "lang": lang}
    if replicate:
        detail["replicate"] = replicate
    with recorded(AuditLog(store.root), user, table, **detail) as done:
        if identified and not identified_allowed:
            raise ExportDenied(IDENTIFIED_ADMINS_ONLY)
        check_option(fmt, MICRODATA_FORMATS, FORMAT_OPTION)
        check_option(lang, LANGUAGES, LANG_OPTION)
        reps = None
        if replicate:
            check_method(replicate)
            if identified:
                raise ExportError(REPLICATES_DEIDENTIFIED)
            inst, _ = table_owner(store, table)
            reps = design_replicates(store, inst.id, replicate).get(table)
        md = microdata_frame(store, table, identified=identified, weights=weights, replicates=reps)
        info = ExportInfo(md.instrument, table, bool(identified), lang, dt.datetime.now(dt.timezone.utc), len(md.frame))
        data = _WRITERS[fmt](md.variables, md.frame, info)
        done.update(rows=len(md.frame), bytes=len(data), weights=any(v.origin == "weight" for v in md.variables))
    return data


def write_microdata(store, table: str, fmt: str, path: str | os.PathLike, **options) -> Path:
    """microdata() written to `path` (atomically); the same keyword options."""
    return write_file(path, microdata(store, table, fmt, **options))
