"""The data API's estimates and indicators (issue 20, section 3) over a real store, in process."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import math

import numpy as np
import pandas as pd
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from analysis import results_cache
from analysis.dataset.dataset import load_dataset
from analysis.indicators.sections import section_of
from analysis.indicators.traffic import traffic_tables
from analysis.tables.question_tables import question_table
from api.data import ROUTES
from api.estimates import ROUTES as ESTIMATE_ROUTES
from survey import ResponseStore, traffic
from survey.fieldwork.api_tokens import ApiTokens
from survey.fieldwork.audit_log import AuditLog
from survey.questionnaire.schema import COUNTED_STATUSES
from survey.simulate.households import iter_household_answers
from survey.simulate.traffic_logs import traffic_lines
from tests.support.analysis_store import copy_to
from tests.support.api import served


@pytest.fixture
def data(analysis_store, tmp_path, monkeypatch):
    results_cache.clear()
    return served(copy_to(analysis_store, tmp_path / "store"), tmp_path, monkeypatch)


@pytest.fixture
def client(data):
    with TestClient(Starlette(routes=[*ROUTES, *ESTIMATE_ROUTES])) as c:
        yield c


@pytest.fixture
def auth(data):
    return {"Authorization": f"Bearer {ApiTokens(data).create('sup01')}"}


def _same(got, expected) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return got is None
    if isinstance(expected, (float, np.floating)):
        return got == pytest.approx(float(expected), rel=1e-12)
    return got == expected


def test_estimates_equal_the_pages_summary_table(data, client, auth):
    got = client.get("/api/v1/estimates?instrument=household&question=has_internet&by=kecamatan&lang=en",
                     headers=auth)
    assert got.status_code == 200, got.text
    body = got.json()
    dataset = load_dataset(ResponseStore(data), "household", lang="en", statuses=COUNTED_STATUSES)
    expected = question_table(dataset, question="has_internet", by="kecamatan")   # as Explore builds it
    [table] = body["tables"]
    assert len(table["rows"]) == len(expected) > 2
    for row, (_, want) in zip(table["rows"], expected.data.iterrows()):
        for column in ("by", "choice", "estimate", "se", "ci_low", "ci_high", "n", "deff", "rse", "reliability"):
            assert _same(row[column], want[column]), (column, row[column], want[column])
        assert row["reliability_label"] == expected.value_label("reliability", want["reliability"], "en")
        assert row["by_label"] == expected.value_label("by", want["by"], "en")
    assert table["notes"] == [n["en"] for n in expected.notes]
    provenance = table["provenance"]
    assert provenance["design"] == expected.provenance.design["en"] and provenance["responses"] > 0
    assert table["data_as_of"] == expected.provenance.last_submitted_at.isoformat()


def test_notes_and_labels_in_the_asked_language(data, client, auth):
    url = "/api/v1/estimates?instrument=household&question=has_internet&lang={}"
    ids, ens = (client.get(url.format(lang), headers=auth).json()["tables"][0] for lang in ("id", "en"))
    assert ids["notes"] != ens["notes"]
    assert "selang kepercayaan" in " ".join(ids["notes"]).lower()
    assert "confidence interval" in " ".join(ens["notes"]).lower()
    assert ids["provenance"]["design"].startswith(("Desain", "Sampel", "Rancangan")) or \
        ids["provenance"]["design"] != ens["provenance"]["design"]


def test_csv_parses_with_the_same_numbers(data, client, auth):
    got = client.get("/api/v1/estimates?instrument=household&question=has_internet&by=kecamatan&lang=en&format=csv",
                     headers=auth)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.BytesIO(got.content), encoding="utf-8-sig")
    json_rows = client.get("/api/v1/estimates?instrument=household&question=has_internet&by=kecamatan&lang=en",
                           headers=auth).json()["tables"][0]["rows"]
    assert len(frame) == len(json_rows)
    assert frame["Estimate"].tolist() == pytest.approx([r["estimate"] for r in json_rows], nan_ok=True)


def test_indicator_sets_as_the_page_builds_them(data, client, auth):
    got = client.get("/api/v1/indicators?set=household&by=kecamatan&lang=en", headers=auth)
    assert got.status_code == 200, got.text
    [table] = got.json()["tables"]
    dataset = load_dataset(ResponseStore(data), "household", lang="en", statuses=COUNTED_STATUSES)
    expected = section_of("household").tables[0].build(dataset, by="kecamatan")
    assert [r["estimate"] for r in table["rows"]] == pytest.approx(expected.data["estimate"].tolist(), nan_ok=True)
    assert table["rows"][0]["indicator_label"] == expected.value_label("indicator", expected.data["indicator"][0], "en")
    stages = client.get("/api/v1/indicators?set=stage&lang=id", headers=auth).json()
    assert [t["name"] for t in stages["tables"]] == ["stages", "city"]
    city = client.get("/api/v1/indicators?set=stages&table=city&format=csv", headers=auth)
    assert city.status_code == 200 and len(pd.read_csv(io.BytesIO(city.content), encoding="utf-8-sig")) > 0


def test_unknown_names_are_json_errors_naming_the_valid_values(data, client, auth):
    got = client.get("/api/v1/estimates?instrument=nope&question=x", headers=auth)
    assert got.status_code == 404 and "household" in got.json()["error"]["message"]
    got = client.get("/api/v1/estimates?instrument=household&question=nope", headers=auth)
    assert got.status_code == 404 and "has_internet" in got.json()["error"]["message"]
    got = client.get("/api/v1/estimates?instrument=household&question=has_internet&by=nope", headers=auth)
    assert got.status_code == 400 and "kecamatan" in got.json()["error"]["message"]
    got = client.get("/api/v1/indicators?set=nope", headers=auth)
    assert got.status_code == 404 and "individual" in got.json()["error"]["message"]
    assert client.get("/api/v1/indicators?set=household&format=xlsx", headers=auth).status_code == 400
    assert client.get("/api/v1/indicators?set=household").status_code == 401
    entries = [e for e in AuditLog(data).entries(newest_first=False) if e["action"] == "api_request"]
    assert [e["outcome"] for e in entries] == ["invalid"] * 5 + ["denied"]


def test_a_repeated_request_is_a_cache_read_until_a_new_submission(data, client, auth, monkeypatch):
    import analysis.tables.question_tables as tables

    calls = []

    def counted(*args, **kwargs):
        calls.append(kwargs)
        return question_table(*args, **kwargs)
    counted.__qualname__ = question_table.__qualname__
    monkeypatch.setattr(tables, "question_table", counted)
    url = "/api/v1/estimates?instrument=household&question=has_internet&lang=en"
    first = client.get(url, headers=auth).json()
    assert client.get(url, headers=auth).json() == first and len(calls) == 1
    answers = next(iter(iter_household_answers(1, 99)))
    ResponseStore(data).submit("household", answers, "enum01")
    after = client.get(url, headers=auth).json()
    assert len(calls) == 2
    assert after["tables"][0]["provenance"]["responses"] == first["tables"][0]["provenance"]["responses"] + 1
    entries = [e for e in AuditLog(data).entries(newest_first=False) if e["action"] == "api_request"]
    assert [e["object"] for e in entries] == ["api/v1/estimates"] * 3 and all(e["outcome"] == "ok" for e in entries)


def test_the_openapi_description_names_the_estimates(data, client):
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/estimates", "/api/v1/indicators"} <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/api/v1/estimates"]["get"]["parameters"]}
    assert {"instrument", "question", "by", "lang", "format"} <= names
    sets = next(p for p in spec["paths"]["/api/v1/indicators"]["get"]["parameters"] if p["name"] == "set")
    assert {"household", "individual", "egov", "stages", "traffic"} <= set(sets["schema"]["enum"])


def _import_log(root, days: int, seed: int, start: dt.date) -> None:
    lines = traffic_lines(days, seed, start, visits_per_day=5)
    log = root.parent / f"access-{seed}.log.gz"
    log.write_bytes(gzip.compress("".join(f"{host}:443 {line}\n" for host, line in lines).encode()))
    assert traffic.import_files(root, [log], user="importer").added


def test_the_traffic_set_is_the_traffic_pages_tables_and_follows_an_import(data, client, auth):
    _import_log(data, 3, 4, dt.date(2026, 9, 20))
    body = client.get("/api/v1/indicators?set=traffic&lang=en", headers=auth).json()
    expected = traffic_tables(data)
    assert [t["name"] for t in body["tables"]] == list(expected)
    summary = body["tables"][0]
    assert len(summary["rows"]) == len(expected["summary"])
    assert client.get("/api/v1/indicators?set=traffic&lang=en", headers=auth).json() == body
    _import_log(data, 2, 5, dt.date(2026, 10, 5))   # new requests stored: the cache no longer answers
    after = client.get("/api/v1/indicators?set=traffic&table=by_month&lang=en", headers=auth).json()
    months = traffic_tables(data)["by_month"]
    assert len(after["tables"][0]["rows"]) == len(months) > len(expected["by_month"])


def test_a_table_a_page_has_shown_is_served_without_loading_data(data, client, auth):
    from ui.results import data_cache

    shown = data_cache.table(question_table, data_cache.View("household", "en"), store=ResponseStore(data),
                             question="has_internet", by="kecamatan")
    loaded = results_cache.DATASETS.misses
    got = client.get("/api/v1/estimates?instrument=household&question=has_internet&by=kecamatan&lang=en",
                     headers=auth).json()
    assert results_cache.DATASETS.misses == loaded   # no Dataset of the API's own: a cache read
    assert [r["estimate"] for r in got["tables"][0]["rows"]] == pytest.approx(shown.data["estimate"].tolist(),
                                                                           nan_ok=True)
    assert client.get("/api/v1/estimates?instrument=household&question=has_internet&by=has_internet",
                      headers=auth).status_code == 400
