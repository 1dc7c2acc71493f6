"""The questions the code acts on are named in the questionnaire: a question's `default:`, the
`fieldwork:` and `analysis:` blocks. Parsed into the frozen Instrument; broken ones fail at load."""

import pytest

from survey import load_instrument
from survey.questionnaire.analysis_defaults import AnalysisDefaults, CrosstabDefault
from survey.questionnaire.fieldwork_rules import FieldworkRules
from survey.questionnaire.model import LAST_SAVED, TODAY, InstrumentError, instrument_from_yaml

HEAD = """
id: t
version: 1
title: {id: T, en: T}
choice_lists:
  outcome:
    - {name: done, label: {id: Selesai, en: Done}}
    - {name: refused, label: {id: Menolak, en: Refused}}
    - {name: away, label: {id: Pergi, en: Away}}
    - {name: empty, label: {id: Kosong, en: Empty}}
  yes_no:
    - {name: "yes", label: {id: Ya, en: "Yes"}}
    - {name: "no", label: {id: Tidak, en: "No"}}
questions:
  - {name: outcome, type: select_one, choices: outcome, label: {id: Hasil, en: Outcome}}
  - {name: agree, type: select_one, choices: yes_no, label: {id: Setuju, en: Agree}}
  - {name: day, type: date, label: {id: Tanggal, en: Day}}
  - {name: place, type: text, label: {id: Tempat, en: Place}}
  - {name: total, type: calculate, calculation: "1", label: {id: Total, en: Total}}
  - name: people
    type: repeat
    label: {id: Orang, en: Person}
    questions:
      - {name: sex, type: select_one, choices: yes_no, label: {id: P1, en: P1}}
      - {name: age, type: integer, label: {id: Umur, en: Age}}
"""


def load(extra: str = "", **replace: str):
    text = HEAD
    for old, new in replace.items():
        text = text.replace(old, new)
    return instrument_from_yaml(text + extra)


def test_defaults_are_today_for_a_date_and_last_saved_for_an_answer_of_the_main_form():
    inst = load(**{"{name: day, type: date,": "{name: day, type: date, default: today(),",
                   "{name: place, type: text,": "{name: place, type: text, default: last-saved,"})
    assert (inst.question("day").default, inst.question("place").default) == (TODAY, LAST_SAVED)
    assert inst.question("outcome").default is None


@pytest.mark.parametrize("replace, says", [
    ({"{name: place, type: text,": "{name: place, type: text, default: today(),"}, "today() is for a date"),
    ({"{name: day, type: date,": "{name: day, type: date, default: yesterday,"}, "default is today() or last-saved"),
    ({"{name: total, type: calculate,": "{name: total, type: calculate, default: last-saved,"}, "main form"),
    ({"{name: age, type: integer,": "{name: age, type: integer, default: last-saved,"}, "main form"),
])
def test_a_default_the_form_cannot_give_fails_at_load(replace, says):
    with pytest.raises(InstrumentError, match=says.replace("(", r"\(").replace(")", r"\)")):
        load(**replace)


def test_the_fieldwork_block():
    inst = load("""
fieldwork:
  outcome: {question: outcome, completed: done, refusal: [refused], noncontact: [away], ineligible: [empty]}
  consent: {question: agree, agreed: "yes"}
  date: day
  identify: [place, outcome]
""")
    rules = inst.fieldwork
    assert rules.identify == ("place", "outcome") and FieldworkRules().identify == ()
    assert (rules.outcome, rules.completed, rules.consent, rules.agreed, rules.date) == (
        "outcome", "done", "agree", "yes", "day")
    assert dict(rules.dispositions) == {"refused": "refusal", "away": "noncontact", "empty": "ineligible"}
    assert rules.completion == (("outcome", "done"), ("agree", "yes"))
    assert load().fieldwork == FieldworkRules() and FieldworkRules().completion == ()


@pytest.mark.parametrize("block, says", [
    ("fieldwork: [outcome]", "must be a mapping"),
    ("fieldwork: {visit: outcome}", "unknown key"),
    ("fieldwork: {outcome: {question: outcome}}", "fieldwork.outcome is"),
    ("fieldwork: {outcome: {question: place, completed: done}}", "select_one question of the main form"),
    ("fieldwork: {outcome: {question: sex, completed: 'yes'}}", "select_one question of the main form"),
    ("fieldwork: {outcome: {question: outcome, completed: finished}}", "must be a choice of outcome"),
    ("fieldwork: {outcome: {question: outcome, completed: done, refusal: [done]}}", "not another choice"),
    ("fieldwork: {outcome: {question: outcome, completed: done, refusal: [away], noncontact: [away]}}",
     "not another choice"),
    ("fieldwork: {outcome: {question: outcome, completed: done, other: [away]}}", "unknown key"),
    ("fieldwork: {consent: {question: agree, agreed: true}}", "must be a choice of agree"),
    ("fieldwork: {date: place}", "date question of the main form"),
    ("fieldwork: {identify: place}", "identify lists questions of the main form"),
    ("fieldwork: {identify: []}", "identify lists questions of the main form"),
    ("fieldwork: {identify: [sex]}", "identify lists questions of the main form"),
    ("fieldwork: {identify: [people]}", "identify lists questions of the main form"),
])
def test_a_broken_fieldwork_block_fails_at_load(block, says):
    with pytest.raises(InstrumentError, match=says):
        load(block + "\n")


def test_the_analysis_block():
    inst = load("analysis:\n  crosstab: {row: outcome, col: agree, percent: col}\n")
    assert inst.analysis == AnalysisDefaults(CrosstabDefault("outcome", "agree", "col"))
    assert load("analysis:\n  crosstab: {row: sex, col: head_sex}\n").analysis.crosstab.percent == "row"
    assert load().analysis == AnalysisDefaults()
    assert load("analysis:\n  explore: agree\n").analysis == AnalysisDefaults(explore="agree")


@pytest.mark.parametrize("block, says", [
    ("analysis: {crosstab: {row: outcome}}", "analysis.crosstab is"),
    ("analysis: {crosstab: {row: outcome, col: nowhere}}", "analysis.crosstab.col must name"),
    ("analysis: {crosstab: {row: head_outcome, col: agree}}", "analysis.crosstab.row must name"),
    ("analysis: {crosstab: {row: outcome, col: outcome}}", "must differ"),
    ("analysis: {crosstab: {row: outcome, col: agree, percent: cell}}", "percent must be one of"),
    ("analysis: {tables: []}", "unknown key"),
    ("analysis: {explore: nowhere}", "analysis.explore must name a question"),
])
def test_a_broken_analysis_block_fails_at_load(block, says):
    with pytest.raises(InstrumentError, match=says):
        load(block + "\n")


def test_the_study_questionnaires_name_their_roles():
    household = load_instrument("household")
    assert [q.name for q in household.questions if q.default == LAST_SAVED] == [
        "kecamatan", "kelurahan", "rw", "rt", "psu"]
    assert household.fieldwork.completion == (("visit_outcome", "completed"), ("consent", "yes"))
    assert household.analysis.crosstab == CrosstabDefault("has_computer", "head_education", "col")
    for name in ("household", "civil_servant", "agency"):
        inst = load_instrument(name)
        assert [q.name for q in inst.questions if q.default == TODAY] == ["interview_date"]
        assert inst.fieldwork.date == "interview_date" and inst.fieldwork.consent == "consent"
        assert inst.fieldwork.identify and inst.fieldwork.identify[0] in ("respondent_name", "agency")
    assert load_instrument("agency").analysis.crosstab == CrosstabDefault("has_website", "has_intranet", "col")
