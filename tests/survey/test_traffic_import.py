"""Importing access logs: formats, idempotency, bad lines, refusals, privacy (issue 16, item 1)."""

from __future__ import annotations

import gzip
import hashlib
import json
import stat
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from survey.command_line import CommandError
from survey.traffic import import_bytes, import_files, import_history, traffic_report
from survey.traffic.cli import main
from tests.support import traffic_log


def stored_rows(root) -> int:
    return traffic_report(root)["requests"]


def test_import_twice_through_the_command_line_adds_nothing_the_second_time(tmp_path, capsys):
    log = tmp_path / "access.log"
    log.write_text(traffic_log.text())
    data = tmp_path / "data"
    assert main(["import", str(log), "--data", str(data)]) == 0
    first = capsys.readouterr().out
    assert "format vhost_combined" in first and "added 37 request(s), 0 already stored, 2 bad line(s)" in first
    assert "36.x.x.x" in first and "36.68.10.9" not in first      # bad examples, addresses masked
    assert main(["import", str(log), "--data", str(data)]) == 0
    assert "added 0 request(s), 37 already stored" in capsys.readouterr().out
    assert stored_rows(data) == 37
    history = import_history(data)
    assert history[["added", "present", "bad"]].values.tolist() == [[37, 0, 2], [0, 37, 2]]
    assert history["files"].tolist() == ["access.log", "access.log"]


def test_the_module_runs_as_a_command(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(traffic_log.text())
    done = subprocess.run([sys.executable, "-m", "survey.traffic", "import", str(log), "--data", str(tmp_path / "d")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "added 37" in done.stdout


def test_a_rotated_log_that_overlaps_adds_only_its_new_lines_and_repeats_count(tmp_path):
    lines = traffic_log.lines()
    older, newer = tmp_path / "access.log.1", tmp_path / "access.log"
    older.write_text("\n".join(lines[:20]) + "\n")
    newer.write_text("\n".join(lines[14:]) + "\n")
    data = tmp_path / "data"
    assert import_files(data, [older]).added == 20
    second = import_files(data, [newer])
    assert (second.added, second.present) == (17, 6)
    assert stored_rows(data) == 37       # the repeated line (5 and 6) is stored twice


def test_both_overlapping_files_in_one_import_store_each_line_once(tmp_path):
    lines = traffic_log.lines()
    older, newer = tmp_path / "a.log", tmp_path / "b.log"
    older.write_text("\n".join(lines[:20]) + "\n")
    newer.write_text("\n".join(lines[14:]) + "\n")
    result = import_files(tmp_path / "data", [older, newer])
    assert (result.added, result.present) == (37, 6)


def test_gzip_and_plain_of_the_same_log_are_the_same_lines(tmp_path):
    gz = tmp_path / "access.log.2.gz"
    gz.write_bytes(gzip.compress(traffic_log.text().encode()))
    data = tmp_path / "data"
    assert import_files(data, [gz]).added == 37
    plain = tmp_path / "access.log"
    plain.write_text(traffic_log.text())
    assert import_files(data, [plain]).added == 0


def test_combined_takes_the_host_from_the_option_or_the_file_name(tmp_path):
    data = tmp_path / "data"
    log = tmp_path / "dipenda.surakarta.go.id-access.log"
    log.write_text(traffic_log.text(vhost=False))
    result = import_files(data, [log])
    assert result.format == "combined" and result.hosts == ["dipenda.surakarta.go.id"]
    other = tmp_path / "x.log"
    other.write_text(traffic_log.text(vhost=False))
    assert import_files(data, [other], host="Surakarta.go.id").hosts == ["surakarta.go.id"]
    assert set(traffic_report(data)["by_host"]) == {"dipenda.surakarta.go.id", "surakarta.go.id"}


def test_json_lines_logs(tmp_path):
    records = [
        {"time_iso8601": "2024-10-10T10:00:00+07:00", "remote_addr": "36.68.10.1", "request": "GET /a HTTP/1.1",
         "status": 200, "body_bytes_sent": 10, "http_user_agent": traffic_log.WIN, "host": traffic_log.S},
        {"time": "2024-10-10T03:00:01Z", "remote_addr": "133.1.1.1", "request_method": "GET",
         "request_uri": "/b.xlsx?y=2", "status": "200", "http_user_agent": traffic_log.IPHONE, "host": traffic_log.D},
        {"no": "request"},
    ]
    log = tmp_path / "access.json"
    log.write_text("\n".join(json.dumps(r) for r in records) + "\nnot json\n")
    result = import_files(tmp_path / "data", [log])
    assert (result.format, result.added, result.bad) == ("json", 2, 2)
    report = traffic_report(tmp_path / "data")
    assert report["by_country"] == {"ID": 0.5, "JP": 0.5}
    assert report["top_documents"] == [{"path": "/b.xlsx", "host": traffic_log.D, "requests": 1}]


def test_a_file_without_a_readable_line_is_refused_and_changes_nothing(tmp_path):
    data = tmp_path / "data"
    good = tmp_path / "access.log"
    good.write_text(traffic_log.text())
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\nworld\n")
    result = import_files(data, [good, junk])
    assert result.refused and "notes.txt" in result.refused and "nothing was imported" in result.refused
    assert result.added == 0 and stored_rows(data) == 0 and len(import_history(data)) == 0
    with pytest.raises(CommandError, match="no line could be read"):
        main(["import", str(junk), "--data", str(data)])
    assert not list((data / "traffic").glob(".staging-*"))


def test_an_upload_is_imported_from_bytes(tmp_path):
    data = tmp_path / "data"
    result = import_bytes(data, "upload.log.gz", gzip.compress(traffic_log.text().encode()), user="admin1")
    assert result.added == 37
    assert import_history(data)["user"].tolist() == ["admin1"]


def test_no_raw_address_anywhere_in_the_data_folder_and_it_is_private(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(traffic_log.text())
    data = tmp_path / "data"
    import_files(data, [log])
    import_files(data, [log])
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in files)
    for path in files:
        content = path.read_bytes()
        for ip in traffic_log.IPS + ["36.68.10.9"]:
            assert ip.encode() not in content, f"{ip} in {path}"
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    for folder in [p for p in (data / "traffic").rglob("*") if p.is_dir()] + [data / "traffic"]:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_what_a_killed_import_left_is_cleared_by_the_next(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(traffic_log.text())
    data = tmp_path / "data"
    stale = data / "traffic" / ".staging-killed"
    stale.mkdir(parents=True)
    (stale / "raw-x.parquet").write_bytes(b"half")
    assert import_files(data, [log]).added == 37
    assert not stale.exists()


def test_the_line_hash_is_keyed_so_it_cannot_be_reversed_by_trying_addresses(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(traffic_log.text())
    data = tmp_path / "data"
    import_files(data, [log])
    keys = set(pq.read_table(next((data / "traffic" / "requests").rglob("*.parquet")))["line_key"].to_pylist())
    plain = {hashlib.sha256(line.encode()).hexdigest() for line in traffic_log.lines()}
    assert keys and not any(key.split(":")[1] in plain for key in keys)
