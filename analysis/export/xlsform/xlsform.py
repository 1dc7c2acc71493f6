"""An instrument as an XLSForm (survey, choices and settings sheets) that pyxform turns
into an XForm for ODK Collect, KoboCollect or Enketo.

The model follows XLSForm, so most keys map one to one (docs/instruments.md):
labels, hints and messages become ``label::Bahasa Indonesia (id)`` and
``label::English (en)`` columns; ``choices`` is the list name after the type
(``select_one kecamatan``); ``choice_filter`` (the kelurahan cascade) and the choices'
filter columns are copied; a repeat is ``begin_repeat`` ... ``end_repeat`` with its
``repeat_count``; a ``section`` starts a ``begin_group`` with that label, closed
where the next section starts. What ODK lacks is expressed with what it has:

* ``min`` / ``max`` are added to the constraint (``(c) and . >= 1 and . <= 99``),
  the range message after the constraint's own (the catalogue's, survey.questionnaire.problems);
* ``end_if`` (the interview ends when it is true) becomes ``not(...)`` in the
  relevance of every later question at the same level (a repeat's inner questions
  follow their repeat);
* expressions are ODK's (odk.py: regular expressions keep their full-match meaning);
* appearances: ``horizontal`` is ODK's ``columns``, ``multiline`` stays;
* ``default: today()`` stays ``today()`` (a dynamic default: the day the form is opened)
  and ``default: last-saved`` is ``${last-saved#<name>}``, the answer of the last form
  saved on the device;
* ``pii`` and ``end_if`` are kept in columns of those names, which pyxform ignores,
  so the file still says which fields identify a person.
"""

from __future__ import annotations

from typing import Any, Mapping

from analysis.export.audit import recorded
from analysis.export.safe_cells import XlsxCells
from analysis.export.xlsform.odk_syntax import odk_expression
from survey.fieldwork.audit_log import AuditLog
from survey.locale import LANGUAGE_NAMES, LANGUAGES, pick, text, texts
from survey.questionnaire.expressions import naming_current
from survey.questionnaire.model import LAST_SAVED, TODAY, Instrument, Question
from survey.questionnaire.problems import MESSAGES

XLSFORM_LANGUAGES = {lang: f"{LANGUAGE_NAMES[lang]} ({lang})" for lang in LANGUAGES}  # label::English (en)
FORM_LANGUAGE = LANGUAGES[0]  # the form's default: the study's language
APPEARANCES = {"horizontal": "columns", "multiline": "multiline"}
SURVEY_COLUMNS = (
    "type", "name", *(f"label::{XLSFORM_LANGUAGES[lang]}" for lang in LANGUAGES),
    *(f"hint::{XLSFORM_LANGUAGES[lang]}" for lang in LANGUAGES), "required", "default",
    *(f"required_message::{XLSFORM_LANGUAGES[lang]}" for lang in LANGUAGES), "relevant", "constraint",
    *(f"constraint_message::{XLSFORM_LANGUAGES[lang]}" for lang in LANGUAGES), "calculation", "choice_filter",
    "repeat_count", "appearance", "pii", "end_if", "identifying",
)


def _texts(key: str, texts: Mapping[str, str] | None) -> dict[str, str]:
    return {f"{key}::{XLSFORM_LANGUAGES[lang]}": texts[lang] for lang in LANGUAGES} if texts else {}


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _expr(value: Any) -> str | None:
    if value is None:
        return None
    return odk_expression(getattr(value, "text", str(value)))


def range_message(q: Question, lang: str) -> str:
    key = "range" if q.min is not None and q.max is not None else ("range.min" if q.min is not None else "range.max")
    return text(MESSAGES, key, lang, min=_number(q.min) if q.min is not None else "",
                   max=_number(q.max) if q.max is not None else "")


def constraint_cells(q: Question) -> dict[str, str]:
    """The constraint with the question's range added, and its message in both languages."""
    own = _expr(q.constraint)
    bounds = ([f". >= {_number(q.min)}"] if q.min is not None else []) + (
        [f". <= {_number(q.max)}"] if q.max is not None else [])
    if not own and not bounds:
        return {}
    if own and bounds:
        constraint = f"({own}) and " + " and ".join(bounds)
    else:
        constraint = own or " and ".join(bounds)
    messages = {}
    for lang in LANGUAGES:
        parts = ([q.constraint_message[lang]] if own and q.constraint_message else []) + (
            [range_message(q, lang)] if bounds else [])
        messages[f"constraint_message::{XLSFORM_LANGUAGES[lang]}"] = " ".join(parts)
    return {"constraint": constraint, **messages}


def relevant_cell(own: str | None, ends: list[str]) -> str | None:
    """The question's own relevance and not() of every earlier end condition."""
    nots = [f"not({e})" for e in ends]
    if own and nots:
        return f"({own}) and " + " and ".join(nots)
    return own or (" and ".join(nots) if nots else None)


def default_cell(q: Question) -> str | None:
    """The XLSForm ``default`` of the question's ``default:``."""
    return {TODAY: "today()", LAST_SAVED: f"${{last-saved#{q.name}}}"}.get(q.default or "")


def _question_row(q: Question, ends: list[str]) -> dict[str, str]:
    kind = q.kind.xlsform_type
    row: dict[str, Any] = {
        "type": f"{kind} {q.choice_list}" if q.choice_list else kind,
        "name": q.name, **_texts("label", q.label), **_texts("hint", q.hint),
        "relevant": relevant_cell(_expr(q.relevant), ends),
        "calculation": _expr(q.calculation), "choice_filter": _expr(q.choice_filter),
        "repeat_count": _expr(q.repeat_count), "appearance": APPEARANCES.get(q.appearance or "", q.appearance),
        "pii": "yes" if q.pii else None, "end_if": _expr(q.end_if),
        "identifying": "yes" if q.identifying else None, "default": default_cell(q),
        **constraint_cells(q),
    }
    if q.required:
        row["required"] = "yes"
        row.update(_texts("required_message", texts(MESSAGES, "required")))
    return {k: v for k, v in row.items() if v}


class _Rows:
    """Survey rows with section groups: each level (form, repeat) closes its own group."""

    def __init__(self, taken: set[str]):
        self.rows: list[dict[str, str]] = []
        self.taken = taken
        self.groups = 0

    def _group_name(self) -> str:
        while True:
            self.groups += 1
            name = f"section_{self.groups}"
            if name not in self.taken:
                self.taken.add(name)
                return name

    def level(self, questions: tuple[Question, ...]) -> None:
        ends: list[str] = []  # end conditions of earlier questions at this level
        open_group = False
        for q in questions:
            if q.section:
                if open_group:
                    self.rows.append({"type": "end_group"})
                self.rows.append({"type": "begin_group", "name": self._group_name(), **_texts("label", q.section)})
                open_group = True
            self.rows.append(_question_row(q, [] if q.identifying else ends))
            if q.kind.is_repeat:
                self.level(q.questions)
                self.rows.append({"type": "end_repeat"})
            if q.end_if is not None:  # on a later question '.' would be that question: name this one
                ends.append(odk_expression(naming_current(q.end_if, q.name)))
        if open_group:
            self.rows.append({"type": "end_group"})


def sheets(inst: Instrument) -> dict[str, list[list[str]]]:
    """{sheet: rows of text cells, the header first} of the XLSForm."""
    builder = _Rows({q.name for q in inst.all_questions()})
    builder.level(inst.questions)
    used = [c for c in SURVEY_COLUMNS if any(c in r for r in builder.rows)]
    survey = [used] + [[r.get(c, "") for c in used] for r in builder.rows]
    lists: dict[str, tuple] = {}
    for q in inst.all_questions():
        if q.choice_list and q.choice_list not in lists:
            lists[q.choice_list] = q.choice_options
    filters = list(dict.fromkeys(k for options in lists.values() for c in options for k in c.filters))
    choice_header = ["list_name", "name", *(f"label::{XLSFORM_LANGUAGES[lang]}" for lang in LANGUAGES), *filters]
    choices = [choice_header] + [
        [list_name, c.name, *(c.label[lang] for lang in LANGUAGES), *(c.filters.get(f, "") for f in filters)]
        for list_name, options in lists.items() for c in options
    ]
    settings = [["form_title", "form_id", "version", "default_language"],
                [pick(inst.title, FORM_LANGUAGE), inst.id, str(inst.version), XLSFORM_LANGUAGES[FORM_LANGUAGE]]]
    return {"survey": survey, "choices": choices, "settings": settings}


def xlsform(inst: Instrument, *, user: str, audit: AuditLog | None) -> bytes:
    """The XLSForm of `inst` as XLSX bytes (every cell a text cell). Recorded in `audit`."""
    with recorded(audit, user, f"xlsform/{inst.id}", format="xlsx", lang="id+en", identified=False) as done:
        cells = XlsxCells()
        for name, rows in sheets(inst).items():
            sheet = cells.sheet(name)
            for r, values in enumerate(rows):
                for c, value in enumerate(values):
                    if value != "":
                        cells.text(sheet, r, c, value, cells.bold if r == 0 else None)
            sheet.freeze_panes(1, 0)
        data = cells.close()
        done.update(bytes=len(data))
    return data
