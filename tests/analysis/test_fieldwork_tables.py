"""The fieldwork pages' SummaryTables (issue 23, item 1): labels in both languages, numbers and
times written by survey.locale, and every table renders as CSV, XLSX and printable HTML."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from analysis.export import TABLE_FORMATS, table_file
from analysis.tables import fieldwork_tables as ft
from survey import load_instrument

HOUSEHOLD = load_instrument("household")
STATUS = {"submitted": {"en": "submitted", "id": "terkirim"}, "approved": {"en": "approved", "id": "disetujui"}}
FLAG = {"too_fast": {"en": "Too fast", "id": "Terlalu cepat"}, "outlier": {"en": "Outlier", "id": "Nilai ekstrem"}}


def queue() -> pd.DataFrame:
    return pd.DataFrame({
        "submitted_at": pd.to_datetime(["2026-12-07T01:05:00Z", "2026-12-07T02:30:09Z"]),
        "_response_id": ["5285ae33-ae38-4771", "7d505de1-c631-45b3"], "_enumerator": ["enum01", "enum02"],
        "area": ["laweyan", "serengan"], "_status": ["submitted", "approved"],
        "flags": [("too_fast", "outlier"), ()], "_revision": [1, 2]})


def test_the_review_queue_is_labelled_in_both_languages_and_its_times_in_wib():
    table = ft.queue_table(HOUSEHOLD, queue(), "kecamatan", FLAG, STATUS)
    en, id_ = table.to_frame("en", formatted=True), table.to_frame("id", formatted=True)
    assert list(en.columns[:3]) == ["Response ID", "Time (WIB)", "Enumerator"]
    assert list(id_.columns[:3]) == ["ID respons", "Waktu (WIB)", "Pencacah"]
    assert en["Time (WIB)"].tolist() == ["7 Dec 2026 08:05 WIB", "7 Dec 2026 09:30 WIB"]
    assert id_["Waktu (WIB)"].tolist() == ["7 Des 2026 08.05 WIB", "7 Des 2026 09.30 WIB"]
    assert en["Flag"].tolist() == ["Too fast, Outlier", ""] and id_["Tanda"].iloc[0] == "Terlalu cepat, Nilai ekstrem"
    assert en["Response ID"].tolist() == ["5285ae33", "7d505de1"]
    assert id_["Status"].tolist() == ["terkirim", "disetujui"]


def test_enumerators_numbers_follow_the_language():
    people = pd.DataFrame({"enumerator": ["enum01"], "visits": [1234], "complete": [1000], "rr1_visited": [81.04],
                           "median_minutes": [37.4], "flagged": [2],
                           "last_submitted_at": [pd.Timestamp("2026-12-07T01:05:00Z")]})
    table = ft.enumerator_table(people)
    assert table.to_frame("id", formatted=True).iloc[0].tolist() == [
        "enum01", "1.234", "1.000", "81,0%", "37", "2", "7 Des 2026 08.05 WIB"]
    assert table.to_frame("en", formatted=True).iloc[0].tolist()[1:4] == ["1,234", "1,000", "81.0%"]


def test_the_rates_per_stratum_end_with_the_overall_row():
    columns = {"sampled": 10, "visited": 8, "complete": 6, "refusal": 1, "noncontact": 1, "other": 0, "ineligible": 0,
               "pending": 2, "rr1": 60.0, "rr1_visited": 75.0}
    stratum = pd.DataFrame([{"kecamatan": "serengan", **columns}, {"kecamatan": "laweyan", **columns}])
    overall = pd.DataFrame([{**{k: 2 * v for k, v in columns.items()}, "rr1": 60.0, "rr1_visited": 75.0}])
    table = ft.rates_table(HOUSEHOLD, {"overall": overall, "stratum": stratum})
    shown = table.to_frame("id", formatted=True)
    assert shown.iloc[:, 0].tolist() == ["Laweyan", "Serengan", "Semua"]   # the questionnaire's order, then all
    assert shown["RR1 dari sampel"].tolist() == ["60,0%"] * 3


@pytest.mark.parametrize("fmt", TABLE_FORMATS)
def test_each_fieldwork_table_renders_as_a_file(fmt):
    table = ft.queue_table(HOUSEHOLD, queue(), "kecamatan", FLAG, STATUS)
    data = table_file(table, fmt, "id")
    if fmt == "csv":
        frame = pd.read_csv(io.BytesIO(data), comment="#")
        assert "Terlalu cepat, Nilai ekstrem" in frame.to_string()
    elif fmt == "html":
        assert "7 Des 2026 08.05 WIB" in data.decode()
    else:
        assert data[:2] == b"PK"


def test_my_submissions_name_each_interview_by_who_it_was_with():
    rows = pd.DataFrame({"response_id": ["abcdef0123456"], "submitted_at": [pd.Timestamp("2026-12-07T01:05:00Z")],
                         "instrument": ["household"], "revision": [1], "status": ["submitted"], "note": [None]})
    table = ft.my_submissions_table(rows, [{"en": "Sri · Jl. Kenanga 4", "id": "Sri · Jl. Kenanga 4"}],
                                    {"household": {"en": "Household survey", "id": "Survei rumah tangga"}}, STATUS)
    shown = table.to_frame("en", formatted=True)
    assert shown.iloc[0].tolist() == ["Sri · Jl. Kenanga 4", "abcdef01", "7 Dec 2026 08:05 WIB", "Household survey",
                                      "1", "submitted", ""]


def test_interview_lengths_count_those_under_the_minimum():
    table = ft.durations_table(pd.Series([3.0, 12.0, 20.0, 31.0, None]), limit=10)
    shown = table.to_frame("id", formatted=True)
    assert dict(zip(shown["Ukuran"], shown["Nilai"])) == {
        "Wawancara selesai yang tercatat lamanya": "4", "Kuartil 1 (menit)": "10", "Median (menit)": "16",
        "Kuartil 3 (menit)": "23", "Batas minimum kuesioner (menit)": "10", "Lebih singkat dari batas minimum": "1"}
    assert len(ft.durations_table(pd.Series([], dtype=float))) == 4   # no minimum: no row for it
