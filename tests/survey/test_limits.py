"""Every input has a bound, checked before any expensive work, refused with a message in
both languages (issue 19, item 4). The timings of the refusals are measured by a script,
not asserted here."""

import copy
import datetime as dt

import pytest

from analysis.dataset.datafiles import FRAME_FILE, MAX_CSV_ROWS, check_frame, parse_csv, save_frame
from survey import ResponseStore, ValidationError, load_instrument
from survey.fieldwork.drafts import Draft, Drafts, DraftTooLarge
from survey.questionnaire.limits import MAX_ROSTER
from survey.questionnaire.model import InstrumentError, instrument_from_yaml
from survey.questionnaire.validate import clean
from survey.simulate import generate

HOUSEHOLD = load_instrument("household")

FORM = """
id: limited
version: 1
title: {id: Batas, en: Limits}
questions:
  - {name: nickname, type: text, max_length: 12, label: {id: Panggilan, en: Nickname}}
  - {name: note, type: text, label: {id: Catatan, en: Note}}
  - {name: born, type: date, label: {id: Lahir, en: Born}}
  - name: children
    type: repeat
    max_items: 3
    label: {id: Anak, en: Child}
    questions:
      - {name: child_name, type: text, label: {id: Nama, en: Name}}
"""


@pytest.fixture(scope="module")
def form():
    return instrument_from_yaml(FORM)


def refused(inst, answers, lang="en"):
    _, problems = clean(inst, answers, lang=lang)
    return [(p.field, p.code, p.message) for p in problems]


def household():
    return copy.deepcopy(generate("household", n=1, seed=3)[0])


def test_a_questions_max_length_and_the_global_cap(form):
    assert refused(form, {"nickname": "x" * 12, "note": "y" * 2000}) == []
    assert refused(form, {"nickname": "x" * 13}) == [
        ("nickname", "length", "This answer is too long: at most 12 characters.")]
    assert refused(form, {"note": "y" * 2001}, lang="id") == [
        ("note", "length", "Jawaban ini terlalu panjang: paling banyak 2000 karakter.")]
    # megabytes are refused before they are coerced, with the same message
    assert refused(form, {"note": " " * 5_000_000}) == [
        ("note", "length", "This answer is too long: at most 2000 characters.")]


def test_a_5_mb_location_is_refused():
    answers = household()
    answers["gps"] = "-7.56 110.81 " + "1" * 5_000_000
    assert [(f, c) for f, c, _ in refused(HOUSEHOLD, answers)] == [("gps", "length")]
    answers["gps"] = ["-7.56", "110.81"] * 1000
    assert [(f, c) for f, c, _ in refused(HOUSEHOLD, answers)] == [("gps", "type")]


def test_a_roster_is_bounded_by_the_questionnaire_and_the_cap(form):
    assert refused(form, {"children": [{"child_name": "A"}] * 3}) == []
    assert refused(form, {"children": [{"child_name": "A"}] * 4}, lang="id") == [
        ("children", "count", "Daftar ini berisi 4 entri; paling banyak 3 yang diperbolehkan.")]
    answers = household()
    answers["members"] = answers["members"] * (100_000 // len(answers["members"]) + 1)
    assert refused(HOUSEHOLD, answers) == [
        ("members", "count", f"The list has {len(answers['members'])} entries; at most {MAX_ROSTER} are allowed.")]


def test_a_100000_member_roster_is_refused_by_the_store_and_nothing_is_written(tmp_path):
    answers = household()
    answers["members"] = answers["members"] * 100_000
    store = ResponseStore(tmp_path)
    with pytest.raises(ValidationError) as caught:
        store.submit("household", answers, enumerator="enum01")
    assert [(p.field, p.code) for p in caught.value.problems] == [("members", "count")]
    assert len(store.read("household")) == 0


@pytest.mark.parametrize("born", [dt.date(1, 1, 1), "0001-01-01", dt.date(1899, 12, 31), dt.date(2101, 1, 1)])
def test_dates_outside_1900_2100_are_refused(form, born):
    assert refused(form, {"born": born}) == [("born", "range", "Enter a date from 1900-01-01 to 2100-12-31.")]
    assert refused(form, {"born": born}, lang="id")[0][2] == "Masukkan tanggal dari 1900-01-01 sampai 2100-12-31."


def test_the_bounds_dates_are_accepted(form):
    assert refused(form, {"born": dt.date(1900, 1, 1)}) == refused(form, {"born": dt.date(2100, 12, 31)}) == []


def test_too_many_answers_are_refused_before_they_are_walked(form):
    answers = {f"x{i}": 1 for i in range(100_000)}
    assert [(f, c) for f, c, _ in refused(form, answers)] == [("", "form")]


@pytest.mark.parametrize("key, value, words", [
    ("max_length", 2001, "from 1 to 2000"), ("max_length", 0, "from 1 to 2000"), ("max_items", 61, "from 1 to 60"),
])
def test_a_questionnaires_bounds_are_themselves_bounded(key, value, words):
    text = FORM.replace("max_length: 12", f"{key}: {value}" if key == "max_length" else "max_length: 12")
    if key == "max_items":
        text = text.replace("max_items: 3", f"max_items: {value}")
    with pytest.raises(InstrumentError, match=words):
        instrument_from_yaml(text)
    with pytest.raises(InstrumentError, match="only for a repeat"):
        instrument_from_yaml(FORM.replace("label: {id: Catatan", "max_items: 2, label: {id: Catatan"))


def test_an_oversized_draft_is_refused_and_nothing_is_written(tmp_path):
    drafts = Drafts(tmp_path)
    with pytest.raises(DraftTooLarge):
        drafts.save(Draft("enum01", "household", "r1", values={"gps": "1" * 5_000_000}))
    with pytest.raises(DraftTooLarge):  # many values, each short
        drafts.save(Draft("enum01", "household", "r1", values={f"note__{i}": "x" * 3000 for i in range(400)}))
    with pytest.raises(DraftTooLarge):
        drafts.save(Draft("enum01", "household", "r1", values={f"k{i}": 1 for i in range(100_000)}))
    assert drafts.list("enum01") == []
    assert not list(tmp_path.rglob("*.json"))
    drafts.save(Draft("enum01", "household", "r1", values={"gps": "-7.56 110.81"}))
    assert len(drafts.list("enum01")) == 1


FRAME = "kecamatan,psu,households_in_psu,prob_psu,prob_within,households_sampled\n"


@pytest.mark.parametrize("row, code, column", [
    ("laweyan,LAW-001,100,1e-300,0.1,10", "file.probability", "prob_psu"),
    ("laweyan,LAW-001,100,0.1,0.0000001,10", "file.probability", "prob_within"),
    ("laweyan,LAW-001,100,0.1,0.1,1e30", "file.too_big", "households_sampled"),
    ("laweyan,LAW-001,20000000,0.1,0.1,10", "file.too_big", "households_in_psu"),
])
def test_frame_numbers_are_bounded(row, code, column):
    table, problems = parse_csv((FRAME + row + "\n").encode(), FRAME_FILE)
    found = [p for p in check_frame(table, HOUSEHOLD) if p.code == code]
    assert found and column in found[0].text("en") and column in found[0].text("id")


def test_the_smallest_probability_and_largest_count_pass():
    table, _ = parse_csv((FRAME + "laweyan,LAW-001,10000000,0.000001,1,10000000\n").encode(), FRAME_FILE)
    assert check_frame(table, HOUSEHOLD) == []


def test_a_big_frame_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    import analysis.dataset.datafiles as datafiles

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(datafiles.pd, "read_csv", no_parsing)
    big = (FRAME + "laweyan,LAW-001,100,0.1,0.1,10\n" * 200_000).encode()
    assert len(big) > 5_000_000 and big.count(b"\n") > MAX_CSV_ROWS
    problems = save_frame(tmp_path, big, HOUSEHOLD)
    assert [p.code for p in problems] == ["file.too_large"]
    assert "5 MB" in problems[0].text("en") and "5 MB" in problems[0].text("id")
    many = (FRAME + "a\n" * (MAX_CSV_ROWS + 1)).encode()
    problems = save_frame(tmp_path, many, HOUSEHOLD)
    assert [p.code for p in problems] == ["file.too_many_rows"]
    assert "100,000" in problems[0].text("en") and "100.000" in problems[0].text("id")
    assert not (tmp_path / FRAME_FILE).exists()


@pytest.mark.parametrize("content", [
    ",".join(f"c{i}" for i in range(400_000)) + "\n",  # pandas took minutes over these
    "kecamatan,psu,prob_psu,prob_within\nlaweyan,x,0.1,0.1" + ",1" * 2_000_000 + "\n",
])
def test_a_line_of_too_many_fields_is_refused_before_it_is_parsed(content, monkeypatch):
    import analysis.dataset.datafiles as datafiles

    monkeypatch.setattr(datafiles.pd, "read_csv", lambda *a, **k: pytest.fail("parsed"))
    table, problems = parse_csv(content.encode(), FRAME_FILE)
    assert table is None and [p.code for p in problems] == ["file.too_many_columns"]
    assert "100" in problems[0].text("en") and "100" in problems[0].text("id")
