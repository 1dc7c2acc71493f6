"""The indicator report: one sheet per indicator table and a contents sheet, or one HTML
page; whatever tables the data allow; from the command line too, in the audit log."""

from __future__ import annotations

import getpass
import io

import openpyxl
import pytest

from analysis.export import ExportError, indicator_report, report_tables
from analysis.export.export_cli import main
from analysis.export.tables.as_xlsx import HEADER_ROW
from survey import ResponseStore
from survey.fieldwork.audit_log import AuditLog
from survey.simulate import main as simulate
from tests.support.html_pages import assert_self_contained

TITLES = {"household": "Household ICT indicators (ITU HH1-HH16)",
          "individual": "Individual ICT indicators, aged 5+ (ITU HH5-HH18)",
          "egov": "E-government indicators (EG1-EG7)", "stages": "E-government stage of each agency",
          "city": "The city's e-government stage", "leadership": "Leadership commitment index (E-Leadership)"}


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    root = tmp_path_factory.mktemp("full")
    simulate(["--households", "120", "--civil-servants", "40", "--agencies", "10", "--seed", "3", "--bulk",
              "--out", str(root)])
    return ResponseStore(root)


@pytest.fixture(scope="module")
def households_only(tmp_path_factory):
    root = tmp_path_factory.mktemp("households")
    simulate(["--households", "80", "--civil-servants", "0", "--agencies", "0", "--seed", "4", "--bulk",
              "--out", str(root)])
    return ResponseStore(root)


def test_the_xlsx_report_has_contents_and_one_sheet_per_indicator_table(full):
    book = openpyxl.load_workbook(io.BytesIO(indicator_report(full, "xlsx", user="sup1", lang="en")))
    tables = report_tables(full, "en")
    assert list(tables) == list(TITLES)
    assert book.sheetnames == ["Contents", "Households", "Individuals", "E-government", "Agency stages",
                               "City stage", "Leadership"]
    contents = book["Contents"]
    listed = list(contents.iter_rows(min_row=HEADER_ROW + 2, max_row=HEADER_ROW + 1 + len(tables)))
    for row, (name, table), sheet in zip(listed, tables.items(), book.sheetnames[1:]):
        assert row[0].value == sheet and row[0].hyperlink.location == f"'{sheet}'!A1"
        assert row[1].value == TITLES[name] and row[2].value == len(table) and row[2].data_type == "n"
        assert row[4].value == table.provenance.responses
        assert book[sheet]["A1"].value == TITLES[name]
        numbers = [c for r in book[sheet].iter_rows(min_row=HEADER_ROW + 2) for c in r if c.data_type == "n"]
        assert numbers, sheet
    for sheet in book.worksheets:
        assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)


def test_the_html_report_is_one_page_with_every_table_and_chart(full):
    page = indicator_report(full, "html", user="sup1", lang="id").decode("utf-8")
    assert_self_contained(page)
    assert page.count('<section class="table"') == 6 and page.count("<svg") == 6
    assert "Laporan indikator" in page and 'href="#table-leadership"' in page


def test_households_alone_give_the_household_and_individual_indicators(households_only):
    assert list(report_tables(households_only)) == ["household", "individual"]
    book = openpyxl.load_workbook(io.BytesIO(indicator_report(households_only, "xlsx", user="t", lang="id")))
    assert book.sheetnames == ["Isi", "Rumah tangga", "Individu"]


def test_no_data_no_report_and_the_refusal_is_logged(tmp_path):
    store = ResponseStore(tmp_path)
    with pytest.raises(ExportError) as refused:
        indicator_report(store, "xlsx", user="admin")
    assert refused.value.texts["id"].startswith("Belum ada indikator")
    with pytest.raises(ExportError):
        indicator_report(store, "pdf", user="admin")
    assert [(e["object"], e["outcome"]) for e in AuditLog(tmp_path).entries(newest_first=False)] == [
        ("indicators", "invalid"), ("indicators", "invalid")]


def test_the_command_line_writes_the_report_with_data_in_any_position(households_only, tmp_path, capsys):
    book, page = tmp_path / "report.xlsx", tmp_path / "report.html"
    data = str(households_only.root)
    assert main(["indicators", "--format", "xlsx", "--out", str(book), "--data", data, "--lang", "id"]) == 0
    assert main(["--data", data, "indicators", "--format", "html", "--out", str(page)]) == 0
    assert f"wrote {book}" in capsys.readouterr().out
    assert openpyxl.load_workbook(book).sheetnames == ["Isi", "Rumah tangga", "Individu"]
    assert "<svg" in page.read_text(encoding="utf-8")
    entries = AuditLog(households_only.root).entries(newest_first=False)[-2:]
    assert [(e["user"], e["object"], e["detail"]["format"], e["detail"]["tables"]) for e in entries] == [
        (f"cli:{getpass.getuser()}", "indicators", "xlsx", ["household", "individual"]),
        (f"cli:{getpass.getuser()}", "indicators", "html", ["household", "individual"])]
    with pytest.raises(SystemExit) as refused:
        main(["indicators", "--format", "pdf", "--out", str(book), "--data", data])
    assert refused.value.code == 2 and "invalid choice: 'pdf'" in capsys.readouterr().err


def test_the_command_line_says_when_there_is_nothing_to_report(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    status = main(["indicators", "--format", "xlsx", "--out", str(tmp_path / "r.xlsx"), "--data",
                   str(tmp_path / "empty")])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("error: No indicators yet") and err.count("\n") == 1
    assert not (tmp_path / "r.xlsx").exists()
