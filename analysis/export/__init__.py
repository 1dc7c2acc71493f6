"""Exports: labelled microdata, codebooks and XLSForms that open cleanly in Excel, SPSS,
Stata, R and ODK, all derived from the questionnaire (no Streamlit here).

Public functions (each builds its file only when called and records it in the audit log):

    microdata(store, table, fmt, *, user, lang="en", identified=False, weights=None) -> bytes
    write_microdata(store, table, fmt, path, **the same options) -> Path
    codebook(inst, fmt, *, user, audit, lang="en", weights=False) -> bytes
    xlsform(inst, *, user, audit) -> bytes

and what a page needs around them: microdata_frame (the variables and rows, e.g. for a
preview), export_filename and safe_filename, MEDIA_TYPES, the format tuples, and
ExportError (its .texts are {lang: message}). Command line: ``python -m analysis.export``.
"""

from analysis.export.cells import csv_text, export_filename, is_formula_like, safe_filename
from analysis.export.codebook import CODEBOOK_FORMATS, codebook
from analysis.export.errors import ExportError
from analysis.export.frame import Microdata, microdata_frame
from analysis.export.microdata import MEDIA_TYPES, MICRODATA_FORMATS, microdata, write_microdata
from analysis.export.xlsform import xlsform

__all__ = [
    "CODEBOOK_FORMATS", "ExportError", "MEDIA_TYPES", "MICRODATA_FORMATS", "Microdata", "codebook", "csv_text",
    "export_filename", "is_formula_like", "microdata", "microdata_frame", "safe_filename", "write_microdata",
    "xlsform",
]
