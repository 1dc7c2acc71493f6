"""SummaryTables as one self-contained, printable HTML page: each table with its chart
as inline SVG (charts.py), its cells written as the app writes them (``45,2%*``,
the interval as one range), and its notes block (table_cells.note_lines).

Self-contained: inline CSS, no scripts, no images or fonts from elsewhere, no
outside address at all; every text is escaped, so a hostile label is shown as text.
Printed, each table of a report starts a new page and its header row repeats.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from analysis.export.tables.cells import labelled, note_lines, test_rows, text
from analysis.export.tables.chart_svg import chart_svg
from analysis.tables.summary_table import RELIABILITY_MARKS, WIB_KINDS, SummaryTable
from survey.locale import pick

STYLE = """
body { font: 10.5pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 1.5em auto;
       max-width: 60em; padding: 0 1em; color: #111; }
h1 { font-size: 17pt; margin: 0 0 .3em; } h2 { font-size: 13.5pt; margin: 1.6em 0 .2em; }
h3 { font-size: 11pt; margin: 1em 0 .3em; }
p.meta, p.subtitle { margin: .1em 0 .6em; color: #444; }
figure.chart { margin: .6em 0 1em; overflow-x: auto; } figure.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: .4em 0 1em; font-size: 9.5pt; }
th, td { border: 1px solid #bbb; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #eee; } td.label { min-width: 14em; } td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.caution td.estimate { background: #fff2cc; } tr.unreliable td.estimate { background: #f8cbad; }
ul.notes { margin: .2em 0 1em; padding-left: 1.2em; color: #333; font-size: 9.5pt; }
nav ul { padding-left: 1.2em; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9pt; } section.table + section.table { break-before: page; }
  thead { display: table-header-group; } tr, figure.chart { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _columns(table: SummaryTable) -> list[str]:
    """The shown columns, the interval's two as one (``ci_low``)."""
    shown = list(table.columns)
    if "ci_low" in shown and "ci_high" in shown:
        shown.remove("ci_high")
    return shown


def table_html(table: SummaryTable, lang: str) -> str:
    """The table as an HTML ``<table>``: labels and formatted numbers, marks on estimates."""
    frame = table.to_frame(lang, formatted=True)
    shown = _columns(table)
    numeric = [not labelled(table, c) and table.columns[c].kind not in ("text", *WIB_KINDS) for c in shown]
    flags = table.data["reliability"].tolist() if "reliability" in table.data else [""] * len(table)
    out = ["<table><thead><tr>" + "".join(f"<th>{escape(str(h))}</th>" for h in frame.columns) + "</tr></thead><tbody>"]
    for i in range(len(frame)):
        flag = flags[i] if isinstance(flags[i], str) else ""
        cells = []
        for j, column in enumerate(shown):
            value = str(frame.iat[i, j])
            css = ["num"] if numeric[j] else (["label"] if labelled(table, column) else [])
            if column == "estimate":
                value += RELIABILITY_MARKS.get(flag, "")
                css.append("estimate")
            attr = f' class="{" ".join(css)}"' if css else ""
            cells.append(f"<td{attr}>{escape(value)}</td>")
        row_class = f' class="{flag}"' if flag in ("caution", "unreliable") else ""
        out.append(f"<tr{row_class}>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _tests_html(table: SummaryTable, lang: str) -> str:
    head, rows = test_rows(table, lang)
    if not rows:
        return ""
    out = [f"<h3>{escape(text('tests', lang))}</h3><table><thead><tr>"
           + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for row in rows:
        cells = [("<td>" if c.kind == "text" else '<td class="num">') + escape(c.formatted(lang)) + "</td>" for c in row]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def section(table: SummaryTable, lang: str, anchor: str | None = None, heading: bool = True,
            made: dt.datetime | None = None) -> str:
    """One table as a ``<section>``: heading, subtitle, chart, table, notes."""
    id_attr = f' id="{escape(anchor)}"' if anchor else ""
    out = [f'<section class="table"{id_attr}>']
    if heading:
        out.append(f"<h2>{escape(pick(table.title, lang))}</h2>")
    if table.subtitle:
        out.append(f'<p class="subtitle">{escape(pick(table.subtitle, lang))}</p>')
    svg = chart_svg(table, lang)
    if svg:
        out.append(f'<figure class="chart">{svg}</figure>')
    out.append(table_html(table, lang))
    out.append(_tests_html(table, lang))
    out.append(f"<h3>{escape(text('notes', lang))}</h3><ul class=\"notes\">"
               + "".join(f"<li>{escape(line)}</li>" for line in note_lines(table, lang, made)) + "</ul>")
    out.append("</section>")
    return "\n".join(part for part in out if part)


def page(title: str, body: list[str], lang: str, meta: str | None = None) -> str:
    """A whole HTML document around sections (``body``: HTML already escaped)."""
    head = [
        "<!DOCTYPE html>", f'<html lang="{escape(lang)}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
        f"<h1>{escape(title)}</h1>",
    ]
    if meta:
        head.append(f'<p class="meta">{escape(meta)}</p>')
    return "\n".join(head + body + ["</body>", "</html>"])


def render(table: SummaryTable, lang: str) -> bytes:
    return page(pick(table.title, lang), [section(table, lang, heading=False)], lang).encode("utf-8")
