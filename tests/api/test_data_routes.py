"""The data API's routes in process (Starlette's test client) over real stores, and its token command."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pandas as pd
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient  # httpx, pinned in requirements.txt

import api.data
from api.data import ROUTES
from survey import ResponseStore
from survey.fieldwork.accounts import AccountError, main
from survey.fieldwork.api_tokens import ApiTokens, token_hash
from survey.fieldwork.audit_log import AuditLog
from tests.support.analysis_store import copy_to
from tests.support.api import PASSWORD, served
from tests.support.hashing import cheap_accounts as accounts_of

FEED = importlib.import_module("analysis.export.microdata.feed")  # (the package's `microdata` is a function)


@pytest.fixture
def data(analysis_store, tmp_path, monkeypatch):
    root = served(copy_to(analysis_store, tmp_path / "store"), tmp_path, monkeypatch)
    accounts = accounts_of(root)
    for name, role in (("boss", "admin"), ("enum01", "enumerator")):
        accounts.add(name, role, PASSWORD)
    return root


@pytest.fixture
def client(data):
    with TestClient(Starlette(routes=ROUTES)) as c:
        yield c


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def api_entries(root) -> list[dict]:
    return [e for e in AuditLog(root).entries(newest_first=False) if e["action"] == "api_request"]


# ---------------------------------------------------------------------- tokens and access

def test_the_token_command_prints_the_token_alone_and_stores_only_its_hash(data, capsys):
    assert main(["token", "sup01", "--name", "Power BI", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    token = out.strip()
    assert out == token + "\n" and len(token) > 40
    stored = (data / "accounts" / "api_tokens.json").read_text()
    assert token not in stored and token_hash(token) in stored
    assert (data / "accounts" / "api_tokens.json").stat().st_mode & 0o777 == 0o600
    [listed] = ApiTokens(data).list("sup01")
    assert listed.label == "Power BI" and ApiTokens(data).verify(token)[0].name == "sup01"


def test_enumerators_get_no_token(data, capsys, client):
    assert main(["token", "enum01", "--data", str(data)]) != 0
    captured = capsys.readouterr()
    assert captured.out == "" and "enumerator" in captured.err
    with pytest.raises(AccountError):
        ApiTokens(data).create("enum01")
    token = ApiTokens(data).create("sup01")  # an account that becomes an enumerator loses its tokens' use
    accounts_of(data).set_role("sup01", "enumerator")
    assert client.get("/api/v1/tables", headers=bearer(token)).status_code == 401


def test_bearer_and_basic_with_the_token_as_password(data, client):
    token = ApiTokens(data).create("sup01")
    assert client.get("/api/v1/tables", headers=bearer(token)).status_code == 200
    answer = client.get("/api/v1/tables", auth=("anyone", token))
    assert answer.status_code == 200
    assert {t["table"]: t["rows"] for t in answer.json()["tables"]}["household"] == len(
        ResponseStore(data, audit=False).read("household"))


def test_a_wrong_revoked_or_missing_token_is_401_json(data, client):
    token = ApiTokens(data).create("sup01")
    ApiTokens(data).revoke(ApiTokens(data).list("sup01")[0].id, by="boss")
    for headers in (bearer("svy_wrong"), bearer(token), {}, {"Authorization": "Basic !!!"}):
        answer = client.get("/api/v1/tables/household", headers=headers)
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthorized"
        assert "Bearer" in answer.headers["WWW-Authenticate"] and "Basic" in answer.headers["WWW-Authenticate"]


def test_past_the_rate_limit_429_with_retry_after(data, client, monkeypatch):
    monkeypatch.setattr(api.data, "RATE_BURST", 3)
    monkeypatch.setattr(api.data, "RATE_PER_SECOND", 0.01)
    token, other = ApiTokens(data).create("sup01"), ApiTokens(data).create("sup01")
    codes = [client.get("/api/v1/tables", headers=bearer(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    answer = client.get("/api/v1/tables", headers=bearer(token))
    assert answer.json()["error"]["code"] == "rate_limited" and int(answer.headers["Retry-After"]) >= 1
    assert client.get("/api/v1/tables", headers=bearer(other)).status_code == 200  # per token


def test_errors_are_json_with_status_codes(data, client):
    token = ApiTokens(data).create("sup01")
    for url, status in (("/api/v1/tables/no_such_table", 404), ("/api/v1/tables/household?format=xls", 400),
                        ("/api/v1/tables/household?since=yesterday", 400), ("/api/v1/tables/household?limit=0", 400),
                        ("/api/v1/tables/household?status=lost", 400), ("/api/v1/tables/household?cursor=abc", 400),
                        ("/api/v1/tables/household?identified=true", 403)):
        answer = client.get(url, headers=bearer(token))
        assert answer.status_code == status, url
        assert set(answer.json()["error"]) == {"code", "message"} and "Traceback" not in answer.text


def test_a_failure_inside_is_a_json_500_without_traceback(data, client, monkeypatch):
    token = ApiTokens(data).create("sup01")

    def broken(*args, **kwargs):
        raise RuntimeError("/secret/path exploded")

    monkeypatch.setattr(FEED, "feed_tables", broken)
    answer = client.get("/api/v1/tables", headers=bearer(token))
    assert answer.status_code == 500 and answer.json()["error"]["code"] == "server_error"
    assert "secret" not in answer.text


# ---------------------------------------------------------------------- rows

def test_rows_are_de_identified_unless_an_admin_asks(data, client):
    sup, boss = ApiTokens(data).create("sup01"), ApiTokens(data).create("boss")
    rows = client.get("/api/v1/tables/household?limit=5", headers=bearer(sup)).json()["rows"]
    assert "_response_id" in rows[0] and "address" not in rows[0] and "phone" not in rows[0]
    assert "address" not in client.get("/api/v1/tables/household?limit=5", headers=bearer(boss)).json()["rows"][0]
    identified = client.get("/api/v1/tables/household?limit=5&identified=true", headers=bearer(boss))
    assert "address" in identified.json()["rows"][0]
    members = client.get("/api/v1/tables/household_members?limit=5", headers=bearer(sup)).json()["rows"][0]
    assert "member_name" not in members and {"_response_id", "kecamatan", "psu"} <= set(members)  # key + design
    denied = [e for e in api_entries(data) if e["outcome"] == "denied"]
    assert not denied  # no refusal so far
    assert client.get("/api/v1/tables/household?identified=true", headers=bearer(sup)).status_code == 403
    assert api_entries(data)[-1]["outcome"] == "denied" and api_entries(data)[-1]["user"] == "sup01"


def test_labels_in_a_language(data, client):
    token = ApiTokens(data).create("sup01")
    plain = client.get("/api/v1/tables/household?limit=50", headers=bearer(token)).json()["rows"]
    english = client.get("/api/v1/tables/household?limit=50&labels=en", headers=bearer(token)).json()["rows"]
    assert {r["has_internet"] for r in plain} <= {"yes", "no", None}
    assert {r["has_internet"] for r in english} <= {"Yes", "No", None}



def test_a_cursor_pages_through_a_snapshot_of_more_than_1000_rows(big, monkeypatch):
    store = ResponseStore(big)
    expected = store.read("household_members")
    assert len(expected) > 1000
    token = ApiTokens(big).create("sup01")
    seen = []
    with TestClient(Starlette(routes=ROUTES)) as client:
        page = client.get("/api/v1/tables/household_members", headers=bearer(token)).json()
        assert len(page["rows"]) == 1000 and page["next_cursor"]
        seen += page["rows"]
        # a change after the first page does not reach the next pages, nor is the store read again
        rid = store.read("household")["_response_id"].iloc[0]
        store.set_status("household", rid, "approved", "sup01")
        monkeypatch.setattr(FEED, "write_feed", lambda *a, **k: 1 / 0)
        while page["next_cursor"]:
            page = client.get(f"/api/v1/tables/household_members?cursor={page['next_cursor']}",
                              headers=bearer(token)).json()
            seen += page["rows"]
    got = pd.DataFrame(seen)
    assert len(got) == len(expected)
    assert not got.duplicated(["_response_id", "_member_index"]).any()
    assert set(zip(got["_response_id"], got["_member_index"])) == set(
        zip(expected["_response_id"], expected["_member_index"].astype(int)))


def test_a_cursor_of_another_table_is_refused(data, client):
    token = ApiTokens(data).create("sup01")
    cursor = client.get("/api/v1/tables/household?limit=10", headers=bearer(token)).json()["next_cursor"]
    assert cursor
    assert client.get(f"/api/v1/tables/agency?cursor={cursor}", headers=bearer(token)).status_code == 400
    nxt = client.get(f"/api/v1/tables/household?limit=10&cursor={cursor}", headers=bearer(token)).json()
    assert len(nxt["rows"]) == 10


def test_since_returns_what_changed_after_a_time(data, client):
    token = ApiTokens(data).create("sup01")
    store = ResponseStore(data)
    before = store.read("household")
    last = before["_submitted_at"].max()
    rid = before["_response_id"].iloc[3]
    store.set_status("household", rid, "approved", "sup01", note="ok")
    reviewed = store.read("household").set_index("_response_id").loc[rid, "_submitted_at"]
    since = (last + pd.Timedelta(seconds=1)).tz_convert("Asia/Jakarta").isoformat()  # an offset of +07:00
    url = "/api/v1/tables/household?since=" + since.replace("+", "%2B")
    assert [r["_response_id"] for r in client.get(url, headers=bearer(token)).json()["rows"]] == [rid]
    roster = client.get("/api/v1/tables/household_members?since=" + last.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        headers=bearer(token)).json()["rows"]
    assert roster and {r["_response_id"] for r in roster} == {rid}
    strictly = reviewed.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # stored at that instant: not after it
    assert client.get(f"/api/v1/tables/household?since={strictly}", headers=bearer(token)).json()["rows"] == []
    approved = client.get("/api/v1/tables/household?status=approved", headers=bearer(token)).json()["rows"]
    assert rid in {r["_response_id"] for r in approved}
    assert all(r["_status"] == "approved" for r in approved)


def test_csv_and_parquet_read_by_pandas(data, client):
    token = ApiTokens(data).create("sup01")
    expected = ResponseStore(data, audit=False).read("household_members")
    csv = client.get("/api/v1/tables/household_members?format=csv", headers=bearer(token))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.BytesIO(csv.content))
    assert len(frame) == len(expected) and frame.columns[0] == "_response_id"
    parquet = client.get("/api/v1/tables/household_members?format=parquet", auth=("sup01", token))
    frame = pd.read_parquet(io.BytesIO(parquet.content))
    assert len(frame) == len(expected) and set(frame["_response_id"]) == set(expected["_response_id"])
    household = pd.read_parquet(io.BytesIO(client.get("/api/v1/tables/household?format=parquet",
                                                      headers=bearer(token)).content))
    assert str(household["_submitted_at"].dtype).startswith("datetime64") and "address" not in household


def test_every_request_is_in_the_audit_log(data, client):
    token = ApiTokens(data).create("sup01")
    client.get("/api/v1/tables/household?limit=7", headers=bearer(token))
    client.get("/api/v1/tables/household", headers=bearer("svy_wrong"))
    ok, denied = api_entries(data)[-2:]
    assert ok["user"] == "sup01" and ok["object"] == "api/v1/tables/household" and ok["outcome"] == "ok"
    assert ok["detail"]["rows"] == 7 and ok["detail"]["format"] == "json" and ok["detail"]["token"]
    assert denied["outcome"] == "denied" and denied["user"] is None


def test_the_openapi_description_names_the_routes(data, client):
    spec = client.get("/api/v1/openapi.json").json()
    assert api_entries(data)[-1]["object"] == "api/v1/openapi.json"
    assert {"/api/v1/tables", "/api/v1/tables/{table}"} <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/api/v1/tables/{table}"]["get"]["parameters"]}
    assert {"format", "since", "status", "limit", "cursor", "labels", "identified"} <= names


def test_a_naive_since_is_utc(data, client):
    token = ApiTokens(data).create("sup01")
    future = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert client.get(f"/api/v1/tables/household?since={future}", headers=bearer(token)).json()["rows"] == []


def test_parquet_and_csv_are_written_in_batches(data):
    from analysis.export.microdata.feed_files import csv_chunks, parquet_chunks

    rows = FEED.feed_table(ResponseStore(data, audit=False), "household_members")
    parts = [p for p in parquet_chunks(rows, batch=100) if p]
    assert len(parts) > rows.num_rows // 100  # handed on row group by row group, not built whole
    whole = pd.read_parquet(io.BytesIO(b"".join(parts)))
    assert len(whole) == rows.num_rows and list(whole.columns) == rows.schema.names
    csv = list(csv_chunks(rows, batch=100))
    assert len(csv) > rows.num_rows // 100 and len(pd.read_csv(io.BytesIO(b"".join(csv)))) == rows.num_rows


def test_a_damaged_token_file_lets_nobody_in_and_is_not_written_over(data, client):
    token = ApiTokens(data).create("sup01")
    path = data / "accounts" / "api_tokens.json"
    path.write_text("{not json")
    assert client.get("/api/v1/tables", headers=bearer(token)).status_code == 401
    with pytest.raises(AccountError):
        ApiTokens(data).create("sup01")
    assert path.read_text() == "{not json"
