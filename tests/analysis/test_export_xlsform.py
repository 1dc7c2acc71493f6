"""The XLSForm export: pyxform (and ODK Validate, where Java is) turn it into an XForm, and
reading its sheets back gives the same questions, choices and skip logic."""

from __future__ import annotations

import io
import re
import shutil

import openpyxl
import pytest
from pyxform.xls2xform import convert

from analysis.export.xlsform.odk_syntax import is_anchored, odk_expression, odk_regex
from analysis.export.xlsform.xlsform import APPEARANCES, XLSFORM_LANGUAGES, relevant_cell, sheets, xlsform
from survey import locale
from survey.fieldwork.audit_log import AuditLog
from survey.locale import LANGUAGES
from survey.questionnaire.expressions import naming_current, parse
from survey.questionnaire.model import STUDY_INSTRUMENTS, instrument_from_dict, instrument_from_yaml, load_instrument
from survey.questionnaire.problems import MESSAGES
from survey.questionnaire.types import QUESTION_TYPES

JAVA = shutil.which("java") is not None
_XLSFORM_TYPES = {t.xlsform_type: name for name, t in QUESTION_TYPES.items()}
_BOUNDS = r"\. >= (?P<min>[-0-9.]+)(?: and \. <= (?P<max>[-0-9.]+))?|\. <= (?P<max_only>[-0-9.]+)"


def _number(text: str | None):
    if text is None:
        return None
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def _sheet(book, name: str) -> list[dict]:
    rows = list(book[name].iter_rows(values_only=True))
    return [{k: v for k, v in zip(rows[0], row) if v not in (None, "")} for row in rows[1:]]


def _texts(row: dict, key: str) -> dict | None:
    texts = {lang: row.get(f"{key}::{XLSFORM_LANGUAGES[lang]}") for lang in LANGUAGES}
    return texts if any(texts.values()) else None


def _constraint(row: dict, question: dict) -> None:
    """Split ODK's constraint back into ours and min/max (the export adds the range)."""
    text = row.get("constraint")
    if not text:
        return
    own, bounds = text, None
    if m := re.fullmatch(rf"\((?P<own>.*)\) and (?P<bounds>{_BOUNDS})", text):
        own, bounds = m["own"], re.fullmatch(_BOUNDS, m["bounds"])
    elif m := re.fullmatch(_BOUNDS, text):
        own, bounds = None, m
    messages = _texts(row, "constraint_message")
    if bounds:
        question["min"] = _number(bounds["min"])
        question["max"] = _number(bounds["max"] or bounds["max_only"])
        for key in ("min", "max"):
            if question[key] is None:
                del question[key]
        key = "range" if "min" in question and "max" in question else ("range.min" if "min" in question else "range.max")
        for lang in LANGUAGES:
            ranged = locale.text(MESSAGES, key, lang, min=bounds["min"] or "", max=bounds["max"] or bounds["max_only"] or "")
            assert messages[lang].endswith(ranged)
            messages[lang] = messages[lang][: -len(ranged)].rstrip()
    if own:
        question["constraint"] = own
        question["constraint_message"] = messages


def read_xlsform(data: bytes) -> dict:
    """The instrument dict (as a YAML file has it) that an XLSForm describes."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    lists: dict[str, list] = {}
    for row in _sheet(book, "choices"):
        extra = {k: v for k, v in row.items() if k not in ("list_name", "name") and "::" not in k}
        lists.setdefault(row["list_name"], []).append({"name": row["name"], "label": _texts(row, "label"), **extra})
    settings = _sheet(book, "settings")[0]
    levels: list[list] = [[]]
    sections: list[dict | None] = [None]
    ends: list[list[str]] = [[]]
    appearances = {odk: ours for ours, odk in APPEARANCES.items()}
    for row in _sheet(book, "survey"):
        kind = row["type"]
        if kind == "begin_group":
            sections[-1] = _texts(row, "label")
            continue
        if kind in ("end_group", "end_repeat"):
            if kind == "end_repeat":
                levels.pop(), sections.pop(), ends.pop()
            continue
        base, _, choices = kind.partition(" ")
        question = {"name": row["name"], "type": _XLSFORM_TYPES[base], "label": _texts(row, "label")}
        if choices:
            question["choices"] = choices
        if hint := _texts(row, "hint"):
            question["hint"] = hint
        if row.get("required") == "yes":
            question["required"] = True
        relevant = row.get("relevant")
        suffix = "" if row.get("identifying") == "yes" else " and ".join(f"not({e})" for e in ends[-1])
        if suffix:  # the not() of earlier end conditions that the export added
            assert relevant.endswith(suffix)
            relevant = relevant[: -len(suffix)].removesuffix(" and ")
            relevant = relevant[1:-1] if relevant.startswith("(") else relevant
        if relevant:
            question["relevant"] = relevant
        _constraint(row, question)
        for key in ("calculation", "choice_filter", "repeat_count", "end_if"):
            if row.get(key):
                question[key] = row[key]
        if row.get("appearance"):
            question["appearance"] = appearances.get(row["appearance"], row["appearance"])
        if row.get("pii") == "yes":
            question["pii"] = True
        if row.get("identifying") == "yes":
            question["identifying"] = True
        if row.get("default"):   # today() stays; ODK's last-saved answer of this question is ours
            last_saved = row["default"] == f"${{last-saved#{row['name']}}}"
            question["default"] = "last-saved" if last_saved else row["default"]
        if sections[-1]:
            question["section"], sections[-1] = sections[-1], None
        levels[-1].append(question)
        if row.get("end_if"):  # later questions carry it with '.' named
            ends[-1].append(odk_expression(naming_current(parse(row["end_if"]), row["name"])))
        if base == "begin_repeat":
            question["questions"] = []
            levels.append(question["questions"])
            sections.append(None)
            ends.append([])
    return {"id": settings["form_id"], "version": int(settings["version"]),
            "title": {lang: settings["form_title"] for lang in LANGUAGES}, "choice_lists": lists,
            "questions": levels[0]}


@pytest.fixture(scope="module", params=STUDY_INSTRUMENTS)
def exported(request):
    inst = load_instrument(request.param)
    return inst, xlsform(inst, user="t", audit=None)


def test_pyxform_converts_every_instrument(exported):
    inst, data = exported
    warnings: list[str] = []
    result = convert(data, warnings=warnings, validate=False)
    assert warnings == []
    assert f'<data id="{inst.id}" version="{inst.version}">' in result.xform
    for lang in LANGUAGES:
        assert f'<translation lang="{XLSFORM_LANGUAGES[lang]}"' in result.xform
    for q in inst.all_questions():
        if q.stores_answer:
            assert f"<{q.name}/>" in result.xform or f"<{q.name} " in result.xform


@pytest.mark.skipif(not JAVA, reason="ODK Validate needs Java")
def test_odk_validate_accepts_every_instrument(exported):
    convert(exported[1], validate=True)  # raises ODKValidateError with JavaRosa's message otherwise


def test_reading_the_xlsform_back_gives_the_same_questions_choices_and_skip_logic(exported):
    inst, data = exported
    back = instrument_from_dict(read_xlsform(data), source="xlsform")
    assert (back.id, back.version) == (inst.id, inst.version)
    assert [q.name for q in back.all_questions()] == [q.name for q in inst.all_questions()]
    for mine, theirs in zip(inst.all_questions(), back.all_questions()):
        assert theirs == mine, mine.name  # every field: labels, choices, relevant, constraint, range, pii ...


def test_household_has_the_kelurahan_cascade_and_the_roster_repeat():
    inst = load_instrument("household")
    xform = convert(xlsform(inst, user="t", audit=None)).xform
    assert re.search(r"instance\('kelurahan'\)/root/item\[kecamatan = +/data/[a-z_0-9/]*kecamatan +\]", xform)
    assert re.search(r'<repeat [^>]*jr:count=" /data/[a-z_0-9/]*hh_size "', xform)
    survey = sheets(inst)["survey"]
    header = survey[0]
    kinds = [row[header.index("type")] for row in survey[1:]]
    assert kinds.count("begin_repeat") == kinds.count("end_repeat") == 1
    assert kinds.count("begin_group") == kinds.count("end_group") == sum(1 for q in inst.all_questions() if q.section)
    choices = sheets(inst)["choices"]
    assert ["kelurahan", "pajang", "Pajang", "Pajang", "laweyan"] in choices


def test_every_cell_is_text_and_the_export_is_audited(tmp_path):
    log = AuditLog(tmp_path)
    data = xlsform(load_instrument("agency"), user="admin1", audit=log)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["survey", "choices", "settings"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type == "s" for cell in row if cell.value is not None)
    entry = log.entries()[0]
    assert (entry["user"], entry["action"], entry["object"], entry["outcome"]) == ("admin1", "export", "xlsform/agency", "ok")


ENDING = """
id: ending
version: 3
title: {id: Akhir, en: Ending}
choice_lists:
  yes_no: [{name: "yes", label: {id: Ya, en: "Yes"}}, {name: "no", label: {id: Tidak, en: "No"}}]
questions:
  - {name: consent, type: select_one, choices: yes_no, label: {id: Setuju, en: Consent}, required: true}
  - {name: age, type: integer, label: {id: Umur, en: Age}, relevant: "${consent} = 'yes'", min: 15, max: 99,
     constraint: ". != 50", constraint_message: {id: Bukan 50, en: Not 50}}
  - {name: code, type: text, label: {id: Kode, en: Code}, constraint: "regex(., 'A|B')",
     constraint_message: {id: A atau B, en: A or B}}
  - name: people
    type: repeat
    label: {id: Orang, en: People}
    repeat_count: "${age}"
    questions:
      - {name: person_age, type: integer, label: {id: Umur, en: Age}, max: 120}
      - {name: works, type: select_one, choices: yes_no, label: {id: Bekerja, en: Works}}
      - {name: job, type: text, label: {id: Pekerjaan, en: Job}}
"""


def _with_end_conditions():
    """The ENDING form with end_if on consent and on works: set on the frozen questions as
    the instrument model will once it reads `end_if` (an Expression, like relevant)."""
    inst = instrument_from_yaml(ENDING)
    object.__setattr__(inst.question("consent"), "end_if", parse("${consent} = 'no'"))
    object.__setattr__(inst.question("works"), "end_if", parse("${works} = 'no'"))
    return inst


def test_end_if_makes_every_later_question_not_relevant_in_odk():
    inst = _with_end_conditions()
    survey = sheets(inst)["survey"]
    rows = {row[survey[0].index("name")]: dict(zip(survey[0], row)) for row in survey[1:]}
    assert rows["consent"]["relevant"] == "" and rows["consent"]["end_if"] == "${consent} = 'no'"
    assert rows["age"]["relevant"] == "(${consent} = 'yes') and not(${consent} = 'no')"
    assert rows["code"]["relevant"] == "not(${consent} = 'no')"
    assert rows["people"]["relevant"] == "not(${consent} = 'no')"  # the whole roster
    assert rows["person_age"]["relevant"] == "" and rows["job"]["relevant"] == "not(${works} = 'no')"
    assert rows["age"]["constraint"] == "(. != 50) and . >= 15 and . <= 99"
    assert rows["age"]["constraint_message::English (en)"] == "Not 50 Enter a value from 15 to 99."
    assert rows["code"]["constraint"] == "regex(., '^(?:A|B)$')"
    assert convert(xlsform(inst, user="t", audit=None), warnings=[]).xform
    back = read_xlsform(xlsform(inst, user="t", audit=None))
    assert back["questions"][1]["relevant"] == "${consent} = 'yes'"
    assert back["questions"][0]["end_if"] == "${consent} = 'no'"
    assert back["questions"][3]["questions"][2].get("relevant") is None


@pytest.mark.skipif(not JAVA, reason="ODK Validate needs Java")
def test_odk_validate_accepts_end_conditions_and_ranges():
    convert(xlsform(_with_end_conditions(), user="t", audit=None), validate=True)


def test_relevant_cell_combines_own_relevance_and_end_conditions():
    assert relevant_cell(None, []) is None
    assert relevant_cell("${a} = 1", []) == "${a} = 1"
    assert relevant_cell(None, ["${x}", "${y} = 2"]) == "not(${x}) and not(${y} = 2)"
    assert relevant_cell("${a} = 1 or ${b} = 2", ["${x}"]) == "(${a} = 1 or ${b} = 2) and not(${x})"


@pytest.mark.parametrize("pattern, expected", [
    ("^[A-Z]{3}-[0-9]{3}$", "^[A-Z]{3}-[0-9]{3}$"),
    ("^([+]62|0)[0-9]{8,13}$", "^([+]62|0)[0-9]{8,13}$"),  # | inside a group: already anchored
    (r"^https?://[^\s]+$", r"^https?://[^\s]+$"),
    ("[0-9]+", "^(?:[0-9]+)$"),
    ("^a|b$", "^(?:^a|b$)$"),
    (r"^a\|b$", r"^a\|b$"),
    (r"^ab\$", r"^(?:^ab\$)$"),
    ("^[|]$", "^[|]$"),
    (r"(?P<d>[0-9])x", r"^(?:(?<d>[0-9])x)$"),
    (r"\A[a-z]+$", r"^[a-z]+$"),
])
def test_regex_patterns_keep_their_full_match_meaning(pattern, expected):
    assert odk_regex(pattern) == expected
    assert is_anchored(odk_regex(pattern))


@pytest.mark.parametrize("pattern", ["^[A-Z]{3}-[0-9]{3}$", "^([+]62|0)[0-9]{8,13}$", "[0-9]+", "^a|b$", "a|b",
                                     "x*", "(ab)+c?", r"^a\|b$"])
@pytest.mark.parametrize("text", ["", "a", "b", "ab", "xab", "abx", "a|b", "LAW-003", "xLAW-003", "081234567890",
                                  "+6281234567890", "123", "12a", "ababc", "xxx"])
def test_searching_the_odk_pattern_is_a_full_match_of_ours(pattern, text):
    # Enketo searches, ODK Collect matches the whole text: both must agree with re.fullmatch.
    ours = re.fullmatch(pattern, text) is not None
    translated = odk_regex(pattern)
    assert (re.search(translated, text) is not None) == ours
    assert (re.fullmatch(translated, text) is not None) == ours


def test_only_regex_patterns_change_in_expressions():
    text = "regex(., 'a|b') and ${x} = 'a|b' or regex(concat(${y}, 'z'), \"^q$\") and string-length(.) > 2"
    assert odk_expression(text) == (
        "regex(., '^(?:a|b)$') and ${x} = 'a|b' or regex(concat(${y}, 'z'), \"^q$\") and string-length(.) > 2")
    assert odk_expression("${age} >= 5 and selected(., 'none')") == "${age} >= 5 and selected(., 'none')"


def test_defaults_are_odk_s_today_and_last_saved():
    inst = load_instrument("household")
    survey = sheets(inst)["survey"]
    rows = {row[survey[0].index("name")]: dict(zip(survey[0], row)) for row in survey[1:]}
    assert rows["interview_date"]["default"] == "today()"
    assert {name: rows[name]["default"] for name in ("kecamatan", "kelurahan", "rw", "rt", "psu")} == {
        name: f"${{last-saved#{name}}}" for name in ("kecamatan", "kelurahan", "rw", "rt", "psu")}
    assert rows["respondent_name"]["default"] == ""
    xform = convert(xlsform(inst, user="t", audit=None), warnings=[]).xform
    assert re.search(r'<setvalue ref="/data/[a-z_0-9/]*interview_date" event="odk-instance-first-load" '
                     r'value="today\(\)"/>', xform)
    assert re.search(r"<setvalue ref=\"/data/[a-z_0-9/]*psu\" event=\"odk-instance-first-load\" "
                     r"value=\" instance\('__last-saved'\)/data/[a-z_0-9/]*psu \"/>", xform)
