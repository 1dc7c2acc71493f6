"""kelurahan.csv, the small-area model's area auxiliaries: checked with clear messages in both
languages; a bad upload changes nothing; the simulator's file passes."""

import numpy as np
import pytest

from analysis.dataset.datafiles import (
    KELURAHAN_FILE,
    area_auxiliaries,
    check_kelurahan,
    parse_csv,
    read_csv,
    save_kelurahan,
)
from survey import load_instrument
from survey.simulate.sampling import write_kelurahan

INSTRUMENTS = [load_instrument("household"), load_instrument("civil_servant")]


def problems_of(text):
    table, problems = parse_csv(text.encode(), KELURAHAN_FILE)
    return problems or check_kelurahan(table, INSTRUMENTS)


def test_the_simulators_file_passes_and_reads_as_numbers(tmp_path):
    write_kelurahan(tmp_path / KELURAHAN_FILE)
    assert check_kelurahan(read_csv(tmp_path / KELURAHAN_FILE), INSTRUMENTS) == []
    areas = area_auxiliaries(tmp_path)
    assert len(areas) == 54 and areas["kelurahan"].is_unique
    assert list(areas.columns) == ["kelurahan", "households", "population", "electricity_share",
                                   "senior_secondary_share"]
    assert all(areas[c].dtype == np.float64 for c in areas.columns[1:])
    assert area_auxiliaries(tmp_path / "nowhere") is None


@pytest.mark.parametrize("text, code, words", [
    ("name,households\nkerten,10\n", "file.columns", "lacks the column(s) kelurahan"),
    ("kelurahan\nkerten\n", "kelurahan.no_auxiliary", "at least one number column"),
    ("kelurahan,households\nkerten,many\n", "file.not_numeric", "households must be a number; not so in row(s) 2"),
    ("kelurahan,households\nkerten,\n", "file.blank", "households is empty in 1 row(s)"),
    ("kelurahan,households\natlantis,3\n", "file.unknown_value", "'atlantis'"),
    ("kelurahan,households\nkerten,3\nkerten,4\n", "file.duplicate", "more than once: 'kerten'"),
    ("kelurahan,households\n", "file.empty", "one row per kelurahan"),
])
def test_each_mistake_is_named_in_both_languages(text, code, words):
    problems = problems_of(text)
    assert [p.code for p in problems] == [code]
    assert words in problems[0].text("en")
    assert problems[0].text("id") != problems[0].text("en")


def test_a_bad_upload_changes_nothing(tmp_path):
    good = b"kelurahan,households\nkerten,3600\n"
    assert save_kelurahan(tmp_path, good, INSTRUMENTS) == []
    assert save_kelurahan(tmp_path, b"kelurahan,households\nkerten,lots\n", INSTRUMENTS)
    assert (tmp_path / KELURAHAN_FILE).read_bytes() == good


def test_without_a_kelurahan_question_the_file_cannot_be_matched():
    table, _ = parse_csv(b"kelurahan,households\nkerten,3\n", KELURAHAN_FILE)
    assert [p.code for p in check_kelurahan(table, [load_instrument("agency")])] == ["kelurahan.no_question"]


def test_an_uploaded_file_changes_the_results_cache_key(tmp_path):
    """Cached kelurahan tables are computed again after an upload (analysis.results_cache.data_token)."""
    from analysis.results_cache import data_token
    from survey import ResponseStore

    store = ResponseStore(tmp_path, audit=False)
    before = data_token(store)
    assert save_kelurahan(tmp_path, b"kelurahan,households\nkerten,3600\n", INSTRUMENTS) == []
    assert data_token(store) != before
