"""The data API never holds a whole table: the store is read in batches into a snapshot file and
every answer is served from that file a row group at a time."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

import api.snapshots
from api.data import ROUTES
from survey import ResponseStore
from survey.fieldwork.api_tokens import ApiTokens
from tests.api.test_data_routes import FEED, bearer


@pytest.fixture
def unweighted(big):
    """The big store without its design files: rows are served without weights (and no dataset)."""
    for name in ("frame.csv", "population.csv"):
        (big / name).unlink(missing_ok=True)
    return big


def _never_whole(monkeypatch, tables):
    """Make ResponseStore.read refuse the tables that must only be read in batches."""
    plain = ResponseStore.read

    def read(self, table, history=False):
        assert table not in tables, f"{table} read whole"
        return plain(self, table, history)
    monkeypatch.setattr(ResponseStore, "read", read)


def test_rows_in_small_batches_equal_the_whole_table(big):
    store = ResponseStore(big, audit=False)
    whole = FEED.feed_table(store, "household_members")
    schema, batches = FEED.feed_batches(store, "household_members", batch_rows=97)
    parts = list(batches)
    assert len(parts) > whole.num_rows // 97 and max(b.num_rows for b in parts) <= 97
    assert schema == whole.schema
    assert pa.Table.from_batches(parts, schema=schema).equals(whole)


def test_every_format_is_served_without_reading_the_table_whole(unweighted, monkeypatch):
    expected = ResponseStore(unweighted, audit=False).read("household_members")
    _never_whole(monkeypatch, {"household", "household_members"})
    monkeypatch.setattr(FEED, "BATCH_ROWS", 150)  # many batches from the store
    token = ApiTokens(unweighted).create("sup01")
    with TestClient(Starlette(routes=ROUTES)) as client:
        csv = client.get("/api/v1/tables/household_members?format=csv", headers=bearer(token))
        parquet = client.get("/api/v1/tables/household_members?format=parquet", headers=bearer(token))
        seen, page = [], client.get("/api/v1/tables/household_members?limit=400", headers=bearer(token)).json()
        seen += page["rows"]
        while page["next_cursor"]:
            page = client.get(f"/api/v1/tables/household_members?limit=400&cursor={page['next_cursor']}",
                              headers=bearer(token)).json()
            seen += page["rows"]
    for frame in (pd.read_csv(io.BytesIO(csv.content)), pd.read_parquet(io.BytesIO(parquet.content)),
                  pd.DataFrame(seen)):
        assert len(frame) == len(expected)
        assert list(frame["_response_id"]) == list(expected["_response_id"])  # the store's order, kept
        assert list(frame["_member_index"]) == list(expected["_member_index"].astype(int))


def test_a_snapshot_cursor_pages_read_only_their_row_groups(big):
    token = ApiTokens(big).create("sup01")
    with TestClient(Starlette(routes=ROUTES)) as client:
        page = client.get("/api/v1/tables/household_members?limit=250", headers=bearer(token)).json()
    snap = page["next_cursor"].split(".")[0]
    file = pq.ParquetFile(api.snapshots.folder() / f"{snap}.parquet")
    assert file.num_row_groups > 1 and file.metadata.row_group(0).num_rows == 250
    batches = list(api.snapshots.batches(snap, 600, 300))  # rows 600..899 across two row groups
    assert sum(b.num_rows for b in batches) == 300
    whole = file.read()
    assert pa.Table.from_batches(batches, schema=whole.schema).equals(whole.slice(600, 300))


def test_an_answer_sent_whole_leaves_no_snapshot_behind(big):
    token = ApiTokens(big).create("sup01")
    with TestClient(Starlette(routes=ROUTES)) as client:
        assert client.get("/api/v1/tables/household?format=csv", headers=bearer(token)).status_code == 200
        assert client.get("/api/v1/tables/household?limit=5000", headers=bearer(token)).json()["next_cursor"] is None
    assert list(api.snapshots.folder().glob("*.parquet")) == []
