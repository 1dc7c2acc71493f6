"""The OpenRosa routes in process (Starlette's test client): what a real server run cannot show cheaply."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient  # httpx, pinned in requirements.txt

from api.odk import MAX_BODY, ROUTES
from survey.fieldwork.accounts import Accounts
from survey.odk.inbox import Inbox

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
