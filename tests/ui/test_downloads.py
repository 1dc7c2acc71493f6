"""Downloads: a table's files, spreadsheet formulas neutralised, the role checked when it is built.

Streamlit builds a deferred download in a worker thread, outside the script run; the
tests call the button's callable from the test's own thread, which is just as far
from the session, after the run that drew the button.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.export import table_file, table_filename
from analysis.tables.summary_table import Column, SummaryTable
from tests.support.app import make_user

HOSTILE = ["=HYPERLINK(\"http://x\")", "+1+2", "-3+4", "@SUM(A1)", "\tTAB", "\rCR", "plain", "O'Brien"]


def hostile_table() -> SummaryTable:
    data = pd.DataFrame({"choice": [f"c{i}" for i in range(len(HOSTILE))], "estimate": [-5.0, 1.5, *[0.0] * 6],
                         "label": HOSTILE})
    columns = {"choice": Column({"en": "=Choice", "id": "=Pilihan"}), "estimate": Column({"en": "Estimate",
                                                                                          "id": "Estimasi"}, "number"),
               "label": Column({"en": "Label", "id": "Label"})}
    labels = {f"c{i}": {"en": text, "id": text} for i, text in enumerate(HOSTILE)}
    return SummaryTable(data, {"en": "Sri's table: =1+1", "id": "Tabel"}, columns, value_labels={"choice": labels})


def read(content: bytes) -> pd.DataFrame:
    assert content.startswith(b"\xef\xbb\xbf")                         # UTF-8 with a byte-order mark
    return pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", keep_default_na=False)


def test_text_cells_that_a_spreadsheet_would_run_get_an_apostrophe_and_numbers_stay_numbers():
    back = read(table_file(hostile_table(), "csv", "en"))
    assert list(back.columns) == ["'=Choice", "Estimate", "Label"]
    expected = ["'" + text if text[0] in "=+-@\t\r" else text for text in HOSTILE]
    assert back["'=Choice"].tolist() == expected and back["Label"].tolist() == expected
    assert back["Estimate"].tolist()[:2] == [-5.0, 1.5] and back["Estimate"].dtype == float


def test_headers_and_labels_follow_the_language_and_the_file_name_is_safe():
    back = read(table_file(hostile_table(), "csv", "id"))
    assert list(back.columns)[:2] == ["'=Pilihan", "Estimasi"]
    name = table_filename(hostile_table(), "csv", "en")
    assert name.startswith("Sri_s_table_1_1") and name.endswith(".csv")
    assert set(name) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def a_page_with_a_guarded_download():
    import streamlit as st

    from ui import auth

    st.session_state["_build"] = auth.guarded("explore", lambda: b"the table")


def session(data_dir, role: str) -> AppTest:
    make_user(data_dir, "someone", role)
    at = AppTest.from_function(a_page_with_a_guarded_download, default_timeout=30)
    at.session_state["_auth_user"], at.session_state["_auth_role"] = "someone", role
    from ui import auth
    at.session_state["_auth_last_action"] = auth.clock()
    return at.run()


def test_the_file_is_built_outside_the_run_for_the_session_that_drew_the_button(data_dir):
    at = session(data_dir, "supervisor")
    build = at.session_state["_build"]
    assert build() == b"the table"                                    # from this (non-script) thread
    at.session_state["_auth_role"] = "enumerator"                    # the role changed meanwhile
    with pytest.raises(PermissionError):
        build()
    at.session_state["_auth_role"] = "supervisor"
    at.session_state["_auth_last_action"] = 0.0                       # the session went idle
    with pytest.raises(PermissionError):
        build()
    del at.session_state["_auth_user"]                                 # logged out
    with pytest.raises(PermissionError):
        build()


def test_a_role_without_the_page_gets_no_file(data_dir):
    with pytest.raises(PermissionError):
        session(data_dir, "enumerator").session_state["_build"]()
