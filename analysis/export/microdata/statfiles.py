"""Microdata for SPSS (``.sav``) and Stata (``.dta``), written by pyreadstat (ReadStat).

Variable labels and value labels come from the instrument in the chosen language. A
select_one is stored as its numeric code (variables.choice_codes) with the choices as
value labels; each select_multiple choice is a 0/1 variable labelled No/Yes; dates
are dates (SPSS DATE11, Stata %td), timestamps datetimes in UTC (DATETIME, %tc).
Storage follows survey.questionnaire.types' table: whole numbers as Stata ``long`` (int32) -- a
column with a value beyond long's range is written as ``double`` instead, which
holds every integer up to 2^53 exactly -- decimals ``double``, text ``str#`` (``strL``
past 2045 bytes). SPSS gets each variable's measurement level from the same table.

Limits of the formats, applied by cutting a label (the codebook has it in full):
Stata variable labels 80 characters, SPSS variable labels 256 bytes, SPSS value
labels 120 bytes; Stata's file label 80 characters. A choice's 0/1 variable keeps
its choice's label and loses the end of its question's instead. A missing text is
an empty string in both (neither format has a missing string).
"""

from __future__ import annotations

import os
import tempfile

import pandas as pd
import pyreadstat

from analysis.export.errors import ExportError
from analysis.export.microdata.frame import ExportInfo
from analysis.export.microdata.variables import Variable, value_labels
from survey.locale import pick

STATA_LONG = (-2_147_483_647, 2_147_483_620)  # Stata's valid range of a long (the rest codes missing)
_LIMITS = {  # (variable label, value label, file label): ("chars" | "bytes", n)
    "sav": (("bytes", 256), ("bytes", 120), ("bytes", 64)),
    "dta": (("chars", 80), ("bytes", 32_000), ("chars", 80)),
}


def _cut(text: str, limit: tuple[str, int]) -> str:
    unit, n = limit
    if (len(text) if unit == "chars" else len(text.encode("utf-8"))) <= n:
        return text
    if unit == "chars":
        return text[: n - 1] + "…"
    data = text.encode("utf-8")[: n - len("…".encode())]
    return data.decode("utf-8", "ignore") + "…"


def _variable_label(v: Variable, lang: str, limit: tuple[str, int]) -> str:
    """The label cut to the format's limit; a choice's 0/1 variable keeps its choice
    ("<question>: <choice>") by shortening the question part."""
    label = pick(v.label, lang)
    if v.kind != "dummy" or v.question is None or _cut(label, limit) == label:
        return _cut(label, limit)
    question = pick(v.question.label, lang)
    suffix = label[len(question):] if label.startswith(question) else ""
    unit, n = limit
    room = n - (len(suffix) if unit == "chars" else len(suffix.encode("utf-8")))
    if not suffix or room < 10:
        return _cut(label, limit)
    return _cut(question, (unit, room)) + suffix


def _fits_long(values: pd.Series) -> bool:
    present = values.dropna()
    return present.empty or (present.min() >= STATA_LONG[0] and present.max() <= STATA_LONG[1])


def _column(v: Variable, values: pd.Series) -> pd.Series:
    if v.kind == "choice":
        codes = v.code_of()
        return values.astype(object).map(lambda x: codes.get(x) if isinstance(x, str) else None).astype("Int32")
    if v.kind == "dummy":
        return values.astype("Int32")
    if v.kind == "integer":
        return values.astype("Int32") if _fits_long(values) else values.astype("float64")
    if v.kind == "text":
        return values.astype(object).where(values.notna(), "")
    if v.kind == "timestamp":
        return values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values  # decimal (float64), date (datetime.date objects)


def _spss_format(v: Variable, values: pd.Series) -> str | None:
    if v.kind == "dummy":
        return "F1.0"
    if v.kind in ("integer", "choice"):  # wide enough for the longest value and a sign
        present = values.dropna()
        digits = max(len(str(int(present.min()))), len(str(int(present.max())))) if len(present) else 1
        return f"F{digits + 1}.0"
    return None


def _check_label_set_names(labelled: list[str]) -> None:
    """pyreadstat names the i-th value-label set ``<variable><i>``; Stata allows 32 characters."""
    for i, name in enumerate(labelled):
        if len(name) + len(str(i)) > 32:
            raise ExportError({
                "id": f"Terlalu banyak variabel berlabel ({len(labelled)}) untuk satu berkas Stata; pakai SPSS, CSV atau Parquet.",
                "en": f"Too many labelled variables ({len(labelled)}) for one Stata file; use SPSS, CSV or Parquet.",
            })


def _write(fmt: str, variables: list[Variable], frame: pd.DataFrame, info: ExportInfo) -> bytes:
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        path = os.path.join(folder, f"data.{fmt}")
        write_to(fmt, variables, frame, info, path)
        with open(path, "rb") as handle:
            return handle.read()


def write_to(fmt: str, variables: list[Variable], frame: pd.DataFrame, info: ExportInfo, path: str,
             consume: bool = False) -> None:
    """The file written by ReadStat straight to `path` (``sav`` or ``dta``), its bytes never held.
    pyreadstat needs the whole table as one frame; with `consume` each column of `frame` is let go
    as soon as its converted copy is made, so the table is not held twice."""
    var_limit, value_limit, file_limit = _LIMITS[fmt]
    index = frame.index
    data = pd.DataFrame({v.name: _column(v, frame.pop(v.name) if consume else frame[v.name]) for v in variables},
                        index=index)
    labels = {v.name: _variable_label(v, info.lang, var_limit) for v in variables}
    values = {v.name: {code: _cut(text, value_limit) for code, text in value_labels(v, info.lang).items()}
              for v in variables if v.codes}
    title = _cut(f"{pick(info.instrument.title, info.lang)} ({info.table}, v{info.instrument.version})", file_limit)
    if fmt == "sav":
        formats = {v.name: f for v in variables if (f := _spss_format(v, data[v.name])) is not None}
        note = [  # SPSS document lines hold at most 80 bytes each
            _cut(f"Instrument {info.instrument.id} version {info.instrument.version}, table {info.table}", ("bytes", 80)),
            f"Exported {info.exported_at:%Y-%m-%d %H:%M} UTC, {'identified' if info.identified else 'de-identified'}",
        ]
        pyreadstat.write_sav(data, path, file_label=title, column_labels=labels, variable_value_labels=values,
                             variable_measure={v.name: v.spss_measure for v in variables},
                             variable_format=formats, note=note)
    else:
        _check_label_set_names(list(values))
        pyreadstat.write_dta(data, path, file_label=title, column_labels=labels, variable_value_labels=values)


def write_sav(variables: list[Variable], frame: pd.DataFrame, info: ExportInfo) -> bytes:
    return _write("sav", variables, frame, info)


def write_dta(variables: list[Variable], frame: pd.DataFrame, info: ExportInfo) -> bytes:
    return _write("dta", variables, frame, info)

