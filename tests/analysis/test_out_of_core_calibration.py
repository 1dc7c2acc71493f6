"""Raked designs out of core (issue 24): past SURVEY_OUT_OF_CORE_ROWS a design whose calibrate rule
rakes (households by kecamatan and has_tv, members by kecamatan and sex) is weighted and estimated from
the store's rows through DuckDB - the weights raked on the margins' joint cells, the variance with R's
raking residuals - and every number equals the in-memory Dataset's (1e-9)."""

from dataclasses import fields

import numpy as np
import pandas as pd
import pytest

from analysis.dataset.dataset import load_dataset
from analysis.estimation.weighting import rake
from analysis.indicators import sections
from analysis.outofcore import calibration, store_source
from analysis.tables import out_of_core, out_of_core_indicators
from analysis.tables.question_tables import crosstab_table, question_table
from survey import ResponseStore
from tests.support.analysis_store import copy_to
from tests.support.out_of_core import WARNINGS, household_rows, same_frame, same_tests
from tests.support.raked_store import raked, write_margins
from ui.results import data_cache

pytestmark = WARNINGS


@pytest.fixture(scope="module")
def raked_store(analysis_store, tmp_path_factory):
    root = copy_to(analysis_store, tmp_path_factory.mktemp("raked") / "store")
    write_margins(root)
    with pytest.MonkeyPatch.context() as mp:
        raked(mp)
        yield root


@pytest.fixture(scope="module")
def in_memory(raked_store):
    data = load_dataset(ResponseStore(raked_store, audit=False), "household", lang="en")
    assert all(t.design.calibration[-1].method == "rake" for t in data.tables.values())
    return data


@pytest.fixture(scope="module")
def from_store(raked_store):
    with household_rows(raked_store) as rows:
        yield rows


def test_raked_weights_and_provenance_equal_the_datasets(in_memory, from_store):
    for f in fields(in_memory.provenance):
        if f.name != "built_at":
            assert getattr(in_memory.provenance, f.name) == getattr(from_store.provenance, f.name), f.name
    assert "raked" in in_memory.provenance.weights["household"]["en"]
    assert any(n.code == "design.empty_cells" for n in from_store.provenance.notes)   # Serengan, a margin's level
    for name, table in in_memory.tables.items():
        mine = from_store.tables[name]
        weights = store_source.duckdb.sql(f"SELECT __w FROM read_parquet('{mine.path}')").df()["__w"].to_numpy()
        np.testing.assert_allclose(np.sort(weights), np.sort(table.design.weights), rtol=1e-12)


@pytest.mark.parametrize("question, by", [("has_internet", None), ("has_internet", "kecamatan"), ("has_tv", None),
                                          ("used_internet", "sex"), ("income_monthly", None),
                                          ("income_monthly", "kecamatan"), ("age", "sex"), ("internet_type", None),
                                          ("has_computer", "head_education")])
def test_question_tables_of_a_raked_design_equal_the_in_memory_ones(in_memory, from_store, question, by):
    mine, theirs = question_table(from_store, question, by=by), question_table(in_memory, question, by=by)
    assert out_of_core.NOTE in mine.notes
    same_frame(mine.data, theirs.data, atol=1e-12)


def test_a_filter_and_the_unweighted_view_of_a_raked_design(in_memory, from_store):
    for mine, theirs in ((from_store.view(True, enumerators=("enum02",)), in_memory.filter(enumerators=["enum02"])),
                         (from_store.view(False), in_memory.unweighted())):
        for question, by in (("has_internet", "kecamatan"), ("age", "sex")):
            same_frame(question_table(mine, question, by=by).data, question_table(theirs, question, by=by).data,
                       atol=1e-12)


@pytest.mark.parametrize("row, col, layer, percent", [
    ("has_internet", "kecamatan", None, "row"), ("has_computer", "has_tv", None, "col"),
    ("used_internet", "sex", "age_group", "total"), ("relationship", "sex", None, "col")])
def test_crosstabs_and_their_tests_of_a_raked_design(in_memory, from_store, row, col, layer, percent):
    mine = crosstab_table(from_store, row, col, layer=layer, percent=percent)
    theirs = crosstab_table(in_memory, row, col, layer=layer, percent=percent)
    assert list(mine.notes) == [*theirs.notes, out_of_core.NOTE]
    same_frame(mine.data, theirs.data, atol=1e-12)
    same_tests(mine.stats["tests"], theirs.stats["tests"])


@pytest.mark.filterwarnings("ignore:Margin 'has_tv' sums to")   # the in-memory raking's, expected
def test_margins_of_different_totals_stay_in_memory(raked_store, tmp_path, monkeypatch):
    """The in-memory raking scales such margins and warns: out of core refuses, the page computes in memory."""
    root = copy_to(raked_store, tmp_path / "store")
    population = pd.read_csv(root / "population.csv", dtype=str)
    population.loc[population["has_tv"] == "no", "total"] = "1000"
    population.to_csv(root / "population.csv", index=False)
    with pytest.raises(store_source.NotOutOfCore) as refused:
        store_source.build(ResponseStore(root, audit=False), "household")
    assert refused.value.code == "raking" and "different totals" in str(refused.value)
    monkeypatch.setenv(out_of_core.SETTING, "10")
    view = data_cache.View("household", "en")
    made = data_cache.table(question_table, view, store=ResponseStore(root, audit=False), question="has_tv")
    # the in-memory Dataset's large table still has its sums made by DuckDB: the notes say which part was where
    assert made.notes[-2:] == (out_of_core.NOTE, {
        "en": "The design and weights were computed in memory: past 10 rows the analysis pages compute them out of "
              "core (DuckDB), but not a raking that does not converge or whose margins count different totals yet.",
        "id": "Desain dan bobot dihitung di dalam memori: di atas 10 baris halaman analisis menghitungnya di luar "
              "memori (DuckDB), tetapi belum untuk raking yang tidak konvergen atau yang marginnya berjumlah total "
              "berbeda."})


def test_raking_joint_cells_gives_the_rows_raking():
    """The factors of the joint cells are those of weighting.rake on the rows (three margins, random weights)."""
    rng = np.random.default_rng(3)
    n = 500
    rows = pd.DataFrame({"a": rng.choice(["x", "y", "z"], n), "b": rng.choice(["p", "q"], n),
                         "c": rng.choice(["1", "2", "3", "4"], n), "w0": rng.uniform(1, 9, n)})
    margins = {"a": {"x": 400.0, "y": 900.0, "z": 1700.0}, "b": {"p": 1000.0, "q": 2000.0},
               "c": {"1": 500.0, "2": 700.0, "3": 800.0, "4": 1000.0}}
    expected = rake(rows, "w0", margins).weights.to_numpy()
    sums = rows.groupby(["a", "b", "c"], as_index=False).agg(w0=("w0", "sum"), n=("w0", "size"))
    tables = [pd.DataFrame({v: list(m), "total": list(m.values())}) for v, m in margins.items()]
    cells = calibration.rake_cells(sums, ["a", "b", "c"], tables).cells
    factor = rows.merge(cells, on=["a", "b", "c"], how="left")["factor"].to_numpy()
    np.testing.assert_allclose(rows["w0"].to_numpy() * factor, expected, rtol=1e-12)


@pytest.mark.parametrize("question, by", [("has_internet", "kecamatan"), ("used_internet", "sex"),
                                          ("income_monthly", "kecamatan"), ("age", None)])
def test_a_raked_dataset_in_memory_past_the_setting_is_computed_out_of_core(in_memory, monkeypatch, question, by):
    """The data API's path: a Dataset built in memory, its large table's design columns copied to Parquet."""
    monkeypatch.delenv(out_of_core.SETTING, raising=False)
    theirs = question_table(in_memory, question, by=by)
    monkeypatch.setenv(out_of_core.SETTING, "10")
    mine = question_table(in_memory, question, by=by)
    assert out_of_core.NOTE in mine.notes and out_of_core.NOTE not in theirs.notes
    same_frame(mine.data, theirs.data, atol=1e-12)


@pytest.mark.parametrize("by", [None, "kecamatan"])
def test_the_indicators_of_a_raked_design_equal_the_in_memory_ones(in_memory, from_store, by):
    """The Indicators page's household (HH1-HH16) and individual sections, their deff included."""
    for mine, theirs in ((out_of_core_indicators.household_indicator_table(from_store, by=by),
                          sections.household_indicator_table(in_memory, by=by)),
                         (out_of_core_indicators.individual_indicator_table(from_store, by=by),
                          sections.individual_indicator_table(in_memory, by=by))):
        assert list(mine.notes) == [*theirs.notes, out_of_core.NOTE]
        same_frame(mine.data, theirs.data, atol=1e-12)


def test_a_level_without_a_margin_total_stays_in_memory(raked_store, tmp_path):
    root = copy_to(raked_store, tmp_path / "store")
    population = pd.read_csv(root / "population.csv", dtype=str)
    population[population["has_tv"] != "no"].to_csv(root / "population.csv", index=False)
    with pytest.raises(store_source.NotOutOfCore) as refused:
        store_source.build(ResponseStore(root, audit=False), "household")
    assert refused.value.code == "design"   # the in-memory note says the raking failed, and why
