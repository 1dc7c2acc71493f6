"""SummaryTable and its builders: the numbers are analysis's own, the spec is immutable."""

import numpy as np
import pandas as pd
import pytest

from analysis import crosstab, mean, proportion, quantile
from analysis.dataset.dataset import build_dataset, load_dataset
from analysis.indicators.egov import city_stage, leadership_summary
from analysis.indicators.itu import household_indicators
from analysis.indicators.sections import (
    city_stage_table,
    egov_indicator_table,
    household_indicator_table,
    indicator_tables,
    individual_indicator_table,
    leadership_table,
    stage_table,
)
from analysis.tables.question_tables import crosstab_table, question_table, rao_scott_sentence
from analysis.tables.summary_table import MIN_RESPONDENTS, Column, SummaryTable, reliability
from survey import ResponseStore, load_instrument
from survey.simulate import main as simulate


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("store")
    simulate(["--households", "400", "--civil-servants", "80", "--agencies", "20", "--seed", "5", "--bulk",
              "--out", str(root)])
    return ResponseStore(root, audit=False)


@pytest.fixture(scope="module")
def households(store):
    return load_dataset(store, "household", lang="id")


def test_a_summary_table_is_immutable():
    data = pd.DataFrame({"choice": ["a", "b"], "estimate": [40.0, 60.0], "kind": "percent"})
    table = SummaryTable(data, {"id": "Judul", "en": "Title"},
                         {"choice": Column({"id": "Pilihan", "en": "Choice"}),
                          "estimate": Column({"id": "Estimasi", "en": "Estimate"}, "row")},
                         value_labels={"choice": {"a": {"id": "A-id", "en": "A-en"}}})
    with pytest.raises(AttributeError, match="immutable"):
        table.title = {"en": "x"}
    copy = table.data
    copy.loc[0, "estimate"] = 99.0
    data.loc[0, "estimate"] = 99.0
    assert table.data["estimate"].tolist() == [40.0, 60.0]
    noted = table.with_note({"id": "Catatan", "en": "Note"}).with_title({"id": "Baru", "en": "New"})
    assert noted is not table and table.notes == () and noted.notes[0]["en"] == "Note"
    assert noted.title["id"] == "Baru" and table.title["id"] == "Judul"
    relabelled = table.with_column_labels(estimate={"id": "Persen", "en": "Percent"})
    assert relabelled.label("estimate", "en") == "Percent" and table.label("estimate", "en") == "Estimate"
    assert table.to_frame("id", formatted=True).to_dict("list") == {"Pilihan": ["A-id", "b"],
                                                                    "Estimasi": ["40,0%", "60,0%"]}
    assert table.to_frame("en").to_dict("list") == {"Choice": ["A-en", "b"], "Estimate": [40.0, 60.0]}
    with pytest.raises(ValueError, match="not in the data"):
        SummaryTable(data, "t", {"missing": Column("m")})


def test_each_cell_is_written_as_its_own_value_even_when_values_repeat():
    """Issue 22, section 3: to_frame writes each distinct value once (a table per PSU repeats a few
    counts): every cell still reads as formatting.value of its own value and kind, with -0.0 beside
    0.0, 1 beside 1.0 and True, gaps, NaN and a row's own kind."""
    from survey import locale as formatting

    counts = [3, 3, 0, 1, 3, 0, 1] * 3
    mixed = [1, 1.0, True, -0.0, 0.0, 0, None, float("nan"), 2.5, 1, -0.0, 0.0, pd.NA, pd.NA] + [1.0] * 7
    rows = pd.DataFrame({"n": counts, "x": pd.Series(mixed, dtype=object), "r": [0.5, -0.0, 0.0] * 7,
                         "kind": ["percent", "number", "percent"] * 7})
    table = SummaryTable(rows, "t", {c: Column({"id": c, "en": c}, kind, **extra) for c, kind, extra in
                                     (("n", "count", {}), ("x", "number", {"decimals": 2}), ("r", "row", {}))})
    for lang in ("id", "en"):
        shown = table.to_frame(lang, formatted=True)
        assert shown["n"].tolist() == [formatting.value(v, "count", lang) for v in counts]
        assert shown["x"].tolist() == [formatting.value(v, "number", lang, 2) for v in mixed]
        assert shown["r"].tolist() == [formatting.value(v, k, lang) for v, k in zip(rows["r"], rows["kind"])]


@pytest.mark.parametrize("estimate, se, flag", [
    (40.0, 10.0, "reliable"), (40.0, 10.0001, "caution"), (40.0, 20.0, "caution"),
    (40.0, 20.01, "unreliable"), (-8.0, 1.0, "reliable"), (0.0, 0.0, ""), (5.0, np.nan, ""),
])
def test_bps_reliability_rule(estimate, se, flag):
    rse, got = reliability([estimate], [se])
    assert got[0] == flag
    if flag:
        assert rse[0] == pytest.approx(100 * se / abs(estimate))


def test_shares_of_a_choice_question_are_analysiss(households):
    # (not the kecamatan: the weighting fixes its shares, see test_page_tables)
    question = load_instrument("household").question("has_internet")
    table = question_table(households, "has_internet")
    direct = proportion(households.main.design, "has_internet", deff=True)
    assert table.data["estimate"].tolist() == pytest.approx((100 * direct["estimate"]).tolist())
    assert table.data["se"].tolist() == pytest.approx((100 * direct["se"]).tolist())
    assert table.data["deff"].tolist() == pytest.approx(direct["deff"].tolist())
    assert table.data["choice"].tolist() == list(question.choices)
    labels = [question.choices[c]["id"] for c in question.choices]    # the frame holds labels (id)
    counts = households.main.frame["has_internet"].value_counts().reindex(labels, fill_value=0)
    assert table.data["count"].tolist() == counts.tolist()
    assert set(table.data.columns) >= {"estimate", "se", "ci_low", "ci_high", "df", "n", "deff", "rse",
                                       "reliability", "kind"}
    shown = table.to_frame("id", formatted=True)
    assert list(shown.columns[:2]) == [question.label["id"], "Estimasi"] and "SK 95%" in shown.columns
    assert shown["Estimasi"].str.endswith("%").all() and "," in shown["Estimasi"].iloc[0]


def test_shares_by_a_breakdown_are_domains(households):
    table = question_table(households, "has_computer", by="kecamatan")
    direct = proportion(households.main.design, "has_computer", by="kecamatan")
    assert table.data["estimate"].tolist() == pytest.approx((100 * direct["estimate"]).tolist())
    assert table.data["df"].tolist() == direct["df"].tolist()          # each domain's own df (R svyby)
    assert table.data["by"].iloc[0] == "laweyan" and table.subtitle["en"] == "by District (kecamatan)"
    assert table.keys == ("by", "choice")


def test_select_multiple_options_among_those_asked(households):
    table = question_table(households, "internet_type")
    main = households.main
    asked = main.is_choice("has_internet", "yes").to_numpy(dtype=bool)
    fixed = main.frame["internet_type_fixed_broadband"].astype(float)
    design = main.design.update(fixed=fixed.to_numpy(dtype=float, na_value=np.nan))
    row = table.data.set_index("choice").loc["fixed_broadband"]
    assert row["estimate"] == pytest.approx(100 * mean(design, "fixed").estimate[0])
    assert row["n"] == asked.sum() and row["count"] == int((fixed == 1).sum())


def test_numbers_get_a_mean_and_quartiles_in_rupiah(households):
    table = question_table(households, "ict_spending")
    design = households.main.design
    data = table.data.set_index("statistic")
    assert data.loc["mean", "estimate"] == pytest.approx(mean(design, "ict_spending").estimate[0])
    q = quantile(design, "ict_spending", [0.25, 0.5, 0.75])
    assert data.loc[["p25", "median", "p75"], "estimate"].tolist() == q["estimate"].tolist()
    assert set(table.data["kind"]) == {"idr"}
    assert table.to_frame("id", formatted=True)["Estimasi"].str.startswith("Rp").all()


def test_a_roster_question_by_a_household_variable(households):
    table = question_table(households, "used_internet", by="kecamatan")
    members = households.table("household_members")
    direct = proportion(members.design, "used_internet", by="kecamatan")
    assert table.stats["table"] == "household_members"
    assert table.data["estimate"].tolist() == pytest.approx((100 * direct["estimate"]).tolist())
    with pytest.raises(ValueError, match="estimates are for choices and numbers"):
        question_table(households, "psu")


def test_the_crosstab_is_crosstabs(households):
    table = crosstab_table(households, "has_computer", "head_education")
    ct = crosstab(households.main.design, "has_computer", "head_education")
    data = table.data
    first = data[(data["row"] == "yes") & (data["col"] == "tertiary")].iloc[0]
    label = households.variable("head_education").value_labels()["tertiary"]["id"]
    yes = households.variable("has_computer").value_labels()["yes"]["id"]
    assert first["estimate"] == pytest.approx(ct.row_percent.loc[yes, label])
    assert first["se"] == pytest.approx(ct.row_percent_se.loc[yes, label])
    assert first["count"] == pytest.approx(ct.counts.loc[yes, label])
    assert first["cell_n"] == ct.n.loc[yes, label]
    (test,) = table.stats["tests"]
    assert test["rao_scott"] == ct.rao_scott and test["cramers_v"] == ct.cramers_v
    assert table.notes[0]["en"].startswith("“Does this household have a computer")
    assert "F(" in table.notes[0]["id"] and "uji Rao-Scott" in table.notes[0]["id"]
    assert table.notes[1]["en"].startswith("Cramér's V = ")
    by_col = crosstab_table(households, "has_computer", "head_education", percent="col").data
    cell = by_col[(by_col["row"] == "yes") & (by_col["col"] == "tertiary")].iloc[0]
    assert cell["estimate"] == pytest.approx(ct.col_percent.loc[yes, label])
    total = crosstab_table(households, "has_computer", "head_education", percent="total").data
    cell = total[(total["row"] == "yes") & (total["col"] == "tertiary")].iloc[0]
    assert cell["estimate"] == pytest.approx(ct.total_percent.loc[yes, label])
    assert cell["se"] == pytest.approx(ct.total_percent_se.loc[yes, label])


def test_a_layered_crosstab_tests_each_layer(households):
    table = crosstab_table(households, "has_computer", "has_internet", layer="kecamatan")
    tests = table.stats["tests"]
    assert [t["layer"] for t in tests] == list(households.variable("kecamatan").choices)
    laweyan = households.main.is_choice("kecamatan", "laweyan").to_numpy(dtype=bool)
    ct = crosstab(households.main.design.subset(laweyan), "has_computer", "has_internet")
    assert tests[0]["rao_scott"] == pytest.approx(ct.rao_scott)
    assert table.notes[0]["id"].startswith("Laweyan: ")


def test_small_expected_counts_are_warned_about():
    inst = load_instrument("household")
    rows = pd.DataFrame({"_response_id": list("abcdefgh"), "kecamatan": ["laweyan"] * 8,
                         "psu": ["LAW-001", "LAW-002"] * 4,
                         "has_tv": ["yes"] * 6 + ["no"] * 2, "has_radio": ["yes", "no"] * 4})
    data = build_dataset(inst, {"household": rows})
    table = crosstab_table(data, "has_tv", "has_radio")
    assert table.stats["tests"][0]["small_expected"]
    assert any(note["en"].startswith("Small expected counts") for note in table.notes)


def test_the_rao_scott_sentence():
    row, col = {"en": "Computer ownership", "id": "Kepemilikan komputer"}, {"en": "education", "id": "pendidikan"}
    text = rao_scott_sentence(row, col, (10.71, 3.7, 149.2, 1e-6))
    assert text["en"] == "“Computer ownership” differs by “education”: F(3.7, 149) = 10.7, p < 0.001 (Rao-Scott test)."
    assert text["id"] == ("“Kepemilikan komputer” berbeda menurut “pendidikan”: F(3,7; 149) = 10,7; p < 0,001 "
                          "(uji Rao-Scott).")
    assert "does not differ significantly" in rao_scott_sentence(row, col, (1.1, 1.0, 40.0, 0.3))["en"]
    assert "cannot be computed" in rao_scott_sentence(row, col, (np.nan,) * 4)["en"]


def test_an_empty_dataset_gives_an_empty_table_that_says_what_to_do(tmp_path):
    data = load_dataset(ResponseStore(tmp_path, audit=False), "household")
    table = question_table(data, "has_internet")
    assert len(table) == 0 and "python -m survey.simulate" in table.notes[0]["en"]
    assert crosstab_table(data, "has_computer", "has_internet").stats["tests"] == ()
    assert indicator_tables(data) == {}


def test_indicator_tables_carry_the_indicators(store, households):
    table = household_indicator_table(households)
    direct = household_indicators(households)
    assert table.data["estimate"].tolist() == pytest.approx(direct["estimate"].tolist())
    assert table.value_label("indicator", "HH11:fixed_broadband", "en").endswith("(fibre, cable, ADSL)")
    assert table.data.set_index("indicator").loc["HH11:fixed_broadband", "sdg"] == "17.6.1"
    assert set(table.data["kind"]) == {"percent", "idr"}
    shown = table.to_frame("en", formatted=True).set_index("Code")
    assert shown.loc["HH16", "Estimate"].startswith("IDR ")
    by_sex = individual_indicator_table(households, by="sex")
    assert by_sex.value_label("by", "female", "id") == "Perempuan"
    civil, agencies = load_dataset(store, "civil_servant"), load_dataset(store, "agency")
    eg = egov_indicator_table(civil, agencies)
    assert {"EG1", "EG7"} <= set(eg.data["code"])
    tables = indicator_tables(households, civil, agencies)
    assert list(tables) == ["household", "individual", "egov", "stages", "city", "leadership"]
    # each indicator set's note says whose percentages it shows, never another set's wording
    first = {name: tables[name].notes[0] for name in ("household", "individual", "egov")}
    assert "HH16" in first["household"]["en"] and "HH16" in first["household"]["id"]
    assert "aged 5+" in first["individual"]["en"] and "umur 5+" in first["individual"]["id"]
    assert "civil servants" in first["egov"]["en"] and "ASN" in first["egov"]["id"]
    assert not any(word in first["egov"][lang] for lang in ("en", "id") for word in ("HH16", "Susenas", "5+"))


def test_stage_ladder_city_stage_and_leadership(store):
    agencies, civil = load_dataset(store, "agency", lang="en"), load_dataset(store, "civil_servant")
    ladder = stage_table(agencies)
    assert len(ladder) == 20 and ladder.data["stage_number"].is_monotonic_decreasing
    row = ladder.data.iloc[-1]
    assert ladder.value_label("missing", row["missing"], "en") in ("Has a website", "Website updated regularly",
                                                                    "Documents to download", "")
    city = city_stage_table(agencies)
    assert city.stats["city_stage"] == city_stage(agencies)[0]
    assert city.data["agencies"].sum() == 20
    lead = leadership_table(civil)
    direct = leadership_summary(civil)
    enough = direct["n"] >= MIN_RESPONDENTS         # the others are marked too few, without numbers
    assert lead.data["estimate"][enough].tolist() == pytest.approx(direct["estimate"][enough].tolist())
    assert lead.data["estimate"][~enough].isna().all() and set(lead.data["reliability"][~enough]) <= {"too_few"}
    assert lead.value_label("by", "(all)", "id") == "Semua" and "alpha" in lead.columns
