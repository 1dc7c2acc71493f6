"""The OData v4 feed (api/odata.py) in process over real stores, the requests Power BI and Excel send,
and python-odata (a v4 client from PyPI) against a real server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

import api.data
import api.odata
from api.data import ROUTES as REST
from api.odata import ROUTES
from api.odata_filter import FilterError, parse_filter
from survey import ResponseStore
from survey.fieldwork.api_tokens import ApiTokens
from survey.fieldwork.audit_log import AuditLog
from tests.support.analysis_store import copy_to
from tests.support.api import PASSWORD, served
from tests.support.hashing import cheap_accounts as accounts_of

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
# What Power BI Desktop's OData.Feed sends (Microsoft's "OData feed" connector docs): minimal metadata
# JSON, OData 4.0 headers, Basic with the token as the password, the service then $metadata then sets.
POWER_BI = {"Accept": "application/json;odata.metadata=minimal", "OData-Version": "4.0",
            "OData-MaxVersion": "4.0", "User-Agent": "Microsoft.Data.Mashup (https://go.microsoft.com/fwlink/?LinkID=304225)"}


@pytest.fixture
def data(analysis_store, tmp_path, monkeypatch):
    return served(copy_to(analysis_store, tmp_path / "store"), tmp_path, monkeypatch)


@pytest.fixture
def client(data):
    with TestClient(Starlette(routes=ROUTES)) as c:
        yield c


@pytest.fixture
def token(data):
    return ApiTokens(data).create("sup01")


def get(client, url, token, **headers):
    return client.get(url, auth=("powerbi", token), headers={**POWER_BI, **headers})


def test_every_part_needs_a_token(data, client, token):
    for url in ("/odata/v4/", "/odata/v4/$metadata", "/odata/v4/household"):
        answer = client.get(url, headers=POWER_BI)
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthorized", url
        assert "Basic" in answer.headers["WWW-Authenticate"] and answer.headers["OData-Version"] == "4.0"
        assert get(client, url, "svy_wrong").status_code == 401
        assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert get(client, url, token).status_code == 200
    entries = [e for e in AuditLog(data).entries(newest_first=False) if e["action"] == "api_request"]
    assert {e["object"] for e in entries if e["outcome"] == "ok"} == {
        "odata/v4", "odata/v4/$metadata", "odata/v4/household"}


def test_the_service_document_lists_one_entity_set_per_table(client, token):
    answer = get(client, "/odata/v4/", token)
    assert answer.headers["OData-Version"] == "4.0" and answer.headers["content-type"].startswith("application/json")
    doc = answer.json()
    assert doc["@odata.context"] == "http://testserver/odata/v4/$metadata"
    names = [s["name"] for s in doc["value"]]
    assert {"household", "household_members"} <= set(names)
    assert all(s["kind"] == "EntitySet" and s["url"] == s["name"] for s in doc["value"])


def test_metadata_types_keys_and_labels(client, token):
    answer = get(client, "/odata/v4/$metadata", token, **{"Accept-Language": "en"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/xml")
    schema = ET.fromstring(answer.content).find(f".//{EDM}Schema")
    types = {t.get("Name"): t for t in schema.findall(f"{EDM}EntityType")}
    sets = {s.get("Name"): s.get("EntityType") for s in schema.find(f"{EDM}EntityContainer")}
    assert sets["household"] == "Survey.household" and set(sets) == set(types)

    def props(name):
        return {p.get("Name"): p for p in types[name].findall(f"{EDM}Property")}

    def keys(name):
        return [k.get("Name") for k in types[name].find(f"{EDM}Key")]

    household, members = props("household"), props("household_members")
    assert keys("household") == ["_response_id"] and keys("household_members") == ["_response_id", "_member_index"]
    assert household["_response_id"].get("Nullable") == "false"
    expected = {"_response_id": "Edm.String", "_submitted_at": "Edm.DateTimeOffset", "_status": "Edm.String",
                "_revision": "Edm.Int64", "interview_date": "Edm.Date", "kecamatan": "Edm.String",
                "weight": "Edm.Double"}
    assert {k: household[k].get("Type") for k in expected} == expected
    assert members["_member_index"].get("Type") == "Edm.Int64" and "kecamatan" in members
    assert "address" not in household  # de-identified, as the rows
    label = household["_submitted_at"].find(f"{EDM}Annotation")
    assert label.get("Term") == "Core.Description" and label.get("String") == "Submitted (UTC)"
    rows = get(client, "/odata/v4/household?$top=3", token).json()["value"]
    assert set(rows[0]) == set(household)  # property names are the column names


def test_top_skip_count_select(client, token, data):
    expected = ResponseStore(data, audit=False).read("household")
    whole = get(client, "/odata/v4/household?$count=true", token).json()
    assert whole["@odata.count"] == len(expected) == len(whole["value"]) and "@odata.nextLink" not in whole
    page = get(client, "/odata/v4/household?$top=5&$skip=3&$count=true&$select=_response_id,_status", token).json()
    assert page["@odata.count"] == len(expected)
    assert [r["_response_id"] for r in page["value"]] == [r["_response_id"] for r in whole["value"][3:8]]
    assert all(set(r) == {"_response_id", "_status"} for r in page["value"])
    assert page["@odata.context"].endswith("$metadata#household(_response_id,_status)")
    assert get(client, "/odata/v4/household?$top=0", token).json()["value"] == []


def test_filters_as_excel_and_power_bi_send_them(client, token, data):
    frame = ResponseStore(data, audit=False).read("household")
    store = ResponseStore(data)
    rid = frame["_response_id"].iloc[2]
    kecamatan = frame["kecamatan"].iloc[2]
    store.set_status("household", rid, "approved", "sup01")
    frame = store.read("household")
    middle = frame["_submitted_at"].sort_values().iloc[len(frame) // 2]
    after = (frame["_submitted_at"] > middle).sum()
    assert 0 < after < len(frame)
    stamp = middle.strftime("%Y-%m-%dT%H:%M:%S.%f")
    cases = {
        f"_submitted_at gt {stamp}Z": after,
        f"_submitted_at gt {stamp}+00:00": after,
        f"_submitted_at gt {(middle.tz_convert('Asia/Jakarta')).strftime('%Y-%m-%dT%H:%M:%S.%f')}+07:00": after,
        f"(kecamatan eq '{kecamatan}') and (_status eq 'approved')": 1,
        f"kecamatan eq '{kecamatan}' and _status ne 'approved'": (frame["kecamatan"] == kecamatan).sum() - 1,
        f"(_status eq 'approved' or _status eq 'rejected') and _submitted_at ge {stamp}Z": (
            (frame["_status"] == "approved") & (frame["_submitted_at"] >= middle)).sum(),
        "_status eq null": 0,
        "'approved' eq _status": 1,
    }
    for expression, count in cases.items():
        answer = client.get("/odata/v4/household", params={"$filter": expression, "$count": "true"},
                            auth=("x", token), headers=POWER_BI)
        assert answer.status_code == 200, (expression, answer.text)
        assert answer.json()["@odata.count"] == count == len(answer.json()["value"]), expression
    # a '+' left unescaped in the query string reads as a space: still the offset
    raw = client.get(f"/odata/v4/household?$count=true&$filter=_submitted_at gt {stamp}+00:00", auth=("x", token))
    assert raw.json()["@odata.count"] == after


def test_unsupported_queries_are_400_odata_errors(client, token):
    for query in ("$filter=startswith(kecamatan,'L')", "$filter=kecamatan eq 3", "$filter=no_such eq 'x'",
                  "$filter=not (_status eq 'approved')", "$filter=(_status eq 'approved'", "$expand=x",
                  "$select=nothing", "$top=-1", "$count=maybe", "$orderby=_status sideways", "$format=xml",
                  "$skiptoken=abc", "$filter=_submitted_at gt 2026-13-01T00:00:00Z"):
        answer = get(client, f"/odata/v4/household?{query}", token)
        assert answer.status_code == 400, query
        assert set(answer.json()["error"]) == {"code", "message"} and answer.headers["OData-Version"] == "4.0"
    assert get(client, "/odata/v4/no_such_table", token).status_code == 404


def test_the_filter_parser_alone():
    assert parse_filter("a eq 'it''s'")[2].value == "it's"
    assert parse_filter("(a eq 1) or b lt 2 and c gt 3")[0] == "or"  # and binds tighter
    assert parse_filter("a eq 2026-01-01T00:00:00+07:00")[2].value.utcoffset() == dt.timedelta(hours=7)
    # .NET (Power BI) writes seven digits of fractions
    assert parse_filter("a gt 2026-01-01T00:00:00.1234567Z")[2].value == dt.datetime(
        2026, 1, 1, 0, 0, 0, 123456, tzinfo=dt.timezone.utc)
    for bad in ("a add 1", "a eq", "eq 1", "a eq b", "1 eq 2", "substringof('x', a)", "a eq 'open"):
        with pytest.raises(FilterError):
            parse_filter(bad)


def test_count_segment_as_plain_text(client, token, data):
    frame = ResponseStore(data, audit=False).read("household")
    kecamatan = frame["kecamatan"].iloc[0]
    answer = get(client, "/odata/v4/household/$count", token)
    assert answer.status_code == 200 and answer.text == str(len(frame))
    assert answer.headers["content-type"].startswith("text/plain") and answer.headers["OData-Version"] == "4.0"
    filtered = get(client, f"/odata/v4/household/$count?$filter=kecamatan eq '{kecamatan}'", token)
    assert filtered.text == str((frame["kecamatan"] == kecamatan).sum())
    assert get(client, "/odata/v4/household/$count?$filter=contains(kecamatan,'a')", token).status_code == 400
    assert client.get("/odata/v4/household/$count").status_code == 401
    assert get(client, "/odata/v4/no_such/$count", token).status_code == 404


def test_orderby(client, token):
    rows = get(client, "/odata/v4/household?$orderby=_submitted_at desc&$top=20", token).json()["value"]
    stamps = [r["_submitted_at"] for r in rows]
    assert stamps == sorted(stamps, reverse=True)


# ---------------------------------------------------------------------- server-driven paging


def follow(client, url, token, **headers) -> tuple[list[dict], list[dict]]:
    pages, rows = [], []
    while url:
        answer = client.get(url, auth=("powerbi", token), headers={**POWER_BI, **headers})
        assert answer.status_code == 200, answer.text
        pages.append(answer)
        rows += answer.json()["value"]
        url = answer.json().get("@odata.nextLink")
    return pages, rows


def test_next_links_page_at_1000_to_the_end_without_duplicates(big):
    expected = ResponseStore(big, audit=False).read("household_members")
    assert len(expected) > 1000
    token = ApiTokens(big).create("sup01")
    with TestClient(Starlette(routes=ROUTES)) as client:
        pages, rows = follow(client, "/odata/v4/household_members?$count=true", token)
    assert [len(p.json()["value"]) for p in pages[:-1]] == [1000] * (len(pages) - 1)
    assert all(p.json()["@odata.count"] == len(expected) for p in pages)
    assert pages[0].json()["@odata.nextLink"].startswith("http://testserver/odata/v4/household_members?$skiptoken=")
    got = pd.DataFrame(rows)
    assert len(got) == len(expected) and not got.duplicated(["_response_id", "_member_index"]).any()
    assert set(zip(got["_response_id"], got["_member_index"])) == set(
        zip(expected["_response_id"], expected["_member_index"].astype(int)))


def test_maxpagesize_is_honoured_with_a_filter_kept_across_pages(big):
    frame = ResponseStore(big, audit=False).read("household")
    kecamatan = frame["kecamatan"].value_counts().index[0]
    wanted = set(frame.loc[frame["kecamatan"] == kecamatan, "_response_id"])
    token = ApiTokens(big).create("sup01")
    with TestClient(Starlette(routes=ROUTES)) as client:
        pages, rows = follow(client, f"/odata/v4/household?$filter=kecamatan eq '{kecamatan}'&$select=_response_id",
                             token, Prefer="odata.maxpagesize=7")
        assert all(p.headers["Preference-Applied"] == "odata.maxpagesize=7" for p in pages)
        assert [len(p.json()["value"]) for p in pages[:-1]] == [7] * (len(pages) - 1) and len(pages) > 2
        assert [r["_response_id"] for r in rows] and {r["_response_id"] for r in rows} == wanted
        assert len(rows) == len(wanted) and all(set(r) == {"_response_id"} for r in rows)
        # a skiptoken is good for its own entity set only
        link = pages[0].json()["@odata.nextLink"]
        other = ApiTokens(big).create("sup01")
        assert client.get(link.replace("/household?", "/household_members?"), auth=("x", other)).status_code == 400


# ---------------------------------------------------------------------- a client library

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_python_odata_reads_the_feed_from_a_real_server(data, token, monkeypatch):
    odata = pytest.importorskip("odata", reason="python-odata (requirements.txt) is not installed")
    import requests
    import uvicorn

    monkeypatch.setattr(api.odata, "DEFAULT_PAGE", 9)  # so the client follows nextLinks
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=ROUTES), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        session = requests.Session()
        session.auth = ("excel", token)
        service = odata.ODataService(f"http://127.0.0.1:{port}/odata/v4/", session=session, reflect_entities=True)
        Household = service.entities["household"]
        expected = ResponseStore(data, audit=False).read("household")
        everyone = service.query(Household).all()
        assert len(everyone) == len(expected)
        assert {h._response_id for h in everyone} == set(expected["_response_id"])
        kecamatan = expected["kecamatan"].iloc[0]
        q = service.query(Household).filter(Household.kecamatan == kecamatan).filter(Household._status == "submitted")
        found = q.all()
        assert {h._response_id for h in found} == set(expected.loc[
            (expected["kecamatan"] == kecamatan) & (expected["_status"] == "submitted"), "_response_id"])
        first = service.query(Household).order_by(Household._submitted_at.desc()).first()
        assert first._submitted_at == expected["_submitted_at"].max().to_pydatetime()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_a_skiptoken_is_neither_a_rest_cursor_nor_another_accounts(data, client, token):
    accounts_of(data).add("sup02", "supervisor", PASSWORD)
    other = ApiTokens(data).create("sup02")
    link = get(client, "/odata/v4/household", token, Prefer="odata.maxpagesize=5").json()["@odata.nextLink"]
    assert get(client, link, token).status_code == 200
    assert get(client, link, other).status_code == 400  # sup02 may not read sup01's snapshot
    with TestClient(Starlette(routes=[*REST, *ROUTES])) as both:
        rest = both.get("/api/v1/tables/household?limit=5", auth=("x", token)).json()["next_cursor"]
        assert rest and get(both, f"/odata/v4/household?$skiptoken={rest}", token).status_code == 400
        odata_token = link.split("$skiptoken=")[1]
        assert both.get(f"/api/v1/tables/household?cursor={odata_token.split('-')[0]}",
                        auth=("x", token)).status_code == 400


# ---------------------------------------------------------------------- the Indicators entity set

@pytest.fixture
def both(data):
    from analysis import results_cache
    from api.estimates import ROUTES as ESTIMATES

    results_cache.clear()
    with TestClient(Starlette(routes=[*ROUTES, *ESTIMATES])) as c:
        yield c


def test_indicators_equal_the_rest_json_of_the_same_set(both, token):
    rest = both.get("/api/v1/indicators?set=household&lang=en", auth=("x", token)).json()
    answer = get(both, "/odata/v4/Indicators?$filter=set eq 'household'&$count=true", token,
                 **{"Accept-Language": "en"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["@odata.context"] == "http://testserver/odata/v4/$metadata#Indicators"
    rows = body["value"]
    expected = [(t["name"], i, r) for t in rest["tables"] for i, r in enumerate(t["rows"])]
    assert body["@odata.count"] == len(rows) == len(expected) > 3 and {r["set"] for r in rows} == {"household"}
    for got, (name, index, want) in zip(rows, expected):
        assert got["id"] == f"household/{name}/{index}" and got["table"] == name
        for column in ("estimate", "se", "ci_low", "ci_high", "n", "deff", "rse", "reliability"):
            assert got[column] == (pytest.approx(want[column], rel=1e-12) if isinstance(want[column], float)
                                   else want[column]), column
        assert got["label"] == got["level"] == want["indicator_label"] and got["group"] == "Indicator"
    as_of = pd.Timestamp(rows[0]["data_as_of"])
    assert as_of == pd.Timestamp(rest["tables"][0]["data_as_of"]).tz_convert("UTC")
    indonesian = get(both, "/odata/v4/Indicators?$filter=set eq 'household'&$top=1", token).json()["value"][0]
    assert indonesian["estimate"] == rows[0]["estimate"] and indonesian["group"] == "Indikator"


def test_indicators_take_the_query_options_of_the_other_sets(client, token):
    whole = get(client, "/odata/v4/Indicators?$count=true", token).json()
    sets = {r["set"] for r in whole["value"]}
    assert {"household", "individual", "stages"} <= sets and whole["@odata.count"] == len(whole["value"])
    page = get(client, "/odata/v4/Indicators?$skip=2&$top=3&$select=id,estimate,ci_low,ci_high", token).json()
    assert [r["id"] for r in page["value"]] == [r["id"] for r in whole["value"][2:5]]
    assert all(set(r) == {"id", "estimate", "ci_low", "ci_high"} for r in page["value"])
    first = whole["value"][0]
    level = get(client, f"/odata/v4/Indicators?$filter=table eq '{first['table']}' and level eq '{first['level']}'",
                token).json()["value"]
    assert [r["id"] for r in level] == [first["id"]]
    counted = get(client, "/odata/v4/Indicators/$count?$filter=set eq 'stages'", token)
    assert int(counted.text) == sum(r["set"] == "stages" for r in whole["value"]) > 0
    assert get(client, "/odata/v4/Indicators?$filter=nope eq 1", token).status_code == 400
    assert client.get("/odata/v4/Indicators", headers=POWER_BI).status_code == 401
    assert client.get("/odata/v4/Indicators/$count", headers=POWER_BI).status_code == 401


def test_indicators_in_the_service_document_and_metadata(client, token):
    assert "Indicators" in [s["name"] for s in get(client, "/odata/v4/", token).json()["value"]]
    answer = get(client, "/odata/v4/$metadata", token, **{"Accept-Language": "en"})
    schema = ET.fromstring(answer.content).find(f".//{EDM}Schema")
    sets = {s.get("Name"): s.get("EntityType") for s in schema.find(f"{EDM}EntityContainer")}
    assert sets["Indicators"] == "Survey.Indicators"
    kind = next(t for t in schema.findall(f"{EDM}EntityType") if t.get("Name") == "Indicators")
    assert [k.get("Name") for k in kind.find(f"{EDM}Key")] == ["id"]
    props = {p.get("Name"): p for p in kind.findall(f"{EDM}Property")}
    types = {"id": "Edm.String", "set": "Edm.String", "level": "Edm.String", "estimate": "Edm.Double",
             "ci_low": "Edm.Double", "n": "Edm.Int64", "data_as_of": "Edm.DateTimeOffset"}
    assert {k: props[k].get("Type") for k in types} == types
    assert props["ci_high"].find(f"{EDM}Annotation").get("String") == "95% confidence interval, upper"
    rows = get(client, "/odata/v4/Indicators?$top=2", token).json()["value"]
    assert set(rows[0]) == set(props)
