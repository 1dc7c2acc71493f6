"""frame.csv and population.csv: checked with clear messages; a bad upload changes nothing."""

import pandas as pd
import pytest

from analysis.dataset.datafiles import (
    FRAME_FILE,
    POPULATION_FILE,
    check_frame,
    check_population,
    parse_csv,
    population_totals,
    read_csv,
    save_frame,
    save_population,
)
from survey import load_instrument
from survey.simulate.sampling import population_counts, sample_frame, write_frame, write_population

HOUSEHOLD = load_instrument("household")
GOOD = """kecamatan,psu,households_in_psu,prob_psu,prob_within
laweyan,LAW-001,100,0.1,0.1
jebres,JEB-002,80,0.05,
"""


def frame(text=GOOD):
    table, problems = parse_csv(text.encode(), FRAME_FILE)
    assert problems == []
    return table


def codes(problems):
    return [p.code for p in problems]


def test_the_simulators_frame_and_population_pass(tmp_path):
    write_frame(sample_frame(200, 1), tmp_path / FRAME_FILE)
    write_population(tmp_path / POPULATION_FILE)
    assert check_frame(read_csv(tmp_path / FRAME_FILE), HOUSEHOLD) == []
    assert check_population(read_csv(tmp_path / POPULATION_FILE), [HOUSEHOLD]) == []
    assert read_csv(tmp_path / "missing.csv") is None


@pytest.mark.parametrize("text, code, words", [
    ("kecamatan,psu,prob_psu\nlaweyan,LAW-001,0.1\n", "file.columns", "prob_within / households_in_psu"),
    ("kecamatan,psu,prob_psu,prob_within\n,LAW-001,0.1,0.1\n", "file.blank", "kecamatan is empty in 1 row(s) (rows 2)"),
    ("kecamatan,psu,prob_psu,prob_within\nlaweyan,LAW-001,a tenth,0.1\n", "file.not_numeric", "'a tenth'"),
    ("kecamatan,psu,prob_psu,households_in_psu\nlaweyan,LAW-001,0.1,-5\n", "file.negative", "households_in_psu"),
    ("kecamatan,psu,prob_psu,prob_within\nlaweyan,LAW-001,1.5,0.1\n", "file.probability", "prob_psu"),
    ("kecamatan,psu,prob_psu,prob_within\nsolo,LAW-001,0.1,0.1\n", "file.unknown_value", "'solo'"),
    ("kecamatan,psu,prob_psu,prob_within\nlaweyan,LAW-001,0.1,0.1\nlaweyan,LAW-001,0.2,0.1\n",
     "file.duplicate", "laweyan/LAW-001"),
    ("kecamatan,psu,prob_psu,prob_within,households_in_psu\nlaweyan,LAW-001,0.1,,\n", "frame.within", "LAW-001"),
    ("kecamatan,psu,prob_psu,prob_within\n", "file.empty", "frame.csv"),
])
def test_frame_problems(text, code, words):
    problems = check_frame(frame(text), HOUSEHOLD)
    assert code in codes(problems)
    message = next(p for p in problems if p.code == code)
    assert words in message.text("en") and message.text("id") != message.text("en")


def test_responses_in_psus_the_frame_does_not_list():
    responses = pd.DataFrame({"kecamatan": ["laweyan", "laweyan", "serengan"],
                              "psu": ["LAW-001", "LAW-001", "SER-009"]})
    (problem,) = check_frame(frame(), HOUSEHOLD, responses)
    assert problem.code == "frame.unknown_psu" and "serengan/SER-009" in problem.text("en")
    assert problem.text("id").startswith("1 respons")


def test_a_bad_upload_changes_nothing_and_a_good_one_replaces_the_file(tmp_path):
    (tmp_path / FRAME_FILE).write_text(GOOD)
    problems = save_frame(tmp_path, b"kecamatan,psu\nlaweyan,LAW-001\n", HOUSEHOLD)
    assert codes(problems) == ["file.columns"]
    assert (tmp_path / FRAME_FILE).read_text() == GOOD
    assert save_frame(tmp_path, b"\xff\xfe not utf-8", HOUSEHOLD)[0].code == "file.unreadable"
    better = GOOD.replace("0.05", "0.06").encode()
    assert save_frame(tmp_path, better, HOUSEHOLD) == []
    assert (tmp_path / FRAME_FILE).read_bytes() == better
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


POPULATION = """unit,kecamatan,sex,total
household,laweyan,,100
person,laweyan,male,120
person,laweyan,female,130
person,jebres,male,50
person,jebres,female,60
"""


def test_population_totals_exact_cells_first_else_summed():
    table, _ = parse_csv(POPULATION, POPULATION_FILE)
    households = population_totals(table, "household", ["kecamatan"])
    assert households.to_dict("list") == {"kecamatan": ["laweyan"], "total": [100.0]}
    persons = population_totals(table, "person", ["kecamatan"])        # summed over sex
    assert persons.to_dict("list") == {"kecamatan": ["laweyan", "jebres"], "total": [250.0, 110.0]}
    cells = population_totals(table, "person", ["kecamatan", "sex"])
    assert len(cells) == 4 and cells["total"].sum() == 360
    assert population_totals(table, "person", ["age"]) is None
    assert population_totals(table, "dwelling", ["kecamatan"]) is None


@pytest.mark.parametrize("text, code, words", [
    ("kecamatan,total\nlaweyan,5\n", "file.columns", "unit"),
    ("unit,district,total\nhousehold,laweyan,5\n", "file.columns", "(no question) district"),
    ("unit,kecamatan,total\nhousehold,laweyan,many\n", "file.not_numeric", "'many'"),
    ("unit,kecamatan,total\nhousehold,laweyan,-1\n", "file.negative", "total"),
    ("unit,kecamatan,total\nhousehold,solo,5\n", "file.unknown_value", "'solo'"),
    ("unit,kecamatan,total\nhousehold,laweyan,5\nhousehold,laweyan,6\n", "file.duplicate", "household/laweyan"),
])
def test_population_problems(text, code, words):
    table, _ = parse_csv(text, POPULATION_FILE)
    problems = check_population(table, [HOUSEHOLD])
    assert code in codes(problems) and words in next(p for p in problems if p.code == code).text("en")


def test_save_population(tmp_path):
    assert codes(save_population(tmp_path, b"unit,total\nhousehold,-3\n", [HOUSEHOLD])) == ["file.negative"]
    assert not (tmp_path / POPULATION_FILE).exists()
    assert save_population(tmp_path, POPULATION.encode(), [HOUSEHOLD]) == []
    assert len(read_csv(tmp_path / POPULATION_FILE)) == 5
    assert {row[0] for row in population_counts()} == {"household", "person"}


def test_every_problem_of_a_frame_is_reported_at_once_with_its_rows():
    text = """kecamatan,psu,households_in_psu,prob_psu,prob_within
laweyan,LAW-001,100,abc,0.1
laweyan,LAW-002,90,1.5,0.1
solo,SOL-001,-5,0.1,
laweyan,LAW-001,100,0.1,0.2
,JEB-001,80,0.2,0.1
jebres,JEB-002,,0.1,
"""
    responses = pd.DataFrame({"kecamatan": ["serengan"], "psu": ["SER-009"]})
    problems = check_frame(frame(text), HOUSEHOLD, responses)
    found = {p.code: p.text("en") for p in problems}
    assert codes(problems) == ["file.blank", "file.not_numeric", "file.probability", "file.negative",
                               "file.unknown_value", "file.duplicate", "frame.within", "frame.unknown_psu"]
    assert "kecamatan is empty in 1 row(s) (rows 6)" in found["file.blank"]
    assert "prob_psu must be a number; not so in row(s) 2 (e.g. 'abc')" in found["file.not_numeric"]
    assert found["file.probability"].endswith("row(s) 3.")   # the 1.5 is reported beside the 'abc'
    assert found["file.negative"] == "frame.csv: households_in_psu cannot be negative; row(s) 4."
    assert "'solo'" in found["file.unknown_value"] and found["file.unknown_value"].endswith("row(s) 4.")
    assert "'laweyan/LAW-001' (rows 2, 5)" in found["file.duplicate"]
    assert found["frame.within"].endswith("PSU(s) 'JEB-002' (rows 7).")
    assert "serengan/SER-009" in found["frame.unknown_psu"]
    indonesian = [p.text("id") for p in problems]
    assert "baris 3" in indonesian[2] and "(baris 2, 5)" in indonesian[5]


def test_a_missing_column_does_not_hide_the_other_problems():
    problems = check_frame(frame("kecamatan,psu,prob_psu\nlaweyan,LAW-001,2\n"), HOUSEHOLD)
    assert codes(problems) == ["file.columns", "file.probability"]
