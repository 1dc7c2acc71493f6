"""The data API on `streamlit run app.py` (mounted beside the pages in app.py), used as the README's
recipes use it: a token from the command line, pandas reading the CSV and Parquet addresses."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pandas as pd
import pytest

from survey import ResponseStore
from survey.fieldwork.accounts import Accounts
from survey.fieldwork.audit_log import AuditLog
from survey.simulate import main as simulate
from tests.support.browser import ROOT, Server

# no Chromium, but a real `streamlit run` server: left out of the quick run (-m "not browser") like the others
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = tmp_path_factory.mktemp("api-data")
    simulate(["--households", "60", "--civil-servants", "4", "--agencies", "2", "--seed", "4", "--bulk",
              "--out", str(data)])
    Accounts(data).add("sup01", "supervisor", "Kampung-offline-2026")
    token = subprocess.run([sys.executable, "-m", "survey.users", "token", "sup01", "--name", "recipes",
                            "--data", str(data)], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    srv = Server(data, tmp_path_factory.mktemp("api-log") / "server.log",
                 env={"SURVEY_API_SNAPSHOTS": str(tmp_path_factory.mktemp("api-snapshots"))})
    srv.start()
    yield srv, data, token
    srv.stop()


def test_the_readme_recipes_read_every_row(served):
    srv, data, token = served
    headers = {"Authorization": f"Bearer {token}"}
    expected = ResponseStore(data, audit=False).read("household_members")
    members = pd.read_parquet(f"{srv.url}/api/v1/tables/household_members?format=parquet", storage_options=headers)
    assert len(members) == len(expected) and set(members["_response_id"]) == set(expected["_response_id"])
    households = pd.read_csv(f"{srv.url}/api/v1/tables/household?format=csv", storage_options=headers)
    assert len(households) == 60 and "address" not in households
    assert httpx.get(f"{srv.url}/api/v1/tables", auth=("excel", token)).status_code == 200
    refused = httpx.get(f"{srv.url}/api/v1/tables/household", headers={"Authorization": "Bearer svy_nope"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    assert httpx.get(f"{srv.url}/api/v1/openapi.json").json()["openapi"].startswith("3.")
    done = [e for e in AuditLog(data).entries() if e["action"] == "api_request" and e["outcome"] == "ok"]
    assert {e["object"] for e in done} >= {"api/v1/tables/household_members", "api/v1/tables/household"}
