"""ui.results.data_cache: the store is read again only when what the results depend on changed."""

from __future__ import annotations

import os
import shutil

import pytest

from survey import ResponseStore
from survey.questionnaire.model import INSTRUMENT_DIR
from survey.simulate import generate
from tests.support.analysis_store import copy_to
from tests.support.app import count_line, open_page
from ui.results import data_cache as data


@pytest.fixture
def loads(monkeypatch):
    """The instruments whose Dataset was built, in order."""
    built = []
    real = data.load_dataset

    def counting(store, instrument_id, **options):
        built.append(instrument_id)
        return real(store, instrument_id, **options)

    monkeypatch.setattr(data, "load_dataset", counting)
    return built


def test_reruns_with_nothing_new_read_nothing_and_a_submission_is_read_once(data_dir, analysis_store, loads):
    copy_to(analysis_store, data_dir)
    at = open_page(data_dir, "explore")
    assert loads == ["household"]
    for _ in range(3):                                  # reruns and refreshes: nothing new stored
        at.run()
    at.selectbox(key="explore_question").set_value("has_tv").run()   # a new table from the cached dataset
    assert loads == ["household"]
    ResponseStore(data_dir).submit("household", generate("household", 1, seed=99)[0], enumerator="enum01")
    at.run()
    assert loads == ["household", "household"] and count_line(at).startswith("121 responses")
    at.run()
    assert loads == ["household", "household"]


def test_the_token_follows_the_store_the_design_files_and_the_questionnaires(tmp_path, analysis_store):
    instruments = shutil.copytree(INSTRUMENT_DIR, tmp_path / "instruments")
    root = copy_to(analysis_store, tmp_path / "store")
    store = ResponseStore(root, instruments_dir=instruments, audit=False)
    token = data.data_token(store)
    assert data.data_token(store) == token
    (root / "population.csv").write_text((root / "population.csv").read_text() + "\n")
    assert data.data_token(store) != token
    token = data.data_token(store)
    (root / "frame.csv").unlink()
    assert data.data_token(store) != token
    token = data.data_token(store)
    yaml = instruments / "household.yaml"
    os.utime(yaml, ns=(yaml.stat().st_atime_ns, yaml.stat().st_mtime_ns + 10**9))
    assert data.data_token(store) != token
    token = data.data_token(store)
    store.submit("agency", generate("agency", 1, seed=5)[0], enumerator="enum01")
    assert data.data_token(store) != token


def test_a_view_applies_filters_then_the_weights(analysis_store):
    store = ResponseStore(analysis_store, audit=False)
    full = data.dataset("household", "en", store=store)
    view = data.View("household", "en", weighted=False, answers=(("kecamatan", ("laweyan",)),))
    seen = view.apply(full)
    assert seen.provenance.in_filter == 30 and not seen.provenance.weighted
    assert data.View("household", "en").apply(full) is full


def test_every_session_shares_one_dataset_that_none_of_them_can_change(tmp_path, analysis_store):
    """The Dataset is kept unpickled and shared (issue 22, section 3): one object for every reader,
    its frames copy-on-write copies, its arrays read-only."""
    store = ResponseStore(copy_to(analysis_store, tmp_path / "store"), audit=False)
    one = data.dataset("household", "en", store=store)
    other = data.dataset("household", "en", store=store)
    assert one is other                               # no copy per reader (st.cache_data unpickled one each)
    frame = one.main.frame
    frame["kecamatan"] = None                         # a session editing what it was given...
    frame["extra"] = 1
    assert "extra" not in other.main.frame and other.main.frame["kecamatan"].notna().all()
    members = one.tables["household_members"]
    for array in (members.household, members.design.weights, members.design.in_subset):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = array[1]


def test_a_shared_result_is_computed_once_and_each_caller_edits_only_its_own_copy(tmp_path, analysis_store):
    store = ResponseStore(copy_to(analysis_store, tmp_path / "store"), audit=False)
    calls = []

    def listing(store, instrument_id):
        calls.append(instrument_id)
        records = store.read(instrument_id)
        return records, {"ids": records["_response_id"]}

    first, extra = data.shared("test_listing", listing, "household", store=store)
    first.loc[0, "_status"] = "edited"
    first["mine"] = 1
    extra["ids"].iloc[0] = "edited"
    again, extra_again = data.shared("test_listing", listing, "household", store=store)
    assert calls == ["household"]
    assert "mine" not in again and "edited" not in set(again["_status"]) and "edited" not in set(extra_again["ids"])
    store.submit("household", generate("household", 1, seed=7)[0], enumerator="enum01")
    assert len(data.shared("test_listing", listing, "household", store=store)[0]) == len(again) + 1
    assert calls == ["household", "household"]


def test_a_table_the_page_built_is_a_cache_read_for_the_data_api(tmp_path, analysis_store, monkeypatch):
    from analysis import results_cache
    from analysis.tables.question_tables import question_table

    store = ResponseStore(copy_to(analysis_store, tmp_path / "store"), audit=False)
    calls = []

    def counted(*args, **kwargs):
        calls.append(kwargs)
        return question_table(*args, **kwargs)
    counted.__qualname__, counted.__module__ = question_table.__qualname__, question_table.__module__
    shown = data.table(counted, data.View("household", "en"), store=store, question="has_internet", by=None)
    served = results_cache.result(counted, store, ("household",), "en", question="has_internet", by=None)
    assert len(calls) == 1 and served.data.equals(shown.data)
    filtered = data.View("household", "en", weighted=False)    # a page's own view: not the API's table
    data.table(counted, filtered, store=store, question="has_internet", by=None)
    assert len(calls) == 2


def test_a_result_is_asked_for_by_its_builder_and_a_nameless_one_is_refused(tmp_path, analysis_store):
    """The cache keys on the builder's qualified name: two lambdas would share one (issue 23, item 3)."""
    from analysis import results_cache
    from analysis.tables.question_tables import question_table

    store = ResponseStore(copy_to(analysis_store, tmp_path / "store"), audit=False)
    assert results_cache.qualified_name(question_table) == "analysis.tables.question_tables.question_table"
    with pytest.raises(ValueError, match="named module-level function"):
        data.table(lambda household, **_: None, data.View("household", "en"), store=store)
    assert not hasattr(data, "TABLES")   # no dict of string names between a page and its estimator
