"""The precision tracker: how precise the headline indicators are now, and will be at the target.

For each indicator (default HH6 Internet at home, HH7 Internet use, HH4 computer;
:mod:`analysis.indicators.itu`) per stratum and overall, from the analysis Dataset as it
is now:

* the estimate ``p`` (a percentage), its standard error and design effect (R's
  ``deff``: the variance over that of a simple random sample of the same size,
  :mod:`analysis.estimation.estimates`), and the margin of error now, ``moe = t(df) * SE`` with
  the design's degrees of freedom (95%);
* the margin of error projected at the target sample size, assuming the estimate and
  the design effect stay as they are:

      n_target   = n * H_target / H_now
      moe_target = t(df_target) * 100 * sqrt(deff * p (1 - p) / n_target)      (p in 0-1)

  where ``n`` is the indicator's sample now (households, or members aged 5+ for HH7),
  ``H_now`` the completed households the analysis holds, ``H_target`` the households
  the frame samples (frame.csv ``households_sampled``, summed over the stratum's PSUs)
  and ``df_target`` the frame's PSUs minus its strata (in one stratum: its PSUs - 1).
  At ``n_target = n`` it is the margin of error now (up to R's n/(n-1) in the deff);
  a design effect grows with the cluster size, so it is kept, not the SE. Kish
  (1965, ch. 5) and Lohr (ch. 7) plan sample sizes the same way, ``n = deff * z^2 p(1-p) / e^2``.
* the target margin of error (the design block's ``target_moe``, percentage points) and
  whether the stratum will miss it (``status``: ``miss`` when ``moe_target >
  target_moe``, ``meet`` otherwise, ``""`` when it cannot be projected yet).

Non-response lowers the final n below the sampled households: the response rates on the
same page say by how much.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.dataset.datafiles import numbers
from analysis.indicators.itu import (
    HOUSEHOLD_INDICATORS,
    INDIVIDUAL_INDICATORS,
    MIN_AGE,
    age_at_least,
    estimate_indicators,
)
from analysis.tables.summary_table import Column, SummaryTable

__all__ = ["ALL", "HEADLINE", "PRECISION_COLUMNS", "precision_summary", "precision_table", "precision_tracker",
           "projected_moe"]

HEADLINE = ("HH6", "HH7", "HH4")
ALL = "(all)"
PRECISION_COLUMNS = ["indicator", "stratum", "estimate", "se", "moe", "df", "n", "deff", "households",
                     "target_households", "n_target", "df_target", "moe_target", "target_moe", "status"]


def projected_moe(p_percent, deff, n_target, df_target, level: float = 0.95):
    """``t(df_target) * 100 * sqrt(deff * p (1 - p) / n_target)``, p given in percent (vectorised)."""
    p = np.asarray(p_percent, dtype=float) / 100
    with np.errstate(divide="ignore", invalid="ignore"):
        t = stats.t.ppf(0.5 + level / 2, np.asarray(df_target, dtype=float))
        return t * 100 * np.sqrt(np.asarray(deff, dtype=float) * p * (1 - p) / np.asarray(n_target, dtype=float))


def _indicator(code: str):
    for ind in (*HOUSEHOLD_INDICATORS, *INDIVIDUAL_INDICATORS):
        if ind.code == code:
            return ind
    raise KeyError(f"no indicator {code!r}")


def _members(data):
    return next((t for t in data.tables.values() if t.household is not None), None)


def _targets(frame: pd.DataFrame | None, strata: str | None, psu: str | None) -> tuple[dict, dict]:
    """({stratum or ALL: households sampled}, {stratum or ALL: df at the target})."""
    if frame is None or "households_sampled" not in frame.columns or strata is None or strata not in frame.columns:
        return {}, {}
    sampled = pd.Series(numbers(frame["households_sampled"]), index=frame[strata].astype(str).to_numpy())
    households = sampled.groupby(level=0).sum().to_dict()
    households[ALL] = float(sampled.sum())
    units = frame.drop_duplicates([strata, psu]) if psu and psu in frame.columns else frame
    psus = units[strata].astype(str).value_counts()
    df = {s: float(k - 1) for s, k in psus.items()}
    df[ALL] = float(psus.sum() - len(psus))
    return households, df


def precision_tracker(data, frame: pd.DataFrame | None = None, codes=HEADLINE, level: float = 0.95) -> pd.DataFrame:
    """One row per indicator and stratum (then the indicator overall, stratum :data:`ALL`),
    columns :data:`PRECISION_COLUMNS` (see the module docstring)."""
    spec = data.instrument.design
    strata = spec.strata
    main = data.main
    rows = []
    if main.design is None:
        return pd.DataFrame(columns=PRECISION_COLUMNS)
    households_now = pd.Series(1.0, index=_names(main, strata)).groupby(level=0).sum().to_dict() if strata else {}
    households_now[ALL] = float(main.n)
    target_h, target_df = _targets(frame, strata, spec.psu)
    for code in codes:
        ind = _indicator(code)
        individual = ind in INDIVIDUAL_INDICATORS
        table = _members(data) if individual else main
        if table is None or table.design is None:
            continue
        scope = age_at_least(MIN_AGE)(table) if individual else None
        parts = [estimate_indicators(table, [ind], by=strata, level=level, scope=scope)] if strata else []
        parts.append(estimate_indicators(table, [ind], level=level, scope=scope).assign(**({strata: ALL} if strata else {})))
        result = pd.concat(parts, ignore_index=True)
        result = result[result["category"].astype(str) == ""]
        for r in result.itertuples(index=False):
            stratum = getattr(r, strata) if strata else ALL
            rows.append({"indicator": code, "stratum": str(stratum), "estimate": r.estimate, "se": r.se,
                         "df": r.df, "n": int(r.n), "deff": r.deff,
                         "households": households_now.get(str(stratum), 0.0),
                         "target_households": target_h.get(str(stratum), np.nan),
                         "df_target": target_df.get(str(stratum), np.nan)})
    out = pd.DataFrame(rows, columns=[c for c in PRECISION_COLUMNS if c not in ("moe", "n_target", "moe_target",
                                                                                    "target_moe", "status")])
    with np.errstate(divide="ignore", invalid="ignore"):
        t_now = stats.t.ppf(0.5 + level / 2, out["df"].to_numpy(dtype=float))
        out["moe"] = t_now * out["se"].to_numpy(dtype=float)
        out["n_target"] = out["n"] * out["target_households"] / out["households"].where(out["households"] > 0)
    out["moe_target"] = projected_moe(out["estimate"], out["deff"], out["n_target"], out["df_target"], level)
    out["target_moe"] = spec.target_moe if spec.target_moe is not None else np.nan
    projected = np.isfinite(out["moe_target"].to_numpy(dtype=float))
    out["status"] = np.where(~projected | out["target_moe"].isna(), "",
                             np.where(out["moe_target"] > out["target_moe"], "miss", "meet"))
    return out[PRECISION_COLUMNS].reset_index(drop=True)


def _names(table, question: str) -> np.ndarray:
    """Each row's choice name of ``question`` (the frame holds labels)."""
    var = table.variables[question]
    codes = table.choice_codes(question)
    names = np.asarray(var.choices, dtype=object)
    return np.where(codes >= 0, names[np.maximum(codes, 0)], "")[table.design.in_subset]


_TITLE = {"id": "Pelacak presisi: batas galat (margin of error) sekarang dan pada ukuran sampel target",
          "en": "Precision tracker: margin of error now and at the target sample size"}
_NOTE = {
    "en": "Margin of error (MOE) = t × SE, 95%, in percentage points. Projected at the target: "
          "t(df at the target) × √(deff × p(1 − p) / n_target), n_target = n × households sampled (frame) / "
          "households completed now; the estimate and design effect are taken as they are now. Non-response makes "
          "the final n smaller.",
    "id": "Batas galat (margin of error, MOE) = t × galat baku, 95%, dalam poin persentase. Proyeksi pada target: "
          "t(df pada target) × √(efek desain × p(1 − p) / n_target), n_target = n × rumah tangga dalam sampel "
          "(kerangka) / rumah tangga selesai sekarang; estimasi dan efek desain dianggap tetap. Nonrespons membuat "
          "n akhir lebih kecil.",
}
_STATUS = {"meet": {"id": "Tercapai", "en": "Will meet"}, "miss": {"id": "Tidak tercapai", "en": "Will miss"},
           "": {"id": "–", "en": "–"}}


def precision_table(data, frame: pd.DataFrame | None = None, codes=HEADLINE, level: float = 0.95) -> SummaryTable:
    """:func:`precision_tracker` as a SummaryTable (labels in both languages)."""
    return precision_summary(data.instrument, precision_tracker(data, frame, codes, level), data.provenance, level)


def precision_summary(inst, result: pd.DataFrame, provenance=None, level: float = 0.95) -> SummaryTable:
    """A SummaryTable of a :func:`precision_tracker` result (for a result computed earlier)."""
    strata = inst.design.strata
    codes = list(dict.fromkeys(result["indicator"]))
    labels = {code: dict(_indicator(code).label) for code in codes}
    stratum_labels = {ALL: {"id": "Semua", "en": "All"}}
    if strata:
        stratum_labels.update({c: dict(t) for c, t in inst.question(strata).choices.items()})
    stratum_title = dict(inst.question(strata).label) if strata else {"id": "Strata", "en": "Stratum"}
    columns = {
        "indicator": Column({"id": "Indikator", "en": "Indicator"}),
        "stratum": Column(stratum_title),
        "estimate": Column({"id": "Estimasi", "en": "Estimate"}, "percent"),
        "moe": Column({"id": "MOE sekarang", "en": "MOE now"}, "points"),
        "n": Column({"id": "n", "en": "n"}, "count"),
        "deff": Column({"id": "Efek desain", "en": "Design effect"}, "ratio"),
        "target_households": Column({"id": "Rumah tangga target", "en": "Target households"}, "count"),
        "n_target": Column({"id": "n target", "en": "n at target"}, "count"),
        "moe_target": Column({"id": "MOE pada target", "en": "MOE at target"}, "points"),
        "target_moe": Column({"id": "MOE sasaran", "en": "Target MOE"}, "points"),
        "status": Column({"id": "Status", "en": "Status"}),
    }
    return SummaryTable(result, _TITLE, columns, value_labels={"indicator": labels, "stratum": stratum_labels,
                                                               "status": _STATUS},
                        notes=(_NOTE,), provenance=provenance, kind="precision", keys=("indicator", "stratum"),
                        stats={"level": level, "target_moe": inst.design.target_moe})
