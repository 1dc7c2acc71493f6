"""The design: block of an instrument: parsed into Instrument.design, broken ones fail at load."""

import pytest

from survey import load_instrument
from survey.questionnaire.model import InstrumentError, instrument_from_yaml
from survey.questionnaire.sampling_design import LONELY_PSU, Calibration, PopulationCounts, SamplingDesign

HEAD = """
id: t
version: 1
title: {id: T, en: T}
choice_lists:
  area:
    - {name: north, label: {id: Utara, en: North}}
    - {name: south, label: {id: Selatan, en: South}}
  sex:
    - {name: male, label: {id: Laki-laki, en: Male}}
    - {name: female, label: {id: Perempuan, en: Female}}
questions:
  - {name: area, type: select_one, choices: area, label: {id: Wilayah, en: Area}, required: true}
  - {name: block, type: text, label: {id: Blok, en: Block}, required: true}
  - {name: size, type: integer, label: {id: Ukuran, en: Size}}
  - name: people
    type: repeat
    label: {id: Orang, en: Person}
    questions:
      - {name: sex, type: select_one, choices: sex, label: {id: Jenis kelamin, en: Sex}}
"""


def load(design: str):
    return instrument_from_yaml(HEAD + design, source="t.yaml")


def test_the_study_designs():
    household = load_instrument("household").design
    assert (household.strata, household.psu, household.fpc, household.lonely_psu) == (
        "kecamatan", "psu", None, "adjust")
    assert household.base == "frame" and household.weighted
    assert household.calibrate == Calibration("poststratify", ("kecamatan",), "household")
    assert household.repeats["members"] == Calibration("poststratify", ("kecamatan", "sex"), "person")
    assert household.target_moe == 5.0
    civil = load_instrument("civil_servant").design
    assert civil.strata == "agency" and civil.base == "counts" and civil.counts_fpc
    assert civil.counts == PopulationCounts("agency", "staff_count")
    agency = load_instrument("agency").design
    assert agency.census == "agency" and not agency.weighted


def test_no_block_is_a_simple_random_sample_with_equal_weights():
    design = instrument_from_yaml(HEAD, source="t.yaml").design
    assert design == SamplingDesign() and not design.weighted and design.lonely_psu == "fail"


def test_a_full_block():
    design = load("""design:
  strata: area
  psu: block
  lonely_psu: average
  weights:
    base: frame
    calibrate: {method: rake, by: [area], unit: household}
  repeats:
    people:
      calibrate: {method: poststratify, by: [area, sex], unit: person}
  target_moe: 3.5
""").design
    assert design.calibrate.method == "rake" and design.repeats["people"].by == ("area", "sex")
    assert design.target_moe == 3.5 and design.lonely_psu in LONELY_PSU


@pytest.mark.parametrize("block, words", [
    ("design: [strata]", "must be a mapping"),
    ("design: {stratum: area}", "unknown key(s) stratum"),
    ("design: {strata: region}", "design.strata must name a stored question"),
    ("design: {psu: people}", "design.psu must name a stored question"),
    ("design: {lonely_psu: certainty}", "lonely_psu must be one of"),
    ("design: {weights: {base: sampling_frame}}", "weights.base must be one of"),
    ("design: {weights: {base: frame}}", "needs design.psu"),
    ("design: {weights: {base: counts, counts: {instrument: a, question: b}}}", "needs design.strata"),
    ("design: {strata: area, weights: {base: counts}}", "counts needs {instrument"),
    ("design: {strata: area, weights: {base: none, fpc: true}}", "only with base 'counts'"),
    ("design: {psu: block, weights: {base: frame, calibrate: {method: calibrate, by: area, unit: x}}}",
     "method must be one of"),
    ("design: {weights: {calibrate: {method: rake, by: [size], unit: x}}}", "'size' is not a select_one"),
    ("design: {weights: {calibrate: {method: rake, by: [area]}}}", "unit must say"),
    ("design: {repeats: {members: {calibrate: {method: rake, by: [sex], unit: person}}}}",
     "'members' is not a repeat group"),
    ("design: {census: block}", "census must name a select_one"),
    ("design: {census: area, strata: area}", "takes no strata"),
    ("design: {target_moe: 0}", "target_moe is a margin of error"),
    ("design: {target_moe: five}", "target_moe is a margin of error"),
])
def test_broken_blocks_fail_at_load_with_the_file_and_key(block, words):
    with pytest.raises(InstrumentError) as err:
        load(block)
    assert "t.yaml" in str(err.value) and words in str(err.value)


def test_a_repeat_calibration_sees_the_household_questions_too():
    design = load("design: {repeats: {people: {calibrate: {method: rake, by: [area, sex], unit: person}}}}")
    assert design.design.repeats["people"].by == ("area", "sex")


def test_the_analysis_lonely_psu_options_are_the_same():
    from analysis.estimation.survey_design import LONELY_PSU_OPTIONS

    assert set(LONELY_PSU) == set(LONELY_PSU_OPTIONS)
