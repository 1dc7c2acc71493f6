"""API tokens on the pages: an account's own on the Export page (shown once), everyone's on Administration."""

from __future__ import annotations

from survey.fieldwork.api_tokens import ApiTokens
from survey.fieldwork.audit_log import AuditLog
from tests.support.app import open_app


def page(data_dir, name: str, role: str, path: str):
    at = open_app(data_dir, name, role)
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def test_a_supervisor_creates_sees_once_and_revokes_a_token(data_dir):
    at = page(data_dir, "sup1", "supervisor", "ui/pages/export.py")
    assert "API tokens" in [s.value for s in at.subheader]
    at.text_input(key="api_token_label").input("Power BI")
    at.button(key="api_token_create").click().run()
    assert not at.exception, at.exception
    [shown] = [c.value for c in at.code]
    account, _ = ApiTokens(data_dir).verify(shown)
    assert account.name == "sup1" and [x.label for x in ApiTokens(data_dir).list("sup1")] == ["Power BI"]
    at.run()  # the next run no longer shows it
    assert not [c for c in at.code if c.value == shown]
    at.button(key="api_token_revoke").click().run()
    assert ApiTokens(data_dir).verify(shown) is None and ApiTokens(data_dir).list() == []
    actions = [e["action"] for e in AuditLog(data_dir).entries(newest_first=False)]
    assert "api_token_create" in actions and "api_token_revoke" in actions


def test_an_admin_revokes_anyones_token(data_dir):
    at = page(data_dir, "boss", "admin", "ui/pages/admin.py")
    open_app(data_dir, "sup2", "supervisor")
    token = ApiTokens(data_dir).create("sup2", "R script")
    at.run()
    assert "API tokens of every account" in [s.value for s in at.subheader]
    at.selectbox(key="api_token_admin_pick").set_value(ApiTokens(data_dir).list()[0].id)
    at.button(key="api_token_admin_revoke").click().run()
    assert not at.exception, at.exception
    assert ApiTokens(data_dir).verify(token) is None
    [entry] = [e for e in AuditLog(data_dir).entries() if e["action"] == "api_token_revoke"]
    assert entry["user"] == "boss" and entry["object"] == "sup2"
