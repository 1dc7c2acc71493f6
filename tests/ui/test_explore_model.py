"""The explore page's regression form (issue 18, item 5) through AppTest.

A researcher picks an outcome and predictors; the page shows the design-based model that
analysis.tables.model_tables gives on the same store (the numbers as formatted there), its notes
(model, design, n), and the table's downloads; a choice outcome is logistic with odds ratios."""

from __future__ import annotations

import pytest

from analysis.dataset.dataset import load_dataset
from analysis.tables.model_tables import model_table
from survey import ResponseStore
from tests.support.analysis_store import copy_to
from tests.support.app import open_page
from ui.i18n import t


@pytest.fixture
def store_dir(data_dir, analysis_store):
    return copy_to(analysis_store, data_dir)


def model_shown(at):
    """The model's table: the page's last (AppTest gives a dataframe no key); the question's come first."""
    assert len(at.dataframe) == 2, "the question's table and the model's"
    return at.dataframe[-1].value.reset_index(drop=True)


def fit(at, outcome, predictors, choice=None):
    at.selectbox(key="explore_model_outcome").set_value(outcome).run()
    if choice is not None:
        at.selectbox(key="explore_model_choice").set_value(choice).run()
    at.multiselect(key="explore_model_predictors").set_value(predictors).run()
    assert not at.exception, at.exception
    return at


def test_no_model_until_an_outcome_and_a_predictor_are_chosen(store_dir):
    at = open_page(store_dir, "explore")
    assert len(at.dataframe) == 1
    at.selectbox(key="explore_model_outcome").set_value("income_monthly").run()
    assert [i.value for i in at.info] == [t("model_choose_predictors", "en")]
    assert len(at.dataframe) == 1


def test_a_logistic_model_shows_odds_ratios_with_notes_and_downloads(store_dir):
    at = fit(open_page(store_dir, "explore"), "has_internet", ["hh_size", "kecamatan"])
    expected = model_table(load_dataset(ResponseStore(store_dir, audit=False), "household"), "has_internet",
                           ["hh_size", "kecamatan"], choice="yes")
    shown = model_shown(at)
    assert shown.equals(expected.to_frame("en", formatted=True))
    assert list(shown.columns[:4]) == ["Term", "Odds ratio", "CI 95% low", "CI 95% high"]
    assert shown["Term"].tolist()[:2] == ["Intercept", "How many people belong to this household?"]
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Logistic model weighted by the design") and "n = 120 rows" in c for c in captions)
    assert any(c.startswith("Design: Two-stage sample") for c in captions)  # the household design (issue 18, item 1)
    assert any(c.startswith("Reference categories: District (kecamatan): Banjarsari") for c in captions)
    keys = [b.key for b in at.get("download_button")]
    assert {"explore_model_csv", "explore_model_xlsx", "explore_model_html"} <= set(keys)


def test_a_number_outcome_is_linear_and_follows_the_weighted_switch(store_dir):
    at = fit(open_page(store_dir, "explore"), "income_monthly", ["hh_size", "has_computer"])
    assert "explore_model_choice" not in [s.key for s in at.selectbox]
    weighted = model_shown(at)
    assert "Coefficient" in weighted.columns and "Odds ratio" not in weighted.columns
    assert any(c.value.startswith("Linear model weighted by the design") for c in at.caption)
    at.toggle(key="explore_weighted").set_value(False).run()
    unweighted = model_shown(at)
    assert not weighted["Coefficient"].equals(unweighted["Coefficient"])


def test_in_indonesian_the_form_speaks_indonesian(store_dir):
    at = fit(open_page(store_dir, "explore", lang="id"), "has_internet", ["hh_size"])
    assert at.multiselect(key="explore_model_predictors").proto.placeholder == t("model_predictors_placeholder", "id")
    assert model_shown(at)["Suku"].tolist()[0] == "Konstanta"
    assert any(c.value.startswith("Model logistik berbobot desain") for c in at.caption)



def test_a_model_that_cannot_be_fitted_says_why_and_the_page_goes_on(store_dir):
    """Within one district the district has one level: the reason is shown, not a traceback."""
    at = open_page(store_dir, "explore")
    at.multiselect(key="explore_area").set_value(["laweyan"]).run()
    fit(at, "has_internet", ["kecamatan"])
    assert [e.value for e in at.error][0].startswith("The model cannot be fitted: ")
    assert "the term 'kecamatan' has only one level" in at.error[0].value   # named as the questionnaire does
    assert len(at.dataframe) == 1                 # the question's table is still there
