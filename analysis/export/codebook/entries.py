"""What a codebook says about each variable, as plain rows that the XLSX and HTML
renderings (codebook_xlsx.py, codebook_html.py) both lay out.

For each variable: its export name and the question (store column) it comes from,
its label in both languages, the question type and storage (Stata type, SPSS
measure), its values (codes with the choices' names and labels, 0/1 for a
select_multiple's choice), skip logic (``relevant``), the end condition
(``end_if``: the interview ends when it is true), the constraint and range, the
calculation, whether it is required, its design role and the pii flag. Expressions
are shown as the questionnaire writes them. A weight's "calculation" says how the
design made it (analysis.dataset.dataset's words, when the codebook is given them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Union

from analysis.export.microdata.variables import HOUSEHOLD_WEIGHT, Variable, choice_codes, design_roles, table_variables
from survey import locale
from survey.locale import pick
from survey.questionnaire.model import Instrument

# What a codebook is told about weights: none, that the files carry them, or for each
# table how its weights were made ({table: {lang: text}}, analysis.dataset.dataset's Provenance.weights).
WeightTexts = Union[bool, Mapping[str, Mapping[str, str]]]

# Interface texts of both renderings: {key: {lang: text}}.
TEXTS: dict[str, Mapping[str, str]] = {
    "codebook": {"id": "Buku kode", "en": "Codebook"},
    "instrument": {"id": "Kuesioner", "en": "Instrument"},
    "version": {"id": "Versi", "en": "Version"},
    "made": {"id": "Dibuat", "en": "Made"},
    "table": {"id": "Tabel", "en": "Table"},
    "variable": {"id": "Variabel", "en": "Variable"},
    "question": {"id": "Pertanyaan (kolom)", "en": "Question (column)"},
    "label_id": {"id": "Label (Bahasa Indonesia)", "en": "Label (Bahasa Indonesia)"},
    "label_en": {"id": "Label (Inggris)", "en": "Label (English)"},
    "type": {"id": "Jenis", "en": "Type"},
    "stata": {"id": "Tipe Stata", "en": "Stata type"},
    "spss": {"id": "Ukuran SPSS", "en": "SPSS measure"},
    "values": {"id": "Nilai (kode = nama: label)", "en": "Values (code = name: label)"},
    "choice_list": {"id": "Daftar pilihan", "en": "Choice list"},
    "relevant": {"id": "Ditanyakan bila (relevant)", "en": "Asked when (relevant)"},
    "end_if": {"id": "Wawancara berakhir bila", "en": "Interview ends when"},
    "constraint": {"id": "Batasan", "en": "Constraint"},
    "range": {"id": "Rentang", "en": "Range"},
    "calculation": {"id": "Perhitungan", "en": "Calculation"},
    "required": {"id": "Wajib", "en": "Required"},
    "design": {"id": "Peran dalam desain", "en": "Design role"},
    "pii": {"id": "Data pribadi (PII)", "en": "Personal data (PII)"},
    "rules": {"id": "Aturan", "en": "Rules"},
    "flags": {"id": "Tanda", "en": "Flags"},
    "yes": {"id": "ya", "en": "yes"},
    "choices": {"id": "Daftar pilihan", "en": "Choice lists"},
    "code": {"id": "Kode", "en": "Code"},
    "name": {"id": "Nama", "en": "Name"},
    "names": {"id": "Pemetaan nama", "en": "Name mapping"},
    "export_name": {"id": "Nama di berkas", "en": "Name in the files"},
    "column": {"id": "Kolom di penyimpanan", "en": "Column in the store"},
    "choice": {"id": "Pilihan", "en": "Choice"},
    "contents": {"id": "Isi", "en": "Contents"},
    "pii_rule": {
        "id": "Variabel PII hanya ada di ekspor beridentitas (hanya admin); ekspor lain tanpa variabel itu.",
        "en": "PII variables are only in identified exports (admins only); every other export leaves them out.",
    },
    "names_rule": {
        "id": "Nama variabel sah untuk Stata dan SPSS: paling banyak 29 karakter ASCII, diawali huruf, unik.",
        "en": "Variable names are valid in Stata and SPSS: at most 29 ASCII characters, starting with a letter, unique.",
    },
    "weight_rule": {
        "id": "Tabel anggota membawa variabel desain rumah tangganya; gabungkan dengan response_id bila perlu.",
        "en": "The roster table carries its household's design variables; join on response_id when needed.",
    },
    "weights": {"id": "Bobot", "en": "Weights"},
    "weights_rule": {
        "id": "Bobot: berkas rumah tangga (dan setiap tabel utama) membawa weight, bobot responsnya. Berkas anggota "
              "membawa household_weight (bobot rumah tangganya) dan weight, bobot orang, yang dipakai untuk estimasi "
              "tentang anggota. Respons yang tidak ikut analisis (ditolak, tidak selesai, tanpa jawaban desain) "
              "tidak punya bobot.",
        "en": "Weights: the household file (and every main table) carries weight, the response's weight. The members "
              "file carries household_weight (its household's) and weight, the person weight, which estimates about "
              "members use. Responses left out of the analysis (rejected, not completed, missing design answers) "
              "have no weight.",
    },
}


def text(key: str, lang: str) -> str:
    """The codebook text `key` in `lang` (survey.locale.text)."""
    return locale.text(TEXTS, key, lang)


def _expression(value: Any) -> str:
    if value is None:
        return ""
    return getattr(value, "text", str(value))


def _number(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class Entry:
    """One codebook row: a variable and what the questionnaire says about it."""

    table: str
    variable: Variable
    design_role: str
    about: Mapping[str, str] | None = None  # a weight: how it was made, {lang: text}

    @property
    def question(self):
        return self.variable.question

    def value_lines(self) -> list[tuple[int, str, Mapping[str, str]]]:
        return list(self.variable.codes)

    def type(self) -> str:
        return self.question.type if self.question is not None else self.variable.kind

    def field(self, key: str) -> str:
        q = self.question
        if q is None or self.variable.origin == "parent" and key in ("relevant", "end_if", "constraint", "calculation"):
            return ""
        if key == "range":
            if q.min is None and q.max is None:
                return ""
            return f"{_number(q.min)} .. {_number(q.max)}"
        if key == "end_if":
            return _expression(getattr(q, "end_if", None))
        return _expression(getattr(q, key))


def _about(v: Variable, table: str, inst: Instrument, weights: WeightTexts) -> Mapping[str, str] | None:
    if v.origin != "weight" or not isinstance(weights, Mapping):
        return None
    return weights.get(inst.id if v.column == HOUSEHOLD_WEIGHT else table)


def entries(inst: Instrument, weights: WeightTexts = False, replicates: Mapping | None = None) -> dict[str, list[Entry]]:
    """{table: its codebook rows}, pii variables included (and flagged). ``replicates``:
    {table: TableReplicates} when the files carry replicate weights instead of strata and PSUs."""
    roles = design_roles(inst)
    out = {}
    for table in (inst.id, *(inst.table_name(r) for r in inst.repeats)):
        reps = (replicates or {}).get(table)
        variables = table_variables(inst, table, weight=bool(weights), replicates=tuple(reps.names) if reps else (),
                                    replicate_label=reps.texts() if reps else None)
        out[table] = [Entry(table, v, roles.get(v.column, "") if v.question is not None else
                            (v.origin if v.origin in ("weight", "replicate") else ""),
                            reps.texts() if v.origin == "replicate" else _about(v, table, inst, weights))
                      for v in variables]
    return out


def choice_lists(inst: Instrument) -> dict[str, list[tuple[int, str, Mapping[str, str]]]]:
    """{list name: (code, choice name, labels)} for every list a question uses, in form order."""
    out: dict[str, list] = {}
    for q in inst.all_questions():
        if q.choice_list and q.choice_list not in out:
            out[q.choice_list] = list(choice_codes(q))
    return out


def values_text(entry: Entry, lang: str, limit: int | None = None) -> str:
    """The variable's values on one line each: ``code = name: label``."""
    lines = [f"{code} = {name}: {pick(labels, lang)}" if entry.variable.kind == "choice" else f"{code} = {pick(labels, lang)}"
             for code, name, labels in entry.value_lines()]
    if limit is not None and len(lines) > limit:
        return ""
    return "\n".join(lines)


COLUMNS = ("variable", "question", "label_id", "label_en", "type", "stata", "spss", "choice_list", "values",
           "relevant", "end_if", "constraint", "range", "calculation", "required", "design", "pii")


def row(entry: Entry, lang: str) -> list[str]:
    v, q = entry.variable, entry.question
    cells = {
        "variable": v.name, "question": v.column, "label_id": v.label.get("id", ""), "label_en": v.label.get("en", ""),
        "type": entry.type(), "stata": v.stata_type, "spss": v.spss_measure,
        "choice_list": q.choice_list or "" if q is not None else "",
        "values": values_text(entry, lang),
        "required": text("yes", lang) if q is not None and q.required and v.origin != "parent" else "",
        "design": entry.design_role, "pii": text("yes", lang) if v.pii else "",
    }
    for key in ("relevant", "end_if", "constraint", "range", "calculation"):
        cells[key] = entry.field(key)
    if entry.about:
        cells["calculation"] = pick(entry.about, lang)
    return [cells[c] for c in COLUMNS]
