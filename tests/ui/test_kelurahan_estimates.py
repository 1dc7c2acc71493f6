"""Kelurahan estimates on the explore and indicators pages (issue 18, item 4) through AppTest.

"Kelurahan (model-based)" beside the breakdowns shows each kelurahan's direct and Fay-Herriot rows
as analysis.tables.kelurahan_tables gives them on the same store, the model's note, a benchmark
toggle and the downloads; without kelurahan.csv the page says how to add it."""

from __future__ import annotations

import pytest

from analysis.dataset.datafiles import area_auxiliaries
from analysis.dataset.dataset import load_dataset
from analysis.tables.kelurahan_tables import kelurahan_table
from survey import ResponseStore
from survey.simulate.sampling import write_kelurahan
from tests.support.analysis_store import copy_to
from tests.support.app import open_page


@pytest.fixture
def store_dir(data_dir, analysis_store):
    return copy_to(analysis_store, data_dir)

def test_kelurahan_model_based_rows_beside_the_direct_ones(store_dir):
    write_kelurahan(store_dir / "kelurahan.csv")
    at = open_page(store_dir, "explore")
    at.selectbox(key="explore_question").set_value("has_internet").run()
    assert "Kelurahan (model-based)" in at.selectbox(key="explore_by").options   # options as shown
    at.selectbox(key="explore_by").set_value("@kelurahan_model").run()
    assert not at.exception and not at.error
    expected = kelurahan_table(load_dataset(ResponseStore(store_dir, audit=False), "household"), "has_internet",
                               area_auxiliaries(store_dir))
    shown = at.dataframe[0].value.reset_index(drop=True)
    assert shown.equals(expected.to_frame("en", formatted=True))
    assert {"Direct", "Model-based"} <= set(shown["Estimate type"])
    assert any(c.value.startswith("Model-based: Fay-Herriot area-level model") for c in at.caption)
    at.toggle(key="explore_benchmark").set_value(True).run()
    assert any("Benchmarked (ratio) to the city's direct estimate" in c.value for c in at.caption)
    assert "explore_csv" in [b.key for b in at.get("download_button")]


def test_without_kelurahan_csv_the_page_says_how_to_get_model_rows(store_dir):
    at = open_page(store_dir, "explore", lang="id")
    at.selectbox(key="explore_question").set_value("has_internet").run()
    at.selectbox(key="explore_by").set_value("@kelurahan_model").run()
    assert not at.exception
    assert any(c.value.startswith("Tanpa baris berbasis model: unggah kelurahan.csv") for c in at.caption)


def test_the_indicators_page_offers_a_household_indicator_by_kelurahan(store_dir):
    write_kelurahan(store_dir / "kelurahan.csv")
    at = open_page(store_dir, "indicators")
    at.selectbox(key="indicators_by_household").set_value("@kelurahan_model").run()
    at.selectbox(key="indicators_kelurahan_indicator").set_value("HH6").run()
    assert not at.exception and not at.error
    expected = kelurahan_table(load_dataset(ResponseStore(store_dir, audit=False), "household"), "has_internet",
                               area_auxiliaries(store_dir), choices=("yes",))
    shown = at.dataframe[0].value.reset_index(drop=True)
    assert shown.equals(expected.to_frame("en", formatted=True))
    assert set(shown["Does this household have Internet access at home?"]) == {"Yes"}
    assert "indicators_kelurahan_csv" in [b.key for b in at.get("download_button")]
    at.selectbox(key="indicators_kelurahan_indicator").set_value("HH16").run()   # a mean, in rupiah
    assert not at.exception and "Estimate type" in at.dataframe[0].value.columns
