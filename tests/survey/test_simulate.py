"""The synthetic sample: valid, reproducible, and shaped like the design it claims."""

import csv
from collections import Counter

import pytest

from survey import load_instrument, validate
from survey.simulate import STRATA, generate, main, sample_frame

INTERNET_QUESTIONS = {"internet_location", "internet_frequency", "internet_activities", "internet_hours_week",
                      "internet_nonuse_reason", "used_internet", "used_mobile", "owns_mobile", "used_computer",
                      "ict_skills", "education"}


@pytest.fixture(scope="module")
def households():
    return generate("household", 300, seed=11)


@pytest.mark.parametrize("instrument_id, n", [("household", 300), ("civil_servant", 200), ("agency", 25)])
def test_generated_answers_validate(instrument_id, n):
    inst = load_instrument(instrument_id)
    rows = generate(instrument_id, n, seed=11)
    assert len(rows) == n
    problems = [(i, p.field, p.code) for i, row in enumerate(rows) for p in validate(inst, row)]
    assert problems == []


@pytest.mark.parametrize("instrument_id", ["household", "civil_servant", "agency"])
def test_same_seed_same_answers_other_seed_other_answers(instrument_id):
    assert generate(instrument_id, 40, seed=5) == generate(instrument_id, 40, seed=5)
    assert generate(instrument_id, 40, seed=5) != generate(instrument_id, 40, seed=6)


def test_all_five_kecamatan_are_sampled(households):
    assert {h["kecamatan"] for h in households} == set(STRATA)


def test_kelurahan_belongs_to_its_kecamatan(households):
    options = load_instrument("household").question("kelurahan").choice_options
    kecamatan_of = {c.name: c.filters["kecamatan"] for c in options}
    assert len(kecamatan_of) == 54
    assert all(kecamatan_of[h["kelurahan"]] == h["kecamatan"] for h in households)


def test_psu_codes_match_kecamatan_and_hold_about_ten_households(households):
    sizes = Counter(h["psu"] for h in households)
    assert set(sizes.values()) == {10}
    for h in households:
        assert h["psu"][:3] == STRATA[h["kecamatan"]][0]
    odd = Counter(h["psu"] for h in generate("household", 95, seed=2))
    assert set(odd.values()) <= {9, 10} and sum(odd.values()) == 95


def test_no_member_under_five_has_ict_answers(households):
    young = [m for h in households for m in h["members"] if m["age"] < 5]
    assert young, "the sample should contain small children"
    assert all(not INTERNET_QUESTIONS & set(m) for m in young)


def test_roster_has_one_head_and_hh_size_members(households):
    for h in households:
        assert len(h["members"]) == h["hh_size"]
        assert [m["relationship"] for m in h["members"]].count("head") == 1


def test_awkward_data_is_present():
    rows = generate("household", 500, seed=1)
    names = [m["member_name"] for h in rows for m in h["members"]]
    assert any("'" in name for name in names)
    assert any("phone" not in h for h in rows) and any("income_monthly" not in h for h in rows)
    nonusers = [m for h in rows for m in h["members"] if m.get("used_internet") == "no"]
    assert any(m["internet_nonuse_reason"] == [] for m in nonusers)


def test_ict_use_falls_with_age_and_household_internet_is_plausible():
    rows = generate("household", 1000, seed=3)
    members = [m for h in rows for m in h["members"] if m["age"] >= 5]

    def share(group):
        return sum(m["used_internet"] == "yes" for m in group) / len(group)

    assert share([m for m in members if 15 <= m["age"] < 25]) > share([m for m in members if m["age"] >= 60]) + 0.3
    assert 0.55 <= sum(h["has_internet"] == "yes" for h in rows) / len(rows) <= 0.70
    egov = [h for h in rows if h["used_egov"] == "yes"]
    with_user = [h for h in egov if any(m.get("used_internet") == "yes" for m in h["members"])]
    assert len(with_user) / len(egov) > 0.9


def test_frame_probabilities_are_consistent():
    frame = sample_frame(300, seed=11)
    assert sum(p.households_sampled for p in frame) == 300
    for stratum, (_, blocks, _) in STRATA.items():
        rows = [p for p in frame if p.kecamatan == stratum]
        assert rows and all(p.psus_in_stratum == blocks for p in rows)
        assert all(p.prob_psu == pytest.approx(len(rows) / blocks) for p in rows)
    assert all(0 < p.prob_within <= 1 and p.prob_within == p.households_sampled / p.households_in_psu for p in frame)


def test_cli_writes_frame_and_responses(tmp_path):
    pytest.importorskip("survey.store.response_store")
    assert main(["--households", "30", "--out", str(tmp_path), "--seed", "4",
                 "--civil-servants", "5", "--agencies", "3"]) == 0
    with open(tmp_path / "frame.csv", newline="", encoding="utf-8") as handle:
        frame = list(csv.DictReader(handle))
    assert [c for c in frame[0]][:6] == ["kecamatan", "psu", "households_in_psu", "psus_in_stratum",
                                          "prob_psu", "prob_within"]
    assert sum(int(row["households_sampled"]) for row in frame) == 30
    from survey import ResponseStore

    store = ResponseStore(tmp_path)
    assert len(store.read("household")) == 30
    assert len(store.read("civil_servant")) == 5 and len(store.read("agency")) == 3
    # simulated enumerators are named so that no account a person creates can be one of them
    names = {n for table in ("household", "civil_servant", "agency") for n in store.read(table)["_enumerator"]}
    assert {"sim-enum01", "sim-enum21"} <= names and all(n.startswith("sim-enum") for n in names)
    # the same seed again stores nothing new: response ids are reproducible
    main(["--households", "30", "--out", str(tmp_path), "--seed", "4"])
    assert len(ResponseStore(tmp_path).read("household")) == 30


def test_a_second_run_into_a_store_adds_its_psus_to_the_frame(tmp_path):
    from analysis.dataset.dataset import load_dataset
    from survey import ResponseStore
    from survey.simulate.sampling import read_frame

    assert main(["--households", "40", "--out", str(tmp_path), "--seed", "4"]) == 0
    first = read_frame(tmp_path / "frame.csv")
    assert main(["--households", "20", "--out", str(tmp_path), "--seed", "9"]) == 0
    both = read_frame(tmp_path / "frame.csv")
    assert {p.psu for p in first} <= {p.psu for p in both}
    assert sum(p.households_sampled for p in both) == 60
    for stratum in STRATA:   # the union's PSUs per stratum make the PSU probability
        rows = [p for p in both if p.kecamatan == stratum]
        assert all(p.prob_psu == pytest.approx(len(rows) / p.psus_in_stratum) for p in rows)
    assert all(p.prob_within == pytest.approx(p.households_sampled / p.households_in_psu) and p.prob_within <= 1
               for p in both)
    # every stored household has its PSU in the frame, so the weights stay in force
    data = load_dataset(ResponseStore(tmp_path, audit=False), "household")
    assert data.main.design is not None and len(data.main.frame) == 60
    # the same run again changes nothing
    main(["--households", "20", "--out", str(tmp_path), "--seed", "9"])
    assert read_frame(tmp_path / "frame.csv") == both


def test_a_frame_the_simulator_did_not_write_is_never_replaced(tmp_path, capsys):
    (tmp_path / "frame.csv").write_text("stratum,block,p\nx,y,0.5\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        main(["--households", "20", "--out", str(tmp_path)])
    assert stop.value.code == 2 and "frame.csv" in capsys.readouterr().err
    assert (tmp_path / "frame.csv").read_text(encoding="utf-8") == "stratum,block,p\nx,y,0.5\n"
