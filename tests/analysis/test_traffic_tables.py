"""The website-traffic SummaryTables (issue 16, part 2): survey.traffic's frames with their definitions and caveats."""

import datetime as dt

import pandas as pd
import pytest

from analysis.export import TABLE_FORMATS, table_file
from analysis.indicators.traffic import TABLES, population_persons, traffic_summary_tables
from survey.simulate.sampling import write_population


def frames():
    """Frames in the shape survey.traffic.traffic_tables returns (its contract)."""
    return {
        "by_month": pd.DataFrame({"month": ["2026-09", "2026-10"], "requests": [1000, 1200], "pageviews": [400, 500],
                                  "visits": [150, 170], "visitors": [100, 140], "bot_requests": [300, 320]}),
        "by_country": pd.DataFrame({"country": ["ID", "JP", "ZZ"], "pageviews": [720, 170, 10],
                                    "share": [0.8, 0.18888, 0.01112]}),
        "by_host": pd.DataFrame({"host": ["surakarta.go.id", "dipenda.surakarta.go.id"], "pageviews": [810, 90],
                                 "share": [0.9, 0.1]}),
        "by_device": pd.DataFrame({"month": ["2026-09", "2026-09", "2026-10", "2026-10"],
                                   "device": ["mobile", "desktop", "mobile", "desktop"],
                                   "pageviews": [240, 160, 350, 150], "share": [0.6, 0.4, 0.7, 0.3]}),
        "top_documents": pd.DataFrame({"host": ["surakarta.go.id"], "path": ["/uploads/apbd-2026.xlsx"],
                                       "requests": [42]}),
        "summary": pd.DataFrame({"requests": [2200], "pageviews": [900], "visits": [320], "visitors_daily_sum": [260],
                                 "bot_requests": [620], "first_day": [dt.date(2026, 9, 1)],
                                 "last_day": [dt.date(2026, 10, 31)]}),
    }


def _measures(table):
    return dict(zip(table.data["measure"], table.data["value"]))


def test_every_table_is_built_with_shares_in_percent_and_labels_in_both_languages():
    tables = traffic_summary_tables(frames())
    assert set(tables) == set(TABLES)
    assert tables["by_country"].data["share"].round(1).tolist() == [80.0, 18.9, 1.1]
    assert tables["by_country"].to_frame("id")["Negara"].tolist() == ["Indonesia", "Jepang", "Tidak diketahui"]
    assert tables["by_device"].to_frame("en")["Device"].tolist()[0] == "Mobile phone"
    assert tables["by_month"].subtitle["id"] == "1 September 2026 – 31 Oktober 2026"
    shown = tables["by_host"].to_frame("en", formatted=True)
    assert shown.iloc[0].tolist() == ["surakarta.go.id", "810", "90.0%"]


def test_the_summary_says_what_a_visitor_is_and_what_undercounts_and_overcounts():
    table = traffic_summary_tables(frames())["summary"]
    measures = _measures(table)
    assert measures["visitors_daily_sum"] == 260 and measures["bot_requests"] == 620
    assert measures["bot_share"] == pytest.approx(100 * 620 / 2200)
    assert measures["visitors_month_mean"] == 120
    assert "visitors_population" not in measures   # no population: no share of it
    notes = " ".join(table.note_lines("en"))
    for words in ("not a person", "Bots are excluded", "counted separately", "NAT undercounts", "overcount people",
                  "no population.csv"):
        assert words in notes
    assert "bukan orang" in " ".join(table.note_lines("id"))


def test_visitors_as_a_share_of_the_population_only_with_its_persons(tmp_path):
    write_population(tmp_path / "population.csv")
    persons = population_persons(tmp_path)
    written = pd.read_csv(tmp_path / "population.csv")
    assert persons == written.loc[written["unit"] == "person", "total"].sum() == 660_997   # both sexes, once
    tables = traffic_summary_tables(frames(), persons)
    assert _measures(tables["summary"])["visitors_population"] == pytest.approx(100 * 120 / persons)
    assert tables["by_month"].data["visitors_population"].tolist() == pytest.approx([100 * 100 / persons,
                                                                                    100 * 140 / persons])
    note = " ".join(tables["summary"].note_lines("en"))
    assert "divide devices" in note and "not from the city" in note and "660,997" in note
    assert "660.997" in " ".join(tables["summary"].note_lines("id"))
    assert population_persons(tmp_path / "nowhere") is None


def test_an_empty_period_gives_empty_tables_not_an_error():
    empty = {name: frame.iloc[0:0] for name, frame in frames().items()}
    tables = traffic_summary_tables(empty, 500_000)
    assert len(tables["by_month"]) == 0 and tables["summary"].subtitle is None
    assert _measures(tables["summary"])["requests"] == 0


@pytest.mark.parametrize("fmt", TABLE_FORMATS)
def test_each_table_downloads_like_every_other_table(fmt):
    for table in traffic_summary_tables(frames(), 500_000).values():
        assert table_file(table, fmt, "id")
