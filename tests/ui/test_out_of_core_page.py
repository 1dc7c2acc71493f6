"""The Explore page past SURVEY_OUT_OF_CORE_ROWS (lowered to 10 rows): the question table is
computed out of core and shows the in-memory table's numbers, with the note that says so."""

import pytest

from analysis.dataset.dataset import load_dataset
from analysis.tables import out_of_core
from analysis.tables.question_tables import question_table
from survey import ResponseStore
from tests.support.analysis_store import copy_to
from tests.support.app import open_page, same

pytestmark = [pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
              pytest.mark.filterwarnings("ignore:fetch_arrow_table\\(\\) is deprecated")]


@pytest.mark.parametrize("question, by", [("has_internet", None), ("used_internet", "sex"), ("income_monthly", None)])
def test_explore_computes_out_of_core_past_the_setting(data_dir, analysis_store, monkeypatch, question, by):
    store_dir = copy_to(analysis_store, data_dir)
    in_memory = question_table(load_dataset(ResponseStore(store_dir, audit=False), "household", lang="en"),
                               question, by=by)
    monkeypatch.setenv(out_of_core.SETTING, "10")
    at = open_page(store_dir, "explore")
    at.selectbox(key="explore_question").set_value(question).run()
    if by:
        at.selectbox(key="explore_by").set_value(by).run()
    assert not at.exception and not at.error
    same(in_memory, at)
    assert any("Computed out of core (DuckDB)" in c.value for c in at.caption)


def test_explore_with_a_filter_computes_the_subset_out_of_core(data_dir, analysis_store, monkeypatch):
    store_dir = copy_to(analysis_store, data_dir)
    data = load_dataset(ResponseStore(store_dir, audit=False), "household", lang="en")
    in_memory = question_table(data.filter(enumerators=["enum02"]), "has_internet")
    monkeypatch.setenv(out_of_core.SETTING, "10")
    at = open_page(store_dir, "explore")
    at.multiselect(key="explore_enumerators").set_value(["enum02"]).run()
    assert not at.exception and not at.error
    same(in_memory, at)
    assert any("Computed out of core (DuckDB)" in c.value for c in at.caption)


def test_explore_below_the_setting_says_nothing_of_it(data_dir, analysis_store):
    at = open_page(copy_to(analysis_store, data_dir), "explore")
    assert at.selectbox(key="explore_question").value == "has_internet"
    assert not any("out of core" in c.value for c in at.caption)
