"""Kelurahan estimates where the sample is thin: direct and model-based rows side by side.

:func:`kelurahan_table` gives, for one question (a choice question's share of each choice, or a
number's mean) and each kelurahan, two rows: the **direct** design-based estimate from the
kelurahan's own respondents (``svyby``, :mod:`analysis.estimation.estimates`) and the
**model-based** EBLUP of the area-level Fay-Herriot model
(:mod:`analysis.estimation.fay_herriot`), whose auxiliaries are the numbers of ``kelurahan.csv``
(:func:`analysis.dataset.datafiles.area_auxiliaries`).  Each row has its SE (the model's: the root
of its MSE), RSE and BPS reliability.

The variance the model is given for each kelurahan (its ``D_d``):

* its design variance, when it has at least two sampled PSUs and that variance is positive;
* otherwise a smoothed one (a generalised variance function): the city's element variance times
  the city's design effect, over the kelurahan's respondents.  A kelurahan inside one PSU has
  no design variance at all (the PSU totals of a domain mean sum to zero), nor has a share of
  0% or 100%; the simulator's census blocks make most kelurahan one PSU.  Its direct row shows
  no SE then (–).
* A kelurahan of kelurahan.csv without respondents gets the regression-synthetic estimate
  (``synthetic``), with its MSE.

With ``benchmark=True`` the model-based estimates are ratio-benchmarked so that their mean,
weighted by the kelurahan's households (or population), equals the city's direct estimate; their
MSE is the unbenchmarked one's (said in a note).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as distributions

from analysis.dataset.datafiles import AREA, KELURAHAN_FILE
from analysis.estimation.estimates import mean, proportion
from analysis.estimation.fay_herriot import FayHerriotError, fay_herriot, ratio_benchmark
from analysis.tables.summary_table import (
    MIN_RESPONDENTS,
    RELIABILITY_LABELS,
    RELIABILITY_NOTE,
    TOO_FEW_NOTE,
    Column,
    SummaryTable,
    estimate_columns,
    with_reliability,
)
from survey.locale import LANGUAGES, pick

METHOD_LABELS = {
    "direct": {"en": "Direct", "id": "Langsung"},
    "model": {"en": "Model-based", "id": "Berbasis model"},
    "synthetic": {"en": "Model-based (no sample)", "id": "Berbasis model (tanpa sampel)"},
}
SHARES = ("households", "population")   # kelurahan.csv columns that weight a benchmark, in this order


def _psus(table, question_mask: np.ndarray, areas: np.ndarray) -> pd.Series:
    """Sampled PSUs (first-stage units) with an answer, per kelurahan."""
    psu = table.design.columns["psu"]
    if isinstance(psu, list):   # a multistage design: its first stage
        psu = psu[0]
    if psu is None:     # every household its own PSU
        return pd.Series(areas[question_mask]).value_counts()
    frame = pd.DataFrame({"area": areas, "psu": table.frame[psu].astype(str).to_numpy()})[question_mask]
    return frame.groupby("area", observed=True)["psu"].nunique()


def _direct(table, question: str, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(by kelurahan, the city): estimate, se, n, deff per choice (shares in percent) or of the mean."""
    d = table.design
    if kind == "number":
        by = mean(d, question, by=AREA).assign(choice="mean")
        city = mean(d, question, deff=True).assign(choice="mean")
    else:
        by = proportion(d, question, by=AREA).rename(columns={"level": "choice"})
        city = proportion(d, question, deff=True).rename(columns={"level": "choice"})
        for frame in (by, city):
            frame[["estimate", "se", "ci_low", "ci_high"]] *= 100
    return by, city


def kelurahan_table(data, question: str, areas: pd.DataFrame | None, method: str = "REML",
                    benchmark: bool = False, level: float = 0.95, choices: tuple[str, ...] | None = None
                    ) -> SummaryTable:
    """The direct and model-based estimates of ``question`` by kelurahan (see the module docstring).

    ``choices``: a choice question's choices shown (default: all; an indicator shows ("yes",)).
    ``areas``: kelurahan.csv as :func:`analysis.dataset.datafiles.area_auxiliaries` reads it (None:
    no file, so direct rows only and a note saying how to add it)."""
    table = data.table_of(question)
    var = table.variables[question]
    if var.kind not in ("categorical", "number"):
        raise ValueError(f"{question!r} is a {var.question.type} question; kelurahan estimates are for choices "
                         "and numbers")
    if AREA not in table.variables:
        raise ValueError(f"{table.name} has no {AREA} question")
    area_var = table.variables[AREA]
    kind = "number" if var.kind == "number" else "percent"
    columns = {"by": Column(area_var.labels)}
    if var.kind == "categorical":
        columns["choice"] = Column(var.labels)
    columns["method"] = Column({"en": "Estimate type", "id": "Jenis estimasi"})
    estimate = estimate_columns(level)
    columns.update({c: estimate[c] for c in ("estimate", "se", "ci_low", "ci_high", "n", "rse", "reliability")})
    value_labels = {"by": area_var.value_labels(), "method": METHOD_LABELS, "reliability": RELIABILITY_LABELS}
    if var.kind == "categorical":
        value_labels["choice"] = var.value_labels()
    keys = tuple(c for c in ("by", "choice", "method") if c in columns)
    title = {lang: f"{pick(var.labels, lang)} · {'menurut kelurahan' if lang == 'id' else 'by kelurahan'}"
             for lang in LANGUAGES}
    stats = {"question": question, "method": method, "benchmark": benchmark, "level": level, "choices": choices}
    if table.design is None or table.n == 0:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in [*columns, "kind"]})
        return SummaryTable(empty, title, columns, notes=(RELIABILITY_NOTE,), provenance=data.provenance,
                            kind="kelurahan", keys=keys, stats=stats, value_labels=value_labels)

    names = dict(zip(area_var.choice_labels(table.lang), area_var.choices))
    area_codes = table.choice_codes(AREA)
    area_names = np.array([area_var.choices[c] if c >= 0 else None for c in area_codes], dtype=object)
    answered = table.design.in_subset & table.frame[question].notna().to_numpy() & (area_codes >= 0)
    psus = _psus(table, answered, area_names)
    by, city = _direct(table, question, var.kind)
    if choices is not None and var.kind == "categorical":
        labels = dict(zip(var.choices, var.choice_labels(table.lang)))
        wanted = [labels[c] for c in choices if c in labels]
        by, city = by[by["choice"].astype(object).isin(wanted)], city[city["choice"].astype(object).isin(wanted)]
    by["by"] = by.pop(AREA).astype(object).map(lambda v: names.get(v, v))
    if var.kind == "categorical":
        back = dict(zip(var.choice_labels(table.lang), var.choices))
        by["choice"] = by["choice"].astype(object).map(lambda v: back.get(v, v))
        city["choice"] = city["choice"].astype(object).map(lambda v: back.get(v, v))
    by["psus"] = by["by"].map(psus).fillna(0).to_numpy(dtype=int)
    no_variance = (by["psus"] < 2) | ~(by["se"] > 1e-8 * (by["estimate"].abs() + 1))
    direct = by.assign(method="direct")
    direct.loc[no_variance, ["se", "ci_low", "ci_high"]] = np.nan

    notes, fits, rows = [], {}, [direct]
    if areas is None:
        notes.append({"en": f"No model-based rows: upload {KELURAHAN_FILE} (numbers per kelurahan from the census "
                            "or Podes) on the design page.",
                      "id": f"Tanpa baris berbasis model: unggah {KELURAHAN_FILE} (angka per kelurahan dari sensus "
                            "atau Podes) di halaman desain."})
    else:
        auxiliaries = [c for c in areas.columns if c != AREA]
        for choice, city_row in city.set_index("choice").iterrows():
            part = by[by["choice"] == choice].assign(smoothed=no_variance[by["choice"] == choice])
            try:
                model, fit = _model_rows(part, city_row, var.kind == "categorical", areas, auxiliaries, method,
                                         benchmark, level)
            except FayHerriotError as error:
                notes.append({"en": f"The model could not be fitted ({pick(var.labels, 'en')}, {choice}): {error}.",
                              "id": f"Model tidak dapat dipasang ({pick(var.labels, 'id')}, {choice}): {error}."})
                continue
            rows.append(model.assign(choice=choice))
            fits[choice] = fit
        if fits:
            notes.append(_model_note(method, auxiliaries, benchmark))
            stats["variance"] = {c: f.variance for c, f in fits.items()}
            stats["auxiliaries"] = tuple(auxiliaries)
    # a direct row of fewer than MIN_RESPONDENTS shows no numbers; a model row is the model's, shown
    frame = pd.concat([with_reliability(rows[0], MIN_RESPONDENTS), *map(with_reliability, rows[1:])],
                      ignore_index=True).assign(kind=kind)
    order = {c: i for i, c in enumerate(area_var.choices)}
    choice_order = {c: i for i, c in enumerate(var.choices)} if var.kind == "categorical" else {"mean": 0}
    method_order = {"direct": 0, "model": 1, "synthetic": 1}
    frame = frame.iloc[np.lexsort((frame["method"].map(method_order), frame["choice"].map(choice_order),
                                   frame["by"].map(lambda v: order.get(v, len(order)))))].reset_index(drop=True)
    if var.kind != "categorical":
        frame = frame.drop(columns="choice")
    notes += [RELIABILITY_NOTE, TOO_FEW_NOTE]
    shown = [c for c in dict.fromkeys([*keys, *columns, "kind"]) if c in frame.columns]
    return SummaryTable(frame[shown], title, columns, notes=notes, provenance=data.provenance, kind="kelurahan",
                        keys=keys, stats=stats, value_labels=value_labels,
                        subtitle={"en": "direct and model-based (Fay-Herriot)",
                                  "id": "langsung dan berbasis model (Fay-Herriot)"})


def _model_rows(part: pd.DataFrame, city_row, share: bool, areas: pd.DataFrame, auxiliaries: list[str],
                method: str, benchmark: bool, level: float):
    """One choice's model-based rows: every kelurahan of ``areas`` (and those answered but not in it
    are left without one: the model needs their auxiliaries)."""
    deff = city_row.get("deff", np.nan)
    deff = deff if np.isfinite(deff) and deff > 0 else 1.0
    est = city_row["estimate"]
    element = est * (100 - est) if share else city_row["se"] ** 2 * city_row["n"] / deff   # se^2 = deff S^2 / n
    smoothed = element * deff / part["n"].to_numpy(dtype=float)
    variance = np.where(part["smoothed"], smoothed, part["se"].to_numpy(dtype=float) ** 2)
    direct = pd.DataFrame({AREA: part["by"].to_numpy(), "direct": part["estimate"].to_numpy(dtype=float),
                           "vardir": variance, "n": part["n"].to_numpy()})
    merged = areas.merge(direct, on=AREA, how="left")
    fit = fay_herriot(merged, "direct", "vardir", auxiliaries, area=AREA, method=method)
    est = fit.estimates
    values = est["eblup"].to_numpy(dtype=float)
    if benchmark:
        weight = next((c for c in SHARES if c in areas.columns), None)
        if weight is None:
            raise FayHerriotError(f"benchmarking needs a {' or '.join(SHARES)} column in {KELURAHAN_FILE}")
        values = ratio_benchmark(values, merged[weight].to_numpy(dtype=float), city_row["estimate"])
    z = distributions.norm.ppf(1 - (1 - level) / 2)
    se = est["se"].to_numpy(dtype=float)
    low, high = values - z * se, values + z * se
    if share:   # a share's interval stays within 0-100%
        low, high = np.clip(low, 0, 100), np.clip(high, 0, 100)
    rows = pd.DataFrame({"by": est["area"].to_numpy(), "method": np.where(est["fitted"], "model", "synthetic"),
                         "estimate": values, "se": se, "ci_low": low, "ci_high": high,
                         "n": merged["n"].fillna(0).to_numpy(dtype=int)})
    return rows, fit


def _model_note(method: str, auxiliaries: list[str], benchmark: bool) -> dict:
    names = ", ".join(auxiliaries)
    en = (f"Model-based: Fay-Herriot area-level model (EBLUP, {method}; R sae eblupFH/mseFH), auxiliaries from "
          f"{KELURAHAN_FILE}: {names}. SE = root of the model's MSE (Prasad-Rao). Direct: the kelurahan's own "
          "respondents. A kelurahan with one sampled PSU, or a share of 0% or 100%, has no design variance (–): "
          "the model gives it a smoothed one (the city's element variance × design effect / respondents). "
          "A kelurahan without respondents has the regression (synthetic) estimate.")
    id_ = (f"Berbasis model: model tingkat area Fay-Herriot (EBLUP, {method}; R sae eblupFH/mseFH), variabel "
           f"pendukung dari {KELURAHAN_FILE}: {names}. Galat baku = akar MSE model (Prasad-Rao). Langsung: dari "
           "responden kelurahan itu sendiri. Kelurahan dengan satu PSU tersampel, atau persentase 0% atau 100%, "
           "tidak punya varians desain (–): model memakai varians yang dihaluskan (varians elemen kota × efek "
           "desain / jumlah responden). Kelurahan tanpa responden mendapat estimasi regresi (sintetis).")
    if benchmark:
        en += " Benchmarked (ratio) to the city's direct estimate; SEs are those before benchmarking."
        id_ += " Di-benchmark (rasio) ke estimasi langsung kota; galat baku sebelum benchmark."
    return {"en": en, "id": id_}
