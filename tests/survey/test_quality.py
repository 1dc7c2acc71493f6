"""survey.fieldwork.quality: each flag fires on a crafted interview and not on the clean ones.

A small questionnaire inline; answers go through a real store (so the frames have the
store's types), then the times are set to what each case needs (the store stamps
``_submitted_at`` with the clock).
"""

from __future__ import annotations

import datetime as dt
import os
import stat

import pandas as pd
import pytest

from survey import ResponseStore
from survey.fieldwork.quality import SALT_FILE, checked, durations, flag_frame, flags, salt
from survey.locale import WIB

FORM = """
id: qc
version: 1
title: {id: QC, en: QC}
quality:
  min_minutes: 10
  fast_ratio: 0.5
  size: size
  min_peers: 3
  likert: [agree5]
  min_block: 3
  outliers: {within: area, limit: 3.5, min_group: 5, questions: {income: log, size: {scale: linear, limit: 4}}}
  missing: {share: 0.5, choices: [dont_know], ignore: [remarks]}
  odd_hours: {from: "22:00", to: "05:00"}
  duplicate: {match: [name, village], phone: phone}
fieldwork:
  outcome: {question: visit_outcome, completed: completed, refusal: [refused]}
  consent: {question: consent, agreed: "yes"}
choice_lists:
  outcome:
    - {name: completed, label: {id: Selesai, en: Completed}}
    - {name: refused, label: {id: Menolak, en: Refused}}
  yes_no:
    - {name: "yes", label: {id: Ya, en: "Yes"}}
    - {name: "no", label: {id: Tidak, en: "No"}}
  area:
    - {name: north, label: {id: Utara, en: North}}
    - {name: south, label: {id: Selatan, en: South}}
  village:
    - {name: v1, label: {id: Desa 1, en: Village 1}}
    - {name: v2, label: {id: Desa 2, en: Village 2}}
  trust:
    - {name: "yes", label: {id: Ya, en: "Yes"}}
    - {name: "no", label: {id: Tidak, en: "No"}}
    - {name: dont_know, label: {id: Tidak tahu, en: Don't know}}
  agree5:
    - {name: "1", label: {id: STS, en: Strongly disagree}}
    - {name: "2", label: {id: TS, en: Disagree}}
    - {name: "3", label: {id: N, en: Neutral}}
    - {name: "4", label: {id: S, en: Agree}}
    - {name: "5", label: {id: SS, en: Strongly agree}}
questions:
  - {name: visit_outcome, type: select_one, choices: outcome, required: true, end_if: ". != 'completed'",
     label: {id: Hasil, en: Outcome}}
  - {name: consent, type: select_one, choices: yes_no, required: true, end_if: ". = 'no'",
     relevant: "${visit_outcome} = 'completed'", label: {id: Setuju, en: Consent}}
  - {name: area, type: select_one, choices: area, required: true, identifying: true, label: {id: Wilayah, en: Area}}
  - {name: village, type: select_one, choices: village, required: true, identifying: true,
     label: {id: Desa, en: Village}}
  - {name: name, type: text, required: true, pii: true, label: {id: Nama, en: Name}}
  - {name: phone, type: text, pii: true, label: {id: Telepon, en: Phone}}
  - {name: size, type: integer, required: true, min: 1, max: 30, label: {id: Anggota, en: Members}}
  - {name: income, type: integer, min: 0, label: {id: Pendapatan, en: Income}}
  - {name: trust, type: select_one, choices: trust, required: true, label: {id: Percaya, en: Trust}}
  - {name: q1, type: select_one, choices: agree5, required: true, label: {id: Q1, en: Q1}}
  - {name: q2, type: select_one, choices: agree5, required: true, label: {id: Q2, en: Q2}}
  - {name: q3, type: select_one, choices: agree5, required: true, label: {id: Q3, en: Q3}}
  - {name: q4, type: select_one, choices: agree5, required: true, label: {id: Q4, en: Q4}}
  - {name: remarks, type: text, label: {id: Catatan, en: Remarks}}
  - name: members
    type: repeat
    label: {id: Anggota, en: Member}
    repeat_count: "${size}"
    questions:
      - {name: age, type: integer, required: true, min: 0, max: 120, label: {id: Umur, en: Age}}
      - {name: hours, type: decimal, relevant: "${age} >= 5", label: {id: Jam, en: Hours}}
"""

NAMES = ["Budi Santoso", "Sri Rahayu", "Joko Wibowo", "Siti Aminah", "Agus Setiawan", "Dewi Lestari",
         "Heru Nugroho", "Ratna Sari", "Eko Prasetyo", "Wulan Dari", "Teguh Hidayat", "Indah Permata"]


def clean(i: int) -> dict:
    size = 2 + i % 3
    return {"visit_outcome": "completed", "consent": "yes", "area": "north" if i < 6 else "south",
            "village": "v1" if i % 2 else "v2", "name": NAMES[i], "phone": f"08123456{i:04d}", "size": size,
            "income": 3_000_000 + 100_000 * i, "trust": ["yes", "no"][i % 2],
            "q1": "4", "q2": str(1 + i % 5), "q3": "3", "q4": "2",
            "members": [{"age": 40 - k, "hours": 10.0} for k in range(size)]}


CASES = {
    "fast_min": ({**clean(0), "name": "Ani Kusuma"}, 5),
    "fast_median": ({**clean(1), "name": "Bayu Pratama"}, 14),   # size 3: peers' median 35 min, half of it 17.5
    "straight": ({**clean(2), "name": "Citra Ayu", "q1": "4", "q2": "4", "q3": "4", "q4": "4"}, 33),
    "outlier": ({**clean(3), "name": "Dimas Putra", "income": 90_000_000}, 35),
    "missing": ({**{k: v for k, v in clean(4).items() if k != "income"}, "name": "Eka Sari", "trust": "dont_know",
                 "size": 4, "members": [{"age": 40}, {"age": 30}, {"age": 20}, {"age": 3}]}, 36),
    "odd": ({**clean(5), "name": "Fajar Hadi"}, 37),
    "dup_no_phone": ({**clean(6), "name": "  budi   SANTOSO ", "village": "v2", "phone": None}, 34),
    "dup_same_phone": ({**clean(7), "name": "Sri Rahayu", "village": "v1", "phone": "+6281234560001"}, 34),
    "not_dup_other_phone": ({**clean(8), "name": "Joko Wibowo", "village": "v2", "phone": "0899999999"}, 34),
    "refused_quickly": ({"visit_outcome": "refused", "area": "north", "village": "v1"}, 2),
    "consent_no_quickly": ({"visit_outcome": "completed", "consent": "no", "area": "south", "village": "v2"}, 1),
    "rejected_copy": ({**clean(9), "name": "Wulan Dari"}, 30),
}
EXPECTED = {("fast_min", "too_fast"), ("fast_median", "too_fast"), ("straight", "straightlining"),
            ("outlier", "outlier"), ("missing", "many_missing"), ("odd", "odd_hour"),
            ("dup_no_phone", "duplicate_household"), ("clean-0", "duplicate_household"),
            ("dup_same_phone", "duplicate_household"), ("clean-1", "duplicate_household"),
            ("rejected_copy", "duplicate_household")}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("qc")
    (root / "instruments").mkdir()
    (root / "instruments" / "qc.yaml").write_text(FORM, encoding="utf-8")
    store = ResponseStore(root / "data", instruments_dir=root / "instruments")
    now = dt.datetime.now(dt.timezone.utc)
    minutes = [30, 35, 40, 32, 36, 38, 34, 35, 31, 33, 37, 39]   # size 2, 3, 4 in turn
    for i in range(12):
        store.submit("qc", clean(i), enumerator=f"enum{i % 3}", response_id=f"clean-{i}",
                     started_at=now - dt.timedelta(minutes=minutes[i]))
    for rid, (answers, length) in CASES.items():
        store.submit("qc", answers, enumerator="enum9", response_id=rid, started_at=now - dt.timedelta(minutes=length))
    store.set_status("qc", "rejected_copy", "rejected", editor="sup1")   # clean-9 entered twice, one rejected
    return store


def times(store, odd: dict[str, dt.time] | None = None) -> pd.DataFrame:
    """Durations as stored, every interview started at 10:00 WIB (or at `odd`'s time)."""
    out = durations(store, "qc")
    day = dt.date(2024, 7, 3)
    moments = [dt.datetime.combine(day, (odd or {}).get(rid, dt.time(10)), WIB).astimezone(dt.timezone.utc)
               for rid in out["_response_id"]]
    started = pd.Series(pd.to_datetime(moments, utc=True), index=out.index).astype("datetime64[us, UTC]")
    return out.assign(started_at=started, submitted_at=started + pd.to_timedelta(out["minutes"], unit="min"))


def raised(store, when=None, lang="en", moments=None) -> pd.DataFrame:
    inst = store.instrument("qc")
    current = store.read("qc")
    return flag_frame(inst, current, moments if moments is not None else times(store, when),
                      {"qc_members": store.read("qc_members")}, salt(store.root), lang)


def test_each_flag_fires_on_its_crafted_case_and_never_on_a_clean_one(store):
    found = raised(store, {"odd": dt.time(23, 30)})
    assert set(zip(found["_response_id"], found["flag"])) == EXPECTED
    assert list(found.columns) == ["_response_id", "flag", "detail"]


def test_the_details_say_why_with_numbers_only(store):
    found = raised(store, {"odd": dt.time(23, 30)}).set_index(["_response_id", "flag"])["detail"]
    assert found["fast_min", "too_fast"].startswith("5.0 min, under the minimum of 10 min")
    assert "under 50% of the median of interviews with size = 3 (35.0 min, 6 interviews)" in \
        found["fast_median", "too_fast"]
    assert found["straight", "straightlining"] == "4 items q1 … q4 all answered “Agree”"
    assert found["outlier", "outlier"].startswith("income = 90,000,000, far from the median of North")
    # phone, income, trust and the hours of the three members aged 5+ were asked; all but the phone are missing
    assert found["missing", "many_missing"] == "5 of 6 questions asked (83%) unanswered or don't know / refused"
    assert found["odd", "odd_hour"] == "started at 23:30 WIB"
    assert found["dup_no_phone", "duplicate_household"] == "same name, village as clean-0"
    assert found["dup_same_phone", "duplicate_household"] == "same name, village (and phone) as clean-1"
    for detail in found:
        assert not any(name.split()[0] in detail for name in NAMES)   # no names, no phone numbers
        assert "0812" not in detail
    indonesian = raised(store, {"odd": dt.time(23, 30)}, lang="id").set_index(["_response_id", "flag"])["detail"]
    assert indonesian["odd", "odd_hour"] == "dimulai pukul 23.30 WIB"
    assert indonesian["fast_min", "too_fast"].startswith("5,0 menit")


@pytest.mark.parametrize("moment, odd", [(dt.time(22, 0), True), (dt.time(4, 59), True), (dt.time(5, 0), False),
                                          (dt.time(21, 59), False), (dt.time(0, 30), True)])
def test_odd_hours_are_from_22_to_05_wib(store, moment, odd):
    found = raised(store, {"clean-3": moment})
    assert (("clean-3", "odd_hour") in set(zip(found["_response_id"], found["flag"]))) is odd


def _wib(day: int, hour: int) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime(2024, 7, day, hour, tzinfo=WIB)).tz_convert("UTC")


def test_odd_hours_read_the_interviews_own_start_not_when_it_was_sent(store):
    moments = times(store).set_index("_response_id")
    moments.loc["clean-3", ["started_at", "submitted_at"]] = [_wib(3, 3), _wib(3, 10)]   # at 03:00, sent at 10:00
    moments.loc["clean-4", ["started_at", "submitted_at"]] = [_wib(3, 10), _wib(4, 3)]   # at 10:00, sent at 03:00
    found = raised(store, moments=moments.reset_index())
    odd = found.loc[found["flag"] == "odd_hour"].set_index("_response_id")["detail"]
    assert odd.to_dict() == {"clean-3": "started at 03:00 WIB"}


def test_without_a_start_the_first_submission_is_read_and_said(store):
    moments = times(store).set_index("_response_id")
    moments.loc["clean-5", ["started_at", "submitted_at"]] = [pd.NaT, _wib(3, 23)]
    odd = raised(store, moments=moments.reset_index(), lang="id").query("flag == 'odd_hour'")
    assert odd[["_response_id", "detail"]].values.tolist() == [
        ["clean-5", "dikirim pukul 23.00 WIB (waktu mulai tidak tercatat)"]]


def test_rejecting_a_repeated_household_clears_the_originals_flag(store):
    found = raised(store)
    flagged = set(found.loc[found["flag"] == "duplicate_household", "_response_id"])
    assert "rejected_copy" in flagged and "clean-9" not in flagged


def test_flags_reads_the_store(store):
    found = flags(store, "qc")
    pairs = set(zip(found["_response_id"], found["flag"]))
    assert EXPECTED - {("odd", "odd_hour")} <= pairs
    assert {f for _, f in pairs} <= {"too_fast", "straightlining", "outlier", "many_missing", "odd_hour",
                                     "duplicate_household"}


def test_durations_run_to_the_first_submission(store):
    before = durations(store, "qc").set_index("_response_id")
    store.set_status("qc", "clean-5", "approved", editor="sup1")   # a later revision does not lengthen it
    after = durations(store, "qc").set_index("_response_id")
    assert after.loc["clean-5", "minutes"] == pytest.approx(before.loc["clean-5", "minutes"])
    assert after.loc["clean-5", "minutes"] == pytest.approx(38, abs=0.1)


def test_the_salt_is_made_once_and_only_the_owner_reads_it(tmp_path):
    first = salt(tmp_path)
    path = tmp_path / SALT_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and len(first) == 32
    assert salt(tmp_path) == first
    assert salt(tmp_path / "elsewhere") != first


def test_an_empty_store_has_no_flags(tmp_path):
    found = flags(ResponseStore(tmp_path), "household")
    assert found.empty and list(found.columns) == ["_response_id", "flag", "detail"]


def test_the_records_checked_are_the_stores_current_revisions(store):
    store.set_status("qc", "clean-6", "approved", editor="sup1")
    store.set_status("qc", "clean-6", "rejected", editor="sup1", note="again")
    store.set_status("qc", "clean-7", "approved", editor="sup1")
    records, _, _ = checked(store, "qc")
    expected = store.read("qc")
    pd.testing.assert_frame_equal(records, expected)
    assert records.set_index("_response_id").loc["clean-6", "_status"] == "rejected"


def _history(order):
    """A history frame with the store's types: revisions of three responses, in ``order``."""
    rows = [("b", 2, "2024-07-01 08:30"), ("a", 1, "2024-07-01 08:00"), ("b", 1, "2024-07-01 08:10"),
            ("c", 1, None), ("a", 2, "2024-07-01 09:00"), ("c", 3, "2024-07-01 07:00")]
    rows = [rows[i] for i in order]
    started = pd.Series([pd.Timestamp(s, tz="UTC") if s else pd.NaT for _, _, s in rows], dtype="datetime64[us, UTC]")
    return pd.DataFrame({"_response_id": pd.Series([r for r, _, _ in rows], dtype="string"),
                         "_revision": pd.Series([v for _, v, _ in rows], dtype="Int64"),
                         "_started_at": started, "_submitted_at": started + pd.Timedelta(minutes=25)})


@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0], [4, 0, 5, 2, 3, 1]])
def test_durations_take_each_responses_first_revision_in_any_stored_order(order):
    from survey.fieldwork.quality import _durations

    history = _history(order)
    first = history.sort_values(["_response_id", "_revision"], kind="stable").groupby("_response_id").head(1)
    expected = pd.DataFrame({"_response_id": first["_response_id"], "started_at": first["_started_at"],
                             "submitted_at": first["_submitted_at"],
                             "minutes": [25.0 if pd.notna(s) else float("nan") for s in first["_started_at"]]}
                            ).reset_index(drop=True)
    pd.testing.assert_frame_equal(_durations(history), expected)
    assert _durations(history)["_response_id"].tolist() == ["a", "b", "c"]


@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0], [4, 0, 5, 2, 3, 1], [1, 3]])
def test_the_checks_durations_in_the_current_order_equal_those_of_every_revision_sorted(order):
    """Issue 22, section 3: checked() takes each response's first revision from its current row unless
    it has earlier ones (no sort of every id): the same times as _durations, in the current order, so
    aligning them on the current records is a copy (and equals the hashed look-up)."""
    from survey.fieldwork.quality import _current_durations, _durations, _latest, aligned

    history = _history(order)
    latest = _latest(history)
    current = history[latest].reset_index(drop=True)
    times = _current_durations(history, current, latest)
    assert times["_response_id"].tolist() == current["_response_id"].tolist()
    ids = current["_response_id"]
    pd.testing.assert_frame_equal(aligned(times, ids), aligned(_durations(history), ids), check_exact=True)
    shuffled = ids.iloc[::-1]
    pd.testing.assert_frame_equal(aligned(times, shuffled), aligned(_durations(history), shuffled), check_exact=True)


def test_aligned_times_equal_a_reindex_by_id_with_missing_ids_as_nan():
    from survey.fieldwork.quality import _durations, aligned

    times = _durations(_history(range(6)))
    ids = pd.Series(["c", "x", "a", "b"], dtype="string")
    expected = times.assign(_response_id=times["_response_id"].astype(str)).set_index("_response_id") \
        .reindex(ids.astype(str).to_numpy())
    got = aligned(times, ids)
    pd.testing.assert_frame_equal(got, expected, check_index_type=False)
    assert got.loc["x"].isna().all() and got.index.tolist() == ["c", "x", "a", "b"]


def test_one_answer_per_row_equals_pandas_nunique_with_gaps_and_empty_rows():
    import numpy as np

    from survey.fieldwork.quality_checks import one_answer

    rng = np.random.default_rng(5)
    picks = np.array(["agree", "disagree", "neutral", None], dtype=object)
    values = pd.DataFrame({f"q{i}": pd.Series(picks[rng.integers(0, 4, 400)], dtype="string") for i in range(5)})
    values.iloc[0] = pd.NA                       # nothing answered: not one answer
    values.iloc[1] = ["agree", pd.NA, "agree", "agree", pd.NA]
    values.iloc[2] = ["agree", "agree", "agree", "agree", "agree "]   # text compared exactly
    expected = values.nunique(axis=1, dropna=True).to_numpy() == 1
    got = one_answer(values)
    assert got.tolist() == expected.tolist() and got[1] and not got[0] and not got[2]
    assert 0 < got.sum() < len(values)
    assert one_answer(values.iloc[:0]).tolist() == []
