"""The researchers' pages through AppTest, on one seeded store with awkward data.

Every page renders its charts and tables without an exception; the numbers on
screen are those ``analysis`` gives when called directly on the same store; the
filters and the weighted switch change them; a rejected response drops out; the
pages say what to do when there is nothing to show.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.dataset.dataset import load_dataset
from analysis.indicators.egov import STAGE_LABELS, city_stage
from analysis.indicators.sections import household_indicator_table, individual_indicator_table
from analysis.tables.histograms import histogram_table
from analysis.tables.question_tables import crosstab_table, question_table
from survey import ResponseStore, load_instrument
from tests.support.analysis_store import copy_to
from tests.support.app import count_line, make_unusable, open_page, same, shown

PAGES = ("explore", "crosstab", "indicators", "design")


@pytest.fixture
def store_dir(data_dir, analysis_store):
    return copy_to(analysis_store, data_dir)


def charts(at) -> list:
    return list(at.get("vega_lite_chart"))


def direct(data_dir, instrument: str = "household", lang: str = "en"):
    return load_dataset(ResponseStore(data_dir, audit=False), instrument, lang=lang)


# ---- every page ----------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_each_page_shows_its_results_at_once(store_dir, page):
    at = open_page(store_dir, page)
    assert charts(at) or page == "design"
    assert at.dataframe
    assert count_line(at).startswith("120 responses, the last at ")
    assert not at.error
    assert [b.key for b in at.get("download_button")][0].startswith(page)
    for chart in charts(at):                            # data inline: nothing to fetch
        spec = json.loads(chart.proto.spec)
        assert '"url"' not in json.dumps({k: v for k, v in spec.items() if k != "$schema"})


@pytest.mark.parametrize("page", ("explore", "crosstab", "indicators"))
def test_a_supervisor_sees_the_analysis_pages(store_dir, page):
    at = open_page(store_dir, page, role="supervisor")
    assert charts(at) and at.dataframe and not at.error


def test_every_indicator_section_renders_and_the_stage_ladder_is_there(store_dir):
    at = open_page(store_dir, "indicators")
    for section in ("household", "individual", "egov", "stages", "leadership"):
        at.radio(key="indicators_section").set_value(section).run()
        assert not at.exception, (section, at.exception)
        assert charts(at) and at.dataframe, section
        if section == "stages":
            stage, _ = city_stage(direct(store_dir, "agency"))
            metric = next(m for m in at.metric if m.label == "The city's e-government stage")
            assert metric.value == STAGE_LABELS[stage]["en"]
            assert len(charts(at)) == 2          # the city's distribution and the agencies' ladder


@pytest.mark.parametrize("page", ("explore", "crosstab", "design"))
@pytest.mark.parametrize("instrument", ("civil_servant", "agency"))
def test_the_other_questionnaires_have_their_own_designs_and_defaults(store_dir, page, instrument):
    at = open_page(store_dir, page)
    at.selectbox(key=f"{page}_instrument").set_value(instrument).run()
    assert not at.exception and not at.error
    assert charts(at) or page == "design"
    data = direct(store_dir, instrument)
    assert count_line(at).startswith(f"{data.provenance.responses} responses")
    if page == "explore":   # the question chosen stays when the other questionnaire asks it too
        first = load_instrument(instrument).analysis.explore
        chosen = at.selectbox(key="explore_question").value
        assert chosen in (first, "has_internet")
        same(question_table(data, chosen), at)


# ---- explore ---------------------------------------------------------------------------------------
def test_explore_starts_on_the_questionnaires_question_and_shows_what_analysis_gives(store_dir):
    # not the kecamatan, a calibration variable whose estimates the weighting fixes (SE 0)
    at = open_page(store_dir, "explore")
    assert at.selectbox(key="explore_question").value == "has_internet"
    same(question_table(direct(store_dir), "has_internet"), at)
    assert any("No responses yet in 'Serengan'" in w.value for w in at.warning)   # the empty stratum


@pytest.mark.parametrize("lang, note", [("en", "fixed by the weighting"), ("id", "ditetapkan oleh pembobotan")])
def test_explore_says_the_weighting_fixes_the_kecamatan_instead_of_showing_zeros(store_dir, lang, note):
    at = open_page(store_dir, "explore", lang=lang)
    at.selectbox(key="explore_question").set_value("kecamatan").run()
    table = shown(at)
    answered = table[table.iloc[:, -1] != "0"]            # (Serengan has no household: its own warning)
    se, ci, deff = (table.columns[i] for i in (2, 3, 5))
    assert (answered[[se, ci, deff]] == "–").all().all() and not answered[se].str.contains("0").any()
    assert any(note in c.value for c in at.caption)
    same(question_table(direct(store_dir, lang=lang), "kecamatan"), at, lang=lang)


def test_explore_a_number_gets_a_histogram_and_the_same_numbers(store_dir):
    at = open_page(store_dir, "explore")
    at.selectbox(key="explore_question").set_value("income_monthly").run()
    data = direct(store_dir)
    same(question_table(data, "income_monthly"), at, 0)
    same(histogram_table(data, "income_monthly"), at, 1)
    assert len(charts(at)) == 2                      # the histogram, the box plot with the mean
    assert any("household's approximate monthly income" in m.value for m in at.markdown)


def test_explore_a_select_multiple_shows_one_bar_per_option(store_dir):
    at = open_page(store_dir, "explore")
    at.selectbox(key="explore_question").set_value("internet_type").run()
    table = question_table(direct(store_dir), "internet_type")
    same(table, at)
    assert len(shown(at)) == len(direct(store_dir).variable("internet_type").choices)


def test_explore_members_questions_break_down_by_sex(store_dir):
    at = open_page(store_dir, "explore")
    at.selectbox(key="explore_question").set_value("used_internet").run()
    at.selectbox(key="explore_by").set_value("sex").run()
    same(question_table(direct(store_dir), "used_internet", by="sex"), at)


def test_filters_change_the_numbers_and_match_a_filtered_dataset(store_dir):
    at = open_page(store_dir, "explore")
    at.selectbox(key="explore_question").set_value("has_internet").run()
    everyone = shown(at)
    at.multiselect(key="explore_area").set_value(["laweyan"]).run()
    laweyan = shown(at)
    assert not laweyan.equals(everyone)
    data = direct(store_dir)
    same(question_table(data.filter(kecamatan=["laweyan"]), "has_internet"), at)
    assert "(30 in the filter)" in count_line(at)
    at.multiselect(key="explore_area").set_value([]).run()
    at.multiselect(key="explore_enumerators").set_value(["enum02"]).run()
    same(question_table(data.filter(enumerators=["enum02"]), "has_internet"), at)
    at.multiselect(key="explore_enumerators").set_value([]).run()
    at.date_input(key="explore_days").set_value((pd.Timestamp("2024-07-01").date(),
                                                 pd.Timestamp("2024-07-31").date())).run()
    same(question_table(data.filter(dates=("2024-07-01", "2024-07-31")), "has_internet"), at)
    at.date_input(key="explore_days").set_value(()).run()
    store = ResponseStore(store_dir)
    for rid in store.read("household")["_response_id"].iloc[:3]:
        store.set_status("household", rid, "approved", editor="sup1", base_revision=1)
    at.multiselect(key="explore_statuses").set_value(["approved"]).run()
    assert "(3 in the filter)" in count_line(at)
    same(question_table(direct(store_dir).filter(statuses=["approved"]), "has_internet"), at)


def test_the_weighted_switch_changes_the_numbers_and_names_the_design(store_dir):
    at = open_page(store_dir, "explore")
    at.selectbox(key="explore_question").set_value("has_computer").run()
    weighted = shown(at)
    design = next(c.value for c in at.caption if c.value.startswith("Design: "))
    assert "Two-stage sample" in design and "post-stratified" in design
    at.toggle(key="explore_weighted").set_value(False).run()
    assert not shown(at).equals(weighted)
    same(question_table(direct(store_dir).unweighted(), "has_computer"), at)
    assert any("Unweighted (equal weights): the weighted / unweighted switch" in c.value for c in at.caption)


def test_a_rejected_response_drops_out(store_dir):
    at = open_page(store_dir, "explore")
    assert count_line(at).startswith("120 responses")
    store = ResponseStore(store_dir)
    rid = store.read("household")["_response_id"].iloc[0]
    store.set_status("household", rid, "rejected", editor="sup1", base_revision=1)
    at.run()
    assert count_line(at).startswith("119 responses")
    same(question_table(direct(store_dir), "has_internet"), at)


def test_without_a_frame_the_pages_say_so_and_estimate_unweighted(store_dir):
    (store_dir / "frame.csv").unlink()
    at = open_page(store_dir, "explore")
    assert any("There is no sampling frame (frame.csv)" in w.value for w in at.warning)
    assert at.toggle(key="explore_weighted").proto.disabled
    assert any("Unweighted (equal weights): no sampling frame" in c.value for c in at.caption)
    same(question_table(direct(store_dir), "has_internet"), at)


def test_numbers_are_written_for_bahasa_indonesia(store_dir):
    at = open_page(store_dir, "explore", lang="id")
    at.selectbox(key="explore_question").set_value("has_internet").run()
    same(question_table(direct(store_dir, lang="id"), "has_internet"), at, lang="id")
    assert shown(at).iloc[0]["Estimasi"].endswith("%") and "," in shown(at).iloc[0]["Estimasi"]
    assert count_line(at).startswith("120 respons, terakhir pada ")


# ---- crosstab --------------------------------------------------------------------------------------
def test_crosstab_starts_with_computer_ownership_by_education_and_states_the_test(store_dir):
    at = open_page(store_dir, "crosstab")
    assert (at.selectbox(key="crosstab_row").value, at.selectbox(key="crosstab_col").value) == \
        ("has_computer", "head_education")
    table = crosstab_table(direct(store_dir), "has_computer", "head_education", percent="col")
    same(table, at)
    sentence = at.info[0].value
    assert sentence == table.stats["tests"][0]["sentence"]["en"]
    assert "Rao-Scott test" in sentence and "F(" in sentence and ("p <" in sentence or "p =" in sentence)
    assert any(c.value.startswith("Cramér's V = ") for c in at.caption)


def test_crosstab_percent_style_and_layer(store_dir):
    at = open_page(store_dir, "crosstab")
    for style in ("stacked", "heatmap", "grouped"):
        at.radio(key="crosstab_style").set_value(style).run()
        assert not at.exception and charts(at)
        if style == "heatmap":   # the column labels upright and whole, the questions across on several lines
            spec = json.loads(charts(at)[0].proto.spec)
            x = spec["layer"][0]["encoding"]["x"]
            assert x["axis"]["labelAngle"] == -90 and x["axis"]["labelLimit"] >= 300 and isinstance(x["title"], list)
            assert isinstance(spec["title"]["text"], list)
    at.radio(key="crosstab_percent").set_value("row").run()
    at.selectbox(key="crosstab_layer").set_value("head_sex").run()
    assert not at.exception
    table = crosstab_table(direct(store_dir), "has_computer", "head_education", layer="head_sex", percent="row")
    same(table, at)
    assert len(at.info) == len(table.stats["tests"]) == 2
    assert at.warning, "small expected counts in a layer of 120 households are flagged"


def test_crosstab_offers_a_variable_of_both_tables_with_either(store_dir):
    """kecamatan is the households' and their members' (the design's strata): a household question
    and a member's question can each be crossed with it and layered by it."""
    at = open_page(store_dir, "crosstab")
    district = "District (kecamatan)"   # the widgets' options are the labels
    assert district in at.selectbox(key="crosstab_col").options
    assert district in at.selectbox(key="crosstab_layer").options
    at.selectbox(key="crosstab_col").set_value("kecamatan").run()
    assert not at.exception
    same(crosstab_table(direct(store_dir), "has_computer", "kecamatan", percent="col"), at)
    at.selectbox(key="crosstab_row").set_value("used_internet").run()
    columns = at.selectbox(key="crosstab_col").options
    assert district in columns   # and not the households' questions:
    assert not any(c.startswith("Does this household have a computer") for c in columns)


# ---- indicators ------------------------------------------------------------------------------------
def test_the_individual_indicators_are_ready_before_their_section_is_opened(store_dir, monkeypatch):
    from analysis.indicators import sections
    from ui.results import data_cache as data

    calls = []
    real = sections.individual_indicator_table
    monkeypatch.setattr(sections, "individual_indicator_table", lambda *a, **k: calls.append(k) or real(*a, **k))
    at = open_page(store_dir, "indicators")          # the household section; the prefetch in the background
    data.wait_for_prefetch(timeout=60)
    assert calls == [{"by": None}]
    at.radio(key="indicators_section").set_value("individual").run()
    assert not at.exception and calls == [{"by": None}]   # read from the cache, not computed again
    same(individual_indicator_table(direct(store_dir)), at)


def test_indicator_numbers_are_analysis_s_with_a_breakdown(store_dir):
    at = open_page(store_dir, "indicators")
    same(household_indicator_table(direct(store_dir)), at)
    at.radio(key="indicators_section").set_value("individual").run()
    at.selectbox(key="indicators_by_individual").set_value("sex").run()
    same(individual_indicator_table(direct(store_dir), by="sex"), at)
    assert "17.8.1" in shown(at)["SDG"].tolist()



def test_long_labels_wrap_and_the_column_that_tells_rows_apart_stays_in_view(store_dir):
    """The HH14 rows differ only at the end of their label, the agencies' table by its last column:
    text too long for its column wraps (Streamlit 1.67 wraps once rows are taller than 4rem = 64 px)
    and a table of several long columns fits a laptop's page (about 820 px beside the sidebar)."""
    def layout(at, i):
        table = at.dataframe[i]
        return table.proto.row_height, {name: c["width"] for name, c in json.loads(table.proto.columns).items()
                                        if name in table.value.columns}

    for lang, label in (("en", "Indicator"), ("id", "Indikator")):
        at = open_page(store_dir, "indicators", lang=lang)
        row, widths = layout(at, 0)
        assert shown(at)[label].str.len().max() * 6 > widths[label] >= 300 and row > 64
        at.radio(key="indicators_section").set_value("stages").run()
        row, widths = layout(at, 1)
        assert row > 64 and sum(widths.values()) <= 800, widths
        assert shown(at, 1).columns[-1] in widths and min(widths.values()) >= 56

# ---- empty store -----------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_an_empty_store_says_how_to_get_data(data_dir, page):
    at = open_page(data_dir, page)
    assert not at.error
    assert any("python -m survey.simulate --households 500 --out data" in i.value for i in at.info)
    assert not charts(at)


# ---- a broken questionnaire ------------------------------------------------------------------------
def test_a_questionnaire_the_store_cannot_use_is_named_and_the_others_stay(store_dir, monkeypatch):
    from survey import load_instrument
    make_unusable(monkeypatch, "civil_servant", "age")
    titles = {name: load_instrument(name).title["en"] for name in ("household", "agency")}
    for page in ("explore", "crosstab", "design"):
        at = open_page(store_dir, page)
        warning = " ".join(w.value for w in at.warning)
        assert "civil_servant" in warning and "age" in warning, page
        assert at.selectbox(key=f"{page}_instrument").options == [titles["household"], titles["agency"]], page
        assert charts(at) or len(at.dataframe), page   # the household survey is still shown
    at = open_page(store_dir, "indicators")          # the household sections do not need it
    assert "civil_servant" not in " ".join(w.value for w in at.warning) and charts(at)
    for section in ("egov", "leadership"):
        at.radio(key="indicators_section").set_value(section).run()
        assert not at.exception and not at.error, section
        assert "civil_servant" in " ".join(w.value for w in at.warning), section
    at.radio(key="indicators_section").set_value("stages").run()   # agencies only
    assert not at.exception and "civil_servant" not in " ".join(w.value for w in at.warning) and at.dataframe
