"""Households of the sample: the roster, each member's ICT use, and the household's.

Behaviour follows the patterns of BPS Susenas and the ITU indicators: ICT use falls
with age, rises with education and household welfare, and is a little lower for
women; about 55-70% of households have Internet at home; e-government users are
mostly Internet users.
"""

from __future__ import annotations

import math
import random
from typing import Any, Iterator

from survey.simulate._city import CENTROIDS, STREETS, interview_date, person_name, phone
from survey.simulate._draws import chance, logistic, random_stream, some, weighted, yes
from survey.simulate.sampling import HOUSEHOLD_SIZES, FramePSU, sample_frame

EDUCATION = ("none", "primary", "junior_secondary", "senior_secondary", "tertiary")


def _adult_education(rng: random.Random, age: int, ses: float) -> str:
    """Younger cohorts and better-off households are more educated."""
    cohort = 0.9 if age < 35 else 0.6 if age < 45 else 0.1 if age < 60 else -0.6
    score = cohort + 0.8 * ses + rng.gauss(0, 0.9)
    for threshold, level in ((-1.6, "none"), (-0.8, "primary"), (-0.2, "junior_secondary"), (1.1, "senior_secondary")):
        if score < threshold:
            return level
    return "tertiary"


def _education(rng: random.Random, age: int, ses: float) -> str:
    if age < 13:
        return "none"  # still in primary school: no level completed yet
    if age < 16:
        return "primary"
    if age < 19:
        return "junior_secondary" if chance(rng, 0.85) else "primary"
    if age < 21:
        return weighted(rng, [("senior_secondary", 0.8), ("junior_secondary", 0.15), ("tertiary", 0.05)])
    return _adult_education(rng, age, ses)


def _labour_status(rng: random.Random, age: int, sex: str, education: str) -> str:
    if age < 23:
        p_student = 0.9 if age < 19 else (0.55 if education in ("senior_secondary", "tertiary") else 0.15)
        if chance(rng, p_student):
            return "student"
    if age >= 60:
        return weighted(rng, [("retired", 0.3), ("employed", 0.35), ("homemaker", 0.2 if sex == "female" else 0.03),
                              ("other", 0.12)])
    if sex == "male":
        return weighted(rng, [("employed", 0.86), ("unemployed", 0.08), ("other", 0.03), ("homemaker", 0.01)])
    return weighted(rng, [("employed", 0.55), ("homemaker", 0.36), ("unemployed", 0.06), ("other", 0.03)])


def _roster_skeleton(rng: random.Random, size: int) -> list[tuple[str, str, int]]:
    """(relationship, sex, age) for each member in roster order; exactly one head."""
    head_sex = "male" if chance(rng, 0.82) else "female"
    head_age = max(20, min(90, round(rng.gauss(48, 13))))
    people = [("head", head_sex, head_age)]
    if size >= 2 and head_sex == "male" and chance(rng, 0.9):
        people.append(("spouse", "female", max(18, head_age - rng.randint(-2, 8))))
    while len(people) < size:
        sex = rng.choice(("male", "female"))
        roll = rng.random()
        if roll < 0.06 and head_age < 65:
            people.append(("parent", "female" if chance(rng, 0.7) else "male", min(100, head_age + rng.randint(20, 32))))
        elif roll < 0.09:
            people.append(("non_relative", sex, rng.randint(16, 55)))
        elif head_age >= 55 and roll < 0.45:
            people.append(("other_relative", sex, rng.randint(0, 16)))  # grandchildren
        elif head_age - 19 >= 0:
            oldest = head_age - 19
            people.append(("child", sex, rng.randint(0, oldest) if oldest < 30 else rng.randint(max(0, oldest - 25), oldest)))
        else:
            people.append(("other_relative", sex, rng.randint(0, 30)))
    return sorted(people, key=lambda person: (_ROSTER_ORDER.index(person[0]), -person[2]))


# BPS roster order: head, spouse, children eldest first, then other members.
_ROSTER_ORDER = ("head", "spouse", "child", "other_relative", "parent", "non_relative")


_AGE_INTERNET = ((10, -0.8), (15, 0.9), (20, 2.6), (25, 2.8), (35, 2.3), (45, 1.7), (55, 0.9), (65, 0.0),
                 (75, -1.0), (200, -2.2))
_EDUCATION_EFFECT = {"none": -1.2, "primary": -0.8, "junior_secondary": -0.3, "senior_secondary": 0.0, "tertiary": 0.8}


def _age_effect(age: int) -> float:
    return next(effect for upper, effect in _AGE_INTERNET if age < upper)


def _member_ict(rng: random.Random, age: int, sex: str, education: str, status: str, hh: dict) -> dict[str, Any]:
    """The ICT questions for one member aged 5 or over."""
    female = sex == "female"
    adult_edu = _EDUCATION_EFFECT[education] if age >= 20 else 0.0
    logit = _age_effect(age) + adult_edu - 0.25 * female + 0.6 * hh["internet"] + 0.4 * hh["ses"]
    used_internet = chance(rng, logistic(logit))
    used_mobile = used_internet and chance(rng, 0.97) or (not used_internet and chance(rng, logistic(logit + 1.5)))
    p_own = 0.1 if age < 10 else 0.45 if age < 15 else 0.93
    owns_mobile = used_mobile and chance(rng, p_own)
    rank = EDUCATION.index(education) - 2 if age >= 20 else 0
    computer_logit = (-2.0 + 1.6 * hh["computer"] + 0.6 * rank + 0.9 * (status == "student")
                      + 0.5 * (status == "employed") - 0.03 * max(0, age - 40) - 0.15 * female)
    used_computer = chance(rng, logistic(computer_logit))

    out: dict[str, Any] = {
        "used_mobile": yes(used_mobile), "owns_mobile": yes(owns_mobile),
        "used_computer": yes(used_computer), "used_internet": yes(used_internet),
    }
    adult = age >= 18
    if used_internet:
        out["internet_location"] = some(rng, [
            ("home", 0.9 if hh["internet"] else 0.15), ("mobile_anywhere", 0.7 if owns_mobile else 0.1),
            ("work", 0.45 if status == "employed" else 0.0), ("education", 0.5 if status == "student" else 0.0),
            ("another_home", 0.08), ("community_facility", 0.06), ("commercial_facility", 0.05),
        ], at_least_one=True)
        p_daily = 0.85 if 15 <= age < 45 else 0.6
        out["internet_frequency"] = weighted(rng, [("daily", p_daily), ("weekly", (1 - p_daily) * 0.7),
                                                   ("less_than_weekly", (1 - p_daily) * 0.3)])
        out["internet_activities"] = some(rng, [
            ("email", 0.35 if adult and rank >= 0 else 0.05), ("social_media", 0.9 if age >= 10 else 0.3),
            ("information_goods", 0.45 if adult else 0.1), ("health_info", 0.3 if age >= 30 else 0.08),
            ("government_services", 0.15 if adult else 0.0), ("banking", 0.35 if adult and rank >= 0 else 0.05),
            ("online_purchase", 0.4 if adult else 0.05), ("education", 0.6 if status == "student" or age < 15 else 0.08),
            ("video_calls", 0.45), ("entertainment", 0.85 if age < 30 else 0.55),
            ("job_search", 0.45 if status == "unemployed" else 0.03 if adult else 0.0),
        ], at_least_one=False)
        if chance(rng, 0.85):
            daily = out["internet_frequency"] == "daily"
            out["internet_hours_week"] = round(max(0.5, rng.gauss(22 if daily else 4, 9 if daily else 2)), 1)
    else:
        reasons = [("not_needed", 0.45 if age >= 40 else 0.2), ("lack_skills", 0.5 if age >= 45 else 0.15),
                   ("no_device", 0.35), ("cost", 0.25 + 0.15 * (hh["ses"] < 0)), ("no_access", 0.05),
                   ("privacy", 0.03), ("other", 0.2 if age < 15 else 0.04)]
        out["internet_nonuse_reason"] = [] if chance(rng, 0.15) else some(rng, reasons, at_least_one=True)

    if used_computer:
        skill = 1.0 + 0.15 * rank
        skills = some(rng, [("copy_files", 0.8 * skill), ("copy_paste", 0.85 * skill), ("email_attachment", 0.5 * skill),
                            ("spreadsheet_formula", 0.35 * skill), ("connect_device", 0.4 * skill),
                            ("install_software", 0.45 * skill), ("presentation", 0.4 * skill),
                            ("transfer_files", 0.6 * skill), ("programming", 0.06 * skill)], at_least_one=False)
    elif used_internet:
        skills = some(rng, [("copy_paste", 0.25), ("email_attachment", 0.1), ("install_software", 0.2),
                            ("transfer_files", 0.2)], at_least_one=False)
    else:
        skills = []
    out["ict_skills"] = skills or ["none_of_these"]
    return out


def _household(rng: random.Random, psu: FramePSU) -> dict[str, Any]:
    ses = rng.gauss(0, 1)  # household welfare, shared by all members
    size = weighted(rng, HOUSEHOLD_SIZES)
    skeleton = _roster_skeleton(rng, size)
    head_age = skeleton[0][2]
    hh = {
        "ses": ses,
        "internet": chance(rng, logistic(0.75 + 1.1 * ses - 0.035 * (head_age - 48))),
        "computer": chance(rng, logistic(-0.9 + 1.3 * ses - 0.02 * (head_age - 48))),
    }

    members = []
    for relationship, sex, age in skeleton:
        member: dict[str, Any] = {"member_name": person_name(rng, sex), "sex": sex, "age": age,
                                  "relationship": relationship}
        if age >= 5:
            education = _education(rng, age, ses)
            member["education"] = education
            status = _labour_status(rng, age, sex, education) if age >= 15 else "student"
            if age >= 15:
                member["labour_status"] = status
            member.update(_member_ict(rng, age, sex, education, status, hh))
        members.append(member)

    lat, lon = CENTROIDS[psu.kecamatan]
    block = random_stream(int(psu.psu[-3:]), f"block/{psu.kecamatan}")  # the block's own spot on the map
    lat, lon = lat + block.uniform(-0.012, 0.012), lon + block.uniform(-0.012, 0.012)
    answers: dict[str, Any] = {
        "visit_outcome": "completed",
        "consent": "yes",
        "interview_date": interview_date(rng),
        "kecamatan": psu.kecamatan,
        "kelurahan": psu.kelurahan,
        "rw": psu.rw,
        "rt": rng.randint(1, 12),
        "psu": psu.psu,
        "respondent_name": members[1]["member_name"] if size > 1 and chance(rng, 0.3) else members[0]["member_name"],
        "address": f"{rng.choice(('Jl.', 'Gg.'))} {rng.choice(STREETS)} No. {rng.randint(1, 150)}",
    }
    if chance(rng, 0.7):
        answers["phone"] = phone(rng)
    if chance(rng, 0.9):
        answers["gps"] = f"{lat + rng.uniform(-0.002, 0.002):.6f} {lon + rng.uniform(-0.002, 0.002):.6f}"

    any_user = any(m.get("used_internet") == "yes" for m in members)
    answers.update({
        "has_radio": yes(chance(rng, logistic(-1.1 + 0.02 * (head_age - 48)))),
        "has_tv": yes(chance(rng, logistic(2.0 + 0.5 * ses))),
        "has_fixed_phone": yes(chance(rng, logistic(-2.6 + 0.8 * ses))),
        "has_mobile": yes(any(m.get("owns_mobile") == "yes" for m in members)),
        "has_computer": yes(hh["computer"]),
        "has_internet": yes(hh["internet"]),
    })
    if hh["internet"]:
        answers["internet_type"] = some(rng, [("mobile_broadband", 0.7), ("fixed_broadband", 0.3 + 0.15 * (ses > 0)),
                                              ("fixed_narrowband", 0.01), ("satellite", 0.005), ("other", 0.01)],
                                        at_least_one=True)
    else:
        answers["no_internet_reason"] = some(rng, [
            ("not_needed", 0.3 if not any_user else 0.1), ("no_interest", 0.15), ("lack_skills", 0.3 if head_age > 55 else 0.1),
            ("equipment_cost", 0.2), ("service_cost", 0.35), ("not_available", 0.03), ("privacy_concerns", 0.03),
            ("cultural_reasons", 0.02), ("access_elsewhere", 0.4 if any_user else 0.02), ("other", 0.03),
        ], at_least_one=True)
    income = round(math.exp(15.2 + 0.55 * ses + rng.gauss(0, 0.3)), -3)
    if chance(rng, 0.9):
        answers["ict_spending"] = min(50_000_000, int(round(income * rng.uniform(0.02, 0.08), -3)))
    if chance(rng, 0.92):
        answers["income_monthly"] = int(income)
    answers["hh_size"] = size
    answers["members"] = members

    p_egov = logistic(-0.9 + 0.8 * ses + 0.5 * hh["internet"]) if any_user else 0.04
    used_egov = chance(rng, p_egov)
    answers["used_egov"] = yes(used_egov)
    if used_egov:
        school_age = any(5 <= m["age"] < 19 for m in members)
        answers["egov_services"] = some(rng, [
            ("population_admin", 0.5), ("licensing", 0.08), ("tax_payment", 0.35), ("health", 0.3),
            ("education", 0.35 if school_age else 0.03), ("complaints", 0.12), ("information", 0.4),
            ("social_assistance", 0.2 if ses < -0.5 else 0.04)], at_least_one=True)
        answers["egov_channels"] = some(rng, [("website", 0.55), ("mobile_app", 0.45), ("social_media", 0.35),
                                              ("sms", 0.05), ("email", 0.05), ("kiosk", 0.08)], at_least_one=True)
        answers["egov_satisfaction"] = weighted(rng, [("1", 3), ("2", 9), ("3", 30), ("4", 43), ("5", 15)])
    if chance(rng, 0.05):
        answers["comments"] = rng.choice((
            "Responden sibuk, wawancara dilanjutkan sore hari.",
            "Kepala rumah tangga sedang bekerja; dijawab oleh istri.",
            "Rumah sulit ditemukan, nomor rumah tidak urut.",
            "Responden menolak menyebutkan pendapatan.",
        ))
    return answers


def iter_household_answers(n: int, seed: int) -> Iterator[dict[str, Any]]:
    """The households of `household_answers`, one at a time (for samples too big to hold)."""
    rng = random_stream(seed, "household")
    for psu in sample_frame(n, seed):
        for _ in range(psu.households_sampled):
            yield _household(rng, psu)


def household_answers(n: int, seed: int) -> list[dict[str, Any]]:
    return list(iter_household_answers(n, seed))
