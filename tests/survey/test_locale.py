"""Every bilingual text of every layer, and the one module that reads them (survey.locale).

Catalogues are found, not listed: every module of survey/, analysis/ and ui/ is imported
and each module-level value searched for ``{lang: text}`` (catalogues, constants, the
labels inside indicator definitions...); the source is also scanned for ``{"id": ...,
"en": ...}`` written inside functions (and in the page scripts, which draw a page when
imported). Each text needs both languages, non-empty, with the same placeholders.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
import re
import string
from collections.abc import Mapping
from pathlib import Path

import pytest

from survey import locale
from survey.locale import LANGUAGES, pick, text, texts

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("survey", "analysis", "ui")
NOT_IMPORTED = ("ui.pages.",)   # page scripts draw their page when imported: the source scan reads them
KNOWN_CATALOGUES = (              # a sample the search must find, so that it cannot silently find nothing
    "ui.i18n.TEXT", "analysis.messages.MESSAGES", "survey.questionnaire.problems.MESSAGES",
    "survey.fieldwork.quality_checks.DETAILS", "analysis.export.codebook.entries.TEXTS",
    "analysis.export.tables.cells.TEXTS", "analysis.export.report.TEXTS",
    "analysis.indicators.itu.HOUSEHOLD_INDICATORS", "analysis.indicators.egov.STAGE_LABELS",
)


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package)
        path = [str(ROOT / package)]
        for info in pkgutil.walk_packages(path, prefix=f"{package}."):
            if not info.name.endswith("__main__") and not info.name.startswith(NOT_IMPORTED):
                names.append(info.name)
    return names


def _is_text(value) -> bool:
    return locale.is_texts(value) and all(isinstance(v, str) for v in value.values())


def _texts_in(value, where: str, seen: set[int]):
    """(where, {lang: text}) for every bilingual text inside a module-level value."""
    if id(value) in seen or isinstance(value, (str, bytes, int, float, type(None))):
        return
    seen.add(id(value))
    if _is_text(value):
        yield where, value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _texts_in(inner, f"{where}[{key!r}]", seen)
    elif isinstance(value, (tuple, list)):
        for i, inner in enumerate(value):
            yield from _texts_in(inner, f"{where}[{i}]", seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _texts_in(getattr(value, field.name), f"{where}.{field.name}", seen)


def _catalogue_texts() -> dict[str, Mapping[str, str]]:
    found, seen = {}, set()
    for name in _modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if attr.startswith("__") or getattr(value, "__module__", name) != name:
                continue
            for where, bilingual in _texts_in(value, f"{name}.{attr}", seen):
                found[where] = bilingual
    return found


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def _problems(where: str, bilingual: Mapping[str, str | None]) -> list[str]:
    """What is wrong with one text: a language missing or empty, placeholders that differ."""
    missing = [lang for lang in LANGUAGES if not isinstance(bilingual.get(lang), str) or not bilingual[lang].strip()]
    if missing:
        return [f"{where}: no text in {', '.join(missing)}"]
    try:
        fields = {lang: _placeholders(bilingual[lang]) for lang in LANGUAGES}
    except ValueError as exc:
        return [f"{where}: {exc}"]
    if len({frozenset(f) for f in fields.values()}) > 1:
        return [f"{where}: placeholders differ: {fields}"]
    return []


def _literal_texts():
    """(file:line, {lang: text or None}) for every dict literal keyed by languages in the source.

    Only English or both: a lone "id" key is an identifier as often as Bahasa Indonesia.
    A value that is not a plain string (an f-string, a name) counts as present, unchecked."""
    for path in sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py")) + [ROOT / "app.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Dict) or not node.keys or None in node.keys:
                continue
            keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
            if "en" not in keys or not set(keys) <= set(LANGUAGES):
                continue
            values = {}
            for key, value in zip(keys, node.values):
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    values[key] = value.value
                else:
                    values[key] = "present"   # computed: only its presence can be checked here
            yield f"{path.relative_to(ROOT)}:{node.lineno}", values


@pytest.fixture(scope="module")
def catalogue_texts():
    return _catalogue_texts()


def test_every_catalogue_is_found(catalogue_texts):
    names = {where.split("[")[0] for where in catalogue_texts}
    assert set(KNOWN_CATALOGUES) <= names, set(KNOWN_CATALOGUES) - names
    assert len(catalogue_texts) > 600    # 662 module-level texts when this was written


def test_every_catalogue_text_has_both_languages_and_the_same_placeholders(catalogue_texts):
    problems = [p for where, bilingual in catalogue_texts.items() for p in _problems(where, bilingual)]
    assert not problems, "\n".join(problems)


def test_every_bilingual_text_in_the_source_has_both_languages_and_the_same_placeholders():
    found = list(_literal_texts())
    assert len(found) > 700    # 733 written in the source when this was written
    problems = [p for where, bilingual in found for p in _problems(where, bilingual)]
    assert not problems, "\n".join(problems)


def test_one_languages_one_time_zone_one_currency():
    """LANGUAGES, the study's time zone and the rupiah symbol are defined in survey/locale.py only."""
    defined = re.compile(r"^\s*(LANGUAGES|WIB|SURVEY_TIMEZONE|CURRENCY)\s*[:=]|ZoneInfo\(|timedelta\(hours=7\)",
                         re.MULTILINE)
    elsewhere = [f"{path.relative_to(ROOT)}: {m.group(0).strip()}"
                 for package in PACKAGES for path in (ROOT / package).rglob("*.py")
                 if path != ROOT / "survey" / "locale.py"
                 for m in defined.finditer(path.read_text(encoding="utf-8"))]
    assert not elsewhere, elsewhere


CATALOGUE = {
    "saved": {"en": "Saved {n} answers for {who}", "id": "{n} jawaban {who} tersimpan"},
    "english_only": {"en": "Only in English"},
}


def test_text_picks_the_language_falls_back_to_english_and_fills_placeholders():
    assert text(CATALOGUE, "saved", "id", n=3, who="Budi") == "3 jawaban Budi tersimpan"
    assert text(CATALOGUE, "saved", "en", n=3, who="Budi") == "Saved 3 answers for Budi"
    assert text(CATALOGUE, "english_only", "id") == "Only in English"
    assert text(CATALOGUE, "saved", "fr", n=1, who="x") == "Saved 1 answers for x"   # an unknown language: English
    with pytest.raises(KeyError):
        text(CATALOGUE, "unknown", "en")


def test_a_bilingual_value_is_filled_in_its_language():
    who = {"en": "the head", "id": "kepala"}
    assert texts(CATALOGUE, "saved", n=2, who=who) == {"id": "2 jawaban kepala tersimpan",
                                                       "en": "Saved 2 answers for the head"}
    assert pick(None, "en") == "" and pick({"id": "Ya"}, "en") == "Ya"


def test_rupiah_is_written_one_way():
    assert locale.idr(1234567, "id") == "Rp1.234.567" and locale.idr(1234567, "en") == "IDR 1,234,567"
    assert locale.number_locale("id")["currency"][0] == locale.currency("id") == "Rp"
    assert locale.number_locale("en")["thousands"] == ","
