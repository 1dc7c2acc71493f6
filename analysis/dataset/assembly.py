"""Building a Dataset's tables: frames, designs and calibrations (used by analysis.dataset.dataset).

The main table's frame and design (weights from :mod:`analysis.dataset.design_weights`), each
repeat group's (members with their household's design columns and weight, person-level
calibration), the head of household's answers as household columns, and the design in
words.  Everything is vectorised: households are matched to their members by Arrow
hashing of the first key of each run, household text columns reach members as
Categoricals.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.dataset import answer_memo, design_weights
from analysis.dataset.answer_columns import AnswerColumns
from analysis.dataset.table_data import TableData
from analysis.estimation.survey_design import DesignError, SurveyDesign
from analysis.messages import Message, message
from survey.locale import LANGUAGES, pick, texts
from survey.questionnaire.analysis_defaults import HEAD_PREFIX

STAGE_FPC = ("_fpc1", "_fpc2")   # the two stages' population sizes (frame.csv), R's fpc=~N1+N2


def design_of(frame: pd.DataFrame, spec, psu, fpc, notes: list[Message]) -> SurveyDesign:
    """The SurveyDesign of a frame; a design the data cannot support falls back (a two-stage
    one to its first stage, then to an unclustered one with the same weights), and a note says why."""
    try:
        return SurveyDesign(frame, weights="_weight", strata=spec.strata, psu=psu, fpc=fpc,
                            lonely_psu=spec.lonely_psu, nest=True)
    except DesignError as exc:
        notes.append(Message("design.invalid", {lang: str(exc) for lang in LANGUAGES}))
        if isinstance(psu, list):
            return design_of(frame, spec, psu[0], None, notes)
        return SurveyDesign(frame, weights="_weight")


def _two_stage(psu: str) -> tuple[list[str], list[str]]:
    """R's id=~psu+household, fpc=~N1+N2: the response (or a member's household) is the second stage."""
    return [psu, "_response_id"], list(STAGE_FPC)


def main_table(inst, spec, raw, base, population, lang, notes, memo: str | None = None) -> TableData:
    """The main table: tidy frame, ``_weight`` (and ``_fpc``), design, calibration; ``memo`` names
    the store whose last build's answer columns may be reused (:mod:`analysis.dataset.answer_memo`)."""
    questions = [q for q in inst.questions if not q.kind.is_repeat]
    frame, variables = answer_memo.tidy(raw, questions, lang, None if memo is None else (memo, inst.id))
    weighting = (base.result,) if base.result is not None else ()
    if len(frame) == 0:
        return TableData(inst.id, None, variables, frozenset(variables), base.texts, weighting,
                         lonely_psu=spec.lonely_psu, lang=lang)
    fpc = spec.fpc
    if base.fpc is not None:
        frame["_fpc"] = base.fpc
        fpc = "_fpc"
    psu = spec.psu
    if base.stage_fpc:
        frame = frame.assign(**dict(zip(STAGE_FPC, base.stage_fpc)))
        psu, fpc = _two_stage(spec.psu)
    if base.weights is not None:
        frame["_weight"] = base.weights
    elif spec.census is not None:   # a census (or partial one): N / n, R's weights from the fpc
        frame["_weight"] = base.fpc / len(frame)
    else:
        frame["_weight"] = 1.0
    design = design_of(frame, spec, psu, fpc, notes)
    cal = design_weights.calibrate(design, spec.calibrate, population, variables, base.texts, lang)
    notes += cal.notes
    weighting += (cal.result,) if cal.result is not None else ()
    return TableData(inst.id, cal.design, variables, frozenset(variables), cal.texts, weighting,
                     lonely_psu=spec.lonely_psu, lang=lang)


def repeat_table(inst, spec, repeat, name, stored, raw, main: TableData, population, lang, notes,
                 memo: str | None = None) -> TableData:
    """A repeat group's table: its rows of the kept households, with their design and weight."""
    own_texts = message("weights.household").texts
    empty = TableData(name, None, {}, frozenset(q.name for q in repeat.questions), own_texts,
                      household=np.zeros(0, dtype=np.int64), lonely_psu=spec.lonely_psu, lang=lang)
    if stored is None or main.design is None or len(stored) == 0:
        return empty
    position = _positions(stored["_response_id"], raw["_response_id"])
    kept = position >= 0
    rows = stored[kept].reset_index(drop=True)
    position = position[kept]
    if len(rows) == 0:
        return empty
    frame, variables = answer_memo.tidy(rows, repeat.questions, lang, None if memo is None else (memo, inst.id, name))
    household = main.frame
    rule = spec.repeats.get(repeat.name)
    inherited = [c for c in dict.fromkeys([spec.strata, spec.psu, spec.fpc, *(rule.by if rule else ())])
                 if c is not None and c in household.columns and c not in frame.columns]
    extra = {c: _take(household[c], position) for c in inherited}
    weights = main.design.weights[position]
    extra.update(_household_weight=weights, _weight=weights)
    fpc = spec.fpc
    if "_fpc" in household.columns:
        extra["_fpc"] = household["_fpc"].to_numpy()[position]
        fpc = "_fpc"
    psu = spec.psu or "_response_id"   # without PSUs the household is the members' cluster
    if isinstance(main.design.columns["psu"], list):   # two stages: members are clustered in their household
        extra.update({c: household[c].to_numpy()[position] for c in STAGE_FPC})
        psu, fpc = _two_stage(spec.psu)
    frame = frame.assign(**extra)
    design = design_of(frame, spec, psu, fpc, notes)
    all_vars = {**{c: main.variables[c] for c in inherited if c in main.variables}, **variables}
    cal = design_weights.calibrate(design, rule, population, all_vars, own_texts, lang)
    notes += cal.notes
    return TableData(name, cal.design, all_vars, frozenset(variables), cal.texts,
                     (cal.result,) if cal.result is not None else (), position, spec.lonely_psu, lang)


def _positions(keys: pd.Series, among: pd.Series) -> np.ndarray:
    """Position of each key in ``among`` (-1: absent), hashed by Arrow.  Members come in
    runs per household, so only the first key of each run is looked up."""
    def arrow(column: pd.Series) -> pa.Array:
        values = column.array if isinstance(column.array, pd.arrays.ArrowStringArray) else \
            column.to_numpy(dtype=object, na_value=None)
        out = pa.array(values)
        return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out

    values = arrow(keys)
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.ones(len(values), dtype=bool)
    start[1:] = pc.not_equal(values[1:], values[:-1]).fill_null(True).to_numpy(zero_copy_only=False)
    heads = pc.index_in(values.filter(pa.array(start)), value_set=arrow(among))
    found = heads.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return found[np.cumsum(start) - 1]


def _take(column: pd.Series, position: np.ndarray) -> pd.Series:
    """A household column for its members; text (a PSU code) becomes a Categorical, so the
    members' design codes it once per household instead of once per member."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Series(pd.Categorical.from_codes(column.cat.codes.to_numpy()[position],
                                                   categories=column.cat.categories))
    if pd.api.types.is_string_dtype(column.dtype) or column.dtype == object:
        codes, uniques = pd.factorize(column, sort=True)
        return pd.Series(pd.Categorical.from_codes(codes[position], categories=pd.Index(uniques).astype(str)))
    return column.iloc[position].reset_index(drop=True)


HEAD = ("relationship", "head")
TEXTS = {"head_title": {"id": "Kepala rumah tangga: {label}", "en": "Head of household: {label}"}}


def with_head(main: TableData, members: TableData) -> TableData:
    """The main table with its head's answers as ``head_<question>`` columns, when the
    repeat group says who the head is (a ``relationship`` choice ``head``): household
    analyses by the head's sex, age or education need no join."""
    question, choice = HEAD
    rel = members.variables.get(question)
    if members.design is None or rel is None or rel.kind != "categorical" or choice not in rel.choices:
        return main
    is_head = members.choice_codes(question) == rel.choices.index(choice)
    rows = np.flatnonzero(is_head)
    households, first = np.unique(members.household[rows], return_index=True)
    rows = rows[first]                     # one head per household (the first listed)
    n = len(main.frame)
    columns, variables = {}, {}
    for var in members.variables.values():
        if var.name not in members.own or var.name == question or var.question.pii or \
                var.kind not in ("categorical", "number"):
            continue
        name = HEAD_PREFIX + var.name
        if name in main.frame.columns:
            continue
        column = members.frame[var.name]
        if var.kind == "categorical":
            codes = np.full(n, -1, dtype=np.int64)
            codes[households] = column.cat.codes.to_numpy()[rows]
            columns[name] = pd.Categorical.from_codes(codes, categories=column.cat.categories)
        else:
            numbers = np.full(n, np.nan)
            numbers[households] = pd.to_numeric(column.iloc[rows], errors="coerce").to_numpy(float, na_value=np.nan)
            columns[name] = numbers
        title = texts(TEXTS, "head_title", label=var.labels)
        variables[name] = AnswerColumns(var.question, var.kind, (name,), var.choices, name, title)
    if not columns:
        return main
    return replace(main, design=main.design.update(**columns), variables={**main.variables, **variables},
                   own=main.own | frozenset(variables))


def design_text(inst, spec, main: TableData) -> dict[str, str]:
    """{lang: the design in words}, e.g. "Stratified cluster sample (strata: District; PSU: ...)"."""
    def label(name: str, lang: str) -> str:
        return pick(inst.question(name).label, lang) if name in {q.name for q in inst.all_questions()} else name

    if spec.census is not None:
        unit = {lang: label(spec.census, lang) for lang in LANGUAGES}
        return message("text.census", unit=unit).texts
    strata = {lang: label(spec.strata, lang) for lang in LANGUAGES} if spec.strata else None
    psu = {lang: label(spec.psu, lang) for lang in LANGUAGES} if spec.psu else None
    if main.design is not None and isinstance(main.design.columns["psu"], list):
        return (message("text.two_stage", strata=strata, psu=psu) if strata else
                message("text.two_stage_unstratified", psu=psu)).texts
    if strata and psu:
        texts = message("text.stratified_cluster", strata=strata, psu=psu).texts
    elif strata:
        texts = message("text.stratified", strata=strata).texts
    elif psu:
        texts = message("text.cluster", psu=psu).texts
    else:
        texts = message("text.srs").texts
    if main.design is not None and main.design.columns["fpc"] is not None:
        texts = message("text.fpc", design=texts).texts
    return texts
