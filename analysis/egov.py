"""E-government indicators, stages and leadership commitment.

* EG1-EG7: the Partnership on Measuring ICT for Development's core indicators on ICT
  in government (*Core ICT Indicators*; UNCTAD/ITU): civil servants routinely using
  computers (EG1) and the Internet (EG2), agencies with a LAN (EG3), an intranet (EG4),
  Internet access by type (EG5), a web presence (EG6), and online services by level of
  sophistication (EG7, here the share of agencies reaching each stage below).  Civil
  servants and agencies are treated as simple random samples unless a weights column
  is named; agency indicators use each agency's latest response.
* The five stages of e-government of UN/ASPA (2001), *Benchmarking E-government: A
  Global Perspective*, as the Surakarta study used them: Emerging (a website exists),
  Enhanced (updated regularly), Interactive (downloads and two-way contact by web,
  e-mail or SMS), Transactional (online payment or transactions), Seamless (services
  integrated across agencies).  An agency is at the highest stage whose criteria, and
  those of every stage below it, are met: a stage is a ladder, not a checklist, so
  online payment without downloads leaves an agency at Enhanced.
* Leadership commitment (the study's E-Leadership): the mean of the ``lead_*`` Likert
  items rescaled to 0-100, and its internal consistency by Cronbach's alpha (Cronbach
  1951, *Coefficient alpha and the internal structure of tests*, Psychometrika 16).
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from analysis.design import SurveyDesign
from analysis.estimates import mean
from analysis.indicators import Indicator, estimate_indicators, tidy_answers

__all__ = [
    "CRITERIA", "LEADERSHIP_ITEMS", "STAGES", "STAGE_LABELS", "agency_stage", "agency_stages",
    "city_stage", "cronbach_alpha", "egov_indicators", "latest_per_agency", "leadership_index",
    "leadership_summary",
]

STAGES = ("none", "emerging", "enhanced", "interactive", "transactional", "seamless")
STAGE_LABELS: Mapping[str, Mapping[str, str]] = {
    "none": {"en": "No web presence", "id": "Belum ada kehadiran web"},
    "emerging": {"en": "Emerging", "id": "Tahap awal (Emerging)"},
    "enhanced": {"en": "Enhanced", "id": "Tahap peningkatan (Enhanced)"},
    "interactive": {"en": "Interactive", "id": "Tahap interaksi (Interactive)"},
    "transactional": {"en": "Transactional", "id": "Tahap transaksi (Transactional)"},
    "seamless": {"en": "Seamless", "id": "Tahap terintegrasi penuh (Seamless)"},
}

# criterion -> the agency questions of which any one answered "yes" meets it
CRITERIA: Mapping[str, tuple[str, ...]] = {
    "website": ("has_website",),
    "updated_regularly": ("web_updated_regularly",),
    "downloads": ("offers_downloads",),
    "two_way_contact": ("contact_web", "contact_email", "contact_sms"),
    "transactions": ("online_payment", "online_transactions"),
    "integrated": ("integrated_services",),
}
# stage -> the criteria it adds to the stage below
STAGE_REQUIRES: Mapping[str, tuple[str, ...]] = {
    "emerging": ("website",),
    "enhanced": ("updated_regularly",),
    "interactive": ("downloads", "two_way_contact"),
    "transactional": ("transactions",),
    "seamless": ("integrated",),
}

LEADERSHIP_ITEMS = ("lead_vision", "lead_budget", "lead_example", "lead_policy", "lead_monitoring",
                    "lead_infrastructure")
ALL = "(all)"


# ---- stages -----------------------------------------------------------------------------
def _yes(frame: pd.DataFrame, name: str) -> np.ndarray:
    """True where the answer is "yes" (or 1 / True); missing or absent columns are False."""
    if name not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    col = frame[name].astype(object)
    return col.isin(("yes", True)).to_numpy(dtype=bool)


def latest_per_agency(agencies: pd.DataFrame) -> pd.DataFrame:
    """The latest response of each agency (by ``_submitted_at`` when present, else row order)."""
    if "agency" not in agencies.columns:
        return agencies
    ordered = agencies.reset_index(drop=True)
    if "_submitted_at" in agencies.columns:
        ordered = ordered.sort_values("_submitted_at", kind="stable", na_position="first")
    positions = np.sort(ordered.drop_duplicates("agency", keep="last").index.to_numpy())
    return agencies.iloc[positions]


def agency_stages(agencies: pd.DataFrame, latest: bool = True) -> pd.DataFrame:
    """Stage of each agency: ``[agency,] stage, stage_number (0-5), label_en, label_id`` and
    each criterion of ``CRITERIA`` as bool.  Answers may be "yes"/"no", 0/1 or bools."""
    frame = latest_per_agency(agencies) if latest else agencies
    met = {name: np.logical_or.reduce([_yes(frame, q) for q in questions])
           for name, questions in CRITERIA.items()}
    steps = np.column_stack([np.logical_and.reduce([met[c] for c in needs])
                             for needs in STAGE_REQUIRES.values()]).reshape(len(frame), -1)
    number = np.logical_and.accumulate(steps, axis=1).sum(axis=1)
    stage = np.asarray(STAGES, dtype=object)[number]
    out = pd.DataFrame({"stage": stage, "stage_number": number}, index=frame.index)
    out["label_en"] = out["stage"].map({s: STAGE_LABELS[s]["en"] for s in STAGES})
    out["label_id"] = out["stage"].map({s: STAGE_LABELS[s]["id"] for s in STAGES})
    for name, values in met.items():
        out[name] = values
    if "agency" in frame.columns:
        out.insert(0, "agency", frame["agency"])
    return out.reset_index(drop=True)


def agency_stage(row: Mapping) -> str:
    """The stage name of one agency's answers (a dict or a Series)."""
    return agency_stages(pd.DataFrame([dict(row)]), latest=False)["stage"].iloc[0]


def city_stage(agencies: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """The city's stage and the distribution of agencies over the stages.

    The study judged the city as a whole, so the city's stage is the (lower) median
    agency stage: the highest stage that more than half of the agencies have reached.
    The median suits an ordinal ladder (a mean of stage numbers is not a stage), is not
    moved by one pioneer or one laggard, and the lower median never credits the city
    with a stage that only half of its agencies reached.

    Distribution columns: stage, stage_number, label_en, label_id, agencies (at exactly
    this stage), percent, reached (at this stage or higher), percent_reached.
    """
    stages = agency_stages(agencies)
    if stages.empty:
        raise ValueError("There are no agency responses, so the city's stage cannot be judged; "
                         "enter at least one agency interview.")
    numbers = np.sort(stages["stage_number"].to_numpy())
    city = STAGES[int(numbers[(len(numbers) - 1) // 2])]
    counts = np.bincount(numbers, minlength=len(STAGES))
    reached = counts[::-1].cumsum()[::-1]
    dist = pd.DataFrame({
        "stage": STAGES, "stage_number": np.arange(len(STAGES)),
        "label_en": [STAGE_LABELS[s]["en"] for s in STAGES],
        "label_id": [STAGE_LABELS[s]["id"] for s in STAGES],
        "agencies": counts, "percent": 100 * counts / len(numbers),
        "reached": reached, "percent_reached": 100 * reached / len(numbers),
    })
    return city, dist


# ---- EG1-EG7 ----------------------------------------------------------------------------
def _equals(column: str, value: int):
    return lambda f: f[column].eq(value).fillna(False).astype(bool)


CIVIL_SERVANT_INDICATORS = (
    Indicator("EG1", "uses_computer_routinely", "Persons employed in government routinely using computers",
              "Pegawai pemerintah yang menggunakan komputer secara rutin"),
    Indicator("EG2", "uses_internet_routinely", "Persons employed in government routinely using the Internet",
              "Pegawai pemerintah yang menggunakan internet secara rutin"),
)
AGENCY_INDICATORS = (
    Indicator("EG3", "has_lan", "Government organisations with a LAN",
              "Perangkat daerah yang memiliki jaringan lokal (LAN)"),
    Indicator("EG4", "has_intranet", "Government organisations with an intranet",
              "Perangkat daerah yang memiliki intranet"),
    Indicator("EG5", "has_internet", "Government organisations with Internet access",
              "Perangkat daerah dengan akses internet"),
    Indicator("EG5", "internet_access", "Government organisations with Internet access, by type",
              "Perangkat daerah dengan akses internet, menurut jenis",
              zero_where=_equals("has_internet", 0)),
    Indicator("EG6", "has_website", "Government organisations with a web presence",
              "Perangkat daerah yang memiliki kehadiran web"),
    Indicator("EG7", "stage_reached", "Government organisations offering online services, by level reached",
              "Perangkat daerah dengan layanan daring, menurut tingkat yang dicapai",
              choice_labels={s: STAGE_LABELS[s] for s in STAGES[1:]}),
)


def _instrument(name: str):
    from survey import load_instrument

    return load_instrument(name)


def egov_indicators(civil_servants: pd.DataFrame, agencies: pd.DataFrame, by: str | None = None,
                    level: float = 0.95, weights: str | None = None,
                    agency_weights: str | None = None) -> pd.DataFrame:
    """EG1-EG2 from the civil-servant survey (optionally ``by="agency"``), EG3-EG7 from the
    latest response of each agency.  EG5 has a row for any access (category "") and one
    per type (agencies without Internet count as without each type); EG7 gives the share
    of agencies at or above each stage.  Same columns as the household indicators; the
    ``by`` column is empty on agency rows.
    """
    for frame, column in ((civil_servants, weights), (agencies, agency_weights)):
        if column is not None and column not in frame.columns:
            raise KeyError(f"weights column {column!r} is not in the data; columns are {list(frame.columns)}")
    cs_inst, ag_inst = _instrument("civil_servant"), _instrument("agency")
    cs = tidy_answers(civil_servants, cs_inst.questions)
    cs_table = estimate_indicators(cs, CIVIL_SERVANT_INDICATORS, {"weights": weights}, by=by, level=level,
                                   questions={q.name: q for q in cs_inst.questions})
    latest = latest_per_agency(agencies)
    ag = tidy_answers(latest, ag_inst.questions).reset_index(drop=True)
    numbers = agency_stages(latest, latest=False)["stage_number"].to_numpy()
    for k, stage in enumerate(STAGES[1:], start=1):
        ag[f"stage_reached__{stage}"] = pd.array((numbers >= k).astype(int), dtype="Int8")
    ag_table = estimate_indicators(ag, AGENCY_INDICATORS, {"weights": agency_weights}, level=level,
                                   questions={q.name: q for q in ag_inst.questions})
    return pd.concat([cs_table, ag_table], ignore_index=True)[cs_table.columns]


# ---- leadership -------------------------------------------------------------------------
def _likert(frame: pd.DataFrame, items: Iterable[str]) -> pd.DataFrame:
    """Items as numbers 1-5 (answers are the choice names "1".."5"); others are missing."""
    items = list(items)
    missing = [c for c in items if c not in frame.columns]
    if missing:
        raise KeyError(f"Leadership items {missing} are not in the data; columns are {list(frame.columns)}")
    values = frame[items].apply(lambda col: pd.to_numeric(col.astype("string"), errors="coerce"))
    return values.astype(float).where((values >= 1) & (values <= 5))


def leadership_index(civil_servants: pd.DataFrame, items: Iterable[str] = LEADERSHIP_ITEMS) -> pd.Series:
    """Per respondent: the mean of the items rescaled to 0-100, ``(mean - 1) / 4 * 100``;
    missing when any item is missing (the same listwise rule as ``cronbach_alpha``)."""
    values = _likert(civil_servants, items)
    return ((values.mean(axis=1, skipna=False) - 1) / 4 * 100).rename("leadership_index")


def cronbach_alpha(df_items: pd.DataFrame) -> float:
    """Cronbach's alpha, ``k / (k - 1) * (1 - sum(var_i) / var_total)``, with sample variances
    (ddof=1) over the respondents who answered every item.  NaN when fewer than two
    complete respondents or no variance in the total."""
    items = df_items.apply(lambda col: pd.to_numeric(col, errors="coerce")).dropna()
    k = items.shape[1]
    if k < 2:
        raise ValueError(f"Cronbach's alpha needs at least 2 items, got {k}.")
    if len(items) < 2:
        return float("nan")
    total_var = items.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - items.var(ddof=1).sum() / total_var))


def _alphas(values: pd.DataFrame, groups: pd.Series) -> pd.Series:
    """Cronbach's alpha per group, vectorised with grouped variances."""
    complete = values.notna().all(axis=1) & groups.notna()
    items, g = values[complete], groups[complete].astype(str)
    k = items.shape[1]
    item_var = items.groupby(g).var(ddof=1).sum(axis=1, min_count=k)
    total_var = items.sum(axis=1).groupby(g).var(ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = k / (k - 1) * (1 - item_var / total_var.where(total_var > 0))
    return alpha


def leadership_summary(civil_servants: pd.DataFrame, by: str | None = "agency",
                       items: Iterable[str] = LEADERSHIP_ITEMS, level: float = 0.95,
                       weights: str | None = None) -> pd.DataFrame:
    """Mean leadership index (0-100) with its CI per ``by`` group and overall (``by`` value
    "(all)", the last row), with Cronbach's alpha (unweighted) and n.  Civil servants are
    a simple random sample unless ``weights`` names a column; group rows are domains of
    that design.

    Columns: [by], estimate, se, ci_low, ci_high, n, alpha.
    """
    items = list(items)
    values = _likert(civil_servants, items).reset_index(drop=True)
    data = pd.DataFrame({"leadership_index": leadership_index(civil_servants, items).to_numpy()})
    if weights is not None:
        data[weights] = civil_servants[weights].to_numpy()
    if by is not None:  # a question's groups come in questionnaire order
        groups = tidy_answers(civil_servants[[by]], _instrument("civil_servant").questions)[by]
        data[by] = groups.reset_index(drop=True)
    d = SurveyDesign(data, weights=weights)
    cols = ["estimate", "se", "ci_low", "ci_high", "n"]
    overall = mean(d, "leadership_index", level=level)[cols]
    overall["alpha"] = cronbach_alpha(values)
    if by is None:
        return overall
    groups = mean(d, "leadership_index", by=by, level=level)
    keys = groups[by].astype(str)
    groups = groups[cols].assign(alpha=keys.map(_alphas(values, data[by])).to_numpy())
    groups.insert(0, by, keys.to_numpy())
    overall.insert(0, by, ALL)
    out = pd.concat([groups, overall], ignore_index=True)
    out["n"] = out["n"].astype(int)
    return out
