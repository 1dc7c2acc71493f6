"""Accounts, roles and the page skeleton through AppTest: who sees what, and when not.

An attacker at the keyboard tries URLs (a page's url path forced into the session, as a
typed address does), page files run directly, and switch_page; none of it shows a page
of another role, and nothing but the login or first-run page renders before login.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from survey.fieldwork.accounts import ROLES
from survey.fieldwork.audit_log import AuditLog
from tests.support.app import APP, PASSWORDS, ROOT, login, make_user, open_app
from tests.support.hashing import cheap_accounts
from ui import auth
from ui.i18n import LANGUAGES
from ui.pages import registry

PAGE_FILES = sorted(registry.names())


def page_names(at: AppTest) -> set[str]:
    """The pages the session's navigation holds (AppTest keeps them per run)."""
    return {Path(str(info["script_path"])).stem for info in at._registered_pages.values() if info.get("script_path")}


def content(at: AppTest) -> dict[str, int]:
    """How many data-bearing elements the run drew."""
    return {kind: len(getattr(at, kind)) for kind in ("dataframe", "table", "metric", "json")}


def headers(at: AppTest) -> list[str]:
    return [h.value for h in at.header]


def force_url(at: AppTest, url_path: str) -> AppTest:
    """What typing http://host/<url_path> does: the session asks for that page."""
    at._page_hash = calc_hash(url_path)
    return at.run()


def test_every_page_module_has_a_registry_row_and_every_row_a_module():
    modules = {p.stem for p in (ROOT / "ui" / "pages").glob("*.py")} - {Path(registry.__file__).stem}
    assert modules == set(PAGE_FILES)
    assert len(registry.PAGES) == len(PAGE_FILES)   # one row per page
    for page in registry.PAGES:
        assert page.roles and page.roles <= set(ROLES), page.name
        assert page.icon.startswith(":material/"), page.name
        assert set(page.title) == set(LANGUAGES) and all(text.strip() for text in page.title.values()), page.name


def test_every_page_module_has_a_role_and_the_admin_has_them_all():
    assert set(PAGE_FILES) == set(auth.ACCESS)
    assert all("admin" in roles for roles in auth.ACCESS.values())
    assert set(auth.pages_for("enumerator")) == {"entry", "my_submissions"}


def test_a_fresh_data_folder_shows_only_the_first_run_page(data_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert headers(at) == ["Create the administrator account"]
    assert page_names(at) == set() and content(at) == dict.fromkeys(content(at), 0)
    for url in PAGE_FILES:
        force_url(at, url)
        assert headers(at) == ["Create the administrator account"] and not at.dataframe
    at.text_input(key="setup_user").input("Admin")
    at.text_input(key="setup_password").input("admin-pass-123")
    at.text_input(key="setup_password2").input("admin-pass-123")
    at.button(key="setup").click().run()
    assert headers(at) == ["Log in"]
    login(at, "admin", "admin-pass-123")
    assert page_names(at) == set(PAGE_FILES)
    assert cheap_accounts(data_dir).get("admin").role == "admin"


def test_the_first_run_page_cannot_make_a_second_administrator(data_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    cheap_accounts(data_dir).add("boss", "admin", "boss-password-1")  # meanwhile, from the command line
    at.text_input(key="setup_user").input("intruder")
    at.text_input(key="setup_password").input("intruder-pass-1")
    at.text_input(key="setup_password2").input("intruder-pass-1")
    at.button(key="setup").click().run()
    assert cheap_accounts(data_dir).get("intruder") is None
    assert [a.name for a in cheap_accounts(data_dir).list()] == ["boss"]


def test_once_an_account_exists_the_app_opens_on_the_login_page(data_dir):
    make_user(data_dir, "enum01", "enumerator")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert headers(at) == ["Log in"] and page_names(at) == set()
    for url in PAGE_FILES:
        force_url(at, url)
        assert headers(at) == ["Log in"] and content(at) == dict.fromkeys(content(at), 0)


@pytest.mark.parametrize("role, pages", [
    ("enumerator", {"entry", "my_submissions"}),
    ("supervisor", set(auth.pages_for("supervisor"))),
    ("admin", set(PAGE_FILES)),
])
def test_each_role_sees_its_pages_and_nothing_of_the_others(data_dir, role, pages):
    make_user(data_dir, "enum01", "enumerator")
    at = open_app(data_dir, f"{role}1", role)
    assert page_names(at) == pages
    assert f"{role}1" in at.sidebar.caption[0].value
    for url in sorted(set(PAGE_FILES) - pages):
        force_url(at, url)
        assert not at.exception
        assert page_names(at) == pages
        # The forced page never runs: whatever shows is a page of this role.
        assert not any(h in headers(at) for h in ("Administration", "Administrasi"))
        if role == "enumerator":
            assert not at.dataframe and not at.metric



def test_a_supervisor_can_enter_an_interview_as_the_readme_says(data_dir):
    at = open_app(data_dir, "sup1", "supervisor")
    assert {"entry", "my_submissions", "monitor", "review"} <= page_names(at)
    assert headers(at)[0] == "Fieldwork monitor"   # a supervisor still lands on the monitor
    for role in ROLES:   # one landing page per role at most, and one it may open
        homes = [page for page in registry.PAGES if role in page.home_of]
        assert len(homes) <= 1 and all(role in page.roles for page in homes), role
    at.switch_page("ui/pages/entry.py").run()
    assert not at.exception and not at.error
    assert at.selectbox(key="instrument").options

@pytest.mark.parametrize("page", PAGE_FILES)
def test_a_page_reached_without_its_role_says_no_access_and_nothing_else(data_dir, page):
    # Defence in depth: a page reached some other way than the navigation checks the role itself.
    outsider = next((r for r in ("supervisor", "enumerator") if r not in auth.ACCESS[page]), None)
    if outsider is None:
        pytest.skip(f"every role may open {page}")
    at = AppTest.from_file(str(ROOT / "ui" / "pages" / f"{page}.py"), default_timeout=60)
    at.session_state["_auth_user"], at.session_state["_auth_role"] = "mallory", outsider
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["No access: your role cannot open this page."]
    assert content(at) == dict.fromkeys(content(at), 0)
    assert not at.tabs and not at.button and not at.text_input and not at.selectbox


@pytest.mark.parametrize("page", PAGE_FILES)
def test_a_page_module_run_directly_with_no_login_shows_nothing(data_dir, page):
    make_user(data_dir, "admin", "admin")
    at = AppTest.from_file(str(ROOT / "ui" / "pages" / f"{page}.py"), default_timeout=60).run()
    assert not at.exception
    assert not at.main.children and not at.sidebar.children


def test_wrong_passwords_lock_the_account_for_15_minutes(data_dir, monkeypatch):
    now = [1_800_000_000.0]
    monkeypatch.setattr(auth, "clock", lambda: now[0])
    password = make_user(data_dir, "enum01", "enumerator")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.radio(key="lang").set_value("id").run()
    for attempt in range(4):
        login(at, "enum01", "wrong-password-x")
        assert [e.value for e in at.error] == ["Nama pengguna atau kata sandi salah."]
    login(at, "enum01", "wrong-password-x")
    assert "dikunci selama 15 menit" in at.error[0].value
    # During the lockout even the right password is refused, and the form stays.
    now[0] += 14 * 60
    login(at, "enum01", password)
    assert "dikunci selama 15 menit" in at.error[0].value
    assert at.text_input(key="login_user") is not None and headers(at) == ["Masuk"]
    now[0] += 2 * 60
    login(at, "enum01", password)
    assert not at.error and "entry" in page_names(at)
    actions = [e["action"] for e in AuditLog(data_dir).entries(newest_first=False)]
    assert actions.count("login_failed") == 5 and actions.count("lockout") == 1 and actions[-1] == "login"


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(data_dir):
    make_user(data_dir, "enum01", "enumerator")
    at = login(AppTest.from_file(APP, default_timeout=60).run(), "nobody", "whatever-password")
    assert [e.value for e in at.error] == ["Wrong user name or password."]


def test_an_unknown_user_is_locked_after_five_tries_as_a_known_one(data_dir):
    make_user(data_dir, "enum01", "enumerator")
    answers = {}
    for name in ("enum01", "nobody"):
        at = AppTest.from_file(APP, default_timeout=60).run()
        for _ in range(6):
            login(at, name, "wrong-password-x")
        answers[name] = [e.value.split("until")[0] for e in at.error]
    assert answers["nobody"] == answers["enum01"] and "locked for 15 minutes" in answers["nobody"][0]


DAMAGED = {
    "not JSON": '{"format": 1, "users": {"admin": {"role": "adm',
    "not an accounts file": '["admin"]',
    "emptied": '{"format": 1, "users": {}}',
    "no hash": '{"format": 1, "users": {"admin": {"role": "admin"}}}',
}


@pytest.mark.parametrize("damage", list(DAMAGED))
def test_a_damaged_or_emptied_accounts_file_stops_the_app_with_the_restore_command(data_dir, damage):
    make_user(data_dir, "admin", "admin")
    (data_dir / "accounts" / "users.json").write_text(DAMAGED[damage])
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    assert "accounts/users.json" in at.error[0].value and "damaged" in at.error[0].value
    assert at.code[0].value.startswith("python -m survey.backup restore ")
    assert not [w for w in at.text_input] and not headers(at)   # neither the set-up nor the login
    for url in ("setup", "login", *PAGE_FILES):
        force_url(at, url)
        assert not at.exception and not [w for w in at.text_input] and "accounts/users.json" in at.error[0].value
    at.radio(key="lang").set_value("id").run()
    assert "rusak atau kosong" in at.error[0].value and "accounts/users.json" in at.error[0].value


def test_an_accounts_file_damaged_during_a_session_stops_it(data_dir):
    at = open_app(data_dir, "admin1", "admin")
    assert "admin" in page_names(at)
    (data_dir / "accounts" / "users.json").write_text('{"format": 1, "users": {}}')
    at.run()
    assert not at.exception and "accounts/users.json" in at.error[0].value and not at.dataframe


def test_thirty_idle_minutes_end_the_session(data_dir, monkeypatch):
    now = [1_800_000_000.0]
    monkeypatch.setattr(auth, "clock", lambda: now[0])
    at = open_app(data_dir, "enum01")
    now[0] += 29 * 60
    at.run()  # an action: the session goes on, and its 30 minutes start again
    assert "entry" in page_names(at)
    now[0] += 29 * 60
    at.radio(key="lang").set_value("id").run()
    assert "entry" in page_names(at)
    now[0] += 31 * 60
    at.run()
    assert headers(at) == ["Masuk"] and page_names(at) == set()
    assert "30 menit tanpa aktivitas" in at.info[0].value
    assert at.radio(key="lang").value == "id"  # the language survives the logout
    assert AuditLog(data_dir).entries()[0]["action"] == "session_expired"


def test_logout_button_names_the_user_and_role_and_ends_the_session(data_dir):
    at = open_app(data_dir, "enum01")
    assert at.sidebar.caption[0].value == "Logged in as **enum01** (enumerator)"
    assert at.button(key="logout").label == "Log out enum01"
    at.button(key="logout").click().run()
    assert headers(at) == ["Log in"] and page_names(at) == set()
    assert "_auth_user" not in at.session_state
    assert AuditLog(data_dir).entries()[0]["action"] == "logout"


def test_a_disabled_account_is_logged_out_at_its_next_action(data_dir):
    at = open_app(data_dir, "enum01")
    cheap_accounts(data_dir).set_disabled("enum01", True, by="admin")
    at.run()
    assert headers(at) == ["Log in"]
    login(at, "enum01", PASSWORDS["enumerator"])
    assert [e.value for e in at.error] == ["This account is disabled. Ask the administrator."]


def test_no_plain_password_anywhere_in_the_data_folder(data_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="setup_user").input("admin")
    at.text_input(key="setup_password").input("Secret-Admin-Pass-9")
    at.text_input(key="setup_password2").input("Secret-Admin-Pass-9")
    at.button(key="setup").click().run()
    login(at, "admin", "Secret-Admin-Pass-9")
    login(AppTest.from_file(APP, default_timeout=60).run(), "admin", "Wrong-Guess-Pass-1")
    at.switch_page("ui/pages/admin.py").run()
    at.text_input(key="new_user").input("enum07")
    at.selectbox(key="new_role").set_value("enumerator")
    at.text_input(key="new_password").input("Field-Worker-Pass-7")
    at.text_input(key="new_password2").input("Field-Worker-Pass-7")
    at.button(key="create_user").click().run()
    secrets = [b"Secret-Admin-Pass-9", b"Wrong-Guess-Pass-1", b"Field-Worker-Pass-7"]
    files = [p for p in Path(data_dir).rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        assert not any(s in data for s in secrets), path


def test_a_reloaded_page_asks_for_the_login_and_then_opens(data_dir):
    password = make_user(data_dir, "enum01", "enumerator")
    at = force_url(AppTest.from_file(APP, default_timeout=60).run(), "my_submissions")
    assert headers(at) == ["Log in"] and not at.metric
    login(at, "enum01", password)
    assert headers(at) == ["My submissions"]


def test_the_language_rides_in_the_address_so_a_reload_keeps_it(data_dir):
    password = make_user(data_dir, "enum01", "enumerator")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "lang" not in at.query_params      # English, the default: a clean address
    at.radio(key="lang").set_value("id").run()
    assert at.query_params["lang"] == "id"
    reloaded = AppTest.from_file(APP, default_timeout=60)       # a new session at the same address
    reloaded.query_params["lang"] = "id"
    reloaded.run()
    assert headers(reloaded) == ["Masuk"] and reloaded.radio(key="lang").value == "id"
    login(reloaded, "enum01", password)
    assert reloaded.radio(key="lang").value == "id" and not reloaded.exception
    reloaded.radio(key="lang").set_value("en").run()
    assert "lang" not in reloaded.query_params
    forged = AppTest.from_file(APP, default_timeout=60)
    forged.query_params["lang"] = "<script>"
    forged.run()
    assert headers(forged) == ["Log in"] and "lang" not in forged.query_params


def test_login_works_on_a_full_disk_and_says_what_was_not_recorded(data_dir, monkeypatch):
    from tests.survey.test_full_disk import fill_the_disk

    password = make_user(data_dir, "admin", "admin")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    fill_the_disk(monkeypatch)
    at.text_input(key="login_user").input("admin")
    at.text_input(key="login_password").input("wrong-password-1")
    at.button(key="login").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    assert any("disk is full" in w.value for w in at.warning)
    login(at, "admin", password)
    assert not at.exception
    assert any("disk is full" in w.value and "audit log" in w.value for w in at.warning)
    assert "admin" in page_names(at)
