"""The instrument model: YAML file -> plain dict -> frozen Instrument.

The file format is documented in docs/instruments.md. Loading checks everything
that can be checked without answers (names, types, choice lists, both languages,
every expression parses) so that a broken questionnaire fails when it is loaded,
with the file, the question and the position, never in front of an enumerator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

from survey.locale import LANGUAGES, pick
from survey.questionnaire.analysis_defaults import AnalysisDefaults, parse_analysis
from survey.questionnaire.expressions import Expression, ExpressionError, parse
from survey.questionnaire.fieldwork_rules import FieldworkRules, parse_fieldwork
from survey.questionnaire.limits import MAX_ROSTER, MAX_TEXT_LENGTH
from survey.questionnaire.quality_rules import QualityRules, parse_quality
from survey.questionnaire.sampling_design import SamplingDesign, parse_design
from survey.questionnaire.types import QUESTION_TYPES, QuestionType

INSTRUMENT_DIR = Path(__file__).resolve().parents[1] / "instruments"
STUDY_INSTRUMENTS = ("household", "civil_servant", "agency")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_EXPRESSION_KEYS = ("relevant", "constraint", "calculation", "choice_filter", "repeat_count", "end_if")
# a question's `default:` when a new interview starts: the day's date, or the answer of the enumerator's
# previous interview (XLSForm's today() and ${last-saved#name})
TODAY, LAST_SAVED = "today()", "last-saved"
DEFAULTS = (TODAY, LAST_SAVED)


class InstrumentError(ValueError):
    """A questionnaire file that cannot be used, located by file and question."""

    def __init__(self, source: str, question: str | None, message: str):
        where = f"{source}" + (f", question '{question}'" if question else "")
        super().__init__(f"{where}: {message}")
        self.source, self.question, self.detail = source, question, message


@dataclass(frozen=True)
class Choice:
    name: str
    label: Mapping[str, str]
    filters: Mapping[str, str]  # extra columns used by choice_filter


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    label: Mapping[str, str]
    hint: Mapping[str, str] | None = None
    required: bool = False
    relevant: Expression | None = None
    constraint: Expression | None = None
    constraint_message: Mapping[str, str] | None = None
    min: float | None = None
    max: float | None = None
    choice_list: str | None = None
    choice_options: tuple[Choice, ...] = ()
    choice_filter: Expression | None = None
    calculation: Expression | None = None
    repeat_count: Expression | None = None
    end_if: Expression | None = None  # true for a valid answer: the interview ends here
    identifying: bool = False  # asked even after the interview ended (where, when): every record has it
    pii: bool = False
    section: Mapping[str, str] | None = None
    appearance: str | None = None
    default: str | None = None  # TODAY or LAST_SAVED: the answer a new interview starts with
    max_length: int | None = None  # a text's most characters (survey.questionnaire.limits caps it)
    max_items: int | None = None  # a repeat's most items (survey.questionnaire.limits caps it)
    questions: tuple["Question", ...] = ()

    @property
    def choices(self) -> Mapping[str, Mapping[str, str]]:
        """Choice name -> labels by language, in the list's order."""
        return MappingProxyType({c.name: c.label for c in self.choice_options})

    @property
    def kind(self) -> QuestionType:
        """Its type's traits (survey.questionnaire.types): ``q.kind.is_repeat``, ``q.kind.choices``..."""
        return QUESTION_TYPES[self.type]

    @property
    def stores_answer(self) -> bool:
        return self.kind.stores_answer

    @property
    def money(self) -> bool:
        """An amount in rupiah (``appearance: rupiah``): the form, the review and the analysis
        write it as money (survey.locale.idr); a label never decides it."""
        return self.appearance == "rupiah"

    def text(self, key: str, lang: str) -> str:
        """A label, hint or message in `lang`, falling back to the other language."""
        return pick(getattr(self, key), lang)


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    title: Mapping[str, str]
    questions: tuple[Question, ...]
    description: Mapping[str, str] | None = None
    source: str = ""
    design: SamplingDesign = field(default_factory=SamplingDesign)  # the YAML's design: block
    quality: QualityRules = field(default_factory=QualityRules)  # the YAML's quality: block
    fieldwork: FieldworkRules = field(default_factory=FieldworkRules)  # the YAML's fieldwork: block
    analysis: AnalysisDefaults = field(default_factory=AnalysisDefaults)  # the YAML's analysis: block
    _index: Mapping[str, Question] = field(default_factory=dict, repr=False, compare=False)

    def question(self, name: str) -> Question:
        return self._index[name]

    @property
    def repeats(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.kind.is_repeat)

    def table_name(self, repeat: Question) -> str:
        """The Parquet table of a repeat group (the household roster is household_members)."""
        return f"{self.id}_{repeat.name}"

    def all_questions(self) -> list[Question]:
        """Every question, repeats' inner questions included, in form order."""
        out = []
        for q in self.questions:
            out.append(q)
            out.extend(q.questions)
        return out


def list_instruments(directory: Path | str | None = None) -> list[str]:
    """Instrument ids in the folder: the study's three first, then any others by name."""
    found = {p.stem for p in Path(directory or INSTRUMENT_DIR).glob("*.yaml") if _NAME.fullmatch(p.stem)}
    first = [name for name in STUDY_INSTRUMENTS if name in found]
    return first + sorted(found - set(first))


def load_instrument(instrument_id: str, directory: Path | str | None = None) -> Instrument:
    """Load `survey/instruments/<id>.yaml` (or from `directory`) as a checked Instrument."""
    if not isinstance(instrument_id, str) or not _NAME.fullmatch(instrument_id):
        raise InstrumentError(str(instrument_id), None, "an instrument id is lower-case letters, digits and _")
    path = Path(directory or INSTRUMENT_DIR) / f"{instrument_id}.yaml"
    if not path.is_file():
        available = ", ".join(sorted(p.stem for p in path.parent.glob("*.yaml")))
        raise InstrumentError(path.name, None, f"no such instrument (available: {available})")
    return _load_path(str(path), path.stat().st_mtime_ns)


# libyaml's safe loader reads a questionnaire about 7x faster than the pure-Python one (the same result).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=32)
def _load_path(path: str, _mtime: int) -> Instrument:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    return instrument_from_yaml(text, source=Path(path).name)


def instrument_from_yaml(text: str, source: str = "<string>") -> Instrument:
    """Build an Instrument from YAML text (used for tests and form imports)."""
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError:
        try:   # the pure-Python loader says more (the line with a caret, the tab, the alias's name)
            data = yaml.load(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            raise InstrumentError(source, None, f"not valid YAML: {exc}") from None
    return instrument_from_dict(data, source)


def instrument_from_dict(data: Any, source: str = "<dict>") -> Instrument:
    if not isinstance(data, dict):
        raise InstrumentError(source, None, "the file must be a mapping with id, version, title, questions")
    for key in ("id", "version", "title", "questions"):
        if key not in data:
            raise InstrumentError(source, None, f"missing top-level key '{key}'")
    if not isinstance(data["version"], int) or data["version"] < 1:
        raise InstrumentError(source, None, "version must be a positive whole number")
    lists = {
        list_name: _choices(source, list_name, items)
        for list_name, items in (data.get("choice_lists") or {}).items()
    }
    builder = _Builder(source, lists)
    questions = tuple(builder.question(raw, inside_repeat=False) for raw in _as_list(source, data["questions"]))
    index = {}
    for q in questions:
        for inner in (q, *q.questions):
            if inner.name in index:
                raise InstrumentError(source, inner.name, "the name is used twice")
            index[inner.name] = inner
    _check_references(source, questions, index)

    def fail(message: str) -> InstrumentError:
        return InstrumentError(source, None, message)

    main = {q.name: q for q in questions}
    design = parse_design(
        data.get("design"), source, main,
        {q.name: {i.name: i for i in q.questions} for q in questions if q.kind.is_repeat}, fail)
    quality = parse_quality(data.get("quality"), questions, fail)
    fieldwork = parse_fieldwork(data.get("fieldwork"), main, fail)
    analysis = parse_analysis(data.get("analysis"), questions, fail)
    return Instrument(
        id=str(data["id"]),
        version=data["version"],
        title=_labels(source, None, data["title"], "title"),
        description=_labels(source, None, data["description"], "description") if data.get("description") else None,
        questions=questions,
        source=source,
        design=design,
        quality=quality,
        fieldwork=fieldwork,
        analysis=analysis,
        _index=MappingProxyType(index),
    )


def _as_list(source: str, value: Any) -> list:
    if not isinstance(value, list) or not value:
        raise InstrumentError(source, None, "'questions' must be a non-empty list")
    return value


def _labels(source: str, question: str | None, value: Any, key: str) -> Mapping[str, str]:
    if not isinstance(value, dict) or any(not isinstance(value.get(lang), str) or not value[lang].strip() for lang in LANGUAGES):
        raise InstrumentError(source, question, f"'{key}' needs text in both languages: {{id: ..., en: ...}}")
    return MappingProxyType({lang: value[lang] for lang in LANGUAGES})


def _choices(source: str, list_name: str, items: Any) -> tuple[Choice, ...]:
    if not isinstance(items, list) or not items:
        raise InstrumentError(source, None, f"choice list '{list_name}' must be a non-empty list")
    seen, out = set(), []
    for item in items:
        if not isinstance(item, dict) or "name" not in item:
            raise InstrumentError(source, None, f"choice list '{list_name}': each choice needs a name and a label")
        name = str(item["name"])
        if name in seen:
            raise InstrumentError(source, None, f"choice list '{list_name}': '{name}' appears twice")
        seen.add(name)
        filters = {k: str(v) for k, v in item.items() if k not in ("name", "label")}
        out.append(Choice(name, _labels(source, None, item.get("label"), f"label of choice '{name}' in '{list_name}'"), MappingProxyType(filters)))
    return tuple(out)


class _Builder:
    """Turns one raw question mapping into a checked Question."""

    _KNOWN = {
        "name", "type", "label", "hint", "required", "relevant", "constraint", "constraint_message",
        "min", "max", "choices", "choice_filter", "calculation", "repeat_count", "pii", "section",
        "appearance", "questions", "end_if", "identifying", "default", "max_length", "max_items",
    }

    def __init__(self, source: str, lists: dict[str, tuple[Choice, ...]]):
        self.source, self.lists = source, lists

    def question(self, raw: Any, inside_repeat: bool) -> Question:
        src = self.source
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise InstrumentError(src, None, f"every question needs a name; got {raw!r:.80}")
        name = raw["name"]
        if not _NAME.fullmatch(name):
            raise InstrumentError(src, name, "names are lower-case letters, digits and _, starting with a letter")
        unknown = set(raw) - self._KNOWN
        if unknown:
            raise InstrumentError(src, name, f"unknown key(s): {', '.join(sorted(unknown))}")
        qtype = raw.get("type")
        if qtype not in QUESTION_TYPES:
            raise InstrumentError(src, name, f"unknown type {qtype!r} (known: {', '.join(QUESTION_TYPES)})")
        kind = QUESTION_TYPES[qtype]
        if kind.is_repeat and inside_repeat:
            raise InstrumentError(src, name, "a repeat inside a repeat is not supported")
        expressions = {key: self._expression(name, key, raw[key]) for key in _EXPRESSION_KEYS if raw.get(key) is not None}
        options: tuple[Choice, ...] = ()
        if kind.choices != "none":
            list_name = raw.get("choices")
            if list_name not in self.lists:
                raise InstrumentError(src, name, f"'choices' must name a list in choice_lists, got {list_name!r}")
            options = self.lists[list_name]
        elif "choices" in raw:
            raise InstrumentError(src, name, "only select questions have choices")
        if kind.computed and "calculation" not in expressions:
            raise InstrumentError(src, name, "a calculate question needs a 'calculation'")
        if "constraint" in expressions and not raw.get("constraint_message"):
            raise InstrumentError(src, name, "a constraint needs a constraint_message in both languages")
        if raw.get("required") and not (kind.entered or kind.is_repeat):  # a note, a calculation
            raise InstrumentError(src, name, f"a {qtype} cannot be required")
        if "end_if" in expressions and (inside_repeat or not kind.entered):
            raise InstrumentError(src, name, "end_if is for a question of the main form that the enumerator answers")
        if raw.get("identifying") and (inside_repeat or not kind.entered):
            raise InstrumentError(src, name, "identifying is for a question of the main form that the enumerator answers")
        if raw.get("appearance") == "rupiah" and not kind.whole_numbers:
            raise InstrumentError(src, name, "appearance: rupiah is for an integer question (an amount in rupiah)")
        default = raw.get("default")
        if default is not None:
            if default not in DEFAULTS:
                raise InstrumentError(src, name, f"default is {' or '.join(DEFAULTS)}, not {default!r}")
            if default == TODAY and not kind.is_date:
                raise InstrumentError(src, name, "default: today() is for a date question")
            if default == LAST_SAVED and (inside_repeat or not kind.entered):
                raise InstrumentError(src, name, "default: last-saved is for a question of the main form that "
                                                 "the enumerator answers")
        inner: tuple[Question, ...] = ()
        if kind.is_repeat:
            inner = tuple(self.question(q, inside_repeat=True) for q in _as_list(src, raw.get("questions")))
        bounds = {}
        for key in ("min", "max"):
            if raw.get(key) is not None:
                if not kind.numeric or isinstance(raw[key], bool) or not isinstance(raw[key], (int, float)):
                    raise InstrumentError(src, name, f"'{key}' is a number and only for integer/decimal questions")
                bounds[key] = raw[key]
        for key, allowed, cap in (("max_length", kind.free_text, MAX_TEXT_LENGTH), ("max_items", kind.is_repeat, MAX_ROSTER)):
            if raw.get(key) is not None:
                value = raw[key]
                if not allowed or isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= cap:
                    what = "a text question" if key == "max_length" else "a repeat"
                    raise InstrumentError(src, name, f"'{key}' is a whole number from 1 to {cap}, only for {what}")
                bounds[key] = value
        return Question(
            name=name,
            type=qtype,
            label=_labels(src, name, raw.get("label"), "label"),
            hint=_labels(src, name, raw["hint"], "hint") if raw.get("hint") else None,
            required=bool(raw.get("required", False)),
            constraint_message=_labels(src, name, raw["constraint_message"], "constraint_message") if raw.get("constraint_message") else None,
            choice_list=raw.get("choices"),
            choice_options=options,
            pii=bool(raw.get("pii", False)),
            identifying=bool(raw.get("identifying", False)),
            section=_labels(src, name, raw["section"], "section") if raw.get("section") else None,
            appearance=raw.get("appearance"),
            default=default,
            questions=inner,
            **expressions,
            **bounds,
        )

    def _expression(self, name: str, key: str, text: Any) -> Expression:
        try:
            return parse(str(text))
        except ExpressionError as exc:
            raise InstrumentError(self.source, name, f"{key} {str(text)!r}: {exc}") from None


def _check_references(source: str, questions: tuple[Question, ...], index: Mapping[str, Question]) -> None:
    """Every ${name} must exist; inside a repeat, the item's own questions are visible too."""
    for q in questions:
        for inner in (q, *q.questions):
            for key in _EXPRESSION_KEYS:
                expr = getattr(inner, key)
                if expr is None:
                    continue
                missing = sorted(ref for ref in expr.references if ref not in index)
                if missing:
                    raise InstrumentError(source, inner.name, f"{key} refers to unknown question(s): {', '.join(missing)}")
                if key == "choice_filter":
                    columns = {c for choice in inner.choice_options for c in choice.filters}
                    unknown = sorted(expr.columns - columns)
                    if unknown:
                        raise InstrumentError(source, inner.name, f"choice_filter uses column(s) {', '.join(unknown)} that the choices do not have")
