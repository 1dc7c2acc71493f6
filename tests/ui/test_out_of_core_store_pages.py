"""The Explore page past SURVEY_OUT_OF_CORE_ROWS without the in-memory Dataset (issue 24): the
widgets' choices and the question tables come from the store's rows through DuckDB, weights
made there too, and every number equals the in-memory page's."""

from dataclasses import fields, replace

import numpy as np
import pytest

from analysis.dataset.dataset import load_dataset
from analysis.outofcore import store_data, store_source
from analysis.tables import out_of_core, out_of_core_histogram
from analysis.tables.histograms import histogram_table
from analysis.tables.question_tables import crosstab_table, question_table
from survey import ResponseStore
from tests.support.analysis_store import copy_to
from tests.support.app import open_page, same
from tests.support.out_of_core import WARNINGS, household_dataset, household_rows, no_dataset, same_frame, same_tests
from ui.results import data_cache, kelurahan_view, out_of_core_pages

pytestmark = WARNINGS


def same_provenance(a, b):
    for f in fields(a):
        if f.name != "built_at":
            assert getattr(a, f.name) == getattr(b, f.name), f.name


@pytest.fixture(scope="module")
def in_memory(analysis_store):
    return household_dataset(analysis_store)


@pytest.fixture(scope="module")
def from_store(analysis_store):
    with household_rows(analysis_store) as rows:
        yield rows


def test_weights_variables_and_provenance_equal_the_datasets(in_memory, from_store):
    same_provenance(in_memory.provenance, from_store.provenance)
    assert in_memory.provenance.notes   # the empty stratum's cells, said the same way
    for name, table in in_memory.tables.items():
        mine = from_store.tables[name]
        assert list(table.variables) == list(mine.variables) and table.own == mine.own
        assert all(table.variables[k] == mine.variables[k] for k in table.variables)
        weights = store_source.duckdb.sql(f"SELECT __w FROM read_parquet('{mine.path}')").df()["__w"].to_numpy()
        np.testing.assert_allclose(np.sort(weights), np.sort(table.design.weights), rtol=1e-12)
        assert mine.n == table.n


@pytest.mark.parametrize("question, by", [("has_internet", None), ("has_internet", "kecamatan"),
                                          ("used_internet", "sex"), ("income_monthly", "kecamatan"),
                                          ("age", None), ("has_computer", "head_education")])
def test_question_tables_from_the_store_equal_the_in_memory_ones(in_memory, from_store, question, by):
    mine = question_table(from_store, question, by=by)
    theirs = question_table(in_memory, question, by=by)
    assert out_of_core.NOTE in mine.notes and out_of_core.NOTE not in theirs.notes
    same_frame(mine.data, theirs.data)


def test_filters_and_equal_weights_from_the_store(in_memory, from_store):
    for kwargs in ({"enumerators": ("enum02",)}, {"answers": (("kecamatan", ("laweyan", "jebres")),)},
                   {"dates": (None, None), "statuses": ("submitted",)}):
        answers = dict(kwargs.pop("answers", ()))
        mine = from_store.view(True, answers=tuple(answers.items()), **kwargs)
        theirs = in_memory.filter(**kwargs, **answers)
        same_provenance(theirs.provenance, mine.provenance)
        for question, by in (("has_internet", None), ("used_internet", "sex")):
            a, b = question_table(mine, question, by=by).data, question_table(theirs, question, by=by).data
            np.testing.assert_allclose(a["estimate"].astype(float), b["estimate"].astype(float), rtol=1e-9)
            np.testing.assert_allclose(a["se"].astype(float), b["se"].astype(float), rtol=1e-9)
            assert list(a["count"]) == list(b["count"])
    a = question_table(from_store.view(False), "has_internet").data
    b = question_table(in_memory.unweighted(), "has_internet").data
    same_provenance(in_memory.unweighted().provenance, from_store.view(False).provenance)
    np.testing.assert_allclose(a[["estimate", "se", "ci_low", "ci_high"]].astype(float),
                               b[["estimate", "se", "ci_low", "ci_high"]].astype(float), rtol=1e-9)


@pytest.mark.parametrize("question", ["income_monthly", "age", "hh_size"])
def test_histograms_from_the_store_equal_the_in_memory_ones(in_memory, from_store, question):
    mine = out_of_core_histogram.histogram_table(from_store, question)
    theirs = histogram_table(in_memory, question)
    assert set(mine.stats) == set(theirs.stats)
    for key in ("quartiles", "whiskers", "range"):
        np.testing.assert_allclose(mine.stats[key], theirs.stats[key], rtol=1e-12)
    assert mine.value_labels == theirs.value_labels and mine.notes == theirs.notes
    same_frame(mine.data, theirs.data)


@pytest.mark.parametrize("question, by", [("internet_type", None), ("internet_type", "kecamatan"),
                                          ("internet_activities", "sex"), ("ict_skills", None),
                                          ("internet_nonuse_reason", "sex")])
def test_select_multiple_from_the_store_equals_the_in_memory_table(in_memory, from_store, question, by):
    """Options among those asked (relevance evaluated per combination of answers, as tidy does),
    optional questions left empty counting as none chosen; filtered and unweighted too."""
    for mine, theirs in ((from_store, in_memory), (from_store.view(True, enumerators=("enum02",)),
                                                   in_memory.filter(enumerators=["enum02"])),
                         (from_store.view(False), in_memory.unweighted())):
        a, b = question_table(mine, question, by=by), question_table(theirs, question, by=by)
        assert out_of_core.NOTE in a.notes
        same_frame(a.data, b.data)


@pytest.mark.parametrize("question, by", [("has_internet", None), ("used_internet", "sex"),
                                          ("income_monthly", None), ("income_monthly", "kecamatan"),
                                          ("internet_type", None)])
def test_explore_never_builds_the_dataset_past_the_setting(data_dir, analysis_store, monkeypatch, question, by):
    store_dir = copy_to(analysis_store, data_dir)
    data = load_dataset(ResponseStore(store_dir, audit=False), "household", lang="en")
    expected = question_table(data, question, by=by)
    histogram = histogram_table(data, question) if question == "income_monthly" and by is None else None
    monkeypatch.setenv(out_of_core.SETTING, "10")
    no_dataset(monkeypatch)
    at = open_page(store_dir, "explore")
    at.selectbox(key="explore_question").set_value(question).run()
    if by:
        at.selectbox(key="explore_by").set_value(by).run()
    assert not at.exception and not at.error
    same(expected, at)
    if histogram is not None:
        same(histogram, at, 1)
    assert any("Computed out of core (DuckDB)" in c.value for c in at.caption)
    assert at.multiselect(key="explore_enumerators").options == ["enum01", "enum02"]


def test_the_widgets_choices_come_without_the_dataset(analysis_store, monkeypatch):
    store = ResponseStore(analysis_store, audit=False)
    expected = data_cache._facets(store, data_cache.data_token(store), "household", "en")
    monkeypatch.setenv(out_of_core.SETTING, "10")
    no_dataset(monkeypatch)
    mine = data_cache.facets("household", "en", store=store)
    for f in fields(expected):
        if f.name != "provenance":
            assert getattr(mine, f.name) == getattr(expected, f.name), f.name
    same_provenance(expected.provenance, mine.provenance)


def test_the_results_cache_keys_on_the_setting(analysis_store, monkeypatch):
    store = ResponseStore(analysis_store, audit=False)
    view = data_cache.View("household", "en")
    monkeypatch.setenv(out_of_core.SETTING, "10")
    assert out_of_core.NOTE in data_cache.table(question_table, view, store=store, question="has_computer").notes
    monkeypatch.setenv(out_of_core.SETTING, "1000000")
    assert out_of_core.NOTE not in data_cache.table(question_table, view, store=store, question="has_computer").notes


@pytest.mark.parametrize("row, col, layer, percent", [
    ("has_computer", "head_education", None, "col"), ("has_internet", "kecamatan", None, "row"),
    ("used_internet", "sex", "age_group", "total"), ("has_computer", "has_internet", "head_sex", "row"),
    ("relationship", "sex", None, "col")])
@pytest.mark.parametrize("weighted", [True, False])
def test_crosstabs_from_the_store_equal_the_in_memory_ones(in_memory, from_store, row, col, layer, percent, weighted):
    mine = crosstab_table(from_store.view(weighted), row, col, layer=layer, percent=percent)
    theirs = crosstab_table(in_memory if weighted else in_memory.unweighted(), row, col, layer=layer, percent=percent)
    assert list(mine.notes) == [*theirs.notes, out_of_core.NOTE]
    same_frame(mine.data, theirs.data)
    same_tests(mine.stats["tests"], theirs.stats["tests"])


def test_the_crosstab_page_never_builds_the_dataset_past_the_setting(data_dir, analysis_store, monkeypatch):
    store_dir = copy_to(analysis_store, data_dir)
    data = load_dataset(ResponseStore(store_dir, audit=False), "household", lang="en")
    first = crosstab_table(data, "has_computer", "head_education", percent="col")
    layered = crosstab_table(data, "has_computer", "head_education", layer="head_sex", percent="row")
    monkeypatch.setenv(out_of_core.SETTING, "10")
    no_dataset(monkeypatch)
    at = open_page(store_dir, "crosstab")
    assert not at.exception and not at.error
    same(first, at)
    assert at.info[0].value == first.stats["tests"][0]["sentence"]["en"]
    at.radio(key="crosstab_percent").set_value("row").run()
    at.selectbox(key="crosstab_layer").set_value("head_sex").run()
    assert not at.exception and not at.error
    same(layered, at)
    assert [i.value for i in at.info] == [test["sentence"]["en"] for test in layered.stats["tests"]]
    assert any("Computed out of core (DuckDB)" in c.value for c in at.caption)


def test_past_the_setting_a_design_not_out_of_core_says_it_was_computed_in_memory(analysis_store, monkeypatch):
    store = ResponseStore(analysis_store, audit=False)
    monkeypatch.setenv(out_of_core.SETTING, "10")
    view = data_cache.View("civil_servant", "en")   # base weights from the agencies' staff counts
    question = data_cache.facets("civil_servant", "en", store=store).questions[0].name
    made = data_cache.table(question_table, view, store=store, question=question)
    assert out_of_core.NOTE not in made.notes
    assert made.notes[-1]["en"] == ("Computed in memory: past 10 rows the analysis pages compute out of core "
                                    "(DuckDB), but not base weights from another questionnaire's counts yet.")
    assert made.notes[-1]["id"].startswith("Dihitung di dalam memori: di atas 10 baris")
    monkeypatch.setenv(out_of_core.SETTING, "100000")
    assert not any("in memory" in note["en"] for note in data_cache.table(question_table, view, store=store,
                                                                            question=question).notes)


def test_in_indonesian_too(analysis_store):
    store = ResponseStore(analysis_store, audit=False)
    rows = store_source.build(store, "household")
    try:
        mine = store_data.build(rows, store.instrument("household"), "id")
        theirs = load_dataset(store, "household", lang="id")
        same_provenance(theirs.provenance, mine.provenance)
        for a, b in ((question_table(mine, "internet_type", by="kecamatan"),
                      question_table(theirs, "internet_type", by="kecamatan")),
                     (crosstab_table(mine, "has_computer", "head_education", percent="col"),
                      crosstab_table(theirs, "has_computer", "head_education", percent="col"))):
            np.testing.assert_allclose(a.data["estimate"].astype(float), b.data["estimate"].astype(float), rtol=1e-9)
            assert a.value_labels == b.value_labels and a.to_frame("id").columns.equals(b.to_frame("id").columns)
    finally:
        rows.close()


def test_refusals_vacant_dwellings_and_reviews_weigh_as_in_memory(tmp_path, analysis_store):
    """Left-out interviews counted by reason, the non-response adjustment of their PSU (a refusal
    and a non-contact count as sampled, a vacant dwelling as not eligible), rejected and approved
    reviews: the same provenance, weights and table as the Dataset's."""
    store = ResponseStore(copy_to(analysis_store, tmp_path / "store"), audit=False)
    stored = store.read("household")
    first = stored.iloc[0]
    place = {k: first[k] for k in ("kecamatan", "psu", "kelurahan", "rw", "rt", "interview_date")}
    for outcome in ("refused", "vacant_or_not_found", "nobody_home"):
        store.submit("household", {**place, "visit_outcome": outcome}, "enum01")
    store.set_status("household", stored["_response_id"].iloc[1], "rejected", editor="sup1")
    store.set_status("household", stored["_response_id"].iloc[2], "approved", editor="sup1")
    theirs = load_dataset(store, "household", lang="en")
    assert set(theirs.provenance.excluded) == {"status: rejected", "visit_outcome: refused",
                                               "visit_outcome: vacant_or_not_found", "visit_outcome: nobody_home"}
    rows = store_source.build(store, "household")
    try:
        mine = store_data.build(rows, store.instrument("household"), "en")
        same_provenance(theirs.provenance, mine.provenance)
        weights = store_source.duckdb.sql(f"SELECT __w FROM read_parquet('{mine.main.path}')").df()["__w"]
        np.testing.assert_allclose(np.sort(weights.to_numpy()), np.sort(theirs.main.design.weights), rtol=1e-12)
        a = question_table(mine, "has_internet", by="kecamatan").data
        b = question_table(theirs, "has_internet", by="kecamatan").data
        np.testing.assert_allclose(a[["estimate", "se"]].astype(float), b[["estimate", "se"]].astype(float), rtol=1e-9)
    finally:
        rows.close()


def test_the_threshold_is_the_stored_rows_read_from_the_files_footers(analysis_store, monkeypatch):
    from ui.results import out_of_core_pages

    store = ResponseStore(analysis_store, audit=False)
    assert out_of_core_pages.stored_rows(store, "household_members") == store.count("household_members") == 449
    token = data_cache.data_token(store)
    monkeypatch.setenv(out_of_core.SETTING, "449")
    assert not out_of_core_pages.large(store, token, "household")
    monkeypatch.setenv(out_of_core.SETTING, "448")   # the members, not the 120 households, are past it
    assert out_of_core_pages.large(store, token, "household")


def test_a_lonely_psu_the_design_cannot_take_is_left_to_the_in_memory_path(analysis_store, monkeypatch):
    """Pasar Kliwon keeps one PSU: with lonely_psu "fail" the in-memory design falls back with a note,
    which the out-of-core path does not reproduce, so it declines."""
    store = ResponseStore(analysis_store, audit=False)
    inst = store.instrument("household")
    strict = replace(inst, design=replace(inst.design, lonely_psu="fail"))
    monkeypatch.setattr(ResponseStore, "instrument", lambda self, name: strict if name == "household" else inst)
    with pytest.raises(store_source.NotOutOfCore, match="lonely"):
        store_source.build(store, "household")


@pytest.mark.parametrize("out_of_core_rows", [None, "10"])
def test_a_layer_with_no_degrees_of_freedom_shows_its_table_without_tests(data_dir, analysis_store, monkeypatch,
                                                                          out_of_core_rows):
    """Pasar Kliwon keeps one PSU: layered by kecamatan a cross-tab of the members has degf 0 there, where the
    adjusted Wald test divided by zero (issue 24). The page shows the layer's table and says the tests are
    not available, in memory and out of core."""
    store_dir = copy_to(analysis_store, data_dir)
    data = load_dataset(ResponseStore(store_dir, audit=False), "household", lang="en")
    layered = crosstab_table(data, "used_internet", "sex", layer="kecamatan", percent="row")
    lonely = [t for t in layered.stats["tests"] if not np.isfinite(t["rao_scott"][3])]
    assert len(lonely) == 1 and lonely[0]["rao_scott"][2] == 0
    if out_of_core_rows:
        monkeypatch.setenv(out_of_core.SETTING, out_of_core_rows)
        no_dataset(monkeypatch)
    at = open_page(store_dir, "crosstab")
    at.radio(key="crosstab_percent").set_value("row").run()
    at.selectbox(key="crosstab_row").set_value("used_internet").run()
    at.selectbox(key="crosstab_col").set_value("sex").run()
    at.selectbox(key="crosstab_layer").set_value("kecamatan").run()
    assert not at.exception and not at.error
    same(layered, at)
    said = [i.value for i in at.info]
    assert said == [test["sentence"]["en"] for test in layered.stats["tests"]]
    assert any(s.startswith("Pasar Kliwon: The tests of association are not available for “") and
               "this part of the sample has 0 degrees of freedom (as many PSUs as strata)" in s for s in said)
    assert any("Computed out of core (DuckDB)" in c.value for c in at.caption) == bool(out_of_core_rows)
    assert lonely[0]["sentence"]["id"].startswith("Pasar Kliwon: Uji asosiasi tidak tersedia")


def test_explore_offers_the_kelurahan_model_only_in_memory(data_dir, analysis_store, monkeypatch):
    """The model-based kelurahan estimates need the in-memory Dataset: past the setting Explore
    does not offer them and says why, as the Indicators page does."""
    store_dir = copy_to(analysis_store, data_dir)
    at = open_page(store_dir, "explore")
    at.selectbox(key="explore_question").set_value("has_internet").run()
    assert kelurahan_view.label("en") in at.selectbox(key="explore_by").options
    monkeypatch.setenv(out_of_core.SETTING, "10")
    no_dataset(monkeypatch)
    at = open_page(store_dir, "explore")
    at.selectbox(key="explore_question").set_value("has_internet").run()
    assert not at.exception and not at.error
    assert kelurahan_view.label("en") not in at.selectbox(key="explore_by").options
    assert any(c.value.startswith("The model-based estimates by kelurahan are not available past 10 rows")
               for c in at.caption)


def test_forget_removes_the_kept_rows_and_a_new_visit_builds_them_again(analysis_store, monkeypatch):
    """ui.bench's rounds start as a server that just started: no instrument's rows kept on disk."""
    store = ResponseStore(analysis_store, audit=False)
    monkeypatch.setenv(out_of_core.SETTING, "10")
    token = data_cache.data_token(store)
    made = out_of_core_pages.rows(store, token, "household")
    assert made is not None and made.folder.exists()
    out_of_core_pages.forget()
    assert not made.folder.exists() and not out_of_core_pages._rows and not out_of_core_pages._sizes
    again = out_of_core_pages.rows(store, token, "household")
    assert again is not made and again.folder.exists()
