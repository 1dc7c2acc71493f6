"""The Indicators page past SURVEY_OUT_OF_CORE_ROWS without the in-memory Dataset (issue 24): the
household and individual ITU indicators (HH1-HH18) come from the store's rows through DuckDB and
equal the in-memory tables to 1e-9 (the test store's design is two-stage and post-stratified:
households by kecamatan, members by kecamatan and sex), with a breakdown, filtered and unweighted;
the kelurahan model, which needs the Dataset, is not offered past the setting."""

import numpy as np
import pytest

from analysis.dataset.dataset import load_dataset
from analysis.indicators import sections
from analysis.tables import out_of_core, out_of_core_indicators
from survey import ResponseStore
from tests.support.analysis_store import copy_to
from tests.support.app import open_page, same
from tests.support.out_of_core import WARNINGS, household_dataset, household_rows, no_dataset, same_frame
from ui.results import data_cache, kelurahan_view

pytestmark = WARNINGS


@pytest.fixture(scope="module")
def in_memory(analysis_store):
    return household_dataset(analysis_store)


@pytest.fixture(scope="module")
def from_store(analysis_store):
    with household_rows(analysis_store) as rows:
        yield rows


def assert_same_table(mine, theirs):
    assert list(mine.notes) == [*theirs.notes, out_of_core.NOTE]
    assert mine.value_labels == theirs.value_labels and mine.title == theirs.title and mine.keys == theirs.keys
    same_frame(mine.data, theirs.data)


@pytest.mark.parametrize("by", [None, "kecamatan", "head_education", "has_internet"])
def test_household_indicators_from_the_store_equal_the_in_memory_ones(in_memory, from_store, by):
    mine = out_of_core_indicators.household_indicator_table(from_store, by=by)
    theirs = sections.household_indicator_table(in_memory, by=by)
    assert_same_table(mine, theirs)
    assert {"HH1", "HH11", "HH14", "HH16"} <= set(mine.data["code"])   # shares, zero_where, among, the mean
    assert np.isfinite(mine.data["deff"].astype(float)).any()


@pytest.mark.parametrize("by", [None, "sex", "age_group", "kecamatan", "labour_status"])
def test_individual_indicators_from_the_store_equal_the_in_memory_ones(in_memory, from_store, by):
    """Members aged 5+; HH8/HH9/HH12 among users, HH15 among members aged 15+, HH17 among non-users."""
    mine = out_of_core_indicators.individual_indicator_table(from_store, by=by)
    theirs = sections.individual_indicator_table(in_memory, by=by)
    assert_same_table(mine, theirs)


def test_filtered_and_unweighted_indicators_equal_the_in_memory_ones(in_memory, from_store):
    for mine, theirs in ((from_store.view(True, enumerators=("enum02",)), in_memory.filter(enumerators=["enum02"])),
                         (from_store.view(True, answers=(("kecamatan", ("laweyan", "jebres")),)),
                          in_memory.filter(kecamatan=("laweyan", "jebres"))),
                         (from_store.view(False), in_memory.unweighted())):
        assert_same_table(out_of_core_indicators.household_indicator_table(mine, by="kecamatan"),
                          sections.household_indicator_table(theirs, by="kecamatan"))
        assert_same_table(out_of_core_indicators.individual_indicator_table(mine, by="sex"),
                          sections.individual_indicator_table(theirs, by="sex"))


def test_the_domains_say_in_sql_what_they_say_in_memory(in_memory, from_store):
    """Every denominator and zero_where of the ITU indicators is row-local and has its SQL twin."""
    import duckdb

    from analysis.indicators import itu
    for indicators, table, mine, scope in ((itu.HOUSEHOLD_INDICATORS, in_memory.main, from_store.main, ()),
                                           (itu.INDIVIDUAL_INDICATORS, in_memory.tables["household_members"],
                                            from_store.tables["household_members"], (itu.age_at_least(itu.MIN_AGE),))):
        assert out_of_core_indicators.supported(indicators)
        domains = {d for i in indicators for d in (i.among, i.zero_where) if d is not None} | set(scope)
        for domain in domains:
            counted = duckdb.sql(f"SELECT count(*) FILTER (WHERE {domain.sql(mine)}) "
                                 f"FROM read_parquet('{mine.path}')").fetchall()[0][0]
            assert counted == int(domain(table).sum()), domain


def test_the_indicators_page_never_builds_the_dataset_past_the_setting(data_dir, analysis_store, monkeypatch):
    store_dir = copy_to(analysis_store, data_dir)
    data = load_dataset(ResponseStore(store_dir, audit=False), "household", lang="en")
    monkeypatch.setenv(out_of_core.SETTING, "10")
    no_dataset(monkeypatch)
    failed = []   # the sections computed ahead only log a failure
    monkeypatch.setattr(data_cache.log, "exception", lambda *args, **kwargs: failed.append(args))
    at = open_page(store_dir, "indicators")
    assert not at.exception and not at.error
    same(sections.household_indicator_table(data), at)
    assert any("Computed out of core (DuckDB)" in c.value for c in at.caption)
    by = at.selectbox(key="indicators_by_household")
    assert "District (kecamatan)" in by.options and kelurahan_view.label("en") not in by.options
    assert any(c.value.startswith("The model-based estimates by kelurahan are not available past 10 rows")
               for c in at.caption)
    by.set_value("kecamatan").run()
    assert not at.exception and not at.error
    same(sections.household_indicator_table(data, by="kecamatan"), at)
    data_cache.wait_for_prefetch(timeout=120)   # the individual section, computed ahead out of core too
    assert not failed
    at.radio(key="indicators_section").set_value("individual").run()
    assert not at.exception and not at.error
    same(sections.individual_indicator_table(data), at)
    at.selectbox(key="indicators_by_individual").set_value("age_group").run()
    assert not at.exception and not at.error
    same(sections.individual_indicator_table(data, by="age_group"), at)
    assert any("Computed out of core (DuckDB)" in c.value for c in at.caption)


def test_in_indonesian_the_page_says_the_model_is_not_available(data_dir, analysis_store, monkeypatch):
    store_dir = copy_to(analysis_store, data_dir)
    monkeypatch.setenv(out_of_core.SETTING, "10")
    no_dataset(monkeypatch)
    at = open_page(store_dir, "indicators", lang="id")
    assert not at.exception and not at.error
    assert kelurahan_view.label("id") not in at.selectbox(key="indicators_by_household").options
    assert any(c.value.startswith("Estimasi berbasis model per kelurahan tidak tersedia di atas 10 baris")
               for c in at.caption)
    assert any("Dihitung di luar memori (DuckDB)" in c.value for c in at.caption)


def test_the_cached_table_goes_out_of_core_only_past_the_setting(analysis_store, monkeypatch):
    store = ResponseStore(analysis_store, audit=False)
    view = data_cache.View("household", "en")
    build = sections.section_of("individual").tables[0].build
    monkeypatch.setenv(out_of_core.SETTING, "10")
    assert out_of_core.NOTE in data_cache.table(build, view, store=store, by="sex").notes
    monkeypatch.setenv(out_of_core.SETTING, "1000000")
    assert out_of_core.NOTE not in data_cache.table(build, view, store=store, by="sex").notes


def test_the_e_government_sections_stay_in_memory_and_say_so(analysis_store, monkeypatch):
    """Civil servants and agencies are small: their sections build the Dataset, with the note of the
    other tables computed in memory past the setting."""
    store = ResponseStore(analysis_store, audit=False)
    monkeypatch.setenv(out_of_core.SETTING, "10")
    views = (data_cache.View("civil_servant", "en"), data_cache.View("agency", "en"))
    made = data_cache.table(sections.section_of("egov").tables[0].build, views, store=store, by=None)
    assert out_of_core.NOTE not in made.notes
    assert made.notes[-1]["en"].startswith("Computed in memory: past 10 rows the analysis pages compute out of core")
