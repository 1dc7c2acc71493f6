"""The data API's estimates: the SummaryTables the analysis pages show, as JSON and CSV (issue 20, section 3).

    GET /api/v1/estimates?instrument=household&question=has_internet[&by=kecamatan][&lang=id][&format=json|csv]
        one question's design-based estimates, as the Explore page builds them (question_table)
    GET /api/v1/indicators?set=household|individual|egov|stages|leadership|traffic[&by=][&table=][&lang=][&format=]
        an indicator set, as the Indicators page builds it (analysis.indicators.sections.SECTIONS), or the
        website traffic tables (analysis.indicators.traffic)

JSON: per table its rows (the key columns, estimate, se, ci_low, ci_high, n, deff, rse, reliability and,
beside every labelled column, ``<column>_label`` in ``lang``), the notes in ``lang``, the design in force
(the provenance) and the data's time. CSV: one table (``table=``, default the set's first) by
analysis.export.tables.as_csv, the export's renderer. Results come from analysis.results_cache, keyed on
the store's state: a dashboard polling while nothing changed costs a cache read.

Tokens, rate limit, JSON errors and the audit log are api/data.py's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.data import FORMATS, Refused, _account, _audit, _guarded
from api.odk import _store
from survey.locale import LANGUAGES, pick

TRAFFIC = "traffic"
ALIASES = {"stage": "stages"}   # the issue's word for the agencies' stages


def _sets() -> list[str]:
    from analysis.indicators.sections import SECTIONS

    return [*(s.key for s in SECTIONS), TRAFFIC]


# ---------------------------------------------------------------------- parameters

def _common(request: Request) -> tuple[str, str]:
    q = request.query_params
    fmt = q.get("format", "json")
    if fmt not in ("json", "csv"):
        raise Refused(400, "bad_parameter", name="format", detail="json, csv")
    lang = q.get("lang") or "id"
    if lang not in LANGUAGES:
        raise Refused(400, "bad_parameter", name="lang", detail=", ".join(LANGUAGES))
    return fmt, lang


def _required(request: Request, name: str, valid: list[str]) -> str:
    value = request.query_params.get(name) or ""
    if not value:
        raise Refused(400, "bad_parameter", name=name, detail="required; one of " + ", ".join(valid))
    return value


def _instrument(store, name: str) -> str:
    ids = sorted(store.instrument_ids())
    if name not in ids:
        raise Refused(404, "unknown", name="instrument", value=name[:80], valid=", ".join(ids))
    try:
        store.instrument(name)
    except ValueError as exc:   # a questionnaire file the admin has to fix first
        raise Refused(409, "unusable", name=name, detail=str(exc)[:300]) from None
    return name


# ---------------------------------------------------------------------- building (in a worker thread)

def _question_table(store, instrument: str, question: str, by: str | None, lang: str):
    from analysis import results_cache
    from analysis.tables.question_tables import question_table

    token = results_cache.data_token(store)
    found = results_cache.cached_result(question_table, store, (instrument,), lang, _token=token,
                                        question=question, by=by)
    if found is not results_cache.ABSENT:   # only checked names are cached (by a page or a request below)
        return found
    data = results_cache.dataset(store, instrument, lang, token)
    questions = [q.name for q in data.questions()]
    if question not in questions:
        raise Refused(404, "unknown", name="question", value=question[:80], valid=", ".join(questions))
    if by is not None:
        breakdowns = _breakdowns(data.table_of(question), None)
        if by not in breakdowns or by == question:
            raise Refused(400, "unknown", name="by", value=by[:80],
                          valid=", ".join(b for b in breakdowns if b != question))
    return results_cache.result(question_table, store, (instrument,), lang, _token=token, question=question, by=by)


def _breakdowns(table, only: tuple | None) -> list[str]:
    """The choice questions a page offers as breakdowns of ``table`` (personal data left out)."""
    return [name for name, v in (table.variables.items() if table is not None else ())
            if v.kind == "categorical" and not v.question.pii and (only is None or name in only)]


def _traffic(root: str) -> dict:
    from analysis.indicators.traffic import traffic_tables

    return traffic_tables(root)


def _indicator_tables(store, key: str, by: str | None, lang: str) -> dict:
    """{table name: SummaryTable} of the set (None while its questionnaires have no usable data)."""
    from analysis import results_cache
    from analysis.indicators.sections import section_of

    if key == TRAFFIC:
        # the traffic lives outside the response store: keyed on its stored files instead
        from survey.traffic import storage

        parts = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in storage.parts(store.root))
        cache_key = ("traffic", str(store.root), parts, results_cache.data_token(store))
        return results_cache.RESULTS.get(cache_key, lambda: _traffic(str(store.root)))
    section = section_of(key)
    if by is not None and section.breakdown is None:
        raise Refused(400, "bad_parameter", name="by", detail=f"the set {key} has no breakdown")
    for instrument in section.instruments:
        _instrument(store, instrument)
    options = {"by": by} if section.breakdown is not None else {}
    token = results_cache.data_token(store)
    found = {t.name: results_cache.cached_result(t.build, store, section.instruments, lang,
                                                 _token=token, **options) for t in section.tables}
    if by is not None and any(t is results_cache.ABSENT for t in found.values()):
        data = results_cache.dataset(store, section.instruments[0], lang, token)
        valid = _breakdowns(data.tables.get(section.breakdown), section.by_questions)
        if by not in valid:
            raise Refused(400, "unknown", name="by", value=by[:80], valid=", ".join(valid))
    return {t.name: results_cache.result(t.build, store, section.instruments, lang, _token=token, **options)
            for t in section.tables}


# ---------------------------------------------------------------------- JSON

def _plain(value: Any) -> Any:
    """A JSON value: numbers as numbers (NaN as null), times as ISO 8601, tuples as lists."""
    if isinstance(value, (tuple, list, np.ndarray)):
        return [_plain(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def provenance_json(provenance, lang: str) -> dict | None:
    if provenance is None:
        return None
    return {"instrument": provenance.instrument, "instrument_version": provenance.instrument_version,
            "data_versions": list(provenance.data_versions), "responses": provenance.responses,
            "rows": dict(provenance.rows), "excluded": dict(provenance.excluded),
            "statuses": list(provenance.statuses), "design": pick(provenance.design, lang),
            "weights": {table: pick(text, lang) for table, text in provenance.weights.items()},
            "weighted": provenance.weighted, "notes": [note.text(lang) for note in provenance.notes],
            "last_submitted_at": _plain(provenance.last_submitted_at), "built_at": _plain(provenance.built_at),
            "project_version": provenance.project_version}


def table_json(name: str, table, lang: str) -> dict:
    """One SummaryTable: its shown columns (and keys, and each row's kind) raw, labels beside them."""
    data = table.data
    names = list(dict.fromkeys([*table.keys, *table.columns, *(["kind"] if "kind" in data else [])]))
    rows = []
    for record in data[names].to_dict("records"):
        row = {}
        for column, value in record.items():
            row[column] = _plain(value)
            if column in table.value_labels:
                row[f"{column}_label"] = table.value_label(column, value, lang)
        rows.append(row)
    provenance = table.provenance
    return {
        "name": name, "title": pick(table.title, lang),
        "subtitle": None if table.subtitle is None else pick(table.subtitle, lang),
        "kind": table.kind, "keys": list(table.keys),
        "columns": [{"name": c, "label": table.label(c, lang), "kind": spec.kind} for c, spec in table.columns.items()],
        "rows": rows,
        "notes": [pick(n, lang) for n in table.notes],
        "stats": {k: _plain(v) for k, v in table.stats.items() if isinstance(v, (int, float, str, type(None)))},
        "provenance": provenance_json(provenance, lang),
        "data_as_of": None if provenance is None else _plain(provenance.last_submitted_at),
    }


def _answer(tables: dict, chosen: str | None, fmt: str, lang: str, head: dict, filename: str) -> Response:
    if fmt == "csv":
        from analysis.export.tables.as_csv import render

        name = chosen or next(iter(tables))
        return Response(render(tables[name], lang), 200, media_type=FORMATS["csv"],
                        headers={"Content-Disposition": f'attachment; filename="{filename}-{name}.csv"'})
    shown = {n: t for n, t in tables.items() if chosen is None or n == chosen}
    return JSONResponse({**head, "lang": lang, "tables": [table_json(n, t, lang) for n, t in shown.items()]})


# ---------------------------------------------------------------------- routes

async def estimates(request: Request) -> Response:
    what = "api/v1/estimates"
    account, token_id = await _account(request, what)
    q = request.query_params
    try:
        fmt, lang = _common(request)
        store = _store()
        instrument = _instrument(store, _required(request, "instrument", sorted(store.instrument_ids())))
        question = _required(request, "question", ["a question with estimates"])
        by = q.get("by") or None
        table = await run_in_threadpool(_question_table, store, instrument, question, by, lang)
    except Refused as exc:
        _audit(account.name, what, "invalid", status=exc.status, token=token_id, reason=exc.code,
               instrument=q.get("instrument"), question=q.get("question"), by=q.get("by"))
        raise
    _audit(account.name, what, "ok", status=200, token=token_id, instrument=instrument, question=question, by=by,
           lang=lang, format=fmt, rows=len(table))
    head = {"instrument": instrument, "question": question, "by": by}
    return _answer({question: table}, None, fmt, lang, head, f"{instrument}-{question}")


async def indicators(request: Request) -> Response:
    what = "api/v1/indicators"
    account, token_id = await _account(request, what)
    q = request.query_params
    try:
        fmt, lang = _common(request)
        valid = _sets()
        key = _required(request, "set", valid)
        key = ALIASES.get(key, key)
        if key not in valid:
            raise Refused(404, "unknown", name="set", value=key[:80], valid=", ".join(valid))
        by = q.get("by") or None
        store = _store()
        tables = await run_in_threadpool(_indicator_tables, store, key, by, lang)
        if not tables or any(t is None for t in tables.values()):
            raise Refused(409, "no_data_yet", name=key)
        chosen = q.get("table") or None
        if chosen is not None and chosen not in tables:
            raise Refused(404, "unknown", name="table", value=chosen[:80], valid=", ".join(tables))
    except Refused as exc:
        _audit(account.name, what, "invalid", status=exc.status, token=token_id, reason=exc.code,
               set=q.get("set"), by=q.get("by"))
        raise
    _audit(account.name, what, "ok", status=200, token=token_id, set=key, by=by, lang=lang, format=fmt,
           tables=len(tables))
    return _answer(tables, chosen, fmt, lang, {"set": key, "by": by}, f"indicators-{key}")


ROUTES = [
    Route("/api/v1/estimates", _guarded(estimates), methods=["GET"]),
    Route("/api/v1/indicators", _guarded(indicators), methods=["GET"]),
]
