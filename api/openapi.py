"""The OpenAPI 3.1 description of the data API, served at /api/v1/openapi.json (written by hand:
the routes are few, and their words are the contract of issue 20)."""

from __future__ import annotations

_ERROR = {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_ERRORS = {
    "400": {**_ERROR, "description": "A parameter or cursor is not valid"},
    "401": {**_ERROR, "description": "No valid API token"},
    "403": {**_ERROR, "description": "The account may not (an identified table is for administrators)"},
    "429": {**_ERROR, "description": "Too many requests for this token; see the Retry-After header"},
    "500": {**_ERROR, "description": "Server error (logged)"},
}


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


_ESTIMATE_PARAMETERS = [
    _query("lang", "Labels and notes in this language (default id)", {"type": "string", "enum": ["id", "en"]}),
    _query("format", "json (default) or csv", {"type": "string", "enum": ["json", "csv"]}),
]
_ESTIMATE_RESPONSES = {
    "200": {"description": "The tables (cached on the store's state)", "content": {
        "application/json": {"schema": {"type": "object", "properties": {
            "lang": {"type": "string"},
            "tables": {"type": "array", "items": {"$ref": "#/components/schemas/SummaryTable"}}}}},
        "text/csv": {"schema": {"type": "string"}}}},
    "404": {**_ERROR, "description": "No such instrument, question, set or table (the message names the valid ones)"},
    **_ERRORS,
}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "Survey data API",
        "version": "1",
        "description": "The survey's tables for Excel, Power BI, R and scripts. Authenticate with a personal API "
                       "token (created on the Export page or by `python -m survey.users token NAME`) as "
                       "`Authorization: Bearer TOKEN`, or as the password of HTTP Basic. Rows are de-identified "
                       "unless an administrator asks for `identified=true`. Every request is in the audit log.",
    },
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}, {"basic": []}],
    "paths": {
        "/api/v1/tables": {"get": {
            "summary": "The tables: their questionnaire, number of rows and (de-identified) columns",
            "operationId": "listTables",
            "responses": {"200": {"description": "The tables", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"tables": {"type": "array", "items": {
                    "$ref": "#/components/schemas/Table"}}}}}}}, **_ERRORS},
        }},
        "/api/v1/tables/{table}": {"get": {
            "summary": "The current revision of each record of one table",
            "description": "Roster tables carry the household key `_response_id` and the design variables, as the "
                           "microdata export. JSON pages hold `limit` rows (default 1000) and a `next_cursor`; a "
                           "cursor pages through a snapshot made by the first page and stays valid for at least an "
                           "hour (the other parameters are then those of the first page). CSV and Parquet are "
                           "streamed and hold every row unless `limit` is given (the next cursor is then in the "
                           "`X-Next-Cursor` header).",
            "operationId": "tableRows",
            "parameters": [
                {"name": "table", "in": "path", "required": True, "schema": {"type": "string"},
                 "description": "A table name from /api/v1/tables, e.g. household, household_members"},
                _query("format", "json (default), csv or parquet", {"type": "string", "enum": ["json", "csv", "parquet"]}),
                _query("since", "Only records whose current revision was stored strictly after this ISO 8601 time "
                                "(with an offset; `Z` accepted; without one, UTC): new, revised or reviewed",
                       {"type": "string", "format": "date-time"}),
                _query("status", "Review status, comma-separated: submitted, approved, rejected, on_hold",
                       {"type": "string"}),
                _query("limit", "Rows per page (1 .. 50000; JSON default 1000)", {"type": "integer", "minimum": 1}),
                _query("cursor", "The next_cursor of the previous page", {"type": "string"}),
                _query("labels", "Choices as their labels in this language instead of their names",
                       {"type": "string", "enum": ["id", "en"]}),
                _query("identified", "true: with the personal data (administrators only)", {"type": "boolean"}),
            ],
            "responses": {"200": {"description": "The rows", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Rows"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
            }}, "404": {**_ERROR, "description": "No such table"}, **_ERRORS},
        }},
        "/api/v1/estimates": {"get": {
            "summary": "One question's design-based estimates, as the Explore page shows them",
            "operationId": "estimates",
            "parameters": [
                {**_query("instrument", "A questionnaire, e.g. household", {"type": "string"}), "required": True},
                {**_query("question", "A question with estimates (choices, numbers), e.g. has_internet",
                          {"type": "string"}), "required": True},
                _query("by", "A choice question of the same table to break the estimates down by, e.g. kecamatan",
                       {"type": "string"}),
                *_ESTIMATE_PARAMETERS,
            ],
            "responses": _ESTIMATE_RESPONSES,
        }},
        "/api/v1/indicators": {"get": {
            "summary": "An indicator set, as the Indicators page shows it",
            "operationId": "indicators",
            "parameters": [
                {**_query("set", "The set (stage is accepted for stages)", {"type": "string", "enum": [
                    "household", "individual", "egov", "stages", "leadership", "traffic"]}), "required": True},
                _query("by", "A breakdown the set offers (household, individual, egov, leadership)", {"type": "string"}),
                _query("table", "One table of the set (e.g. city of stages); CSV holds one table, by default the first",
                       {"type": "string"}),
                *_ESTIMATE_PARAMETERS,
            ],
            "responses": {**_ESTIMATE_RESPONSES,
                          "409": {**_ERROR, "description": "The set's questionnaires have no usable data yet"}},
        }},
        "/api/v1/openapi.json": {"get": {"summary": "This description", "operationId": "openapi", "security": [],
                                         "responses": {"200": {"description": "OpenAPI 3.1"}}}},
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "A personal API token"},
            "basic": {"type": "http", "scheme": "basic", "description": "Any user name, the API token as password"},
        },
        "schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
            "Table": {"type": "object", "properties": {
                "table": {"type": "string"}, "instrument": {"type": "string"}, "rows": {"type": "integer"},
                "columns": {"type": "array", "items": {"type": "string"}}}},
            "SummaryTable": {"type": "object", "properties": {
                "name": {"type": "string"}, "title": {"type": "string"}, "kind": {"type": "string"},
                "keys": {"type": "array", "items": {"type": "string"}},
                "columns": {"type": "array", "items": {"type": "object"}},
                "rows": {"type": "array", "items": {"type": "object", "description":
                         "keys, estimate, se, ci_low, ci_high, n, deff, rse, reliability; <column>_label beside "
                         "labelled columns"}},
                "notes": {"type": "array", "items": {"type": "string"}},
                "provenance": {"type": ["object", "null"], "description": "The design in force, weights, counts"},
                "data_as_of": {"type": ["string", "null"], "format": "date-time"}}},
            "Rows": {"type": "object", "required": ["rows", "next_cursor"], "properties": {
                "rows": {"type": "array", "items": {"type": "object", "description": "One record; key `_response_id`"}},
                "next_cursor": {"type": ["string", "null"]}}},
        },
    },
}
