"""python -m analysis.export: subcommands, --data in any position, clear errors, audit."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pyreadstat
import pytest

from analysis.export.export_cli import main
from survey.fieldwork.audit_log import AuditLog
from survey.simulate import generate
from survey.store.response_store import ResponseStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    store = ResponseStore(folder)
    for i, answers in enumerate(generate("household", 3, seed=2)):
        store.submit("household", answers, enumerator="enum01", response_id=f"h{i}")
    return folder


def test_microdata_with_data_before_or_after_the_subcommand(data, tmp_path, capsys):
    out = tmp_path / "members.dta"
    assert main(["--data", str(data), "microdata", "--table", "household_members", "--format", "dta",
                 "--lang", "id", "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    df, meta = pyreadstat.read_dta(str(out))
    assert "member_name" not in df.columns and meta.column_labels[list(df.columns).index("sex")] == "Jenis kelamin"
    out2 = tmp_path / "members.sav"
    assert main(["microdata", "--table", "household_members", "--format", "sav", "--identified", "--out", str(out2),
                 "--data", str(data)]) == 0
    assert "member_name" in pyreadstat.read_sav(str(out2))[0].columns
    entries = AuditLog(data).entries(newest_first=False)[-2:]
    assert [(e["user"], e["object"], e["detail"]["identified"], e["detail"]["format"]) for e in entries] == [
        (f"cli:{getpass.getuser()}", "household_members", False, "dta"),
        (f"cli:{getpass.getuser()}", "household_members", True, "sav")]


def test_codebook_and_xlsform(data, tmp_path):
    book = tmp_path / "codebook.xlsx"
    page = tmp_path / "codebook.html"
    form = tmp_path / "form.xlsx"
    assert main(["codebook", "--instrument", "household", "--format", "xlsx", "--out", str(book), "--data", str(data)]) == 0
    assert main(["--data", str(data), "codebook", "--instrument", "agency", "--format", "html", "--out", str(page)]) == 0
    assert main(["xlsform", "--data", str(data), "--instrument", "civil_servant", "--out", str(form)]) == 0
    assert "Variable" in openpyxl.load_workbook(book).sheetnames
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert openpyxl.load_workbook(form).sheetnames == ["survey", "choices", "settings"]
    objects = [e["object"] for e in AuditLog(data).entries(newest_first=False)[-3:]]
    assert objects == ["codebook/household", "codebook/agency", "xlsform/civil_servant"]


def test_the_data_folder_defaults_to_the_environment(data, tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_DATA_DIR", str(data))
    out = tmp_path / "h.csv"
    assert main(["microdata", "--table", "household", "--format", "csv", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8-sig").count("\n") == 4  # header and three households


@pytest.mark.parametrize("args, status, says", [
    (["microdata", "--table", "households", "--format", "csv"], 2, "There is no table 'households'"),
    (["codebook", "--instrument", "census", "--format", "html"], 2, "no such instrument"),
    (["xlsform", "--instrument", "../household"], 2, "lower-case letters"),
    (["microdata", "--table", "household", "--format", "csv", "--data", "/nonexistent/folder"], 2, "no data folder"),
])
def test_user_errors_are_one_line_and_a_nonzero_exit(data, tmp_path, capsys, args, status, says):
    argv = args + ["--out", str(tmp_path / "x.out")] + ([] if "--data" in args else ["--data", str(data)])
    assert main(argv) == status
    err = capsys.readouterr().err
    assert err.startswith("error: ") and says in err and err.count("\n") == 1
    assert not (tmp_path / "x.out").exists()


def test_an_output_folder_that_does_not_exist_is_refused(data, tmp_path, capsys):
    assert main(["xlsform", "--instrument", "agency", "--out", str(tmp_path / "no" / "x.xlsx"), "--data", str(data)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_bad_options_are_argparse_errors(data, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["microdata", "--table", "household", "--format", "docx", "--out", str(tmp_path / "x"), "--data", str(data)])
    assert exit_.value.code == 2 and "invalid choice: 'docx'" in capsys.readouterr().err


def test_the_module_runs_and_never_shows_a_traceback(data, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ok = subprocess.run([sys.executable, "-m", "analysis.export", "xlsform", "--instrument", "household",
                         "--out", str(tmp_path / "f.xlsx"), "--data", str(data)], capture_output=True, text=True,
                        env=env, cwd=tmp_path, timeout=120)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([sys.executable, "-m", "analysis.export", "microdata", "--table", "nope", "--format", "csv",
                          "--out", str(tmp_path / "x.csv"), "--data", str(data)], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stderr.startswith("error: ")
