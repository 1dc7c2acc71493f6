"""An OData v4 feed of the store's tables under /odata/v4/, for Excel's and Power BI's "OData feed".

    GET /odata/v4/                 the service document: one entity set per table
    GET /odata/v4/$metadata        CSDL XML: an entity type per table, property names = column names,
                                   Edm types from the questionnaire's, labels as Core.Description
    GET /odata/v4/<table>          rows: $top $skip $count=true $select $filter $orderby ($format=json)
    GET /odata/v4/<table>/$count   the number of rows passing $filter, as plain text (Power BI's row count)
    GET /odata/v4/Indicators       the indicator sets' estimates with their CIs, a row each (api/odata_indicators.py)

The same token, rate limit, audit log and JSON errors as the REST rows (api/data.py): Bearer, or Basic
with the token as the password (what Excel and Power BI ask for). Rows are de-identified (the REST
rows' identified=true is for scripts). A table's key is ``_response_id``; a roster row's is
``_response_id`` and ``_member_index``, its place in the household's list.

Server-driven paging: a page holds DEFAULT_PAGE rows, or N when the request says ``Prefer:
odata.maxpagesize=N`` (then ``Preference-Applied`` says so); past it, ``@odata.nextLink`` carries a
``$skiptoken`` that is a cursor of api/snapshots.py: the first page writes the filtered, sorted,
selected answer to a snapshot once, the next pages read their rows from it, never the store, so a
table changing meanwhile neither repeats nor skips a row.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote
from xml.sax.saxutils import quoteattr

import pyarrow as pa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api import data, odata_indicators, snapshots
from api.data import Refused
from api.odata_filter import FilterError, filter_columns, mask, parse_filter, parse_orderby
from api.odk import _lang, _store
from survey.locale import pick, text

DEFAULT_PAGE = 1000
MAX_PAGE = 50_000
NAMESPACE = "Survey"
VERSION = {"OData-Version": "4.0"}
JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
MESSAGES = {
    **data.MESSAGES,
    "bad_query": {"id": "Opsi kueri OData tidak didukung: {detail}", "en": "Unsupported OData query: {detail}"},
    "not_found": {"id": "Set entitas {table!r} tidak ada. Lihat /odata/v4/.",
                  "en": "There is no entity set {table!r}. See /odata/v4/."},
}
_KNOWN = {"$top", "$skip", "$count", "$select", "$filter", "$orderby", "$format", "$skiptoken"}
_KIND_EDM = {"text": "Edm.String", "choice": "Edm.String", "integer": "Edm.Int64", "dummy": "Edm.Int64",
             "decimal": "Edm.Double", "date": "Edm.Date", "timestamp": "Edm.DateTimeOffset"}
_MAXPAGESIZE = re.compile(r"(?:^|[,;\s])odata\.maxpagesize\s*=\s*(\d+)", re.IGNORECASE)
_SKIPTOKEN = re.compile(r"([0-9a-f]{32}\.[0-9]{1,12})(?:-([0-9]{1,12}))?")


def _error(request: Request, exc: Refused) -> JSONResponse:
    message = text(MESSAGES, exc.code, _lang(request), **exc.values)
    return JSONResponse({"error": {"code": exc.code, "message": message}}, exc.status,
                        headers={**exc.headers, **VERSION})


def _guarded(handler):
    """As api/data.py's, with OData's version header on every answer."""
    async def run(request: Request) -> Response:
        try:
            answer = await handler(request)
        except Refused as exc:
            return _error(request, exc)
        except Exception:
            data.log.exception("OData %s failed", request.url.path)
            data._audit(None, request.url.path.lstrip("/"), "failed", status=500)
            return _error(request, Refused(500, "server_error"))
        answer.headers.update(VERSION)
        return answer
    return run


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/odata/v4/"


def _refuse(account, what: str, token_id: str, detail: str) -> Refused:
    data._audit(account.name, what, "invalid", status=400, token=token_id, reason="bad_query", detail=detail[:200])
    return Refused(400, "bad_query", detail=detail)


# ---------------------------------------------------------------------- types and labels

def edm_type(arrow_type: pa.DataType, kind: str | None = None) -> str:
    """The Edm type of a served column: its Arrow type, or (no value at all yet) its question's kind."""
    if pa.types.is_boolean(arrow_type):
        return "Edm.Boolean"
    if pa.types.is_integer(arrow_type):
        return "Edm.Int64"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "Edm.Double"
    if pa.types.is_timestamp(arrow_type):
        return "Edm.DateTimeOffset"
    if pa.types.is_date(arrow_type):
        return "Edm.Date"
    if pa.types.is_null(arrow_type):
        return _KIND_EDM.get(kind or "", "Edm.String")
    return "Edm.String"


def _variables(store, table: str) -> dict:
    """column name -> its Variable (labels, kind) as the feed names it."""
    from analysis.export.microdata.frame import table_owner
    from analysis.export.microdata.variables import table_variables

    inst, _ = table_owner(store, table)
    return {(v.column if v.origin == "metadata" else v.name): v for v in table_variables(inst, table, weight=True)}


def _keys(schema: pa.Schema) -> list[str]:
    return [k for k in ("_response_id", "_member_index") if k in schema.names]


def _entity_type(store, table: str, lang: str) -> str:
    from analysis.export.microdata.feed import feed_table

    schema = feed_table(store, table).schema
    variables = _variables(store, table)
    keys = _keys(schema)
    lines = [f"<EntityType Name={quoteattr(table)}>", "<Key>",
             *(f"<PropertyRef Name={quoteattr(k)}/>" for k in keys), "</Key>"]
    for field in schema:
        v = variables.get(field.name)
        nullable = ' Nullable="false"' if field.name in keys else ""  # CSDL: nullable unless said
        attrs = f"Name={quoteattr(field.name)} Type=\"{edm_type(field.type, v.kind if v else None)}\"{nullable}"
        label = pick(v.label, lang) if v is not None else ""
        if label:
            lines += [f"<Property {attrs}>",
                      f"<Annotation Term=\"Core.Description\" String={quoteattr(label)}/>", "</Property>"]
        else:
            lines.append(f"<Property {attrs}/>")
    return "\n".join([*lines, "</EntityType>"])


def _indicator_type(lang: str) -> str:
    """The Indicators set's entity type: a fixed schema (api/odata_indicators.py)."""
    ind = odata_indicators
    lines = [f"<EntityType Name={quoteattr(ind.NAME)}>", "<Key>",
             *(f"<PropertyRef Name={quoteattr(k)}/>" for k in ind.KEYS), "</Key>"]
    for field in ind.SCHEMA:
        nullable = ' Nullable="false"' if field.name in ind.KEYS else ""
        lines += [f"<Property Name={quoteattr(field.name)} Type=\"{edm_type(field.type)}\"{nullable}>",
                  f"<Annotation Term=\"Core.Description\" String={quoteattr(pick(ind.DESCRIPTIONS[field.name], lang))}/>",
                  "</Property>"]
    return "\n".join([*lines, "</EntityType>"])


def metadata_xml(store, tables: list[str], lang: str) -> str:
    types = "\n".join(_entity_type(store, t, lang) if t != odata_indicators.NAME else _indicator_type(lang)
                      for t in tables)
    sets = "\n".join(f"<EntitySet Name={quoteattr(t)} EntityType={quoteattr(f'{NAMESPACE}.{t}')}/>" for t in tables)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">
<edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
<edmx:Include Namespace="Org.OData.Core.V1" Alias="Core"/>
</edmx:Reference>
<edmx:DataServices>
<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="{NAMESPACE}">
{types}
<EntityContainer Name="Container">
{sets}
</EntityContainer>
</Schema>
</edmx:DataServices>
</edmx:Edmx>
"""


def _table_names(store) -> list[str]:
    from analysis.export.microdata.feed import feed_tables

    return [*(t["table"] for t in feed_tables(store)), odata_indicators.NAME]


# ---------------------------------------------------------------------- routes

async def service(request: Request) -> Response:
    what = "odata/v4"
    account, token_id = await data._account(request, what)
    names = await run_in_threadpool(_table_names, _store())
    data._audit(account.name, what, "ok", status=200, token=token_id, tables=len(names))
    return JSONResponse({"@odata.context": _base(request) + "$metadata",
                         "value": [{"name": n, "kind": "EntitySet", "url": n} for n in names]},
                        media_type=JSON_TYPE)


async def metadata(request: Request) -> Response:
    what = "odata/v4/$metadata"
    account, token_id = await data._account(request, what)
    store = _store()
    names = await run_in_threadpool(_table_names, store)
    body = await run_in_threadpool(metadata_xml, store, names, _lang(request))
    data._audit(account.name, what, "ok", status=200, token=token_id, tables=len(names))
    return Response(body, 200, media_type="application/xml")


def _whole(value: str | None, name: str, most: int | None = None) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or (most is not None and int(value) > most):
        raise FilterError(f"{name} must be a whole number" + (f" up to {most}" if most else ""))
    return int(value)


def _options(request: Request) -> dict:
    """The query options, checked before the store is read (FilterError if not taken)."""
    q = request.query_params
    unknown = sorted(k for k in q.keys() if k.startswith("$") and k not in _KNOWN)
    if unknown:
        raise FilterError(f"{', '.join(unknown)} is not supported")
    if q.get("$format", "json").split(";")[0].strip().lower() not in ("json", "application/json"):
        raise FilterError("$format: only json")
    count = q.get("$count", "false").lower()
    if count not in ("true", "false"):
        raise FilterError("$count must be true or false")
    found = _MAXPAGESIZE.search(request.headers.get("prefer", ""))
    return {"top": _whole(q.get("$top"), "$top"), "skip": _whole(q.get("$skip"), "$skip"),
            "count": count == "true", "filter": parse_filter(q["$filter"]) if q.get("$filter") else None,
            "select": [s.strip() for s in q["$select"].split(",")] if q.get("$select") else None,
            "orderby": q.get("$orderby") or None, "skiptoken": q.get("$skiptoken") or None,
            "page": min(MAX_PAGE, max(1, int(found.group(1)))) if found else None, "lang": _lang(request)}


def _answer(rows: pa.Table, opts: dict) -> tuple[pa.Table, int]:
    """The whole answer before paging (filtered, sorted, cut, selected) and the count of matching rows."""
    if opts["filter"] is not None:
        missing = filter_columns(opts["filter"]) - set(rows.schema.names)
        if missing:
            raise FilterError(f"there is no property {sorted(missing)[0]!r}")
        rows = rows.filter(mask(rows, opts["filter"]))
    matching = rows.num_rows
    if opts["orderby"]:
        rows = rows.sort_by(parse_orderby(opts["orderby"], rows.schema.names))
    skip = opts["skip"] or 0
    rows = rows.slice(skip, opts["top"] if opts["top"] is not None else None)
    if opts["select"] and opts["select"] != ["*"]:
        missing = [s for s in opts["select"] if s not in rows.schema.names]
        if missing:
            raise FilterError(f"there is no property {missing[0]!r}")
        rows = rows.select(list(dict.fromkeys(opts["select"])))
    return rows, matching


def _rows(table: str, lang: str = "id") -> pa.Table:
    from analysis.export import ExportError
    from analysis.export.microdata.feed import feed_table

    if table == odata_indicators.NAME:  # labels in the request's language, so a page per language
        return odata_indicators.indicator_rows(_store(), lang)
    try:
        return feed_table(_store(), table)
    except ExportError:
        raise Refused(404, "not_found", table=table[:80]) from None


def _matching(table: str, opts: dict) -> int:
    return _answer(_rows(table, opts["lang"]), {**opts, "top": None, "skip": None, "select": None, "orderby": None})[1]


def _page(owner: str, table: str, opts: dict, page: int) -> tuple[pa.Table, int | None, str | None]:
    """(this page's rows, the count or None, the next skiptoken or None)."""
    name = f"odata:{table}"  # a REST cursor is not an OData skiptoken, nor the other way round
    if opts["skiptoken"]:
        found = _SKIPTOKEN.fullmatch(opts["skiptoken"])
        try:
            if not found:
                raise snapshots.CursorInvalid("malformed")
            snap, offset, total = snapshots.open_cursor(found.group(1), owner=owner, name=name)
        except snapshots.CursorInvalid:
            raise Refused(400, "bad_cursor") from None
        count = int(found.group(2)) if found.group(2) else None
        rows = snapshots.read(snap, offset, page)
        end = offset + rows.num_rows
        return rows, count, _token(snap, end, count) if end < total else None
    rows, matching = _answer(_rows(table, opts["lang"]), opts)
    count = matching if opts["count"] else None
    if rows.num_rows <= page:
        return rows, count, None
    snap = snapshots.make(rows, owner=owner, name=name, page=page)
    return rows.slice(0, page), count, _token(snap, page, count)


def _token(snap: str, offset: int, count: int | None) -> str:
    return snapshots.cursor(snap, offset) + (f"-{count}" if count is not None else "")


async def entity_set(request: Request) -> Response:
    table = request.path_params["table"]
    what = f"odata/v4/{table[:80]}"
    account, token_id = await data._account(request, what)
    try:
        opts = _options(request)
    except FilterError as exc:
        raise _refuse(account, what, token_id, str(exc)) from None
    page = opts["page"] or DEFAULT_PAGE
    try:
        rows, count, skiptoken = await run_in_threadpool(_page, account.name, table, opts, page)
    except FilterError as exc:
        raise _refuse(account, what, token_id, str(exc)) from None
    except Refused as exc:
        data._audit(account.name, what, "invalid", status=exc.status, token=token_id, reason=exc.code)
        raise
    data._audit(account.name, what, "ok", status=200, token=token_id, rows=rows.num_rows, format="odata",
                filter=request.query_params.get("$filter"), page=bool(opts["skiptoken"]), more=skiptoken is not None)
    from analysis.export.microdata.feed_files import _json_value  # loaded by _page

    base = _base(request)
    select = f"({','.join(rows.schema.names)})" if opts["select"] and opts["select"] != ["*"] else ""
    body = {"@odata.context": f"{base}$metadata#{table}{select}"}
    if count is not None:
        body["@odata.count"] = count
    body["value"] = rows.to_pylist()
    if skiptoken:
        body["@odata.nextLink"] = f"{base}{quote(table)}?$skiptoken={skiptoken}"
    headers = {"Preference-Applied": f"odata.maxpagesize={page}"} if opts["page"] else {}
    encoded = await run_in_threadpool(lambda: json.dumps(body, default=_json_value, ensure_ascii=False,
                                                         allow_nan=False).encode("utf-8"))
    return Response(encoded, 200, headers=headers, media_type=JSON_TYPE)


async def count(request: Request) -> Response:
    table = request.path_params["table"]
    what = f"odata/v4/{table[:80]}/$count"
    account, token_id = await data._account(request, what)
    try:
        opts = _options(request)
        if opts["skiptoken"]:
            raise FilterError("$skiptoken is not for $count")
        matching = await run_in_threadpool(_matching, table, opts)
    except FilterError as exc:
        raise _refuse(account, what, token_id, str(exc)) from None
    data._audit(account.name, what, "ok", status=200, token=token_id, rows=matching, format="odata",
                filter=request.query_params.get("$filter"))
    return Response(str(matching), 200, media_type="text/plain")


ROUTES = [
    Route("/odata/v4", _guarded(service), methods=["GET"]),
    Route("/odata/v4/", _guarded(service), methods=["GET"]),
    Route("/odata/v4/$metadata", _guarded(metadata), methods=["GET"]),
    Route("/odata/v4/{table}/$count", _guarded(count), methods=["GET"]),
    Route("/odata/v4/{table}", _guarded(entity_set), methods=["GET"]),
]
