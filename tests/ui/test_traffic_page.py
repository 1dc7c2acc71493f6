"""The Website traffic page (issue 16): the study's table from the simulator's logs imported by survey.traffic,
for admins and supervisors, a period and a host, the admin's upload and its history, in both languages."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil

import pytest

from analysis.indicators.traffic import traffic_tables
from survey import traffic
from survey.fieldwork.audit_log import AuditLog
from survey.simulate.sampling import write_population
from survey.simulate.traffic_logs import traffic_lines
from tests.support.app import open_page, same
from tests.ui.test_indonesian_pages import english_on


def _log(days: int, seed: int, start=dt.date(2026, 9, 20)) -> bytes:
    return "".join(f"{host}:443 {line}\n" for host, line in traffic_lines(days, seed, start, visits_per_day=25)).encode()


@pytest.fixture(scope="module")
def traffic_store(tmp_path_factory):
    """A data folder with 20 days (September and October) of simulated logs imported, and population.csv."""
    root = tmp_path_factory.mktemp("traffic") / "store"
    root.mkdir()
    log = root.parent / "access.log.gz"
    log.write_bytes(gzip.compress(_log(20, 4)))
    result = traffic.import_files(root, [log], user="importer")
    assert result.added and not result.refused
    write_population(root / "population.csv")
    return root


@pytest.fixture
def store_dir(data_dir, traffic_store):
    shutil.copytree(traffic_store, data_dir, dirs_exist_ok=True)
    return data_dir


def _tables_shown(at) -> list:
    return [t.value for t in at.dataframe]


def _charts(at) -> int:
    return len(at.get("vega_lite_chart"))


def test_admin_sees_the_studys_table_privacy_and_the_import_history(store_dir):
    at = open_page(store_dir, "traffic", role="admin")
    assert "Website traffic" in at.header[0].value
    assert "UU 27/2022" in at.info[0].value and "never stored" in at.info[0].value
    expected = traffic_tables(store_dir)
    for i, name in enumerate(("by_month", "by_country", "by_host", "by_device", "top_documents", "summary")):
        same(expected[name], at, i)
    assert expected["by_host"].data["host"].iloc[0] == "surakarta.go.id"
    assert _charts(at) == 4   # visitors per month, countries, hosts, devices
    captions = " ".join(c.value for c in at.caption)
    assert "not a person" in captions and "NAT undercounts" in captions and "not from the city" in captions
    assert len(at.get("download_button")) == 7 * 3   # six tables and the import history (issue 23)
    history = at.dataframe[6].value
    assert history["Files"].tolist() == ["access.log.gz"] and history["By"].tolist() == ["importer"]
    assert [w.key for w in at.get("file_uploader")] == ["traffic_file"]


def test_supervisor_sees_the_tables_but_no_import(store_dir):
    at = open_page(store_dir, "traffic", role="supervisor")
    same(traffic_tables(store_dir)["by_country"], at, 1)
    assert not at.get("file_uploader") and not [b for b in at.button if b.key == "traffic_import"]
    assert len(at.dataframe) == 6


def test_enumerators_have_no_traffic_page():
    from ui import auth

    assert "traffic" not in auth.pages_for("enumerator")
    assert {"supervisor", "admin"} == set(auth.ACCESS["traffic"])


def test_period_and_host_narrow_every_table(store_dir):
    at = open_page(store_dir, "traffic", role="supervisor")
    at.date_input(key="traffic_period").set_value((dt.date(2026, 10, 1), dt.date(2026, 10, 9))).run()
    at.selectbox(key="traffic_host").set_value("dipenda.surakarta.go.id").run()
    assert not at.exception, at.exception
    expected = traffic_tables(store_dir, dt.date(2026, 10, 1), dt.date(2026, 10, 9), "dipenda.surakarta.go.id")
    same(expected["by_month"], at, 0)
    same(expected["by_host"], at, 2)
    assert at.dataframe[0].value["Month"].tolist() == ["2026-10"]
    assert at.dataframe[2].value["Host"].tolist() == ["dipenda.surakarta.go.id"]


def _upload(at, name: str, content: bytes):
    at.file_uploader(key="traffic_file").set_value((name, content, "application/octet-stream"))
    at.run()
    at.button(key="traffic_import").click().run()
    assert not at.exception, at.exception
    return at


def test_admin_uploads_a_log_sees_what_it_added_and_a_second_upload_adds_nothing(store_dir):
    at = open_page(store_dir, "traffic", role="admin")
    before = traffic_tables(store_dir)["summary"].data.set_index("measure")["value"]["requests"]
    content = _log(3, 9, start=dt.date(2026, 10, 15))
    _upload(at, "access-october.log", content)
    added = len(content.splitlines())
    assert f"{added:,} request(s) added, 0 already stored" in at.success[0].value
    after = traffic_tables(store_dir)["summary"].data.set_index("measure")["value"]["requests"]
    assert after == before + added
    same(traffic_tables(store_dir)["summary"], at, 5)   # the page shows the new numbers
    _upload(at, "access-october.log", content)
    assert f"0 request(s) added, {added:,} already stored" in at.success[0].value
    history = at.dataframe[-1].value
    assert history["Files"].tolist()[:2] == ["access-october.log"] * 2   # newest first
    assert history["Added"].tolist()[:2] == ["0", f"{added:,}"]
    audit = [e for e in AuditLog(store_dir).entries(newest_first=False) if e["action"] == "traffic_import"]
    assert [e["user"] for e in audit] == ["admin1", "admin1"]


def test_a_file_without_a_log_line_is_refused_and_changes_nothing(store_dir):
    at = open_page(store_dir, "traffic", role="admin")
    before = traffic.import_history(store_dir)
    _upload(at, "notes.txt", b"this is not a log\nnor is this\n")
    assert "was refused and nothing was imported" in at.error[0].value
    assert len(traffic.import_history(store_dir)) == len(before)


def test_choosing_no_file_says_so(store_dir):
    at = open_page(store_dir, "traffic", role="admin")
    at.button(key="traffic_import").click().run()
    assert "Choose a log file first" in at.warning[0].value


def test_an_empty_data_folder_says_how_to_import(data_dir):
    at = open_page(data_dir, "traffic", role="admin")
    assert "No web server logs have been imported yet" in at.info[1].value
    assert not at.dataframe and not at.get("vega_lite_chart")
    assert "No import yet." in [c.value for c in at.caption]
    assert "Import them below" in at.info[1].value


def test_an_empty_data_folder_tells_a_supervisor_who_imports(data_dir):
    """A supervisor has no upload below: the page names who imports, not a place that is not there."""
    at = open_page(data_dir, "traffic", role="supervisor")
    assert "An administrator imports them on this page" in at.info[1].value
    assert "traffic_import" not in [b.key for b in at.button]


def test_the_page_in_indonesian(store_dir):
    at = open_page(store_dir, "traffic", role="admin", lang="id")
    assert at.header[0].value.endswith("Lalu lintas situs web")
    assert "Privasi" in at.info[0].value and "UU 27/2022" in at.info[0].value
    same(traffic_tables(store_dir)["by_country"], at, 1, lang="id")
    assert "Indonesia" in at.dataframe[1].value["Negara"].tolist()
    assert any(s.value.startswith("Tabel studi") for s in at.subheader)
    captions = " ".join(c.value for c in at.caption)
    assert "bukan orang" in captions and "NAT" in captions
    assert [m.label for m in at.metric][:3] == ["Tampilan halaman", "Kunjungan", "Pengunjung per bulan"]
    assert "bukan orang" in at.metric[2].help and "660.997 penduduk" in at.metric[2].help
    assert english_on(at) == []   # no English placeholder or uploader text (tests/ui/test_indonesian_pages.py)


def test_the_mobile_share_chart_has_every_month_and_its_legend_beside_it(traffic_store):
    from analysis import charts

    table = traffic_tables(traffic_store)["by_device"]
    spec = charts.device_chart(table, "en").to_dict()
    # a legend below a fixed-height chart squeezed its lines into a strip in Streamlit 1.67
    assert spec["config"]["legend"]["orient"] == "right"
    data = next(iter(spec["datasets"].values()))
    mobile = [row for row in data if row["device"] == "Mobile phone"]
    assert [row["month"] for row in mobile] == ["2026-09", "2026-10"]
    assert all(50 < row["share"] < 80 for row in mobile)


def test_an_import_the_disk_stops_is_a_message_not_a_crash(store_dir, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(traffic, "import_bytes", full)
    at = open_page(store_dir, "traffic", role="admin")
    _upload(at, "access.log", _log(1, 3, start=dt.date(2026, 10, 20)))
    assert "could not be finished (No space left on device)" in at.error[0].value
