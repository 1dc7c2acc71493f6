"""What the review page shows of one interview: answers with labels, and its revisions.

Plain functions from answers (survey.store.stored_answers) and revisions (survey.store.revisions) to
tables in the chosen language: a choice is its label, several choices their labels,
an amount in Rupiah is written with thousands separators, a date as a date. Which of
these an answer gets is its type's ``shown_as`` trait (survey.questionnaire.types);
ANSWER_WRITERS maps each to its function.

The answer tables go to st.table, whose cells are Markdown, and a member's name to an
expander's label: `sections` and `members` give answers and names as literal Markdown
(ui.plain_text), so what an enumerator typed shows as typed and never as a link or an
image. `revision_changes` is for a SummaryTable, whose cells are text: it keeps them as they are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pandas as pd

from survey import locale as formatting
from survey.locale import LANGUAGES
from survey.questionnaire.model import Instrument, Question
from survey.store.revisions import Revision
from ui.i18n import t
from ui.plain_text import plain_line

OPEN_IN_REVIEW = "_review_open"   # session key: {instrument, response_id} the monitor sends to the review page


def answer_text(q: Question, value: Any, lang: str) -> str:
    """One answer as the reviewer reads it."""
    if value is None or value == [] or value == ():
        return t("rev_blank", lang)
    return ANSWER_WRITERS[q.kind.shown_as](q, value, lang)


def _choice(q: Question, value: Any, lang: str) -> str:
    labels = q.choices.get(str(value))
    return labels[lang] if labels else str(value)


def _choices(q: Question, value: Any, lang: str) -> str:
    return ", ".join(q.choices[v][lang] if v in q.choices else str(v) for v in value)


def _number(q: Question, value: Any, lang: str) -> str:
    if q.money:
        return formatting.idr(value, lang)
    return formatting.number(value, lang, 0 if float(value).is_integer() else 2)


def _date(_q: Question, value: Any, lang: str) -> str:
    return formatting.date(value, lang) if isinstance(value, dt.date) else str(value)


def _text(_q: Question, value: Any, _lang: str) -> str:
    return str(value)


# A question type's `shown_as` trait -> how the review page writes an answer of it.
ANSWER_WRITERS: dict[str, Callable[[Question, Any, str], str]] = {
    "choice": _choice, "choices": _choices, "number": _number, "date": _date, "text": _text,
}


def sections(inst: Instrument, answers: dict, lang: str) -> list[tuple[str, pd.DataFrame | Question]]:
    """The main form in order: (section title, Question | Answer table) for its answers, and
    (section title, the repeat Question) where a repeat group comes; the questions skip
    logic did not ask are left out."""
    out: list[tuple[str, list | Question]] = []
    title = ""
    for q in inst.questions:
        if q.section is not None:
            title = q.section[lang]
        if q.kind.is_repeat:
            out.append((title, q))
            continue
        if not q.stores_answer or q.name not in answers:
            continue
        if not out or out[-1][0] != title or not isinstance(out[-1][1], list):
            out.append((title, []))
        out[-1][1].append((q.text("label", lang), plain_line(answer_text(q, answers[q.name], lang))))
    return [(name, _table(rows, lang) if isinstance(rows, list) else rows) for name, rows in out]


def members(repeat: Question, items: list[dict], lang: str) -> list[tuple[str, pd.DataFrame]]:
    """(title, table) per roster item, the item's first text answer (a name) in the title."""
    out = []
    for i, item in enumerate(items):
        rows = [(q.text("label", lang), plain_line(answer_text(q, item[q.name], lang)))
                for q in repeat.questions if q.stores_answer and q.name in item]
        name = next((str(item[q.name]) for q in repeat.questions if q.kind.free_text and item.get(q.name)), "")
        title = t("review_member", lang, label=repeat.text("label", lang), i=i + 1)
        title += f": {plain_line(name)}" if name else ""
        out.append((title, _table(rows, lang)))
    return out


def _table(rows: list[tuple[str, str]], lang: str) -> pd.DataFrame:
    return pd.DataFrame({t("col_question", lang): [r[0] for r in rows], t("col_answer", lang): [r[1] for r in rows]})


def field_label(inst: Instrument, question: str, repeat: str | None, member: int | None, lang: str) -> str:
    q = inst.question(question)
    if repeat is None:
        return q.text("label", lang)
    group = inst.question(repeat)
    return f"{t('review_member', lang, label=group.text('label', lang), i=member + 1)}: {q.text('label', lang)}"


def _change_lines(inst: Instrument, rev: Revision, lang: str) -> str:
    """What a revision changed: "question: old → new", "; " between two (a table's cell draws no line break)."""
    if rev.revision == 1:
        return t("rev_first", lang)
    if not rev.changes:
        return t("rev_none", lang)
    lines = []
    for c in rev.changes:
        q = inst.question(c.question)
        old = answer_text(q, list(c.old) if isinstance(c.old, tuple) else c.old, lang)
        new = answer_text(q, list(c.new) if isinstance(c.new, tuple) else c.new, lang)
        lines.append(f"{field_label(inst, c.question, c.repeat, c.member, lang)}: {old} → {new}")
    return "; ".join(lines)


def revision_changes(inst: Instrument, history: list[Revision]) -> dict[int, dict[str, str]]:
    """Each revision's changed answers in both languages (analysis.tables.fieldwork_tables.revisions_table)."""
    return {r.revision: {lang: _change_lines(inst, r, lang) for lang in LANGUAGES} for r in history}
