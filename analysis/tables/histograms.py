"""A number question's distribution as a SummaryTable: a design-based histogram and box plot.

:func:`histogram_table` cuts the answers in the domain into bins and estimates the
percent of answers in each bin as the shares of the binned variable (R's
``svymean(~cut(x, breaks), design)`` with ``svyciprop``'s logit intervals, through
:func:`analysis.estimation.estimates.proportion`), so each bar carries an SE, an interval and
BPS's reliability rule like every other estimate.

Bins (Freedman & Diaconis' concern: a few extreme incomes must not squeeze every
other answer into one bar) span the box plot's whiskers, Tukey's (1977) rule on the
design-based quartiles (:func:`analysis.estimation.estimates.quantile`): the most extreme
answers within 1.5 interquartile ranges of the quartiles.  Answers beyond the
whiskers get one open bin at each end ("under ...", "over ...").  Integer questions
get integer bins (one per value when there are at most ``bins`` values), other
numbers bins of a round width (1, 2, 2.5 or 5 times a power of ten).

``stats`` hold what a box plot needs: ``quartiles`` (Q1, median, Q3), ``whiskers``
(low, high), ``range`` (min, max) and the formatting ``value_kind`` (``number`` or
``idr``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.estimation.estimates import proportion, quantile
from analysis.tables.question_tables import as_percent, empty_table
from analysis.tables.summary_table import (
    RELIABILITY_LABELS,
    RELIABILITY_NOTE,
    Column,
    SummaryTable,
    estimate_columns,
    with_reliability,
)
from survey import locale as formatting
from survey.locale import LANGUAGES, texts

BINS = 20
_TEXTS = {
    "note": {"en": "Percent of the answers in each range (design-based, {ci}% logit intervals); the first and last "
                   "ranges are open when some answers lie beyond the box plot's whiskers (1.5 interquartile ranges "
                   "from the quartiles).",
             "id": "Persen jawaban pada setiap rentang (berbasis desain, selang logit {ci}%); rentang pertama dan "
                   "terakhir terbuka bila ada jawaban di luar batas diagram kotak (1,5 jangkauan antarkuartil dari "
                   "kuartil)."},
    "below": {"en": "under {x}", "id": "di bawah {x}"},
    "above": {"en": "over {x}", "id": "di atas {x}"},
}


def _round_step(raw: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is at least ``raw``."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * (1 - 1e-12))


def bin_edges(low: float, high: float, bins: int = BINS, integer: bool = False) -> np.ndarray:
    """Edges of bins covering [low, high]; bin i is [edge i, edge i+1), the last one closed."""
    if integer:
        low, high = math.floor(low), math.floor(high)
        if high - low + 1 <= bins:
            return low + np.arange(high - low + 2, dtype=float)
        width = math.ceil(_round_step((high - low + 1) / bins))
        first = math.floor(low / width) * width
        return first + width * np.arange(math.ceil((high + 1 - first) / width) + 1, dtype=float)
    if high <= low:
        return np.array([low, low + 1.0])
    step = _round_step((high - low) / bins)
    first, last = math.floor(low / step) * step, math.ceil(high / step) * step
    if last <= first:
        last = first + step
    return first + step * np.arange(round((last - first) / step) + 1, dtype=float)


def _labels(edges: np.ndarray, below: bool, above: bool, integer: bool, kind: str) -> list[dict[str, str]]:
    decimals = 0 if integer or np.allclose(edges, np.round(edges)) else None

    def text(x: float, lang: str) -> str:
        return formatting.value(x, kind, lang, decimals)

    out = []
    if below:
        out.append(texts(_TEXTS, "below", x={lang: text(edges[0], lang) for lang in LANGUAGES}))
    for a, b in zip(edges[:-1], edges[1:]):
        if integer and b - a == 1:
            out.append({lang: text(a, lang) for lang in LANGUAGES})
        elif integer:
            out.append({lang: f"{text(a, lang)}–{text(b - 1, lang)}" for lang in LANGUAGES})
        else:
            out.append({lang: f"{text(a, lang)}–{text(b, lang)}" for lang in LANGUAGES})
    if above:
        out.append(texts(_TEXTS, "above", x={lang: text(edges[-1] - (1 if integer else 0), lang)
                                             for lang in LANGUAGES}))
    return out


def histogram_frame(data, question: str, level: float):
    """What a histogram's table is made of, in memory or out of core: the question's table and
    variable, its value kind, the columns, notes, title and stats (a ValueError for a non-number)."""
    table = data.table_of(question)
    var = table.variables[question]
    if var.kind != "number":
        raise ValueError(f"{question!r} is a {var.question.type} question; a histogram is for numbers")
    kind = "idr" if var.question.money else "number"
    columns = {"bin": Column({"id": "Rentang", "en": "Range"}), **estimate_columns(level),
               "count": Column({"id": "Jumlah menjawab", "en": "Respondents"}, "count")}
    notes = (texts(_TEXTS, "note", ci={lang: formatting.number(100 * level, lang, 0) for lang in LANGUAGES}),
             RELIABILITY_NOTE)
    title = {lang: ("Sebaran: " if lang == "id" else "Distribution: ") + var.label(lang) for lang in LANGUAGES}
    stats = {"question": question, "table": table.name, "level": level, "value_kind": kind}
    return table, var, kind, columns, notes, title, stats


def histogram_table(data, question: str, bins: int = BINS, level: float = 0.95,
                    ci_method: str = "logit") -> SummaryTable:
    """The distribution of a number question (see the module docstring) as a SummaryTable."""
    table, var, kind, columns, notes, title, stats = histogram_frame(data, question, level)
    design = table.design
    values = (pd.to_numeric(table.frame[question], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
              if design is not None else np.zeros(0))
    inside = design.in_subset & ~np.isnan(values) if design is not None else np.zeros(0, dtype=bool)
    if not inside.any():
        return empty_table(title, columns, notes, data.provenance, "histogram", ("bin",), stats,
                      {"reliability": RELIABILITY_LABELS})
    q = quantile(design, question, [0.25, 0.5, 0.75], level=level)["estimate"].to_numpy(dtype=float)
    answers = values[inside]
    spread = q[2] - q[0]
    within = answers[(answers >= q[0] - 1.5 * spread) & (answers <= q[2] + 1.5 * spread)]
    low, high = (float(within.min()), float(within.max())) if within.size else (float(q[0]), float(q[2]))
    integer = var.question.kind.whole_numbers
    edges = bin_edges(low, high, bins, integer)
    n_inner = len(edges) - 1
    position = np.searchsorted(edges, values, side="right") - 1
    if not integer:     # the last bin is closed: [a, b]
        position = np.where(values == edges[-1], n_inner - 1, position)
    is_below = values < edges[0]
    is_above = values >= edges[-1] if integer else values > edges[-1]
    below, above = bool((is_below & inside).any()), bool((is_above & inside).any())
    codes = position + below
    codes = np.where(is_below, 0 if below else -1, codes)
    codes = np.where(is_above, n_inner + below if above else -1, codes)
    codes = np.where(np.isnan(values), -1, codes)
    n_bins = n_inner + below + above
    binned = pd.Categorical.from_codes(codes.astype(np.int64), categories=range(n_bins))
    result = as_percent(proportion(design.update(_bin=binned), "_bin", ci_method=ci_method, level=level, deff=True))
    result = result.drop(columns="level").reset_index(drop=True)
    keys = [f"bin{i:02d}" for i in range(n_bins)]
    lows = np.concatenate([[-np.inf] if below else [], edges[:-1], [edges[-1]] if above else []])
    highs = np.concatenate([[edges[0]] if below else [], edges[1:], [np.inf] if above else []])
    counts = np.bincount(codes[inside], minlength=n_bins)
    frame = with_reliability(result.assign(bin=keys, low=lows, high=highs, count=counts, kind="percent"))
    labels = dict(zip(keys, _labels(edges, below, above, integer, kind)))
    stats.update(quartiles=tuple(float(x) for x in q), whiskers=(low, high),
                 range=(float(answers.min()), float(answers.max())))
    order = ["bin", *estimate_columns(level), "count", "low", "high", "df", "kind"]
    return SummaryTable(frame[order], title, columns, value_labels={"bin": labels, "reliability": RELIABILITY_LABELS},
                        notes=notes, provenance=data.provenance, kind="histogram", stats=stats, keys=("bin",))
