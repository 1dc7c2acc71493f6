"""analysis.dataset.dataset: the analysis frames, weights and designs built from a store and its files."""

import re
import shutil

import numpy as np
import pandas as pd
import pytest

from analysis import base_weights, mean, poststratify, proportion
from analysis.dataset.datafiles import read_csv
from analysis.dataset.dataset import build_dataset, load_dataset, read_inputs
from analysis.indicators.egov import egov_indicators
from survey import ResponseStore, load_instrument
from survey.questionnaire.model import instrument_from_yaml
from survey.questionnaire.schema import COUNTED_STATUSES
from survey.simulate import main as simulate

HOUSEHOLD = load_instrument("household")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """A simulated store (bulk mode) with its frame.csv and population.csv."""
    root = tmp_path_factory.mktemp("store")
    simulate(["--households", "300", "--civil-servants", "60", "--agencies", "20", "--seed", "3", "--bulk",
              "--out", str(root)])
    return root


@pytest.fixture(scope="module")
def households(sample):
    return load_dataset(ResponseStore(sample, audit=False), "household", lang="id")


def copy_store(sample, tmp_path, keep=("frame.csv", "population.csv")):
    shutil.copytree(sample / "responses", tmp_path / "responses")
    for name in keep:
        shutil.copy(sample / name, tmp_path / name)
    return ResponseStore(tmp_path, audit=False)


# ---- the frames -------------------------------------------------------------------------------
def test_answers_are_labelled_in_the_chosen_language_in_choice_order(sample, households):
    choices = HOUSEHOLD.question("kecamatan").choices
    frame = households.main.frame
    assert list(frame["kecamatan"].cat.categories) == [c["id"] for c in choices.values()]
    english = load_dataset(ResponseStore(sample, audit=False), "household", lang="en")
    assert list(english.main.frame["has_internet"].cat.categories) == ["Yes", "No"]
    assert list(frame["has_internet"].cat.categories) == ["Ya", "Tidak"]
    assert households.variable("kecamatan").choices == tuple(choices)


def test_select_multiple_is_one_0_1_column_per_choice(households):
    var = households.variable("internet_type")
    assert var.columns == tuple(f"internet_type_{c}" for c in HOUSEHOLD.question("internet_type").choices)
    values = households.main.frame[list(var.columns)]
    without = households.main.is_choice("has_internet", "no").to_numpy(dtype=bool)
    assert values[without].isna().all().all()            # not asked: missing, never 0
    assert values[~without].isin([0, 1]).all().all()


def test_members_carry_their_households_design_and_weight(households):
    members = households.table("household_members")
    main = households.main.frame
    frame = members.frame
    at = members.household
    assert (frame["_response_id"].to_numpy() == main["_response_id"].to_numpy()[at]).all()
    assert (frame["psu"].to_numpy() == main["psu"].to_numpy()[at]).all()
    assert (frame["kecamatan"].astype(str).to_numpy() == main["kecamatan"].astype(str).to_numpy()[at]).all()
    assert np.allclose(frame["_household_weight"], households.main.design.weights[at])
    assert members.design.columns["psu"] == ["psu", "_response_id"] and members.design.columns["strata"] == "kecamatan"


def test_the_head_of_households_answers_are_household_columns(households):
    members = households.table("household_members")
    heads = members.is_choice("relationship", "head").to_numpy(dtype=bool)
    main = households.main.frame
    assert main["head_sex"].notna().all()
    expected = members.frame.loc[heads, "sex"].astype(str).to_numpy()
    assert (main["head_sex"].astype(str).to_numpy()[members.household[heads]] == expected).all()
    assert households.variable("head_education").label("en") == "Head of household: Highest level of education completed"


# ---- weights -----------------------------------------------------------------------------------
def test_base_weights_come_from_the_frame(sample, tmp_path):
    store = copy_store(sample, tmp_path, keep=("frame.csv",))
    data = load_dataset(store, "household")
    raw = store.read("household")
    expected = base_weights(raw, read_csv(tmp_path / "frame.csv").astype(
        {"prob_psu": float, "prob_within": float})).weights.to_numpy()
    assert np.allclose(data.main.design.weights, expected)
    assert not data.main.design.calibration and data.provenance.weighted
    assert any(n.code == "design.no_population" for n in data.provenance.notes)


def test_weights_are_calibrated_to_the_population_totals(sample, households):
    population = read_csv(sample / "population.csv")
    hh = population[population["unit"] == "household"].set_index("kecamatan")["total"].astype(float)
    frame = households.main.frame
    names = np.asarray(households.variable("kecamatan").choices)[households.main.choice_codes("kecamatan")]
    got = pd.Series(households.main.design.weights).groupby(names).sum()
    assert np.allclose(got.loc[hh.index], hh)
    members = households.table("household_members")
    people = population[population["unit"] == "person"].astype({"total": float})
    keys = pd.MultiIndex.from_arrays([
        np.asarray(members.variables["kecamatan"].choices)[members.choice_codes("kecamatan")],
        np.asarray(members.variables["sex"].choices)[members.choice_codes("sex")]])
    got = pd.Series(members.design.weights, index=keys).groupby(level=[0, 1]).sum()
    assert np.allclose(got.loc[list(zip(people["kecamatan"], people["sex"]))], people["total"])
    assert frame["_weight"].equals(pd.Series(households.main.design.weights, name="_weight"))


def test_the_calibrated_design_is_the_one_poststratify_makes(sample, tmp_path):
    store = copy_store(sample, tmp_path, keep=("frame.csv",))
    base = load_dataset(store, "household", lang="en").main.design
    population = read_csv(sample / "population.csv")
    targets = population[population["unit"] == "household"][["kecamatan", "total"]].astype({"total": float})
    labels = dict(zip(HOUSEHOLD.question("kecamatan").choices, [c["en"] for c in
                                                                 HOUSEHOLD.question("kecamatan").choices.values()]))
    direct = poststratify(base, None, targets.assign(kecamatan=targets["kecamatan"].map(labels)), "kecamatan")
    shutil.copy(sample / "population.csv", tmp_path / "population.csv")
    built = load_dataset(store, "household", lang="en").main.design
    a, b = mean(direct.design, "ict_spending"), mean(built, "ict_spending")
    assert np.allclose(a[["estimate", "se"]], b[["estimate", "se"]])
    assert not np.isclose(mean(base, "ict_spending").se[0], b.se[0])


def test_without_a_frame_the_estimates_are_unweighted_and_say_so(sample, tmp_path):
    data = load_dataset(copy_store(sample, tmp_path, keep=()), "household")
    assert (data.main.design.weights == 1).all()
    assert not data.provenance.weighted
    assert data.provenance.weights["household"]["en"].startswith("Unweighted (equal weights): no sampling frame")
    assert data.provenance.notes[0].code == "design.no_frame"
    assert "tidak berbobot" in data.provenance.notes[0].text("id")
    assert data.main.design.columns["strata"] == "kecamatan"    # the clustering is kept


def test_a_frame_that_does_not_fit_falls_back_with_the_reason(sample, tmp_path):
    store = copy_store(sample, tmp_path, keep=())
    frame = read_csv(sample / "frame.csv")
    frame.iloc[1:].to_csv(tmp_path / "frame.csv", index=False)      # one sampled PSU is missing
    data = load_dataset(store, "household")
    assert (data.main.design.weights == 1).all()
    note = next(n for n in data.provenance.notes if n.code == "design.frame_failed")
    assert frame.iloc[0]["psu"] in note.text("en")


# ---- which responses --------------------------------------------------------------------------
def test_rejected_responses_drop_out_by_default(sample, tmp_path):
    store = copy_store(sample, tmp_path)
    rid = store.read("household")["_response_id"].iloc[0]
    store.set_status("household", rid, "rejected", editor="sup01")
    data = load_dataset(store, "household")
    assert rid not in set(data.main.frame["_response_id"])
    assert data.provenance.excluded == {"status: rejected": 1}
    assert data.provenance.responses == 299 and data.provenance.stored == 300
    assert data.provenance.statuses == COUNTED_STATUSES
    with_rejected = load_dataset(store, "household", statuses=("submitted", "rejected"))
    assert with_rejected.provenance.responses == 300


VISITS = """
id: visits
version: 2
title: {id: Kunjungan, en: Visits}
fieldwork:
  outcome: {question: visit_outcome, completed: completed, refusal: [refused], noncontact: [nobody_home]}
  consent: {question: consent, agreed: "yes"}
choice_lists:
  outcome:
    - {name: completed, label: {id: Selesai, en: Completed}}
    - {name: refused, label: {id: Menolak, en: Refused}}
    - {name: nobody_home, label: {id: Tidak ada orang, en: Nobody home}}
  yes_no:
    - {name: "yes", label: {id: Ya, en: "Yes"}}
    - {name: "no", label: {id: Tidak, en: "No"}}
questions:
  - {name: visit_outcome, type: select_one, choices: outcome, label: {id: Hasil kunjungan, en: Visit outcome}}
  - {name: consent, type: select_one, choices: yes_no, label: {id: Bersedia, en: Consent},
     relevant: "${visit_outcome} = 'completed'"}
  - {name: owns_phone, type: select_one, choices: yes_no, label: {id: Punya HP, en: Owns a phone},
     relevant: "${consent} = 'yes'"}
"""


def test_only_completed_and_consented_interviews_once_the_questions_exist():
    inst = instrument_from_yaml(VISITS)
    rows = pd.DataFrame({
        "_response_id": list("abcdefg"),
        "_status": ["submitted"] * 6 + ["rejected"],
        "_instrument_version": [2, 2, 2, 2, 2, 1, 2],
        "visit_outcome": ["completed", "completed", "refused", "nobody_home", "completed", None, "completed"],
        "consent": ["yes", "no", None, None, "yes", None, "yes"],
        "owns_phone": ["yes", None, None, None, "no", "yes", "yes"],
    })
    data = build_dataset(inst, {"visits": rows})
    assert list(data.main.frame["_response_id"]) == ["a", "e", "f"]   # f: version 1 asked neither
    assert data.provenance.excluded == {"status: rejected": 1, "visit_outcome: refused": 1,
                                        "visit_outcome: nobody_home": 1, "consent: no": 1}
    share = proportion(data.main.design, "owns_phone")
    assert share["estimate"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert data.provenance.data_versions == (1, 2)


# ---- provenance, filters and the weighted switch ------------------------------------------------
def test_provenance(sample, households):
    p = households.provenance
    raw = ResponseStore(sample, audit=False).read("household")
    assert p.responses == p.stored == 300 and p.rows["household_members"] == len(households.table("household_members").frame)
    assert p.last_submitted_at == raw["_submitted_at"].max()
    assert p.instrument == "household" and p.instrument_version == HOUSEHOLD.version and p.data_versions == (HOUSEHOLD.version,)
    assert p.project_version == "0.1.0"
    assert p.design["en"] == ("Two-stage sample: Census block (PSU) code within District (kecamatan), then households "
                             "within each; finite population correction at both stages")
    assert "dipascastratifikasi" in p.weights["household"]["id"]
    assert p.sentence("en").startswith("300 responses, the last at ") and p.sentence("en").endswith(" WIB")
    assert re.search(r"terakhir pada \d{1,2} \w{3} \d{4} \d\d\.\d\d WIB$", p.sentence("id"))   # 30 Agu 2024 17.25 WIB


def test_a_filter_is_a_domain_of_the_whole_design(households):
    laweyan = households.filter(kecamatan=["laweyan"])
    main = laweyan.main
    assert len(main.design) == len(households.main.design)         # every row stays in the design
    in_laweyan = households.main.is_choice("kecamatan", "laweyan").to_numpy(dtype=bool)
    assert (main.design.in_subset == in_laweyan).all()
    direct = mean(households.main.design.subset(in_laweyan), "ict_spending")
    assert mean(main.design, "ict_spending")[["estimate", "se"]].equals(direct[["estimate", "se"]])
    members = laweyan.table("household_members")
    assert (members.design.in_subset == in_laweyan[members.household]).all()
    assert laweyan.provenance.filters == {"kecamatan": ("laweyan",)}
    assert laweyan.provenance.sentence("en").startswith(f"300 responses ({main.n} in the filter), the last at")
    both = laweyan.filter(enumerators=["enum01"])
    assert both.main.n == int((in_laweyan & (households.main.frame["_enumerator"] == "enum01")).sum())
    assert set(both.provenance.filters) == {"kecamatan", "enumerators"}


def test_date_and_status_filters(households):
    frame = households.main.frame
    days = frame["_submitted_at"].dt.tz_convert("Asia/Jakarta").dt.date
    first = sorted(days.unique())[3]
    later = households.filter(dates=(first, None))
    assert later.main.n == int((days >= first).sum()) > 0
    one_day = households.filter(dates=(first, first))
    assert one_day.main.n == int((days == first).sum())
    assert households.filter(statuses=["approved"]).main.n == 0
    with pytest.raises(KeyError, match="no choice question 'district'"):
        households.filter(district=["laweyan"])


def test_the_unweighted_switch(households):
    flat = households.unweighted()
    assert not flat.provenance.weighted and flat.weighted is False
    assert (flat.main.design.weights == 1).all() and not flat.main.design.calibration
    assert flat.main.design.columns["psu"] == ["psu", "_response_id"]
    assert "switch" in flat.provenance.weights["household"]["en"]
    weighted = proportion(households.main.design, "has_internet").estimate[0]
    unweighted = proportion(flat.main.design, "has_internet").estimate[0]
    has = households.main.is_choice("has_internet", "yes").to_numpy(dtype=bool)
    assert unweighted == pytest.approx(has.mean()) and weighted != pytest.approx(unweighted)
    assert households.unweighted() is flat                             # made once
    laweyan = flat.filter(kecamatan=["laweyan"])
    assert (laweyan.main.design.weights == 1).all() and laweyan.main.n < flat.main.n


# ---- civil servants and agencies ---------------------------------------------------------------
def test_civil_servant_weights_are_staff_counts_over_interviews(sample):
    store = ResponseStore(sample, audit=False)
    data = load_dataset(store, "civil_servant")
    staff = store.read("agency").set_index("agency")["staff_count"].astype(float)
    frame = data.main.frame
    agency = np.asarray(data.variable("agency").choices)[data.main.choice_codes("agency")]
    interviewed = pd.Series(agency).map(pd.Series(agency).value_counts()).to_numpy()
    assert np.allclose(frame["_weight"], pd.Series(agency).map(staff).to_numpy() / interviewed)
    assert np.allclose(frame["_fpc"], pd.Series(agency).map(staff).to_numpy())
    assert data.main.design.columns["fpc"] == "_fpc" and data.provenance.weighted


def test_civil_servants_without_staff_counts_are_unweighted(sample):
    store = ResponseStore(sample, audit=False)
    inputs = read_inputs(store, "civil_servant")
    counts = inputs.counts[inputs.counts["agency"] != "setda"]
    data = build_dataset(store.instrument("civil_servant"), inputs.tables, counts=counts)
    assert (data.main.design.weights == 1).all()
    note = data.provenance.notes[0]
    assert note.code == "design.no_counts" and "'setda'" in note.text("en")


def test_the_agency_census_keeps_the_latest_response_and_has_no_sampling_error(sample):
    store = ResponseStore(sample, audit=False)
    agencies = store.read("agency")
    again = agencies.iloc[:2].assign(_response_id=["later1", "later2"], has_lan="no",
                                     _submitted_at=agencies["_submitted_at"].max() + pd.Timedelta("1D"))
    data = build_dataset(store.instrument("agency"), {"agency": pd.concat([agencies, again], ignore_index=True)})
    assert data.provenance.responses == 20
    assert data.provenance.excluded == {"earlier response of the same unit": 2}
    assert {"later1", "later2"} <= set(data.main.frame["_response_id"])
    table = egov_indicators(agencies=data)
    assert (table["se"] == 0).all()
    assert data.provenance.design["en"] == "Census: every Agency (OPD) once (its latest response)"


# ---- awkward data ---------------------------------------------------------------------------------
def test_rows_without_a_stratum_or_psu_are_left_out_with_a_note():
    rows = pd.DataFrame({"_response_id": ["a", "b", "c"], "kecamatan": ["laweyan", None, "jebres"],
                         "psu": ["LAW-001", "LAW-002", None], "has_tv": ["yes", "no", "yes"]})
    data = build_dataset(HOUSEHOLD, {"household": rows})
    assert list(data.main.frame["_response_id"]) == ["a"]
    assert data.provenance.excluded == {"missing design answers": 2}
    assert any(n.code == "design.missing_design" for n in data.provenance.notes)


def test_an_empty_store_gives_a_dataset_without_designs(tmp_path):
    (tmp_path / "frame.csv").write_text("kecamatan,psu,prob_psu,prob_within\nlaweyan,LAW-001,0.1,0.1\n")
    data = load_dataset(ResponseStore(tmp_path, audit=False), "household")
    assert data.main.design is None and data.main.n == 0 and data.provenance.responses == 0
    assert data.provenance.sentence("en") == "No responses yet" and data.provenance.notes == ()
    assert data.questions()[0].name == "kecamatan" and data.filter(kecamatan=["laweyan"]) is data


TWINS = """
id: twins
version: 1
title: {id: Kembar, en: Twins}
choice_lists:
  pets:
    - {name: cat, label: {id: Kucing, en: Cat}}
    - {name: kitten, label: {id: Kucing, en: Cat}}
    - {name: dog_food, label: {id: Anjing, en: Dog}}
questions:
  - {name: pet, type: select_one, choices: pets, label: {id: Hewan, en: Pet}}
  - {name: pets, type: select_multiple, choices: pets, label: {id: Hewan-hewan, en: Pets}}
  - {name: pets_dog, type: select_one, choices: pets, label: {id: Lain, en: Other}}
"""


def test_repeated_labels_get_their_names_and_column_clashes_are_errors():
    inst = instrument_from_yaml(TWINS)
    rows = pd.DataFrame({"pet": ["cat", "kitten"], "pets": [["cat"], ["dog_food"]]})
    data = build_dataset(inst, {"twins": rows}, lang="id")
    assert list(data.main.frame["pet"].cat.categories) == ["Kucing (cat)", "Kucing (kitten)", "Anjing"]
    clash = pd.DataFrame({"pets": [["cat"]], "pets_dog": ["cat"]})
    inst2 = instrument_from_yaml(TWINS.replace("name: dog_food", "name: dog"))
    with pytest.raises(ValueError, match="'pets_dog' of 'pets' choice 'dog' has the name of 'pets_dog'"):
        build_dataset(inst2, {"twins": clash})


def test_read_inputs_reads_the_tables_side_by_side_as_one_after_the_other(sample):
    """read_inputs reads the tables in threads (issue 22, section 3): the same frames, in the
    instrument's order, and the counts table apart, as store.read gives them one at a time."""
    store = ResponseStore(sample, audit=False)
    for instrument_id in ("household", "civil_servant"):
        inst = store.instrument(instrument_id)
        inputs = read_inputs(ResponseStore(sample, audit=False), instrument_id)
        names = [inst.id] + [inst.table_name(repeat) for repeat in inst.repeats]
        assert list(inputs.tables) == names
        for name in names:
            pd.testing.assert_frame_equal(inputs.tables[name], store.read(name))
        counts = inst.design.counts
        if counts is None:
            assert inputs.counts is None
        else:
            pd.testing.assert_frame_equal(inputs.counts, store.read(counts.instrument))
            assert counts.instrument not in inputs.tables
    assert read_inputs(store, "household").frame is not None
