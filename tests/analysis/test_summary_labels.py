"""SummaryTable.to_frame writes labels and text columns whole (Arrow), not value by value: the frame
is the one the value-by-value writing gives, for every kind of value a column may hold."""

import numpy as np
import pandas as pd
import pytest

from analysis.tables.summary_table import Column, SummaryTable
from survey import locale as formatting

LABELS = {"status": {"a": {"en": "Approved", "id": "Disetujui"}, "b": {"en": "Held", "id": "Ditahan"}},
          "flag": {"x": {"en": "Too fast", "id": "Terlalu cepat"}, "y": {"en": "Outlier", "id": "Pencilan"}}}


def _by_value(table: SummaryTable, lang: str, formatted: bool) -> pd.DataFrame:
    """to_frame as written before: one label per value (each distinct one once), text per value."""
    out = {}
    for column, spec in table.columns.items():
        values = table.data[column]
        header = table.label(column, lang)
        if column in table.value_labels or values.dtype == object and values.map(lambda v: isinstance(v, tuple)).any():
            seen: dict = {}   # as before: each distinct value (by Python's ==) labelled once
            out[header] = []
            for v in values.tolist():
                try:
                    if v not in seen:
                        seen[v] = table.value_label(column, v, lang)
                    out[header].append(seen[v])
                except TypeError:   # unhashable
                    out[header].append(table.value_label(column, v, lang))
        elif formatted and spec.kind == "text":
            out[header] = values.astype(object).where(values.notna(), formatting.MISSING).map(str).to_numpy()
        else:
            out[header] = values.to_numpy()
    return pd.DataFrame(out)


def _table(frame: pd.DataFrame) -> SummaryTable:
    columns = {name: Column({"en": name, "id": name}) for name in frame.columns}
    labels = {k: v for k, v in LABELS.items() if k in frame.columns}
    return SummaryTable(frame, {"en": "t", "id": "t"}, columns, value_labels=labels)


CASES = {
    "text and tuples": pd.DataFrame({
        "status": pd.Series(["a", "b", "zz", "a", "b"] * 3, dtype="str"),
        "flag": [("x",), (), ("x", "y"), ("y", "q"), ("x",)] * 3,
        "who": pd.Series(["Siti", "O'Brien", "Ani", "Budi", "Siti"] * 3, dtype="str"),
        "id": pd.Series(["r1", None, "r3", "r4", "r5"] * 3, dtype="string")}),
    "missing values": pd.DataFrame({
        "status": pd.Series(["a", None, "b", None, "a"], dtype="str"),
        "flag": [("x",), None, np.nan, (), ("x", np.nan)],
        "who": pd.Series([None] * 5, dtype="str"),
        "id": np.array([1, -2, 30, 4_000_000_000, 0], dtype=np.int64)}),
    "small whole numbers": pd.DataFrame({"status": ["a"] * 3, "flag": [()] * 3,
                                         "who": np.array([1, 2, 255], dtype=np.uint8),
                                         "id": pd.Series([1, None, 3], dtype="Int64")}),
    "numbers and objects": pd.DataFrame({
        "status": [1, 0.0, -0.0, True, "a"],
        "flag": [1.0, np.nan, 2.5, 0.0, -0.0],
        "who": pd.Series(["a", "b", "c", "d", "e"], dtype="string[python]"),
        "id": [("a",), "b", None, ("a", 1), ("a", True)]}),
    "empty": pd.DataFrame({"status": pd.Series([], dtype="str"), "flag": pd.Series([], dtype=object),
                           "who": pd.Series([], dtype="str"), "id": pd.Series([], dtype="str")}),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("formatted", [True, False])
@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_frame_is_the_one_written_value_by_value(case, formatted, lang):
    table = _table(CASES[case])
    pd.testing.assert_frame_equal(table.to_frame(lang, formatted=formatted), _by_value(table, lang, formatted))

