"""The steps of a questionnaire from its answers (plain data, no Streamlit)."""

import pytest

from survey.questionnaire.model import instrument_from_yaml
from survey.questionnaire.validate import clean
from ui.entry.steps import REVIEW, sections, step_of, steps

FORM = """
id: mini
version: 1
title: {id: Mini, en: Mini}
choice_lists:
  yes_no:
    - {name: "yes", label: {id: Ya, en: "Yes"}}
    - {name: "no", label: {id: Tidak, en: "No"}}
questions:
  - {name: consent, type: select_one, choices: yes_no, required: true, label: {id: Setuju, en: Consent},
     section: {id: Persetujuan, en: Consent}, end_if: ". = 'no'"}
  - {name: place, type: text, label: {id: Tempat, en: Place}, section: {id: Lokasi, en: Location}}
  - {name: size, type: integer, label: {id: Jumlah, en: Size}, section: {id: Anggota, en: Members}}
  - name: people
    type: repeat
    label: {id: Orang, en: Person}
    repeat_count: "${size}"
    questions:
      - {name: age, type: integer, label: {id: Umur, en: Age}}
  - {name: note_after, type: text, label: {id: Catatan, en: Note}}
  - {name: online, type: select_one, choices: yes_no, label: {id: Daring, en: Online},
     section: {id: Internet, en: Internet}}
  - {name: how, type: text, label: {id: Cara, en: How}, relevant: "${online} = 'yes'",
     section: {id: Cara, en: How}}
"""


@pytest.fixture(scope="module")
def inst():
    return instrument_from_yaml(FORM)


def ids(inst, answers):
    return [s.id for s in steps(inst, clean(inst, answers)[0])]


def test_a_repeat_ends_its_section(inst):
    found = sections(inst)
    assert [s.id for s in found] == ["consent", "place", "size", "note_after", "online", "how"]
    assert found[3].title["en"] == "Members"  # what follows a roster keeps the section's title


def test_one_step_per_member_and_hidden_sections_left_out(inst):
    assert ids(inst, {"consent": "yes"}) == ["consent", "place", "size", "note_after", "online", REVIEW]
    assert ids(inst, {"consent": "yes", "size": 2, "online": "yes"}) == [
        "consent", "place", "size", "people__0", "people__1", "note_after", "online", "how", REVIEW]
    assert ids(inst, {"consent": "yes", "size": 250}) == ids(inst, {"consent": "yes", "size": 30})[:3] + [
        f"people__{i}" for i in range(30)] + ["note_after", "online", REVIEW]


def test_after_the_end_only_the_review_follows(inst):
    assert ids(inst, {"consent": "no", "size": 2}) == ["consent", REVIEW]


def test_a_widget_or_a_problem_is_found_on_its_step(inst):
    all_steps = steps(inst, clean(inst, {"consent": "yes", "size": 2})[0])
    assert step_of(all_steps, "age__1").id == "people__1"
    assert step_of(all_steps, "people").id == "size"  # the roster's own problems: with its count
    assert step_of(all_steps, "place").id == "place"
    assert step_of(all_steps, "age__7") is None
