"""Safe cells, safe file names and Stata/SPSS variable names."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis.export.microdata.names import MAX_LENGTH, dummy_name, export_names, is_valid
from analysis.export.safe_cells import csv_text, csv_text_column, export_filename, is_formula_like, safe_filename


@pytest.mark.parametrize("text, expected", [
    ("=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK(\"http://evil.example\",\"x\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\rx", "'\rx"),
    ("  =1+1", "'  =1+1"),
    ("\uff1d1+1", "'\uff1d1+1"),
    ("-5", "-5"),
    ("+6281234567890", "+6281234567890"),
    ("-1.5e3", "-1.5e3"),
    ("-5 apples", "'-5 apples"),
    ("Nur'aini", "Nur'aini"),
    ("日本 🙂 = ok", "日本 🙂 = ok"),
    ("", ""),
])
def test_csv_cells_that_could_run_get_an_apostrophe(text, expected):
    assert csv_text(text) == expected
    assert not is_formula_like(csv_text(text))


def test_the_column_version_matches_the_cell_version():
    values = pd.Series(["=1", "-5", None, "x", "@y", "\tz"], dtype="string")
    out = csv_text_column(values)
    assert out.tolist()[:2] == ["'=1", "-5"] and out.isna().tolist() == [False, False, True, False, False, False]
    assert [out[i] for i in (0, 1, 3, 4, 5)] == [csv_text(values[i]) for i in (0, 1, 3, 4, 5)]


@pytest.mark.parametrize("name, expected", [
    ("household_members", "household_members"),
    ("../../etc/passwd", "etc_passwd"),
    ("Rumah tangga: Solo/Surakarta.csv", "Rumah_tangga_Solo_Surakarta.csv"),
    ("Śląsk—日本", "Slask"),
    ("...", "export"),
    ("-rf", "rf"),
    ("a" * 300, "a" * 120),
])
def test_safe_filenames(name, expected):
    assert safe_filename(name) == expected


def test_export_filenames_say_what_is_inside():
    day = dt.date(2026, 5, 1)
    assert export_filename("household_members", "sav", False, "en", day) == "household_members_deidentified_en_2026-05-01.sav"
    assert export_filename("codebook household", "html", day=day) == "codebook_household_2026-05-01.html"


def test_names_are_valid_unique_and_keep_valid_names_first():
    wanted = ["_response_id", "kecamatan", "with", "to", "str80", "a" * 40, "a" * 40, "9lives", "Kecamatan",
              "é_name", "", "internet_type_other", "internet_type_other"]
    names = export_names(wanted)
    assert names[:3] == ["response_id", "kecamatan", "with_"] and names[3] == "to_" and names[4] == "str80_"
    assert names[5] == "a" * MAX_LENGTH and names[6] == "a" * (MAX_LENGTH - 2) + "_2"
    assert names[7] == "v_9lives" and names[8] == "Kecamatan_2"  # SPSS ignores case
    assert names[9] == "e_name" and names[10] == "v"
    assert names[11] == "internet_type_other" and names[12] == "internet_type_other_2"
    assert len({n.lower() for n in names}) == len(names) and all(is_valid(n) for n in names)


def test_a_clean_name_never_moves_for_a_later_column():
    assert export_names(["x_2", "x", "x"]) == ["x_2", "x", "x_3"]


def test_long_dummy_names_keep_the_choice():
    assert dummy_name("ict_skills", "copy_files") == "ict_skills_copy_files"
    long = dummy_name("internet_activities", "government_services")
    assert long.endswith("_government_services") and len(long) <= MAX_LENGTH
    assert dummy_name("q", "Ça va?") == "q_Ca_va"
