"""Tests for analysis.indicators.itu (ITU HH1-HH18) and analysis.indicators.egov (EG1-EG7, stages, leadership).

Small hand-made data sets whose true values are worked out in the comments, built into
Datasets as the store would give them, then one end-to-end run on a simulated sample
stored and read back through ResponseStore.
"""

import numpy as np
import pandas as pd
import pytest

from analysis.dataset.dataset import build_dataset, load_dataset
from analysis.indicators.egov import (
    LEADERSHIP_ITEMS,
    STAGE_LABELS,
    STAGES,
    agency_stage,
    agency_stages,
    city_stage,
    cronbach_alpha,
    egov_indicators,
    latest_per_agency,
    leadership_index,
    leadership_summary,
)
from analysis.indicators.itu import RESULT_COLUMNS, household_indicators, individual_indicators
from survey import load_instrument
from survey.questionnaire.sampling_design import SamplingDesign

HOUSEHOLD = load_instrument("household")
SRS = SamplingDesign()  # a simple random sample of households
AGE_GROUPS = ("5-14", "15-24", "25-74", "75+")


def dataset(hh, members=None, design=None, weights=None, instrument=HOUSEHOLD):
    """The Dataset of stored-style frames; ``weights``: one per household, through a frame.csv
    with one PSU per (kecamatan, psu) of probability 1 / weight."""
    frame = None
    if weights is not None:
        w = pd.Series(weights, index=hh.index)
        keys = hh[["kecamatan", "psu"]].assign(w=w).drop_duplicates(["kecamatan", "psu"])
        frame = pd.DataFrame({"kecamatan": keys["kecamatan"], "psu": keys["psu"],
                              "prob_psu": (1 / keys["w"]).astype(str), "prob_within": "1"})
    tables = {instrument.id: hh}
    if members is not None:
        tables[f"{instrument.id}_members"] = members
    return build_dataset(instrument, tables, frame=frame, design=design)


def row(table: pd.DataFrame, code: str, category: str = "", **by) -> pd.Series:
    hit = table[(table["code"] == code) & (table["category"] == category)]
    for col, value in by.items():
        hit = hit[hit[col].astype(str) == value]
    assert len(hit) == 1, (code, category, by, hit)
    return hit.iloc[0]


# ---- households -------------------------------------------------------------------------

def households(n: int = 10, **answers) -> pd.DataFrame:
    """n households in 2 kecamatan x 2 PSUs each, "no" to everything unless given."""
    base = {
        "_response_id": [f"h{i}" for i in range(n)],
        "kecamatan": ["laweyan" if i < n // 2 else "jebres" for i in range(n)],
        "psu": [["LAW-001", "LAW-002", "JEB-001", "JEB-002"][(i * 4) // n] for i in range(n)],
        **{q: ["no"] * n for q in ("has_radio", "has_tv", "has_fixed_phone", "has_mobile",
                                   "has_computer", "has_internet")},
        "internet_type": [None] * n,
        "no_internet_reason": [["not_needed"]] * n,
        "ict_spending": [0] * n,
    }
    base.update(answers)
    return pd.DataFrame(base)


def test_hh1_six_of_ten_households_with_a_radio_is_60_percent():
    hh = households(has_radio=["yes"] * 6 + ["no"] * 4)
    res = row(household_indicators(dataset(hh)), "HH1")  # no frame.csv: equal weights
    assert res["estimate"] == pytest.approx(60.0)
    assert res["n"] == 10 and res["kind"] == "percent"
    assert res["ci_low"] < 60 < res["ci_high"]


def test_simple_random_sample_standard_error_by_hand():
    hh = households(has_radio=["yes"] * 6 + ["no"] * 4)
    res = row(household_indicators(dataset(hh, design=SRS)), "HH1")
    # SRS with replacement: var(p) = p (1 - p) / (n - 1) = 0.24 / 9
    assert res["se"] == pytest.approx(100 * np.sqrt(0.24 / 9))


def test_weighted_share_by_hand():
    hh = households(4, has_tv=["yes", "no", "no", "yes"])
    table = household_indicators(dataset(hh, weights=[1.0, 1.0, 2.0, 4.0]))
    # (1 + 4) / (1 + 1 + 2 + 4) = 5 / 8
    assert row(table, "HH2")["estimate"] == pytest.approx(62.5)


def test_yes_no_with_missing_values_drops_them_from_the_denominator():
    hh = households(has_computer=["yes"] * 4 + ["no"] * 4 + [None, pd.NA])
    data = dataset(hh)
    res = row(household_indicators(data), "HH4")
    assert res["estimate"] == pytest.approx(50.0)
    assert res["n"] == 8
    frame = data.main.frame
    assert list(frame["has_computer"].cat.categories) == ["Yes", "No"]   # labelled, choice order
    assert frame["has_computer"].isna().sum() == 2


def test_internet_type_over_all_households_and_barriers_among_those_without():
    hh = households(
        has_internet=["yes"] * 5 + ["no"] * 5,
        internet_type=[["fixed_broadband", "mobile_broadband"], ["fixed_broadband"], ["mobile_broadband"],
                       ["mobile_broadband"], ["mobile_broadband"], None, None, None, None, None],
        no_internet_reason=[None] * 5 + [["service_cost"], ["service_cost", "not_needed"], ["not_needed"],
                                         ["lack_skills"], []],
    )
    data = dataset(hh)
    table = household_indicators(data)
    assert row(table, "HH6")["estimate"] == pytest.approx(50.0)
    # HH11: all households are the denominator (no Internet = no Internet of any type)
    assert row(table, "HH11", "fixed_broadband")["estimate"] == pytest.approx(20.0)
    assert row(table, "HH11", "mobile_broadband")["estimate"] == pytest.approx(40.0)
    assert row(table, "HH11", "satellite")["estimate"] == pytest.approx(0.0)
    assert row(table, "HH11", "fixed_broadband")["n"] == 10
    # HH14: among the 5 households without Internet; the empty list counts as "none of these"
    assert row(table, "HH14", "service_cost")["estimate"] == pytest.approx(40.0)
    assert row(table, "HH14", "not_needed")["estimate"] == pytest.approx(40.0)
    assert row(table, "HH14", "lack_skills")["estimate"] == pytest.approx(20.0)
    assert row(table, "HH14", "service_cost")["n"] == 5
    frame = data.main.frame
    assert frame["no_internet_reason_service_cost"].isna().sum() == 5  # not asked: missing, not 0
    assert frame.loc[9, list(data.variable("no_internet_reason").columns)].eq(0).all()


def test_hh16_mean_spending_in_idr_ignores_missing():
    hh = households(4, ict_spending=[100_000, 200_000, pd.NA, 600_000])
    res = row(household_indicators(dataset(hh, design=SRS)), "HH16")
    assert res["estimate"] == pytest.approx(300_000)
    assert res["kind"] == "idr" and res["n"] == 3


def test_household_indicators_table_shape_and_labels():
    table = household_indicators(dataset(households()))
    assert list(table.columns) == RESULT_COLUMNS
    assert set(table["code"]) == {"HH1", "HH2", "HH3_fixed", "HH3_mobile", "HH4", "HH6", "HH11", "HH14",
                                  "HH16"}
    choices = HOUSEHOLD.question("internet_type").choices
    assert list(table.loc[table["code"] == "HH11", "category"]) == list(choices)
    label = row(table, "HH11", "fixed_broadband")["label"]
    assert label["id"].endswith(choices["fixed_broadband"]["id"]) and label["en"].endswith("(fibre, cable, ADSL)")
    assert row(table, "HH11", "fixed_broadband")["sdg"] == "17.6.1"
    assert set(table["kind"]) == {"percent", "idr"}


def test_household_indicators_by_kecamatan_in_questionnaire_order():
    hh = households(has_radio=["yes"] * 5 + ["yes", "no", "no", "no", "no"])
    table = household_indicators(dataset(hh), by="kecamatan")
    assert list(table.columns[:5]) == ["code", "category", "label", "sdg", "kecamatan"]
    hh1 = table[table["code"] == "HH1"]
    assert list(hh1["kecamatan"]) == ["laweyan", "jebres"]  # choice names, in YAML order
    assert list(hh1["estimate"]) == pytest.approx([100.0, 20.0])


# ---- individuals ------------------------------------------------------------------------

def age_group(age):
    return next(band for upper, band in ((5, "0-4"), (15, "5-14"), (25, "15-24"), (75, "25-74"))
                if age < upper) if age < 75 else "75+"


def member(rid, age, sex="female", used_internet=None, **answers):
    asked = age >= 5
    out = {"_response_id": rid, "age": age, "sex": sex, "age_group": age_group(age),
           "education": "primary" if asked else None,
           "labour_status": "employed" if age >= 15 else None,
           "used_mobile": "no" if asked else None, "owns_mobile": "no" if asked else None,
           "used_computer": "no" if asked else None,
           "used_internet": used_internet if used_internet else ("no" if asked else None),
           "internet_location": None, "internet_frequency": None, "internet_activities": None,
           "ict_skills": ["none_of_these"] if asked else None, "internet_nonuse_reason": None}
    out.update(answers)
    return out


def roster(*members) -> pd.DataFrame:
    df = pd.DataFrame(list(members))
    df["_member_index"] = df.groupby("_response_id").cumcount()
    return df


def test_age_groups_in_the_calculations_order_and_under_fives_out_of_scope():
    ages = [0, 3, 4, 5, 14, 15, 24, 25, 74, 75, 90]
    hh = households(4)
    people = roster(*[member("h0", a, used_internet="no") for a in ages])
    data = dataset(hh, people)
    frame = data.table("household_members").frame
    assert list(frame["age_group"].cat.categories) == ["0-4", *AGE_GROUPS]   # the calculation's literals
    assert set(frame[["kecamatan", "psu"]].astype(str).iloc[0]) == {"Laweyan", "LAW-001"}
    assert row(individual_indicators(data), "HH7")["n"] == 8                # members aged 5+


def internet_sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    """3 households, 10 members of whom 2 are under 5 and 4 use the Internet."""
    hh = households(3)
    people = roster(
        member("h0", 3, used_internet="yes"),  # under 5: out of scope even with an answer
        member("h0", 35, used_internet="yes", internet_location=["home"], internet_frequency="daily",
               internet_activities=["social_media"], ict_skills=["copy_files", "email_attachment"]),
        member("h0", 30, used_internet="yes", internet_location=["home", "work"], internet_frequency="daily",
               internet_activities=[], ict_skills=["copy_files"]),
        member("h1", 1),
        member("h1", 16, used_internet="yes", internet_location=["mobile_anywhere"],
               internet_frequency="weekly", internet_activities=None, ict_skills=["copy_paste"]),
        member("h1", 12, used_internet="yes", internet_location=["home"], internet_frequency="daily",
               internet_activities=["social_media", "email"], ict_skills=["copy_files"]),
        member("h1", 70, internet_nonuse_reason=["cost"], internet_location=[]),  # [] stored for a non-user
        member("h2", 80, internet_nonuse_reason=["cost", "no_device"]),
        member("h2", 50, internet_nonuse_reason=[]),
        member("h2", 8, internet_nonuse_reason=["lack_skills"]),
    )
    return hh, people


def test_hh7_counts_members_aged_5_and_over_only():
    hh, people = internet_sample()
    table = individual_indicators(dataset(hh, people))
    res = row(table, "HH7")
    assert res["n"] == 8  # 10 members, 2 under 5
    assert res["estimate"] == pytest.approx(50.0)  # 4 of 8


def test_hh8_locations_among_internet_users():
    hh, people = internet_sample()
    data = dataset(hh, people)
    table = individual_indicators(data)
    # users' locations: [home], [home, work], [mobile_anywhere], [home]
    assert row(table, "HH8", "home")["estimate"] == pytest.approx(75.0)
    assert row(table, "HH8", "work")["estimate"] == pytest.approx(25.0)
    assert row(table, "HH8", "mobile_anywhere")["estimate"] == pytest.approx(25.0)
    assert row(table, "HH8", "education")["estimate"] == pytest.approx(0.0)
    assert row(table, "HH8", "home")["n"] == 4
    members = data.table("household_members")
    non_users = members.is_choice("used_internet", "no").fillna(False).to_numpy(bool)
    # the non-user stored with [] was not asked: missing, not "no location"
    assert members.frame.loc[non_users, "internet_location_home"].isna().all()


def test_hh9_empty_selection_by_a_user_counts_as_none_of_these():
    hh, people = internet_sample()
    table = individual_indicators(dataset(hh, people))
    # activities of the 4 users: [social_media], [], unanswered (optional), [social_media, email]
    assert row(table, "HH9", "social_media")["estimate"] == pytest.approx(50.0)
    assert row(table, "HH9", "email")["estimate"] == pytest.approx(25.0)
    assert row(table, "HH9", "email")["n"] == 4


def test_hh12_frequency_hh15_skills_and_hh17_reasons_have_their_own_denominators():
    hh, people = internet_sample()
    table = individual_indicators(dataset(hh, people))
    assert row(table, "HH12", "daily")["estimate"] == pytest.approx(75.0)
    assert row(table, "HH12", "weekly")["estimate"] == pytest.approx(25.0)
    # HH15 among the 6 members aged 15+: copy_files 2 (35, 30), copy_paste 1 (16)
    assert row(table, "HH15", "copy_files")["n"] == 6
    assert row(table, "HH15", "copy_files")["estimate"] == pytest.approx(100 * 2 / 6)
    assert row(table, "HH15", "copy_paste")["estimate"] == pytest.approx(100 * 1 / 6)
    assert "15+" in row(table, "HH15", "copy_files")["label"]["en"]
    assert row(table, "HH15", "copy_files")["sdg"] == "4.4.1" and row(table, "HH7")["sdg"] == "17.8.1"
    # HH17 among the 4 non-users aged 5+: [cost], [cost, no_device], [], [lack_skills]
    assert row(table, "HH17", "cost")["estimate"] == pytest.approx(50.0)
    assert row(table, "HH17", "no_device")["estimate"] == pytest.approx(25.0)
    assert row(table, "HH17", "cost")["n"] == 4


def test_individual_indicators_by_age_group_and_sex():
    hh, people = internet_sample()
    data = dataset(hh, people)
    table = individual_indicators(data, by="age_group")
    hh7 = table[table["code"] == "HH7"]
    assert list(hh7["age_group"]) == list(AGE_GROUPS)        # under-fives are out of scope
    # 5-14: 12 (user), 8 -> 50%; 15-24: 16 (user) -> 100%; 25-74: 35, 30 users, 70, 50 -> 50%; 75+: 0%
    assert list(hh7["estimate"]) == pytest.approx([50.0, 100.0, 50.0, 0.0])
    with pytest.raises(KeyError, match="by column 'relationship'"):
        individual_indicators(data, by="relationship")
    by_sex = individual_indicators(data, by="sex")
    assert set(by_sex["sex"]) == {"female"}


def test_members_carry_their_household_weight():
    hh = households(2)
    people = roster(member("h0", 30, used_internet="yes", internet_location=["home"]),
                    member("h0", 30),
                    member("h1", 30, used_internet="yes", internet_location=["home"]),
                    member("h1", 30, used_internet="yes", internet_location=["work"]))
    data = dataset(hh, people, weights=[1.0, 3.0])
    assert data.table("household_members").frame["_household_weight"].tolist() == [1.0, 1.0, 3.0, 3.0]
    table = individual_indicators(data)
    # (1*1 + 3*2) / (1*2 + 3*2) = 7 / 8
    assert row(table, "HH7")["estimate"] == pytest.approx(87.5)
    # among users: home (1 + 3) / (1 + 3 + 3)
    assert row(table, "HH8", "home")["estimate"] == pytest.approx(100 * 4 / 7)


def test_domain_standard_error_is_the_linearised_ratio_over_household_psus():
    # One stratum, 3 PSUs, weighted households; HH8 "home" is a domain (Internet users).
    hh = pd.DataFrame({"_response_id": ["a", "b", "c", "d", "e", "f"],
                       "kecamatan": ["jebres"] * 6,
                       "psu": ["JEB-001", "JEB-001", "JEB-002", "JEB-002", "JEB-003", "JEB-003"]})
    people = roster(member("a", 20, used_internet="yes", internet_location=["home"]),
                    member("a", 50),
                    member("b", 33, used_internet="yes", internet_location=["work"]),
                    member("c", 41, used_internet="yes", internet_location=["home", "work"]),
                    member("d", 9, used_internet="yes", internet_location=["education"]),
                    member("d", 60),
                    member("e", 27, used_internet="yes", internet_location=["home"]),
                    member("f", 77))
    table = individual_indicators(dataset(hh, people, weights=[10.0, 10.0, 20.0, 20.0, 15.0, 15.0]))
    w = np.array([10, 10, 10, 20, 20, 20, 15, 15.0])
    psu = np.array([1, 1, 1, 2, 2, 2, 3, 3])
    user = np.array([1, 0, 1, 1, 1, 0, 1, 0.0])
    home = np.array([1, 0, 0, 1, 0, 0, 1, 0.0])
    p = (w * user * home).sum() / (w * user).sum()
    z = w * user * (home - p) / (w * user).sum()           # influence: zero outside the domain
    totals = np.bincount(psu, weights=z)[1:]
    se = np.sqrt(3 / 2 * ((totals - totals.mean()) ** 2).sum())
    res = row(table, "HH8", "home")
    assert res["estimate"] == pytest.approx(100 * p)
    assert res["se"] == pytest.approx(100 * se)
    assert res["ci_low"] <= res["estimate"] <= res["ci_high"]


def test_select_multiple_stored_as_text_and_every_list_empty():
    hh = households(3, has_internet=["no"] * 3, no_internet_reason=[[], [], []])
    data = dataset(hh)
    reasons = data.main.frame[list(data.variable("no_internet_reason").columns)]
    assert reasons.shape == (3, 10) and reasons.eq(0).all().all()
    assert list(reasons.columns[:2]) == ["no_internet_reason_not_needed", "no_internet_reason_no_interest"]
    text = households(2, has_internet=["no", "no"],
                      no_internet_reason=pd.array(["service_cost not_needed", "other"], dtype="string"))
    frame = dataset(text).main.frame
    assert list(frame["no_internet_reason_not_needed"]) == [1, 0]
    assert list(frame["no_internet_reason_other"]) == [0, 1]


# ---- e-government stages ----------------------------------------------------------------

YES_NO_QUESTIONS = ("has_lan", "has_intranet", "has_internet", "has_website", "web_updated_regularly",
                    "offers_downloads", "contact_web", "contact_email", "contact_sms", "online_payment",
                    "online_transactions", "integrated_services")


def agency(name="diskominfo", **yes) -> dict:
    out = {q: "no" for q in YES_NO_QUESTIONS}
    out.update({q: "yes" if v is True else v for q, v in yes.items()})
    out["agency"] = name
    return out


def test_the_studys_finding_is_interactive():
    solo = agency(has_lan=True, has_internet=True, has_website=True, web_updated_regularly=True,
                  offers_downloads=True, contact_web=True, contact_email=True, contact_sms=True,
                  online_payment="no", online_transactions="no", integrated_services="no")
    assert agency_stage(solo) == "interactive"


@pytest.mark.parametrize("answers, stage", [
    ({}, "none"),
    ({"integrated_services": True, "online_payment": True}, "none"),   # nothing without a website
    ({"has_website": True}, "emerging"),
    ({"has_website": True, "online_payment": True}, "emerging"),       # payment but not updated
    ({"has_website": True, "web_updated_regularly": True}, "enhanced"),
    ({"has_website": True, "web_updated_regularly": True, "online_payment": True}, "enhanced"),
    ({"has_website": True, "web_updated_regularly": True, "offers_downloads": True}, "enhanced"),
    ({"has_website": True, "web_updated_regularly": True, "contact_email": True}, "enhanced"),
    ({"has_website": True, "web_updated_regularly": True, "offers_downloads": True,
      "contact_sms": True}, "interactive"),
    ({"has_website": True, "web_updated_regularly": True, "offers_downloads": True,
      "contact_web": True, "integrated_services": True}, "interactive"),  # integration without payment
    ({"has_website": True, "web_updated_regularly": True, "offers_downloads": True,
      "contact_web": True, "online_transactions": True}, "transactional"),
    ({"has_website": True, "web_updated_regularly": True, "offers_downloads": True,
      "contact_email": True, "online_payment": True, "integrated_services": True}, "seamless"),
])
def test_each_stage_needs_every_stage_below(answers, stage):
    assert agency_stage(agency(**answers)) == stage


def test_agency_stages_accepts_0_1_and_missing_answers():
    frame = pd.DataFrame({"agency": ["a", "b"], "has_website": [1, 0], "web_updated_regularly": [1, pd.NA],
                          "offers_downloads": [1, pd.NA], "contact_web": [0, pd.NA],
                          "contact_sms": [1, pd.NA]})
    stages = agency_stages(frame)
    assert list(stages["stage"]) == ["interactive", "none"]
    assert list(stages["stage_number"]) == [3, 0]
    assert stages.loc[0, "two_way_contact"] and not stages.loc[0, "transactions"]
    assert stages.loc[0, "label"] == STAGE_LABELS["interactive"]
    assert stages.loc[0, "met"] == ("website", "updated_regularly", "downloads", "two_way_contact")
    assert stages.loc[0, "missing"] == ("transactions",) and stages.loc[1, "missing"] == ("website",)


def test_latest_response_per_agency_decides():
    old = agency("dinkes", has_website=True) | {"_submitted_at": pd.Timestamp("2024-07-01", tz="UTC")}
    new = agency("dinkes", has_website=True, web_updated_regularly=True) | {
        "_submitted_at": pd.Timestamp("2024-08-01", tz="UTC")}
    other = agency("dishub") | {"_submitted_at": pd.Timestamp("2024-07-15", tz="UTC")}
    frame = pd.DataFrame([new, old, other])
    assert len(latest_per_agency(frame)) == 2
    stages = agency_stages(frame).set_index("agency")["stage"]
    assert stages.to_dict() == {"dinkes": "enhanced", "dishub": "none"}


def _ladder(numbers):
    rungs = ["has_website", "web_updated_regularly", "offers_downloads", "online_payment",
             "integrated_services"]
    rows = []
    for i, k in enumerate(numbers):
        answers = {q: True for q in rungs[:k]}
        if k >= 3:
            answers["contact_web"] = True
        rows.append(agency(f"opd{i}", **answers))
    return pd.DataFrame(rows)


def test_city_stage_is_the_median_agency_stage():
    city, dist = city_stage(_ladder([1, 2, 3, 3, 4]))
    assert city == "interactive"
    assert list(dist["stage"]) == list(STAGES)
    assert list(dist["agencies"]) == [0, 1, 1, 2, 1, 0]
    assert list(dist["reached"]) == [5, 5, 4, 3, 1, 0]
    assert dist["percent"].sum() == pytest.approx(100)
    # even number: the lower median, the highest stage more than half have reached
    assert city_stage(_ladder([1, 2, 3, 4]))[0] == "enhanced"
    assert city_stage(_ladder([0, 5, 5]))[0] == "seamless"


# ---- EG1-EG7 ----------------------------------------------------------------------------

CIVIL_SERVANT, AGENCY = load_instrument("civil_servant"), load_instrument("agency")


def civil_servants(n=10, computer=7, internet=5, agencies=("setda", "dinkes")):
    return pd.DataFrame({
        "_response_id": [f"c{i}" for i in range(n)],
        "agency": [agencies[i % len(agencies)] for i in range(n)],
        "uses_computer_routinely": ["yes"] * computer + ["no"] * (n - computer),
        "uses_internet_routinely": ["yes"] * internet + ["no"] * (n - internet),
        **{item: ["4"] * n for item in LEADERSHIP_ITEMS},
    })


def test_egov_indicators_by_hand():
    cs = civil_servants()
    ag = pd.DataFrame([
        agency("a", has_lan=True, has_internet=True, internet_access=["fixed_broadband"], has_website=True,
               web_updated_regularly=True, offers_downloads=True, contact_sms=True),
        agency("b", has_lan=True, has_intranet=True, has_internet=True,
               internet_access=["fixed_broadband", "mobile_broadband"], has_website=True),
        agency("c", has_internet="no", internet_access=None),
        agency("d", has_lan=True, has_internet=True, internet_access=["mobile_broadband"]),
    ])
    cs_data = dataset(cs, instrument=CIVIL_SERVANT)     # no agency staff counts: equal weights
    ag_data = dataset(ag, instrument=AGENCY)            # a census: no sampling error
    table = egov_indicators(cs_data, ag_data)
    assert row(table, "EG1")["estimate"] == pytest.approx(70.0)
    assert row(table, "EG2")["estimate"] == pytest.approx(50.0)
    assert row(table, "EG3")["estimate"] == pytest.approx(75.0)
    assert row(table, "EG4")["estimate"] == pytest.approx(25.0)
    assert row(table, "EG5")["estimate"] == pytest.approx(75.0)
    assert row(table, "EG5", "fixed_broadband")["estimate"] == pytest.approx(50.0)
    assert row(table, "EG5", "mobile_broadband")["n"] == 4
    assert row(table, "EG6")["estimate"] == pytest.approx(50.0)
    # stages: a interactive, b emerging, c and d none
    reached = table[table["code"] == "EG7"].set_index("category")["estimate"]
    assert reached.to_dict() == pytest.approx({"emerging": 50.0, "enhanced": 25.0, "interactive": 25.0,
                                               "transactional": 0.0, "seamless": 0.0})
    # 4 of the 20 agencies: a sample without replacement, var = (1 - 4/20) * p (1 - p) / (4 - 1)
    assert row(table, "EG3")["se"] == pytest.approx(100 * np.sqrt(0.8 * 0.75 * 0.25 / 3))
    by_agency = egov_indicators(cs_data, ag_data, by="agency")
    eg1 = by_agency[by_agency["code"] == "EG1"].set_index("agency")["estimate"]
    # setda: rows 0, 2, 4, 6, 8 -> 4 of 5 use computers; dinkes: 1, 3, 5, 7, 9 -> 3 of 5
    assert eg1.loc[["setda", "dinkes"]].tolist() == pytest.approx([80.0, 60.0])


# ---- leadership ------------------------------------------------------------------------

def test_leadership_items_are_the_questionnaires_lead_items():
    inst = load_instrument("civil_servant")
    assert LEADERSHIP_ITEMS == tuple(q.name for q in inst.questions if q.name.startswith("lead_"))


def test_agency_names_are_agency_choices():
    assert set(agency("a")) - {"agency"} <= {q.name for q in AGENCY.questions}
    assert {"setda", "dinkes"} <= set(AGENCY.question("agency").choices)


def test_leadership_index_rescales_the_mean_to_0_100():
    cs = pd.DataFrame({item: ["5", "1", "3", "4"] for item in LEADERSHIP_ITEMS})
    cs.loc[3, "lead_vision"] = "3"          # mean (3 + 5 * 4) / 6 = 23 / 6
    cs.loc[2, "lead_budget"] = None          # missing item: no index
    index = leadership_index(cs)
    assert index.tolist()[:2] == [100.0, 0.0]
    assert np.isnan(index[2])
    assert index[3] == pytest.approx((23 / 6 - 1) / 4 * 100)


def test_cronbach_alpha_textbook_values():
    same = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4, 5], "c": [1, 2, 3, 4, 5]})
    assert cronbach_alpha(same) == pytest.approx(1.0)
    # two uncorrelated items: var_total = var_1 + var_2, so alpha = 0
    assert cronbach_alpha(pd.DataFrame({"a": [1, 2, 1, 2], "b": [1, 1, 2, 2]})) == pytest.approx(0.0)
    # by hand: item variances 5/3, 5/3, 4/3; totals 4, 6, 10, 12 have variance 40/3;
    # alpha = 3/2 * (1 - (14/3) / (40/3)) = 0.975; the incomplete row is deleted listwise
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4, np.nan], "c": [2, 2, 4, 4, 1]})
    assert cronbach_alpha(items) == pytest.approx(0.975)


def test_leadership_summary_per_agency_and_overall():
    cs = pd.DataFrame({"_response_id": list("abcde"), "agency": ["setda"] * 3 + ["dinkes"] * 2})
    for j, item in enumerate(LEADERSHIP_ITEMS):
        cs[item] = [str(v) for v in ([5, 3, 1] if j % 2 == 0 else [5, 3, 1])] + ["4", "2"]
    out = leadership_summary(dataset(cs, instrument=CIVIL_SERVANT, design=SRS))
    assert list(out.columns) == ["agency", "estimate", "se", "ci_low", "ci_high", "df", "n", "deff", "alpha"]
    setda = out.set_index("agency").loc["setda"]
    assert setda["estimate"] == pytest.approx(50.0)       # indices 100, 50, 0
    assert setda["n"] == 3 and setda["alpha"] == pytest.approx(1.0)
    overall = out.iloc[-1]
    assert overall["agency"] == "(all)" and overall["n"] == 5
    assert overall["estimate"] == pytest.approx((100 + 50 + 0 + 75 + 25) / 5)
    assert overall["ci_low"] < overall["estimate"] < overall["ci_high"]


def test_an_agency_with_one_respondent_is_marked_too_few_never_a_zero():
    from analysis.indicators.sections import leadership_table

    cs = pd.DataFrame({"_response_id": list("abcde"), "agency": ["setda"] * 4 + ["dinkes"]})
    for item in LEADERSHIP_ITEMS:
        cs[item] = ["5", "3", "4", "2", "1"]          # dinkes' one civil servant: index 0
    table = leadership_table(dataset(cs, instrument=CIVIL_SERVANT, design=SRS))
    rows = table.data.set_index("by")
    assert rows.loc["dinkes", ["estimate", "se", "ci_low", "ci_high", "alpha"]].isna().all()
    assert rows.loc["dinkes", "reliability"] == "too_few" and rows.loc["dinkes", "n"] == 1
    assert rows.loc["setda", "estimate"] == pytest.approx(62.5) and rows.loc["setda", "reliability"] != "too_few"
    shown = table.to_frame("id", formatted=True).set_index("Perangkat daerah (OPD) tempat bekerja")
    dinkes = shown.loc[CIVIL_SERVANT.question("agency").choices["dinkes"]["id"]]
    assert dinkes["Estimasi"] == "–" and dinkes["Keandalan"] == "Terlalu sedikit responden"
    assert any("Too few respondents" in note["en"] for note in table.notes)
    assert rows.loc["(all)", "estimate"] == pytest.approx(50.0)     # still in the overall index


# ---- end to end on a simulated sample ------------------------------------------------------

def test_all_indicators_on_a_simulated_sample_from_the_store(tmp_path):
    from survey import ResponseStore
    from survey.simulate import generate

    store = ResponseStore(tmp_path)
    for instrument, n in (("household", 200), ("civil_servant", 60), ("agency", 20)):
        for answers in generate(instrument, n=n, seed=7):
            store.submit(instrument, answers, enumerator="enum01")
    households = load_dataset(store, "household")
    civil, agencies = load_dataset(store, "civil_servant"), load_dataset(store, "agency")
    assert civil.provenance.weighted    # staff counts from the agency survey
    tables = [household_indicators(households), household_indicators(households, by="kecamatan"),
              individual_indicators(households), egov_indicators(civil, agencies)]
    tables += [individual_indicators(households, by=by) for by in ("sex", "age_group", "kecamatan",
                                                                   "education", "labour_status")]
    for i, table in enumerate(tables):
        share = table[(table["kind"] == "percent") & table["estimate"].notna()]
        assert share["estimate"].between(0, 100).all()
        # A by= domain gets its own df (R's svyby(svyciprop)); a tiny domain with as many
        # strata as PSUs has df 0 and, as in R (qt(0.975, 0) is NaN), no interval.
        if i in (0, 2):
            assert share[["ci_low", "ci_high"]].notna().all().all()
        share = share.dropna(subset=["ci_low", "ci_high"])
        assert (share["ci_low"] <= share["estimate"] + 1e-9).all()
        assert (share["estimate"] <= share["ci_high"] + 1e-9).all()
    individual = tables[2]
    assert {"HH5", "HH7", "HH8", "HH9", "HH10", "HH12", "HH15", "HH17", "HH18"} == set(individual["code"])
    assert (individual["n"] > 0).all()
    summary = leadership_summary(civil)
    assert 0 <= summary.iloc[-1]["estimate"] <= 100 and 0 < summary.iloc[-1]["alpha"] <= 1
    city, dist = city_stage(agencies)
    assert city in STAGES and dist["agencies"].sum() == 20
    assert city == city_stage(store.read("agency"))[0]   # the stored answers give the same stage
