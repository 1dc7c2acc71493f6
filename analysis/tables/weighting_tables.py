"""SummaryTables of a Dataset's weights, for the design page and its downloads.

* :func:`weights_table`: per table, how its weights were made, the range of the
  weights in force (smallest, largest, their ratio) and Kish's (1965) design effect
  of weighting, ``n * sum(w^2) / sum(w)^2``: the factor by which unequal weights
  alone inflate variances (1 = equal weights).
* :func:`totals_table`: per weighting step (base weights from the frame, then each
  post-stratification or raking), the weighted total of every cell before and after
  the step against its target from population.csv.  For base weights "before" is
  the number of responses and "after" the estimated number of units.

Both read only what :mod:`analysis.dataset.dataset` already computed (``TableData.weighting``
and each design's weights); nothing is estimated again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.tables.summary_table import Column, SummaryTable
from survey.locale import LANGUAGES

_TITLES = {
    "weights": {"en": "Weights in force", "id": "Bobot yang berlaku"},
    "totals": {"en": "Weighted totals against the targets", "id": "Total tertimbang terhadap target"},
}
_STEPS = {
    "base": {"en": "Base (frame.csv)", "id": "Dasar (frame.csv)"},
    "calibration": {"en": "Calibration", "id": "Kalibrasi"},
}
_NOTES = {
    "kish": {"en": "Kish's design effect of weighting, n·Σw² / (Σw)²: how much unequal weights alone inflate "
                   "variances (1 = equal weights).",
             "id": "Efek desain pembobotan Kish, n·Σw² / (Σw)²: seberapa besar bobot yang tidak sama saja "
                   "memperbesar varians (1 = bobot sama)."},
    "totals": {"en": "Base weights: 'before' is the number of responses, 'after' the estimated number of units. "
                     "Calibration: 'before' is the total with the weights of the step before, 'after' should "
                     "equal the target.",
               "id": "Bobot dasar: 'sebelum' adalah jumlah respons, 'sesudah' perkiraan jumlah unit. Kalibrasi: "
                     "'sebelum' adalah total dengan bobot langkah sebelumnya, 'sesudah' semestinya sama dengan "
                     "target."},
    "none": {"en": "No weighting step ran for these data (equal weights, counts from another survey, or a census).",
             "id": "Tidak ada langkah pembobotan untuk data ini (bobot sama, jumlah dari survei lain, atau sensus)."},
}


def _table_labels(data) -> dict[str, dict[str, str]]:
    inst = data.instrument
    labels = {inst.id: dict(inst.title)}
    for repeat in inst.repeats:
        labels[inst.table_name(repeat)] = dict(repeat.label)
    return labels


def weights_table(data) -> SummaryTable:
    """One row per table with rows: how the weights were made, their range and Kish's deff."""
    rows = []
    for name, table in data.tables.items():
        if table.design is None:
            continue
        w = np.asarray(table.design.weights, dtype=float)
        rows.append({"table": name, "n": len(w), "min": float(w.min()), "max": float(w.max()),
                     "ratio": float(w.max() / w.min()) if w.min() > 0 else np.nan,
                     "deff": float(len(w) * np.sum(w * w) / np.sum(w) ** 2), "how": name})
    frame = pd.DataFrame(rows, columns=["table", "n", "min", "max", "ratio", "deff", "how"])
    columns = {"table": Column({"en": "Table", "id": "Tabel"}),
               "n": Column({"en": "Rows", "id": "Baris"}, "count"),
               "min": Column({"en": "Smallest weight", "id": "Bobot terkecil"}, "number", 2),
               "max": Column({"en": "Largest weight", "id": "Bobot terbesar"}, "number", 2),
               "ratio": Column({"en": "Largest / smallest", "id": "Terbesar / terkecil"}, "ratio"),
               "deff": Column({"en": "Kish design effect", "id": "Efek desain Kish"}, "ratio"),
               "how": Column({"en": "How the weights were made", "id": "Cara bobot dibuat"})}
    how = {name: dict(table.weights_text) for name, table in data.tables.items()}
    return SummaryTable(frame, _TITLES["weights"], columns, kind="weights", keys=("table",),
                        value_labels={"table": _table_labels(data), "how": how}, notes=(_NOTES["kish"],),
                        provenance=data.provenance)


def _cell_labels(table, variable: str, level: str) -> dict[str, str]:
    """A base-weights cell is a choice name of the strata question: label it."""
    var = table.variables.get(variable)
    if var is not None and var.kind == "categorical" and level in var.choices:
        return dict(var.value_labels()[level])
    return {lang: level.replace(":", " × ") for lang in LANGUAGES}


def _variable_labels(table, variable: str) -> dict[str, str]:
    names = variable.split(":")
    return {lang: " × ".join(table.variables[v].label(lang) if v in table.variables else v for v in names)
            for lang in LANGUAGES}


def totals_table(data, table: str | None = None) -> SummaryTable:
    """One row per cell of each weighting step: target, weighted total before and after
    (of one ``table`` only, without the table column, when given)."""
    rows, cells, variables = [], {}, {}
    for name, table_data in data.tables.items():
        if table is not None and name != table:
            continue
        for result in table_data.weighting:
            summary = result.summary
            step = "base" if summary["target"].isna().all() else "calibration"
            for r in summary.itertuples(index=False):
                key = f"{name}/{r.variable}/{r.level}"
                cells[key] = _cell_labels(table_data, str(r.variable), str(r.level))
                variables[f"{name}/{r.variable}"] = _variable_labels(table_data, str(r.variable))
                rows.append({"table": name, "step": step, "variable": f"{name}/{r.variable}", "cell": key,
                             "target": r.target, "before": r.weighted_before, "after": r.weighted_after})
    frame = pd.DataFrame(rows, columns=["table", "step", "variable", "cell", "target", "before", "after"])
    columns = {"table": Column({"en": "Table", "id": "Tabel"}),
               "step": Column({"en": "Step", "id": "Langkah"}),
               "variable": Column({"en": "By", "id": "Menurut"}),
               "cell": Column({"en": "Cell", "id": "Sel"}),
               "target": Column({"en": "Target", "id": "Target"}, "count"),
               "before": Column({"en": "Before", "id": "Sebelum"}, "count"),
               "after": Column({"en": "After", "id": "Sesudah"}, "count")}
    notes = (_NOTES["totals"],) if rows else (_NOTES["none"],)
    keys = ("table", "step", "cell")
    if table is not None:
        del columns["table"]
        keys = keys[1:]
    return SummaryTable(frame, _TITLES["totals"], columns, kind="weighting", keys=keys,
                        value_labels={"table": _table_labels(data), "step": _STEPS, "variable": variables,
                                      "cell": cells},
                        notes=notes, provenance=data.provenance)

