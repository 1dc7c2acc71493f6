"""The OpenRosa routes in process (Starlette's test client): what a real server run cannot show cheaply."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient  # httpx, pinned in requirements.txt

from api.odk import MAX_BODY, ROUTES
from survey.fieldwork.accounts import Accounts
from survey.fieldwork.audit_log import AuditLog
from survey.odk.inbox import Inbox
from survey.odk.settings import anonymous_forms, set_anonymous
from survey.store.response_store import ResponseStore

PASSWORD = "Kampung-offline-2026"


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_DATA_DIR", str(tmp_path))
    Accounts(tmp_path).add("enum01", "enumerator", PASSWORD)
    with TestClient(Starlette(routes=ROUTES)) as c:
        yield c


def test_a_body_without_content_length_is_cut_off_at_the_limit(client, tmp_path):
    def chunks():
        for _ in range(MAX_BODY // (1 << 20) + 2):
            yield b"x" * (1 << 20)

    answer = client.post("/odk/submission", auth=("enum01", PASSWORD), content=chunks(),
                         headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert answer.status_code == 413
    assert Inbox(tmp_path).list() == []  # nothing of it was kept: it was never read whole


def test_a_malformed_authorization_header_is_challenged(client):
    for header in ["Basic !!!", "Basic " + "bm9jb2xvbg==", "Bearer abc"]:  # not base64, no colon, other scheme
        answer = client.get("/odk/formList", headers={"Authorization": header})
        assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Basic")


def test_the_download_url_follows_the_reverse_proxy(client):
    answer = client.get("/odk/formList", auth=("enum01", PASSWORD),
                        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "survei.example.id"})
    assert "<downloadUrl>https://survei.example.id/odk/forms/household.xml</downloadUrl>" in answer.text


def _agency_and_household():
    from analysis.export.xlsform.xform import xform
    from survey import load_instrument
    from survey.simulate import generate
    from tests.support.odk import instance, multipart

    def body(form, seed, instance_id):
        return multipart(instance(xform(load_instrument(form)).xml, generate(form, n=1, seed=seed)[0], instance_id))

    return body("agency", 1, "uuid:aaaa-0001"), body("household", 2, "uuid:bbbb-0002")


def test_without_credentials_everything_is_refused_while_anonymous_submission_is_off(client, tmp_path):
    agency, _ = _agency_and_household()
    assert client.head("/odk/submission").status_code == 401
    answer = client.post("/odk/submission", **agency)
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Basic")
    assert client.get("/odk/forms/agency.xml").status_code == 401
    assert client.get("/odk/public/formList").text.count("<xform>") == 0
    assert client.post("/odk/public/submission", **agency).status_code == 403
    assert ResponseStore(tmp_path).read("agency").empty and Inbox(tmp_path).list() == []


def test_an_anonymous_questionnaire_takes_submissions_without_an_account(client, tmp_path):
    set_anonymous(tmp_path, "agency", True, by="admin")
    agency, household = _agency_and_household()
    assert client.head("/odk/submission").status_code == 204
    answer = client.post("/odk/submission", **agency)
    assert answer.status_code == 201, answer.text
    stored = ResponseStore(tmp_path).read("agency")
    assert stored["_enumerator"].tolist() == ["anonymous"] and stored["_response_id"].tolist() == ["aaaa-0001"]
    entry = next(e for e in AuditLog(tmp_path).entries() if e["action"] == "odk_submission")
    assert entry["user"] == "anonymous" and entry["outcome"] == "ok" and entry["detail"]["anonymous"] is True
    # any other questionnaire still asks for the account, and keeps nothing sent without one
    answer = client.post("/odk/submission", **household)
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Basic")
    assert ResponseStore(tmp_path).read("household").empty and Inbox(tmp_path).list() == []
    assert client.post("/odk/submission", auth=("enum01", PASSWORD), **household).status_code == 201
    # the form list stays behind the login; the public server URL lists the anonymous forms only
    assert client.get("/odk/formList").status_code == 401
    public = client.get("/odk/public/formList")
    assert public.status_code == 200 and public.text.count("<xform>") == 1
    assert "<downloadUrl>http://testserver/odk/public/forms/agency.xml</downloadUrl>" in public.text
    assert client.get("/odk/public/forms/agency.xml").status_code == 200
    assert client.get("/odk/forms/agency.xml").status_code == 200
    assert client.get("/odk/public/forms/household.xml").status_code == 404
    assert client.get("/odk/forms/household.xml").status_code == 401
    assert client.post("/odk/public/submission", **household).status_code == 403
    set_anonymous(tmp_path, "agency", False, by="admin")
    assert client.post("/odk/public/submission", **agency).status_code == 403
    assert client.head("/odk/submission").status_code == 401


def test_wrong_credentials_still_lock_the_name_with_anonymous_submission_on(client, tmp_path):
    set_anonymous(tmp_path, "agency", True, by="admin")
    agency, _ = _agency_and_household()
    refused = [client.post("/odk/submission", auth=("enum01", "wrong-password-1"), **agency).status_code
               for _ in range(5)]
    assert refused[:4] == [401] * 4 and refused[4] in (401, 423)  # the fifth locks the name
    assert client.post("/odk/submission", auth=("enum01", PASSWORD), **agency).status_code == 423
    assert ResponseStore(tmp_path).read("agency").empty


def test_the_setting_is_the_owners_only_and_audited(tmp_path):
    set_anonymous(tmp_path, "agency", True, by="admin")
    set_anonymous(tmp_path, "agency", True, by="admin")  # no change: no second entry
    assert anonymous_forms(tmp_path) == {"agency"}
    assert (tmp_path / "odk" / "settings.json").stat().st_mode & 0o777 == 0o600
    (tmp_path / "odk" / "settings.json").write_text("{not json")
    assert anonymous_forms(tmp_path) == frozenset()  # a damaged file opens nothing
    entries = [(e["action"], e["object"], e["outcome"]) for e in AuditLog(tmp_path).entries()]
    assert entries.count(("odk_anonymous", "agency", "on")) == 1


def test_an_edit_sent_without_an_account_is_kept_for_review_not_applied(client, tmp_path):
    from analysis.export.xlsform.xform import xform
    from survey import load_instrument
    from survey.simulate import generate
    from tests.support.odk import instance, multipart

    set_anonymous(tmp_path, "agency", True, by="admin")
    form, answers = xform(load_instrument("agency")).xml, generate("agency", n=2, seed=9)
    first = multipart(instance(form, answers[0], "uuid:cccc-0001"))
    assert client.post("/odk/submission", auth=("enum01", PASSWORD), **first).status_code == 201
    edit = multipart(instance(form, answers[1], "uuid:dddd-0002", deprecated_id="uuid:cccc-0001"))
    answer = client.post("/odk/public/submission", **edit)
    assert answer.status_code == 202 and "without an account" in answer.text
    history = ResponseStore(tmp_path).history("agency", "cccc-0001")
    assert history["_revision"].tolist() == [1] and history["_enumerator"].tolist() == ["enum01"]
    waiting = Inbox(tmp_path).list()
    assert len(waiting) == 1 and Inbox(tmp_path).get(waiting[0]["id"])["revises"] == "cccc-0001"
