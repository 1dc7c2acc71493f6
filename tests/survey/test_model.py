"""Loading instruments: the real ones load, broken ones fail with a location."""

import pytest

from survey import load_instrument
from survey.questionnaire.model import InstrumentError, instrument_from_yaml

HEAD = """
id: t
version: 1
title: {id: T, en: T}
choice_lists:
  yes_no:
    - {name: "yes", label: {id: Ya, en: "Yes"}}
    - {name: "no", label: {id: Tidak, en: "No"}}
questions:
"""


@pytest.mark.parametrize("instrument_id", ["household", "civil_servant", "agency"])
def test_real_instruments_load(instrument_id):
    inst = load_instrument(instrument_id)
    assert inst.id == instrument_id and inst.version >= 1
    names = [q.name for q in inst.all_questions()]
    assert len(names) == len(set(names))
    for q in inst.all_questions():
        assert q.label["id"] and q.label["en"]
        for labels in q.choices.values():
            assert labels["id"] and labels["en"]


def test_household_roster_and_cascading_location():
    inst = load_instrument("household")
    (members,) = inst.repeats
    assert inst.table_name(members) == "household_members"
    inner = {q.name for q in members.questions}
    assert {"sex", "age", "used_internet", "age_group"} <= inner
    kelurahan = inst.question("kelurahan")
    assert len(kelurahan.choices) == 54
    assert {c.filters["kecamatan"] for c in kelurahan.choice_options} == set(inst.question("kecamatan").choices)
    assert {q.name for q in inst.all_questions() if q.pii} >= {"respondent_name", "phone", "member_name", "gps"}


@pytest.mark.parametrize(
    "question, fragment",
    [
        ("- {name: a, type: integer, label: {id: A, en: A}, relevant: '${b} >'}", "question 'a'"),
        ("- {name: a, type: integer, label: {id: A, en: A}, relevant: '${zz} > 1'}", "unknown question(s): zz"),
        ("- {name: a, type: number, label: {id: A, en: A}}", "unknown type 'number'"),
        ("- {name: a, type: integer, label: {en: A}}", "both languages"),
        ("- {name: a, type: select_one, choices: colours, label: {id: A, en: A}}", "choice_lists"),
        ("- {name: A-1, type: text, label: {id: A, en: A}}", "lower-case"),
        ("- {name: a, type: integer, label: {id: A, en: A}, constraint: '. > 1'}", "constraint_message"),
        ("- {name: a, type: text, label: {id: A, en: A}}\n- {name: a, type: text, label: {id: A, en: A}}", "used twice"),
        ("- {name: a, type: text, label: {id: A, en: A}, appearance: rupiah}", "appearance: rupiah is for an integer"),
    ],
)
def test_broken_instruments_are_located(question, fragment):
    with pytest.raises(InstrumentError) as err:
        instrument_from_yaml(HEAD + question, "t.yaml")
    assert "t.yaml" in str(err.value) and fragment in str(err.value)


def test_money_is_the_appearance_never_the_label():
    inst = instrument_from_yaml(HEAD + """
- {name: spend, type: integer, label: {id: Belanja, en: Spending}, appearance: rupiah}
- {name: count, type: integer, label: {id: "Jumlah (Rp)", en: "Count (IDR)"}}
""", "t.yaml")
    assert inst.question("spend").money and not inst.question("count").money
    assert load_instrument("household").question("ict_spending").money


def test_malformed_expression_reports_position():
    with pytest.raises(InstrumentError) as err:
        instrument_from_yaml(HEAD + "- {name: a, type: integer, label: {id: A, en: A}, relevant: '1 + (2'}", "t.yaml")
    assert "question 'a'" in str(err.value) and "position" in str(err.value)


def test_unknown_instrument_lists_the_available_ones():
    with pytest.raises(InstrumentError, match="household"):
        load_instrument("housework")


def test_a_pattern_that_does_not_compile_is_reported_at_load_with_file_question_and_position():
    question = ("- {name: plate, type: text, label: {id: A, en: A}, constraint: \"regex(., '^([A-Z]{3}-[0-9]{3}$')\", "
                "constraint_message: {id: Salah, en: Wrong}}")
    with pytest.raises(InstrumentError) as err:
        instrument_from_yaml(HEAD + question, "t.yaml")
    text = str(err.value)
    assert "t.yaml" in text and "question 'plate'" in text and "position 11" in text and "missing )" in text


def test_a_yaml_mistake_is_located_and_named():
    with pytest.raises(InstrumentError) as err:
        instrument_from_yaml("id: t\n\tversion: 1\n", "t.yaml")       # a tab, the commonest slip
    text = str(err.value)
    assert "t.yaml" in text and "not valid YAML" in text and "'\\t'" in text and "line 2, column 1" in text
