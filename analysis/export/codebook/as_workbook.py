"""The codebook as an XLSX workbook: an about sheet (instrument, version, the pii and
naming rules), the variables of every table, the choice lists with their codes, and the
name mapping."""

from __future__ import annotations

import datetime as dt

from analysis.export.codebook.entries import COLUMNS, WeightTexts, choice_lists, entries, row, text
from analysis.export.safe_cells import XlsxCells
from survey.locale import pick, wib_datetime
from survey.questionnaire.model import Instrument


def render(inst: Instrument, lang: str, weights: WeightTexts = False, replicates=None) -> bytes:
    cells = XlsxCells()
    about = cells.sheet(text("codebook", lang))
    about.set_column(0, 0, 24)
    about.set_column(1, 1, 90)
    info = [
        (text("instrument", lang), f"{inst.id}: {pick(inst.title, lang)}"),
        (text("version", lang), str(inst.version)),
        (text("made", lang), wib_datetime(dt.datetime.now(dt.timezone.utc), lang)),
        (text("pii", lang), text("pii_rule", lang)),
        (text("names", lang), text("names_rule", lang)),
        (text("table", lang), text("weight_rule", lang)),
    ]
    if weights:
        info.append((text("weights", lang), text("weights_rule", lang)))
    for r, (key, value) in enumerate(info):
        cells.text(about, r, 0, key, cells.bold)
        cells.text(about, r, 1, value, cells.wrap)
    tables = entries(inst, weights, replicates)
    sheet = cells.sheet(text("variable", lang))
    cells.header(sheet, 0, [text("table", lang)] + [text(c, lang) for c in COLUMNS])
    widths = {"variable": 24, "question": 20, "label_id": 40, "label_en": 40, "values": 40, "relevant": 30,
              "constraint": 30, "calculation": 30}
    for c, key in enumerate(COLUMNS, start=1):
        sheet.set_column(c, c, widths.get(key, 12))
    r = 1
    for table, rows in tables.items():
        for entry in rows:
            cells.text(sheet, r, 0, table)
            for c, value in enumerate(row(entry, lang), start=1):
                cells.text(sheet, r, c, value, cells.wrap if "\n" in value else None)
            r += 1
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, r - 1, len(COLUMNS))
    lists = cells.sheet(text("choices", lang))
    cells.header(lists, 0, [text("choice_list", lang), text("code", lang), text("name", lang),
                            text("label_id", lang), text("label_en", lang)])
    r = 1
    for list_name, items in choice_lists(inst).items():
        for code, name, labels in items:
            cells.text(lists, r, 0, list_name)
            cells.number(lists, r, 1, code)
            for c, value in enumerate([name, labels.get("id", ""), labels.get("en", "")], start=2):
                cells.text(lists, r, c, value)
            r += 1
    names = cells.sheet(text("names", lang))
    cells.header(names, 0, [text("table", lang), text("export_name", lang), text("column", lang), text("choice", lang)])
    r = 1
    for table, rows in tables.items():
        for entry in rows:
            for c, value in enumerate([table, entry.variable.name, entry.variable.column, entry.variable.choice or ""]):
                cells.text(names, r, c, value)
            r += 1
    return cells.close()
