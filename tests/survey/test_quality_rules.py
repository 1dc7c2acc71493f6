"""The quality: block of an instrument: parsed into Instrument.quality, broken ones fail at load."""

import datetime as dt

import pytest

from survey import load_instrument
from survey.questionnaire.model import InstrumentError, instrument_from_yaml
from survey.questionnaire.quality_rules import LikertBlock, OutlierRule, QualityRules

HEAD = """
id: t
version: 1
title: {id: T, en: T}
choice_lists:
  area:
    - {name: north, label: {id: Utara, en: North}}
    - {name: south, label: {id: Selatan, en: South}}
  agree:
    - {name: "1", label: {id: Tidak, en: Disagree}}
    - {name: "2", label: {id: Setuju, en: Agree}}
questions:
  - {name: area, type: select_one, choices: area, label: {id: Wilayah, en: Area}}
  - {name: name, type: text, label: {id: Nama, en: Name}}
  - {name: size, type: integer, label: {id: Ukuran, en: Size}}
  - {name: spend, type: decimal, label: {id: Belanja, en: Spending}}
  - {name: a1, type: select_one, choices: agree, label: {id: A1, en: A1}}
  - {name: a2, type: select_one, choices: agree, label: {id: A2, en: A2}}
  - {name: a3, type: select_one, choices: agree, label: {id: A3, en: A3}}
  - {name: gap, type: note, label: {id: Catatan, en: Note}}
  - {name: a4, type: select_one, choices: agree, label: {id: A4, en: A4}}
  - {name: a5, type: select_one, choices: agree, label: {id: A5, en: A5}}
  - name: people
    type: repeat
    label: {id: Orang, en: Person}
    questions:
      - {name: p1, type: select_one, choices: agree, label: {id: P1, en: P1}}
      - {name: p2, type: select_one, choices: agree, label: {id: P2, en: P2}}
"""


def load(block: str):
    return instrument_from_yaml(HEAD + block, source="t.yaml").quality


def test_the_study_instruments_have_their_checks():
    household = load_instrument("household").quality
    assert household.checks == ("too_fast", "outlier", "many_missing", "odd_hour", "duplicate_household")
    assert (household.min_minutes, household.fast_ratio, household.size) == (10.0, 0.4, "hh_size")
    assert household.duplicate_match == ("respondent_name", "kelurahan") and household.duplicate_phone == "phone"
    assert {r.question for r in household.outliers} == {"income_monthly", "ict_spending", "hh_size"}
    civil = load_instrument("civil_servant").quality
    assert civil.likert_blocks == (LikertBlock(("lead_vision", "lead_budget", "lead_example", "lead_policy",
                                                "lead_monitoring", "lead_infrastructure")),)
    assert "straightlining" in civil.checks


def test_no_block_checks_only_the_odd_hours():
    rules = instrument_from_yaml(HEAD, source="t.yaml").quality
    assert rules == QualityRules() and rules.checks == ("odd_hour",)
    assert (rules.odd_from, rules.odd_to) == (dt.time(22), dt.time(5))


def test_a_full_block():
    rules = load("""quality:
  min_minutes: 8
  fast_ratio: 0.5
  size: size
  min_peers: 3
  likert: [agree]
  min_block: 2
  outliers: {within: area, limit: 3, min_group: 4, questions: {size: linear, spend: {scale: log, limit: 5}}}
  missing: {share: 0.4, choices: [dont_know], ignore: [name]}
  odd_hours: {from: "21:30", to: "06:00"}
  duplicate: {match: [name, area]}
""")
    assert rules.min_minutes == 8 and rules.fast_ratio == 0.5 and rules.min_peers == 3
    # runs of consecutive questions on the list: a note ends a run, a repeat has its own
    assert rules.likert_blocks == (LikertBlock(("a1", "a2", "a3")), LikertBlock(("a4", "a5")),
                                   LikertBlock(("p1", "p2"), "people"))
    assert rules.outliers == (OutlierRule("size", "linear", 3.0), OutlierRule("spend", "log", 5.0))
    assert (rules.outlier_within, rules.outlier_min_group) == ("area", 4)
    assert (rules.missing_share, rules.missing_choices, rules.missing_ignore) == (0.4, ("dont_know",), ("name",))
    assert (rules.odd_from, rules.odd_to) == (dt.time(21, 30), dt.time(6))
    assert rules.duplicate_match == ("name", "area") and rules.duplicate_phone is None


@pytest.mark.parametrize("block, says", [
    ("quality: [1]", "must be a mapping"),
    ("quality: {min_minute: 5}", "unknown key(s) min_minute"),
    ("quality: {min_minutes: 0}", "min_minutes must be a number above 0"),
    ("quality: {fast_ratio: 1.5}", "fast_ratio must be a number above 0 and at most 1"),
    ("quality: {size: area2}", "quality.size must name"),
    ("quality: {min_peers: 0}", "min_peers must be a whole number"),
    ("quality: {likert: [nope]}", "no select_one question uses the choice list(s) nope"),
    ("quality: {likert: [area]}", "no two consecutive questions"),
    ("quality: {min_block: 1}", "min_block must be a whole number of at least 2"),
    ("quality: {outliers: {questions: {name: log}}}", "'name' is not a number question"),
    ("quality: {outliers: {questions: {size: cubic}}}", "size is log, linear"),
    ("quality: {outliers: {within: size, questions: {size: log}}}", "within must name a select_one"),
    ("quality: {missing: {choices: [x]}}", "quality.missing needs share"),
    ("quality: {missing: {share: 0.5, ignore: [ghost]}}", "unknown question(s) ghost"),
    ("quality: {odd_hours: {from: 22, to: 5}}", "time of day as \"HH:MM\""),
    ("quality: {odd_hours: {from: \"22:00\", to: \"22:00\"}}", "from and to must differ"),
    ("quality: {duplicate: {match: [a1, ghost]}}", "'ghost' is not a text"),
    ("quality: {duplicate: {match: [name], phone: size}}", "phone must name a text question"),
])
def test_a_broken_block_fails_at_load_with_file_and_key(block, says):
    with pytest.raises(InstrumentError) as error:
        load(block)
    assert says in str(error.value) and str(error.value).startswith("t.yaml")
