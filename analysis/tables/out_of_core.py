"""The Explore page's question table out of core, past ``SURVEY_OUT_OF_CORE_ROWS`` rows.

:func:`shares` gives :func:`analysis.tables.question_tables.question_table` the shares of a
choice question (with their logit intervals, design effects and respondents) computed by
DuckDB through :mod:`analysis.outofcore` instead of the in-memory engine, for tables with
more rows than the setting (default 2,000,000).  The table's design columns, calibrated
weights, post-strata and the question's (and breakdown's) choice codes are written to a
private Parquet file, and only PSU-level sums come back.  Supported: a one- or two-stage
design (fpc at each stage or none), post-stratified or raked once or not calibrated, no zero
weights, logit intervals; a filter in force is a subset, as in memory.  Anything else
returns None and the in-memory engine answers, so a table never claims a path it did not take.  :func:`numbers` does
the same for a number's mean and quartiles; select_multiple questions stay in memory.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import outofcore
from analysis.estimation.design_variables import categorical, column, factor_codes
from analysis.outofcore import calibration, multiple
from analysis.outofcore import numbers as numbers_module
from analysis.outofcore.shares import proportion
from analysis.outofcore.store_data import StoreTable

SETTING = "SURVEY_OUT_OF_CORE_ROWS"
DEFAULT_ROWS = 2_000_000
NOTE = {"en": "Computed out of core (DuckDB): the rows were summed to PSU level by the database.",
        "id": "Dihitung di luar memori (DuckDB): baris dijumlahkan per PSU oleh basis data."}


def row_limit() -> int:
    """Tables with more rows than this are estimated out of core (``SURVEY_OUT_OF_CORE_ROWS``)."""
    raw = os.environ.get(SETTING, "").strip()
    try:
        return int(raw.replace("_", "").replace(",", "")) if raw else DEFAULT_ROWS
    except ValueError:
        return DEFAULT_ROWS


def _layout(d) -> dict | None:
    """The design's columns as the out-of-core design takes them, or None when it cannot."""
    if hasattr(d, "replicate_weights") or d.lonely_psu not in ("fail", "adjust", "remove"):
        return None
    cols = d.columns
    if cols.get("ultimate_cluster") or cols["weights"] is None or (d.weights == 0).any():
        return None
    as_list = lambda v: [] if v is None else [v] if isinstance(v, str) else list(v)  # noqa: E731
    psu, strata, fpc = as_list(cols["psu"]), as_list(cols["strata"]), as_list(cols["fpc"])
    if not 1 <= len(psu) <= 2 or len(strata) > 1 or len(fpc) not in (0, len(psu)):
        return None
    calibration = d.calibration
    if len(calibration) > 1 or any(c.method not in ("poststratify", "rake") for c in calibration):
        return None
    return {"psu": psu, "strata": strata[0] if strata else None, "fpc": fpc,
            "cells": list(calibration[0].variables) if calibration else [],
            "raking": calibration[0] if calibration and calibration[0].method == "rake" else None}


def shares(table, var, by: str | None, level: float, ci_method: str) -> pd.DataFrame | None:
    """``proportion`` of ``var`` (by ``by``) as the in-memory ``_shares`` frame, or None when this
    table is small enough for memory or its design is one the out-of-core path does not handle."""
    if isinstance(table, StoreTable):   # the store's rows, never in memory (analysis.outofcore.store_data)
        return _from_store(table, var, by, lambda ooc, subset: proportion(
            ooc, "_y", var.choice_labels(table.lang), by="_by" if by else None, by_levels=_by_levels(table, by),
            level=level, deff=True, counts=True, subset=subset), table.codes(var.name))
    if ci_method != "logit" or not _large(table):
        return None
    v = categorical(table.design, var.name)   # the levels and codes the in-memory proportion uses
    return _run(table, _nullable(v.values), by, lambda ooc, by_levels, subset: proportion(
        ooc, "_y", v.levels, by="_by" if by else None, by_levels=by_levels, level=level, deff=True, counts=True,
        subset=subset))


def numbers(table, var, by: str | None, level: float, probs) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """(``mean(..., deff=True)``, ``quantile(..., probs)``) of a number question, or None (see :func:`shares`)."""
    if isinstance(table, StoreTable):
        by_col, by_levels = ("_by" if by else None), _by_levels(table, by)
        return _from_store(table, var, by, lambda ooc, subset: (
            numbers_module.mean(ooc, "_y", by=by_col, by_levels=by_levels, level=level, subset=subset),
            numbers_module.quantile(ooc, "_y", probs, by=by_col, by_levels=by_levels, level=level, subset=subset)),
            table.number(var.name))
    if not _large(table):
        return None
    values = pd.to_numeric(column(table.design, var.name)).to_numpy(dtype=float, na_value=np.nan)
    by_col = "_by" if by else None
    return _run(table, pa.array(values, mask=np.isnan(values)), by, lambda ooc, by_levels, subset: (
        numbers_module.mean(ooc, "_y", by=by_col, by_levels=by_levels, level=level, subset=subset),
        numbers_module.quantile(ooc, "_y", probs, by=by_col, by_levels=by_levels, level=level, subset=subset)))


def options(table, var, by: str | None, level: float, ci_method: str) -> pd.DataFrame | None:
    """A select_multiple's shares (the in-memory ``_options`` frame, ``level`` the options' labels) from
    the store's rows (StoreTable), or None: in memory."""
    if not isinstance(table, StoreTable) or ci_method != "logit":
        return None
    dummies = table.dummies(var.name)
    labels = dict(zip(dummies, var.choice_labels(table.lang)))
    r = _from_store(table, var, by, lambda ooc, subset: multiple.options(
        ooc, list(dummies), by="_by" if by else None, by_levels=_by_levels(table, by), level=level, subset=subset),
        None, dummies)
    r["level"] = r["level"].map(labels)
    return r


def crosstab_layers(table, rvar, cvar, lvar, percent: str, level: float, ci_method: str) -> list | None:
    """[(layer, long frame, test)] of a cross-tab on the store's rows (StoreTable), or None: in memory."""
    if not isinstance(table, StoreTable) or ci_method != "logit":
        return None
    from analysis.tables import out_of_core_crosstab
    return out_of_core_crosstab.layers(table, rvar, cvar, lvar, percent, level)


def _by_levels(table: StoreTable, by: str | None):
    return None if by is None else table.variables[by].choice_labels(table.lang)


def _from_store(table: StoreTable, var, by: str | None, estimate, values_sql: str | None, more: dict = None):
    """``estimate(design, subset)`` over the store's rows with ``_y`` = ``values_sql`` (and ``more``
    columns), ``_by`` the breakdown's codes; frames' ``_by`` renamed to ``by``."""
    columns = {**({"_y": values_sql} if values_sql else {}), **(more or {}), **({"_by": table.codes(by)} if by else {})}
    ooc, subset, con = table.design_of(columns)
    try:
        result = estimate(ooc, subset)
    finally:
        con.disconnect()
    rename = {"_by": by} if by else {}
    return tuple(r.rename(columns=rename) for r in result) if isinstance(result, tuple) else result.rename(
        columns=rename)


def _large(table) -> bool:
    """More rows than the setting (all the table's rows: a filter leaves them in the design)."""
    return table.design is not None and len(table.design.weights) > row_limit()


def _run(table, values: pa.Array, by: str | None, estimate):
    """``estimate(design, by_levels, subset)`` on an out-of-core copy of the table's design columns and
    ``values`` (column ``_y``; ``_by`` the domain codes; ``_in`` the filter in force, if any), its
    frames' ``_by`` renamed to ``by``."""
    d = table.design
    layout = _layout(d)
    if layout is None:
        return None
    data = d.data
    columns = {"_w": d.weights, "_y": values}
    subset = None if d.in_subset.all() else "_in"
    if subset:
        columns["_in"] = d.in_subset
    by_levels = None
    if by:
        by_codes, by_levels = factor_codes(column(d, by))
        columns["_by"] = _nullable(by_codes)
    design = {"strata": None, "fpc": None, "ssu": None, "fpc2": None}
    if layout["strata"]:
        columns["_s"], design["strata"] = _plain(data[layout["strata"]]), "_s"
    for i, col in enumerate(layout["psu"]):
        columns[f"_p{i}"] = _plain(data[col])
    for i, col in enumerate(layout["fpc"]):
        columns[f"_f{i}"] = pd.to_numeric(data[col]).to_numpy(float)
    cells, raking = [], None
    if layout["raking"] is not None:   # the margins' level codes, and the raking's joint cells
        codes, raking = calibration.raking_of(layout["raking"], d.weights)
        layout["cells"] = list(raking.by)
    for i, col in enumerate(layout["cells"]):
        columns[f"_c{i}"] = _plain(data[col]) if raking is None else codes[:, i]
        cells.append(f"_c{i}")
    with tempfile.TemporaryDirectory(prefix="survey-ooc-") as folder:   # mode 0700: rows of respondents
        path = Path(folder) / "rows.parquet"
        pq.write_table(pa.table(columns), path)
        con = outofcore.duckdb_connection(memory_limit="512MB", threads=2, temp_directory=folder)
        try:
            ooc = outofcore.OutOfCoreDesign(
                outofcore.read_parquet(con, path), weights="_w", strata=design["strata"], psu="_p0",
                fpc="_f0" if layout["fpc"] else None, lonely_psu=d.lonely_psu,
                ssu="_p1" if len(layout["psu"]) == 2 else None,
                fpc2="_f1" if len(layout["fpc"]) == 2 else None, poststrata=cells, raking=raking)
            result = estimate(ooc, by_levels, subset)
        finally:
            con.disconnect()
    rename = {"_by": by} if by else {}
    return tuple(r.rename(columns=rename) for r in result) if isinstance(result, tuple) else result.rename(
        columns=rename)


def _nullable(codes: np.ndarray) -> pa.Array:
    return pa.array(codes, mask=codes < 0, type=pa.int64())


def _plain(col: pd.Series) -> pa.Array:
    """A design column as plain values (categories as their values, no dictionary)."""
    values = col.astype(object) if isinstance(col.dtype, pd.CategoricalDtype) else col
    return pa.array(values.to_numpy(dtype=object) if values.dtype == object else values.to_numpy())
