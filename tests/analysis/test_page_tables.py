"""The tables the researchers' pages added to analysis: histograms, weighting summaries, pickling.

Numbers are checked by hand computations on the dataset's own weights (a bin's share
is the weighted share of the answers in it; Kish's deff is n·Σw²/(Σw)²); the
intervals come from ``proportion``, which the R anchors test.
"""

from __future__ import annotations

import pickle
import shutil

import numpy as np
import pandas as pd
import pytest

from analysis.dataset.dataset import load_dataset
from analysis.tables.histograms import bin_edges, histogram_table
from analysis.tables.question_tables import crosstab_table, question_table
from analysis.tables.weighting_tables import totals_table, weights_table
from survey import ResponseStore
from survey.simulate import main as simulate


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    simulate(["--households", "200", "--seed", "4", "--bulk", "--out", str(root)])
    return root


@pytest.fixture(scope="module")
def households(sample):
    return load_dataset(ResponseStore(sample, audit=False), "household", lang="en")


def answers(data, question: str):
    table = data.table_of(question)
    values = pd.to_numeric(table.frame[question], errors="coerce").to_numpy(float, na_value=np.nan)
    inside = table.design.in_subset & ~np.isnan(values)
    return values[inside], np.asarray(table.design.weights)[inside]


def test_bin_edges_are_round_or_one_per_integer():
    assert bin_edges(1, 8, 20, integer=True).tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert bin_edges(551_000, 10_418_000, 20, integer=True)[:3].tolist() == [500_000, 1_000_000, 1_500_000]
    assert bin_edges(0.13, 0.92, 8).tolist() == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
    assert bin_edges(3.0, 3.0, 20).tolist() == [3.0, 4.0]


@pytest.mark.parametrize("question", ["hh_size", "income_monthly", "age"])
def test_a_bins_share_is_the_weighted_share_of_its_answers(households, question):
    table = histogram_table(households, question)
    values, w = answers(households, question)
    rows = table.data
    low = rows["low"].to_numpy(float)
    high = rows["high"].to_numpy(float)
    integer = households.variable(question).question.type == "integer"
    for i in range(len(rows)):
        last = i == len(rows) - 1
        closed = last and not integer           # the last bin of decimals is [a, b]
        inside = (values >= low[i]) & ((values < high[i]) | (closed & (values == high[i])))
        assert rows["estimate"].iloc[i] == pytest.approx(100 * w[inside].sum() / w.sum()), i
        assert rows["count"].iloc[i] == inside.sum()
    assert rows["estimate"].sum() == pytest.approx(100)
    assert (rows["ci_low"] <= rows["estimate"] + 1e-9).all() and (rows["estimate"] <= rows["ci_high"] + 1e-9).all()


def test_whiskers_follow_tukeys_rule_on_the_design_quartiles(households):
    table = histogram_table(households, "income_monthly")
    quartiles = question_table(households, "income_monthly").data.set_index("statistic")["estimate"]
    q1, q3 = quartiles["p25"], quartiles["p75"]
    assert table.stats["quartiles"] == pytest.approx((q1, quartiles["median"], q3))
    values, _ = answers(households, "income_monthly")
    fence = values[(values >= q1 - 1.5 * (q3 - q1)) & (values <= q3 + 1.5 * (q3 - q1))]
    assert table.stats["whiskers"] == (fence.min(), fence.max())
    over = table.data.iloc[-1]
    if values.max() > fence.max():      # answers beyond the whisker: one open bin
        assert np.isinf(over["high"]) and table.value_label("bin", over["bin"], "id").startswith("di atas Rp")


def test_a_histogram_is_of_the_domain_in_force(households):
    laweyan = households.filter(kecamatan=["laweyan"])
    table = histogram_table(laweyan, "hh_size")
    values, _ = answers(laweyan, "hh_size")
    assert table.data["count"].sum() == len(values) < len(answers(households, "hh_size")[0])


def test_kish_deff_and_the_calibrated_totals(households):
    weights = weights_table(households).data.set_index("table")
    w = np.asarray(households.main.design.weights)
    assert weights.loc["household", "deff"] == pytest.approx(len(w) * (w ** 2).sum() / w.sum() ** 2)
    assert weights.loc["household", "ratio"] == pytest.approx(w.max() / w.min())
    totals = totals_table(households).data
    calibrated = totals[totals["step"] == "calibration"]
    assert np.allclose(calibrated["after"], calibrated["target"])
    base = totals[(totals["step"] == "base") & (totals["table"] == "household")]
    assert base["before"].sum() == len(w)
    members = totals_table(households, "household_members")
    assert "table" not in members.columns and set(members.data["table"]) == {"household_members"}


def test_without_a_frame_the_data_are_unweighted_even_with_population_totals(sample, tmp_path):
    shutil.copytree(sample / "responses", tmp_path / "responses")
    shutil.copy(sample / "population.csv", tmp_path / "population.csv")
    data = load_dataset(ResponseStore(tmp_path, audit=False), "household")
    assert not data.provenance.weighted
    assert all((np.asarray(t.design.weights) == 1).all() for t in data.tables.values())
    assert [n.code for n in data.provenance.notes] == ["design.no_frame"]
    assert totals_table(data).data.empty and "No weighting step ran" in totals_table(data).notes[0]["en"]


def test_summary_tables_survive_a_pickle(households):
    for table in (question_table(households, "has_internet", by="kecamatan"), histogram_table(households, "age"),
                  crosstab_table(households, "has_computer", "head_education"), totals_table(households)):
        back = pickle.loads(pickle.dumps(table))
        for lang in ("en", "id"):
            pd.testing.assert_frame_equal(back.to_frame(lang, formatted=True), table.to_frame(lang, formatted=True))
            assert back.note_lines(lang) == table.note_lines(lang)
        assert back.stats.keys() == table.stats.keys() and back.keys == table.keys
        with pytest.raises(AttributeError):
            back.title = {"en": "changed"}


def test_each_crosstab_test_carries_its_sentences(households):
    table = crosstab_table(households, "has_computer", "head_education", layer="head_sex")
    tests = table.stats["tests"]
    assert [t["layer"] for t in tests] == ["male", "female"]
    for test in tests:
        prefix = {"male": "Male: ", "female": "Female: "}[test["layer"]]
        assert test["sentence"]["en"].startswith(prefix) and "Rao-Scott" in test["sentence"]["en"]
        assert test["sentence"] in table.notes and test["cramers"]["id"].startswith(prefix.replace("Male", "Laki-laki")
                                                                                       .replace("Female", "Perempuan"))
        assert (test["warning"] is not None) == test["small_expected"]


def test_an_undefined_number_is_written_as_a_dash():
    # R's design effect of unit weights is Inf (the SRS variance without replacement is 0)
    from survey import locale as formatting
    assert [formatting.number(x, "en") for x in (float("inf"), -float("inf"), float("nan"))] == ["–"] * 3
    assert formatting.value(float("inf"), "ratio", "id") == "–" and formatting.number(1.5, "id") == "1,5"


def test_a_calibration_variables_shares_are_marked_fixed_not_given_a_zero_se(households):
    """The kecamatan (post-stratified: its shares are the population's) has no SE, interval or
    design effect to show: blank, with a note; a share within other groups keeps its own."""
    table = question_table(households, "kecamatan")
    answered = table.data[table.data["count"] > 0]
    assert answered[["se", "ci_low", "ci_high", "deff", "rse"]].isna().all().all()
    assert answered["estimate"].gt(0).all() and set(answered["reliability"]) == {""}
    assert "fixed by the weighting" in table.notes[0]["en"] and "ditetapkan oleh pembobotan" in table.notes[0]["id"]
    assert set(table.to_frame("en", formatted=True).loc[answered.index, "SE"]) == {"–"}
    members = question_table(households, "sex", by="kecamatan")      # members: kecamatan x sex cells
    assert members.data["se"].isna().all() and "“Sex” · “District (kecamatan)”" in members.notes[0]["en"]
    among = question_table(households, "kecamatan", by="has_computer")   # not fixed: estimated
    assert among.data.loc[among.data["count"] > 0, "se"].gt(0).all()
    assert not any("fixed by the weighting" in note["en"] for note in among.notes)
    crossed = crosstab_table(households, "has_computer", "kecamatan", percent="row")
    assert crossed.data["se"].notna().any() and not any("fixed" in note["en"] for note in crossed.notes)
