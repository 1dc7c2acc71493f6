"""Explore's regression model past SURVEY_OUT_OF_CORE_ROWS without the in-memory Dataset (issue 24):
svyglm's IRLS as group sums in DuckDB and its sandwich through the out-of-core covariance give the
in-memory model table to 1e-8 (every cell, note and label) on the test store's two-stage
post-stratified design, linear and logistic, with choice and number predictors, filtered and
unweighted; a model whose terms are collinear is computed in memory and says so."""

import pytest

from analysis.dataset.dataset import load_dataset
from analysis.estimation import glm_blocks
from analysis.tables import out_of_core, out_of_core_models
from analysis.tables.model_tables import model_table
from survey import ResponseStore
from tests.support.analysis_store import copy_to
from tests.support.app import open_page
from tests.support.out_of_core import WARNINGS, household_dataset, household_rows, no_dataset, same_frame
from tests.ui.test_explore_model import fit, model_shown
from ui.results import data_cache, model_form

pytestmark = WARNINGS


@pytest.fixture(scope="module")
def in_memory(analysis_store):
    return household_dataset(analysis_store)


@pytest.fixture(scope="module")
def from_store(analysis_store):
    with household_rows(analysis_store) as rows:
        yield rows


def assert_same_model(mine, theirs):
    assert mine is not None, "computed out of core"
    assert list(mine.notes) == [*theirs.notes, out_of_core.NOTE]
    assert mine.value_labels == theirs.value_labels and mine.title == theirs.title and mine.keys == theirs.keys
    assert mine.stats == theirs.stats and mine.columns == theirs.columns
    same_frame(mine.data, theirs.data, rtol=1e-8, atol=1e-12)
    assert mine.to_frame("en", formatted=True).equals(theirs.to_frame("en", formatted=True))


MODELS = [("has_internet", ("income_monthly", "kecamatan"), None),              # logistic
          ("has_computer", ("hh_size", "head_education", "head_age"), None),
          ("head_education", ("income_monthly", "has_internet"), "tertiary"),    # one of five choices
          ("income_monthly", ("hh_size", "has_computer"), None),                # linear
          ("hh_size", ("kecamatan", "has_internet", "head_sex"), None),
          ("used_internet", ("age", "sex"), None),                               # members: post-strata by sex too
          ("sex", ("age", "education"), "female"),
          ("age", ("sex", "used_internet", "labour_status"), None)]


@pytest.mark.parametrize("outcome, predictors, choice", MODELS)
def test_models_from_the_store_equal_the_in_memory_ones(in_memory, from_store, outcome, predictors, choice):
    mine = out_of_core_models.model_table(from_store, outcome, predictors, choice=choice)
    assert_same_model(mine, model_table(in_memory, outcome, predictors, choice=choice))


@pytest.mark.parametrize("outcome, predictors, choice", [MODELS[0], MODELS[3], MODELS[5], MODELS[7]])
def test_filtered_and_unweighted_models_equal_the_in_memory_ones(in_memory, from_store, outcome, predictors, choice):
    for mine, theirs in ((from_store.view(True, enumerators=("enum02",)), in_memory.filter(enumerators=["enum02"])),
                         (from_store.view(True, answers=(("kecamatan", ("laweyan", "jebres", "banjarsari")),)),
                          in_memory.filter(kecamatan=("laweyan", "jebres", "banjarsari"))),
                         (from_store.view(False), in_memory.unweighted())):
        assert_same_model(out_of_core_models.model_table(mine, outcome, predictors, choice=choice),
                          model_table(theirs, outcome, predictors, choice=choice))


def test_collinear_terms_are_left_to_the_in_memory_fit(from_store, in_memory):
    """Kelurahan lie within kecamatan: the in-memory fit aliases them (R's NA), the out-of-core one
    does not try."""
    assert out_of_core_models.model_table(from_store, "hh_size", ("kecamatan", "kelurahan")) is None
    assert model_table(in_memory, "hh_size", ("kecamatan", "kelurahan")).notes[-1]["en"].startswith(
        "A term collinear with earlier ones")


@pytest.mark.parametrize("outcome, predictors, choice", [("has_internet", ["hh_size", "kecamatan"], None),
                                                         ("income_monthly", ["hh_size", "has_computer"], None)])
def test_explore_fits_the_model_without_the_dataset_past_the_setting(data_dir, analysis_store, monkeypatch,
                                                                     outcome, predictors, choice):
    store_dir = copy_to(analysis_store, data_dir)
    data = load_dataset(ResponseStore(store_dir, audit=False), "household", lang="en")
    expected = model_table(data, outcome, predictors, choice=choice)
    monkeypatch.setenv(out_of_core.SETTING, "10")
    no_dataset(monkeypatch)
    at = fit(open_page(store_dir, "explore"), outcome, predictors, choice)
    assert not at.exception and not at.error
    assert model_shown(at).equals(expected.to_frame("en", formatted=True))
    captions = [c.value for c in at.caption]
    assert any(c.startswith(expected.notes[0]["en"][:40]) for c in captions)
    assert any("Computed out of core (DuckDB)" in c for c in captions)
    assert not any(c.startswith("Computed in memory") for c in captions)


def test_a_collinear_model_past_the_setting_is_computed_in_memory_and_says_so(data_dir, analysis_store,
                                                                               monkeypatch):
    store_dir = copy_to(analysis_store, data_dir)
    expected = model_table(load_dataset(ResponseStore(store_dir, audit=False), "household", lang="en"), "hh_size",
                           ["kecamatan", "kelurahan"])
    monkeypatch.setenv(out_of_core.SETTING, "10")
    at = fit(open_page(store_dir, "explore"), "hh_size", ["kecamatan", "kelurahan"])
    assert not at.exception and not at.error
    assert model_shown(at).equals(expected.to_frame("en", formatted=True))
    assert any(c.value.startswith("Computed in memory: past 10 rows") and "nearly collinear terms" in c.value
               for c in at.caption)


def test_a_model_that_cannot_be_fitted_says_why_past_the_setting_too(data_dir, analysis_store, monkeypatch):
    """One kecamatan left by the filter: the in-memory fit's own reason, said without the Dataset."""
    store_dir = copy_to(analysis_store, data_dir)
    data = load_dataset(ResponseStore(store_dir, audit=False), "household", lang="en").filter(kecamatan=["jebres"])
    with pytest.raises(ValueError) as expected:
        model_table(data, "hh_size", ["kecamatan"])
    store = ResponseStore(store_dir, audit=False)
    view = data_cache.View("household", "en", answers=(("kecamatan", ("jebres",)),))
    monkeypatch.setenv(out_of_core.SETTING, "10")
    no_dataset(monkeypatch)
    with pytest.raises(ValueError) as raised:
        model_form._fit(store, view, "hh_size", ("kecamatan",), None)
    assert str(raised.value) == str(expected.value)
    assert "the term 'kecamatan' has only one level" in str(raised.value)


def test_the_cached_model_keys_on_the_setting(analysis_store, monkeypatch):
    store = ResponseStore(analysis_store, audit=False)
    view = data_cache.View("household", "en")
    args = ("has_internet", ("hh_size", "kecamatan"), None)
    monkeypatch.setenv(out_of_core.SETTING, "10")
    assert out_of_core.NOTE in data_cache.cached("model", model_form._fit, view, *args, store=store).notes
    monkeypatch.setenv(out_of_core.SETTING, "1000000")
    assert out_of_core.NOTE not in data_cache.cached("model", model_form._fit, view, *args, store=store).notes


def test_the_out_of_core_steps_stop_where_the_in_memory_ones_do(from_store, in_memory, monkeypatch):
    """Both fits take glm.fit's steps: counted by the solves of each step's normal equations."""
    counts = {"in memory": 0, "out of core": 0}
    solve = glm_blocks.scaled_solve

    def counting(where):
        def wrapped(gram, rhs=None, cond=None):
            if rhs is not None:
                counts[where] += 1
            return solve(gram, rhs, cond)
        return wrapped

    monkeypatch.setattr(glm_blocks, "scaled_solve", counting("in memory"))
    model_table(in_memory, "has_internet", ("income_monthly", "kecamatan"))
    monkeypatch.setattr(glm_blocks, "scaled_solve", counting("out of core"))
    out_of_core_models.model_table(from_store, "has_internet", ("income_monthly", "kecamatan"))
    assert counts["out of core"] == counts["in memory"] > 2
