"""Exports: labelled microdata, codebooks and XLSForms that open cleanly in Excel, SPSS,
Stata, R and ODK, all derived from the questionnaire (no Streamlit here).

Public functions (each builds its file only when called and records it in the audit log):

    microdata(store, table, fmt, *, user, lang="en", identified=False, weights=None) -> bytes
    write_microdata(store, table, fmt, path, **same options) -> Path
    codebook(inst, fmt, *, user, audit, lang="en") -> bytes
    xlsform(inst, *, user, audit) -> bytes

and the helpers a page needs: microdata_frame (a preview), export_filename and
safe_filename, MEDIA_TYPES, the format tuples, ExportError (its .texts are bilingual).
Command line: ``python -m analysis.export`` (cli.py).
"""

from analysis.export.cells import csv_text, export_filename, is_formula_like, safe_filename
from analysis.export.errors import ExportError
from analysis.export.frame import Microdata, microdata_frame
from analysis.export.microdata import MEDIA_TYPES, MICRODATA_FORMATS, microdata, write_microdata

__all__ = [
    "ExportError", "MEDIA_TYPES", "MICRODATA_FORMATS", "Microdata", "csv_text", "export_filename",
    "is_formula_like", "microdata", "microdata_frame", "safe_filename", "write_microdata",
]
