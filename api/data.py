"""The data API under /api/v1/: the store's tables as JSON, CSV and Parquet for Excel, R and scripts.

    GET /api/v1/tables                 every table: its instrument, rows and (de-identified) columns
    GET /api/v1/tables/<table>         rows: ?format=json|csv|parquet &since= &status= &limit= &cursor=
                                       &labels=id|en &identified=true
    GET /api/v1/openapi.json           the description of these routes (no token needed)

A request carries a personal API token (survey.fieldwork.api_tokens) as ``Authorization: Bearer
TOKEN`` or as the password of HTTP Basic (any user name: Excel and Power BI ask for one). The token
acts with its account's role: supervisors and admins; an identified table (pii variables) only for
an admin who asks for it, as on the export page. Each token has a bucket of requests (RATE_BURST,
refilled at RATE_PER_SECOND): past it, 429 with Retry-After. Every answer that is not a table is
``{"error": {"code", "message"}}`` with its HTTP status, never a traceback, and every request is
in the audit log (who, what, how many rows).

Rows are the microdata export's (analysis.export.microdata.feed). Every answer streams the table
from the store into a snapshot file (api/snapshots.py) a batch at a time, and serves its rows from
there a row group at a time, so a table of a million rows is never whole in memory. JSON pages hold
DEFAULT_PAGE rows and a ``next_cursor``; a cursor pages through the snapshot the first page made.
CSV and Parquet are streamed in batches; without ``limit`` they hold every row.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import math
import threading
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from api import snapshots
from api.odk import _lang, _store
from api.openapi import OPENAPI
from survey.fieldwork.api_tokens import ApiTokens
from survey.fieldwork.audit_log import AuditLog
from survey.locale import LANGUAGES, text
from survey.questionnaire.schema import STATUSES

DEFAULT_PAGE = 1000
MAX_PAGE = 50_000
BATCH = 5000  # rows per streamed CSV chunk and Parquet row group
RATE_BURST = 120  # requests a token may make at once
RATE_PER_SECOND = 2.0  # and then, on average
FORMATS = {"json": "application/json", "csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}
log = logging.getLogger(__name__)

MESSAGES = {
    "unauthorized": {"id": "Token API tidak ada atau tidak berlaku. Kirim 'Authorization: Bearer TOKEN'.",
                     "en": "No valid API token. Send 'Authorization: Bearer TOKEN'."},
    "forbidden_identified": {"id": "Hanya administrator yang boleh mengambil data beridentitas.",
                             "en": "Only administrators may fetch identified data (with personal data)."},
    "rate_limited": {"id": "Terlalu banyak permintaan; coba lagi dalam {seconds} detik.",
                     "en": "Too many requests; try again in {seconds} s."},
    "not_found": {"id": "Tabel {table!r} tidak ada. Lihat /api/v1/tables.",
                  "en": "There is no table {table!r}. See /api/v1/tables."},
    "bad_parameter": {"id": "Parameter {name} tidak sah: {detail}", "en": "Invalid parameter {name}: {detail}"},
    # the estimates (api/estimates.py)
    "unknown": {"id": "{name} {value!r} tidak ada; pilihan yang sah: {valid}",
                "en": "There is no {name} {value!r}; valid values: {valid}"},
    "unusable": {"id": "Kuesioner {name} belum dapat dipakai: {detail}",
                 "en": "The questionnaire {name} cannot be used yet: {detail}"},
    "no_data_yet": {"id": "Belum ada data yang dapat dipakai untuk indikator {name}.",
                    "en": "There are no usable data for the indicators {name} yet."},
    "bad_cursor": {"id": "Cursor tidak sah atau kedaluwarsa; mulai lagi tanpa cursor.",
                   "en": "The cursor is invalid or expired; start again without a cursor."},
    "server_error": {"id": "Kesalahan server; sudah dicatat.", "en": "Server error; it has been logged."},
}
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="survey", Basic realm="survey", charset="UTF-8"'}


class Refused(Exception):
    """An answer other than the rows: status, code, message values and headers."""

    def __init__(self, status: int, code: str, headers: dict | None = None, **values):
        super().__init__(code)
        self.status, self.code, self.headers, self.values = status, code, headers or {}, values


def _error(request: Request, exc: Refused) -> JSONResponse:
    message = text(MESSAGES, exc.code, _lang(request), **exc.values)
    return JSONResponse({"error": {"code": exc.code, "message": message}}, exc.status, headers=exc.headers)


def _audit(user: str | None, what: str, outcome: str, **detail) -> None:
    try:
        AuditLog(_store().root).record("api_request", user=user, object=what, outcome=outcome, **detail)
    except OSError:
        log.error("audit entry api_request %s %s not written", user, what)


# ---------------------------------------------------------------------- access

def _token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            _, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return password if sep else None
    return None


class _Buckets:
    """A token bucket per API token, in memory (a restart refills them: no harm)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            level, at = self._state.get(key, (float(RATE_BURST), now))
            level = min(float(RATE_BURST), level + (now - at) * RATE_PER_SECOND)
            if level >= 1:
                self._state[key] = (level - 1, now)
                return 0.0
            self._state[key] = (level, now)
            return (1 - level) / RATE_PER_SECOND


BUCKETS = _Buckets()


async def _account(request: Request, what: str):
    token = _token(request)
    found = await run_in_threadpool(ApiTokens(_store().root).verify, token) if token else None
    if found is None:
        _audit(None, what, "denied", status=401, reason="no token" if not token else "unknown token")
        raise Refused(401, "unauthorized", _CHALLENGE)
    account, token_id = found
    wait = BUCKETS.take(token_id)
    if wait:
        seconds = max(1, math.ceil(wait))
        _audit(account.name, what, "denied", status=429, token=token_id)
        raise Refused(429, "rate_limited", {"Retry-After": str(seconds)}, seconds=seconds)
    return account, token_id


def _guarded(handler):
    """The handler's answer; a Refused as its JSON error; anything else a logged 500, never a traceback."""
    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except Refused as exc:
            return _error(request, exc)
        except Exception:
            log.exception("data API %s failed", request.url.path)
            _audit(None, request.url.path.lstrip("/"), "failed", status=500)
            return _error(request, Refused(500, "server_error"))
    return run


# ---------------------------------------------------------------------- parameters

def _since(value: str | None) -> dt.datetime | None:
    if value is None or value == "":
        return None
    try:
        at = dt.datetime.fromisoformat(value.strip().replace(" ", "+"))  # a '+' unescaped in a URL reads as ' '
    except ValueError:
        raise Refused(400, "bad_parameter", name="since", detail="ISO 8601, e.g. 2026-05-01T08:00:00Z") from None
    return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)  # a time without an offset is UTC


def _limit(value: str | None, default: int | None) -> int | None:
    if value is None or value == "":
        return default
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise Refused(400, "bad_parameter", name="limit", detail=f"1 .. {MAX_PAGE}")
    return int(value)


def _options(request: Request, role: str) -> dict:
    q = request.query_params
    fmt = q.get("format", "json")
    if fmt not in FORMATS:
        raise Refused(400, "bad_parameter", name="format", detail=", ".join(FORMATS))
    labels = q.get("labels") or None
    if labels is not None and labels not in LANGUAGES:
        raise Refused(400, "bad_parameter", name="labels", detail=", ".join(LANGUAGES))
    statuses = tuple(s for s in (q.get("status") or "").split(",") if s)
    if any(s not in STATUSES for s in statuses):
        raise Refused(400, "bad_parameter", name="status", detail=", ".join(STATUSES))
    identified = (q.get("identified") or "").lower() in ("true", "1", "yes")
    if identified and role != "admin":
        raise Refused(403, "forbidden_identified")
    return {"format": fmt, "labels": labels, "statuses": statuses, "identified": identified,
            "since": _since(q.get("since")), "limit": _limit(q.get("limit"), DEFAULT_PAGE if fmt == "json" else None),
            "cursor": q.get("cursor") or None}


# ---------------------------------------------------------------------- rows

def _page(owner: str, table: str, opts: dict) -> tuple[str, int, int, str | None]:
    """(snapshot, first row, rows to serve, the next page's cursor or None).

    The first request of an answer streams the table from the store into a snapshot file
    (api/snapshots.py), a batch at a time; its pages, and the next pages a cursor asks for,
    are read from that file a row group at a time. So no answer holds the whole table in memory.
    """
    limit = opts["limit"]
    if opts["cursor"]:
        try:
            snap, offset, total = snapshots.open_cursor(opts["cursor"], owner=owner, name=table)
        except snapshots.CursorInvalid:
            raise Refused(400, "bad_cursor") from None
    else:
        from analysis.export import ExportError
        from analysis.export.microdata.feed import write_feed

        def write(path) -> int:
            return write_feed(_store(), table, path, row_group_rows=limit or BATCH, identified=opts["identified"],
                              labels=opts["labels"], since=opts["since"], statuses=opts["statuses"])
        try:
            snap, total = snapshots.make_with(write, owner=owner, name=table)
        except ExportError:
            raise Refused(404, "not_found", table=table[:80]) from None
        offset = 0
    count = total - offset if limit is None else max(0, min(limit, total - offset))
    end = offset + count
    return snap, offset, count, snapshots.cursor(snap, end) if end < total else None


def _served(snap: str, fresh: bool, next_cursor: str | None):
    """Remove a snapshot made for one answer that no cursor will read, once it has gone out."""
    if fresh and next_cursor is None:
        snapshots.discard(snap)


async def table_rows(request: Request) -> Response:
    table = request.path_params["table"]
    what = f"api/v1/tables/{table[:80]}"
    account, token_id = await _account(request, what)
    try:
        opts = _options(request, account.role)
    except Refused as exc:
        _audit(account.name, what, "denied" if exc.status == 403 else "invalid", status=exc.status, token=token_id,
               reason=exc.code)
        raise
    try:
        snap, offset, count, next_cursor = await run_in_threadpool(_page, account.name, table, opts)
    except Refused as exc:
        _audit(account.name, what, "invalid", status=exc.status, token=token_id, reason=exc.code)
        raise
    fresh = not opts["cursor"]
    _audit(account.name, what, "ok", status=200, token=token_id, rows=count, format=opts["format"],
           identified=opts["identified"], since=request.query_params.get("since"), status_filter=opts["statuses"] or None,
           page=bool(opts["cursor"]), more=next_cursor is not None)
    from analysis.export.microdata.feed_files import csv_chunks, json_page, parquet_chunks  # loaded by _page

    headers = {"X-Next-Cursor": next_cursor} if next_cursor else {}
    fmt = opts["format"]
    if fmt == "json":
        def page() -> bytes:
            try:
                return json_page(snapshots.read(snap, offset, count), next_cursor)
            finally:
                _served(snap, fresh, next_cursor)
        return Response(await run_in_threadpool(page), 200, headers=headers, media_type=FORMATS["json"])
    name = f"{table}.{fmt}"
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    rows = (snapshots.schema(snap), snapshots.batches(snap, offset, count))
    chunks = csv_chunks(rows, BATCH) if fmt == "csv" else parquet_chunks(rows, BATCH)

    def then_discard():
        try:
            yield from chunks
        finally:
            _served(snap, fresh, next_cursor)
    return StreamingResponse(then_discard(), 200, headers=headers, media_type=FORMATS[fmt])


async def tables(request: Request) -> Response:
    what = "api/v1/tables"
    account, token_id = await _account(request, what)
    from analysis.export.microdata.feed import feed_tables

    found = await run_in_threadpool(feed_tables, _store())
    _audit(account.name, what, "ok", status=200, token=token_id, tables=len(found))
    return JSONResponse({"tables": found})


async def openapi(request: Request) -> Response:
    _audit(None, "api/v1/openapi.json", "ok", status=200)  # public, but every request is in the log
    return JSONResponse(OPENAPI)


ROUTES = [
    Route("/api/v1/openapi.json", _guarded(openapi), methods=["GET"]),
    Route("/api/v1/tables", _guarded(tables), methods=["GET"]),
    Route("/api/v1/tables/{table}", _guarded(table_rows), methods=["GET"]),
]
