"""E-government indicators, stages and leadership commitment.

* EG1-EG7: the Partnership on Measuring ICT for Development's core indicators on ICT
  in government (*Core ICT Indicators*; UNCTAD/ITU): civil servants routinely using
  computers (EG1) and the Internet (EG2), agencies with a LAN (EG3), an intranet (EG4),
  Internet access by type (EG5), a web presence (EG6), and online services by level of
  sophistication (EG7, here the share of agencies reaching each stage below).  The
  designs are the datasets' (civil servants: strata agency, staff-count weights; the
  agencies: a census, each agency's latest response), never written here.
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

Labels are ``{lang: text}`` (``STAGE_LABELS``, ``CRITERION_LABELS``); result tables
hold names (stages, criteria, agencies' choice names) and a ``label`` column of
``{lang: text}``.  Functions take the datasets of :mod:`analysis.dataset.dataset` (or one of
their tables); ``agency_stages`` and ``agency_stage`` also take stored answers.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from analysis.estimation.estimates import mean
from analysis.indicators.itu import RESULT_COLUMNS, Indicator, equals, estimate_indicators

__all__ = [
    "CRITERIA", "CRITERION_LABELS", "LEADERSHIP_ITEMS", "STAGES", "STAGE_LABELS", "STAGE_REQUIRES",
    "agency_stage", "agency_stages", "city_stage", "cronbach_alpha", "egov_indicators", "latest_per_agency",
    "leadership_index", "leadership_summary",
]

STAGES = ("none", "emerging", "enhanced", "interactive", "transactional", "seamless")
STAGE_LABELS: Mapping[str, Mapping[str, str]] = {
    "none": {"id": "Belum ada kehadiran web", "en": "No web presence"},
    "emerging": {"id": "Tahap awal (Emerging)", "en": "Emerging"},
    "enhanced": {"id": "Tahap peningkatan (Enhanced)", "en": "Enhanced"},
    "interactive": {"id": "Tahap interaksi (Interactive)", "en": "Interactive"},
    "transactional": {"id": "Tahap transaksi (Transactional)", "en": "Transactional"},
    "seamless": {"id": "Tahap terintegrasi penuh (Seamless)", "en": "Seamless"},
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
CRITERION_LABELS: Mapping[str, Mapping[str, str]] = {
    "website": {"id": "Memiliki situs web", "en": "Has a website"},
    "updated_regularly": {"id": "Situs web diperbarui secara rutin", "en": "Website updated regularly"},
    "downloads": {"id": "Dokumen dapat diunduh", "en": "Documents to download"},
    "two_way_contact": {"id": "Kontak dua arah (web, e-mail atau SMS)",
                        "en": "Two-way contact (web, e-mail or SMS)"},
    "transactions": {"id": "Pembayaran atau transaksi daring", "en": "Online payment or transactions"},
    "integrated": {"id": "Layanan terintegrasi antar-OPD", "en": "Services integrated across agencies"},
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


def _table(data):
    """A Dataset's main table, or the TableData itself."""
    return data.main if hasattr(data, "main") else data


# ---- stages -----------------------------------------------------------------------------
def _yes(frame, name: str) -> np.ndarray:
    """True where the answer is "yes" (or 1 / True); missing or absent questions are False.

    ``frame`` is a TableData (choices by name) or a DataFrame of stored answers."""
    if hasattr(frame, "is_choice"):
        if name not in frame.variables:
            return np.zeros(len(frame.frame), dtype=bool)
        return frame.is_choice(name, "yes").fillna(False).to_numpy(dtype=bool)
    if name not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[name].astype(object).isin(("yes", True, 1)).to_numpy(dtype=bool)


def latest_per_agency(agencies: pd.DataFrame) -> pd.DataFrame:
    """The latest stored response of each agency (by ``_submitted_at`` when present, else
    row order).  A Dataset already keeps only these (the agency design is a census)."""
    if "agency" not in agencies.columns:
        return agencies
    ordered = agencies.reset_index(drop=True)
    if "_submitted_at" in agencies.columns:
        ordered = ordered.sort_values("_submitted_at", kind="stable", na_position="first")
    positions = np.sort(ordered.drop_duplicates("agency", keep="last").index.to_numpy())
    return agencies.iloc[positions]


def _agency_names(table) -> np.ndarray | None:
    if hasattr(table, "choice_codes"):
        if "agency" not in table.variables:
            return None
        names = np.asarray(table.variables["agency"].choices + ("",), dtype=object)
        return names[table.choice_codes("agency")]
    return table["agency"].to_numpy(dtype=object) if "agency" in table.columns else None


def agency_stages(agencies, latest: bool = True) -> pd.DataFrame:
    """Stage of each agency: ``[agency,] stage, stage_number (0-5), label ({lang: text})``,
    each criterion of ``CRITERIA`` as bool, ``met`` (criteria met, in ladder order) and
    ``missing`` (criteria of the next stage not met; empty at Seamless).

    ``agencies``: the agency Dataset (or its TableData: the rows in its domain), or a
    DataFrame of stored answers ("yes"/"no", 0/1 or bools; ``latest`` keeps each
    agency's latest response).
    """
    if hasattr(agencies, "main") or hasattr(agencies, "is_choice"):
        table = _table(agencies)
        if table.design is None:
            return _stage_frame(np.zeros(0, dtype=int), {c: np.zeros(0, bool) for c in CRITERIA}, np.zeros(0))
        inside = table.design.in_subset
        met = {name: np.logical_or.reduce([_yes(table, q) for q in qs])[inside] for name, qs in CRITERIA.items()}
        names = _agency_names(table)
        return _stage_frame(_numbers(met, int(inside.sum())), met, None if names is None else names[inside])
    frame = latest_per_agency(agencies) if latest else agencies
    met = {name: np.logical_or.reduce([_yes(frame, q) for q in qs]) for name, qs in CRITERIA.items()}
    return _stage_frame(_numbers(met, len(frame)), met, _agency_names(frame))


def _numbers(met: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    steps = np.column_stack([np.logical_and.reduce([met[c] for c in needs])
                             for needs in STAGE_REQUIRES.values()]).reshape(n, -1)
    return np.logical_and.accumulate(steps, axis=1).sum(axis=1)


def _stage_frame(number: np.ndarray, met: Mapping[str, np.ndarray], agency) -> pd.DataFrame:
    stage = np.asarray(STAGES, dtype=object)[number]
    out = pd.DataFrame({"stage": stage, "stage_number": number})
    out["label"] = [STAGE_LABELS[s] for s in stage]
    for name, values in met.items():
        out[name] = values
    ladder = [c for needs in STAGE_REQUIRES.values() for c in needs]
    out["met"] = [tuple(c for c in ladder if met[c][i]) for i in range(len(out))]
    following = list(STAGE_REQUIRES.values())
    out["missing"] = [tuple(c for c in following[k] if not met[c][i]) if k < len(following) else ()
                      for i, k in enumerate(number)]
    if agency is not None:
        out.insert(0, "agency", agency)
    return out


def agency_stage(row: Mapping) -> str:
    """The stage name of one agency's stored answers (a dict or a Series)."""
    return agency_stages(pd.DataFrame([dict(row)]), latest=False)["stage"].iloc[0]


def city_stage(agencies) -> tuple[str, pd.DataFrame]:
    """The city's stage and the distribution of agencies over the stages.

    The study judged the city as a whole, so the city's stage is the (lower) median
    agency stage: the highest stage that more than half of the agencies have reached.
    The median suits an ordinal ladder (a mean of stage numbers is not a stage), is not
    moved by one pioneer or one laggard, and the lower median never credits the city
    with a stage that only half of its agencies reached.

    Distribution columns: stage, stage_number, label ({lang: text}), agencies (at exactly
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
        "label": [STAGE_LABELS[s] for s in STAGES],
        "agencies": counts, "percent": 100 * counts / len(numbers),
        "reached": reached, "percent_reached": 100 * reached / len(numbers),
    })
    return city, dist


# ---- EG1-EG7 ----------------------------------------------------------------------------
def _stages_reached(table) -> dict[str, np.ndarray]:
    """Per stage above "none": 1 where the agency reached it (every row of the table)."""
    met = {name: np.logical_or.reduce([_yes(table, q) for q in qs]) for name, qs in CRITERIA.items()}
    number = _numbers(met, len(table.frame))
    return {stage: (number >= k).astype(float) for k, stage in enumerate(STAGES[1:], start=1)}


CIVIL_SERVANT_INDICATORS = (
    Indicator("EG1", "uses_computer_routinely",
              {"id": "Pegawai pemerintah yang menggunakan komputer secara rutin",
               "en": "Persons employed in government routinely using computers"}),
    Indicator("EG2", "uses_internet_routinely",
              {"id": "Pegawai pemerintah yang menggunakan internet secara rutin",
               "en": "Persons employed in government routinely using the Internet"}),
)
AGENCY_INDICATORS = (
    Indicator("EG3", "has_lan", {"id": "Perangkat daerah yang memiliki jaringan lokal (LAN)",
                                 "en": "Government organisations with a LAN"}),
    Indicator("EG4", "has_intranet", {"id": "Perangkat daerah yang memiliki intranet",
                                      "en": "Government organisations with an intranet"}),
    Indicator("EG5", "has_internet", {"id": "Perangkat daerah dengan akses internet",
                                      "en": "Government organisations with Internet access"}),
    Indicator("EG5", "internet_access", {"id": "Perangkat daerah dengan akses internet, menurut jenis",
                                         "en": "Government organisations with Internet access, by type"},
              zero_where=equals("has_internet", "no")),
    Indicator("EG6", "has_website", {"id": "Perangkat daerah yang memiliki kehadiran web",
                                     "en": "Government organisations with a web presence"}),
    Indicator("EG7", "stage_reached", {"id": "Perangkat daerah dengan layanan daring, menurut tingkat yang dicapai",
                                       "en": "Government organisations offering online services, by level reached"},
              choice_labels={s: STAGE_LABELS[s] for s in STAGES[1:]}, values=_stages_reached),
)


def egov_indicators(civil_servants=None, agencies=None, by: str | None = None,
                    level: float = 0.95) -> pd.DataFrame:
    """EG1-EG2 from the civil-servant Dataset (optionally ``by="agency"``), EG3-EG7 from the
    agency Dataset; either may be None (left out).  EG5 has a row for any access
    (category "") and one per type (agencies without Internet count as without each
    type); EG7 gives the share of agencies at or above each stage.  Columns as
    :data:`analysis.indicators.itu.RESULT_COLUMNS`; the ``by`` column is empty on agency rows.
    """
    parts = []
    if civil_servants is not None:
        parts.append(estimate_indicators(_table(civil_servants), CIVIL_SERVANT_INDICATORS, by=by, level=level))
    if agencies is not None:
        parts.append(estimate_indicators(_table(agencies), AGENCY_INDICATORS, level=level))
    if not parts:
        raise ValueError("egov_indicators needs the civil-servant or the agency dataset (or both).")
    columns = RESULT_COLUMNS[:4] + ([by] if by else []) + RESULT_COLUMNS[4:]
    frames = [p.reindex(columns=columns) for p in parts if len(p)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


# ---- leadership -------------------------------------------------------------------------
def _likert(table, items: Iterable[str]) -> pd.DataFrame:
    """Items as numbers 1-5 (the choice names "1".."5"); others are missing.

    ``table``: a TableData (choices by name) or a DataFrame of stored answers."""
    items = list(items)
    if hasattr(table, "choice_codes"):
        missing = [c for c in items if c not in table.variables]
        if missing:
            raise KeyError(f"Leadership items {missing} are not in the data")
        values = {}
        for item in items:
            names = np.asarray(table.variables[item].choices + ("",), dtype=object)
            values[item] = pd.to_numeric(pd.Series(names[table.choice_codes(item)]), errors="coerce")
        values = pd.DataFrame(values)
    else:
        missing = [c for c in items if c not in table.columns]
        if missing:
            raise KeyError(f"Leadership items {missing} are not in the data; columns are {list(table.columns)}")
        values = table[items].apply(lambda col: pd.to_numeric(col.astype("string"), errors="coerce"))
        values = values.reset_index(drop=True)
    return values.astype(float).where((values >= 1) & (values <= 5))


def leadership_index(civil_servants, items: Iterable[str] = LEADERSHIP_ITEMS) -> pd.Series:
    """Per respondent (every row of the table): the mean of the items rescaled to 0-100,
    ``(mean - 1) / 4 * 100``; missing when any item is missing (the same listwise rule as
    ``cronbach_alpha``)."""
    values = _likert(_table(civil_servants) if hasattr(civil_servants, "main") else civil_servants, items)
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


def leadership_summary(civil_servants, by: str | None = "agency", items: Iterable[str] = LEADERSHIP_ITEMS,
                       level: float = 0.95) -> pd.DataFrame:
    """Mean leadership index (0-100) with its CI per ``by`` group (choice names) and overall
    (``by`` value "(all)", the last row), with Cronbach's alpha (unweighted, over the
    rows in the domain) and n.  The design is the civil-servant dataset's (staff-count
    weights, strata agency); group rows are domains of it.

    Columns: [by], estimate, se, ci_low, ci_high, df, n, deff, alpha.
    """
    table = _table(civil_servants)
    items = list(items)
    cols = ["estimate", "se", "ci_low", "ci_high", "df", "n", "deff"]
    if table.design is None:
        return pd.DataFrame(columns=([by] if by else []) + cols + ["alpha"])
    values = _likert(table, items)
    d = table.design.update(leadership_index=((values.mean(axis=1, skipna=False) - 1) / 4 * 100).to_numpy())
    inside = table.design.in_subset
    overall = mean(d, "leadership_index", level=level, deff=True)[cols]
    overall["alpha"] = cronbach_alpha(values[inside])
    if by is None:
        return overall
    names = np.asarray(table.variables[by].choices + ("",), dtype=object)[table.choice_codes(by)]
    groups = mean(d.update(_group=pd.Categorical(np.where(names == "", None, names),
                                                 categories=list(table.variables[by].choices))),
                  "leadership_index", by="_group", level=level, deff=True)
    keys = groups["_group"].astype(str)
    alphas = _alphas(values[inside], pd.Series(names[inside]).replace("", None))
    groups = groups[cols].assign(alpha=keys.map(alphas).to_numpy())
    groups.insert(0, by, keys.to_numpy())
    overall.insert(0, by, ALL)
    out = pd.concat([groups, overall], ignore_index=True)
    out["n"] = out["n"].astype(int)
    return out
