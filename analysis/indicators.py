"""ITU core indicators of household ICT access and individual ICT use (HH1-HH18).

Definitions follow the ITU *Manual for Measuring ICT Access and Use by Households
and Individuals*, 2020 edition, and the Partnership on Measuring ICT for
Development's core list; the reference population follows BPS Susenas (members aged
5 and over, the last 3 months), which the ITU manual allows.

Three stages with plain data between them:

1. ``tidy_answers`` turns stored answers into analysis columns, driven by the
   instrument: yes/no -> 0/1 (nullable ``Int8``), other select_one -> an ordered-by-
   questionnaire ``Categorical``, select_multiple lists -> one 0/1 column per choice
   named ``<question>__<choice>``.  A question that was not asked (its ``relevant``
   expression is false) is missing (``<NA>``), never 0: HH8 locations exist only for
   Internet users, HH17 reasons only for non-users.  An optional select_multiple left
   empty by someone who was asked means "none of these" (0 for every choice).
2. ``household_frame`` / ``individual_frame``: one row per household, and one row per
   member aged 5+ carrying the household's design columns and an ITU ``age_band``.
3. ``household_indicators`` / ``individual_indicators``: every indicator is the
   design-based share of a 0/1 variable within its ITU denominator (HH16: a mean in
   IDR).  The denominator is a *domain* of the full design (``SurveyDesign.subset``:
   rows outside contribute zero influence, Lumley 2010 sec. 2.3), so standard errors
   keep the household's strata, PSUs and weights; proportions use R's ``svyciprop``
   logit interval.  Percentages are 0-100.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from analysis.design import SurveyDesign
from analysis.estimates import mean, proportion
from survey.expressions import evaluate, truthy

__all__ = [
    "AGE_BANDS", "HOUSEHOLD_DESIGN", "INDIVIDUAL_BY", "Indicator", "RESULT_COLUMNS",
    "estimate_indicators", "household_frame", "household_indicators", "individual_frame",
    "individual_indicators", "tidy_answers",
]

AGE_BANDS = ("5-14", "15-24", "25-74", "75+")
_AGE_EDGES = (5, 15, 25, 75, np.inf)
MIN_AGE = 5  # BPS Susenas; ITU's scope may start at 5
INDIVIDUAL_BY = (None, "sex", "age_band", "kecamatan", "education", "labour_status")

# The two-stage household sample: kecamatan strata, census-block PSUs.  A stratum with a
# single PSU so far (common while fieldwork is under way) is centred at zero, as R's
# survey.lonely.psu="adjust"; pass lonely_psu="fail" to insist on a complete design.
HOUSEHOLD_DESIGN = {"weights": "weight", "strata": "kecamatan", "psu": "psu", "lonely_psu": "adjust"}
HOUSEHOLD_COLUMNS = ("kecamatan", "psu", "weight")

RESULT_COLUMNS = ["code", "category", "label_en", "label_id", "estimate", "se", "ci_low",
                  "ci_high", "n", "unit"]
_SEP = "__"


# ---- stage 1: answers -> analysis columns ----------------------------------------------
def _asked(question, frame: pd.DataFrame) -> pd.Series | None:
    """True where the question was relevant, by its ``relevant`` expression; None when the
    expression refers to columns this frame lacks (the caller then goes by whether it was
    answered).  The questionnaire's own evaluator decides, once per distinct combination
    of the referenced answers, so the rule is never written twice and rows are not looped.
    """
    if question.relevant is None:
        return pd.Series(True, index=frame.index)
    refs = sorted(question.relevant.references)
    if not refs:
        return pd.Series(truthy(evaluate(question.relevant, {})), index=frame.index)
    if any(ref not in frame.columns for ref in refs):
        return None
    keys = frame[refs].apply(lambda col: col.map(_hashable) if col.dtype == object else col)
    groups = keys.groupby(refs, dropna=False, sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(keys))).groupby(groups).first().to_numpy()
    verdicts = np.array(
        [truthy(evaluate(question.relevant, keys.iloc[pos].to_dict())) for pos in first], dtype=bool
    )
    return pd.Series(verdicts[groups] if len(groups) else [], index=frame.index, dtype=bool)


def _hashable(value):
    """A select_multiple list as ODK's space-separated text (the evaluator reads both)."""
    return " ".join(map(str, value)) if isinstance(value, (list, tuple, np.ndarray)) else value


def _is_yes_no(question) -> bool:
    return question.type == "select_one" and set(question.choices) == {"yes", "no"}


def _yes_no(col: pd.Series) -> pd.Series:
    """"yes"/"no" (or already 0/1, True/False) as nullable 0/1; anything else is missing."""
    if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
        numbers = pd.to_numeric(col, errors="coerce").astype("Float64")
        yes, no = numbers.eq(1), numbers.eq(0)
    else:
        text = col.astype("string")
        yes, no = text.eq("yes"), text.eq("no")
    values = np.where(yes.fillna(False).to_numpy(dtype=bool), 1, 0).astype(np.int8)
    missing = ~(yes | no).fillna(False).to_numpy(dtype=bool)
    return pd.Series(pd.arrays.IntegerArray(values, missing), index=col.index, name=col.name)


def _categorical(col: pd.Series, choices: Iterable[str]) -> pd.Series:
    """Categories in questionnaire order; unexpected values are kept (sorted, at the end)."""
    choices = list(choices)
    text = col.astype("string")
    extra = sorted(set(text.dropna().unique()) - set(choices))
    return pd.Series(pd.Categorical(text, categories=choices + extra), index=col.index, name=col.name)


def _lists(col: pd.Series) -> pd.Series:
    """A select_multiple column as list-likes (space-separated text, XLSForm style, is split)."""
    if pd.api.types.is_string_dtype(col.dtype) and not pd.api.types.is_object_dtype(col.dtype):
        return col.str.split()
    return col


def _dummies(col: pd.Series, question, asked: pd.Series | None) -> pd.DataFrame:
    """One nullable 0/1 column per choice: NA where not asked (or a required answer is
    missing), 0 for an optional question asked but left empty."""
    lists = _lists(col)
    picked = pd.Series(lists.to_numpy(), index=pd.RangeIndex(len(lists))).explode().dropna().astype(str)
    choices = list(question.choices)
    names = choices + sorted(set(picked.unique()) - set(choices))
    chosen = np.zeros((len(lists), len(names)), dtype=np.int8)
    chosen[picked.index.to_numpy(), pd.Categorical(picked, categories=names).codes] = 1
    answered = lists.notna().to_numpy()
    asked_now = answered if asked is None else asked.to_numpy(dtype=bool)
    known = asked_now & (answered | (not question.required))
    columns = [f"{question.name}{_SEP}{c}" for c in names]
    data = {c: pd.arrays.IntegerArray(chosen[:, j], ~known) for j, c in enumerate(columns)}
    return pd.DataFrame(data, index=col.index)


def tidy_answers(df: pd.DataFrame, questions: Iterable) -> pd.DataFrame:
    """Analysis columns for stored answers (see the module docstring).

    ``questions`` are the instrument's questions for this table (``inst.questions`` or a
    repeat group's ``.questions``); columns without a question (metadata ``_...``,
    weights, PSU codes) pass through unchanged.  The select_multiple list columns are
    replaced by their ``<question>__<choice>`` indicator columns.
    """
    out = df.copy()
    added = []
    for q in questions:  # one pass per question (column), never per row
        if q.name not in df.columns:
            continue
        if _is_yes_no(q):
            out[q.name] = _yes_no(df[q.name])
        elif q.type == "select_one":
            out[q.name] = _categorical(df[q.name], q.choices)
        elif q.type == "select_multiple":
            added.append(_dummies(df[q.name], q, _asked(q, df)))
            out = out.drop(columns=q.name)
    return pd.concat([out, *added], axis=1) if added else out


def _instrument(instrument):
    if instrument is None or isinstance(instrument, str):
        from survey import load_instrument

        return load_instrument(instrument or "household")
    return instrument


def household_frame(households: pd.DataFrame, instrument=None) -> pd.DataFrame:
    """One row per household: yes/no as 0/1, select_one as Categorical, select_multiple as
    0/1 columns per choice (``internet_type__fixed_broadband``, ...)."""
    inst = _instrument(instrument)
    return tidy_answers(households, [q for q in inst.questions if q.type != "repeat"])


def individual_frame(households: pd.DataFrame, members: pd.DataFrame, instrument=None,
                     household_columns: Iterable[str] = HOUSEHOLD_COLUMNS) -> pd.DataFrame:
    """One row per household member aged 5+ (BPS Susenas; ITU allows 5+).

    Each member gets its household's ``household_columns`` that exist (by default
    kecamatan, psu and weight) joined on ``_response_id``; members whose household is
    not in ``households`` are left out.  ``age_band`` is an ordered Categorical of
    ``AGE_BANDS``; answers are tidied as in :func:`tidy_answers`.
    """
    inst = _instrument(instrument)
    roster = next(q for q in inst.questions if q.type == "repeat")
    wanted = [c for c in dict.fromkeys(household_columns)
              if c in households.columns and c not in members.columns and c != "_response_id"]
    design = households[["_response_id", *wanted]]
    age = pd.to_numeric(members["age"], errors="coerce")
    people = members.loc[(age >= MIN_AGE).to_numpy(dtype=bool)]
    joined = people.merge(design, on="_response_id", how="inner", validate="many_to_one")
    joined = joined.set_axis(pd.RangeIndex(len(joined)))
    household_questions = [q for q in inst.questions if q.name in wanted]
    out = tidy_answers(joined, [*roster.questions, *household_questions])
    band = pd.cut(pd.to_numeric(out["age"], errors="coerce"), bins=list(_AGE_EDGES), right=False,
                  labels=list(AGE_BANDS))
    out["age_band"] = pd.Categorical(band, categories=list(AGE_BANDS), ordered=True)
    return out


# ---- stage 3: indicators ------------------------------------------------------------------
Domain = Callable[[pd.DataFrame], pd.Series]


def _equals(column: str, value: int) -> Domain:
    return lambda f: f[column].eq(value).fillna(False).astype(bool)


def _age_at_least(years: int) -> Domain:
    return lambda f: (pd.to_numeric(f["age"], errors="coerce") >= years).fillna(False).astype(bool)


@dataclass(frozen=True)
class Indicator:
    """One standard indicator: a 0/1 answer (or a select's choices) within a denominator.

    ``among`` is the denominator as a domain of the design (None: everyone in the
    frame); ``zero_where`` marks rows that were not asked because the answer is
    necessarily "no" (households without Internet have no Internet of any type).
    ``unit`` "IDR" means a mean of the answer instead of a share.
    """

    code: str
    question: str
    label_en: str
    label_id: str
    among: Domain | None = None
    zero_where: Domain | None = None
    unit: str = "%"
    choice_labels: Mapping[str, Mapping[str, str]] | None = None


HOUSEHOLD_INDICATORS = (
    Indicator("HH1", "has_radio", "Households with a radio", "Rumah tangga yang memiliki radio"),
    Indicator("HH2", "has_tv", "Households with a TV", "Rumah tangga yang memiliki televisi"),
    Indicator("HH3_fixed", "has_fixed_phone", "Households with a telephone: fixed",
              "Rumah tangga yang memiliki telepon: telepon rumah (kabel)"),
    Indicator("HH3_mobile", "has_mobile", "Households with a telephone: mobile",
              "Rumah tangga yang memiliki telepon: telepon seluler"),
    Indicator("HH4", "has_computer", "Households with a computer", "Rumah tangga yang memiliki komputer"),
    Indicator("HH6", "has_internet", "Households with Internet access at home",
              "Rumah tangga dengan akses internet di rumah"),
    Indicator("HH11", "internet_type", "Households with Internet, by type of service",
              "Rumah tangga dengan akses internet, menurut jenis layanan",
              zero_where=_equals("has_internet", 0)),
    Indicator("HH14", "no_internet_reason",
              "Households without Internet at home, by reason (among households without Internet)",
              "Rumah tangga tanpa internet di rumah, menurut alasan "
              "(di antara rumah tangga tanpa internet)",
              among=_equals("has_internet", 0)),
    Indicator("HH16", "ict_spending", "Household expenditure on ICT, mean per month",
              "Pengeluaran rumah tangga untuk TIK, rata-rata per bulan", unit="IDR"),
)

_USERS, _NON_USERS = _equals("used_internet", 1), _equals("used_internet", 0)
INDIVIDUAL_INDICATORS = (
    Indicator("HH5", "used_computer", "Individuals who used a computer (last 3 months, aged 5+)",
              "Individu yang menggunakan komputer (3 bulan terakhir, umur 5+)"),
    Indicator("HH7", "used_internet",
              "Individuals who used the Internet (last 3 months, aged 5+; SDG 17.8.1)",
              "Individu yang menggunakan internet (3 bulan terakhir, umur 5+; SDG 17.8.1)"),
    Indicator("HH8", "internet_location", "Internet users, by location of use",
              "Pengguna internet, menurut tempat penggunaan", among=_USERS),
    Indicator("HH9", "internet_activities", "Internet users, by type of activity",
              "Pengguna internet, menurut jenis kegiatan", among=_USERS),
    Indicator("HH10", "used_mobile", "Individuals who used a mobile phone (last 3 months, aged 5+)",
              "Individu yang menggunakan telepon seluler (3 bulan terakhir, umur 5+)"),
    Indicator("HH12", "internet_frequency", "Internet users, by frequency of use",
              "Pengguna internet, menurut frekuensi penggunaan", among=_USERS),
    Indicator("HH15", "ict_skills",
              "Individuals aged 15+ with ICT skills, by type (SDG 4.4.1; ITU scope 15+)",
              "Individu umur 15+ dengan keterampilan TIK, menurut jenis (SDG 4.4.1; cakupan ITU 15+)",
              among=_age_at_least(15)),
    Indicator("HH17", "internet_nonuse_reason", "Individuals not using the Internet, by reason",
              "Individu yang tidak menggunakan internet, menurut alasan", among=_NON_USERS),
    Indicator("HH18", "owns_mobile", "Individuals who own a mobile phone (aged 5+; SDG 5.b.1)",
              "Individu yang memiliki telepon seluler (umur 5+; SDG 5.b.1)"),
)


def _parts(frame: pd.DataFrame, ind: Indicator,
           questions: Mapping) -> list[tuple[str, str, str, pd.Series]]:
    """(category, label_en, label_id, values) for each row of the indicator's output."""
    q = questions.get(ind.question)
    prefix = f"{ind.question}{_SEP}"
    if ind.unit != "%":
        return [("", "", "", pd.to_numeric(frame[ind.question], errors="coerce").astype("Float64"))]
    if ind.question not in frame.columns:  # a select_multiple's indicator columns
        cats = [c[len(prefix):] for c in frame.columns if c.startswith(prefix)]
        if not cats:
            raise KeyError(f"Indicator {ind.code} needs column {ind.question!r} (or {prefix}<choice> "
                           f"columns), which the data does not have.")
        columns = {c: frame[prefix + c] for c in cats}
    elif isinstance(frame[ind.question].dtype, pd.CategoricalDtype):
        col = frame[ind.question]
        columns = {c: col.eq(c).astype("Int8").mask(col.isna()) for c in col.cat.categories}
    else:
        return [("", "", "", frame[ind.question])]
    labels = ind.choice_labels or (q.choices if q is not None else {})
    return [(c, labels.get(c, {}).get("en", c), labels.get(c, {}).get("id", c), values)
            for c, values in columns.items()]


def _binary(values: pd.Series) -> pd.Categorical:
    """A 0/1 column as a Categorical with both levels, so a domain without any 1 still
    gives a row for level 1 (estimate 0)."""
    numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
    return pd.Categorical(numbers.astype("Int8"), categories=[0, 1])


def _design_columns(spec: Mapping) -> list[str]:
    return [spec[role] for role in ("weights", "strata", "psu", "fpc") if spec.get(role) is not None]


def estimate_indicators(frame: pd.DataFrame, indicators: Iterable[Indicator], design: Mapping | None,
                        by: str | None = None, level: float = 0.95, questions: Mapping | None = None,
                        ci_method: str = "logit") -> pd.DataFrame:
    """Tidy indicator table for ``frame`` (output of ``household_frame`` & co.).

    ``design``: keyword arguments of ``SurveyDesign`` naming columns of ``frame``
    (None: simple random sample).  A weights column that is absent means equal weights.
    Shares come from ``proportion(..., ci_method)`` times 100; IDR rows from ``mean``.
    """
    questions = questions or {}
    if by is not None and by not in frame.columns:
        raise KeyError(f"by column {by!r} is not in the data; columns are {list(frame.columns)}")
    spec = dict(design or {})
    if spec.get("weights") is not None and spec["weights"] not in frame.columns:
        spec["weights"] = None
    keep = [c for c in dict.fromkeys([*_design_columns(spec), by]) if c is not None]
    rows, columns, domains = [], {}, {}
    for ind in indicators:
        for category, cat_en, cat_id, values in _parts(frame, ind, questions):
            if ind.zero_where is not None:
                values = values.mask(ind.zero_where(frame).to_numpy(), 0)
            name = f"_v{len(columns)}"
            columns[name] = _binary(values) if ind.unit == "%" else values.astype(float)
            suffix_en, suffix_id = (f": {cat_en}", f": {cat_id}") if category else ("", "")
            rows.append((ind, category, ind.label_en + suffix_en, ind.label_id + suffix_id, name))
    data = pd.concat([frame[keep].reset_index(drop=True),
                      pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))], axis=1)
    base = SurveyDesign(data, **spec)
    out = []
    for ind, category, label_en, label_id, name in rows:
        if ind.among is None:
            d = base
        else:
            d = domains.get(id(ind.among))
            if d is None:
                d = domains[id(ind.among)] = base.subset(ind.among(frame).to_numpy(dtype=bool))
        if ind.unit == "%":
            r = proportion(d, name, by=by, ci_method=ci_method, level=level)
            r = r[r["level"].astype(int) == 1].drop(columns="level")
            r[["estimate", "se", "ci_low", "ci_high"]] *= 100
        else:
            r = mean(d, name, by=by, level=level)
        out.append(r.assign(code=ind.code, category=category, label_en=label_en, label_id=label_id,
                            unit=ind.unit))
    table = pd.concat(out, ignore_index=True)
    order = RESULT_COLUMNS[:4] + ([by] if by else []) + RESULT_COLUMNS[4:]
    table["n"] = table["n"].astype(int)
    return table[order]


def _questions(inst) -> dict:
    return {q.name: q for q in inst.all_questions()}


def household_indicators(households: pd.DataFrame, design: Mapping | None = HOUSEHOLD_DESIGN,
                         by: str | None = None, level: float = 0.95, instrument=None) -> pd.DataFrame:
    """HH1, HH2, HH3_fixed, HH3_mobile, HH4, HH6, HH11 (per type, all households),
    HH14 (per barrier, among households without Internet), HH16 (mean IDR per month).

    Columns: code, category, label_en, label_id, [by], estimate, se, ci_low, ci_high, n,
    unit ("%" 0-100 or "IDR").  ``design`` names household columns (default: weight,
    kecamatan strata, psu; a missing weight column means equal weights); None is a
    simple random sample of households.
    """
    inst = _instrument(instrument)
    frame = household_frame(households, inst)
    return estimate_indicators(frame, HOUSEHOLD_INDICATORS, design, by=by, level=level,
                               questions=_questions(inst))


def individual_indicators(households: pd.DataFrame, members: pd.DataFrame,
                          design: Mapping | None = HOUSEHOLD_DESIGN, by: str | None = None,
                          level: float = 0.95, instrument=None) -> pd.DataFrame:
    """HH5, HH7, HH10, HH18 (members aged 5+); HH8, HH9, HH12 per choice among Internet
    users; HH15 per skill among members aged 15+ (ITU's scope); HH17 per reason among
    non-users.

    Members inherit their household's strata, PSU and weight (every member of a sampled
    household is enumerated).  Without a PSU column (``design=None``: a simple random
    sample of households) the household itself is the cluster.  Denominators are domains
    of the full design, so the standard errors are design-based.
    ``by``: None, "sex", "age_band", "kecamatan", "education" or "labour_status"
    (labour status is asked from age 15, so younger members fall in no domain).
    """
    if by not in INDIVIDUAL_BY:
        raise ValueError(f"by must be one of {INDIVIDUAL_BY}, not {by!r}")
    inst = _instrument(instrument)
    spec = dict(design or {})
    if spec.get("psu") is None:
        spec["psu"] = "_response_id"
    frame = individual_frame(households, members, inst,
                             household_columns=[*HOUSEHOLD_COLUMNS, *_design_columns(spec)])
    return estimate_indicators(frame, INDIVIDUAL_INDICATORS, spec, by=by, level=level,
                               questions=_questions(inst))

