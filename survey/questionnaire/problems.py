"""The one catalogue of answer problems: a code, and a message in each language.

`validate()` reports `Problem(field, code, message)`; the message comes from here
(or from the question's own constraint_message), in the language asked for, and
says what is wrong and how to fix it.
"""

from __future__ import annotations

from typing import NamedTuple

from survey.locale import text


class Problem(NamedTuple):
    field: str  # question name; inside a repeat: "members[2].age"
    code: str
    message: str


class ValidationError(ValueError):
    """Raised by ResponseStore.submit for invalid answers; nothing is written."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "; ".join(f"{p.field}: {p.message}" for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{len(self.problems)} problem(s): {shown}{more}")


MESSAGES: dict[str, dict[str, str]] = {
    "required": {
        "en": "This question needs an answer.",
        "id": "Pertanyaan ini wajib dijawab.",
    },
    "type.integer": {
        "en": "Enter a whole number, digits only (for example 42).",
        "id": "Masukkan bilangan bulat, hanya angka (misalnya 42).",
    },
    "type.decimal": {
        "en": "Enter a number (for example 3.5).",
        "id": "Masukkan angka (misalnya 3,5).",
    },
    "type.date": {
        "en": "Enter a date as YYYY-MM-DD.",
        "id": "Masukkan tanggal dengan format TTTT-BB-HH.",
    },
    "type.geopoint": {
        "en": "Enter a location as 'latitude longitude' in decimal degrees (for example -7.5666 110.8166).",
        "id": "Masukkan lokasi sebagai 'lintang bujur' dalam derajat desimal (misalnya -7.5666 110.8166).",
    },
    "type.select_multiple": {
        "en": "Choose zero or more of the listed options.",
        "id": "Pilih nol atau lebih dari pilihan yang tersedia.",
    },
    "type.repeat": {
        "en": "The list of members is not in the expected form.",
        "id": "Daftar anggota tidak dalam bentuk yang diharapkan.",
    },
    "type.text": {
        "en": "Enter text on one line, without control characters (line breaks only where the question allows several lines).",
        "id": "Masukkan teks dalam satu baris, tanpa karakter kontrol (pindah baris hanya jika pertanyaan mengizinkan beberapa baris).",
    },
    "type": {
        "en": "This answer has the wrong form.",
        "id": "Bentuk jawaban ini salah.",
    },
    "length": {
        "en": "This answer is too long: at most {limit} characters.",
        "id": "Jawaban ini terlalu panjang: paling banyak {limit} karakter.",
    },
    "range": {
        "en": "Enter a value from {min} to {max}.",
        "id": "Masukkan nilai dari {min} sampai {max}.",
    },
    "range.min": {
        "en": "Enter a value of at least {min}.",
        "id": "Masukkan nilai paling sedikit {min}.",
    },
    "range.stored": {
        "en": "This number is too large to be stored; check it and enter a smaller one.",
        "id": "Angka ini terlalu besar untuk disimpan; periksa dan masukkan angka yang lebih kecil.",
    },
    "range.date": {
        "en": "Enter a date from {min} to {max}.",
        "id": "Masukkan tanggal dari {min} sampai {max}.",
    },
    "range.max": {
        "en": "Enter a value of at most {max}.",
        "id": "Masukkan nilai paling banyak {max}.",
    },
    "choice": {
        "en": "'{value}' is not one of this question's choices; pick one from the list.",
        "id": "'{value}' bukan salah satu pilihan pertanyaan ini; pilih dari daftar.",
    },
    "constraint": {
        "en": "This answer does not meet the question's rule.",
        "id": "Jawaban ini tidak memenuhi aturan pertanyaan.",
    },
    "count": {
        "en": "The list should have {expected} entries (from the answer above), it has {actual}.",
        "id": "Daftar ini seharusnya berisi {expected} entri (sesuai jawaban di atas), sekarang {actual}.",
    },
    "count.max": {
        "en": "The list has {actual} entries; at most {limit} are allowed.",
        "id": "Daftar ini berisi {actual} entri; paling banyak {limit} yang diperbolehkan.",
    },
    "unknown": {
        "en": "This questionnaire has no question named '{name}'.",
        "id": "Kuesioner ini tidak memiliki pertanyaan bernama '{name}'.",
    },
    "form": {
        "en": "The answers must be a set of question names and values.",
        "id": "Jawaban harus berupa pasangan nama pertanyaan dan nilai.",
    },
    "form.size": {
        "en": "Too many answers at once: at most {limit} question names and values.",
        "id": "Terlalu banyak jawaban sekaligus: paling banyak {limit} nama pertanyaan dan nilai.",
    },
}


def shown(value: object, limit: int = 60) -> str:
    """`value` as text that is safe to show and store: unpaired surrogates escaped, clipped."""
    try:
        text = value if isinstance(value, str) else repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def problem(field: str, key: str, lang: str, **values: object) -> Problem:
    """A Problem whose code is the catalogue key's first part ('type.integer' -> 'type')."""
    code = key.split(".")[0]
    return Problem(field, code, text(MESSAGES, key, lang, **values))
