"""Matomo visits exports and GA4 CSV exports (issue 16, item 1: formats)."""

from __future__ import annotations

from survey.traffic import import_files, traffic_report

MATOMO = """idSite,idVisit,visitIp,visitorId,serverTimestamp,countryCode,deviceType,actionDetails_0_type,\
actionDetails_0_url,actionDetails_0_timestamp,actionDetails_1_type,actionDetails_1_url,actionDetails_1_timestamp
1,101,36.68.0.0,a1b2c3d4e5f60718,1728532800,id,Smartphone,action,https://surakarta.go.id/berita?x=1,1728532800,\
download,https://surakarta.go.id/docs/perda.pdf,1728532860
1,102,133.1.0.0,ffeeddccbbaa0011,1728536400,jp,Desktop,action,https://dipenda.surakarta.go.id/,1728536400,,,
1,103,,,,,,,,,,,
"""

GA4 = """# ----------------------------------------
# Pages and screens: Page path and screen class
# Property: surakarta.go.id
# ----------------------------------------
#
# Start date: 20241001
# End date: 20241031
Page path and screen class,Views,Active users,Views per active user,Event count
/,1200,800,1.5,3000
/berita,300,250,1.2,900
"""


def test_a_matomo_visits_export_becomes_one_request_per_action(tmp_path):
    export = tmp_path / "visits.csv"
    export.write_text(MATOMO)
    data = tmp_path / "data"
    first = import_files(data, [export])
    assert (first.format, first.added, first.bad) == ("matomo", 3, 1)
    assert import_files(data, [export]).added == 0
    report = traffic_report(data)
    assert (report["pageviews"], report["visits"], report["visitors_daily_sum"]) == (3, 2, 2)
    assert report["by_country"] == {"ID": 2 / 3, "JP": 1 / 3}
    assert report["by_device"]["mobile"] == 2 / 3 and report["by_device"]["desktop"] == 1 / 3
    assert report["top_documents"] == [{"path": "/docs/perda.pdf", "host": "surakarta.go.id", "requests": 1}]
    for path in data.rglob("*.parquet"):
        assert b"36.68.0.0" not in path.read_bytes() and b"a1b2c3d4e5f60718" not in path.read_bytes()


def test_a_ga4_export_is_kept_apart_as_aggregated_rows(tmp_path):
    export = tmp_path / "ga4.csv"
    export.write_text(GA4)
    data = tmp_path / "data"
    result = import_files(data, [export], host="surakarta.go.id")
    assert (result.format, result.added) == ("ga4", 2)
    assert "aggregated row(s)" in result.summary()
    assert import_files(data, [export], host="surakarta.go.id").present == 2
    report = traffic_report(data)
    assert report["requests"] == 0      # never mixed with the requests
    assert report["analytics"]["ga4"] == {"period": ["2024-10-01", "2024-10-31"], "rows": 2, "views": 1500,
                                          "sessions": 0, "users_summed_over_rows": 1050,
                                          "hosts": ["surakarta.go.id"]}


def test_a_csv_that_is_neither_is_refused(tmp_path):
    other = tmp_path / "budget.csv"
    other.write_text("item,amount\npaper,100\n")
    result = import_files(tmp_path / "data", [other])
    assert result.refused and "no line could be read" in result.refused
