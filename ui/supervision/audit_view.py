"""The audit log as the admin page shows it and as its CSV download writes it."""

from __future__ import annotations

import pandas as pd

from analysis.export.safe_cells import csv_text_column
from survey.locale import WIB


def audit_frame(entries: list[dict]) -> pd.DataFrame:
    """Audit entries as a table, newest first (time in WIB)."""
    frame = pd.DataFrame(entries, columns=["time", "user", "action", "object", "outcome", "detail"])
    frame["time"] = pd.to_datetime(frame["time"], utc=True, format="ISO8601").dt.tz_convert(WIB)
    frame["detail"] = frame["detail"].map(lambda d: "" if not isinstance(d, dict) else
                                          ", ".join(f"{k}={v}" for k, v in d.items()))
    return frame


def audit_csv(frame: pd.DataFrame) -> str:
    """The audit table as CSV; user names, objects and details a spreadsheet could run as
    formulas (a failed login's typed name is anyone's text) get a leading apostrophe."""
    # a spreadsheet's sortable time, its zone in the header (the log itself keeps UTC)
    cells = frame.assign(time=frame["time"].dt.strftime("%Y-%m-%d %H:%M:%S")).rename(columns={"time": "time_wib"})
    for column in ("user", "action", "object", "outcome", "detail"):
        cells[column] = csv_text_column(cells[column].fillna(""))
    return cells.to_csv(index=False)
