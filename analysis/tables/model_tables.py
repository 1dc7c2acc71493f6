"""A design-based regression as a SummaryTable: coefficients or odds ratios with CIs and p-values.

:func:`model_table` fits R's ``svyglm`` (:mod:`analysis.estimation.models`) on one table of a
Dataset: a number outcome by a linear model, a choice outcome by a logistic model of one of its
choices (the others are 0).  Predictors are the table's numbers and choice questions; a choice
question enters as one term per choice against its first answered choice (R's treatment
contrasts).  The notes name the model, the design, the rows used (n), the residual degrees of
freedom and the reference categories.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.estimation.models import linear, logistic
from analysis.tables.summary_table import Column, SummaryTable
from survey import locale as formatting
from survey.locale import LANGUAGES, pick

KINDS = ("categorical", "number")   # the variables a model can take (outcome and predictors)
_TERM = re.compile(r"^_x(\d+)_(?:\[T\.(.*)\]|(.*))$")   # patsy's "_x1_[T.level]", R's "_x1_level"


def model_variables(table) -> list:
    """The table's variables a model can use, PII left out."""
    return [v for v in table.variables.values() if v.kind in KINDS and not v.question.pii]


def _title(outcome_var, choice: str | None, lang: str) -> str:
    what = pick(outcome_var.labels, lang)
    if choice is not None:
        label = pick(outcome_var.value_labels()[choice], lang)
        what = f"{what} = {label}"
    return (f"Model regresi: {what}" if lang == "id" else f"Regression model: {what}")


def checked(data, outcome: str, predictors: Sequence[str]):
    """(the outcome's table, its variable, the predictors' variables) once they can make a model;
    else ValueError with a plain reason (a Dataset's or, out of core, a StoreData's tables)."""
    table = data.table_of(outcome)
    var = table.variables[outcome]
    if var.kind not in KINDS:
        raise ValueError(f"{outcome!r} is a {var.question.type} question; a model needs a number or a choice")
    if not predictors:
        raise ValueError("choose at least one predictor")
    unknown = [p for p in predictors if p not in table.variables or table.variables[p].kind not in KINDS]
    if unknown or outcome in predictors:
        raise ValueError(f"predictors must be other numbers or choice questions of {table.name}: {unknown or outcome}")
    if table.design is None or table.n == 0:
        raise ValueError("no responses to fit the model to")
    return table, var, [table.variables[p] for p in predictors]


def outcome_choice(var, choice: str | None) -> str | None:
    """The choice a logistic model's outcome is 1 for (None: a linear model)."""
    if var.kind != "categorical":
        return None
    return choice or ("yes" if "yes" in var.choices else var.choices[-1])


def model_table(data, outcome: str, predictors: Sequence[str], choice: str | None = None,
                level: float = 0.95) -> SummaryTable:
    """The design-based model of ``outcome`` on ``predictors`` (questions of ``outcome``'s table).

    A choice ``outcome`` is logistic: ``choice`` (default: "yes" when it is a choice, else the last
    choice) is 1, any other answer 0.  Raises ValueError with a plain reason when it cannot be fitted."""
    table, var, variables = checked(data, outcome, predictors)
    logistic_model = var.kind == "categorical"
    choice = outcome_choice(var, choice)
    columns = {}
    if logistic_model:
        codes = table.choice_codes(outcome)
        columns["_y"] = np.where(codes < 0, np.nan, (codes == var.choices.index(choice)).astype(float))
    else:
        columns["_y"] = pd.to_numeric(table.frame[outcome], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    for j, v in enumerate(variables):
        values = table.frame[v.name]
        columns[f"_x{j}_"] = values if v.kind == "categorical" else \
            pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)   # patsy: no pd.NA
    formula = "_y ~ " + " + ".join(f"_x{j}_" for j in range(len(variables)))
    try:
        fit = (logistic if logistic_model else linear)(table.design.update(**columns), formula, level=level)
    except ValueError as error:   # said with the questions' names, not the formula's stand-ins
        text = re.sub(r"_x(\d+)_", lambda m: predictors[int(m.group(1))], str(error))
        raise ValueError(re.sub(r"\b_y\b", outcome, text)) from None
    levels = {v.name: _levels(v, table) for v in variables if v.kind == "categorical"}
    answered = {v.name: [v.choices[c] for c in np.unique(table.choice_codes(v.name)[table.design.in_subset])
                         if c >= 0] for v in variables if v.kind == "categorical"}
    return summary(data, fit, var, variables, choice, level, levels, answered)


def summary(data, fit: pd.DataFrame, var, variables, choice: str | None, level: float, levels: dict,
            answered: dict) -> SummaryTable:
    """The model's SummaryTable from its fit (the ``linear``/``logistic`` frame): ``levels`` maps each
    choice predictor to {category label: choice name}, ``answered`` to its choices answered in the
    rows in force (choice order), for the reference categories."""
    logistic_model = var.kind == "categorical"
    outcome, predictors = var.name, tuple(v.name for v in variables)
    frame = fit[["term", "coef", "se", "ci_low", "ci_high", "p_value"]].copy()
    frame["term"] = frame["term"].astype(str)
    term_labels = {term: _term_label(term, variables, levels) for term in frame["term"]}
    if logistic_model:
        frame["odds_ratio"] = np.exp(frame["coef"])
        frame["or_low"], frame["or_high"] = np.exp(frame["ci_low"]), np.exp(frame["ci_high"])
    pct = {lang: formatting.number(100 * level, lang, 0) for lang in LANGUAGES}
    shown = {"term": Column({"id": "Suku", "en": "Term"})}
    if logistic_model:
        shown["odds_ratio"] = Column({"id": "Rasio odds", "en": "Odds ratio"}, "ratio", 3)
        shown["or_low"] = Column({"id": f"SK {pct['id']}% bawah", "en": f"CI {pct['en']}% low"}, "ratio", 3)
        shown["or_high"] = Column({"id": f"SK {pct['id']}% atas", "en": f"CI {pct['en']}% high"}, "ratio", 3)
    shown["coef"] = Column({"id": "Koefisien" + (" (log odds)" if logistic_model else ""),
                            "en": "Coefficient" + (" (log odds)" if logistic_model else "")}, "number", 4)
    shown["se"] = Column({"id": "Galat baku", "en": "SE"}, "number", 4)
    if not logistic_model:
        shown["ci_low"] = Column({"id": f"SK {pct['id']}% bawah", "en": f"CI {pct['en']}% low"}, "number", 4)
        shown["ci_high"] = Column({"id": f"SK {pct['id']}% atas", "en": f"CI {pct['en']}% high"}, "number", 4)
    shown["p_value"] = Column({"id": "Nilai p", "en": "p-value"}, "pvalue")
    n, df = fit.attrs["n"], fit.attrs["df_residual"]
    notes = [_model_note(logistic_model, n, df), _design_note(data.provenance)]
    reference = _reference_note(variables, levels, answered, list(frame["term"]))
    if reference:
        notes.append(reference)
    if fit.attrs.get("aliased"):
        notes.append({"en": "A term collinear with earlier ones has no estimate (–), as R reports NA.",
                      "id": "Suku yang kolinear dengan suku sebelumnya tidak punya estimasi (–), seperti NA di R."})
    stats = {"outcome": outcome, "predictors": predictors, "choice": choice, "n": n, "df_residual": df,
             "model": "logistic" if logistic_model else "linear", "level": level}
    title = {lang: _title(var, choice, lang) for lang in LANGUAGES}
    return SummaryTable(frame, title, shown, notes=notes, provenance=data.provenance, kind="model",
                        stats=stats, keys=("term",), value_labels={"term": term_labels})


def _levels(var, table) -> dict:
    """The frame's category labels (the Dataset's language) -> choice names."""
    return dict(zip(map(str, table.frame[var.name].cat.categories), var.choices))


def _term_label(term: str, variables, levels: dict) -> dict:
    """A model term as people read it: the question's label, and for a choice the choice's."""
    if term in ("Intercept", "(Intercept)"):
        return {"id": "Konstanta", "en": "Intercept"}
    match = _TERM.match(term)
    if match is None:
        return {lang: term for lang in LANGUAGES}
    var = variables[int(match.group(1))]
    level = match.group(2) if match.group(2) is not None else match.group(3)
    if not level:
        return dict(var.labels)
    choice = levels[var.name].get(level)
    labels = var.value_labels().get(choice, {lang: level for lang in LANGUAGES})
    return {lang: f"{pick(var.labels, lang)}: {pick(labels, lang)}" for lang in LANGUAGES}


def _model_note(logistic_model: bool, n: int, df: int) -> dict:
    count = {lang: formatting.number(n, lang, 0) for lang in LANGUAGES}
    if logistic_model:
        return {"en": f"Logistic model weighted by the design (R svyglm, quasibinomial); odds ratio = "
                      f"exp(coefficient); design-based (sandwich) SEs; n = {count['en']} rows with every "
                      f"variable, residual df = {df}.",
                "id": f"Model logistik berbobot desain (R svyglm, quasibinomial); rasio odds = exp(koefisien); "
                      f"galat baku berbasis desain (sandwich); n = {count['id']} baris dengan semua variabel, "
                      f"db residual = {df}."}
    return {"en": f"Linear model weighted by the design (R svyglm, gaussian); design-based (sandwich) SEs; "
                  f"n = {count['en']} rows with every variable, residual df = {df}.",
            "id": f"Model linear berbobot desain (R svyglm, gaussian); galat baku berbasis desain (sandwich); "
                  f"n = {count['id']} baris dengan semua variabel, db residual = {df}."}


def _design_note(provenance) -> dict:
    return {"en": "Design: " + pick(provenance.design, "en"), "id": "Desain: " + pick(provenance.design, "id")}


def _reference_note(variables, levels: dict, answered: dict, terms) -> dict | None:
    """Each choice predictor's reference category: the choice answered in the rows in force that
    has no term of its own."""
    parts = {lang: [] for lang in LANGUAGES}
    for j, v in enumerate(variables):
        if v.kind != "categorical":
            continue
        with_term = {levels[v.name].get(m.group(2) if m.group(2) is not None else m.group(3))
                     for m in map(_TERM.match, terms) if m and int(m.group(1)) == j}
        seen = [c for c in answered[v.name] if c not in with_term]
        if not seen:
            continue
        labels = v.value_labels()[seen[0]]
        for lang in LANGUAGES:
            parts[lang].append(f"{pick(v.labels, lang)}: {pick(labels, lang)}")
    if not parts["en"]:
        return None
    return {"en": "Reference categories: " + "; ".join(parts["en"]) + ".",
            "id": "Kategori acuan: " + "; ".join(parts["id"]) + "."}
