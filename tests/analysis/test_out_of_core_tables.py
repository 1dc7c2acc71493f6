"""The Explore page's question table past SURVEY_OUT_OF_CORE_ROWS: DuckDB gives the in-memory
numbers (1e-9) on the app's two-stage, post-stratified household and member designs, says so in
a note, and what it does not handle stays in memory without the note."""

import pytest

from analysis.dataset.dataset import load_dataset
from analysis.tables import out_of_core
from analysis.tables.question_tables import question_table
from survey import ResponseStore
from tests.support.out_of_core import same_frame

pytestmark = [pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
              pytest.mark.filterwarnings("ignore:fetch_arrow_table\\(\\) is deprecated")]


@pytest.fixture(scope="module")
def data(analysis_store):
    return load_dataset(ResponseStore(analysis_store, audit=False), "household", lang="en")


@pytest.mark.parametrize("question, by", [("has_internet", None), ("has_internet", "kecamatan"),
                                          ("used_internet", None), ("used_internet", "sex"), ("kecamatan", None),
                                          ("income_monthly", None), ("income_monthly", "kecamatan"),
                                          ("age", "sex")])
def test_shares_and_numbers_out_of_core_equal_the_in_memory_table(data, monkeypatch, question, by):
    table = data.table_of(question)
    assert isinstance(table.design.columns["psu"], list) and table.design.calibration   # two stages, calibrated
    monkeypatch.delenv(out_of_core.SETTING, raising=False)
    in_memory = question_table(data, question, by=by)
    assert out_of_core.NOTE not in in_memory.notes
    monkeypatch.setenv(out_of_core.SETTING, "10")
    duck = question_table(data, question, by=by)
    assert out_of_core.NOTE in duck.notes
    same_frame(duck.data, in_memory.data, atol=1e-12)


def test_select_multiple_and_other_intervals_stay_in_memory(data, monkeypatch):
    monkeypatch.setenv(out_of_core.SETTING, "10")
    assert out_of_core.NOTE not in question_table(data, "has_internet", ci_method="beta").notes
    assert out_of_core.NOTE not in question_table(data, "internet_type").notes
    monkeypatch.setenv(out_of_core.SETTING, str(len(data.main.design.weights)))   # not past it: in memory
    assert out_of_core.NOTE not in question_table(data, "has_internet").notes


def test_the_setting_reads_a_number_and_defaults_to_two_million(monkeypatch):
    monkeypatch.setenv(out_of_core.SETTING, "5_000")
    assert out_of_core.row_limit() == 5000
    monkeypatch.setenv(out_of_core.SETTING, "many")
    assert out_of_core.row_limit() == out_of_core.DEFAULT_ROWS == 2_000_000


@pytest.mark.parametrize("question, by", [("has_internet", "kecamatan"), ("used_internet", "sex"),
                                          ("income_monthly", None)])
def test_a_filter_in_force_is_a_subset_out_of_core_too(data, monkeypatch, question, by):
    filtered = data.filter(enumerators=["enum02"])
    assert not filtered.table_of(question).design.in_subset.all()
    monkeypatch.delenv(out_of_core.SETTING, raising=False)
    in_memory = question_table(filtered, question, by=by)
    monkeypatch.setenv(out_of_core.SETTING, "10")
    duck = question_table(filtered, question, by=by)
    assert out_of_core.NOTE in duck.notes
    same_frame(duck.data, in_memory.data, atol=1e-12)
