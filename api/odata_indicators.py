"""The OData feed's ``Indicators`` entity set: every indicator set's SummaryTables, one row per table row
(issue 20, section 3), so Power BI charts the weighted estimates with their confidence intervals.

The tables are the ones /api/v1/indicators serves (api/estimates.py's builders, through
analysis/results_cache.py, so a dashboard's repeated refreshes are cache reads), without a breakdown.
A row's key columns are flattened: ``label`` is its first key's value label (the table's title when it
has no key), ``group`` the key columns' labels and ``level`` their values' labels, both joined by " / ",
all in the request's language. The numbers are the JSON's, unrounded. A set whose questionnaires have no
usable data yet is left out rather than failing the whole feed.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pyarrow as pa

from api.data import Refused
from survey.locale import pick

NAME = "Indicators"
KEYS = ("id",)
_D, _S, _I, _T = pa.float64(), pa.string(), pa.int64(), pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema([("id", _S), ("set", _S), ("table", _S), ("row", _I), ("label", _S), ("group", _S),
                    ("level", _S), ("estimate", _D), ("se", _D), ("ci_low", _D), ("ci_high", _D), ("n", _I),
                    ("deff", _D), ("rse", _D), ("reliability", _S), ("unit", _S), ("data_as_of", _T)])
DESCRIPTIONS = {
    "id": {"id": "Kunci: set/tabel/baris", "en": "Key: set/table/row"},
    "set": {"id": "Set indikator", "en": "Indicator set"},
    "table": {"id": "Tabel dalam set", "en": "Table within the set"},
    "row": {"id": "Nomor baris dalam tabel", "en": "Row number within the table"},
    "label": {"id": "Label baris", "en": "Row label"},
    "group": {"id": "Kolom kunci baris", "en": "The row's key columns"},
    "level": {"id": "Nilai kunci baris", "en": "The row's key values"},
    "estimate": {"id": "Estimasi tertimbang", "en": "Weighted estimate"},
    "se": {"id": "Galat baku", "en": "Standard error"},
    "ci_low": {"id": "Batas bawah selang kepercayaan 95%", "en": "95% confidence interval, lower"},
    "ci_high": {"id": "Batas atas selang kepercayaan 95%", "en": "95% confidence interval, upper"},
    "n": {"id": "Jumlah responden", "en": "Respondents"},
    "deff": {"id": "Efek desain", "en": "Design effect"},
    "rse": {"id": "Galat baku relatif", "en": "Relative standard error"},
    "reliability": {"id": "Keandalan", "en": "Reliability"},
    "unit": {"id": "Satuan", "en": "Unit"},
    "data_as_of": {"id": "Kiriman terakhir dalam data (UTC)", "en": "Latest submission in the data (UTC)"},
}


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value) -> str | None:
    return None if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) else str(value)


def _time(value) -> dt.datetime | None:
    if value is None or value is pd.NaT or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")).to_pydatetime()


def table_rows(key: str, name: str, table, lang: str) -> list[dict]:
    data, keys = table.data, list(table.keys)
    provenance = table.provenance
    as_of = _time(provenance.last_submitted_at) if provenance is not None else None
    group = " / ".join(table.label(k, lang) for k in keys) or None
    title = pick(table.title, lang)
    rows = []
    for index, record in enumerate(data.to_dict("records")):
        labels = [table.value_label(k, record[k], lang) for k in keys]
        n = _number(record.get("n"))
        rows.append({
            "id": f"{key}/{name}/{index}", "set": key, "table": name, "row": index,
            "label": labels[0] if labels else title, "group": group, "level": " / ".join(labels) or None,
            **{c: _number(record.get(c)) for c in ("estimate", "se", "ci_low", "ci_high", "deff", "rse")},
            "n": None if n is None else int(n), "reliability": _text(record.get("reliability")),
            "unit": _text(record.get("unit", record.get("kind"))), "data_as_of": as_of,
        })
    return rows


def indicator_rows(store, lang: str) -> pa.Table:
    """Every set's tables as rows of SCHEMA (the sets without usable data left out)."""
    from api.estimates import _indicator_tables, _sets

    rows = []
    for key in _sets():
        try:
            tables = _indicator_tables(store, key, None, lang)
        except Refused:   # a questionnaire missing or unusable: the other sets still serve
            continue
        if not tables or any(t is None for t in tables.values()):
            continue
        for name, table in tables.items():
            rows += table_rows(key, name, table, lang)
    return pa.Table.from_pylist(rows, schema=SCHEMA)
