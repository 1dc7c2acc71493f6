"""end_if ends an interview (a refusal, a non-contact); calculations use only valid answers."""

import datetime as dt

import pytest

from survey import load_instrument, validate
from survey.questionnaire.model import InstrumentError, instrument_from_yaml
from survey.questionnaire.validate import clean, end_question
from survey.simulate import generate

FORM = """
id: visit
version: 1
title: {id: Kunjungan, en: Visit}
choice_lists:
  outcome:
    - {name: completed, label: {id: Selesai, en: Completed}}
    - {name: refused, label: {id: Menolak, en: Refused}}
  yes_no:
    - {name: "yes", label: {id: Ya, en: "Yes"}}
    - {name: "no", label: {id: Tidak, en: "No"}}
questions:
  - {name: outcome, type: select_one, choices: outcome, required: true, label: {id: Hasil, en: Outcome},
     end_if: ". != 'completed'"}
  - {name: consent, type: select_one, choices: yes_no, required: true, label: {id: Setuju, en: Consent},
     relevant: "${outcome} = 'completed'", end_if: ". = 'no'"}
  - {name: age, type: integer, required: true, min: 0, max: 120, label: {id: Umur, en: Age}}
  - {name: age_group, type: calculate, label: {id: Kelompok, en: Group},
     calculation: "if(${age} < 15, 'child', 'adult')"}
  - name: members
    type: repeat
    label: {id: Anggota, en: Member}
    repeat_count: "2"
    questions:
      - {name: member_age, type: integer, required: true, min: 0, max: 120, label: {id: Umur, en: Age}}
      - {name: member_group, type: calculate, label: {id: Kelompok, en: Group},
         calculation: "if(${member_age} < 15, 'child', 'adult')"}
"""


@pytest.fixture(scope="module")
def inst():
    return instrument_from_yaml(FORM)


def problems(inst, answers):
    return [(p.field, p.code) for p in validate(inst, answers)]


def test_a_refusal_is_a_short_valid_record(inst):
    answers = {"outcome": "completed", "consent": "no", "age": 250, "members": [{"member_age": 3}]}
    cleaned, found = clean(inst, answers)
    assert found == []  # nothing later is required, nor checked (the 250 is not kept either)
    assert cleaned == {"outcome": "completed", "consent": "no"}
    assert end_question(inst, cleaned).name == "consent"


def test_a_non_contact_ends_before_the_consent(inst):
    cleaned, found = clean(inst, {"outcome": "refused"})
    assert found == [] and cleaned == {"outcome": "refused"}
    assert end_question(inst, cleaned).name == "outcome"


def test_an_unanswered_or_invalid_answer_never_ends_the_interview(inst):
    assert ("age", "required") in problems(inst, {"outcome": "completed", "consent": "yes"})
    assert ("age", "required") in problems(inst, {"outcome": "completed"})
    assert problems(inst, {"outcome": "nobody_knows", "age": 30, "members": [{"member_age": 1}] * 2}) == [
        ("outcome", "choice")]
    cleaned, _ = clean(inst, {"outcome": "completed", "consent": "yes", "age": 30})
    assert end_question(inst, cleaned) is None


def test_a_calculation_waits_for_valid_answers(inst):
    cleaned, found = clean(inst, {"outcome": "completed", "consent": "yes", "age": 250,
                                  "members": [{"member_age": 250}, {"member_age": 40}]})
    assert ("age", "range") in [(p.field, p.code) for p in found]
    assert cleaned["age_group"] is None
    assert cleaned["members"][0].get("member_group") is None  # no group from a rejected age
    assert cleaned["members"][1]["member_group"] == "adult"
    cleaned, _ = clean(inst, {"outcome": "completed", "consent": "yes", "age": 9})
    assert cleaned["age_group"] == "child"


@pytest.mark.parametrize("question", [
    "{name: n, type: note, label: {id: N, en: N}, end_if: '. = 1'}",
    "{name: c, type: calculate, calculation: '1', label: {id: C, en: C}, end_if: '. = 1'}",
])
def test_end_if_needs_an_answered_main_form_question(question):
    text = f"id: x\nversion: 1\ntitle: {{id: X, en: X}}\nquestions:\n  - {question}\n"
    with pytest.raises(InstrumentError, match="end_if is for a question of the main form"):
        instrument_from_yaml(text)


def test_end_if_inside_a_repeat_is_refused():
    text = """
id: x
version: 1
title: {id: X, en: X}
questions:
  - name: r
    type: repeat
    label: {id: R, en: R}
    questions:
      - {name: a, type: integer, label: {id: A, en: A}, end_if: ". = 0"}
"""
    with pytest.raises(InstrumentError, match="end_if is for a question of the main form"):
        instrument_from_yaml(text)


def test_a_malformed_or_dangling_end_if_fails_at_load():
    base = "id: x\nversion: 1\ntitle: {id: X, en: X}\nquestions:\n  - {name: a, type: integer, label: {id: A, en: A}, end_if: \"%s\"}\n"
    with pytest.raises(InstrumentError, match="end_if"):
        instrument_from_yaml(base % ". = = 1")
    with pytest.raises(InstrumentError, match="unknown question"):
        instrument_from_yaml(base % "${nowhere} = 1")


def test_the_study_instruments_open_with_consent():
    household = load_instrument("household")
    assert [q.name for q in household.questions[:3]] == ["visit_outcome", "consent_statement", "consent"]
    assert list(household.question("visit_outcome").choices) == [
        "completed", "refused", "nobody_home", "vacant_or_not_found", "other"]
    for name in ("civil_servant", "agency"):
        inst = load_instrument(name)
        assert [q.name for q in inst.questions[:2]] == ["consent_statement", "consent"]
        assert list(inst.question("consent").choices) == ["yes", "no"]
        # A refusal still says where and when: the identifying questions are asked.
        cleaned, found = clean(inst, {"consent": "no"})
        assert [(p.field, p.code) for p in found] == [("interview_date", "required"), ("agency", "required")]
        cleaned, found = clean(inst, {"consent": "no", "interview_date": "2026-11-30", "agency": "bappeda",
                                      "has_lan" if name == "agency" else "sex": "yes" if name == "agency" else "male"})
        assert found == [] and cleaned == {"consent": "no", "interview_date": dt.date(2026, 11, 30), "agency": "bappeda"}
    place = {"interview_date": "2026-11-30", "kecamatan": "jebres", "kelurahan": "mojosongo", "rw": 3, "rt": 2,
             "psu": "JEB-001"}
    cleaned, found = clean(household, {"visit_outcome": "nobody_home", **place, "has_tv": "yes"})
    assert found == [] and set(cleaned) == {"visit_outcome", *place}


def test_identifying_questions_are_asked_after_the_end_and_only_on_the_main_form():
    text = """
id: x
version: 1
title: {id: X, en: X}
choice_lists:
  yes_no: [{name: "yes", label: {id: Ya, en: "Yes"}}, {name: "no", label: {id: Tidak, en: "No"}}]
questions:
  - {name: consent, type: select_one, choices: yes_no, required: true, end_if: ". = 'no'", label: {id: S, en: C}}
  - {name: place, type: text, identifying: true, required: true, label: {id: T, en: P}}
  - {name: age, type: integer, required: true, label: {id: U, en: A}}
"""
    inst = instrument_from_yaml(text)
    assert [(p.field, p.code) for p in clean(inst, {"consent": "no"})[1]] == [("place", "required")]
    assert clean(inst, {"consent": "no", "place": "RT 2", "age": 5})[0] == {"consent": "no", "place": "RT 2"}
    assert [p.field for p in clean(inst, {"consent": "yes", "place": "RT 2"})[1]] == ["age"]
    bad = text.replace("type: text, identifying: true", "type: note, identifying: true").replace(", required: true, label: {id: T", ", label: {id: T")
    with pytest.raises(InstrumentError, match="identifying is for a question"):
        instrument_from_yaml(bad)


def test_simulated_interviews_are_completed_with_consent():
    for name in ("household", "civil_servant", "agency"):
        answers = generate(name, n=3, seed=5)
        assert all(a["consent"] == "yes" for a in answers)
        assert all(validate(load_instrument(name), a) == [] for a in answers)
    assert {a["visit_outcome"] for a in generate("household", n=3, seed=5)} == {"completed"}
