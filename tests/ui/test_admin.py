"""The admin page: accounts made and changed in the app, and the audit log beside them."""

from __future__ import annotations

import pytest

from survey.fieldwork.audit_log import AuditLog
from tests.support.app import login, open_app
from tests.support.hashing import cheap_accounts
from ui import auth

ACCOUNTS, AUDIT = 0, 1  # the page's tables, in order: accounts, audit log, data store


def admin_page(data_dir):
    at = open_app(data_dir, "admin", "admin")
    return at.switch_page("ui/pages/admin.py").run()


def create(at, name, role, password, again=None):
    at.text_input(key="new_user").input(name)
    at.selectbox(key="new_role").set_value(role)
    at.text_input(key="new_password").input(password)
    at.text_input(key="new_password2").input(again or password)
    at.button(key="create_user").click().run()
    assert not at.exception
    return at


def test_the_admin_creates_two_enumerators_and_a_supervisor_who_can_log_in(data_dir):
    at = admin_page(data_dir)
    create(at, "enum01", "enumerator", "field-password-1")
    assert at.success[0].value == "Account enum01 (enumerator) created."
    assert [at.text_input(key=k).value for k in ("new_user", "new_password", "new_password2")] == ["", "", ""]
    create(at, "enum02", "enumerator", "field-password-2")
    create(at, "sup1", "supervisor", "super-password-1")
    table = at.dataframe[ACCOUNTS].value
    assert table["User name"].tolist() == ["admin", "enum01", "enum02", "sup1"]
    assert table["Role"].tolist() == ["administrator", "enumerator", "enumerator", "supervisor"]
    for name, password in (("enum02", "field-password-2"), ("sup1", "super-password-1")):
        other = open_app(data_dir)
        login(other, name, password)
        assert name in other.sidebar.caption[0].value
    entries = AuditLog(data_dir).entries()
    created = [(e["object"], e["user"]) for e in entries if e["action"] == "account_create"]
    assert created[:3] == [("sup1", "admin"), ("enum02", "admin"), ("enum01", "admin")]


def test_bad_new_accounts_get_a_message_in_the_chosen_language(data_dir):
    at = admin_page(data_dir)
    at.radio(key="lang").set_value("id").run()
    create(at, "enum01", "enumerator", "pendek")
    assert "paling sedikit 10 karakter" in at.error[0].value
    create(at, "enum01", "enumerator", "field-password-1", again="field-password-2")
    assert "Kedua kata sandi berbeda" in at.error[0].value
    create(at, "bad name!", "enumerator", "field-password-1")
    assert "Nama pengguna terdiri dari" in at.error[0].value
    create(at, "sim-enum01", "enumerator", "field-password-1")
    assert at.error[0].value == "Nama pengguna tidak boleh diawali “sim-”: itu nama pencacah simulasi."
    at.radio(key="lang").set_value("en").run()
    create(at, "sim-enum01", "enumerator", "field-password-1")
    assert at.error[0].value == "A user name cannot start with “sim-”: those are the simulated enumerators' names."
    assert [a.name for a in cheap_accounts(data_dir).list()] == ["admin"]


def test_role_password_and_disable_from_the_page(data_dir):
    cheap_accounts(data_dir).add("enum01", "enumerator", "field-password-1")
    at = admin_page(data_dir)
    at.selectbox(key="manage_user").set_value("enum01").run()
    at.selectbox(key="manage_role").set_value("supervisor")
    at.button(key="change_role").click().run()
    assert cheap_accounts(data_dir).get("enum01").role == "supervisor"
    at.text_input(key="reset_password").input("reset-password-9")
    at.text_input(key="reset_password2").input("reset-password-9")
    at.button(key="set_password").click().run()
    assert cheap_accounts(data_dir).login("enum01", "reset-password-9").ok
    at.button(key="toggle_user").click().run()
    assert cheap_accounts(data_dir).get("enum01").disabled
    assert "disabled" in at.dataframe[ACCOUNTS].value.set_index("User name").loc["enum01", "State"]
    actions = [e["action"] for e in AuditLog(data_dir).entries(newest_first=False)]
    assert {"account_role", "account_password", "account_disable"} <= set(actions)


def test_the_admin_cannot_disable_themselves(data_dir):
    at = admin_page(data_dir)
    at.selectbox(key="manage_user").set_value("admin").run()
    assert at.button(key="toggle_user").disabled


def test_the_audit_log_is_newest_first_and_filterable(data_dir):
    log = AuditLog(data_dir)
    log.record("submit", "enum01", "household/r1")
    log.record("review", "sup1", "household/r1", status="approved")
    at = admin_page(data_dir)
    table = at.dataframe[AUDIT].value
    assert table["Action"].tolist()[0] == "login" and table["Action"].tolist()[-1] == "submit"
    at.multiselect(key="audit_actions").set_value(["review"]).run()
    table = at.dataframe[AUDIT].value
    assert table["Action"].tolist() == ["review"] and table["Detail"].tolist() == ["status=approved"]
    at.text_input(key="audit_search").input("r1").run()
    assert len(at.dataframe[AUDIT].value) == 1


def test_downloads_check_the_role_when_the_file_is_built(monkeypatch):
    build = auth.guarded("admin", lambda: "audit,csv")
    monkeypatch.setattr(auth, "current_user", lambda: auth.User("enum01", "enumerator"))
    with pytest.raises(PermissionError):
        build()
    monkeypatch.setattr(auth, "current_user", lambda: auth.User("root", "admin"))
    assert build() == "audit,csv"


def test_the_store_tab_counts_quarantined_files_and_lists_versions(data_dir):
    from survey import ResponseStore
    from survey.simulate import generate

    store = ResponseStore(data_dir)
    store.submit("agency", generate("agency", 1, seed=2)[0], enumerator="enum01", response_id="a1")
    (data_dir / "responses" / "agency" / "b2__r1.parquet").write_bytes(b"")  # a copy cut short
    assert store.count("agency") == 1  # the read quarantines it
    at = admin_page(data_dir)
    tables = at.dataframe[2].value.set_index("Table")
    assert tables.loc["agency", "Files in quarantine"] == "1" and tables.loc["agency", "Rows (current revisions)"] == "1"
    assert any("quarantine" in w.value for w in at.warning)
    versions = at.dataframe[3].value.set_index("Questionnaire")
    assert versions.loc["agency", "Versions kept by the store"] == str(store.instrument("agency").version)


def test_the_audit_csv_defuses_typed_formulas(data_dir):
    from ui.supervision.audit_view import audit_csv, audit_frame

    log = AuditLog(data_dir)
    log.record("login_failed", "=HYPERLINK(\"http://x\")", "=HYPERLINK(\"http://x\")", "failed")
    text = audit_csv(audit_frame(log.entries()))
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_the_store_tab_lists_the_questionnaires_of_the_stores_own_folder(data_dir, tmp_path, monkeypatch):
    from survey import ResponseStore

    folder = tmp_path / "instruments"   # not survey/instruments: only the pilot questionnaire is here
    folder.mkdir()
    (folder / "pilot.yaml").write_text("id: pilot\nversion: 2\ntitle: {id: Uji coba, en: Pilot}\nquestions:\n"
                                       "  - {name: staff, type: integer, label: {id: Staf, en: Staff}}\n")
    store = ResponseStore(data_dir, instruments_dir=folder)
    store.submit("pilot", {"staff": 3}, enumerator="enum01", response_id="p-1")
    monkeypatch.setattr("ui.store._store", lambda root: ResponseStore(root, instruments_dir=folder))
    at = admin_page(data_dir)
    assert list(at.dataframe[2].value["Table"]) == ["pilot"]
    versions = at.dataframe[3].value.set_index("Questionnaire")
    assert list(versions.index) == ["pilot"]
    assert versions.loc["pilot", "Versions kept by the store"] == "2"
    assert versions.loc["pilot", "Problem"] == ""


def test_the_admin_turns_anonymous_odk_submission_on_and_off_per_questionnaire(data_dir):
    from survey.odk.settings import anonymous_forms, set_anonymous

    at = admin_page(data_dir)
    toggles = {w.key: w for w in at.toggle if w.key.startswith("odk_anonymous_")}
    assert set(toggles) >= {"odk_anonymous_agency", "odk_anonymous_household"}
    assert not any(w.value for w in toggles.values())  # off until an admin turns it on
    at.toggle(key="odk_anonymous_agency").set_value(True).run()
    assert not at.exception and anonymous_forms(data_dir) == {"agency"}
    assert at.success[0].value == "Anonymous submission of agency is on."
    set_anonymous(data_dir, "household", True, by="admin2")  # another admin, elsewhere
    at.run()  # the page shows the file, and a rerun changes nothing
    assert at.toggle(key="odk_anonymous_household").value and anonymous_forms(data_dir) == {"agency", "household"}
    at.toggle(key="odk_anonymous_agency").set_value(False).run()
    assert anonymous_forms(data_dir) == {"household"}
    changes = [(e["user"], e["object"], e["outcome"]) for e in AuditLog(data_dir).entries()
               if e["action"] == "odk_anonymous"]
    assert changes == [("admin", "agency", "off"), ("admin2", "household", "on"), ("admin", "agency", "on")]


def test_the_admin_registers_a_webhook_sees_its_secret_once_and_the_delivery_log(data_dir):
    from survey import ResponseStore
    from survey.simulate import generate
    from survey.webhooks import Endpoints, delivery
    from tests.support.webhook_receiver import Receiver

    receiver = Receiver()
    try:
        at = admin_page(data_dir)
        at.text_input(key="webhook_url").input("ftp://example.org/x")
        at.button(key="webhook_add").click().run()
        assert at.error[0].value.startswith("Give an http:// or https:// URL")
        at.text_input(key="webhook_url").input(receiver.url)
        at.multiselect(key="webhook_events").set_value(["submission.created"])
        at.button(key="webhook_add").click().run()
        assert not at.exception
        [endpoint] = Endpoints(data_dir).list()
        assert at.code[0].value == endpoint.secret and "registered. Its secret" in at.success[0].value
        ResponseStore(data_dir).submit("agency", generate("agency", 1, seed=4)[0], enumerator="enum01",
                                       response_id="a-1")
        delivery.deliver(data_dir, __import__("time").time())  # the app's worker may have sent it already
        at.run()
        assert not at.code  # the secret is not shown again
        log = at.dataframe[-1].value  # the last table: the webhook delivery log
        assert log["Status"].tolist() == ["delivered"] and log["Response"].tolist() == ["200"]
        assert log["Attempts"].tolist() == ["1"] and log["Event"].tolist() == ["submission.created"]
        at.button(key="webhook_send_again").click().run()
        assert at.success[0].value.startswith("It will be sent again")
        assert delivery.deliveries(data_dir, endpoint.id)[0]["status"] in ("pending", "delivered")
    finally:
        receiver.close()


def test_each_admin_table_is_labelled_in_the_language_and_has_its_downloads(data_dir):
    """Issue 23, item 1: accounts, the audit log, the store's tables and versions are SummaryTables."""
    AuditLog(data_dir).record("review", "sup1", "household/r1", status="approved")
    at = admin_page(data_dir)
    keys = {b.key for b in at.get("download_button")}
    assert {f"{key}_{fmt}" for key in ("accounts", "audit", "store", "versions") for fmt in ("csv", "xlsx", "html")} \
        <= keys
    at.radio(key="lang").set_value("id").run()
    accounts = at.dataframe[ACCOUNTS].value
    assert list(accounts.columns) == ["Nama pengguna", "Peran", "Keadaan", "Terakhir masuk (WIB)", "Dibuat (WIB)"]
    assert accounts.iloc[0].tolist()[:3] == ["admin", "administrator", "aktif"]
    audit = at.dataframe[AUDIT].value
    assert list(audit.columns[:3]) == ["Waktu (WIB)", "Pengguna", "Tindakan"]
    assert all(w.count(".") == 2 and w.endswith(" WIB") for w in audit["Waktu (WIB)"])   # 03.58.12 WIB
