"""The rows the data API serves (api/data.py): the microdata export's table as one Arrow table.

The same variables as the microdata files (frame.py): the current revision of each record,
a roster table with its household key and design variables and the design's weights,
pii variables only when identified. Differences that suit a feed: the metadata columns keep
their store names (``_response_id``, ``_submitted_at``, ``_status`` ...), choices are their
names or, with ``labels="id"|"en"``, their labels in that language, and the rows can be cut
to those whose current revision was stored after a time (``since``) or has a review status.
"""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import pyarrow as pa

from analysis.export.errors import ExportError
from analysis.export.microdata.frame import microdata_frame, table_owner
from survey.locale import LANGUAGES, pick
from survey.questionnaire.schema import STATUSES

log = logging.getLogger(__name__)


def _with_weights(store, table: str, identified: bool):
    """The frame with the design's weights, as the export page makes it; without them when the
    data folder has no design to weight by (a new survey): the rows are still worth serving."""
    try:
        return microdata_frame(store, table, identified=identified, weights=True)
    except ExportError:
        raise
    except Exception as exc:  # no frame.csv / population yet, or a design the data does not fit
        log.warning("rows of %s served without weights: %s", table, exc)
        return microdata_frame(store, table, identified=identified)


def kept_responses(store, instrument_id: str, since: dt.datetime | None, statuses: tuple[str, ...]) -> pd.Series:
    """The response ids whose current revision passes the filters (a repeat table's rows follow their parent)."""
    main = store.read(instrument_id)[["_response_id", "_submitted_at", "_status"]]
    keep = pd.Series(True, index=main.index)
    if since is not None:
        keep &= (main["_submitted_at"] > pd.Timestamp(since)).fillna(False)
    if statuses:
        keep &= main["_status"].isin(statuses).fillna(False)
    return main.loc[keep, "_response_id"]


def feed_table(store, table: str, *, identified: bool = False, labels: str | None = None,
               since: dt.datetime | None = None, statuses: tuple[str, ...] = ()) -> pa.Table:
    """One store table's current rows as Arrow; ExportError for an unknown table or a bad option."""
    if labels is not None and labels not in LANGUAGES:
        raise ExportError({"id": f"labels harus salah satu dari {', '.join(LANGUAGES)}.",
                           "en": f"labels must be one of {', '.join(LANGUAGES)}."})
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise ExportError({"id": f"Status tidak dikenal: {', '.join(unknown)} (ada: {', '.join(STATUSES)}).",
                           "en": f"Unknown status: {', '.join(unknown)} (known: {', '.join(STATUSES)})."})
    inst, _ = table_owner(store, table)
    md = _with_weights(store, table, identified)
    frame = md.frame
    if since is not None or statuses:
        key = next(v.name for v in md.variables if v.column == "_response_id")
        frame = frame[frame[key].isin(kept_responses(store, inst.id, since, statuses))]
    columns = {}
    for v in md.variables:
        values = frame[v.name]
        if labels and v.kind == "choice" and v.codes:
            names = {name: pick(text, labels) for _, name, text in v.codes}
            values = values.astype(object).map(lambda x, n=names: None if pd.isna(x) else n.get(x, x)).astype("string")
        columns[v.column if v.origin == "metadata" else v.name] = values
    return pa.Table.from_pandas(pd.DataFrame(columns).reset_index(drop=True), preserve_index=False)


def feed_tables(store) -> list[dict]:
    """[{table, instrument, rows, columns}] of every table of the store's usable questionnaires."""
    out = []
    for instrument_id in store.instrument_ids():
        try:
            inst = store.instrument(instrument_id)
        except Exception as exc:  # a questionnaire the store cannot use now is not listed (logged)
            log.error("table list: questionnaire %s left out: %s", instrument_id, exc)
            continue
        for name in (inst.id, *(inst.table_name(r) for r in inst.repeats)):
            try:
                rows = store.count(name)
            except Exception:
                rows = 0  # a table with no stored file yet
            out.append({"table": name, "instrument": inst.id, "rows": rows,
                        "columns": _column_names(store, name)})
    return out


def _column_names(store, table: str) -> list[str]:
    from analysis.export.microdata.variables import table_variables  # the de-identified names

    inst, _ = table_owner(store, table)
    return [v.column if v.origin == "metadata" else v.name for v in table_variables(inst, table) if not v.pii]
