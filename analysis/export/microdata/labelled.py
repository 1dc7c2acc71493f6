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

import pandas as pd

from analysis.export.audit import recorded
from analysis.export.errors import IDENTIFIED_ADMINS_ONLY, ExportDenied, ExportError, check_option
from analysis.export.files import write_file_with
from analysis.export.microdata import csvfile, parquetfile, statfiles, xlsxfile
from analysis.export.microdata.frame import ExportInfo, Weights, microdata_batches, microdata_frame, table_owner
from analysis.export.microdata.replicates import TableReplicates, check_method, design_replicates
from survey.fieldwork.audit_log import AuditLog
from survey.locale import LANGUAGES

MICRODATA_FORMATS = ("csv", "parquet", "sav", "dta", "xlsx")
_WRITERS = {
    "csv": csvfile.write, "parquet": parquetfile.write, "sav": statfiles.write_sav,
    "dta": statfiles.write_dta, "xlsx": xlsxfile.write,
}
BATCH_ROWS = 50_000  # rows read from the store and written at a time
_STREAMED = {"csv": csvfile.write_batches, "parquet": parquetfile.write_batches, "xlsx": xlsxfile.write_batches}
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
        reps = _replicates(store, table, replicate, identified)
        md = microdata_frame(store, table, identified=identified, weights=weights, replicates=reps)
        info = ExportInfo(md.instrument, table, bool(identified), lang, dt.datetime.now(dt.timezone.utc), len(md.frame))
        data = _WRITERS[fmt](md.variables, md.frame, info)
        done.update(rows=len(md.frame), bytes=len(data), weights=any(v.origin == "weight" for v in md.variables))
    return data


def _replicates(store, table: str, replicate: str | None, identified: bool) -> TableReplicates | None:
    """The replicate weights asked for (de-identified files only), or None."""
    if not replicate:
        return None
    check_method(replicate)
    if identified:
        raise ExportError(REPLICATES_DEIDENTIFIED)
    inst, _ = table_owner(store, table)
    return design_replicates(store, inst.id, replicate).get(table)


def write_microdata(store, table: str, fmt: str, path: str | os.PathLike, *, user: str, lang: str = "en",
                    identified: bool = False, weights: Weights = None, identified_allowed: bool = True,
                    replicate: str | None = None) -> Path:
    """microdata() streamed to `path` (atomically: a temporary file beside it, then renamed);
    the same keyword options. CSV, Parquet and XLSX are written a batch of rows at a time, never
    the whole table in memory; SPSS and Stata hold the table once (ReadStat writes one frame)."""
    detail = {"identified": bool(identified), "format": fmt, "lang": lang}
    if replicate:
        detail["replicate"] = replicate
    with recorded(AuditLog(store.root), user, table, **detail) as done:
        if identified and not identified_allowed:
            raise ExportDenied(IDENTIFIED_ADMINS_ONLY)
        check_option(fmt, MICRODATA_FORMATS, FORMAT_OPTION)
        check_option(lang, LANGUAGES, LANG_OPTION)
        reps = _replicates(store, table, replicate, identified)
        md = microdata_batches(store, table, identified=identified, weights=weights, replicates=reps,
                               batch_rows=BATCH_ROWS)
        info = ExportInfo(md.instrument, table, bool(identified), lang, dt.datetime.now(dt.timezone.utc),
                          store.count(table))

        def write(handle) -> int:
            if fmt in _STREAMED:
                return _STREAMED[fmt](md.variables, md.batches(), info, handle)
            parts = list(md.batches())
            frame = pd.concat(parts, ignore_index=True) if parts else _empty(md.variables)
            del parts
            statfiles.write_to(fmt, md.variables, frame, info, handle.name, consume=True)
            return len(frame)

        target, rows = write_file_with(path, write)
        done.update(rows=rows, bytes=target.stat().st_size, weights=any(v.origin == "weight" for v in md.variables))
    return target


def _empty(variables) -> pd.DataFrame:
    return pd.DataFrame({v.name: pd.Series([], dtype=object) for v in variables})
