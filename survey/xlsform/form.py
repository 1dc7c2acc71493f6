"""An XLSForm's sheets -> the instrument dict our YAML holds, and a report of what could not come.

What we support comes across unchanged in meaning (docs/instruments.md): the question types of
survey.questionnaire.types, choice lists and their filter columns, relevance, constraints and
their messages, calculations, choice filters, repeats (one level) with their counts, labels and
hints per language, ``required``, the appearances and defaults we know, and the columns our own
export adds (``pii``, ``identifying``, ``end_if``). A group is no level of ours: its label starts a
section and its relevance joins each inner question's. What our own export writes in ODK's terms
is read back as ours: a range added to a constraint (with the catalogue's message) is min/max
again, ``not(...)`` of an earlier ``end_if`` leaves the relevance, ``columns`` is ``horizontal``.

Everything else is a Finding with its sheet, row (as the spreadsheet numbers it, the header
being row 1) and column: "unsupported" when something is left out, "warning" when it came
with a change to check (a text copied into the missing language, a renamed question)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from survey.locale import LANGUAGE_NAMES, LANGUAGES, texts
from survey.questionnaire.expressions import ExpressionError, naming_current, parse
from survey.questionnaire.model import LAST_SAVED, TODAY, Instrument, instrument_from_yaml
from survey.questionnaire.problems import MESSAGES
from survey.questionnaire.types import QUESTION_TYPES
from survey.xlsform.workbook import Row, Sheet, language_of, read_workbook, split_column
from survey.xlsform.xpath import Untranslatable, translate

_TYPES = {t.xlsform_type: name for name, t in QUESTION_TYPES.items() if t.xlsform_type and not t.is_repeat}
_TYPES.update({"string": "text", "int": "integer", "gps": "geopoint", "location": "geopoint",
               "select one": "select_one", "select multiple": "select_multiple",
               "select all that apply": "select_multiple"})
_STRUCTURE = {"begin_group": "begin_group", "begin group": "begin_group", "end_group": "end_group",
              "end group": "end_group", "begin_repeat": "begin_repeat", "begin repeat": "begin_repeat",
              "end_repeat": "end_repeat", "end repeat": "end_repeat"}
_METADATA = {"start", "end", "today", "deviceid", "username", "email", "phonenumber", "simserial",
             "subscriberid", "audit", "start-geopoint", "background-geopoint"}
_TEXT_KEYS = ("label", "hint", "constraint_message", "required_message")
_SURVEY_KEYS = {"type", "name", *_TEXT_KEYS, "required", "relevant", "constraint", "calculation",
                "choice_filter", "repeat_count", "appearance", "default", "pii", "end_if", "identifying"}
_CHOICE_MEDIA = {"image", "audio", "video", "big-image", "media"}
_SETTINGS_KEYS = {"form_title", "form_id", "version", "default_language", "id_string"}
_APPEARANCES = {"horizontal": "horizontal", "columns": "horizontal", "horizontal-compact": "horizontal",
                "multiline": "multiline", "rupiah": "rupiah"}
_YES, _NO = {"yes", "true", "true()", "1"}, {"no", "false", "false()", "0"}
_BOUNDS = r"\. >= (?P<min>-?[0-9.]+)(?: and \. <= (?P<max>-?[0-9.]+))?|\. <= (?P<max_only>-?[0-9.]+)"
_OUR_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Finding:
    kind: str  # "unsupported": left out; "warning": came across with a change to check
    sheet: str
    row: int  # as the spreadsheet shows it (header = 1)
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{self.kind}: {where}: {self.message}"


@dataclass
class Imported:
    data: dict[str, Any]  # the instrument as the YAML file holds it
    findings: list[Finding] = field(default_factory=list)

    @property
    def unsupported(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "unsupported"]

    def yaml_text(self, source: str = "") -> str:
        head = f"# Imported from the XLSForm {source} by python -m survey.xlsform import.\n" if source else ""
        notes = "".join("# " + " ".join(str(f).split()) + "\n" for f in self.findings)  # one line each
        body = yaml.safe_dump(self.data, allow_unicode=True, sort_keys=False, width=120)
        return head + notes + body

    def instrument(self) -> Instrument:
        """The loaded questionnaire (the loader's every check): what the YAML file will give."""
        return instrument_from_yaml(self.yaml_text(), source=f"{self.data['id']}.yaml")


def our_name(name: str) -> str:
    """An ODK name as ours: lower case, letters, digits and _, starting with a letter."""
    out = re.sub(r"[^a-z0-9_]+", "_", name.strip().lower()).strip("_")
    return out if out[:1].isalpha() else f"q_{out}"


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


class _Form:
    def __init__(self, sheets: dict[str, Sheet]):
        self.sheets = sheets
        self.findings: list[Finding] = []
        settings = sheets.get("settings")
        self.settings = settings.rows[0] if settings and settings.rows else Row(2, {})
        default = self.settings.cells.get("default_language", "")
        self.default_lang = language_of(default) if default else None
        self.languages = self._languages()
        self.names: dict[str, str] = {}
        self.lists: dict[str, list[dict]] = {}

    def note(self, kind: str, sheet: str, row: int, column: str | None, message: str) -> None:
        self.findings.append(Finding(kind, sheet, row, column, message))

    # --- languages ---------------------------------------------------------

    def _languages(self) -> set[str]:
        """Our languages that the form's label columns have; other languages reported once."""
        found: set[str] = set()
        for sheet_name in ("survey", "choices"):
            sheet = self.sheets.get(sheet_name)
            for column in sheet.columns if sheet else ():
                key, language = split_column(column)
                if key not in _TEXT_KEYS and key != "media":
                    continue
                lang = language_of(language) if language else (self.default_lang or "")
                if language and lang is None and key != "media":
                    self.note("unsupported", sheet_name, 1, column,
                              f"the language '{language}' is not one of ours "
                              f"({', '.join(LANGUAGE_NAMES[x] for x in LANGUAGES)}): its texts are left out")
                elif key == "label" and lang is not None:
                    found.add(lang)  # "": a plain label column in a language the settings do not name
        ours = found & set(LANGUAGES)
        if found and len(ours) < len(LANGUAGES):
            named = f"{LANGUAGE_NAMES[next(iter(ours))]} only" if ours else "one language"
            self.note("warning", "survey", 1, None, f"the form is in {named}: its texts are copied into "
                      f"{' and '.join(LANGUAGE_NAMES[x] for x in LANGUAGES if x not in ours)}; translate them")
        return ours

    def texts(self, sheet: str, row: Row, key: str) -> dict[str, str] | None:
        """{lang: text} of the row's `key` columns; a missing language gets the other's text."""
        explicit, plain = {}, None
        for column, value in row.cells.items():
            k, language = split_column(column)
            if k != key:
                continue
            if language is None:
                plain = value
            elif (lang := language_of(language)) is not None:
                explicit[lang] = value
        if plain is not None:  # the default language's, else whichever language lacks a text
            for lang in [self.default_lang] if self.default_lang else LANGUAGES:
                explicit.setdefault(lang, plain)
        if not explicit:
            return None
        missing = [lang for lang in LANGUAGES if lang not in explicit]
        if missing and len(self.languages) > 1:
            self.note("warning", sheet, row.number, key, f"no {', '.join(LANGUAGE_NAMES[x] for x in missing)} "
                      "text: the other language's is copied; translate it")
        given = next(explicit[lang] for lang in LANGUAGES if lang in explicit)
        return {lang: explicit.get(lang, given) for lang in LANGUAGES}

    # --- names, choices ----------------------------------------------------

    def collect_names(self, rows: tuple[Row, ...]) -> None:
        taken: set[str] = set()
        for row in rows:
            name = row.cells.get("name")
            if not name or name in self.names:
                continue
            ours = base = our_name(name)
            n = 1
            while ours in taken:
                n += 1
                ours = f"{base}_{n}"
            taken.add(ours)
            self.names[name] = ours
            if ours != name:
                self.note("warning", "survey", row.number, "name", f"'{name}' is named '{ours}' (our names are "
                          "lower-case letters, digits and _)")

    def collect_choices(self) -> None:
        sheet = self.sheets.get("choices")
        for row in sheet.rows if sheet else ():
            cells = row.cells
            list_name = cells.get("list_name") or cells.get("list name")
            name = cells.get("name")
            if not list_name or name is None:
                self.note("unsupported", "choices", row.number, None, "a choice needs a list_name and a name: left out")
                continue
            options = self.lists.setdefault(list_name, [])
            if any(o["name"] == name for o in options):
                self.note("unsupported", "choices", row.number, "name",
                          f"'{name}' appears twice in the list '{list_name}': this row is left out")
                continue
            label = self.texts("choices", row, "label")
            if label is None:
                label = {lang: name for lang in LANGUAGES}
                self.note("warning", "choices", row.number, "label", f"the choice '{name}' has no label: its name is used")
            choice: dict[str, Any] = {"name": name, "label": label}
            for column, value in cells.items():
                key, language = split_column(column)
                if key in ("list_name", "list name", "name", "label") or (key in _TEXT_KEYS and language):
                    continue
                if key in _CHOICE_MEDIA or language is not None or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", column):
                    self.note("unsupported", "choices", row.number, column, f"the column '{column}' is not supported: left out")
                    continue
                choice[column] = value  # a filter column (choice_filter)
            options.append(choice)

    # --- expressions -------------------------------------------------------

    def expression(self, row: Row, column: str, text: str | None, *, choice_columns: bool = False) -> str | None:
        if not text:
            return None
        try:
            return translate(text, self.names, choice_columns=choice_columns)
        except Untranslatable as exc:
            whole = " with the question" if column == "calculation" else ""
            self.note("unsupported", "survey", row.number, column, f"{text!r}: {exc}; left out{whole}")
            return None


class _Level:
    """The questions of the form or of a repeat, with what the export added at that level."""

    def __init__(self, questions: list[dict], repeat: bool):
        self.questions, self.repeat = questions, repeat
        self.section: dict[str, str] | None = None
        self.ends: list[str] = []  # not(...) of earlier end_if, as our export wrote them


def _strip_ends(relevant: str | None, ends: list[str]) -> str | None:
    suffix = " and ".join(f"not({e})" for e in ends)
    if not relevant or not suffix or not relevant.endswith(suffix):
        return relevant
    own = relevant[: -len(suffix)]
    if not own:
        return None
    if own.endswith(" and ") and own.startswith("("):
        return own[1: -len(") and ")]
    return relevant


def _type_of(kind: str) -> tuple[str | None, str | None]:
    """(our type, choice list) of an XLSForm type cell: ``select_one yes_no`` -> ("select_one", "yes_no")."""
    if kind == "repeat":
        return "repeat", None
    for alias in sorted(_TYPES, key=len, reverse=True):
        choices = QUESTION_TYPES[_TYPES[alias]].choices != "none"
        if choices and kind.lower().startswith(alias + " "):
            return _TYPES[alias], kind[len(alias):].strip()
        if not choices and kind.lower() == alias:
            return _TYPES[alias], None
    return None, None


def _truthy(value: str | None) -> bool | None:
    if value is None:
        return False
    v = value.strip().lower()
    return True if v in _YES else False if v in _NO else None


class _Survey:
    def __init__(self, form: _Form):
        self.form = form
        self.top: list[dict] = []
        self.levels = [_Level(self.top, repeat=False)]
        self.groups: list[str | None] = []  # each open group's relevance (ours), None when it has none
        self.stack: list[str] = []  # "group" / "repeat" / "skip"
        self.skipping: tuple[int, list[str]] | None = None  # a nested repeat: (its row, names left out)
        self.taken: set[str] = set()  # question names given so far
        self.rows: dict[str, Row] = {}  # our question name -> its row

    def note(self, kind, row, column, message):
        self.form.note(kind, "survey", row.number, column, message)

    def run(self, rows: tuple[Row, ...]) -> list[dict]:
        for row in rows:
            kind = " ".join(row.cells.get("type", "").split())
            if not kind:
                if row.cells.get("name") or any(split_column(c)[0] == "label" for c in row.cells):
                    self.note("unsupported", row, "type", "a row without a type: left out")
                continue
            structure = _STRUCTURE.get(kind.lower())
            if self.skipping is not None:
                self._skip(row, structure)
            elif structure == "begin_group":
                self._begin_group(row)
            elif structure == "begin_repeat":
                self._begin_repeat(row)
            elif structure in ("end_group", "end_repeat"):
                self._end(row, structure)
            else:
                self._question(row, kind)
        for open_kind in reversed(self.stack):
            self.form.note("warning", "survey", rows[-1].number if rows else 1, "type", f"a {open_kind} is not closed")
        return self.top

    def _skip(self, row: Row, structure: str | None) -> None:
        start, names = self.skipping
        if structure in ("begin_group", "begin_repeat"):
            self.stack.append("skip")
        elif structure in ("end_group", "end_repeat"):
            if self.stack.pop() == "skip-root":
                self.skipping = None
                self.form.note("unsupported", "survey", start, "type", "a repeat inside a repeat is not supported: it "
                               f"and its questions are left out ({', '.join(names) or 'none'})")
        elif row.cells.get("name"):
            names.append(row.cells["name"])

    def _conditions(self, own: str | None) -> str | None:
        parts = [g for g in self.groups if g]
        if not parts:
            return own
        return " and ".join(f"({p})" for p in parts + ([own] if own else []))

    def _begin_group(self, row: Row) -> None:
        label = self.form.texts("survey", row, "label")
        level = self.levels[-1]
        if label:
            level.section = ({lang: f"{level.section[lang]} / {label[lang]}" for lang in LANGUAGES}
                             if level.section else label)
        relevant = self.form.expression(row, "relevant", _strip_ends(row.cells.get("relevant"), level.ends))
        self.groups.append(relevant)
        self.stack.append("group")
        self._other_columns(row, {"type", "name", "label", "relevant", "appearance"})
        if (appearance := row.cells.get("appearance")) is not None:
            self.note("unsupported", row, "appearance", f"the group appearance '{appearance}' is not supported "
                      "(our form shows one section at a time): left out")

    def _begin_repeat(self, row: Row) -> None:
        if any(level.repeat for level in self.levels):
            self.skipping = (row.number, [])
            self.stack.append("skip-root")
            return
        question = self._question(row, "repeat")
        if question is None:  # reported; its questions are skipped with it
            self.skipping = (row.number, [])
            self.stack.append("skip-root")
            return
        question["questions"] = []
        self.levels.append(_Level(question["questions"], repeat=True))
        self.groups.append(None)
        self.stack.append("repeat")

    def _end(self, row: Row, structure: str) -> None:
        wanted = "group" if structure == "end_group" else "repeat"
        if not self.stack or self.stack[-1] != wanted:
            self.note("unsupported", row, "type", f"'{row.cells['type']}' closes no open {wanted}: left out")
            return
        self.stack.pop()
        self.groups.pop()
        if wanted == "repeat":
            level = self.levels.pop()
            if not level.questions:
                repeat = self.levels[-1].questions.pop()
                self.note("unsupported", row, "type", f"the repeat '{repeat['name']}' has no question we support: left out")

    def _other_columns(self, row: Row, known: set[str]) -> None:
        for column in row.cells:
            key, language = split_column(column)
            if key in known and (language is None or language_of(language) is not None or key not in _TEXT_KEYS):
                continue
            if key in known:  # a language not ours: reported once, on the header
                continue
            self.note("unsupported", row, column, f"the column '{column}' is not supported: left out")

    def _question(self, row: Row, kind: str) -> dict | None:
        form, cells, level = self.form, row.cells, self.levels[-1]
        qtype, list_name = _type_of(kind)
        if qtype is None or (list_name is not None and " " in list_name):  # select_one L or_other
            what = ("collected by ODK itself (metadata)" if kind.lower() in _METADATA else "not supported")
            self.note("unsupported", row, "type", f"the type '{kind}' is {what}: the row"
                      f"{' ' + repr(cells['name']) if cells.get('name') else ''} is left out")
            return None
        if list_name is not None and list_name not in form.lists:
            self.note("unsupported", row, "type", f"the choice list '{list_name}' is not in the choices sheet: left out")
            return None
        if not cells.get("name"):
            self.note("unsupported", row, "name", "a question without a name: left out")
            return None
        name = form.names[cells["name"]]
        if name in self.taken:
            self.note("unsupported", row, "name", f"the name '{cells['name']}' is used twice: this row is left out")
            return None
        self.taken.add(name)
        self.rows[name] = row
        entered = QUESTION_TYPES[qtype].entered
        main = not level.repeat
        question: dict[str, Any] = {"name": name, "type": qtype}
        if list_name:
            question["choices"] = list_name
        label = form.texts("survey", row, "label")
        if label is None:
            label = {lang: cells["name"] for lang in LANGUAGES}
            self.note("warning", row, "label", f"no label: the name '{cells['name']}' is used")
        question["label"] = label
        if hint := form.texts("survey", row, "hint"):
            question["hint"] = hint
        required = _truthy(cells.get("required"))
        if required is None:
            self.note("unsupported", row, "required", f"a conditional required ({cells['required']!r}) is not "
                      "supported: the question is optional")
        elif required and (entered or QUESTION_TYPES[qtype].is_repeat):
            question["required"] = True
        elif required:
            self.note("unsupported", row, "required", f"a {qtype} cannot be required: left out")
        message = form.texts("survey", row, "required_message")
        if message and message != texts(MESSAGES, "required"):
            self.note("unsupported", row, "required_message", "our own required message is shown instead")
        identifying = _truthy(cells.get("identifying"))
        if identifying and not (main and entered):
            self.note("unsupported", row, "identifying", "identifying is for a main-form question the enumerator "
                      "answers: left out")
            identifying = False
        relevant = cells.get("relevant")
        if not identifying:
            relevant = _strip_ends(relevant, level.ends)
        relevant = self._conditions(form.expression(row, "relevant", relevant))
        if relevant:
            question["relevant"] = relevant
        self._constraint(row, question, qtype)
        for key in ("calculation", "choice_filter", "repeat_count"):
            if cells.get(key) is None:
                continue
            allowed = {"calculation": QUESTION_TYPES[qtype].computed, "choice_filter": bool(list_name),
                       "repeat_count": QUESTION_TYPES[qtype].is_repeat}[key]
            if not allowed:
                self.note("unsupported", row, key, f"{key} on a {qtype} is not supported: left out")
                continue
            value = form.expression(row, key, cells[key], choice_columns=key == "choice_filter")
            if value and key == "choice_filter":
                columns = set(parse(value).columns)
                have = {k for c in form.lists[list_name] for k in c if k not in ("name", "label")}
                if columns - have:
                    self.note("unsupported", row, key, f"the choice filter {cells[key]!r} uses column(s) "
                              f"{', '.join(sorted(columns - have))} that the choices do not have: left out")
                    value = None
            if value:
                question[key] = value
        if QUESTION_TYPES[qtype].computed and "calculation" not in question:  # an untranslatable one is listed already
            if cells.get("calculation") is None:
                self.note("unsupported", row, "calculation", f"the calculate '{cells['name']}' has no calculation: "
                          "left out")
            return None
        self._appearance(row, question, qtype)
        self._default(row, question, qtype, main and entered)
        if _truthy(cells.get("pii")):
            question["pii"] = True
        if identifying:
            question["identifying"] = True
        if end_if := cells.get("end_if"):
            value = form.expression(row, "end_if", end_if) if main and entered else None
            if value:
                question["end_if"] = value
                try:
                    level.ends.append(naming_current(parse(end_if), cells["name"]))
                except ExpressionError:
                    pass
            elif not (main and entered):
                self.note("unsupported", row, "end_if", "end_if is for a main-form question the enumerator answers: "
                          "left out")
        if level.section:
            question["section"], level.section = level.section, None
        self._other_columns(row, _SURVEY_KEYS)
        level.questions.append(question)
        return question

    def _constraint(self, row: Row, question: dict, qtype: str) -> None:
        text = row.cells.get("constraint")
        messages = self.form.texts("survey", row, "constraint_message")
        if not text:
            if messages:
                self.note("unsupported", row, "constraint_message", "a message without a constraint: left out")
            return
        own, bounds = text, None
        if QUESTION_TYPES[qtype].numeric and messages:
            if m := re.fullmatch(rf"\((?P<own>.*)\) and (?P<bounds>{_BOUNDS})", text, re.DOTALL):
                own, bounds = m["own"], re.fullmatch(_BOUNDS, m["bounds"])
            elif m := re.fullmatch(_BOUNDS, text):
                own, bounds = None, m
        if bounds:  # our export's range: with the catalogue's message it is min/max again
            low, high = bounds["min"], bounds["max"] or bounds["max_only"]
            key = "range" if low and high else ("range.min" if low else "range.max")
            ranged = texts(MESSAGES, key, min=low or "", max=high or "")
            if all(messages[lang].endswith(ranged[lang]) for lang in LANGUAGES):
                messages = {lang: messages[lang][: -len(ranged[lang])].rstrip() for lang in LANGUAGES}
                question.update({k: _number(v) for k, v in (("min", low), ("max", high)) if v})
            else:
                own = text
        if own:
            value = self.form.expression(row, "constraint", own)
            if value:
                if not messages or not all(messages.values()):
                    messages = texts(MESSAGES, "constraint")
                    self.note("warning", row, "constraint_message", "no constraint message: our general one is used")
                question["constraint"] = value
                question["constraint_message"] = messages

    def _appearance(self, row: Row, question: dict, qtype: str) -> None:
        appearance = row.cells.get("appearance")
        if appearance is None:
            return
        ours = _APPEARANCES.get(appearance.strip().lower())
        if ours == "rupiah" and not QUESTION_TYPES[qtype].whole_numbers:
            ours = None
        if ours:
            question["appearance"] = ours
        else:
            self.note("unsupported", row, "appearance", f"the appearance '{appearance}' is not supported: left out")

    def _default(self, row: Row, question: dict, qtype: str, main_entered: bool) -> None:
        default = row.cells.get("default")
        if default is None:
            return
        if default.strip() == TODAY and QUESTION_TYPES[qtype].is_date:
            question["default"] = TODAY
        elif default.strip() == f"${{last-saved#{row.cells['name']}}}" and main_entered:
            question["default"] = LAST_SAVED
        else:
            self.note("unsupported", row, "default", f"the default {default!r} is not supported (ours are today() "
                      "for a date and the question's own last-saved answer): left out")


_EXPRESSION_KEYS = ("relevant", "constraint", "calculation", "choice_filter", "repeat_count", "end_if")


def _prune(survey: _Survey, questions: list[dict]) -> None:
    """Take out the expressions that name a question left out (an image, a nested repeat's ...), and a
    calculate whose calculation goes with them, until every reference is to a question we keep."""
    while True:
        everything = [q for top in questions for q in (top, *top.get("questions", ()))]
        kept = {q["name"] for q in everything}
        changed = False
        for q in everything:
            for key in _EXPRESSION_KEYS:
                if key in q and (missing := sorted(parse(q[key]).references - kept)):
                    survey.note("unsupported", survey.rows[q["name"]], key, f"{q[key]!r} names question(s) left "
                                f"out ({', '.join(missing)}): left out")
                    del q[key]
                    if key == "constraint":
                        q.pop("constraint_message", None)
                    changed = True
        for level in [questions] + [top["questions"] for top in questions if "questions" in top]:
            for q in [q for q in level if q["type"] == "calculate" and "calculation" not in q]:
                level.remove(q)
                changed = True
        if not changed:
            return


def _settings(form: _Form, instrument_id: str | None) -> dict[str, Any]:
    row = form.settings
    cells = row.cells
    for column in cells:
        key, _ = split_column(column)
        if key not in _SETTINGS_KEYS:
            form.note("unsupported", "settings", row.number, column, f"the setting '{column}' is not supported: left out")
    raw_id = instrument_id or cells.get("form_id") or cells.get("id_string") or "imported_form"
    our_id = our_name(raw_id)
    if our_id != raw_id:
        form.note("warning", "settings", row.number, "form_id", f"the form id '{raw_id}' is '{our_id}' here")
    version_text = cells.get("version", "1")
    if re.fullmatch(r"[0-9]{1,18}", version_text) and int(version_text) >= 1:
        version = int(version_text)
    else:
        version = 1
        form.note("warning", "settings", row.number, "version", f"the version '{version_text}' is not a whole "
                  "number: version 1")
    title = form.texts("settings", row, "form_title")
    if title is None:
        title = {lang: raw_id for lang in LANGUAGES}
        form.note("warning", "settings", row.number, "form_title", "no form_title: the form id is the title")
    return {"id": our_id, "version": version, "title": title}


def import_xlsform(path: Path | str, instrument_id: str | None = None) -> Imported:
    """The questionnaire an XLSForm describes, and what of it could not come."""
    sheets = read_workbook(path)
    if "survey" not in sheets:
        raise ValueError(f"{Path(path).name}: an XLSForm needs a 'survey' sheet")
    form = _Form(sheets)
    form.collect_names(sheets["survey"].rows)
    form.collect_choices()
    head = _settings(form, instrument_id)
    survey = _Survey(form)
    questions = survey.run(sheets["survey"].rows)
    _prune(survey, questions)
    used = {q.get("choices") for q in questions} | {i.get("choices") for q in questions for i in q.get("questions", ())}
    lists = {name: options for name, options in form.lists.items() if name in used}
    for name in form.lists.keys() - used:
        form.note("warning", "choices", 1, "list_name", f"the choice list '{name}' is used by no question we "
                  "import: left out")
    data = {**head, "choice_lists": lists, "questions": questions}
    order = {"unsupported": 0, "warning": 1}
    sheet_order = {"settings": 0, "survey": 1, "choices": 2}
    form.findings.sort(key=lambda f: (sheet_order.get(f.sheet, 3), f.row, order[f.kind]))
    return Imported(data, form.findings)
