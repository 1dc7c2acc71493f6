"""The monitor's tables as SummaryTables (analysis.tables.fieldwork_tables, the precision tracker), built
from the cached snapshot (ui.supervision.monitor_data), so the live page draws them and its downloads,
outside the live part, build the same tables without a second computation."""

from __future__ import annotations

from analysis.monitoring.precision import precision_summary
from analysis.tables import fieldwork_tables
from survey.fieldwork.quality import FLAGS
from survey.questionnaire.schema import STATUSES
from ui.i18n import TEXT
from ui.supervision.monitor_data import Snapshot

PRECISION_SHOWN = ("stratum", "estimate", "moe", "n", "deff", "n_target", "moe_target", "status")
MARKS = {"miss": "✗ ", "meet": "✓ "}


def precision_table(precision, provenance, inst):
    """The precision tracker's (ui.supervision.monitor_data.precision) shown columns, its status
    marked ✗ (misses the target) or ✓; ``provenance``: the Dataset's it was computed on."""
    if precision is None or precision.empty:
        return None
    table = precision_summary(inst, precision, provenance)
    status = {s: {lang: MARKS.get(s, "") + text for lang, text in labels.items()}
              for s, labels in table.value_labels.get("status", {}).items()}
    return table.with_columns({c: table.columns[c] for c in PRECISION_SHOWN}).with_value_labels("status", status)


def _labels(prefix: str, names) -> dict:
    """{name: {lang: text}} of the interface's labels of statuses or flags (ui/i18n.py)."""
    return {name: TEXT[f"{prefix}_{name}"] for name in names}


def area_tables(snap: Snapshot, inst) -> dict:
    return {f"monitor_areas_{level}" if level != "stratum" else "monitor_areas":
            fieldwork_tables.area_progress_table(inst, snap.areas[level], level)
            for level in ("stratum", "kelurahan", "psu") if level in snap.areas}


def rate_tables(snap: Snapshot, inst) -> dict:
    out = {}
    if "overall" in snap.rates:
        out["monitor_rates"] = fieldwork_tables.rates_table(inst, snap.rates)
    if "psu" in snap.rates:
        out["monitor_rates_psu"] = fieldwork_tables.psu_rates_table(inst, snap.rates["psu"])
    if snap.adjustment is not None and len(snap.adjustment):
        out["monitor_adjustment"] = fieldwork_tables.adjustment_table(inst, snap.adjustment, TEXT["adjustment_note"])
    return out


def flag_table(snap: Snapshot, inst):
    if snap.flagged is None or snap.flagged.empty:
        return None
    common = snap.flag_counts.loc[snap.flag_counts["common"], "flag"] if snap.flag_counts is not None else ()
    return fieldwork_tables.flags_table(inst, snap.flagged, _labels("flag", FLAGS), _labels("status", STATUSES),
                                        last=common)


def durations_table(snap: Snapshot, inst):
    done = snap.visits.loc[snap.visits["disposition"] == "complete", "minutes"]
    return fieldwork_tables.durations_table(done, inst.quality.min_minutes)


def monitor_tables(snap: Snapshot, inst) -> dict:
    """Every table the monitor shows of this snapshot, by the key of its widgets (the precision
    tracker's apart: :func:`precision_table`)."""
    tables = {**area_tables(snap, inst), "monitor_enumerators": fieldwork_tables.enumerator_table(snap.per_enumerator),
              **rate_tables(snap, inst), "monitor_durations": durations_table(snap, inst),
              "monitor_flags": flag_table(snap, inst)}
    return {key: table for key, table in tables.items() if table is not None}
