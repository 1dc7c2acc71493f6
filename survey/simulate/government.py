"""The city government: civil servants of its agencies (OPD), and the agencies themselves.

Computer and Internet use, training and the agencies' websites and online services
rise with how digital an agency's work is.
"""

from __future__ import annotations

import math
import random
from typing import Any

from survey.simulate._city import interview_date, person_name
from survey.simulate._draws import chance, logistic, random_stream, some, weighted, yes

# Agency -> (relative staff size, how digital its work is: shifts computer/Internet use)
AGENCIES: dict[str, tuple[int, float]] = {
    "setda": (8, 0.5), "inspektorat": (3, 0.3), "bappeda": (3, 0.8), "bpkpad": (6, 0.9), "bkpsdm": (3, 0.9),
    "diskominfo": (3, 1.8), "disdukcapil": (4, 1.0), "dpmptsp": (3, 1.0), "dinkes": (7, 0.4),
    "disdik": (6, 0.3), "dishub": (5, -0.3), "dinsos": (3, 0.0), "dpupr": (5, -0.2), "disnaker": (2, 0.2),
    "dlh": (5, -0.6), "kec_laweyan": (2, -0.2), "kec_serengan": (1, -0.2), "kec_pasar_kliwon": (2, -0.2),
    "kec_jebres": (2, -0.2), "kec_banjarsari": (2, -0.2),
}


# ---------------------------------------------------------- civil servants
_GRADE_BY_EDUCATION = {"primary": "g1", "junior_secondary": "g1", "senior_secondary": "g2", "tertiary": "g3",
                       "master": "g3", "doctorate": "g4"}


def _civil_servant(rng: random.Random) -> dict[str, Any]:
    agency = weighted(rng, [(name, size) for name, (size, _) in AGENCIES.items()])
    digital = AGENCIES[agency][1]
    sex = rng.choice(("male", "female"))
    age = rng.randint(22, 58)
    education = weighted(rng, [("junior_secondary", 2), ("senior_secondary", 18), ("tertiary", 60),
                               ("master", 18 if age >= 28 else 2), ("doctorate", 2 if age >= 35 else 0)])
    start_age = {"junior_secondary": 19, "senior_secondary": 20}.get(education, 23)
    years = rng.randint(0, max(0, age - max(start_age, 18))) if age > start_age else 0
    grade = _GRADE_BY_EDUCATION[education]
    if grade in ("g2", "g3") and years >= 16 and chance(rng, 0.5):
        grade = "g3" if grade == "g2" else "g4"
    role = weighted(rng, [("structural", 0.25 if grade == "g4" or years > 15 else 0.06),
                          ("functional", 0.35 if education in ("tertiary", "master", "doctorate") else 0.1),
                          ("staff", 0.55)])
    rank = {"junior_secondary": -1.5, "senior_secondary": -0.7, "tertiary": 0.2, "master": 0.6, "doctorate": 0.8}[education]
    uses_computer = chance(rng, logistic(1.4 + digital + rank - 0.03 * (age - 40)))
    uses_internet = chance(rng, logistic((1.6 if uses_computer else -0.8) + 0.5 * digital - 0.02 * (age - 40)))
    answers: dict[str, Any] = {
        "consent": "yes",
        "interview_date": interview_date(rng), "agency": agency, "sex": sex, "age": age, "grade": grade,
        "role": role, "education": education, "years_service": years,
        "uses_computer_routinely": yes(uses_computer), "uses_internet_routinely": yes(uses_internet),
    }
    if chance(rng, 0.6):
        answers["respondent_name"] = person_name(rng, sex)
    if uses_computer:
        answers["systems_used"] = some(rng, [
            ("staffing", 0.7), ("payroll", 0.3 + 0.4 * (agency in ("bpkpad", "bkpsdm"))),
            ("finance", 0.2 + 0.6 * (agency == "bpkpad")), ("planning", 0.15 + 0.6 * (agency == "bappeda")),
            ("legislation", 0.05 + 0.5 * (agency == "setda")),
            ("public_services", 0.15 + 0.6 * (agency in ("disdukcapil", "dpmptsp") or agency.startswith("kec_"))),
            ("correspondence", 0.55), ("procurement", 0.08 + 0.3 * (role == "structural")),
        ], at_least_one=False)
    trained = chance(rng, logistic(0.1 + 0.5 * digital + 0.3 * rank))
    answers["ict_training"] = yes(trained)
    if trained:
        answers["training_hours"] = min(1000, 8 * rng.randint(1, 10))
    literacy = 3 + 0.6 * rank + 0.5 * uses_computer + 0.3 * trained - 0.02 * (age - 40) + rng.gauss(0, 0.7)
    answers["e_literacy"] = str(min(5, max(1, round(literacy))))
    commitment = rng.gauss(0.4 + 0.2 * digital, 0.8)  # how the respondent sees the leadership
    for item, shift in (("lead_vision", 0.3), ("lead_budget", -0.4), ("lead_example", -0.1),
                        ("lead_policy", 0.1), ("lead_monitoring", -0.2), ("lead_infrastructure", 0.2)):
        answers[item] = str(min(5, max(1, round(3.3 + commitment + shift + rng.gauss(0, 0.6)))))
    barriers = some(rng, [("budget", 0.5), ("infrastructure", 0.35 - 0.1 * digital), ("skills", 0.4),
                          ("regulation", 0.2), ("leadership", 0.15 if commitment < 0 else 0.03),
                          ("culture", 0.3), ("security", 0.15)], at_least_one=False)
    answers["barriers"] = barriers or ["none"]
    return answers


def civil_servant_answers(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random_stream(seed, "civil_servant")
    return [_civil_servant(rng) for _ in range(n)]


# ----------------------------------------------------------------- agencies
_WEB_HOSTS = {"diskominfo": "diskominfosp", "bpkpad": "bpkpad", "disnaker": "bko-disnaker", "setda": "www"}


def _agency(rng: random.Random, agency: str) -> dict[str, Any]:
    size, digital = AGENCIES[agency]
    staff = max(12, round(size * rng.uniform(25, 45)))
    on_computer = round(staff * min(1.0, logistic(1.2 + digital) * rng.uniform(0.85, 1.1)))
    answers: dict[str, Any] = {
        "consent": "yes",
        "interview_date": interview_date(rng), "agency": agency,
        "respondent_role": weighted(rng, [("head", 1), ("secretary", 3), ("it_officer", 4), ("web_admin", 2), ("other", 1)]),
        "staff_count": staff,
        "has_lan": yes(chance(rng, logistic(2.2 + digital))),
        "has_intranet": yes(chance(rng, logistic(-0.3 + digital))),
    }
    if chance(rng, 0.8):
        answers["staff_using_computer"] = on_computer
        answers["staff_using_internet"] = round(on_computer * rng.uniform(0.8, 1.0))
    has_internet = chance(rng, 0.97)
    answers["has_internet"] = yes(has_internet)
    if has_internet:
        answers["internet_access"] = some(rng, [("fixed_broadband", 0.9), ("mobile_broadband", 0.5),
                                                ("fixed_narrowband", 0.02), ("other", 0.03)], at_least_one=True)
    has_website = chance(rng, logistic(2.0 + digital))
    answers["has_website"] = yes(has_website)
    if has_website:
        # Stages build on each other, as in the study: most agencies reach Interactive.
        updated = chance(rng, logistic(1.0 + digital))
        interactive = chance(rng, logistic(0.6 + digital))
        transactional = interactive and chance(rng, 0.7 if agency in ("bpkpad", "dpmptsp", "disdukcapil") else 0.12)
        host = _WEB_HOSTS.get(agency, agency.replace("_", ""))
        answers.update({
            "website_url": f"https://{host}.surakarta.go.id",
            "web_updated_regularly": yes(updated),
            "update_frequency": weighted(rng, [("daily", 3), ("weekly", 5), ("monthly", 1)] if updated
                                         else [("monthly", 3), ("rarely", 5)]),
            "offers_downloads": yes(interactive or chance(rng, 0.3)),
            "contact_web": yes(interactive and chance(rng, 0.85)),
            "contact_email": yes(interactive and chance(rng, 0.8) or chance(rng, 0.2)),
            "contact_sms": yes(interactive and chance(rng, 0.6)),
            "online_payment": yes(transactional),
            "online_transactions": yes(transactional and chance(rng, 0.8)),
            "integrated_services": yes(transactional and chance(rng, 0.3)),
        })
        if chance(rng, 0.7):
            answers["monthly_visitors"] = round(math.exp(rng.gauss(8.5 + digital, 1.0)))
    answers["has_mobile_app"] = yes(chance(rng, logistic(-1.5 + digital)))
    answers["services_g2c"] = some(rng, [
        ("population_admin", 0.9 if agency == "disdukcapil" else 0.3 if agency.startswith("kec_") else 0.0),
        ("licensing", 0.9 if agency == "dpmptsp" else 0.0), ("tax_payment", 0.9 if agency == "bpkpad" else 0.0),
        ("health", 0.8 if agency == "dinkes" else 0.0), ("education", 0.8 if agency == "disdik" else 0.0),
        ("complaints", 0.4), ("information", 0.8 if has_website else 0.2),
        ("social_assistance", 0.8 if agency == "dinsos" else 0.0)], at_least_one=False)
    answers["services_g2b"] = some(rng, [
        ("e_procurement", 0.9 if agency == "setda" else 0.1), ("business_licensing", 0.9 if agency == "dpmptsp" else 0.0),
        ("business_tax", 0.9 if agency == "bpkpad" else 0.0), ("investment_info", 0.7 if agency == "dpmptsp" else 0.02),
        ("tender_announcements", 0.25), ("other", 0.03)], at_least_one=False)
    answers["services_g2g"] = some(rng, [
        ("staffing_system", 0.85), ("payroll_system", 0.6), ("data_exchange", logistic(-0.5 + digital)),
        ("finance_system", 0.8), ("planning_system", 0.6), ("e_office", logistic(0.3 + digital)),
        ("other", 0.03)], at_least_one=False)
    return answers


def agency_answers(n: int, seed: int) -> list[dict[str, Any]]:
    """Every OPD once, in random order, then again for more than 20 (a later wave)."""
    rng = random_stream(seed, "agency")
    names = list(AGENCIES)
    out = []
    while len(out) < n:
        rng.shuffle(names)
        out.extend(_agency(rng, name) for name in names[: n - len(out)])
    return out
