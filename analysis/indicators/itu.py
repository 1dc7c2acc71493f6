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


def equals(question: str, choice: str) -> Domain:
    """Rows whose answer to ``question`` is ``choice`` (unanswered rows: False)."""
    return lambda table: table.is_choice(question, choice).fillna(False).to_numpy(dtype=bool)


def age_at_least(years: int) -> Domain:
    return lambda table: (pd.to_numeric(table.frame["age"], errors="coerce") >= years).fillna(False).to_numpy(bool)


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


def _parts(table, ind: Indicator) -> list[tuple[str, dict[str, str], np.ndarray]]:
    """(category, its label {lang: text}, values per row: 0/1 or a number, NaN = missing)."""
    if ind.values is not None:
        labels = ind.choice_labels or {}
        return [(c, dict(labels.get(c, {lang: c for lang in LANGUAGES})), np.asarray(v, dtype=float))
                for c, v in ind.values(table).items()]
    if ind.question not in table.variables:
        raise KeyError(f"Indicator {ind.code} needs question {ind.question!r}, which the data does not have.")
    var = table.variables[ind.question]
    none = {lang: "" for lang in LANGUAGES}
    if ind.mean:
        return [("", none, _float(table.frame[ind.question]))]
    options = ind.choice_labels or var.question.choices
    label = lambda c: {lang: pick(options[c], lang) if c in options else c for lang in LANGUAGES}  # noqa: E731
    if var.kind == "multiple":
        return [(c, label(c), _float(table.frame[col])) for c, col in zip(var.choices, var.columns)]
    if var.kind != "categorical":
        return [("", none, _float(table.frame[ind.question]))]
    codes = table.choice_codes(ind.question)
    missing = codes < 0
    if set(var.question.choices) == {"yes", "no"}:
        yes, no = var.choices.index("yes"), var.choices.index("no")
        values = np.where(codes == yes, 1.0, np.where(codes == no, 0.0, np.nan))
        return [("", none, values)]
    return [(c, label(c), np.where(missing, np.nan, (codes == j).astype(float))) for j, c in enumerate(var.choices)]


def _by_names(table, by: str | None, column: pd.Series) -> pd.Series:
    """The ``by`` column of a result as choice names (the frame holds labels)."""
    var = table.variables.get(by)
    if var is None or var.kind != "categorical":
        return column
    names = dict(zip(var.choice_labels(table.lang), var.choices))
    return column.astype(object).map(lambda v: names.get(v, v))


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
            text = {lang: ind.label[lang] + (f": {cat_label[lang]}" if category else "") for lang in LANGUAGES}
            parts.append((category, text, (ind.sdg_choices or {}).get(category, ind.sdg), name))
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
            kind = "idr" if table.variables[ind.question].question.money else "number"
        else:
            r = shares(d, names, by=by, ci_method=ci_method, level=level, deff=True)
            r[["estimate", "se", "ci_low", "ci_high"]] *= 100
            kind = "percent"
        info = {name: (category, text, sdg) for category, text, sdg, name in parts}
        r = r.assign(code=ind.code, category=[info[v][0] for v in r["level"]],
                     label=[info[v][1] for v in r["level"]], sdg=[info[v][2] for v in r["level"]],
                     kind=kind).drop(columns="level")
        if by is not None:   # rows come domain-major; list them category-major, as the questionnaire
            r = r.iloc[np.argsort(np.arange(len(r)) % len(names), kind="stable")]
        out.append(r)
    result = pd.concat(out, ignore_index=True)
    if by is not None:
        result[by] = _by_names(table, by, result[by]).to_numpy()
    result["n"] = result["n"].astype(int)
    order = RESULT_COLUMNS[:4] + ([by] if by else []) + RESULT_COLUMNS[4:]
    return result[order]


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
