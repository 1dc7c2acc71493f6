"""The variables of an exported table, derived from the instrument: one source for every
microdata writer and the codebook.

A table's variables are, in order: the metadata columns (``_response_id`` ...), for a
repeat table the parent's design variables under their own question names, the
weights when the file carries them (a main table: ``weight``; a repeat table: its
household's ``household_weight``, then ``weight``, the row's own: the person weight of
the roster), then one variable per stored question in form order, a
select_multiple giving one 0/1 variable per choice (``<question>_<choice>``). Each
carries its export name (see names.py), its labels in both languages and, for a
select_one, its value labels: codes are the choice names when every name in the list
is a whole number (a 1-5 scale keeps 1-5), else the choices' positions from 1.

Names are given over every variable, pii included, so the identified and
de-identified files name each shared variable the same way and differ by exactly
the pii variables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Mapping

from analysis.export.microdata.names import dummy_name, export_names
from survey.locale import pick
from survey.questionnaire.model import Instrument, Question
from survey.questionnaire.schema import STATUSES

Texts = Mapping[str, str]

# Variable kinds and how the statistical formats store them (a question's kind, Stata type and
# SPSS measure are its type's export_kind, stata_type and spss_measure in
# survey.questionnaire.types.QUESTION_TYPES; metadata and the weight take theirs from here).
KINDS = ("text", "integer", "decimal", "choice", "dummy", "date", "timestamp")
_STATA_OF_KIND = {"text": "str", "integer": "long", "decimal": "double", "choice": "long", "timestamp": "double"}
_SPSS_OF_KIND = {"text": "nominal", "integer": "scale", "decimal": "scale", "choice": "nominal", "timestamp": "scale"}

NO_YES: tuple[tuple[int, str, Texts], ...] = (
    (0, "0", MappingProxyType({"id": "Tidak", "en": "No"})),
    (1, "1", MappingProxyType({"id": "Ya", "en": "Yes"})),
)
_STATUS_LABELS = {
    "submitted": {"id": "Dikirim", "en": "Submitted"},
    "approved": {"id": "Disetujui", "en": "Approved"},
    "rejected": {"id": "Ditolak", "en": "Rejected"},
    "on_hold": {"id": "Ditunda", "en": "On hold"},
}
# Metadata columns kept in exports (the review workflow's _editor and _note stay out:
# free text about the review, not about the respondent; so does _instance_id, the ODK
# instanceID that _response_id is derived from, which only the server's own checks need).
MAIN_METADATA: tuple[tuple[str, str, Texts], ...] = (
    ("_response_id", "text", {"id": "ID respons (UUID)", "en": "Response id (UUID)"}),
    ("_instrument_version", "integer", {"id": "Versi kuesioner", "en": "Questionnaire version"}),
    ("_enumerator", "text", {"id": "Pencacah", "en": "Enumerator"}),
    ("_started_at", "timestamp", {"id": "Wawancara dimulai (UTC)", "en": "Interview started (UTC)"}),
    ("_submitted_at", "timestamp", {"id": "Dikirim (UTC)", "en": "Submitted (UTC)"}),
    ("_lang", "text", {"id": "Bahasa wawancara", "en": "Language of the interview"}),
    ("_status", "choice", {"id": "Status pemeriksaan", "en": "Review status"}),
    ("_revision", "integer", {"id": "Revisi", "en": "Revision"}),
)
REPEAT_METADATA: tuple[tuple[str, str, Texts], ...] = (
    ("_response_id", "text", {"id": "ID respons rumah tangga/induk (kunci ke berkas induk)",
                              "en": "Response id of the parent interview (key to its file)"}),
    ("_member_index", "integer", {"id": "Urutan dalam daftar (0 = pertama)", "en": "Position in the list (0 = first)"}),
)
WEIGHT = "weight"
HOUSEHOLD_WEIGHT = "household_weight"
WEIGHT_LABEL: Texts = MappingProxyType({"id": "Bobot survei", "en": "Survey weight"})
ROW_WEIGHT_LABEL: Texts = MappingProxyType({"id": "Bobot survei baris ini (bobot orang)",
                                            "en": "Survey weight of this row (person weight)"})
HOUSEHOLD_WEIGHT_LABEL: Texts = MappingProxyType({"id": "Bobot survei rumah tangganya (wawancara induk)",
                                                  "en": "Survey weight of its household (the parent interview)"})
_INTEGER_NAME = re.compile(r"-?[0-9]{1,9}")


@dataclass(frozen=True)
class Variable:
    name: str  # export name: valid for Stata and SPSS, unique in its file
    column: str  # the store column it comes from
    kind: str  # one of KINDS
    label: Texts  # {lang: text}
    question: Question | None = None  # None for metadata and the weight
    choice: str | None = None  # a dummy: the choice it flags
    codes: tuple[tuple[int, str, Texts], ...] = ()  # value labels: (code, choice name, labels)
    origin: str = "question"  # metadata | question | parent (a design variable) | weight

    @property
    def pii(self) -> bool:
        return bool(self.question is not None and self.question.pii)

    @property
    def stata_type(self) -> str:
        if self.question is not None:
            return self.question.kind.stata_type
        return _STATA_OF_KIND[self.kind]

    @property
    def spss_measure(self) -> str:
        if self.question is not None:
            return self.question.kind.spss_measure
        return _SPSS_OF_KIND[self.kind]

    def code_of(self) -> dict[str, int]:
        return {name: code for code, name, _ in self.codes}


def table_of(inst: Instrument, table: str) -> Question | None:
    """The repeat group whose table `table` is (None: the main table); ValueError if neither."""
    if table == inst.id:
        return None
    for repeat in inst.repeats:
        if inst.table_name(repeat) == table:
            return repeat
    raise ValueError(f"{inst.id} has no table {table!r}")


def design_roles(inst: Instrument) -> dict[str, str]:
    """Main-table question -> its role in the sampling design (strata, psu, fpc), from the
    instrument's ``design:`` block."""
    roles: dict[str, str] = {}
    for role in ("strata", "psu", "fpc"):
        value = getattr(inst.design, role, None)
        for name in [value] if isinstance(value, str) else list(value or ()):
            if isinstance(name, str):
                roles.setdefault(name, role)
    main = {q.name for q in inst.questions if q.stores_answer}
    return {name: role for name, role in roles.items() if name in main}


def design_questions(inst: Instrument) -> tuple[str, ...]:
    """The main-table questions of the sampling design, carried into repeat tables."""
    return tuple(design_roles(inst))


def choice_codes(q: Question) -> tuple[tuple[int, str, Texts], ...]:
    """(code, choice name, labels) for a select question's choices, in the list's order."""
    names = [c.name for c in q.choice_options]
    numeric = all(_INTEGER_NAME.fullmatch(n) for n in names) and len({int(n) for n in names}) == len(names)
    return tuple((int(c.name) if numeric else i, c.name, c.label) for i, c in enumerate(q.choice_options, start=1))


def _question_variables(q: Question, origin: str = "question") -> list[Variable]:
    kind = q.kind.export_kind
    if kind is None:  # notes, repeats
        return []
    if kind == "dummy":
        return [
            Variable(dummy_name(q.name, c.name), q.name, "dummy",
                     MappingProxyType({lang: f"{q.label[lang]}: {c.label[lang]}" for lang in q.label}),
                     question=q, choice=c.name, codes=NO_YES, origin=origin)
            for c in q.choice_options
        ]
    codes = choice_codes(q) if kind == "choice" else ()
    return [Variable(q.name, q.name, kind, q.label, question=q, codes=codes, origin=origin)]


def _metadata(column: str, kind: str, label: Texts) -> Variable:
    codes = ()
    if column == "_status":
        codes = tuple((i, s, MappingProxyType(_STATUS_LABELS[s])) for i, s in enumerate(STATUSES, start=1))
    return Variable(column, column, kind, MappingProxyType(dict(label)), codes=codes, origin="metadata")


def table_variables(inst: Instrument, table: str, weight: bool = False,
                    replicates: tuple[str, ...] = (), replicate_label: Texts | None = None) -> list[Variable]:
    """Every variable of `table` (pii included), with export names, in file order.

    ``replicates``: the replicate weight columns a de-identified file carries INSTEAD of
    the design's strata, PSU and fpc variables (microdata/replicates.py), after the weights."""
    repeat = table_of(inst, table)
    design = set(design_questions(inst)) if replicates else set()
    out = [_metadata(*m) for m in (MAIN_METADATA if repeat is None else REPEAT_METADATA)]
    if repeat is not None:
        for name in design_questions(inst):
            if name not in design:
                out.extend(_question_variables(inst.question(name), origin="parent"))
    if weight and repeat is None:
        out.append(Variable(WEIGHT, WEIGHT, "decimal", WEIGHT_LABEL, origin="weight"))
    elif weight:
        out.append(Variable(HOUSEHOLD_WEIGHT, HOUSEHOLD_WEIGHT, "decimal", HOUSEHOLD_WEIGHT_LABEL, origin="weight"))
        out.append(Variable(WEIGHT, WEIGHT, "decimal", ROW_WEIGHT_LABEL, origin="weight"))
    out.extend(Variable(name, name, "decimal", MappingProxyType(dict(replicate_label or {})), origin="replicate")
               for name in replicates)
    for q in (inst.questions if repeat is None else repeat.questions):
        if q.name not in design:
            out.extend(_question_variables(q))
    return named(out)


def named(variables: list[Variable], taken: set[str] | None = None) -> list[Variable]:
    """`variables` with valid, unique export names (their wanted names as the start)."""
    names = export_names([v.name for v in variables], taken)
    return [v if v.name == n else replace(v, name=n) for v, n in zip(variables, names)]


def with_unknown_choices(variables: list[Variable], found: Mapping[str, set[str]]) -> list[Variable]:
    """Variables extended for choice names in the data that the current instrument no
    longer lists (answers kept from an older version): a select_one gets codes after its
    own, a select_multiple a 0/1 variable per such choice at the end. `found`: column ->
    choice names seen."""
    out: list[Variable] = []
    extra: list[Variable] = []
    for v in variables:
        seen = found.get(v.column, set())
        if v.kind == "choice" and seen - set(v.code_of()):
            start = max((c for c, _, _ in v.codes), default=0) + 1
            unknown = sorted(seen - set(v.code_of()))
            v = replace(v, codes=v.codes + tuple((start + i, n, MappingProxyType({"id": n, "en": n}))
                                                 for i, n in enumerate(unknown)))
        out.append(v)
    dummies: dict[str, list[Variable]] = {}
    for v in variables:
        if v.kind == "dummy":
            dummies.setdefault(v.column, []).append(v)
    for column, group in dummies.items():
        listed = {v.choice for v in group}
        for choice in sorted(found.get(column, set()) - listed):
            q = group[0].question
            extra.append(Variable(dummy_name(column, choice), column, "dummy",
                                  MappingProxyType({lang: f"{q.label[lang]}: {choice}" for lang in q.label}),
                                  question=q, choice=choice, codes=NO_YES, origin=group[0].origin))
    if not extra:
        return out
    return out + named(extra, {v.name.lower() for v in out})


def value_labels(v: Variable, lang: str) -> dict[int, str]:
    """Code -> label in `lang` (empty for variables without value labels)."""
    return {code: pick(labels, lang) for code, _, labels in v.codes}
