"""The design's files in the data folder: the sampling frame and the population totals.

``<data>/frame.csv``, one row per sampled PSU, as ``python -m survey.simulate`` writes it:

    kecamatan,psu,households_in_psu,psus_in_stratum,prob_psu,prob_within,kelurahan,rw,households_sampled

The columns named by the design's ``strata`` and ``psu`` identify the PSU (PSU ids
nested in strata); ``prob_psu`` is its selection probability and ``prob_within`` the
probability of a household within it; where ``prob_within`` is empty it is derived
as responding households / ``households_in_psu`` (``analysis.estimation.weighting.base_weights``).
Other columns are kept but not used.

``<data>/population.csv``, known population totals for calibration, one row per cell:

    unit,kecamatan,sex,total
    household,laweyan,,23110
    person,laweyan,male,44640
    person,laweyan,female,46500

``unit`` says what ``total`` counts (``household``, ``person``: the ``unit`` of a
design's ``calibrate`` rule); the other columns are select_one questions, holding
choice names, empty where a row does not split by that question.  The totals of a
calibration ``by`` a set of questions are the rows of its unit that fill exactly
those columns; when there are none, the rows that fill more columns are summed over
the others (so BPS's kecamatan x sex counts also give the kecamatan totals).

``<data>/kelurahan.csv``, area auxiliaries for the small-area model
(:mod:`analysis.estimation.fay_herriot`), one row per kelurahan, from the census or Podes:

    kelurahan,population,households,electricity_share
    kerten,13000,3600,99.1

``kelurahan`` holds choice names of the questionnaires' ``kelurahan`` question; every other
column is a number known for every row (the model's auxiliaries).

The files are bounded before they are parsed (``MAX_CSV_BYTES``, ``MAX_CSV_ROWS``,
``MAX_CSV_COLUMNS`` on any line), and so
are their numbers: a selection probability is at least ``MIN_PROBABILITY`` (one in a
million: a smaller one makes one household stand for millions, a typing error rather
than a design), a count of PSUs or households at most ``MAX_COUNT``, a population
total at most ``MAX_TOTAL``.

``check_frame`` / ``check_population`` return a list of :class:`analysis.messages.Message`
(empty: fine); ``save_frame`` / ``save_population`` check uploaded bytes and replace
the file atomically only when there is no problem, so a bad upload changes nothing.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from analysis.messages import Message, listing, message, unit_texts
from survey.store.durable import replace_bytes

FRAME_FILE = "frame.csv"
POPULATION_FILE = "population.csv"
KELURAHAN_FILE = "kelurahan.csv"
AREA = "kelurahan"   # kelurahan.csv's key column: the questionnaires' question of that name
FRAME_NUMBERS = ("prob_psu", "prob_within", "households_in_psu", "psus_in_stratum", "households_sampled")
PROBABILITIES = ("prob_psu", "prob_within")
MAX_CSV_BYTES = 5_000_000  # a frame of every census block of a province is about 1 MB
MAX_CSV_ROWS = 100_000
MAX_CSV_COLUMNS = 100  # a frame has about ten; pandas takes minutes over a line of 400,000 fields
MIN_PROBABILITY = 1e-6
MAX_COUNT = 10_000_000  # households_in_psu, psus_in_stratum, households_sampled
MAX_TOTAL = 1_000_000_000  # population.csv's totals (Indonesia has under 300 million people)


def parse_csv(content: bytes | str, file: str) -> tuple[pd.DataFrame | None, list[Message]]:
    """CSV bytes -> a DataFrame of text (empty cells missing), or the problem.

    Its size and its number of lines are checked first, before anything is decoded or parsed."""
    size = len(content.encode("utf-8")) if isinstance(content, str) else len(content)
    if size > MAX_CSV_BYTES:
        return None, [message("file.too_large", file=file, mb=MAX_CSV_BYTES // 1_000_000)]
    lines = content.count(b"\n" if isinstance(content, bytes) else "\n")
    if lines > MAX_CSV_ROWS + 1:  # the header, and a last line without a line break
        return None, [message("file.too_many_rows", file=file, rows=MAX_CSV_ROWS)]
    newline, comma = (b"\n", b",") if isinstance(content, bytes) else ("\n", ",")
    if max(line.count(comma) for line in content.split(newline)) >= MAX_CSV_COLUMNS:
        return None, [message("file.too_many_columns", file=file, columns=MAX_CSV_COLUMNS)]
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return None, [message("file.unreadable", file=file, detail=f"not UTF-8: {exc.reason}")]
    try:
        table = pd.read_csv(io.StringIO(content), dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        return None, [message("file.unreadable", file=file, detail=str(exc).strip().splitlines()[0])]
    table.columns = [str(c).strip() for c in table.columns]
    for column in table.columns:
        table[column] = table[column].str.strip()
    return table, []


def read_csv(path: Path) -> pd.DataFrame | None:
    """A data-folder CSV as text columns, None when the file does not exist."""
    path = Path(path)
    if not path.is_file():
        return None
    table, problems = parse_csv(path.read_bytes(), path.name)
    if problems:
        raise ValueError(problems[0].text("en"))
    return table


def numbers(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _rows(mask) -> str:
    """CSV line numbers (the header is line 1) of the flagged rows."""
    hits = np.flatnonzero(np.asarray(mask)) + 2
    return listing(hits.tolist()).replace("'", "")


def _numeric_problems(table: pd.DataFrame, file: str, columns: Iterable[str]) -> list[Message]:
    """Every kind of problem of each number column: text where a number belongs, and among the
    numbers a probability outside (0, 1] or a negative count."""
    out = []
    for column in columns:
        if column not in table.columns:
            continue
        text = table[column]
        values = numbers(text)
        bad = text.notna().to_numpy() & np.isnan(values)
        if bad.any():
            out.append(message("file.not_numeric", file=file, column=column, rows=_rows(bad),
                               example=repr(text[bad].iloc[0])))
        known = ~np.isnan(values)
        if column in PROBABILITIES:
            wrong = known & ~((values >= MIN_PROBABILITY) & (values <= 1))
            if wrong.any():
                out.append(message("file.probability", file=file, column=column, rows=_rows(wrong)))
            continue
        negative = known & (values < 0)
        if negative.any():
            out.append(message("file.negative", file=file, column=column, rows=_rows(negative)))
        limit = MAX_TOTAL if column == "total" else MAX_COUNT
        too_big = known & (values > limit)
        if too_big.any():
            out.append(message("file.too_big", file=file, column=column, max=limit, rows=_rows(too_big)))
    return out


def _choice_problems(table: pd.DataFrame, file: str, column: str, question) -> list[Message]:
    if question is None or question.kind.choices != "one" or column not in table.columns:
        return []
    present = table[column]
    outside = (present.notna() & ~present.isin(list(question.choices))).to_numpy(dtype=bool)
    if not outside.any():
        return []
    return [message("file.unknown_value", file=file, column=column, values=listing(sorted(set(present[outside]))),
                    choices=listing(question.choices), rows=_rows(outside))]


def _duplicates(cells: pd.DataFrame, file: str, what: str) -> list[Message]:
    """Rows whose ``cells`` repeat another row's (rows with a missing cell are not compared)."""
    complete = cells.notna().all(axis=1).to_numpy(dtype=bool)
    repeated = complete & cells.astype(str).duplicated(keep=False).to_numpy(dtype=bool)
    if not repeated.any():
        return []
    shown = _joined(cells[repeated].drop_duplicates())
    return [message("file.duplicate", file=file, what=what, values=listing(shown), rows=_rows(repeated))]


def check_frame(frame: pd.DataFrame, instrument, responses: pd.DataFrame | None = None) -> list[Message]:
    """Problems of a sampling frame for ``instrument``'s design (and its stored responses): every
    one at once, each with its rows, as the questionnaire check reports an interview's."""
    design = instrument.design
    keys = [c for c in (design.strata, design.psu) if c is not None]
    if len(frame) == 0:
        return [message("file.empty", file=FRAME_FILE, unit=unit_texts("PSU"))]
    absent = [c for c in (*keys, "prob_psu") if c not in frame.columns]
    if "prob_within" not in frame.columns and "households_in_psu" not in frame.columns:
        absent.append("prob_within / households_in_psu")
    problems = []
    if absent:   # reported, and the columns that are there still checked
        problems.append(message("file.columns", file=FRAME_FILE, columns=", ".join(absent),
                                present=", ".join(frame.columns)))
    for column in ("prob_psu", *keys):
        blank = frame[column].isna().to_numpy() if column in frame.columns else np.zeros(len(frame), dtype=bool)
        if blank.any():
            problems.append(message("file.blank", file=FRAME_FILE, column=column, count=int(blank.sum()),
                                    rows=_rows(blank)))
    problems += _numeric_problems(frame, FRAME_FILE, FRAME_NUMBERS)
    if design.strata is not None:
        problems += _choice_problems(frame, FRAME_FILE, design.strata, instrument.question(design.strata))
    has_keys = all(c in frame.columns for c in keys)
    if has_keys:
        problems += _duplicates(frame[keys], FRAME_FILE, "PSU")
    if "prob_within" in frame.columns or "households_in_psu" in frame.columns:
        nothing = np.full(len(frame), np.nan)
        within = numbers(frame["prob_within"]) if "prob_within" in frame.columns else nothing
        households = numbers(frame["households_in_psu"]) if "households_in_psu" in frame.columns else nothing
        neither = np.isnan(within) & np.isnan(households)
        if neither.any():
            shown = frame.loc[neither, design.psu] if design.psu in frame.columns else []
            problems.append(message("frame.within", values=listing(shown), rows=_rows(neither)))
    if responses is not None and has_keys and len(responses):
        problems += _unknown_psus(frame, keys, responses)
    return problems


def _joined(table: pd.DataFrame) -> pd.Series:
    """Each row's values as 'a/b', column-wise (a row-wise join takes seconds on a big upload)."""
    columns = [table[c].astype(str) for c in table.columns]
    return columns[0].str.cat(columns[1:], sep="/") if len(columns) > 1 else columns[0]


def _unknown_psus(frame: pd.DataFrame, keys: list[str], responses: pd.DataFrame) -> list[Message]:
    present = [c for c in keys if c in responses.columns]
    if len(present) != len(keys):
        return []
    sampled = pd.MultiIndex.from_frame(frame[keys].astype(str))
    given = responses[keys].dropna()
    at = pd.MultiIndex.from_frame(given.astype(str))
    unknown = ~at.isin(sampled)   # isin, not get_indexer: a frame may repeat a PSU (reported too)
    if not unknown.any():
        return []
    shown = _joined(given[unknown].drop_duplicates())
    return [message("frame.unknown_psu", count=int(unknown.sum()), values=listing(shown))]


def check_population(population: pd.DataFrame, instruments: Iterable) -> list[Message]:
    """Problems of a population-totals table whose columns are questions of ``instruments``."""
    if len(population) == 0:
        return [message("file.empty", file=POPULATION_FILE, unit=unit_texts("cell"))]
    absent = [c for c in ("unit", "total") if c not in population.columns]
    if absent:
        return [message("file.columns", file=POPULATION_FILE, columns=", ".join(absent),
                        present=", ".join(population.columns))]
    questions = {}
    for inst in instruments:
        for q in inst.all_questions():
            if q.kind.choices == "one":
                questions.setdefault(q.name, q)
    variables = [c for c in population.columns if c not in ("unit", "total")]
    unknown = [c for c in variables if c not in questions]
    if unknown:
        return [message("file.columns", file=POPULATION_FILE,
                        columns=", ".join(f"(no question) {c}" for c in unknown),
                        present=", ".join(population.columns))]
    problems = []
    for column in ("unit", "total"):
        blank = population[column].isna().to_numpy()
        if blank.any():
            problems.append(message("file.blank", file=POPULATION_FILE, column=column, count=int(blank.sum()),
                                    rows=_rows(blank)))
    problems += _numeric_problems(population, POPULATION_FILE, ["total"])
    for column in variables:
        problems += _choice_problems(population, POPULATION_FILE, column, questions[column])
    problems += _duplicates(population[["unit", *variables]].fillna(""), POPULATION_FILE, "cell")
    return problems


def population_totals(population: pd.DataFrame, unit: str, by: Iterable[str]) -> pd.DataFrame | None:
    """The totals of ``unit`` by ``by`` (the columns plus ``total``), by the module's rule;
    None when the table has none."""
    by = list(by)
    if population is None or any(c not in population.columns for c in by):
        return None
    rows = population[population["unit"] == unit]
    variables = [c for c in population.columns if c not in ("unit", "total")]
    filled = rows[variables].notna()
    wanted = filled[by].all(axis=1)
    others = [c for c in variables if c not in by]
    exact = wanted & ~filled[others].any(axis=1) if others else wanted
    chosen = rows[exact] if exact.any() else rows[wanted]
    if chosen.empty:
        return None
    totals = chosen.assign(total=numbers(chosen["total"])).groupby(by, sort=False, as_index=False)["total"].sum()
    return totals[totals["total"] > 0].reset_index(drop=True)


def save_frame(data_dir: str | os.PathLike, content: bytes, instrument,
               responses: pd.DataFrame | None = None) -> list[Message]:
    """Check an uploaded frame; if it has no problem, make it ``<data_dir>/frame.csv``."""
    frame, problems = parse_csv(content, FRAME_FILE)
    if frame is not None:
        problems = check_frame(frame, instrument, responses)
    if not problems:
        replace_bytes(Path(data_dir) / FRAME_FILE, content if isinstance(content, bytes) else content.encode())
    return problems


def save_population(data_dir: str | os.PathLike, content: bytes, instruments: Iterable) -> list[Message]:
    """Check uploaded population totals; if fine, make them ``<data_dir>/population.csv``."""
    population, problems = parse_csv(content, POPULATION_FILE)
    if population is not None:
        problems = check_population(population, instruments)
    if not problems:
        replace_bytes(Path(data_dir) / POPULATION_FILE, content if isinstance(content, bytes) else content.encode())
    return problems


def _area_question(instruments: Iterable):
    for inst in instruments:
        for q in inst.all_questions():
            if q.name == AREA and q.kind.choices == "one":
                return q
    return None


def check_kelurahan(areas: pd.DataFrame, instruments: Iterable) -> list[Message]:
    """Problems of an area-auxiliaries table (see the module docstring)."""
    if len(areas) == 0:
        return [message("file.empty", file=KELURAHAN_FILE, unit=unit_texts(AREA))]
    if AREA not in areas.columns:
        return [message("file.columns", file=KELURAHAN_FILE, columns=AREA, present=", ".join(areas.columns))]
    question = _area_question(instruments)
    if question is None:
        return [message("kelurahan.no_question")]
    auxiliaries = [c for c in areas.columns if c != AREA]
    if not auxiliaries:
        return [message("kelurahan.no_auxiliary")]
    problems = []
    for column in (AREA, *auxiliaries):
        blank = areas[column].isna().to_numpy()
        if blank.any():
            problems.append(message("file.blank", file=KELURAHAN_FILE, column=column, count=int(blank.sum()),
                                    rows=_rows(blank)))
    for column in auxiliaries:
        text = areas[column]
        values = numbers(text)
        bad = text.notna().to_numpy() & ~np.isfinite(values)
        if bad.any():
            problems.append(message("file.not_numeric", file=KELURAHAN_FILE, column=column, rows=_rows(bad),
                                    example=repr(text[bad].iloc[0])))
        too_big = np.isfinite(values) & (np.abs(values) > MAX_TOTAL)
        if too_big.any():
            problems.append(message("file.too_big", file=KELURAHAN_FILE, column=column, max=MAX_TOTAL,
                                    rows=_rows(too_big)))
    problems += _choice_problems(areas, KELURAHAN_FILE, AREA, question)
    problems += _duplicates(areas[[AREA]], KELURAHAN_FILE, AREA)
    return problems


def save_kelurahan(data_dir: str | os.PathLike, content: bytes, instruments: Iterable) -> list[Message]:
    """Check uploaded area auxiliaries; if fine, make them ``<data_dir>/kelurahan.csv``."""
    instruments = list(instruments)
    areas, problems = parse_csv(content, KELURAHAN_FILE)
    if areas is not None:
        problems = check_kelurahan(areas, instruments)
    if not problems:
        replace_bytes(Path(data_dir) / KELURAHAN_FILE, content if isinstance(content, bytes) else content.encode())
    return problems


def area_auxiliaries(data_dir: str | os.PathLike) -> pd.DataFrame | None:
    """``<data_dir>/kelurahan.csv`` as ``kelurahan`` (text) and float auxiliaries; None without the file.
    The file was checked when it was saved; a hand-edited one that no longer parses raises ValueError."""
    areas = read_csv(Path(data_dir) / KELURAHAN_FILE)
    if areas is None:
        return None
    out = areas[[AREA]].copy()
    for column in areas.columns:
        if column != AREA:
            out[column] = numbers(areas[column])
    return out
