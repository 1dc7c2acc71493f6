"""analysis.monitoring.progress: progress per day, enumerator and area against the frame's targets."""

import numpy as np
import pandas as pd
import pytest

from analysis.monitoring.progress import duration_summary, per_area, per_day, per_enumerator, visits
from tests.support.visits import FRAME, INST, RECORDS

TIMES = pd.DataFrame({
    "_response_id": RECORDS["_response_id"].astype(str),
    "started_at": pd.Timestamp("2024-07-02 01:00", tz="UTC"),
    "submitted_at": pd.to_datetime(["2024-07-02 02:00"] * 5 + ["2024-07-03 03:00"] * 6, utc=True),
    "minutes": [30.0, 40.0, 3.0, 2.0, 1.0, 50.0, 20.0, 2.0, 25.0, 60.0, 4.0],
})


@pytest.fixture
def frame():
    return visits(INST, RECORDS.assign(_enumerator=["e1"] * 5 + ["e2"] * 4 + ["e1"] * 2), TIMES)


def test_visits_leave_out_rejected_records(frame):
    assert "b4" not in set(frame["_response_id"]) and len(frame) == 10
    assert frame.set_index("_response_id").loc["a4", "disposition"] == "refusal"
    # no interview date question: the day is the WIB day of the first submission
    assert frame.set_index("_response_id").loc["c1", "day"] == pd.Timestamp("2024-07-03")


def test_per_day_counts_each_disposition(frame):
    days = per_day(frame).set_index(["day", "disposition"])["records"]
    assert days[pd.Timestamp("2024-07-02"), "complete"] == 2 and days[pd.Timestamp("2024-07-02"), "refusal"] == 2
    assert days[pd.Timestamp("2024-07-03"), "complete"] == 3 and days.sum() == 10


def test_per_enumerator(frame):
    flags = pd.DataFrame({"_response_id": ["a1", "a1", "c1"], "flag": ["too_fast", "odd_hour", "outlier"],
                          "detail": ["", "", ""]})
    table = per_enumerator(frame, flags).set_index("enumerator")
    assert table.loc["e1", "visits"] == 7 and table.loc["e1", "complete"] == 3
    assert table.loc["e1", "rr1_visited"] == pytest.approx(100 * 3 / 6)   # the vacant dwelling is not eligible
    assert table.loc["e1", "median_minutes"] == pytest.approx(40)          # completed interviews 30, 40, 60
    assert table.loc["e1", "flagged"] == 2 and table.loc["e2", "flagged"] == 0
    assert table.loc["e2", "rr1_visited"] == pytest.approx(100 * 2 / 3)


def test_per_area_against_the_frames_targets(frame):
    strata = per_area(frame, FRAME, "kecamatan", "psu", "stratum").set_index("area")
    assert strata.loc["laweyan"].tolist() == [9, 8, 4, 100 * 8 / 9]
    assert strata.loc["serengan", "target"] == 5 and strata.loc["serengan", "visited"] == 2
    psus = per_area(frame, FRAME, "kecamatan", "psu", "psu").set_index("area")
    assert psus.loc["SER-002"].tolist() == ["serengan", 2, 0, 0, 0]
    # no kelurahan question: each record is in its PSU's kelurahan, as the frame says
    villages = per_area(frame, FRAME, "kecamatan", "psu", "kelurahan").set_index("area")
    assert villages.loc["pajang"].tolist() == ["laweyan", 5, 5, 2, 100]
    without = per_area(frame, None, "kecamatan", "psu", "stratum")
    assert without["target"].isna().all() and without["visited"].sum() == 10


def test_duration_summary_of_completed_interviews(frame):
    summary = duration_summary(frame)
    assert summary["n"] == 5 and summary["median"] == pytest.approx(40)   # 30, 40, 50, 20, 60
    assert np.isnan(duration_summary(frame.iloc[:0])["median"])


def test_the_queue_table_is_the_same_from_str_columns_and_from_python_objects():
    """Issue 22, section 3: the queue table takes a str column's Arrow array as it is (no Python
    string per row); its data and text equal those made from plain object columns."""
    from analysis.tables.fieldwork_tables import queue_table

    at = pd.to_datetime(["2024-07-01 08:00", "2024-07-02 09:30", None], utc=True)
    queue = pd.DataFrame({"_response_id": pd.Series(["a1b2c3d4e5", "f6a7b8c9d0", "0123456789"], dtype="str"),
                          "_enumerator": pd.Series(["enum01", None, "enum02"], dtype="str"),
                          "_status": pd.Series(["submitted", "approved", "submitted"], dtype="str"),
                          "_revision": [1, 2, 1], "area": pd.Series(["010", None, "020"], dtype="str"),
                          "submitted_at": at, "flags": [("too_fast",), (), ("odd_hour", "outlier")]})
    plain = queue.astype({c: object for c in ("_response_id", "_enumerator", "_status", "area")})
    labels = {"too_fast": {"en": "Too fast"}, "odd_hour": {"en": "Odd hour"}, "outlier": {"en": "Outlier"}}
    tables = [queue_table(INST, q, INST.design.strata, labels, {"submitted": {"en": "Submitted"}}) for q in (queue, plain)]
    pd.testing.assert_frame_equal(tables[0].to_frame("en", formatted=True), tables[1].to_frame("en", formatted=True))
    assert tables[0]._data["enumerator"].dtype == "str"
