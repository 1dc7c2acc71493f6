"""The simulated fieldwork: visit outcomes, interview lengths and deliberately bad interviews."""

import contextlib
import datetime as dt
import io
import random
import re
from collections import Counter

import pandas as pd
import pytest

from survey import ResponseStore, load_instrument, validate
from survey.fieldwork.quality import durations, flags
from survey.locale import WIB
from survey.simulate import OUTCOME_RATES, generate, main
from survey.simulate.fieldwork import IDENTIFYING, field_times


def test_outcomes_are_short_records_and_the_interviews_stay_the_same():
    plain = generate("household", 400, seed=6)
    visits = generate("household", 400, seed=6, outcomes=True)
    inst = load_instrument("household")
    assert len(visits) == 400 and all(validate(inst, v) == [] for v in visits)
    short = [v for v in visits if v.get("consent") != "yes"]
    assert short and all(set(v) <= {"visit_outcome", "consent", *IDENTIFYING} for v in short)
    assert all(v == p for v, p in zip(visits, plain) if v.get("consent") == "yes")
    assert {v["visit_outcome"] for v in visits} == {"completed", "refused", "nobody_home", "vacant_or_not_found",
                                                    "other"}
    assert any(v.get("consent") == "no" for v in visits)


def test_outcome_rates_differ_by_kecamatan_as_configured():
    visits = generate("household", 6000, seed=2, outcomes=True)
    for kecamatan, rates in OUTCOME_RATES.items():
        mine = [v for v in visits if v["kecamatan"] == kecamatan]
        counts = Counter("consent_no" if v.get("consent") == "no" else v["visit_outcome"] for v in mine)
        for outcome, rate in rates.items():
            assert counts[outcome] / len(mine) == pytest.approx(rate, abs=0.025), (kecamatan, outcome)


@pytest.fixture(scope="module")
def fieldwork(tmp_path_factory):
    """The fieldwork simulated once into `normal` (what it printed beside), so each test runs on its own."""
    normal, bulk = tmp_path_factory.mktemp("normal"), tmp_path_factory.mktemp("bulk")
    args = ["--households", "60", "--civil-servants", "10", "--seed", "8", "--outcomes", "--bad", "2"]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main([*args, "--out", str(normal)]) == 0
    return normal, bulk, args, printed.getvalue()


def test_bad_interviews_are_flagged_and_listed(fieldwork):
    normal, _, args, printed = fieldwork
    bad = {kind: ids.split(", ") for kind, ids in re.findall(r"deliberately bad, (\w+): (.+)", printed)}
    assert {kind: len(ids) for kind, ids in bad.items()} == {"too_fast": 2, "straightlining": 2,
                                                             "duplicate_household": 2}
    store = ResponseStore(normal, audit=False)
    assert len(store.read("household")) == 62 and len(store.read("civil_servant")) == 12
    household = flags(store, "household")
    assert set(bad["too_fast"]) <= set(household.loc[household["flag"] == "too_fast", "_response_id"])
    assert set(bad["duplicate_household"]) <= set(household.loc[household["flag"] == "duplicate_household",
                                                                "_response_id"])
    staff = flags(store, "civil_servant")
    assert set(bad["straightlining"]) <= set(staff.loc[staff["flag"] == "straightlining", "_response_id"])
    minutes = durations(store, "household").set_index("_response_id")["minutes"]
    assert minutes.notna().all() and (minutes.loc[bad["too_fast"]] < 3).all()
    outcome = store.read("household").set_index("_response_id")["visit_outcome"]
    assert (outcome != "completed").sum() > 0


def test_bulk_mode_stores_the_same_fieldwork(fieldwork):
    normal, bulk, args, _ = fieldwork
    main([*args, "--bulk", "--out", str(bulk)])
    a, b = ResponseStore(normal, audit=False), ResponseStore(bulk, audit=False)
    columns = ["_response_id", "_enumerator", "visit_outcome", "consent", "psu", "respondent_name", "hh_size"]
    left, right = (s.read("household").sort_values("_response_id")[columns].reset_index(drop=True) for s in (a, b))
    pd.testing.assert_frame_equal(left, right, check_dtype=False)
    lengths = [durations(s, "household").set_index("_response_id")["minutes"].sort_index() for s in (a, b)]
    assert lengths[0].to_numpy() == pytest.approx(lengths[1].to_numpy(), abs=0.1)


def test_pace_is_for_the_normal_mode(tmp_path):
    with pytest.raises(SystemExit):
        main(["--households", "5", "--bulk", "--pace", "1", "--out", str(tmp_path)])


def _in_field_hours(moments) -> bool:
    local = pd.to_datetime(pd.Series(moments), utc=True).dt.tz_convert(WIB)
    return bool((local.dt.hour >= 7).all() and (local.dt.hour < 21).all())


@pytest.mark.parametrize("clock", [(3, 0), (6, 50), (7, 30), (10, 0), (20, 59), (21, 0), (23, 45)])
def test_interview_times_fall_in_field_hours_whenever_the_simulator_runs(clock):
    now = dt.datetime(2026, 12, 7, *clock, tzinfo=WIB)
    rng = random.Random(1)
    for minutes in (2.0, 25.0, 70.0):
        start, end = field_times(now, minutes, rng)
        assert _in_field_hours([start, end]) and end <= now
        assert (end - start).total_seconds() == pytest.approx(minutes * 60)
        if clock == (10, 0):   # in the day an interview ends now
            assert end == now


def test_a_run_stores_starts_and_submissions_in_field_hours(fieldwork):
    normal, _, args, _ = fieldwork
    assert main([*args, "--out", str(normal)]) == 0   # a second run of the same seed stores nothing new
    store = ResponseStore(normal, audit=False)
    for name in ("household", "civil_servant"):
        stored = store.read(name)
        assert len(stored) and _in_field_hours(stored["_started_at"]) and _in_field_hours(stored["_submitted_at"])
    assert flags(store, "household").query("flag == 'odd_hour'").empty
