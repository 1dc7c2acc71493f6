"""An instrument's analysis rows straight from the store, out of core: answers and design weights.

The in-memory path (:func:`analysis.dataset.dataset.load_dataset`) reads every answer into
pandas and makes the weights there.  Here DuckDB does the row-level work on Parquet copies of
the store's current rows (``ResponseStore.copy_current``) and writes one Parquet file per
table (the main table, then each repeat group) with the kept rows, their answers as stored
and the design columns:

* kept rows: a counted status, the ``fieldwork:`` block's completion answers (or none), the
  strata and PSU answered, as ``load_dataset`` keeps them; the left-out ones are counted;
* base weights ``1 / (prob_psu * prob_within)`` from ``frame.csv`` (``prob_within`` missing:
  responding / ``households_in_psu``), times the non-response adjustment within PSU
  ``(sampled - ineligible) / responded`` where ``prob_within`` is given - all PSU-level
  numbers, from group sums (:mod:`analysis.dataset.design_weights`,
  :mod:`analysis.dataset.response_rates`);
* the two stages' population sizes from the frame (``stages: 2``);
* post-stratification to ``population.csv`` as cell sums (cells without a response left
  out, R's ``partial=TRUE``), or raking to its margins on the sums of the margins' joint cells
  (:mod:`analysis.outofcore.calibration`); a repeat group's rows carry their household's final
  weight and design columns before their own calibration;
* the head of household's answers as ``head_<question>`` columns of the main table.

Design columns: ``__w`` (weight), ``__s`` (stratum), ``__p0``/``__p1`` (PSU, household),
``__f0``/``__f1`` (the stages' population sizes), ``__c0...`` (post-strata, or raking margins).
What this path does not reproduce (``base: counts``, a census, a raking that fails or warns, a
design column the data lack,
a frame or totals that do not fit the responses: the in-memory path's fallbacks and notes)
raises :class:`NotOutOfCore`, and the caller takes the in-memory path.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analysis.dataset.datafiles import FRAME_FILE, POPULATION_FILE, numbers, population_totals, read_csv
from analysis.dataset.design_weights import STAGE_COLUMNS
from analysis.dataset.response_rates import frame_sampled
from analysis.outofcore import calibration
from survey.questionnaire.analysis_defaults import HEAD_PREFIX
from survey.questionnaire.schema import COUNTED_STATUSES

MAIN_ORDER = ("_submitted_at", "_response_id", "_revision")   # the orders ResponseStore.read gives
REPEAT_ORDER = ("_response_id", "_revision", "_member_index")
HEAD = ("relationship", "head")                                # as analysis.dataset.assembly.HEAD


class NotOutOfCore(Exception):
    """The design (or data) is one only the in-memory path handles; the message says why, ``code`` in
    a word for the page's note: census, counts, raking, empty (no responses kept) or design."""

    def __init__(self, why: str, code: str = "design"):
        super().__init__(why)
        self.code = code


@dataclass
class RowsTable:
    """One table's analysis rows on disk (lang-free)."""

    name: str
    path: Path | None                     # None: no rows
    rows: int
    columns: tuple[str, ...]              # the file's columns
    two_stage: bool = False
    fpc: bool = False
    strata: bool = False
    cells: tuple[str, ...] = ()           # the post-stratification's questions ((): not calibrated)
    strays: dict = field(default_factory=dict)   # choice question -> stored values that are not choices
    head: tuple[str, ...] = ()            # head_<question> columns (main table)
    repeat: bool = False
    stored: tuple[str, ...] = ()          # the columns copied from the store (the answers tidy sees)
    raking: object = None                 # a calibration.Raking when the cells are raking margins


@dataclass(eq=False)
class StoreRows:
    """An instrument's analysis rows (see the module docstring), in a private folder."""

    instrument_id: str
    folder: Path
    tables: dict[str, RowsTable]
    stored: int
    excluded: dict[str, int]
    data_versions: tuple[int, ...]
    last_submitted_at: pd.Timestamp | None
    enumerators: tuple[str, ...]
    days: tuple | None                  # (first, last) WIB days
    statuses: tuple[str, ...]
    base_method: str                    # "frame" | "equal"
    notes: list = field(default_factory=list)    # (code, {values}) in the order the in-memory path says them
    empty_cells: dict = field(default_factory=dict)   # table -> [cell tuples of choice names] left out
    # (raking: [(question, choice name)] of each margin's levels left out)
    labelled: dict = field(default_factory=dict)      # lang -> its StoreData (analysis.outofcore.store_data)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def in_list(values) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")" if values else "(NULL)"


def supported(spec) -> str | None:
    """Why ``spec`` (a SamplingDesign) is not out of core, or None when it is."""
    if spec.census is not None:
        return "a census"
    if spec.base not in ("frame", "none", "equal"):
        return f"base weights from {spec.base}"
    if spec.fpc is not None:
        return "an fpc question"
    rules = [spec.calibrate, *spec.repeats.values()]
    if any(r is not None and r.method not in ("poststratify", "rake") for r in rules):
        return "raking or GREG"
    if spec.lonely_psu not in ("fail", "adjust", "remove"):
        return f"lonely_psu {spec.lonely_psu}"
    return None


def code_of(why: str) -> str:
    """The word for the page's note of a reason :func:`supported` gives."""
    return {"a census": "census", "raking or GREG": "raking"}.get(why, "counts" if why.startswith("base") else "design")


def build(store, instrument_id: str, statuses=COUNTED_STATUSES, memory_limit: str = "1GB") -> StoreRows:
    """The analysis rows of ``instrument_id`` (see the module docstring); raises NotOutOfCore."""
    inst = store.instrument(instrument_id)
    spec = inst.design
    why = supported(spec)
    if why:
        raise NotOutOfCore(why, code_of(why))
    folder = Path(tempfile.mkdtemp(prefix="survey-ooc-pages-"))   # mode 0700: rows of respondents
    try:
        return _Builder(store, inst, spec, tuple(statuses), folder, memory_limit).run()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _design_columns(spec, cell_sql: str, cells, two_stage: bool, row: str = "") -> list[str]:
    """The design's columns a table's rows are written with: weight, PSU (and households as the
    second stage), stratum and post-strata cells; ``row``: the rows' alias with its dot."""
    psu = spec.psu or "_response_id"
    design = [f"{row}__w0 * {cell_sql} AS __w", f"CAST({row}{q(psu)} AS VARCHAR) AS __p0",
              f"{row}_response_id AS __p1" if two_stage else "NULL AS __p1"]
    if spec.strata:
        design.append(f"CAST({row}{q(spec.strata)} AS VARCHAR) AS __s")
    return design + [f"CAST({row}{q(c)} AS VARCHAR) AS __c{i}" for i, c in enumerate(cells)]


class _Builder:
    def __init__(self, store, inst, spec, statuses, folder: Path, memory_limit: str):
        self.store, self.inst, self.spec, self.statuses, self.folder = store, inst, spec, statuses, folder
        self.con = duckdb.connect(config={"memory_limit": memory_limit, "threads": 2,
                                          "temp_directory": str(folder / "spill"),
                                          "preserve_insertion_order": False})
        self.notes: list = []
        self.empty_cells: dict = {}
        self.raking: dict = {}     # table -> calibration.Raking

    # ---- the main table ------------------------------------------------------------------
    def run(self) -> StoreRows:
        try:
            return self._run()
        finally:
            self.con.close()

    def _wanted(self) -> list[str]:
        """The stored columns the analysis reads: metadata, design and fieldwork answers, and the
        questions with estimates (text answers such as names and addresses stay in the store)."""
        inst, spec = self.inst, self.spec
        meta = ["_response_id", "_revision", "_member_index", "_status", "_submitted_at", "_enumerator",
                "_instrument_version"]
        design = [spec.strata, spec.psu, *(spec.calibrate.by if spec.calibrate else ()),
                  *(b for r in spec.repeats.values() for b in r.by), *(x for x, _ in inst.fieldwork.completion),
                  inst.fieldwork.outcome]
        answers = [x.name for x in inst.all_questions() if x.kind.analysis_kind in ("categorical", "multiple", "number")]
        refs = [r for x in inst.all_questions() if x.kind.analysis_kind == "multiple" and x.relevant is not None
                for r in sorted(x.relevant.references)]   # whether a select_multiple was asked
        return [c for c in dict.fromkeys([*meta, *design, *answers, *refs]) if c is not None]

    def _copy(self, table: str) -> tuple[str, list[str]] | None:
        # unsorted: every query below groups, joins or orders explicitly, and the sort of millions of rows
        # was most of the build
        path = self.store.copy_current(table, self.folder / f"{table}.stored.parquet", self._wanted(), ordered=False)
        if path is None:
            return None
        source = f"read_parquet({lit(path)})"
        columns = [r[0] for r in self.con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        return source, columns

    def _run(self) -> StoreRows:
        inst, spec, con = self.inst, self.spec, self.con
        copied = self._copy(inst.id)
        if copied is None:
            raise NotOutOfCore("no responses yet", "empty")
        stored_src, cols = copied
        con.execute(f"CREATE VIEW stored AS SELECT * FROM {stored_src}")
        stored = con.execute("SELECT count(*) FROM stored").fetchall()[0][0]
        keys = [c for c in (spec.strata, spec.psu) if c is not None]
        if any(k not in cols for k in keys):
            raise NotOutOfCore("a design column the data lack")
        keep, excluded = self._kept(cols, keys)
        con.execute(f"CREATE VIEW kept AS SELECT * FROM stored WHERE {keep}")
        n_kept = con.execute("SELECT count(*) FROM kept").fetchall()[0][0]
        if n_kept == 0:
            raise NotOutOfCore("no responses kept", "empty")
        psus, method, two_stage = self._psu_weights(cols, keys)
        if spec.lonely_psu == "fail" and spec.psu is not None and (
                (spec.strata and (psus.groupby(f"k_{spec.strata}").size() == 1).any())
                or (two_stage and (psus["responded"] == 1).any())):
            raise NotOutOfCore("a lonely unit under lonely_psu: fail")   # the in-memory design's fallback and note
        con.register("psu_w", psus)
        join = " AND ".join(f"CAST(k.{q(c)} AS VARCHAR) = psu_w.{q('k_' + c)}" for c in keys)
        weighted = (f"SELECT k.*, psu_w.w0 AS __w0, psu_w.f1 AS __f0, psu_w.f2 AS __f1 FROM kept k "
                    f"JOIN psu_w ON {join}" if keys else
                    "SELECT k.*, CAST(1.0 AS DOUBLE) AS __w0, NULL::DOUBLE AS __f0, NULL::DOUBLE AS __f1 FROM kept k")
        con.execute(f"CREATE VIEW base AS {weighted}")
        if two_stage:
            two_stage = self._stages_hold("base", MAIN_ORDER)
        main_cells, cell_sql, cell_join = self._poststratify("base", spec.calibrate, inst.id, cols)
        head_sql, head_cols, members = self._members_head(cols)
        design = _design_columns(spec, cell_sql, main_cells, two_stage)
        path = self.folder / f"{inst.id}.parquet"
        con.execute(f"COPY (SELECT b.*, {', '.join(design)}{head_sql} FROM base b {cell_join} {head_cols}) TO {lit(path)} "
                    "(FORMAT parquet)")
        main_columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({lit(path)})").fetchall()]
        tables = {inst.id: RowsTable(inst.id, path, n_kept, tuple(main_columns), two_stage, two_stage,
                                     bool(spec.strata), tuple(main_cells), self._strays(path, inst.id, main_columns),
                                     tuple(c for c in main_columns if c.startswith(HEAD_PREFIX)), stored=tuple(cols),
                                     raking=self.raking.get(inst.id))}
        for repeat in inst.repeats:
            name = inst.table_name(repeat)
            tables[name] = self._repeat(repeat, name, path, main_columns, two_stage, members.get(name))
        info = con.execute(
            "SELECT list(DISTINCT _instrument_version), max(_submitted_at), list(DISTINCT CAST(_enumerator AS VARCHAR)),"
            " min(_submitted_at), max(_submitted_at) FROM kept" if "_enumerator" in cols and "_instrument_version" in cols
            else "SELECT [], max(_submitted_at), [], min(_submitted_at), max(_submitted_at) FROM kept").fetchall()[0]
        versions, last, enumerators, first_at, last_at = info
        days = None
        if first_at is not None:
            days = tuple(pd.Timestamp(t).tz_convert("Asia/Jakarta").date() for t in (first_at, last_at))
        return StoreRows(inst.id, self.folder, tables, stored, excluded,
                         tuple(sorted(int(v) for v in versions if v is not None)),
                         None if last is None else pd.Timestamp(last).tz_convert("UTC"),
                         tuple(sorted(e for e in enumerators if e is not None)), days, self.statuses, method, self.notes,
                         self.empty_cells)

    def _kept(self, cols: list[str], keys: list[str]) -> tuple[str, dict[str, int]]:
        """The SQL condition of the kept rows, and the counts of those left out (as ``_kept``)."""
        con, excluded = self.con, {}
        conditions = []
        if "_status" in cols:
            ok = f"coalesce(CAST(_status AS VARCHAR) IN {in_list(self.statuses)}, false)"
            for value, n in con.execute(f"SELECT CAST(_status AS VARCHAR), count(*) FROM stored WHERE NOT {ok} "
                                        "GROUP BY 1 ORDER BY 2 DESC, 1").fetchall():
                excluded[f"status: {'<NA>' if value is None else value}"] = int(n)
            conditions.append(ok)
        for question, wanted in self.inst.fieldwork.completion:
            if question in cols:
                answer = f"CAST({q(question)} AS VARCHAR)"
                ok = f"({answer} IS NULL OR {answer} = {lit(wanted)})"
                so_far = " AND ".join(conditions) or "TRUE"
                for value, n in con.execute(f"SELECT {answer}, count(*) FROM stored WHERE {so_far} AND NOT {ok} "
                                            "GROUP BY 1 ORDER BY 2 DESC, 1").fetchall():
                    excluded[f"{question}: {value}"] = int(n)
                conditions.append(ok)
        if keys:
            so_far = " AND ".join(conditions) or "TRUE"
            lacking = " OR ".join(f"{q(k)} IS NULL" for k in keys)
            n = con.execute(f"SELECT count(*) FROM stored WHERE {so_far} AND ({lacking})").fetchall()[0][0]
            if n:
                self.notes.append(("design.missing_design", {"count": int(n), "columns": " / ".join(keys)}))
                excluded["missing design answers"] = int(n)
            conditions.append(f"NOT ({lacking})")
        return " AND ".join(conditions) or "TRUE", excluded

    # ---- base weights and the non-response adjustment, per PSU ---------------------------
    def _psu_weights(self, cols: list[str], keys: list[str]) -> tuple[pd.DataFrame, str, bool]:
        """One row per PSU of the kept rows: keys (text), w0 (the base weight, non-response
        adjusted), f1, f2 (the stages' population sizes); the method; two stages or not."""
        spec, con = self.spec, self.con
        if not keys:
            if spec.base == "frame":
                raise NotOutOfCore("a frame without strata or PSUs")
            return pd.DataFrame(), "equal", False
        k_sql = ", ".join(f"CAST({q(k)} AS VARCHAR) AS {q('k_' + k)}" for k in keys)
        kk = [f"k_{k}" for k in keys]
        psus = con.execute(f"SELECT {k_sql}, count(*) AS responded FROM kept GROUP BY ALL").df()
        psus["f1"], psus["f2"] = np.nan, np.nan
        if spec.base != "frame":
            psus["w0"] = 1.0
            return psus, "equal", False
        root = Path(self.store.root)
        frame = read_csv(root / FRAME_FILE) if (root / FRAME_FILE).exists() else None
        if frame is None or any(k not in frame.columns for k in keys) or "prob_psu" not in frame.columns:
            raise NotOutOfCore("no frame.csv, or one that does not fit")
        at_frame = pd.MultiIndex.from_frame(frame[keys].astype(str))
        if at_frame.has_duplicates:
            raise NotOutOfCore("frame.csv repeats a PSU")
        pos = at_frame.get_indexer(pd.MultiIndex.from_frame(psus[kk].set_axis(keys, axis=1)))
        if (pos < 0).any():
            raise NotOutOfCore("PSUs missing from frame.csv")
        col = lambda name: numbers(frame[name])[pos] if name in frame.columns else np.full(len(psus), np.nan)  # noqa: E731
        p1, given = col("prob_psu"), col("prob_within")
        responded = psus["responded"].to_numpy(dtype=float)
        derive = np.isnan(given)
        if derive.any() and "households_in_psu" not in frame.columns:
            raise NotOutOfCore("prob_within missing without households_in_psu")
        p2 = np.where(derive, responded / col("households_in_psu"), given)
        if not (((p1 > 0) & (p1 <= 1)).all() and ((p2 > 0) & (p2 <= 1)).all()):
            raise NotOutOfCore("selection probabilities outside (0, 1]")
        factor = self._nonresponse(psus, keys, frame, cols)
        psus["w0"] = 1.0 / (p1 * p2) * np.where(~derive, factor, 1.0)
        two_stage = False
        if spec.stages >= 2:
            sizes = [col(c) for c in STAGE_COLUMNS] if all(c in frame.columns for c in STAGE_COLUMNS) else []
            if sizes and not any(np.isnan(v).any() or (v <= 0).any() for v in sizes):
                psus["f1"], psus["f2"] = sizes
                two_stage = True
            else:
                self.notes.append(("design.one_stage", {"columns": " / ".join(STAGE_COLUMNS)}))
        return psus, "frame", two_stage

    def _nonresponse(self, psus: pd.DataFrame, keys: list[str], frame: pd.DataFrame, cols: list[str]) -> np.ndarray:
        """(sampled - ineligible) / responded per PSU (response_rates.nonresponse_adjustment)."""
        rules = self.inst.fieldwork
        k_sql = ", ".join(f"CAST({q(k)} AS VARCHAR)" for k in keys)
        counted = (f"coalesce(CAST(_status AS VARCHAR) IN {in_list(COUNTED_STATUSES)}, false)"
                   if "_status" in cols else "TRUE")
        vacant = [v for v, case in rules.dispositions.items() if case == "ineligible"]
        ineligible = (f"count(*) FILTER (WHERE {counted} AND CAST({q(rules.outcome)} AS VARCHAR) IN {in_list(vacant)})"
                      if rules.outcome is not None and rules.outcome in cols and vacant else "0")
        present = " AND ".join(f"{q(k)} IS NOT NULL" for k in keys)
        records = self.con.execute(f"SELECT {k_sql}, count(*), {ineligible} FROM stored WHERE {present} "
                                   "GROUP BY ALL").fetchall()
        by_key = {tuple(r[:len(keys)]): (r[-2], r[-1]) for r in records}
        at = [tuple(r) for r in psus[[f"k_{k}" for k in keys]].itertuples(index=False)]
        in_records = np.array([by_key.get(k, (np.nan, 0))[0] for k in at], dtype=float)
        vacant_n = np.array([by_key.get(k, (0, 0))[1] for k in at], dtype=float)
        sampled = np.full(len(psus), np.nan)
        grouped = frame_sampled(frame, keys)   # every key is in the frame (_psu_weights checked)
        if grouped is not None:
            index = pd.MultiIndex.from_tuples(at) if len(keys) > 1 else pd.Index([k[0] for k in at])
            sampled = grouped.reindex(index).to_numpy(dtype=float, na_value=np.nan)
        sampled = np.where(np.isnan(sampled), in_records, sampled)
        eligible = sampled - vacant_n
        responded = psus["responded"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            return np.where(eligible > 0, eligible / responded, 1.0)

    def _stages_hold(self, view: str, order: tuple[str, ...]) -> bool:
        """Whether the two stages' population sizes fit the rows of ``view`` (SurveyDesign's checks,
        in its order); if not, the note the in-memory design gives (``design.invalid``) and one stage."""
        spec, con = self.spec, self.con
        s = f"CAST({q(spec.strata)} AS VARCHAR)" if spec.strata else "''"
        p = f"CAST({q(spec.psu)} AS VARCHAR)"
        ordered = ", ".join(q(c) for c in order)
        # a table, made once: as a view each check below sorted the rows again for the positions
        con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS SELECT {s} AS s, {p} AS p, _response_id AS u, "
                    f"__f0 AS f1, __f1 AS f2, row_number() OVER (ORDER BY {ordered}) - 1 AS pos FROM {view}")
        try:
            return self._stages_fit()
        finally:
            con.execute("DROP TABLE staged")

    def _stages_fit(self) -> bool:
        con = self.con
        if con.execute("SELECT count(*) FILTER (WHERE f1 < 1 OR f2 < 1) FROM staged").fetchall()[0][0]:
            raise NotOutOfCore("fpc values below 1")
        checks = [
            ("_fpc1", "constant", "s IN (SELECT s FROM staged GROUP BY s HAVING count(DISTINCT f1) > 1)",
             "SELECT s FROM staged GROUP BY s HAVING count(DISTINCT f1) > 1"),
            ("_fpc1", "size", "f1 < (SELECT count(DISTINCT p) FROM staged t WHERE t.s = staged.s)", None),
            ("_fpc2", "size", "f2 < (SELECT count(DISTINCT u) FROM staged t WHERE t.s = staged.s AND t.p = staged.p)",
             None),
        ]
        for column, kind, flagged, strata in checks:
            n, first = con.execute(f"SELECT count(*), list(pos ORDER BY pos)[1:5] FROM staged WHERE {flagged}").fetchall()[0]
            if not n:
                continue
            if kind == "constant":   # the first such stratum in code order: its rows are listed
                bad = [r[0] for r in con.execute(strata).fetchall()]
                stratum = min(bad, key=self._stratum_order)
                n, first = con.execute("SELECT count(*), list(pos ORDER BY pos)[1:5] FROM staged WHERE s = $1",
                                       [stratum]).fetchall()[0]
                values = {"stratum": stratum}
            else:
                stratum, psu, pop, sample = con.execute(
                    f"SELECT s, p, {'f1' if column == '_fpc1' else 'f2'}, "
                    + ("(SELECT count(DISTINCT p) FROM staged t WHERE t.s = x.s)" if column == "_fpc1" else
                       "(SELECT count(DISTINCT u) FROM staged t WHERE t.s = x.s AND t.p = x.p)")
                    + " FROM staged x WHERE pos = $1", [first[0]]).fetchall()[0]
                values = {"stratum": stratum, "psu": psu, "pop": pop, "sample": sample}
            self.notes.append(("design.invalid", {"column": column, "kind": kind, "rows": n, "first": first,
                                                  **values}))
            return False
        return True

    def _stratum_order(self, value: str):
        choices = list(self.inst.question(self.spec.strata).choices)
        return (choices.index(value), "") if value in choices else (len(choices), value)

    # ---- post-stratification ---------------------------------------------------------------
    def _poststratify(self, view: str, rule, table: str, cols: list[str]) -> tuple[list[str], str, str]:
        """(the cells' questions, the SQL factor of each row ``b`` of ``view``, the join that gives it)
        of ``rule``; ([], "1.0", "") without a rule or totals (the note the in-memory path gives)."""
        if rule is None:
            return [], "1.0", ""
        by = list(rule.by)
        root = Path(self.store.root)
        population = read_csv(root / POPULATION_FILE) if (root / POPULATION_FILE).exists() else None
        if rule.method == "rake":
            return self._rake(view, rule, table, cols, population)
        totals = population_totals(population, rule.unit, by)
        if totals is None or totals.empty:
            self.notes.append(("design.no_population", {"rule": rule, "table": table}))
            return [], "1.0", ""
        if any(c not in cols for c in by):
            raise NotOutOfCore("a calibration variable the data lack")
        cell = ", ".join(f"CAST({q(c)} AS VARCHAR)" for c in by)
        sums = self.con.execute(f"SELECT {cell}, sum(__w0), count(*) FROM {view} GROUP BY ALL").fetchall()
        totals = totals.assign(**{c: totals[c].astype(str) for c in by})
        target = {tuple(r[:-1]): float(r[-1]) for r in totals[[*by, "total"]].itertuples(index=False)}
        before = {tuple(r[:len(by)]): float(r[len(by)]) for r in sums}
        if any(None in k or k not in target for k in before):
            raise NotOutOfCore("rows without a calibration total")
        empty = [k for k in target if k not in before]
        if empty:
            self.notes.append(("design.empty_cells", {"rule": rule, "table": table, "cells": empty}))
            self.empty_cells[table] = empty
        factors = pd.DataFrame([(*k, target[k] / before[k]) for k in before],
                               columns=[f"cell_{c}" for c in by] + ["factor"])
        name = f"cells_{len(self.empty_cells)}_{table}"
        self.con.register(name, factors)
        match = " AND ".join(f"{name}.{q('cell_' + c)} = CAST(b.{q(c)} AS VARCHAR)" for c in by)
        return by, f"{name}.factor", f"JOIN {name} ON {match}"

    def _rake(self, view: str, rule, table: str, cols: list[str], population) -> tuple[list[str], str, str]:
        """:meth:`_poststratify` for a raking: the rows' starting weights summed per joint cell of the
        margins, raked there (:func:`analysis.outofcore.calibration.rake_cells`), the factors joined back."""
        by = list(rule.by)
        margins = [population_totals(population, rule.unit, [v]) for v in by]
        if any(m is None or m.empty for m in margins):
            self.notes.append(("design.no_population", {"rule": rule, "table": table}))
            return [], "1.0", ""
        if any(c not in cols for c in by):
            raise NotOutOfCore("a calibration variable the data lack")
        cell = ", ".join(f"CAST({q(c)} AS VARCHAR) AS {q(c)}" for c in by)
        sums = self.con.execute(f"SELECT {cell}, sum(__w0) AS w0, count(*) AS n FROM {view} GROUP BY ALL").df()
        if sums[by].isna().any().any():
            raise NotOutOfCore("rows without a calibration total")   # the in-memory raking's failure and note
        empty, kept = [], []
        for v, m in zip(by, margins):   # levels without a response left out, in the targets' order
            m = m.assign(**{v: m[v].astype(str)})
            if not set(sums[v]) <= set(m[v]):
                raise NotOutOfCore("rows without a calibration total")   # the in-memory raking's failure
            has = m[v].isin(set(sums[v]))
            empty += [(v, value) for value in m.loc[~has, v]]
            kept.append(m[has].reset_index(drop=True))
        if empty:
            self.notes.append(("design.empty_cells", {"rule": rule, "table": table, "cells": empty}))
            self.empty_cells[table] = empty
        try:
            raking = calibration.rake_cells(sums, by, kept)
        except calibration.RakeFailed as exc:
            raise NotOutOfCore(str(exc), "raking") from None
        self.raking[table] = raking
        factors = raking.cells[[*by, "factor"]].set_axis([f"cell_{c}" for c in by] + ["factor"], axis=1)
        name = f"rake_{len(self.raking)}"
        self.con.register(name, factors)
        match = " AND ".join(f"{name}.{q('cell_' + c)} = CAST(b.{q(c)} AS VARCHAR)" for c in by)
        return by, f"{name}.factor", f"JOIN {name} ON {match}"

    # ---- repeat groups and the head of household --------------------------------------------
    def _members_head(self, cols: list[str]) -> tuple[str, str, dict]:
        """(select, join) SQL adding the head of household's answers to the main rows, and each
        repeat group's stored rows copied (name -> (source, columns))."""
        inst, con = self.inst, self.con
        members, head_sql, join = {}, "", ""
        for repeat in inst.repeats:
            name = inst.table_name(repeat)
            copied = self._copy(name)
            if copied is None:
                continue
            members[name] = copied
            # every stored member: the join with the kept households below keeps theirs
            con.execute(f"CREATE VIEW {q('m_' + name)} AS SELECT * FROM {copied[0]}")
            question, choice = HEAD
            by_name = {x.name: x for x in repeat.questions}
            rel = by_name.get(question)
            if join or rel is None or rel.kind.analysis_kind != "categorical" or choice not in rel.choices \
                    or question not in copied[1]:
                continue
            picked = [x for x in repeat.questions if x.name in copied[1] and x.name != question and not x.pii
                      and x.kind.analysis_kind in ("categorical", "number") and HEAD_PREFIX + x.name not in cols]
            if not picked:
                continue
            # the first listed head of each household (a window sorts, and spills, where a hash aggregate may not)
            answers = ", ".join(f"{q(x.name)} AS {q(HEAD_PREFIX + x.name)}" for x in picked)
            heads = self.folder / "heads.parquet"
            con.execute(f"COPY (SELECT _response_id AS __hid, {answers} FROM {q('m_' + name)} "
                        f"WHERE CAST({q(question)} AS VARCHAR) = {lit(choice)} "
                        "QUALIFY row_number() OVER (PARTITION BY _response_id ORDER BY _member_index) = 1) "
                        f"TO {lit(heads)} (FORMAT parquet)")
            head_sql = ", " + ", ".join(f"heads.{q(HEAD_PREFIX + x.name)}" for x in picked)
            join = f"LEFT JOIN read_parquet({lit(heads)}) heads ON heads.__hid = b._response_id"
        return head_sql, join, members

    def _repeat(self, repeat, name: str, main_path: Path, main_columns: list[str], two_stage: bool,
                copied) -> RowsTable:
        spec, con = self.spec, self.con
        if copied is None:
            return RowsTable(name, None, 0, (), repeat=True)
        source, cols = copied
        rule = spec.repeats.get(repeat.name)
        inherited = [c for c in dict.fromkeys([spec.strata, spec.psu, *(rule.by if rule else ())])
                     if c is not None and c in main_columns and c not in cols]
        carried = ", ".join([f"h.{q(c)}" for c in inherited] +
                            ["h.__w AS __w0", "h.__f0", "h.__f1", "h._submitted_at AS __h_submitted_at",
                             "h._enumerator AS __h_enumerator" if "_enumerator" in main_columns else "NULL AS __h_enumerator",
                             "h._status AS __h_status" if "_status" in main_columns else "NULL AS __h_status"])
        con.execute(f"CREATE VIEW {q('r_' + name)} AS SELECT m.*, {carried} FROM {q('m_' + name)} m "
                    f"JOIN read_parquet({lit(main_path)}) h USING (_response_id)")
        n = con.execute(f"SELECT count(*) FROM {q('r_' + name)}").fetchall()[0][0]
        if n == 0:
            return RowsTable(name, None, 0, (), repeat=True)
        if two_stage:
            two_stage = self._stages_hold(q("r_" + name), REPEAT_ORDER)
        all_cols = [*cols, *inherited]
        cells, cell_sql, cell_join = self._poststratify(q("r_" + name), rule, name, all_cols)
        design = _design_columns(spec, cell_sql, cells, two_stage, row="b.")
        path = self.folder / f"{name}.parquet"
        con.execute(f"COPY (SELECT b.*, {', '.join(design)} FROM {q('r_' + name)} b {cell_join}) TO {lit(path)} (FORMAT parquet)")
        columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({lit(path)})").fetchall()]
        return RowsTable(name, path, n, tuple(columns), two_stage, two_stage, bool(spec.strata), tuple(cells),
                         self._strays(path, name, columns), repeat=True, stored=tuple(cols),
                         raking=self.raking.get(name))

    def _strays(self, path: Path, table: str, columns: list[str]) -> dict:
        """Choice questions' stored values that are not among the choices (tidy keeps them as
        categories of their own, after the choices, sorted)."""
        inst = self.inst
        questions = {x.name: x for x in inst.all_questions()}
        parts = {}
        for col in columns:   # (a head_ column's categories are its question's among the members)
            x = questions.get(col)
            if x is not None and x.kind.analysis_kind == "multiple":   # the options chosen, every list's
                parts[col] = f"flatten(list(DISTINCT {q(col)}) FILTER (WHERE {q(col)} IS NOT NULL))"
                continue
            if x is None or x.kind.analysis_kind != "categorical":
                continue
            known = list(x.choices) if not x.kind.computed else []
            parts[col] = (f"list(DISTINCT CAST({q(col)} AS VARCHAR)) FILTER (WHERE {q(col)} IS NOT NULL"
                          + (f" AND CAST({q(col)} AS VARCHAR) NOT IN {in_list(known)})" if known else ")"))
        if not parts:
            return {}
        row = self.con.execute(f"SELECT {', '.join(parts.values())} FROM read_parquet({lit(path)})").fetchall()[0]
        return {col: tuple(sorted(set(v or ()))) for col, v in zip(parts, row)}
