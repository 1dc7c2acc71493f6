"""validate(): located, coded problems for a small inline instrument."""

import datetime as dt

import pytest

from survey import validate
from survey.questionnaire.model import instrument_from_yaml
from survey.questionnaire.validate import clean

FORM = """
id: mini
version: 1
title: {id: Mini, en: Mini}
choice_lists:
  yes_no:
    - {name: "yes", label: {id: Ya, en: "Yes"}}
    - {name: "no", label: {id: Tidak, en: "No"}}
  kecamatan:
    - {name: laweyan, label: {id: Laweyan, en: Laweyan}}
    - {name: jebres, label: {id: Jebres, en: Jebres}}
  kelurahan:
    - {name: pajang, label: {id: Pajang, en: Pajang}, kecamatan: laweyan}
    - {name: mojosongo, label: {id: Mojosongo, en: Mojosongo}, kecamatan: jebres}
  access:
    - {name: fixed, label: {id: Tetap, en: Fixed}}
    - {name: mobile, label: {id: Seluler, en: Mobile}}
questions:
  - {name: visit, type: date, label: {id: Tanggal, en: Date}, required: true,
     constraint: ". <= today()", constraint_message: {id: Tidak boleh di masa depan, en: Not in the future}}
  - {name: kecamatan, type: select_one, choices: kecamatan, required: true, label: {id: Kecamatan, en: District}}
  - {name: kelurahan, type: select_one, choices: kelurahan, required: true,
     choice_filter: "kecamatan = ${kecamatan}", label: {id: Kelurahan, en: Village}}
  - {name: phone, type: text, label: {id: Telepon, en: Phone}, pii: true,
     constraint: "regex(., '^(\\\\+62|0)[0-9]{8,13}$')",
     constraint_message: {id: Hanya angka, en: Digits only}}
  - {name: hh_size, type: integer, required: true, min: 1, max: 30, label: {id: Jumlah ART, en: Household size}}
  - {name: has_internet, type: select_one, choices: yes_no, required: true, label: {id: Internet, en: Internet}}
  - {name: internet_type, type: select_multiple, choices: access, required: true,
     relevant: "${has_internet} = 'yes'", label: {id: Jenis, en: Type}}
  - name: members
    type: repeat
    repeat_count: "${hh_size}"
    label: {id: Anggota, en: Members}
    questions:
      - {name: age, type: integer, required: true, min: 0, max: 120, label: {id: Umur, en: Age}}
      - {name: used_internet, type: select_one, choices: yes_no, required: true,
         relevant: "${age} >= 5", label: {id: Internet, en: Internet}}
      - {name: age_group, type: calculate, calculation: "if(${age} < 5, '0-4', '5+')", label: {id: Grup, en: Group}}
      - {name: degree_year, type: integer, label: {id: Lulus, en: Graduated},
         constraint: ". >= 1950 and ${age} >= 17", constraint_message: {id: Umur terlalu muda, en: Too young for a degree}}
"""

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def inst():
    return instrument_from_yaml(FORM, "mini.yaml")


def good():
    return {
        "visit": "2026-11-20",
        "kecamatan": "jebres",
        "kelurahan": "mojosongo",
        "phone": "081234567890",
        "hh_size": 2,
        "has_internet": "yes",
        "internet_type": ["fixed", "mobile"],
        "members": [{"age": 40, "used_internet": "yes"}, {"age": 3}],
    }


def located(inst, answers, lang="en"):
    return [(p.field, p.code) for p in validate(inst, answers, lang=lang, today=TODAY)]


def test_valid_answers_have_no_problems(inst):
    assert located(inst, good()) == []


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"hh_size": None}, [("hh_size", "required")]),
        ({"hh_size": "dua"}, [("hh_size", "type")]),
        ({"hh_size": 250}, [("hh_size", "range")]),
        ({"hh_size": 2.5}, [("hh_size", "type")]),
        ({"phone": "0812abc"}, [("phone", "constraint")]),
        ({"visit": "2027-01-01"}, [("visit", "constraint")]),
        ({"visit": "27/11/2026"}, [("visit", "type")]),
        ({"kelurahan": "pajang"}, [("kelurahan", "choice")]),  # in Laweyan, not Jebres
        ({"kecamatan": "atlantis"}, [("kecamatan", "choice"), ("kelurahan", "choice")]),
        ({"internet_type": []}, [("internet_type", "required")]),
        ({"internet_type": ["fixed", "cable"]}, [("internet_type", "choice")]),
        ({"hh_size": 3}, [("members", "count")]),
        ({"colour": "blue"}, [("colour", "unknown")]),
        ({"phone": "08123\x00"}, [("phone", "type")]),
        ({"phone": "0" * 2001}, [("phone", "length")]),
        ({"phone": "   "}, []),  # blank optional text is simply unanswered
        ({"hh_size": "  "}, [("hh_size", "required")]),
        ({"visit": "2026-11-20garbage"}, [("visit", "type")]),
        ({"visit": "20261120"}, [("visit", "type")]),
        ({"visit": "2026-02-30"}, [("visit", "type")]),
        ({"hh_size": "\u0662"}, [("hh_size", "type")]),  # an Arabic-Indic digit is not a number here
    ],
)
def test_problems_are_located_and_coded(inst, change, expected):
    answers = {**good(), **change}
    assert located(inst, answers) == expected


def test_roster_problems_name_the_member(inst):
    answers = good()
    answers["members"] = [{"age": 250, "used_internet": "yes"}, {"age": 12, "degree_year": 2020}]
    assert located(inst, answers) == [
        ("members[0].age", "range"),
        ("members[1].used_internet", "required"),
        ("members[1].degree_year", "constraint"),  # cross-question: a 12-year-old graduate
    ]


def test_a_cross_question_rule_waits_for_the_answer_it_compares_with(inst):
    answers = good()
    answers["members"] = [{"age": 250, "used_internet": "yes", "degree_year": 2000}, {"age": 3}]
    # Only the impossible age is reported; the degree rule cannot be judged without an age.
    assert located(inst, answers) == [("members[0].age", "range")]


def test_not_relevant_answers_are_removed(inst):
    answers = {**good(), "has_internet": "no"}
    answers["members"] = [{"age": 40, "used_internet": "no"}, {"age": 3, "used_internet": "yes"}]
    cleaned, problems = clean(inst, answers, today=TODAY)
    assert problems == []
    assert "internet_type" not in cleaned
    assert cleaned["members"][1] == {"age": 3, "age_group": "0-4"}
    assert cleaned["members"][0]["age_group"] == "5+"


def test_values_are_typed(inst):
    answers = {**good(), "hh_size": "2", "internet_type": "mobile fixed"}
    cleaned, problems = clean(inst, answers, today=TODAY)
    assert problems == []
    assert cleaned["hh_size"] == 2
    assert cleaned["visit"] == dt.date(2026, 11, 20)
    assert cleaned["internet_type"] == ["mobile", "fixed"]


def test_messages_follow_the_language(inst):
    answers = {**good(), "hh_size": 250, "phone": "abc"}
    by_lang = {lang: validate(inst, answers, lang=lang, today=TODAY) for lang in ("id", "en")}
    assert [p.message for p in by_lang["en"]] == ["Digits only", "Enter a value from 1 to 30."]
    assert [p.message for p in by_lang["id"]] == ["Hanya angka", "Masukkan nilai dari 1 sampai 30."]


@pytest.mark.parametrize("answers", [None, [], "hh_size=2", 42])
def test_answers_that_are_not_a_mapping(inst, answers):
    assert located(inst, answers) == [("", "form")]


def test_an_agency_website_address_has_no_space_of_any_kind():
    from survey import load_instrument
    from survey.questionnaire.expressions import evaluate

    rule = load_instrument("agency").question("website_url").constraint
    assert evaluate(rule, {}, current="https://diskominfosp.surakarta.go.id")
    for spaced in ("https://a b.go.id", "https://a\u00a0b.go.id", "https://a\u2009b.go.id", "https://a\u3000b.go.id"):
        assert not evaluate(rule, {}, current=spaced), repr(spaced)
