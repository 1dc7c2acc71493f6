"""The Indicators page's household and individual tables (ITU HH1-HH18) out of core, past
``SURVEY_OUT_OF_CORE_ROWS`` rows: from the store's rows (:class:`analysis.outofcore.store_data.StoreData`),
never the in-memory Dataset.

The indicators are the ones :mod:`analysis.indicators.itu` defines, read through the same
:func:`~analysis.indicators.itu.sources` (which column, which choice), and every definition is
row-local: a household's answers are on its row (the head of household's too), a member's on
the member's row, age groups are the stored ``calculate`` answer.  Their denominators and
``zero_where`` rows (:class:`~analysis.indicators.itu.equals`,
:class:`~analysis.indicators.itu.age_at_least`) say themselves in SQL, so DuckDB writes each
indicator's 0/1 values (or HH16's rupiah), each denominator (the filter in force, members aged 5+,
the indicator's own ``among``) and the breakdown's codes beside the design columns into a private
Parquet file, once; then each indicator's shares are :func:`analysis.outofcore.multiple.options`
(R's ``svyciprop`` logit interval, ``svymean`` deff) and HH16 :func:`analysis.outofcore.numbers.mean`,
each a domain of the full design as in memory (two stages and post-strata included).  The results
equal :func:`analysis.indicators.sections.household_indicator_table` and
:func:`~analysis.indicators.sections.individual_indicator_table` to 1e-9, with the note
:data:`analysis.tables.out_of_core.NOTE`.  An indicator whose values are not one question's
answers (``Indicator.values``) or a domain without SQL returns None: the caller goes in memory.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd

from analysis.indicators import itu
from analysis.indicators import sections as indicator_sections
from analysis.outofcore import multiple, numbers
from analysis.tables import out_of_core

__all__ = ["estimate_indicators", "handles", "household_indicator_table", "individual_indicator_table",
           "supported"]


def supported(indicators) -> bool:
    """Whether every indicator is one question's answers with domains that say themselves in SQL."""
    domains = [d for ind in indicators for d in (ind.among, ind.zero_where) if d is not None]
    return all(ind.values is None for ind in indicators) and all(hasattr(d, "sql") for d in domains)


def _value_sql(table, ind, source, dummies: dict) -> str:
    """SQL of one part's values (0/1 or a number, NULL missing) as :func:`itu._parts` makes them;
    ``dummies``: a select_multiple's options (StoreTable.dummies, worked out once per question)."""
    if source[0] == "number":
        return dummies[source[1]] if source[1] in dummies else table.number(source[1])
    if source[0] == "yes_no":
        return f"(CASE {table.codes(ind.question)} WHEN {source[1]} THEN 1.0 WHEN {source[2]} THEN 0.0 END)"
    return table.is_code(ind.question, source[1])


def estimate_indicators(table, indicators, by: str | None = None, level: float = 0.95,
                        scope=None) -> pd.DataFrame | None:
    """As :func:`analysis.indicators.itu.estimate_indicators` (logit intervals) on a StoreTable;
    ``scope``: a domain with ``sql`` (members aged 5+).  None when the indicators are not all
    :func:`supported`."""
    indicators = tuple(indicators)
    if not supported(indicators) or (scope is not None and not hasattr(scope, "sql")):
        return None
    if table.design is None:
        return pd.DataFrame(columns=itu.RESULT_COLUMNS[:4] + ([by] if by else []) + itu.RESULT_COLUMNS[4:])
    if by is not None and by not in table.variables:
        raise KeyError(f"by column {by!r} is not in the data; columns are {list(table.variables)}")
    columns, blocks = {}, []
    for ind in indicators:
        parts = []
        is_multiple = not ind.mean and table.variables[ind.question].kind == "multiple"
        dummies = table.dummies(ind.question) if is_multiple else {}
        for category, cat_label, source in itu.sources(table, ind):
            sql = _value_sql(table, ind, source, dummies)
            if ind.zero_where is not None:
                sql = f"(CASE WHEN {ind.zero_where.sql(table)} THEN 0.0 ELSE {sql} END)"
            name = f"_v{len(columns)}"
            columns[name] = f"CAST({sql} AS DOUBLE)"   # SQL's 1.0 is a decimal, which Ibis's arithmetic keeps
            parts.append((category, *itu.part_text(ind, category, cat_label), name))
        blocks.append((ind, parts))
    # the domains: the filter in force, the scope, and each denominator (as nested subsets in memory)
    base = [f"coalesce({table.where}, FALSE)"] if table.where else []
    if scope is not None:
        base.append(scope.sql(table))
    domains = {}
    for ind, _ in blocks:
        conds = base + ([ind.among.sql(table)] if ind.among is not None else [])
        key = id(ind.among)
        if conds and key not in domains:
            domains[key] = f"_d{len(domains)}"
            columns[domains[key]] = " AND ".join(f"({c})" for c in conds)
    by_col, by_levels = (None, None) if by is None else ("_by", list(table.variables[by].choices))
    if by is not None:
        columns["_by"] = table.codes(by)
    unfiltered = table if table.where is None else _without_filter(table)
    with tempfile.TemporaryDirectory(prefix="survey-ooc-indicators-") as folder:   # mode 0700: respondents' rows
        ooc, _, con = unfiltered.design_of(columns, into=Path(folder) / "indicators.parquet")
        try:
            out = []
            for ind, parts in blocks:
                subset = domains.get(id(ind.among))
                names = [name for *_, name in parts]
                if ind.mean:
                    r = numbers.mean(ooc, names[0], by=by_col, by_levels=by_levels, level=level,
                                     subset=subset).assign(level=names[0])
                else:
                    r = multiple.options(ooc, names, by=by_col, by_levels=by_levels, level=level,
                                         subset=subset).drop(columns="count")
                    r[["estimate", "se", "ci_low", "ci_high"]] *= 100
                r = r.rename(columns={"_by": by}) if by else r
                info = {name: (category, text, sdg) for category, text, sdg, name in parts}
                out.append(itu.indicator_rows(ind, r, info, by, itu.kind_of(table, ind)))
        finally:
            con.disconnect()
    return itu.result_of(out, by)


def _without_filter(table):
    """The table with the filter in force left to the domains' columns (design_of would add ``_in``)."""
    return replace(table, where=None)


def handles(data, builder, by: str | None) -> bool:
    """Whether ``builder`` (:func:`household_indicator_table` or :func:`individual_indicator_table`) makes
    its table from ``data`` (a StoreData): its indicators say themselves in SQL and ``by``, if any, is a
    choice question of its table (else the in-memory path answers, or says what is wrong)."""
    members = builder is individual_indicator_table
    if not supported(itu.INDIVIDUAL_INDICATORS if members else itu.HOUSEHOLD_INDICATORS):
        return False
    table = _members(data) if members else data.main
    if by is None or table is None or table.path is None:
        return True
    return by in table.variables and table.variables[by].kind == "categorical"


def _estimated(table, indicators, by, level, scope=None) -> pd.DataFrame:
    result = estimate_indicators(table, indicators, by=by, level=level, scope=scope)
    if result is None:
        raise NotImplementedError("an indicator or domain without SQL: compute it in memory")
    return result


def _members(data):
    """The member table: the first repeat group's, as the Dataset's first table with a household."""
    return next((t for name, t in data.tables.items() if name != data.instrument.id), None)


def household_indicator_table(data, by: str | None = None, level: float = 0.95):
    """The household section's table (:func:`analysis.indicators.sections.household_indicator_table`) from
    a StoreData, or None while it has no rows (the caller checks :func:`supported` first)."""
    if data.main.design is None:
        return None
    result = _estimated(data.main, itu.HOUSEHOLD_INDICATORS, by, level)
    return indicator_sections.household_table_of(result, data, by, level).with_note(out_of_core.NOTE)


def individual_indicator_table(data, by: str | None = None, level: float = 0.95):
    """The individual section's table (members aged 5+) from a StoreData, as
    :func:`household_indicator_table`."""
    members = _members(data)
    if data.main.design is None or members is None or members.design is None:
        return None
    result = _estimated(members, itu.INDIVIDUAL_INDICATORS, by, level, itu.age_at_least(itu.MIN_AGE))
    return indicator_sections.individual_table_of(result, data, members, by, level).with_note(out_of_core.NOTE)
