"""The codebook, XLSX and HTML: every exported variable with its labels, values, rules and
pii flag, the choice lists and the name mapping, in agreement with the microdata files."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import openpyxl
import pytest

from analysis.export import ExportError
from analysis.export.codebook.codebook import codebook
from analysis.export.codebook.entries import text
from analysis.export.microdata.variables import table_variables
from survey.fieldwork.audit_log import AuditLog
from survey.questionnaire.expressions import parse
from survey.questionnaire.model import STUDY_INSTRUMENTS, instrument_from_yaml, load_instrument


def _rows(book, sheet: str) -> list[dict]:
    rows = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


@pytest.fixture(scope="module")
def household_book():
    data = codebook(load_instrument("household"), "xlsx", user="t", audit=None, lang="en")
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_lists_every_variable_of_every_table_with_its_rules(household_book):
    inst = load_instrument("household")
    rows = _rows(household_book, "Variable")
    for table in ("household", "household_members"):
        listed = [r["Variable"] for r in rows if r["Table"] == table]
        assert listed == [v.name for v in table_variables(inst, table)]  # the names the files use
    by_name = {(r["Table"], r["Variable"]): r for r in rows}
    psu = by_name["household", "psu"]
    assert psu["Label (Bahasa Indonesia)"] == "Kode blok sensus (PSU)" and psu["Label (English)"] == "Census block (PSU) code"
    assert psu["Constraint"] == "regex(., '^[A-Z]{3}-[0-9]{3}$')" and psu["Design role"] == "psu"
    assert psu["Required"] == "yes" and psu["Personal data (PII)"] is None
    assert by_name["household", "kecamatan"]["Design role"] == "strata"
    assert by_name["household", "kecamatan"]["Values (code = name: label)"].splitlines()[:2] == [
        "1 = laweyan: Laweyan", "2 = serengan: Serengan"]
    assert by_name["household", "rw"]["Range"] == "1 .. 99" and by_name["household", "rw"]["Stata type"] == "long"
    assert by_name["household", "phone"]["Personal data (PII)"] == "yes"
    assert by_name["household_members", "member_name"]["Personal data (PII)"] == "yes"
    internet = by_name["household", "internet_type_other"]
    assert internet["Question (column)"] == "internet_type" and internet["Type"] == "select_multiple"
    assert internet["Asked when (relevant)"] == "${has_internet} = 'yes'"
    assert internet["Values (code = name: label)"] == "0 = No\n1 = Yes"
    education = by_name["household_members", "education"]
    assert education["Asked when (relevant)"] == "${age} >= 5"
    assert education["Constraint"] == ". != 'tertiary' or ${age} >= 17"
    assert by_name["household_members", "age_group"]["Calculation"].startswith("if(${age} < 5, '0-4'")
    members_kecamatan = by_name["household_members", "kecamatan"]
    assert members_kecamatan["Design role"] == "strata" and members_kecamatan["Required"] is None


def test_xlsx_has_the_choice_lists_with_codes_and_the_name_mapping(household_book):
    choices = _rows(household_book, "Choice lists")
    satisfaction = [(r["Code"], r["Name"], r["Label (English)"]) for r in choices if r["Choice list"] == "satisfaction5"]
    assert satisfaction[0] == (1, "1", "Very dissatisfied") and len(satisfaction) == 5
    kelurahan = [r for r in choices if r["Choice list"] == "kelurahan"]
    assert len(kelurahan) == 54 and kelurahan[0]["Code"] == 1
    names = _rows(household_book, "Name mapping")
    assert {"Table": "household", "Name in the files": "response_id", "Column in the store": "_response_id",
            "Choice": None} in names
    renamed = [r for r in names if r["Choice"] and r["Name in the files"] != f"{r['Column in the store']}_{r['Choice']}"]
    assert renamed and all(len(r["Name in the files"]) <= 29 for r in names)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize("instrument_id", STUDY_INSTRUMENTS)
def test_html_is_self_contained_and_printable(instrument_id):
    inst = load_instrument(instrument_id)
    page = codebook(inst, "html", user="t", audit=None, lang="id").decode("utf-8")
    parser = _Page()
    parser.feed(page)
    tags = {tag for tag, _ in parser.tags}
    assert "script" not in tags and "img" not in tags and "link" not in tags
    assert not re.search(r"\b(?:src|href)=\"(?:https?:)?//", page)  # nothing fetched from elsewhere
    assert "@media print" in page and "break-before: page" in page
    anchors = {attrs["id"] for _, attrs in parser.tags if "id" in attrs}
    links = {attrs["href"][1:] for tag, attrs in parser.tags if tag == "a"}
    assert links <= anchors
    words = "".join(parser.text)
    for table in (inst.id, *(inst.table_name(r) for r in inst.repeats)):
        for v in table_variables(inst, table):
            assert v.name in words and v.label["id"] in words and v.label["en"] in words
    assert text("pii_rule", "id") in words


def test_html_escapes_the_questionnaire_text():
    inst = instrument_from_yaml("""
id: tricky
version: 1
title: {id: "<script>alert(1)</script>", en: "A & B"}
questions:
  - {name: q, type: text, label: {id: "<b>tebal</b>", en: "x < y & z"}, relevant: "string-length('<i>') > 1"}
""")
    page = codebook(inst, "html", user="t", audit=None, lang="id").decode()
    assert "<script>" not in page and "<b>tebal</b>" not in page
    assert "&lt;script&gt;" in page and "x &lt; y &amp; z" in page and "string-length(&#x27;&lt;i&gt;&#x27;)" in page


def test_end_conditions_are_documented_when_the_instrument_has_them():
    inst = instrument_from_yaml("""
id: ends
version: 1
title: {id: Akhir, en: Ends}
choice_lists:
  yes_no: [{name: "yes", label: {id: Ya, en: "Yes"}}, {name: "no", label: {id: Tidak, en: "No"}}]
questions:
  - {name: consent, type: select_one, choices: yes_no, label: {id: Setuju, en: Consent}}
  - {name: age, type: integer, label: {id: Umur, en: Age}}
""")
    object.__setattr__(inst.question("consent"), "end_if", parse("${consent} = 'no'"))  # as the model will read it
    rows = _rows(openpyxl.load_workbook(io.BytesIO(codebook(inst, "xlsx", user="t", audit=None))), "Variable")
    assert {r["Variable"]: r["Interview ends when"] for r in rows}["consent"] == "${consent} = 'no'"
    assert "${consent} = &#x27;no&#x27;" in codebook(inst, "html", user="t", audit=None).decode()


def test_codebook_exports_are_audited_and_checked(tmp_path):
    log = AuditLog(tmp_path)
    codebook(load_instrument("agency"), "html", user="sup1", audit=log, lang="id")
    with pytest.raises(ExportError):
        codebook(load_instrument("agency"), "pdf", user="sup1", audit=log)
    entries = log.entries(newest_first=False)
    assert [(e["user"], e["object"], e["outcome"], e["detail"]["format"]) for e in entries] == [
        ("sup1", "codebook/agency", "ok", "html"), ("sup1", "codebook/agency", "invalid", "pdf")]


@pytest.mark.parametrize("lang, zone", [("en", r"\d{1,2} [A-Z][a-z]{2} 20\d\d \d\d:\d\d WIB"),
                                        ("id", r"\d{1,2} [A-Z][a-z]{2} 20\d\d \d\d\.\d\d WIB")])
def test_the_codebook_says_when_it_was_made_in_wib_as_every_page_does(lang, zone):
    """Not UTC (which no other page a person reads shows), and not 2026-12-07 (day or month first?)."""
    book = openpyxl.load_workbook(io.BytesIO(codebook(load_instrument("agency"), "xlsx", user="t", audit=None,
                                                      lang=lang)))
    about = dict(book[text("codebook", lang)].iter_rows(values_only=True))
    assert re.fullmatch(zone, about[text("made", lang)])
    page = codebook(load_instrument("agency"), "html", user="t", audit=None, lang=lang).decode()
    made = re.search(f"{text('made', lang)} ([^<]+)</p>", page).group(1)
    assert re.fullmatch(zone, made)      # (the stored times are UTC, and their labels say so)


def test_the_weights_are_documented_with_how_the_design_made_them():
    made = {"household": {"id": "Bobot dasar dari frame.csv", "en": "Base weights from frame.csv"},
            "household_members": {"id": "Bobot rumah tangganya", "en": "The household's weight"}}
    book = openpyxl.load_workbook(io.BytesIO(
        codebook(load_instrument("household"), "xlsx", user="t", audit=None, weights=made)))
    rows = {(r["Table"], r["Variable"]): r for r in _rows(book, "Variable")}
    assert rows["household", "weight"]["Label (English)"] == "Survey weight"
    assert rows["household", "weight"]["Calculation"] == "Base weights from frame.csv"
    assert rows["household_members", "weight"]["Label (English)"] == "Survey weight of this row (person weight)"
    assert rows["household_members", "weight"]["Calculation"] == "The household's weight"
    assert rows["household_members", "household_weight"]["Calculation"] == "Base weights from frame.csv"
    for key in (("household", "weight"), ("household_members", "weight"), ("household_members", "household_weight")):
        assert rows[key]["Design role"] == "weight" and rows[key]["Stata type"] == "double"
    about = dict(r for r in book["Codebook"].iter_rows(values_only=True))
    assert "the person weight" in about["Weights"]
    page = codebook(load_instrument("household"), "html", user="t", audit=None, lang="id", weights=True).decode()
    assert "bobot orang" in page and "household_weight" in page


