"""What the analysis tables ask of a Dataset, answered from the store's rows out of core.

:class:`StoreData` stands in for :class:`analysis.dataset.dataset.Dataset` when the data is too
large for memory: its tables (:class:`StoreTable`) hold the variables (built from the
questionnaire, as ``tidy`` builds them, with the stored values that are not choices found by
DuckDB), the rows in the domain in force and a small ``design`` that says only which
variables the weights are calibrated to; the numbers come from :mod:`analysis.outofcore`
over the Parquet file of :mod:`analysis.outofcore.store_source` (``table.design_of``).
Its provenance is the Dataset's (:mod:`analysis.outofcore.store_provenance`), made from the same counts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Mapping

import pandas as pd

from analysis import outofcore
from analysis.dataset import assembly
from analysis.dataset.answer_columns import AnswerColumns, calculation_order, categorical, dummy_name, tidy
from analysis.dataset.provenance import Provenance
from analysis.messages import message
from analysis.outofcore.store_provenance import provenance
from analysis.outofcore.store_source import HEAD, StoreRows, in_list, lit, q
from survey.locale import texts
from survey.questionnaire.analysis_defaults import HEAD_PREFIX
from survey.questionnaire.expressions import evaluate, truthy
from survey.questionnaire.schema import table_schemas


@dataclass(frozen=True, eq=False)
class StoreTable:
    """One table as :func:`analysis.tables.question_tables.question_table` reads a TableData."""

    name: str
    variables: Mapping[str, AnswerColumns]
    own: frozenset
    lang: str
    path: object                 # the Parquet file of the rows (None: no rows)
    two_stage: bool
    strata: bool
    cells: tuple[str, ...]
    lonely_psu: str
    weighted: bool = True
    where: str | None = None     # SQL: the domain in force (None: every row)
    n: int = 0                   # rows in the domain
    stored: tuple[str, ...] = ()  # the answers' columns as stored (what a relevance can refer to)
    raking: object = None         # the cells are a raking's margins (analysis.outofcore.calibration.Raking)

    @property
    def design(self):
        """None without rows; else what the tables ask of a design (its calibration's variables)."""
        if self.path is None:
            return None
        fits = (SimpleNamespace(variables=self.cells),) if self.weighted and self.cells else ()
        return SimpleNamespace(calibration=fits)

    def design_of(self, columns: Mapping[str, str], memory_limit: str = "512MB", into=None):
        """(an OutOfCoreDesign over the rows with ``columns`` {name: SQL} added, ``_in`` the
        domain or None, the connection to disconnect).  ``into`` (a Parquet path in a private
        folder): the columns are worked out once and written there, for estimators that read
        them many times (the indicators), instead of at every pass."""
        extra = dict(columns)
        if self.where:
            extra["_in"] = f"coalesce({self.where}, false)"
        cells = [f"__c{i}" for i in range(len(self.cells))] if self.weighted else []
        weight = "__w" if self.weighted else "CAST(1.0 AS DOUBLE) AS __w"
        design = [weight, "__p0", *(["__s"] if self.strata else []),
                  *(["__p1", "__f0", "__f1"] if self.two_stage else []), *cells]
        select = ", ".join([*design, *(f"{sql} AS {q(name)}" for name, sql in extra.items())])
        spill = None if into is None else str(Path(into).parent)   # the private folder, for what DuckDB spills
        con = outofcore.duckdb_connection(memory_limit=memory_limit, threads=2, temp_directory=spill)
        try:
            if into is not None:
                con.raw_sql(f"COPY (SELECT {select} FROM read_parquet({lit(self.path)})) TO {lit(into)} "
                            "(FORMAT parquet)")
                select = "*"
            source = lit(self.path if into is None else into)
            con.raw_sql(f"CREATE TEMP VIEW rows AS SELECT {select} FROM read_parquet({source})")
            t = con.table("rows")
            d = outofcore.OutOfCoreDesign(t, weights="__w", strata="__s" if self.strata else None, psu="__p0",
                                          fpc="__f0" if self.two_stage else None, lonely_psu=self.lonely_psu,
                                          ssu="__p1" if self.two_stage else None,
                                          fpc2="__f1" if self.two_stage else None, poststrata=cells,
                                          raking=self.raking if cells else None)
        except BaseException:
            con.disconnect()
            raise
        return d, ("_in" if self.where else None), con

    def codes(self, name: str) -> str:
        """SQL: the position of ``name``'s answer among its choices (NULL: unanswered)."""
        var = self.variables[name]
        cases = " ".join(f"WHEN {lit(c)} THEN {i}" for i, c in enumerate(var.choices))
        return f"(CASE CAST({q(name)} AS VARCHAR) {cases} END)"

    def is_code(self, name: str, code: int) -> str:
        """SQL: 1.0 where ``name``'s answer is the choice at position ``code``, 0.0 another, NULL unanswered."""
        codes = self.codes(name)
        return f"(CASE WHEN {codes} IS NULL THEN NULL WHEN {codes} = {code} THEN 1.0 ELSE 0.0 END)"

    def number(self, name: str) -> str:
        return f"TRY_CAST({q(name)} AS DOUBLE)"

    def dummies(self, name: str) -> dict[str, str]:
        """SQL per option of a select_multiple: 1 chosen, 0 not, NULL not asked (answer_columns.dummy_parts)."""
        var = self.variables[name]
        col = q(name)
        answered = f"({col} IS NOT NULL)"
        now = self._asked(var.question) or answered
        unknown = f"NOT (({now}) AND ({answered} OR {'FALSE' if var.question.required else 'TRUE'}))"
        return {column: f"(CASE WHEN {unknown} THEN NULL WHEN list_contains({col}, {lit(c)}) THEN 1 ELSE 0 END)"
                for column, c in zip(var.columns, var.choices)}

    def _asked(self, question) -> str | None:
        """SQL: the question's relevance, evaluated once per distinct combination of the answers it
        refers to (answer_columns.asked); None when it refers to answers this table lacks."""
        if question.relevant is None:
            return "TRUE"
        refs = sorted(question.relevant.references)
        if not refs:
            return "TRUE" if truthy(evaluate(question.relevant, {})) else "FALSE"
        if any(r not in self.stored for r in refs):
            return None
        import duckdb
        with duckdb.connect() as con:
            combos = con.execute(f"SELECT DISTINCT {', '.join(q(r) for r in refs)} FROM read_parquet({lit(self.path)})"
                                 ).fetchall()
        cases = []
        for combo in combos:
            answers = {r: (" ".join(map(str, v)) if isinstance(v, list) else v) for r, v in zip(refs, combo)}
            answers = {r: (None if isinstance(v, float) and v != v else v) for r, v in answers.items()}
            match = " AND ".join(_same(r, v) for r, v in zip(refs, combo))
            cases.append(f"WHEN {match} THEN {'TRUE' if truthy(evaluate(question.relevant, answers)) else 'FALSE'}")
        return f"(CASE {' '.join(cases)} ELSE FALSE END)" if cases else "FALSE"


@dataclass(frozen=True, eq=False)
class StoreData:
    """A Dataset's place for the tables' builders (see the module docstring)."""

    instrument: object
    lang: str
    tables: Mapping[str, StoreTable]
    provenance: Provenance
    rows: StoreRows

    @property
    def main(self) -> StoreTable:
        return self.tables[self.instrument.id]

    def table_of(self, question: str) -> StoreTable:
        for table in self.tables.values():
            if question in table.own:
                return table
        raise KeyError(f"{self.instrument.id} has no question {question!r} in its analysis data")

    def questions(self) -> list[AnswerColumns]:
        """As Dataset.questions: choices and numbers, form order, PII and interview-ending ones left out."""
        out = []
        for x in self.instrument.all_questions():
            for table in self.tables.values():
                var = table.variables.get(x.name)
                if x.name in table.own and var is not None and var.kind in ("categorical", "multiple", "number") \
                        and not x.pii and x.end_if is None:
                    out.append(var)
        return out

    def view(self, weighted: bool = True, dates=None, enumerators=None, statuses=None, answers=()) -> "StoreData":
        """The data in a domain (``Dataset.filter``) and/or with equal weights (``Dataset.unweighted``)."""
        data = self
        if any(v is not None for v in (dates, enumerators, statuses)) or answers:
            data = data._filtered(dates, enumerators, statuses, dict(answers))
        if not weighted and data.provenance.weighted:
            switched = message("weights.unweighted", reason=message("reason.switch").texts).texts
            tables = {name: replace(t, weighted=False) for name, t in data.tables.items()}
            weights = {name: (switched if t.path is not None else data.provenance.weights[name])
                       for name, t in data.tables.items()}
            data = replace(data, tables=tables, provenance=replace(data.provenance, weighted=False, weights=weights))
        return data

    def _filtered(self, dates, enumerators, statuses, answers: dict) -> "StoreData":
        used: dict = {}
        household: list[str] = []
        if dates is not None:
            day = "CAST(make_timestamp(epoch_us({col}) + 25200000000) AS DATE)"   # WIB: UTC+7, no daylight saving
            first, last = dates
            cond = ["{col} IS NOT NULL"]
            if first is not None:
                cond.append(f"{day} >= DATE {lit(pd.Timestamp(first).date().isoformat())}")
            if last is not None:
                cond.append(f"{day} <= DATE {lit(pd.Timestamp(last).date().isoformat())}")
            household.append(("_submitted_at", " AND ".join(cond)))
            used["dates"] = tuple("" if d is None else str(d) for d in dates)
        for column, values, key in (("_enumerator", enumerators, "enumerators"), ("_status", statuses, "statuses")):
            if values is not None:
                values = list(values)
                household.append((column, f"CAST({{col}} AS VARCHAR) IN {in_list(values)}"))
                used[key] = tuple(values)
        tables = {}
        for name, table in self.tables.items():
            if table.path is None:
                tables[name] = table
                continue
            main = name == self.instrument.id
            conds = [sql.format(col=q(col if main else f"__h{col}")) for col, sql in household]
            for question, choices in answers.items():
                if question in table.variables:
                    if table.variables[question].kind != "categorical":
                        raise ValueError(f"filter: {question!r} is not a choice question")
                    kept = [c for c in choices if c in table.variables[question].choices]
                    conds.append(f"CAST({q(question)} AS VARCHAR) IN {in_list(kept)}")
            where = " AND ".join(f"({c})" for c in conds) if conds else None
            tables[name] = replace(table, where=where, n=count(table.path, where))
        for question, choices in answers.items():
            if not any(question in t.variables for t in self.tables.values()):
                raise KeyError(f"filter: {self.instrument.id} has no choice question {question!r}")
            used[question] = tuple(choices)
        provenance = replace(self.provenance, filters={**self.provenance.filters, **used},
                             in_filter=tables[self.instrument.id].n)
        return replace(self, tables=tables, provenance=provenance)


def _same(column: str, value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return f"({q(column)} IS NULL" + (f" OR isnan({q(column)}))" if isinstance(value, float) else ")")
    if isinstance(value, list):
        return f"{q(column)} IS NOT DISTINCT FROM {'[' + ', '.join(lit(v) for v in value) + ']'}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{q(column)} = {value!r}"
    return f"CAST({q(column)} AS VARCHAR) = {lit(value)}"


def count(path, where: str | None) -> int:
    import duckdb
    with duckdb.connect() as con:
        cond = f" WHERE coalesce({where}, false)" if where else ""
        return int(con.execute(f"SELECT count(*) FROM read_parquet({lit(path)}){cond}").fetchall()[0][0])


# ---- variables ------------------------------------------------------------------------------
def _with_strays(variables: dict, strays: Mapping[str, tuple], lang: str) -> dict:
    """The variables' choices with the stored values that are not choices, as tidy orders them."""
    out = dict(variables)
    for name, values in strays.items():
        var = out.get(name)
        if var is not None and var.kind == "multiple":   # dummies: the choices, then the others sorted
            names = (*var.question.choices, *sorted(set(values) - set(var.question.choices)))
            out[name] = replace(var, columns=tuple(dummy_name(name, c) for c in names), choices=names)
            continue
        if var is None or var.kind != "categorical":
            continue
        order = calculation_order(var.question) if var.question.kind.computed else None
        _, names = categorical(pd.Series(list(values), dtype="string"), var.question, lang, order)
        out[name] = replace(var, choices=names)
    return out


def build(rows: StoreRows, inst, lang: str) -> StoreData:
    """The StoreData of ``rows`` with labels in ``lang`` (weighted, every row)."""
    spec = inst.design
    schemas = table_schemas(inst)
    tables: dict[str, StoreTable] = {}
    main_rows = rows.tables[inst.id]
    main_questions = [x for x in inst.questions if not x.kind.is_repeat]
    empty = schemas[inst.id].empty_table().to_pandas()
    _, variables = tidy(empty, main_questions, lang)   # every question's, as read() gives every column
    variables = _with_strays(variables, main_rows.strays, lang)
    main_vars = dict(variables)
    members_vars: dict[str, dict] = {}
    for repeat in inst.repeats:
        name = inst.table_name(repeat)
        r = rows.tables[name]
        if r.path is None:
            tables[name] = StoreTable(name, {}, frozenset(x.name for x in repeat.questions), lang, None, False,
                                      False, (), spec.lonely_psu)
            continue
        empty = schemas[name].empty_table().to_pandas()
        _, own = tidy(empty, repeat.questions, lang)
        own = _with_strays(own, r.strays, lang)
        members_vars[name] = own
        rule = spec.repeats.get(repeat.name)
        inherited = [c for c in dict.fromkeys([spec.strata, spec.psu, *(rule.by if rule else ())])
                     if c is not None and c in main_rows.columns and c not in own and c in main_vars]
        all_vars = {**{c: main_vars[c] for c in inherited}, **own}
        tables[name] = StoreTable(name, all_vars, frozenset(own), lang, r.path, r.two_stage, r.strata, r.cells,
                                  spec.lonely_psu, n=r.rows, stored=r.stored, raking=r.raking)
    heads = _head_variables(inst, main_rows.head, members_vars)
    main = StoreTable(inst.id, {**main_vars, **heads}, frozenset(main_vars) | frozenset(heads), lang, main_rows.path,
                      main_rows.two_stage, main_rows.strata, main_rows.cells, spec.lonely_psu, n=main_rows.rows,
                      stored=main_rows.stored, raking=main_rows.raking)
    tables = {inst.id: main, **tables}
    return StoreData(inst, lang, tables, provenance(rows, inst, tables, lang), rows)


def _head_variables(inst, head_columns, members_vars: dict) -> dict:
    """head_<question> variables as assembly.with_head makes them (when the members say who the head is)."""
    question, choice = HEAD
    for own in members_vars.values():
        rel = own.get(question)
        if rel is None or rel.kind != "categorical" or choice not in rel.choices:
            continue
        out = {}
        for var in own.values():
            name = HEAD_PREFIX + var.name
            if name not in head_columns:
                continue
            title = texts(assembly.TEXTS, "head_title", label=var.labels)
            out[name] = AnswerColumns(var.question, var.kind, (name,), var.choices, name, title)
        return out
    return {}
