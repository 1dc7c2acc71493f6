"""The plain aggregates against a hand-counted log (issue 16, item 2 and the contract details)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from survey.command_line import CommandError
from survey.traffic import import_files, traffic_report, traffic_tables
from survey.traffic.cli import main
from tests.support import traffic_log


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("traffic")
    log = folder / "access.log"
    log.write_text(traffic_log.text())
    import_files(folder / "data", [log])
    return folder / "data"


def test_the_report_matches_the_hand_counted_answers(store, capsys):
    assert main(["report", "--data", str(store), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == traffic_log.EXPECTED
    assert traffic_report(store) == traffic_log.EXPECTED


def test_a_period_and_a_host(store):
    october = traffic_report(store, date(2024, 10, 1), date(2024, 10, 31))
    assert october["period"] == ["2024-10-01", "2024-10-31"]
    assert october["visitors_by_month"] == {"2024-10": 4}
    assert (october["pageviews"], october["visits"], october["requests"]) == (7, 5, 36)
    dipenda = traffic_report(store, host=traffic_log.D)
    assert (dipenda["pageviews"], dipenda["visits"], dipenda["visitors_daily_sum"]) == (2, 1, 1)
    assert dipenda["by_device"]["mobile"] == 1.0 and dipenda["by_country"] == {"JP": 1.0}
    # the robots.txt fetcher is a bot on surakarta.go.id's report too
    assert traffic_report(store, host=traffic_log.S)["bot_requests"] == 25


def test_the_tables(store):
    tables = traffic_tables(store)
    assert tables["by_month"].to_dict("records") == [
        {"month": "2024-10", "requests": 36, "pageviews": 7, "visits": 5, "visitors": 4, "bot_requests": 25},
        {"month": "2024-11", "requests": 1, "pageviews": 1, "visits": 1, "visitors": 1, "bot_requests": 0}]
    device = tables["by_device"].set_index(["month", "device"])["share"].to_dict()
    assert device == {("2024-10", "desktop"): 4 / 7, ("2024-10", "mobile"): 2 / 7, ("2024-10", "tablet"): 1 / 7,
                      ("2024-11", "desktop"): 1.0}
    assert tables["by_country"]["share"].between(0, 1).all()
    summary = tables["summary"].iloc[0]
    assert (summary["visitors_daily_sum"], summary["first_day"], summary["last_day"]) == \
        (5, date(2024, 10, 10), date(2024, 11, 1))
    assert set(tables) == {"by_month", "by_country", "by_host", "by_device", "top_documents", "summary"}


def test_csv_writes_the_same_tables(store, capsys):
    assert main(["report", "--data", str(store), "--format", "csv", "--to", "2024-10-10"]) == 0
    out = capsys.readouterr().out
    assert "# by_month\nmonth,requests,pageviews,visits,visitors,bot_requests\n2024-10,10,5,3,2,4\n" in out
    assert "# summary\n" in out


def test_an_empty_store_reports_zeros(tmp_path):
    report = traffic_report(tmp_path)
    assert report["requests"] == 0 and report["period"] == [None, None] and report["by_country"] == {}
    assert traffic_tables(tmp_path)["by_month"].empty


def test_the_report_command_for_one_host_and_a_wrong_period(store, capsys):
    assert main(["report", "--data", str(store), "--host", traffic_log.B]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["requests"], report["pageviews"], report["by_device"]["tablet"]) == (4, 1, 1.0)
    with pytest.raises(CommandError, match="--from is after --to"):
        main(["report", "--data", str(store), "--from", "2024-10-11", "--to", "2024-10-10"])


def test_ipv6_visitors_have_a_country_and_leave_no_address(tmp_path):
    log = tmp_path / "surakarta.go.id.log"
    log.write_text(traffic_log.line("", "2001:448a:1::1", "10/Oct/2024:10:00:00 +0700", "GET / HTTP/1.1", 200,
                                    traffic_log.IPHONE, vhost=False) + "\n")
    data = tmp_path / "data"
    assert import_files(data, [log]).added == 1
    report = traffic_report(data)
    assert report["by_country"] == {"ID": 1.0} and report["by_host"] == {"surakarta.go.id": 1.0}
    for path in data.rglob("*.parquet"):
        assert b"2001:448a:1::1" not in path.read_bytes()
