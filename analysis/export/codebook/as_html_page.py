"""The codebook as one self-contained, printable HTML page: inline CSS, no scripts, no
outside resources; every text escaped. Each table starts a new printed page and its
header row repeats on every page. Short value lists are shown with their variable;
long ones (the kelurahan list) are in the choice lists section, linked by name.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from analysis.export.codebook.entries import COLUMNS, Entry, WeightTexts, choice_lists, entries, row, text, values_text
from survey.locale import pick, wib_datetime
from survey.questionnaire.model import Instrument

INLINE_VALUES = 15  # value lists longer than this are shown in the choice lists section only
_SHOWN = ("variable", "question", "label_id", "label_en", "type", "values", "rules", "flags")
_RULES = ("relevant", "end_if", "constraint", "range", "calculation")  # one line each in the "rules" cell
_FLAGS = ("required", "design", "pii")
_STYLE = """
body { font: 10pt/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 1.5em; color: #111; }
h1 { font-size: 16pt; margin: 0 0 .2em; } h2 { font-size: 13pt; margin: 1.4em 0 .4em; }
p.meta, p.rule { margin: .2em 0; color: #333; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1em; }
th, td { border: 1px solid #bbb; padding: 3px 5px; vertical-align: top; text-align: left; }
th { background: #eee; } td.code, td.expr { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 9pt; }
td.values, td.expr { white-space: pre-line; } tr.pii td { background: #fff4e5; }
nav ul { columns: 2; }
@media print {
  body { margin: 0; font-size: 8pt; } section.table { break-before: page; }
  thead { display: table-header-group; } tr { break-inside: avoid; } a { color: inherit; text-decoration: none; }
}
"""


def _cell(key: str, values: dict[str, str], entry: Entry, lang: str) -> str:
    if key == "rules":
        lines = [f"{text(k, lang)}: {values[k]}" for k in _RULES if values[k]]
        return f'<td class="expr">{escape(chr(10).join(lines))}</td>'
    if key == "flags":
        flags = [values[k] if k == "design" else ("PII" if k == "pii" else text(k, lang)) for k in _FLAGS if values[k]]
        return f"<td>{escape(', '.join(flags))}</td>"
    value = values[key]
    if key == "values":
        listed = values_text(entry, lang, limit=INLINE_VALUES)
        q = entry.question
        if not listed and entry.variable.codes and q is not None and q.choice_list:
            return f'<td class="values"><a href="#list-{escape(q.choice_list)}">{escape(q.choice_list)}</a></td>'
        return f'<td class="values">{escape(listed)}</td>'
    css = ' class="code"' if key in ("variable", "question") else ""
    return f"<td{css}>{escape(value)}</td>"


def render(inst: Instrument, lang: str, weights: WeightTexts = False, replicates=None) -> str:
    tables = entries(inst, weights, replicates)
    title = f"{text('codebook', lang)}: {pick(inst.title, lang)}"
    made = wib_datetime(dt.datetime.now(dt.timezone.utc), lang)
    out = [
        "<!DOCTYPE html>", f'<html lang="{escape(lang)}">', "<head>", '<meta charset="utf-8">',
        f"<title>{escape(title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(text("instrument", lang))}: <code>{escape(inst.id)}</code> · '
        f'{escape(text("version", lang))} {inst.version} · {escape(text("made", lang))} {made}</p>',
    ]
    rules = ("pii_rule", "names_rule", "weight_rule") + (("weights_rule",) if weights else ())
    out += [f'<p class="rule">{escape(text(key, lang))}</p>' for key in rules]
    out.append(f"<nav><h2>{escape(text('contents', lang))}</h2><ul>")
    out += [f'<li><a href="#table-{escape(t)}">{escape(text("table", lang))} {escape(t)}</a> ({len(rows)})</li>'
            for t, rows in tables.items()]
    out.append(f'<li><a href="#choices">{escape(text("choices", lang))}</a></li>'
               f'<li><a href="#names">{escape(text("names", lang))}</a></li></ul></nav>')
    header = "".join(f"<th>{escape(text(k, lang))}</th>" for k in _SHOWN)
    for table, rows in tables.items():
        out.append(f'<section class="table" id="table-{escape(table)}"><h2>{escape(text("table", lang))} '
                   f"<code>{escape(table)}</code></h2><table><thead><tr>{header}</tr></thead><tbody>")
        for entry in rows:
            values = dict(zip(COLUMNS, row(entry, lang)))
            css = ' class="pii"' if entry.variable.pii else ""
            out.append(f"<tr{css}>" + "".join(_cell(k, values, entry, lang) for k in _SHOWN) + "</tr>")
        out.append("</tbody></table></section>")
    out.append(f'<section id="choices"><h2>{escape(text("choices", lang))}</h2>')
    for list_name, items in choice_lists(inst).items():
        out.append(f'<h3 id="list-{escape(list_name)}"><code>{escape(list_name)}</code></h3><table><thead><tr>'
                   f'<th>{escape(text("code", lang))}</th><th>{escape(text("name", lang))}</th>'
                   f'<th>{escape(text("label_id", lang))}</th><th>{escape(text("label_en", lang))}</th></tr></thead><tbody>')
        out += [f'<tr><td class="code">{code}</td><td class="code">{escape(name)}</td><td>{escape(labels.get("id", ""))}</td>'
                f'<td>{escape(labels.get("en", ""))}</td></tr>' for code, name, labels in items]
        out.append("</tbody></table>")
    out.append(f'</section><section id="names"><h2>{escape(text("names", lang))}</h2><table><thead><tr>'
               f'<th>{escape(text("table", lang))}</th><th>{escape(text("export_name", lang))}</th>'
               f'<th>{escape(text("column", lang))}</th><th>{escape(text("choice", lang))}</th></tr></thead><tbody>')
    for table, rows in tables.items():
        out += [f'<tr><td class="code">{escape(table)}</td><td class="code">{escape(e.variable.name)}</td>'
                f'<td class="code">{escape(e.variable.column)}</td><td class="code">{escape(e.variable.choice or "")}</td></tr>'
                for e in rows]
    out.append("</tbody></table></section></body></html>")
    return "\n".join(out)
