"""The export page: files built only on the click, the role checked again then, identified
files for admins only, every export in the audit log, messages instead of tracebacks.

Streamlit builds a download's file when the button is clicked, by calling its data
callable; AppTest does not, so the tests call the callable the page registered (as the
browser's request would) and then click, as the browser does.
"""

from __future__ import annotations

import io

import openpyxl
import pyreadstat
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from analysis.export import ExportError
from survey.fieldwork.audit_log import AuditLog
from survey.simulate import main as simulate
from survey.store.versions import IncompatibleInstrument
from tests.support.app import ROOT, make_unusable, open_app

PII_HOUSEHOLD = {"respondent_name", "phone", "address", "gps"}


@pytest.fixture
def deferred(monkeypatch) -> dict:
    """file id -> the data callable of every deferred download the app registers."""
    calls = {}
    register = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, *args, **kwargs):
        file_id = register(self, data_callable, *args, **kwargs)
        calls[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return calls


@pytest.fixture
def data(data_dir):
    simulate(["--households", "40", "--civil-servants", "12", "--agencies", "5", "--seed", "2", "--bulk",
              "--out", str(data_dir)])
    return data_dir


def export_page(data_dir, name: str, role: str):
    at = open_app(data_dir, name, role)
    at.switch_page("ui/pages/export.py").run()
    assert not at.exception, at.exception
    return at


def build(at, key: str, deferred: dict) -> bytes:
    """What the browser gets when the button is clicked: the file, or the build's error."""
    return deferred[at.download_button(key=key).proto.deferred_file_id]()


def click(at, key: str):
    at.download_button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def exports(data_dir) -> list[tuple]:
    return [(e["user"], e["object"], e["outcome"], e["detail"].get("identified"))
            for e in AuditLog(data_dir).entries(newest_first=False) if e["action"] == "export"]


def _sav(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "file.sav"
    path.write_bytes(data)
    return list(pyreadstat.read_sav(str(path))[0].columns)


def test_a_supervisor_exports_deidentified_files_only(data, deferred, tmp_path):
    at = export_page(data, "sup1", "supervisor")
    assert "Export" in [h.value for h in at.header]
    assert not [c for c in at.checkbox if c.key == "export_identified"]
    assert any("identified files are for administrators" in c.value for c in at.caption)
    at.selectbox(key="export_format").set_value("sav").run()
    columns = _sav(build(at, "export_microdata", deferred), tmp_path)
    assert not PII_HOUSEHOLD & set(columns) and {"weight", "kecamatan"} <= set(columns)
    click(at, "export_microdata")
    assert "household_deidentified_en_" in at.success[0].value and "recorded in the audit log" in at.success[0].value
    assert exports(data) == [("sup1", "household", "ok", False)]


def test_a_supervisors_forced_identified_request_is_refused_when_built(data, deferred):
    at = export_page(data, "sup1", "supervisor")
    at.session_state["export_identified"] = True  # a request the page never offered
    at.radio(key="lang").set_value("id").run()
    with pytest.raises(ExportError) as refused:
        build(at, "export_microdata", deferred)
    assert refused.value.texts["en"].startswith("Only administrators may export identified files")
    click(at, "export_microdata")
    assert at.error[0].value.startswith("Hanya administrator yang boleh mengekspor berkas beridentitas")
    assert exports(data) == [("sup1", "household", "denied", True)]


def test_the_admins_identified_file_has_the_pii_fields(data, deferred, tmp_path):
    at = export_page(data, "admin", "admin")
    at.selectbox(key="export_format").set_value("sav").run()
    plain = set(_sav(build(at, "export_microdata", deferred), tmp_path))
    at.checkbox(key="export_identified").check().run()
    assert at.warning and "identifies people" in at.warning[0].value
    assert "household_identified_en_" in at.download_button(key="export_microdata").proto.label
    identified = set(_sav(build(at, "export_microdata", deferred), tmp_path))
    assert identified - plain == PII_HOUSEHOLD
    assert exports(data) == [("admin", "household", "ok", False), ("admin", "household", "ok", True)]


def test_a_role_taken_away_while_the_page_is_open_is_refused_at_build_time(data, deferred):
    at = export_page(data, "admin", "admin")
    at.checkbox(key="export_identified").check().run()
    at.session_state["_auth_role"] = "supervisor"  # demoted: the button is already on the screen
    with pytest.raises(ExportError):
        build(at, "export_microdata", deferred)
    at.session_state["_auth_role"] = "enumerator"
    with pytest.raises(PermissionError):
        build(at, "export_codebook", deferred)
    assert exports(data) == [("admin", "household", "denied", True)]


def test_codebook_xlsform_and_report_open_and_are_logged(data, deferred):
    at = export_page(data, "sup1", "supervisor")
    at.radio(key="export_lang").set_value("id").run()
    book = openpyxl.load_workbook(io.BytesIO(build(at, "export_codebook", deferred)))
    assert "Variabel" in book.sheetnames
    at.selectbox(key="xlsform_instrument").set_value("agency").run()
    form = openpyxl.load_workbook(io.BytesIO(build(at, "export_xlsform", deferred)))
    assert form.sheetnames == ["survey", "choices", "settings"]
    report = openpyxl.load_workbook(io.BytesIO(build(at, "export_report", deferred)))
    assert report.sheetnames[0] == "Isi" and len(report.sheetnames) == 7
    at.radio(key="report_format").set_value("html").run()
    page = build(at, "export_report", deferred).decode("utf-8")
    assert page.count("<svg") == 6 and "http" not in page
    assert "indicator_report_id_" in at.download_button(key="export_report").proto.label
    assert [(u, o, outcome) for u, o, outcome, _ in exports(data)] == [
        ("sup1", "codebook/household", "ok"), ("sup1", "xlsform/agency", "ok"), ("sup1", "indicators", "ok"),
        ("sup1", "indicators", "ok")]


def test_an_export_error_is_a_message_not_a_traceback(data_dir, deferred):
    at = export_page(data_dir, "sup1", "supervisor")  # no responses yet: no indicators
    with pytest.raises(ExportError):
        build(at, "export_report", deferred)
    click(at, "export_report")
    assert at.error[0].value.startswith("No indicators yet") and not at.exception
    assert exports(data_dir) == [("sup1", "indicators", "invalid", False)]


def test_the_page_itself_lets_only_supervisors_and_admins_in(data_dir):
    page = str(ROOT / "ui" / "pages" / "export.py")
    nobody = AppTest.from_file(page, default_timeout=60).run()
    assert not nobody.download_button and not nobody.error
    for role, allowed in (("enumerator", False), ("supervisor", True), ("admin", True)):
        at = AppTest.from_file(page, default_timeout=60)
        at.session_state["_auth_user"], at.session_state["_auth_role"] = f"{role}1", role
        at.run()
        assert bool(at.download_button) == allowed, role
        assert (at.error[0].value.startswith("No access") if not allowed else not at.error), role


def test_a_questionnaire_the_store_cannot_use_is_named_and_the_others_export(data, deferred, monkeypatch):
    make_unusable(monkeypatch, "civil_servant", "age")
    at = export_page(data, "sup1", "supervisor")
    assert "civil_servant" in at.warning[0].value and "age" in at.warning[0].value
    assert at.selectbox(key="codebook_instrument").options == ["household", "agency"]
    assert not any("civil_servant" in option for option in at.selectbox(key="export_table").options)
    at.selectbox(key="export_table").set_value("household_members").run()
    members = build(at, "export_microdata", deferred).decode("utf-8-sig").splitlines()   # CSV, the first format
    assert members[0].startswith("response_id,member_index,kecamatan,psu") and len(members) > 40
    at.selectbox(key="export_table").set_value("agency").run()     # listed after the broken questionnaire
    assert len(build(at, "export_microdata", deferred).decode("utf-8-sig").splitlines()) == 1 + 5
    with pytest.raises(IncompatibleInstrument):     # the report needs the civil servants too
        build(at, "export_report", deferred)
    click(at, "export_report")
    assert "civil_servant" in at.error[0].value and not at.exception


def test_replicate_weights_replace_strata_and_psu(data, deferred, tmp_path):
    at = export_page(data, "sup1", "supervisor")
    at.selectbox(key="export_format").set_value("sav").run()
    assert at.selectbox(key="export_replicate").value is None
    at.selectbox(key="export_replicate").set_value("JKn").run()
    assert not at.exception, at.exception
    columns = set(_sav(build(at, "export_microdata", deferred), tmp_path))
    assert "repw_01" in columns and "weight" in columns and not {"psu", "kecamatan"} & columns
    at.selectbox(key="codebook_format").set_value("xlsx").run()
    book = openpyxl.load_workbook(io.BytesIO(build(at, "export_codebook", deferred)))
    rows = list(book["Variable"].iter_rows(values_only=True))
    roles = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert any(r["Design role"] == "replicate" and "svrepdesign" in r["Calculation"] for r in roles)
    assert [e[1:] for e in exports(data)][0] == ("household", "ok", False)
    entry = [e for e in AuditLog(data).entries(newest_first=False) if e["action"] == "export"][0]
    assert entry["detail"]["replicate"] == "JKn"


def test_an_identified_file_keeps_strata_and_psu(data, deferred, tmp_path):
    at = export_page(data, "admin", "admin")
    at.selectbox(key="export_format").set_value("sav").run()
    at.selectbox(key="export_replicate").set_value("JKn").run()
    at.checkbox(key="export_identified").check().run()
    assert at.selectbox(key="export_replicate").proto.disabled
    columns = set(_sav(build(at, "export_microdata", deferred), tmp_path))
    assert {"psu", "kecamatan"} <= columns and "repw_01" not in columns
