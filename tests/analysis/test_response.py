"""analysis.dataset.response_rates: dispositions, AAPOR RR1 and the non-response adjustment, against a hand count.

Four PSUs in two strata (frame.csv: households sampled 5, 4, 3, 2):

    LAW-001  complete, complete, refused, consent no, vacant         I=2 R=2 inelig. 1
    LAW-002  complete, complete, nobody_home, complete (rejected)    I=2 NC=1, 1 not yet visited
    SER-001  complete, other                                         I=1 O=1, 1 not yet visited
    SER-002  (no record yet)                                         2 not yet visited

RR1 of the sample = I / (I + R + NC + O + not yet visited); of the visited, without the
last term.  The adjustment multiplies each responding household's base weight by
(sampled - vacant) / responded: LAW-001 (5 - 1) / 2 = 2, LAW-002 4 / 2 = 2 (the
rejected interview is non-response until corrected), SER-001 3 / 1 = 3.
"""

import numpy as np
import pandas as pd
import pytest

from analysis.dataset.dataset import build_dataset
from analysis.dataset.response_rates import dispositions, nonresponse_adjustment, response_rate_table, response_rates
from tests.support.visits import FRAME, INST, RECORDS


def rows(table: pd.DataFrame, key: str) -> dict:
    return {r[key]: r for r in table.to_dict("records")}


def test_each_record_has_its_aapor_disposition():
    assert list(dispositions(INST, RECORDS)) == [
        "complete", "complete", "refusal", "refusal", "ineligible", "complete", "complete", "noncontact",
        "complete", "complete", "other"]


def test_response_rates_per_psu_against_a_hand_count():
    table = response_rates(INST, RECORDS, FRAME, "psu")
    assert list(table.columns[:3]) == ["kecamatan", "psu", "kelurahan"]
    assert table["psu"].tolist() == ["SER-001", "SER-002", "LAW-001", "LAW-002"]   # strata in choice order
    by = rows(table, "psu")
    counts = ["sampled", "visited", "complete", "refusal", "noncontact", "other", "ineligible", "pending"]
    assert [by["LAW-001"][c] for c in counts] == [5, 5, 2, 2, 0, 0, 1, 0]
    assert [by["LAW-002"][c] for c in counts] == [4, 3, 2, 0, 1, 0, 0, 1]   # the rejected one is not visited
    assert [by["SER-001"][c] for c in counts] == [3, 2, 1, 0, 0, 1, 0, 1]
    assert [by["SER-002"][c] for c in counts] == [2, 0, 0, 0, 0, 0, 0, 2]
    assert by["LAW-001"]["rr1"] == pytest.approx(100 * 2 / 4) and by["LAW-001"]["rr1_visited"] == pytest.approx(50)
    assert by["LAW-002"]["rr1"] == pytest.approx(100 * 2 / 4)
    assert by["LAW-002"]["rr1_visited"] == pytest.approx(100 * 2 / 3)
    assert by["SER-001"]["rr1"] == pytest.approx(100 / 3) and by["SER-001"]["rr1_visited"] == pytest.approx(50)
    assert by["SER-002"]["rr1"] == 0 and np.isnan(by["SER-002"]["rr1_visited"])
    assert by["LAW-002"]["kelurahan"] == "bumi"


def test_response_rates_per_stratum_and_overall():
    by = rows(response_rates(INST, RECORDS, FRAME, "stratum"), "kecamatan")
    assert by["laweyan"]["rr1"] == pytest.approx(100 * 4 / (4 + 2 + 1 + 0 + 1))
    assert by["laweyan"]["rr1_visited"] == pytest.approx(100 * 4 / 7)
    assert by["serengan"]["rr1"] == pytest.approx(100 * 1 / 5) and by["serengan"]["rr1_visited"] == pytest.approx(50)
    overall = response_rates(INST, RECORDS, FRAME, "overall").iloc[0]
    assert (overall["sampled"], overall["visited"], overall["complete"], overall["pending"]) == (14, 10, 5, 4)
    assert overall["rr1"] == pytest.approx(100 * 5 / 13) and overall["rr1_visited"] == pytest.approx(100 * 5 / 9)


def test_without_a_frame_the_rates_are_of_the_visited():
    overall = response_rates(INST, RECORDS, None, "overall").iloc[0]
    assert np.isnan(overall["sampled"]) and overall["pending"] == 0
    assert overall["rr1"] == pytest.approx(100 * 5 / 9) == overall["rr1_visited"]
    assert response_rates(INST, RECORDS.iloc[:0], None, "stratum").empty


def test_the_rate_table_is_labelled_in_both_languages():
    table = response_rate_table(INST, response_rates(INST, RECORDS, FRAME, "stratum"), "stratum")
    english = table.to_frame("en", formatted=True)
    assert list(english.columns[:4]) == ["District", "RR1 of the sample", "RR1 of the visited", "Sampled"]
    assert english.iloc[1]["RR1 of the sample"] == "50.0%"
    assert table.to_frame("id", formatted=True).iloc[1]["RR1 dari yang dikunjungi"] == "57,1%"


def test_the_nonresponse_adjustment_against_a_hand_count():
    kept = RECORDS[RECORDS["_response_id"].isin(["a1", "a2", "b1", "b2", "c1"])].reset_index(drop=True)
    factors, table = nonresponse_adjustment(INST, INST.design, kept, RECORDS, FRAME)
    assert factors.tolist() == pytest.approx([2, 2, 2, 2, 3])
    by = rows(table, "psu")
    assert (by["LAW-001"]["sampled"], by["LAW-001"]["ineligible"], by["LAW-001"]["responded"]) == (5, 1, 2)
    # without households_sampled, the PSU's records (every status) are the sampled households
    factors, _ = nonresponse_adjustment(INST, INST.design, kept, RECORDS, FRAME.drop(columns="households_sampled"))
    assert factors.tolist() == pytest.approx([(5 - 1) / 2, (5 - 1) / 2, 4 / 2, 4 / 2, 2 / 1])


def test_the_adjustment_matches_each_row_to_its_psu_in_any_order():
    """Rows are grouped by their factorized keys, not by a MultiIndex of every row (issue 22, section 3):
    the same table and each row's factor whatever the order of the rows and of the PSUs."""
    kept = RECORDS[RECORDS["_response_id"].isin(["a1", "a2", "b1", "b2", "c1"])].reset_index(drop=True)
    factors, table = nonresponse_adjustment(INST, INST.design, kept, RECORDS, FRAME)
    order = [4, 2, 0, 3, 1]
    shuffled, again = nonresponse_adjustment(INST, INST.design, kept.iloc[order].reset_index(drop=True),
                                             RECORDS.iloc[::-1].reset_index(drop=True), FRAME)
    assert shuffled.tolist() == [factors[i] for i in order]
    pd.testing.assert_frame_equal(table, again)
    assert table["psu"].tolist() == sorted(table["psu"])   # sorted by stratum, then PSU, as text
    assert list(zip(table["kecamatan"], table["psu"])) == sorted(zip(table["kecamatan"], table["psu"]))


def test_the_household_design_uses_the_adjusted_weights():
    data = build_dataset(INST, {"visits": RECORDS}, frame=FRAME)
    frame = data.main.frame.set_index("_response_id")
    base = 1 / (0.2 * 0.1)
    assert frame["_weight"].to_dict() == pytest.approx({"a1": 2 * base, "a2": 2 * base, "b1": 2 * base,
                                                        "b2": 2 * base, "c1": 3 / (0.1 * 0.1)})
    # the responding households stand for the eligible households of the PSU: (5 - 1) of 5 listed * 50 / 0.2
    assert frame.loc[["a1", "a2"], "_weight"].sum() == pytest.approx(4 / 5 * 50 / 0.2)
    assert "non-response" in data.provenance.weights["visits"]["en"]
    # a frame without prob_within derives it from the responding households: no second adjustment
    derived = build_dataset(INST, {"visits": RECORDS}, frame=FRAME.assign(prob_within=None))
    assert derived.main.frame.set_index("_response_id").loc["a1", "_weight"] == pytest.approx(50 / 2 / 0.2)


def _grouped_counts(records: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Records per (keys as text, disposition) the plain pandas way: what the rates count."""
    from analysis.dataset.response_rates import DISPOSITIONS
    from survey.questionnaire.schema import counted_rows

    kept = records[counted_rows(records)].dropna(subset=keys)
    cases = pd.DataFrame({**{k: kept[k].astype(str).to_numpy() for k in keys}, "case": dispositions(INST, kept)})
    counts = cases.groupby([*keys, "case"]).size().unstack("case", fill_value=0)
    return counts.reindex(columns=list(DISPOSITIONS), fill_value=0)


def test_the_rates_at_every_level_at_once_count_as_a_plain_grouping():
    """Issue 22, section 3: the monitor's three levels share one working-out of the dispositions and
    the areas' codes (response_rates_at, by integer codes): the same counts as grouping the records'
    text, with gaps in the strata and PSUs, a PSU missing from the frame and an empty store."""
    from analysis.dataset.response_rates import DISPOSITIONS, response_rates_at

    records = pd.concat([RECORDS, RECORDS.assign(_response_id=RECORDS["_response_id"] + "x")], ignore_index=True)
    records.loc[[0, 5], "psu"] = None
    records.loc[[3, 13], "kecamatan"] = None
    records.loc[14, "psu"] = "LAW-999"
    for data in (records, records.iloc[:0]):
        for frame in (FRAME, None):
            at = response_rates_at(INST, data, frame)
            for level, keys in (("psu", ["kecamatan", "psu"]), ("stratum", ["kecamatan"]), ("overall", [])):
                assert at[level].equals(response_rates(INST, data, frame, level))
                if keys and len(data):
                    expected = _grouped_counts(data, keys)
                    shown = at[level].set_index(keys)[list(DISPOSITIONS)]
                    shown = shown[shown["complete"].notna() & (shown.sum(axis=1) > 0)]
                    assert shown.sort_index().equals(expected.sort_index().rename_axis(columns=None)), level
    overall = response_rates_at(INST, records, FRAME)["overall"].iloc[0]
    assert overall["visited"] == (records["_status"] != "rejected").sum() == 2 * 10
