"""ITU core indicators of household ICT access and individual ICT use (HH1-HH18).

Definitions follow the ITU *Manual for Measuring ICT Access and Use by Households
and Individuals*, 2020 edition, and the Partnership on Measuring ICT for
Development's core list; the reference population follows BPS Susenas (members aged
5 and over, the last 3 months), which the ITU manual allows.

Indicators are estimated from a :class:`analysis.dataset.dataset.Dataset` (the household
instrument's): the design, weights and filters are the dataset's, never written
here.  Every indicator is the design-based share of a 0/1 variable within its ITU
denominator (HH16: a mean in IDR).  The denominator is a *domain* of the full design
(``SurveyDesign.subset``: rows outside contribute zero influence, Lumley 2010 sec.
2.3), so standard errors keep the household's strata, PSUs and (calibrated)
weights; members carry their household's design (a member table's rows).  Shares
use R's ``svyciprop`` logit interval and come with R's design effect.  Percentages
are 0-100.

A question that was not asked is missing, never "no": HH8 locations exist only for
Internet users, HH17 reasons only for non-users; an optional select_multiple left
empty by someone who was asked means "none of these" (:mod:`analysis.dataset.answer_columns`).

Result columns (:data:`RESULT_COLUMNS`): ``code``, ``category`` (a choice name, or
"" for the indicator itself), ``label`` (``{lang: text}``), ``sdg`` (the SDG
indicator it measures or approaches, "" if none), [the ``by`` column, choice names],
``estimate``, ``se``, ``ci_low``, ``ci_high``, ``df``, ``n``, ``deff`` and ``kind``
("percent"; a mean: "idr" for a rupiah question, else "number").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from analysis.estimation.estimates import mean, shares
from survey.locale import LANGUAGES, pick

__all__ = [
    "HOUSEHOLD_INDICATORS", "INDIVIDUAL_BY", "INDIVIDUAL_INDICATORS", "Indicator", "MIN_AGE", "RESULT_COLUMNS",
    "estimate_indicators", "household_indicators", "individual_indicators",
]

MIN_AGE = 5  # BPS Susenas; ITU's scope may start at 5
INDIVIDUAL_BY = (None, "sex", "age_group", "kecamatan", "education", "labour_status")
RESULT_COLUMNS = ["code", "category", "label", "sdg", "estimate", "se", "ci_low", "ci_high", "df", "n",
                  "deff", "kind"]

Domain = Callable[[object], np.ndarray]    # TableData -> bool per row


@dataclass(frozen=True)
class equals:
    """Rows whose answer to ``question`` is ``choice`` (unanswered rows: False).  A domain is row-local:
    :meth:`sql` says the same per row for the out-of-core tables (:mod:`analysis.tables.out_of_core_indicators`)."""

    question: str
    choice: str

    def __call__(self, table) -> np.ndarray:
        return table.is_choice(self.question, self.choice).fillna(False).to_numpy(dtype=bool)

    def sql(self, table) -> str:
        """On a :class:`analysis.outofcore.store_data.StoreTable`: the choice's position among the variable's."""
        choices = table.variables[self.question].choices
        if self.choice not in choices:
            return "FALSE"
        return f"coalesce({table.codes(self.question)} = {choices.index(self.choice)}, FALSE)"


@dataclass(frozen=True)
class age_at_least:
    """Members whose age is at least ``years`` (no age, or not a number: False)."""

    years: int

    def __call__(self, table) -> np.ndarray:
        return (pd.to_numeric(table.frame["age"], errors="coerce") >= self.years).fillna(False).to_numpy(bool)

    def sql(self, table) -> str:
        age = table.number("age")
        return f"coalesce(NOT isnan({age}) AND {age} >= {self.years}, FALSE)"


@dataclass(frozen=True)
class Indicator:
    """One standard indicator: a 0/1 answer (or a select's choices) within a denominator.

    ``among`` is the denominator as a domain of the design (None: everyone in scope);
    ``zero_where`` marks rows that were not asked because the answer is necessarily
    "no" (households without Internet have no Internet of any type).  ``mean``: a mean
    of the answer instead of a share (in rupiah when the question is: ``appearance: rupiah``).  ``values`` computes the 0/1 parts
    itself (category -> values per row, NaN = missing) for indicators that are not one
    question's answers.  ``sdg``: the SDG indicator it measures; ``sdg_choices``: the
    same for single categories (HH11 fixed broadband approaches 17.6.1).
    """

    code: str
    question: str
    label: Mapping[str, str]
    among: Domain | None = None
    zero_where: Domain | None = None
    mean: bool = False
    choice_labels: Mapping[str, Mapping[str, str]] | None = None
    values: Callable[[object], Mapping[str, np.ndarray]] | None = None
    sdg: str = ""
    sdg_choices: Mapping[str, str] | None = None


HOUSEHOLD_INDICATORS = (
    Indicator("HH1", "has_radio", {"en": "Households with a radio", "id": "Rumah tangga yang memiliki radio"}),
    Indicator("HH2", "has_tv", {"en": "Households with a TV", "id": "Rumah tangga yang memiliki televisi"}),
    Indicator("HH3_fixed", "has_fixed_phone", {"en": "Households with a telephone: fixed",
                                               "id": "Rumah tangga yang memiliki telepon: telepon rumah (kabel)"}),
    Indicator("HH3_mobile", "has_mobile", {"en": "Households with a telephone: mobile",
                                           "id": "Rumah tangga yang memiliki telepon: telepon seluler"}),
    Indicator("HH4", "has_computer", {"en": "Households with a computer", "id": "Rumah tangga yang memiliki komputer"}),
    Indicator("HH6", "has_internet", {"en": "Households with Internet access at home",
                                      "id": "Rumah tangga dengan akses internet di rumah"}),
    Indicator("HH11", "internet_type", {"en": "Households with Internet, by type of service",
                                        "id": "Rumah tangga dengan akses internet, menurut jenis layanan"},
              zero_where=equals("has_internet", "no"), sdg_choices={"fixed_broadband": "17.6.1"}),
    Indicator("HH14", "no_internet_reason",
              {"en": "Households without Internet at home, by reason (among households without Internet)",
               "id": "Rumah tangga tanpa internet di rumah, menurut alasan (di antara rumah tangga tanpa internet)"},
              among=equals("has_internet", "no")),
    Indicator("HH16", "ict_spending", {"en": "Household expenditure on ICT, mean per month",
                                       "id": "Pengeluaran rumah tangga untuk TIK, rata-rata per bulan"}, mean=True),
)

_USERS, _NON_USERS = equals("used_internet", "yes"), equals("used_internet", "no")
INDIVIDUAL_INDICATORS = (
    Indicator("HH5", "used_computer", {"en": "Individuals who used a computer (last 3 months, aged 5+)",
                                       "id": "Individu yang menggunakan komputer (3 bulan terakhir, umur 5+)"}),
    Indicator("HH7", "used_internet", {"en": "Individuals who used the Internet (last 3 months, aged 5+)",
                                       "id": "Individu yang menggunakan internet (3 bulan terakhir, umur 5+)"},
              sdg="17.8.1"),
    Indicator("HH8", "internet_location", {"en": "Internet users, by location of use",
                                           "id": "Pengguna internet, menurut tempat penggunaan"}, among=_USERS),
    Indicator("HH9", "internet_activities", {"en": "Internet users, by type of activity",
                                             "id": "Pengguna internet, menurut jenis kegiatan"}, among=_USERS),
    Indicator("HH10", "used_mobile", {"en": "Individuals who used a mobile phone (last 3 months, aged 5+)",
                                      "id": "Individu yang menggunakan telepon seluler (3 bulan terakhir, umur 5+)"}),
    Indicator("HH12", "internet_frequency", {"en": "Internet users, by frequency of use",
                                             "id": "Pengguna internet, menurut frekuensi penggunaan"}, among=_USERS),
    Indicator("HH15", "ict_skills", {"en": "Individuals aged 15+ with ICT skills, by type (ITU scope 15+)",
                                     "id": "Individu umur 15+ dengan keterampilan TIK, menurut jenis (cakupan ITU 15+)"},
              among=age_at_least(15), sdg="4.4.1"),
    Indicator("HH17", "internet_nonuse_reason", {"en": "Individuals not using the Internet, by reason",
                                                 "id": "Individu yang tidak menggunakan internet, menurut alasan"},
              among=_NON_USERS),
    Indicator("HH18", "owns_mobile", {"en": "Individuals who own a mobile phone (aged 5+)",
                                      "id": "Individu yang memiliki telepon seluler (umur 5+)"}, sdg="5.b.1"),
)


def _float(values) -> np.ndarray:
    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def sources(table, ind: Indicator) -> list[tuple[str, dict[str, str], tuple]]:
    """(category, its label {lang: text}, where its values per row come from), for an indicator that
    is one question's answers: ``("number", column)`` (the column as a number), ``("yes_no", yes, no)``
    (1 where the answer's code is ``yes``, 0 where ``no``, else missing) or ``("choice", j)`` (1 where
    the answer's code is j, 0 another answer, missing unanswered).  The in-memory table and the
    out-of-core one (:mod:`analysis.tables.out_of_core_indicators`) read the same list."""
    if ind.question not in table.variables:
        raise KeyError(f"Indicator {ind.code} needs question {ind.question!r}, which the data does not have.")
    var = table.variables[ind.question]
    none = {lang: "" for lang in LANGUAGES}
    if ind.mean:
        return [("", none, ("number", ind.question))]
    options = ind.choice_labels or var.question.choices
    label = lambda c: {lang: pick(options[c], lang) if c in options else c for lang in LANGUAGES}  # noqa: E731
    if var.kind == "multiple":
        return [(c, label(c), ("number", col)) for c, col in zip(var.choices, var.columns)]
    if var.kind != "categorical":
        return [("", none, ("number", ind.question))]
    if set(var.question.choices) == {"yes", "no"}:
        return [("", none, ("yes_no", var.choices.index("yes"), var.choices.index("no")))]
    return [(c, label(c), ("choice", j)) for j, c in enumerate(var.choices)]


def _parts(table, ind: Indicator) -> list[tuple[str, dict[str, str], np.ndarray]]:
    """(category, its label {lang: text}, values per row: 0/1 or a number, NaN = missing)."""
    if ind.values is not None:
        labels = ind.choice_labels or {}
        return [(c, dict(labels.get(c, {lang: c for lang in LANGUAGES})), np.asarray(v, dtype=float))
                for c, v in ind.values(table).items()]
    out = []
    for category, label, source in sources(table, ind):
        if source[0] == "number":
            values = _float(table.frame[source[1]])
        else:
            codes = table.choice_codes(ind.question)
            if source[0] == "yes_no":
                values = np.where(codes == source[1], 1.0, np.where(codes == source[2], 0.0, np.nan))
            else:
                values = np.where(codes < 0, np.nan, (codes == source[1]).astype(float))
        out.append((category, label, values))
    return out


def _by_names(table, by: str | None, column: pd.Series) -> pd.Series:
    """The ``by`` column of a result as choice names (the frame holds labels)."""
    var = table.variables.get(by)
    if var is None or var.kind != "categorical":
        return column
    names = dict(zip(var.choice_labels(table.lang), var.choices))
    return column.astype(object).map(lambda v: names.get(v, v))


def part_text(ind: Indicator, category: str, cat_label: Mapping[str, str]) -> tuple[dict[str, str], str]:
    """A part's row label {lang: text} and the SDG indicator it measures."""
    text = {lang: ind.label[lang] + (f": {cat_label[lang]}" if category else "") for lang in LANGUAGES}
    return text, (ind.sdg_choices or {}).get(category, ind.sdg)


def indicator_rows(ind: Indicator, r: pd.DataFrame, info: Mapping[str, tuple], by: str | None,
                   kind: str) -> pd.DataFrame:
    """One indicator's estimates (``level`` naming each part's column, rows domain-major) as result rows:
    ``info`` maps a column to (category, label, sdg); with ``by`` listed category-major, as the questionnaire."""
    r = r.assign(code=ind.code, category=[info[v][0] for v in r["level"]],
                 label=[info[v][1] for v in r["level"]], sdg=[info[v][2] for v in r["level"]],
                 kind=kind).drop(columns="level")
    if by is not None:
        r = r.iloc[np.argsort(np.arange(len(r)) % len(info), kind="stable")]
    return r


def result_of(out: list[pd.DataFrame], by: str | None) -> pd.DataFrame:
    """The indicators' rows together, in :data:`RESULT_COLUMNS` order (``by`` after ``sdg``)."""
    result = pd.concat(out, ignore_index=True)
    result["n"] = result["n"].astype(int)
    return result[RESULT_COLUMNS[:4] + ([by] if by else []) + RESULT_COLUMNS[4:]]


def kind_of(table, ind: Indicator) -> str:
    """"percent" for a share; a mean: "idr" for a rupiah question, else "number"."""
    if not ind.mean:
        return "percent"
    return "idr" if table.variables[ind.question].question.money else "number"


def estimate_indicators(table, indicators: Iterable[Indicator], by: str | None = None, level: float = 0.95,
                        ci_method: str = "logit", scope: np.ndarray | None = None) -> pd.DataFrame:
    """Tidy indicator table (see the module docstring) for one TableData of a Dataset.

    ``scope`` (bool per row) restricts every indicator to a domain first (members aged
    5+); the table's own domain (its filters) applies too.  An indicator's categories
    are estimated together (:func:`analysis.estimation.estimates.shares`): one pass per indicator.
    """
    if table.design is None:
        return pd.DataFrame(columns=RESULT_COLUMNS[:4] + ([by] if by else []) + RESULT_COLUMNS[4:])
    if by is not None and by not in table.frame.columns:
        raise KeyError(f"by column {by!r} is not in the data; columns are {list(table.frame.columns)}")
    columns, blocks = {}, []
    for ind in indicators:
        parts = []
        for category, cat_label, values in _parts(table, ind):
            if ind.zero_where is not None:
                values = np.where(ind.zero_where(table), 0.0, values)
            name = f"_v{len(columns)}"
            columns[name] = values
            parts.append((category, *part_text(ind, category, cat_label), name))
        blocks.append((ind, parts))
    base = table.design.update(**columns)
    if scope is not None:
        base = base.subset(scope)
    domains: dict[int, object] = {}
    out = []
    for ind, parts in blocks:
        d = base
        if ind.among is not None:
            d = domains.get(id(ind.among))
            if d is None:
                d = domains[id(ind.among)] = base.subset(ind.among(table))
        names = [name for *_, name in parts]
        if ind.mean:
            r = mean(d, names[0], by=by, level=level, deff=True).assign(level=names[0])
        else:
            r = shares(d, names, by=by, ci_method=ci_method, level=level, deff=True)
            r[["estimate", "se", "ci_low", "ci_high"]] *= 100
        info = {name: (category, text, sdg) for category, text, sdg, name in parts}
        out.append(indicator_rows(ind, r, info, by, kind_of(table, ind)))
    result = result_of(out, by)
    if by is not None:
        result[by] = _by_names(table, by, result[by]).to_numpy()
    return result


def _household_table(data):
    return data.main if hasattr(data, "main") else data


def household_indicators(data, by: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """HH1, HH2, HH3_fixed, HH3_mobile, HH4, HH6, HH11 (per type, all households), HH14 (per
    barrier, among households without Internet), HH16 (mean IDR per month), from the
    household Dataset (or its main TableData)."""
    return estimate_indicators(_household_table(data), HOUSEHOLD_INDICATORS, by=by, level=level)


def individual_indicators(data, by: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """HH5, HH7, HH10, HH18 (members aged 5+); HH8, HH9, HH12 per choice among Internet users;
    HH15 per skill among members aged 15+ (ITU's scope); HH17 per reason among non-users.

    ``data``: the household Dataset (its member table is used) or the member TableData.
    Members carry their household's strata, PSU and weight (every member of a sampled
    household is enumerated); ``by``: a choice question of the member table, e.g. one of
    ``INDIVIDUAL_BY`` (labour status is asked from age 15, so younger members fall in no
    domain).
    """
    if hasattr(data, "tables"):
        table = next(t for t in data.tables.values() if t.household is not None)
    else:
        table = data
    if table.design is None:
        return estimate_indicators(table, INDIVIDUAL_INDICATORS, by=by, level=level)
    return estimate_indicators(table, INDIVIDUAL_INDICATORS, by=by, level=level,
                               scope=age_at_least(MIN_AGE)(table))
