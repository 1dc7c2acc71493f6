"""The Provenance of the store's rows out of core, as :func:`analysis.dataset.dataset.build_dataset` makes it.

What went in (stored, kept and left-out interviews, the versions, the last submission), the design
and the weights in words, and the notes the in-memory path gives (a missing design answer, the
stages' fallback, empty or missing calibration cells), in the Dataset's order and wording, from
the counts :mod:`analysis.outofcore.store_source` recorded; labels in the data's language.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Mapping

import pandas as pd

from analysis.dataset import assembly
from analysis.dataset.provenance import Provenance, project_version, unique_notes
from analysis.messages import Message, listing, message, unit_texts
from analysis.outofcore.store_source import StoreRows
from survey.locale import LANGUAGES


def _by_text(rule, variables) -> dict:
    return {lang_: " × ".join(variables[v].label(lang_) for v in rule.by) for lang_ in LANGUAGES}


def provenance(rows: StoreRows, inst, tables: Mapping, lang: str) -> Provenance:
    """The Provenance of ``rows`` whose ``tables`` (StoreTables) have labels in ``lang`` (weighted, unfiltered)."""
    spec = inst.design
    base = message("weights.frame_nonresponse" if rows.base_method == "frame" else "weights.equal").texts
    weights = {}
    for name, table in tables.items():
        own = base if name == inst.id else message("weights.household").texts
        rule = spec.calibrate if name == inst.id else spec.repeats.get(_repeat_name(inst, name))
        if table.path is not None and rule is not None and table.cells:
            own = message(f"weights.{rule.method}", weights=dict(own), unit=unit_texts(rule.unit),
                          by=_by_text(rule, table.variables)).texts
        weights[name] = own
    notes = []
    for code, values in rows.notes:
        if code == "design.invalid":
            notes.append(_invalid(values, tables[inst.id].variables.get(spec.strata), lang))
        elif "rule" in values:
            rule = values["rule"]
            table = tables[values["table"]]
            where = dict(unit=unit_texts(rule.unit), by=_by_text(rule, table.variables))
            if code == "design.empty_cells":
                pairs = (lambda cell: [cell]) if rule.method == "rake" else (lambda cell: zip(rule.by, cell))
                labels = [" × ".join(dict(zip(table.variables[v].choices, table.variables[v].choice_labels(lang)))
                                     .get(value, value) for v, value in pairs(cell))
                          for cell in values["cells"]]   # (a raking's: (question, level) of each margin)
                notes.append(message(code, cells=listing(labels), **where))
            else:
                notes.append(message(code, **where))
        else:
            notes.append(message(code, **values))
    main = tables[inst.id]
    shim = SimpleNamespace(design=SimpleNamespace(columns={
        "psu": ["psu", "_response_id"] if main.two_stage else spec.psu, "fpc": "fpc" if main.two_stage else None}))
    weighted = rows.base_method == "frame" or any(t.path is not None and t.cells for t in tables.values())
    return Provenance(
        instrument=inst.id, instrument_version=inst.version, data_versions=rows.data_versions,
        responses=main.n, rows={k: (t.n if t.path is not None else 0) for k, t in tables.items()},
        stored=rows.stored, excluded=dict(rows.excluded), last_submitted_at=rows.last_submitted_at,
        statuses=tuple(rows.statuses), design=assembly.design_text(inst, spec, shim), weighted=weighted,
        weights=weights, notes=tuple(unique_notes(notes)), filters={}, project_version=project_version(),
        built_at=pd.Timestamp.now(tz="UTC"))


def _invalid(values: dict, strata, lang: str) -> Message:
    """SurveyDesign's DesignError about the stages' population sizes, as the in-memory design words it."""
    n, first = values["rows"], values["first"]
    rows = f"{n} {'row' if n == 1 else 'rows'} (index {', '.join(map(str, first[:5]))}{', ...' if n > 5 else ''})"
    stage = 1 if values["column"] == "_fpc1" else 2
    if stage == 1:
        labels = dict(zip(strata.choices, strata.choice_labels(lang))) if strata is not None else {}
        label = labels.get(values["stratum"], values["stratum"])
    else:
        label = values["psu"]
    label = repr(label) if isinstance(label, str) else str(label)
    column = values["column"]
    if values["kind"] == "constant":
        text = (f"fpc column {column!r} is not constant within stratum {label} at stage {stage} ({rows}); the fpc "
                "describes the whole stratum, so give every row of a stratum the same value.")
    else:
        text = (f"fpc column {column!r} implies more than 100% sampling in stratum {label} at stage {stage}: the "
                f"population has fewer units ({values['pop']:g}) than the sample ({values['sample']}) - {rows}. "
                "Check the fpc values.")
    return Message("design.invalid", {lang_: text for lang_ in LANGUAGES})


def _repeat_name(inst, table: str) -> str | None:
    return next((r.name for r in inst.repeats if inst.table_name(r) == table), None)
