"""Exports: report-ready tables, labelled microdata, codebooks and XLSForms that open
cleanly in Excel, SPSS, Stata, R and ODK, all derived from the questionnaire and the
analysis layer's SummaryTables (no Streamlit here).

Public functions (each builds its file only when called; the ones with a `user` record
it in the audit log):

    table_file(table, fmt, lang="en", *, user=None, audit=None) -> bytes   # csv | xlsx | html
    table_filename(table, fmt, lang="en") -> str
    indicator_report(store, fmt, *, user, lang="en") -> bytes              # xlsx | html
    render_report(tables, fmt, lang="en") -> bytes                         # {name: SummaryTable}
    chart(table, lang) -> Altair chart | None;  chart_svg(table, lang) -> str | None
    microdata(store, table, fmt, *, user, lang="en", identified=False, weights=None,
              identified_allowed=True) -> bytes
    write_microdata(store, table, fmt, path, **the same options) -> Path
    codebook(inst, fmt, *, user, audit, lang="en", weights=False) -> bytes
    weight_texts(store, instrument_id) -> {table: {lang: how its weights were made}}
    xlsform(inst, *, user, audit) -> bytes

and what a page needs around them: microdata_frame (the variables and rows, e.g. for a
preview), export_filename and safe_filename, MEDIA_TYPES, the format tuples, and
ExportError (its .texts are {lang: message}; ExportDenied: the role may not).
Command line: ``python -m analysis.export``.
"""

from analysis.export.codebook.codebook import CODEBOOK_FORMATS, codebook, weight_texts
from analysis.export.errors import ExportDenied, ExportError
from analysis.export.files import MEDIA_TYPES
from analysis.export.microdata.frame import Microdata, microdata_frame
from analysis.export.microdata.labelled import MICRODATA_FORMATS, microdata, write_microdata
from analysis.export.microdata.weights import TableWeights, design_weights
from analysis.export.report import REPORT_FORMATS, indicator_report, render_report, report_tables
from analysis.export.safe_cells import csv_text, export_filename, is_formula_like, safe_filename
from analysis.export.tables.chart_svg import chart, chart_svg
from analysis.export.tables.formats import TABLE_FORMATS, table_file, table_filename
from analysis.export.xlsform.xlsform import xlsform

__all__ = [
    "CODEBOOK_FORMATS", "ExportDenied", "ExportError", "MEDIA_TYPES", "MICRODATA_FORMATS", "Microdata",
    "REPORT_FORMATS", "TABLE_FORMATS", "TableWeights", "chart", "chart_svg", "codebook", "csv_text",
    "design_weights", "export_filename", "indicator_report", "is_formula_like", "microdata", "microdata_frame",
    "render_report", "report_tables", "safe_filename", "table_file", "table_filename", "weight_texts",
    "write_microdata", "xlsform",
]
