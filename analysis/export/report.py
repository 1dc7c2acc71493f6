"""The indicator report: every indicator table in one file, recorded in the audit log.

    data = indicator_report(store, "xlsx", user="admin1", lang="id")

The tables are those of analysis.indicators.sections.SECTIONS (each with its sheet's
name from there) that the store's data allow: households alone give the household and
individual indicators (ITU HH1-HH18); civil servants and agencies add the e-government
indicators (EG1-EG7), each agency's stage, the city's stage and the leadership index. An instrument without responses is
left out; with no responses at all the report is refused with a message.

XLSX: a contents sheet (each table's sheet, linked, its title, rows, when its data are
from and how many responses) and one sheet per table as table_xlsx.py lays it out.
HTML: one printable page, a contents list, then each table with its chart
(table_html.py).
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Mapping

from analysis.export.audit import recorded
from analysis.export.errors import ExportError, check_option
from analysis.export.safe_cells import XlsxCells
from analysis.export.tables import as_html as table_html
from analysis.export.tables import as_xlsx as table_xlsx
from analysis.tables.summary_table import RELIABILITY_NOTE, SummaryTable
from survey import locale as formatting
from survey.fieldwork.audit_log import AuditLog
from survey.locale import LANGUAGES, pick

REPORT_FORMATS = ("xlsx", "html")
TEXTS = {
    "title": {"id": "Laporan indikator", "en": "Indicator report"},
    "contents": {"id": "Isi", "en": "Contents"},
    "made": {"id": "Dibuat {when}", "en": "Made {when}"},
    "sheet": {"id": "Lembar", "en": "Sheet"},
    "table": {"id": "Tabel", "en": "Table"},
    "rows": {"id": "Baris", "en": "Rows"},
    "data_as_of": {"id": "Data per", "en": "Data as of"},
    "responses": {"id": "Respons", "en": "Responses"},
    "none": {
        "id": "Belum ada indikator: belum ada respons rumah tangga, ASN, atau perangkat daerah dalam analisis.",
        "en": "No indicators yet: there are no household, civil-servant or agency responses in the analysis.",
    },
}


def _when(moment, lang: str) -> str:
    if moment is None:
        return formatting.MISSING
    return f"{formatting.date(moment, lang)}, {formatting.wib_time(moment, lang)}"


def report_tables(store, lang: str = "en") -> dict[str, SummaryTable]:
    """Every indicator table the store's data allow, by name (see the module docstring)."""
    from analysis.dataset.dataset import load_dataset
    from analysis.indicators.sections import indicator_instruments, tables_of

    known = set(store.instrument_ids())
    return tables_of({inst: load_dataset(store, inst, lang=lang) for inst in indicator_instruments()
                      if inst in known and store.count(inst) > 0})


def _sheet_names(tables: Mapping[str, SummaryTable], lang: str) -> dict[str, str]:
    from analysis.indicators.sections import SECTIONS

    sheets = {table.name: table.sheet for section in SECTIONS for table in section.tables}
    taken = {formatting.text(TEXTS, "contents", lang).lower()}
    return {name: table_xlsx.sheet_name(pick(sheets.get(name, {"id": name, "en": name}), lang), taken)
            for name in tables}


def _xlsx(tables: Mapping[str, SummaryTable], lang: str, made: dt.datetime) -> bytes:
    cells = XlsxCells()
    formats = table_xlsx.Formats(cells)
    contents = cells.sheet(formatting.text(TEXTS, "contents", lang))
    names = _sheet_names(tables, lang)
    cells.text(contents, 0, 0, formatting.text(TEXTS, "title", lang), formats.title)
    cells.text(contents, 1, 0, formatting.text(TEXTS, "made", lang, when=_when(made, lang)), formats.subtitle)
    head = [formatting.text(TEXTS, k, lang) for k in ("sheet", "table", "rows", "data_as_of", "responses")]
    for col, label in enumerate(head):
        cells.text(contents, 3, col, label, formats.header)
    link = cells.book.add_format({"font_color": "#1F4E79", "underline": 1})
    count = formats.number("count", 0, lang)
    for r, (name, table) in enumerate(tables.items(), start=4):
        sheet = names[name]
        contents.write_url(r, 0, "internal:'" + sheet.replace("'", "''") + "'!A1", link, string=sheet)
        cells.text(contents, r, 1, pick(table.title, lang))
        cells.number(contents, r, 2, len(table), count)
        provenance = table.provenance
        cells.text(contents, r, 3, _when(provenance.last_submitted_at if provenance else None, lang))
        cells.number(contents, r, 4, provenance.responses if provenance else None, count)
    r = 4 + len(tables) + 1
    cells.text(contents, r, 0, pick(RELIABILITY_NOTE, lang), formats.note)
    for col, width in enumerate((24, 60, 8, 24, 10)):
        contents.set_column(col, col, width)
    contents.hide_gridlines(2)
    for name, table in tables.items():
        table_xlsx.write_sheet(cells, formats, cells.sheet(names[name]), table, lang, made)
    return cells.close()


def _html(tables: Mapping[str, SummaryTable], lang: str, made: dt.datetime) -> bytes:
    items = "".join(f'<li><a href="#table-{escape(name)}">{escape(pick(t.title, lang))}</a></li>'
                    for name, t in tables.items())
    body = [f"<nav><h2>{escape(formatting.text(TEXTS, 'contents', lang))}</h2><ul>{items}</ul></nav>"]
    body += [table_html.section(t, lang, anchor=f"table-{name}", made=made) for name, t in tables.items()]
    made_at = formatting.text(TEXTS, "made", lang, when=_when(made, lang))
    return table_html.page(formatting.text(TEXTS, "title", lang), body, lang, meta=made_at).encode()


def render_report(tables: Mapping[str, SummaryTable], fmt: str, lang: str = "en",
                  made: dt.datetime | None = None) -> bytes:
    """The report of these tables ({name: table}, in order) as XLSX or HTML."""
    made = made or dt.datetime.now(dt.timezone.utc)
    return (_xlsx if fmt == "xlsx" else _html)(tables, lang, made)


def indicator_report(store, fmt: str, *, user: str, lang: str = "en") -> bytes:
    """The indicator report of the store's data (see the module docstring), recorded in its
    audit log. ExportError when there is nothing to report or the format is unknown."""
    with recorded(AuditLog(store.root), user, "indicators", format=fmt, lang=lang, identified=False) as done:
        check_option(fmt, REPORT_FORMATS, {"id": "Format", "en": "format"})
        check_option(lang, LANGUAGES, {"id": "Bahasa", "en": "language"})
        tables = report_tables(store, lang)
        if not tables:
            raise ExportError(TEXTS["none"])
        data = render_report(tables, fmt, lang)
        done.update(tables=list(tables), bytes=len(data))
    return data
