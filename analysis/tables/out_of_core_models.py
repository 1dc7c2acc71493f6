"""The Explore page's regression model out of core, past ``SURVEY_OUT_OF_CORE_ROWS`` rows: from the
store's rows (:class:`analysis.outofcore.store_data.StoreData`), never the in-memory Dataset.

The model is :func:`analysis.tables.model_tables.model_table`'s: a number outcome by a linear model,
a choice outcome by a logistic model of one of its choices, predictors the table's numbers and
choice questions (treatment dummies against the first choice answered in the rows used).  DuckDB
writes the outcome, the predictors (numbers, or choices' codes) and which rows the model uses
beside the design columns into a private Parquet file, once; :func:`analysis.outofcore.models.fit`
runs the IRLS steps and the sandwich over it as group sums, and the table is made by
:func:`~analysis.tables.model_tables.summary`, so its terms, labels and notes are the in-memory
table's, with the note :data:`analysis.tables.out_of_core.NOTE`.  A choice predictor with one level
in the rows used raises the in-memory fit's ValueError.  Returns None where the in-memory fit takes
another path (no row with every variable, an infinite number, nearly collinear terms or a
non-finite step): the caller computes in memory, which fits those or says what is wrong.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np

from analysis.outofcore import models
from analysis.tables import model_tables, out_of_core
from analysis.tables.summary_table import SummaryTable

__all__ = ["model_table"]


def _columns(table, var, variables, choice: str | None) -> dict[str, str]:
    """SQL of the outcome ``_y``, the predictors ``_x{j}`` (numbers, or choices' codes) and ``_used``."""
    if var.kind == "categorical":
        y = table.is_code(var.name, var.choices.index(choice))
    else:
        y = table.number(var.name)
    columns = {"_y": f"CAST({y} AS DOUBLE)"}
    present = [f"(({columns['_y']}) IS NOT NULL AND NOT isnan({columns['_y']}))"]
    for j, v in enumerate(variables):
        if v.kind == "categorical":
            columns[f"_x{j}"] = table.codes(v.name)
            present.append(f"({columns[f'_x{j}']} IS NOT NULL)")
        else:
            columns[f"_x{j}"] = table.number(v.name)
            present.append(f"({columns[f'_x{j}']} IS NOT NULL AND NOT isnan({columns[f'_x{j}']}))")
    if table.where:
        present.insert(0, f"coalesce({table.where}, FALSE)")
    columns["_used"] = " AND ".join(present)
    return columns


def model_table(data, outcome: str, predictors: Sequence[str], choice: str | None = None,
                level: float = 0.95) -> SummaryTable | None:
    """As :func:`analysis.tables.model_tables.model_table` on a StoreData, or None (see the module docstring)."""
    table, var, variables = model_tables.checked(data, outcome, predictors)
    logistic = var.kind == "categorical"
    choice = model_tables.outcome_choice(var, choice)
    with tempfile.TemporaryDirectory(prefix="survey-ooc-model-") as folder:   # mode 0700: respondents' rows
        ooc, subset, con = table.design_of(_columns(table, var, variables, choice),
                                           into=Path(folder) / "model.parquet")
        try:
            found = _fit(ooc, subset, table, var.name, variables, logistic)
        finally:
            con.disconnect()
    if found is None:
        return None
    fit, names, answered = found
    levels = {v.name: dict(zip(v.choice_labels(table.lang), v.choices)) for v in variables if v.kind == "categorical"}
    frame = models.coefficients(fit, names, level)
    return model_tables.summary(data, frame, var, variables, choice, level, levels, answered).with_note(
        out_of_core.NOTE)


def _fit(ooc, subset: str | None, table, outcome: str, variables, logistic: bool):
    """(the fit, the terms' names as the in-memory fit names them, each choice predictor's choices
    answered in the rows in force), or None: in memory.  A choice predictor with one level in the
    rows used raises the in-memory fit's ValueError."""
    t = ooc.table
    numbers = [f"_x{j}" for j, v in enumerate(variables) if v.kind != "categorical"]
    used = t.filter(t._used)
    check = used.aggregate(n=used.count(), **{f"inf{c}": used[c].isinf().sum() for c in numbers})
    check = check.to_pandas().iloc[0]
    if int(check["n"]) == 0 or any(int(check[f"inf{c}"] or 0) for c in numbers):
        return None
    inside = t if subset is None else t.filter(t[subset])
    terms, names, answered = [models.Term(None)], ["Intercept"], {}
    for j, v in enumerate(variables):
        col = f"_x{j}"
        if v.kind != "categorical":
            terms.append(models.Term(col))
            names.append(f"{col}_")
            continue
        seen = inside.group_by(inside[col].name("code")).aggregate(used=inside._used.any()).to_pandas()
        seen = seen.dropna(subset=["code"]).sort_values("code")
        codes = seen["code"].to_numpy(np.int64)
        answered[v.name] = [v.choices[c] for c in codes]
        labels = v.choice_labels(table.lang)
        # the in-memory design holds the answers as text: its factor's levels are their labels, sorted
        in_model = sorted(codes[seen["used"].to_numpy(bool)], key=lambda c: labels[c])
        if len(in_model) < 2:               # as the in-memory fit says it (patsy's path, R's error)
            formula = f"{outcome} ~ " + " + ".join(x.name for x in variables)
            raise ValueError(f"In {formula!r} the term {v.name!r} has only one level in the {int(check['n'])} rows "
                             "used (rows missing a model variable are dropped), so it cannot be estimated; drop it "
                             "or choose other rows.")
        terms += [models.Term(col, int(c)) for c in in_model[1:]]
        names += [f"{col}_[T.{labels[c]}]" for c in in_model[1:]]
    fit = models.fit(ooc, terms, logistic, "_used", subset)
    return None if fit is None else (fit, names, answered)
