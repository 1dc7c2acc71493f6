"""A realistic synthetic sample for demos, tests and benchmarks.

`generate(instrument_id, n, seed)` returns answer dicts that `validate()` accepts,
the same for the same seed. Households come from a stratified two-stage design over
Surakarta (Lohr, *Sampling: Design and Analysis*, ch. 6): strata are the 5
kecamatan; stage 1 draws census blocks (PSUs) by simple random sampling without
replacement, allocated to strata in proportion to their households; stage 2 draws
about 10 households per PSU, again by simple random sampling. `sample_frame()`
gives each sampled PSU's selection probabilities, so the base weight of a household
is 1 / (prob_psu * prob_within).

Behaviour follows the patterns of BPS Susenas and the ITU indicators: ICT use falls
with age, rises with education and household welfare, and is a little lower for
women; about 55-70% of households have Internet at home; e-government users are
mostly Internet users. Names are Javanese and Indonesian, apostrophes included.

    python -m survey.simulate --households 500 --out data [--seed 1] \
        [--civil-servants 200] [--agencies 20]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

__all__ = ["generate", "sample_frame", "FramePSU", "main"]

HOUSEHOLDS_PER_PSU = 10
FIELDWORK_START = dt.date(2024, 7, 1)
FIELDWORK_DAYS = 61

# ----------------------------------------------------------------- the city
# Kecamatan -> (PSU code prefix, census blocks in the population frame, kelurahan).
# Block counts follow the kecamatan's share of Surakarta's ~175,000 households.
STRATA: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "laweyan": ("LAW", 280, ("pajang", "laweyan", "bumi", "panularan", "penumping", "sriwedari",
                            "purwosari", "sondakan", "kerten", "jajar", "karangasem")),
    "serengan": ("SER", 145, ("joyotakan", "danukusuman", "serengan", "tipes", "kratonan",
                             "jayengan", "kemlayan")),
    "pasar_kliwon": ("PAS", 235, ("joyosuran", "semanggi", "mojo", "pasar_kliwon", "baluwarti",
                                 "gajahan", "kauman", "kampung_baru", "kedung_lumbu", "sangkrah")),
    "jebres": ("JEB", 410, ("kepatihan_kulon", "kepatihan_wetan", "sudiroprajan", "gandekan", "sewu",
                           "pucang_sawit", "jagalan", "purwodiningratan", "tegalharjo", "jebres",
                           "mojosongo")),
    "banjarsari": ("BAN", 480, ("kadipiro", "nusukan", "gilingan", "setabelan", "kestalan", "keprabon",
                               "timuran", "ketelan", "punggawan", "mangkubumen", "manahan", "sumber",
                               "banyuanyar", "joglo", "banjarsari")),
}
CENTROIDS = {  # approximate (lat, lon) of each kecamatan
    "laweyan": (-7.568, 110.795), "serengan": (-7.580, 110.818), "pasar_kliwon": (-7.583, 110.835),
    "jebres": (-7.555, 110.850), "banjarsari": (-7.545, 110.815),
}
STREETS = ("Slamet Riyadi", "Dr. Radjiman", "Veteran", "Ahmad Yani", "Kapten Mulyadi", "Sutan Syahrir",
           "Adi Sucipto", "Ki Hajar Dewantara", "Letjen Suprapto", "Yos Sudarso", "Kyai Mojo",
           "Honggowongso", "Gatot Subroto", "Urip Sumoharjo", "Kol. Sutarto", "Transito")

MALE_NAMES = ("Budi", "Slamet", "Joko", "Agus", "Bambang", "Sutrisno", "Wahyu", "Eko", "Heru", "Ma'ruf",
              "Sugeng", "Teguh", "Hadi", "Rudi", "Arif", "Yusuf", "Rizky", "Fajar", "Bayu", "Dimas",
              "Anwar", "Ahmad", "Muhammad", "Haryanto", "Purnomo", "Sya'ban", "Mu'in", "Gilang")
FEMALE_NAMES = ("Sri", "Siti", "Endang", "Tri", "Wulan", "Dewi", "Rina", "Nur'aini", "Rahayu", "Sulastri",
                "Suparmi", "Ani", "Ratna", "Putri", "Ayu", "Nurul", "Fitri", "Indah", "Anisa", "Zulaikha",
                "Ma'rifah", "Sumarni", "Kartini", "Larasati", "Nadia", "Nafi'ah")
FAMILY_NAMES = ("Wibowo", "Santoso", "Susanto", "Setiawan", "Prasetyo", "Nugroho", "Kurniawan", "Hidayat",
                "Saputra", "Lestari", "Wijaya", "Pratama", "Ma'arif", "Syafi'i", "Hasan", "Pangestu",
                "Rahmawati", "Handayani", "Purwanto", "Mubarok", "Sa'adah", "Utomo")

EDUCATION = ("none", "primary", "junior_secondary", "senior_secondary", "tertiary")


@dataclass(frozen=True)
class FramePSU:
    """One sampled census block and its selection probabilities."""

    kecamatan: str
    psu: str
    households_in_psu: int
    psus_in_stratum: int
    prob_psu: float
    prob_within: float
    kelurahan: str
    rw: int
    households_sampled: int

    @property
    def base_weight(self) -> float:
        return 1.0 / (self.prob_psu * self.prob_within)


FRAME_COLUMNS = ("kecamatan", "psu", "households_in_psu", "psus_in_stratum", "prob_psu", "prob_within",
                 "kelurahan", "rw", "households_sampled")


# ------------------------------------------------------------ small helpers
def _rng(seed: int, stream: str) -> random.Random:
    """An independent, reproducible stream per purpose (str seeds are hashed stably)."""
    return random.Random(f"{seed}/{stream}")


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    values, weights = zip(*options)
    return rng.choices(values, weights=weights)[0]


def _some(rng: random.Random, probabilities: Sequence[tuple[str, float]], at_least_one: bool) -> list[str]:
    """Each option independently with its probability, in list order; optionally never empty."""
    picked = [name for name, p in probabilities if _chance(rng, p)]
    if not picked and at_least_one:
        picked = [_weighted(rng, probabilities)]
    return picked


def _interview_date(rng: random.Random) -> dt.date:
    return FIELDWORK_START + dt.timedelta(days=rng.randrange(FIELDWORK_DAYS))


def _person_name(rng: random.Random, sex: str) -> str:
    given = rng.choice(MALE_NAMES if sex == "male" else FEMALE_NAMES)
    return given if _chance(rng, 0.25) else f"{given} {rng.choice(FAMILY_NAMES)}"


def _phone(rng: random.Random) -> str:
    digits = "8" + "".join(str(rng.randrange(10)) for _ in range(rng.randint(9, 11)))
    return ("+62" if _chance(rng, 0.2) else "0") + digits


# ------------------------------------------------------- sampling design
def _population(stratum: str) -> list[tuple[str, str, int, int]]:
    """The frame of one stratum: (psu code, kelurahan, rw, households), fixed for all seeds."""
    prefix, blocks, kelurahan = STRATA[stratum]
    rng = _rng(0, f"frame/{stratum}")
    out = []
    for i in range(blocks):
        village = kelurahan[i * len(kelurahan) // blocks]  # contiguous codes per kelurahan
        out.append((f"{prefix}-{i + 1:03d}", village, rng.randint(1, 15), rng.randint(60, 160)))
    return out


def _allocate(total: int, sizes: Sequence[int], minimum: int) -> list[int]:
    """Split `total` in proportion to `sizes` (largest remainder), each at least `minimum`."""
    base = [minimum] * len(sizes)
    rest = total - minimum * len(sizes)
    shares = [rest * s / sum(sizes) for s in sizes]
    alloc = [b + math.floor(x) for b, x in zip(base, shares)]
    order = sorted(range(len(sizes)), key=lambda i: shares[i] - math.floor(shares[i]), reverse=True)
    for i in order[: total - sum(alloc)]:
        alloc[i] += 1
    return alloc


def sample_frame(n: int, seed: int) -> list[FramePSU]:
    """The sampled PSUs for `n` households, with their selection probabilities.

    PSUs: about n/10, allocated to strata in proportion to households (at least one
    each when there are 5 or more). When a stratum would need more PSUs than it has,
    all of them are taken (prob_psu = 1) and each gets more households; a PSU asked
    for more households than it holds is enlarged, so prob_within stays at most 1.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = _rng(seed, "sample")
    strata = list(STRATA)
    populations = {s: _population(s) for s in strata}
    households = [sum(p[3] for p in populations[s]) for s in strata]
    n_psu = max(1, round(n / HOUSEHOLDS_PER_PSU))
    if n_psu >= len(strata):
        psu_alloc = _allocate(n_psu, households, 1)
    else:  # too few PSUs for every stratum: the largest strata get one each
        largest = sorted(range(len(strata)), key=lambda i: households[i], reverse=True)[:n_psu]
        psu_alloc = [1 if i in largest else 0 for i in range(len(strata))]
    psu_alloc = [min(k, len(populations[s])) for k, s in zip(psu_alloc, strata)]
    hh_alloc = _allocate(n, [k * HOUSEHOLDS_PER_PSU for k in psu_alloc], 0)

    frame = []
    for stratum, k, m_total in zip(strata, psu_alloc, hh_alloc):
        if k == 0:
            continue
        population = populations[stratum]
        chosen = sorted(rng.sample(range(len(population)), k))
        for j, index in enumerate(chosen):
            code, village, rw, size = population[index]
            m = m_total // k + (1 if j < m_total % k else 0)
            size = max(size, m)
            frame.append(FramePSU(stratum, code, size, len(population), k / len(population), m / size,
                                  village, rw, m))
    return frame


# --------------------------------------------------------------- households
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
        return "junior_secondary" if _chance(rng, 0.85) else "primary"
    if age < 21:
        return _weighted(rng, [("senior_secondary", 0.8), ("junior_secondary", 0.15), ("tertiary", 0.05)])
    return _adult_education(rng, age, ses)


def _labour_status(rng: random.Random, age: int, sex: str, education: str) -> str:
    if age < 23:
        p_student = 0.9 if age < 19 else (0.55 if education in ("senior_secondary", "tertiary") else 0.15)
        if _chance(rng, p_student):
            return "student"
    if age >= 60:
        return _weighted(rng, [("retired", 0.3), ("employed", 0.35), ("homemaker", 0.2 if sex == "female" else 0.03),
                               ("other", 0.12)])
    if sex == "male":
        return _weighted(rng, [("employed", 0.86), ("unemployed", 0.08), ("other", 0.03), ("homemaker", 0.01)])
    return _weighted(rng, [("employed", 0.55), ("homemaker", 0.36), ("unemployed", 0.06), ("other", 0.03)])


def _roster_skeleton(rng: random.Random, size: int) -> list[tuple[str, str, int]]:
    """(relationship, sex, age) for each member in roster order; exactly one head."""
    head_sex = "male" if _chance(rng, 0.82) else "female"
    head_age = max(20, min(90, round(rng.gauss(48, 13))))
    people = [("head", head_sex, head_age)]
    if size >= 2 and head_sex == "male" and _chance(rng, 0.9):
        people.append(("spouse", "female", max(18, head_age - rng.randint(-2, 8))))
    while len(people) < size:
        sex = rng.choice(("male", "female"))
        roll = rng.random()
        if roll < 0.06 and head_age < 65:
            people.append(("parent", "female" if _chance(rng, 0.7) else "male", min(100, head_age + rng.randint(20, 32))))
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
    used_internet = _chance(rng, _logistic(logit))
    used_mobile = used_internet and _chance(rng, 0.97) or (not used_internet and _chance(rng, _logistic(logit + 1.5)))
    p_own = 0.1 if age < 10 else 0.45 if age < 15 else 0.93
    owns_mobile = used_mobile and _chance(rng, p_own)
    rank = EDUCATION.index(education) - 2 if age >= 20 else 0
    computer_logit = (-2.0 + 1.6 * hh["computer"] + 0.6 * rank + 0.9 * (status == "student")
                      + 0.5 * (status == "employed") - 0.03 * max(0, age - 40) - 0.15 * female)
    used_computer = _chance(rng, _logistic(computer_logit))

    out: dict[str, Any] = {
        "used_mobile": _yes(used_mobile), "owns_mobile": _yes(owns_mobile),
        "used_computer": _yes(used_computer), "used_internet": _yes(used_internet),
    }
    adult = age >= 18
    if used_internet:
        out["internet_location"] = _some(rng, [
            ("home", 0.9 if hh["internet"] else 0.15), ("mobile_anywhere", 0.7 if owns_mobile else 0.1),
            ("work", 0.45 if status == "employed" else 0.0), ("education", 0.5 if status == "student" else 0.0),
            ("another_home", 0.08), ("community_facility", 0.06), ("commercial_facility", 0.05),
        ], at_least_one=True)
        p_daily = 0.85 if 15 <= age < 45 else 0.6
        out["internet_frequency"] = _weighted(rng, [("daily", p_daily), ("weekly", (1 - p_daily) * 0.7),
                                                    ("less_than_weekly", (1 - p_daily) * 0.3)])
        out["internet_activities"] = _some(rng, [
            ("email", 0.35 if adult and rank >= 0 else 0.05), ("social_media", 0.9 if age >= 10 else 0.3),
            ("information_goods", 0.45 if adult else 0.1), ("health_info", 0.3 if age >= 30 else 0.08),
            ("government_services", 0.15 if adult else 0.0), ("banking", 0.35 if adult and rank >= 0 else 0.05),
            ("online_purchase", 0.4 if adult else 0.05), ("education", 0.6 if status == "student" or age < 15 else 0.08),
            ("video_calls", 0.45), ("entertainment", 0.85 if age < 30 else 0.55),
            ("job_search", 0.45 if status == "unemployed" else 0.03 if adult else 0.0),
        ], at_least_one=False)
        if _chance(rng, 0.85):
            daily = out["internet_frequency"] == "daily"
            out["internet_hours_week"] = round(max(0.5, rng.gauss(22 if daily else 4, 9 if daily else 2)), 1)
    else:
        reasons = [("not_needed", 0.45 if age >= 40 else 0.2), ("lack_skills", 0.5 if age >= 45 else 0.15),
                   ("no_device", 0.35), ("cost", 0.25 + 0.15 * (hh["ses"] < 0)), ("no_access", 0.05),
                   ("privacy", 0.03), ("other", 0.2 if age < 15 else 0.04)]
        out["internet_nonuse_reason"] = [] if _chance(rng, 0.15) else _some(rng, reasons, at_least_one=True)

    if used_computer:
        skill = 1.0 + 0.15 * rank
        skills = _some(rng, [("copy_files", 0.8 * skill), ("copy_paste", 0.85 * skill), ("email_attachment", 0.5 * skill),
                             ("spreadsheet_formula", 0.35 * skill), ("connect_device", 0.4 * skill),
                             ("install_software", 0.45 * skill), ("presentation", 0.4 * skill),
                             ("transfer_files", 0.6 * skill), ("programming", 0.06 * skill)], at_least_one=False)
    elif used_internet:
        skills = _some(rng, [("copy_paste", 0.25), ("email_attachment", 0.1), ("install_software", 0.2),
                             ("transfer_files", 0.2)], at_least_one=False)
    else:
        skills = []
    out["ict_skills"] = skills or ["none_of_these"]
    return out


def _household(rng: random.Random, psu: FramePSU) -> dict[str, Any]:
    ses = rng.gauss(0, 1)  # household welfare, shared by all members
    size = _weighted(rng, [(1, 8), (2, 16), (3, 22), (4, 23), (5, 15), (6, 8), (7, 4), (8, 2), (9, 1), (10, 1)])
    skeleton = _roster_skeleton(rng, size)
    head_age = skeleton[0][2]
    hh = {
        "ses": ses,
        "internet": _chance(rng, _logistic(0.75 + 1.1 * ses - 0.035 * (head_age - 48))),
        "computer": _chance(rng, _logistic(-0.9 + 1.3 * ses - 0.02 * (head_age - 48))),
    }

    members = []
    for relationship, sex, age in skeleton:
        member: dict[str, Any] = {"member_name": _person_name(rng, sex), "sex": sex, "age": age,
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
    block = _rng(int(psu.psu[-3:]), f"block/{psu.kecamatan}")  # the block's own spot on the map
    lat, lon = lat + block.uniform(-0.012, 0.012), lon + block.uniform(-0.012, 0.012)
    answers: dict[str, Any] = {
        "interview_date": _interview_date(rng),
        "kecamatan": psu.kecamatan,
        "kelurahan": psu.kelurahan,
        "rw": psu.rw,
        "rt": rng.randint(1, 12),
        "psu": psu.psu,
        "respondent_name": members[1]["member_name"] if size > 1 and _chance(rng, 0.3) else members[0]["member_name"],
        "address": f"{rng.choice(('Jl.', 'Gg.'))} {rng.choice(STREETS)} No. {rng.randint(1, 150)}",
    }
    if _chance(rng, 0.7):
        answers["phone"] = _phone(rng)
    if _chance(rng, 0.9):
        answers["gps"] = f"{lat + rng.uniform(-0.002, 0.002):.6f} {lon + rng.uniform(-0.002, 0.002):.6f}"

    any_user = any(m.get("used_internet") == "yes" for m in members)
    answers.update({
        "has_radio": _yes(_chance(rng, _logistic(-1.1 + 0.02 * (head_age - 48)))),
        "has_tv": _yes(_chance(rng, _logistic(2.0 + 0.5 * ses))),
        "has_fixed_phone": _yes(_chance(rng, _logistic(-2.6 + 0.8 * ses))),
        "has_mobile": _yes(any(m.get("owns_mobile") == "yes" for m in members)),
        "has_computer": _yes(hh["computer"]),
        "has_internet": _yes(hh["internet"]),
    })
    if hh["internet"]:
        answers["internet_type"] = _some(rng, [("mobile_broadband", 0.7), ("fixed_broadband", 0.3 + 0.15 * (ses > 0)),
                                               ("fixed_narrowband", 0.01), ("satellite", 0.005), ("other", 0.01)],
                                         at_least_one=True)
    else:
        answers["no_internet_reason"] = _some(rng, [
            ("not_needed", 0.3 if not any_user else 0.1), ("no_interest", 0.15), ("lack_skills", 0.3 if head_age > 55 else 0.1),
            ("equipment_cost", 0.2), ("service_cost", 0.35), ("not_available", 0.03), ("privacy_concerns", 0.03),
            ("cultural_reasons", 0.02), ("access_elsewhere", 0.4 if any_user else 0.02), ("other", 0.03),
        ], at_least_one=True)
    income = round(math.exp(15.2 + 0.55 * ses + rng.gauss(0, 0.3)), -3)
    if _chance(rng, 0.9):
        answers["ict_spending"] = min(50_000_000, int(round(income * rng.uniform(0.02, 0.08), -3)))
    if _chance(rng, 0.92):
        answers["income_monthly"] = int(income)
    answers["hh_size"] = size
    answers["members"] = members

    p_egov = _logistic(-0.9 + 0.8 * ses + 0.5 * hh["internet"]) if any_user else 0.04
    used_egov = _chance(rng, p_egov)
    answers["used_egov"] = _yes(used_egov)
    if used_egov:
        school_age = any(5 <= m["age"] < 19 for m in members)
        answers["egov_services"] = _some(rng, [
            ("population_admin", 0.5), ("licensing", 0.08), ("tax_payment", 0.35), ("health", 0.3),
            ("education", 0.35 if school_age else 0.03), ("complaints", 0.12), ("information", 0.4),
            ("social_assistance", 0.2 if ses < -0.5 else 0.04)], at_least_one=True)
        answers["egov_channels"] = _some(rng, [("website", 0.55), ("mobile_app", 0.45), ("social_media", 0.35),
                                               ("sms", 0.05), ("email", 0.05), ("kiosk", 0.08)], at_least_one=True)
        answers["egov_satisfaction"] = _weighted(rng, [("1", 3), ("2", 9), ("3", 30), ("4", 43), ("5", 15)])
    if _chance(rng, 0.05):
        answers["comments"] = rng.choice((
            "Responden sibuk, wawancara dilanjutkan sore hari.",
            "Kepala rumah tangga sedang bekerja; dijawab oleh istri.",
            "Rumah sulit ditemukan, nomor rumah tidak urut.",
            "Responden menolak menyebutkan pendapatan.",
        ))
    return answers


def _households(n: int, seed: int) -> list[dict[str, Any]]:
    rng = _rng(seed, "household")
    return [_household(rng, psu) for psu in sample_frame(n, seed) for _ in range(psu.households_sampled)]


# ---------------------------------------------------------- civil servants
# Agency -> (relative staff size, how digital its work is: shifts computer/Internet use)
AGENCIES: dict[str, tuple[int, float]] = {
    "setda": (8, 0.5), "inspektorat": (3, 0.3), "bappeda": (3, 0.8), "bpkpad": (6, 0.9), "bkpsdm": (3, 0.9),
    "diskominfo": (3, 1.8), "disdukcapil": (4, 1.0), "dpmptsp": (3, 1.0), "dinkes": (7, 0.4),
    "disdik": (6, 0.3), "dishub": (5, -0.3), "dinsos": (3, 0.0), "dpupr": (5, -0.2), "disnaker": (2, 0.2),
    "dlh": (5, -0.6), "kec_laweyan": (2, -0.2), "kec_serengan": (1, -0.2), "kec_pasar_kliwon": (2, -0.2),
    "kec_jebres": (2, -0.2), "kec_banjarsari": (2, -0.2),
}
_GRADE_BY_EDUCATION = {"primary": "g1", "junior_secondary": "g1", "senior_secondary": "g2", "tertiary": "g3",
                       "master": "g3", "doctorate": "g4"}


def _civil_servant(rng: random.Random) -> dict[str, Any]:
    agency = _weighted(rng, [(name, size) for name, (size, _) in AGENCIES.items()])
    digital = AGENCIES[agency][1]
    sex = rng.choice(("male", "female"))
    age = rng.randint(22, 58)
    education = _weighted(rng, [("junior_secondary", 2), ("senior_secondary", 18), ("tertiary", 60),
                                ("master", 18 if age >= 28 else 2), ("doctorate", 2 if age >= 35 else 0)])
    start_age = {"junior_secondary": 19, "senior_secondary": 20}.get(education, 23)
    years = rng.randint(0, max(0, age - max(start_age, 18))) if age > start_age else 0
    grade = _GRADE_BY_EDUCATION[education]
    if grade in ("g2", "g3") and years >= 16 and _chance(rng, 0.5):
        grade = "g3" if grade == "g2" else "g4"
    role = _weighted(rng, [("structural", 0.25 if grade == "g4" or years > 15 else 0.06),
                           ("functional", 0.35 if education in ("tertiary", "master", "doctorate") else 0.1),
                           ("staff", 0.55)])
    rank = {"junior_secondary": -1.5, "senior_secondary": -0.7, "tertiary": 0.2, "master": 0.6, "doctorate": 0.8}[education]
    uses_computer = _chance(rng, _logistic(1.4 + digital + rank - 0.03 * (age - 40)))
    uses_internet = _chance(rng, _logistic((1.6 if uses_computer else -0.8) + 0.5 * digital - 0.02 * (age - 40)))
    answers: dict[str, Any] = {
        "interview_date": _interview_date(rng), "agency": agency, "sex": sex, "age": age, "grade": grade,
        "role": role, "education": education, "years_service": years,
        "uses_computer_routinely": _yes(uses_computer), "uses_internet_routinely": _yes(uses_internet),
    }
    if _chance(rng, 0.6):
        answers["respondent_name"] = _person_name(rng, sex)
    if uses_computer:
        answers["systems_used"] = _some(rng, [
            ("staffing", 0.7), ("payroll", 0.3 + 0.4 * (agency in ("bpkpad", "bkpsdm"))),
            ("finance", 0.2 + 0.6 * (agency == "bpkpad")), ("planning", 0.15 + 0.6 * (agency == "bappeda")),
            ("legislation", 0.05 + 0.5 * (agency == "setda")),
            ("public_services", 0.15 + 0.6 * (agency in ("disdukcapil", "dpmptsp") or agency.startswith("kec_"))),
            ("correspondence", 0.55), ("procurement", 0.08 + 0.3 * (role == "structural")),
        ], at_least_one=False)
    trained = _chance(rng, _logistic(0.1 + 0.5 * digital + 0.3 * rank))
    answers["ict_training"] = _yes(trained)
    if trained:
        answers["training_hours"] = min(1000, 8 * rng.randint(1, 10))
    literacy = 3 + 0.6 * rank + 0.5 * uses_computer + 0.3 * trained - 0.02 * (age - 40) + rng.gauss(0, 0.7)
    answers["e_literacy"] = str(min(5, max(1, round(literacy))))
    commitment = rng.gauss(0.4 + 0.2 * digital, 0.8)  # how the respondent sees the leadership
    for item, shift in (("lead_vision", 0.3), ("lead_budget", -0.4), ("lead_example", -0.1),
                        ("lead_policy", 0.1), ("lead_monitoring", -0.2), ("lead_infrastructure", 0.2)):
        answers[item] = str(min(5, max(1, round(3.3 + commitment + shift + rng.gauss(0, 0.6)))))
    barriers = _some(rng, [("budget", 0.5), ("infrastructure", 0.35 - 0.1 * digital), ("skills", 0.4),
                           ("regulation", 0.2), ("leadership", 0.15 if commitment < 0 else 0.03),
                           ("culture", 0.3), ("security", 0.15)], at_least_one=False)
    answers["barriers"] = barriers or ["none"]
    return answers


# ----------------------------------------------------------------- agencies
_WEB_HOSTS = {"diskominfo": "diskominfosp", "bpkpad": "bpkpad", "disnaker": "bko-disnaker", "setda": "www"}


def _agency(rng: random.Random, agency: str) -> dict[str, Any]:
    size, digital = AGENCIES[agency]
    staff = max(12, round(size * rng.uniform(25, 45)))
    on_computer = round(staff * min(1.0, _logistic(1.2 + digital) * rng.uniform(0.85, 1.1)))
    answers: dict[str, Any] = {
        "interview_date": _interview_date(rng), "agency": agency,
        "respondent_role": _weighted(rng, [("head", 1), ("secretary", 3), ("it_officer", 4), ("web_admin", 2), ("other", 1)]),
        "staff_count": staff,
        "has_lan": _yes(_chance(rng, _logistic(2.2 + digital))),
        "has_intranet": _yes(_chance(rng, _logistic(-0.3 + digital))),
    }
    if _chance(rng, 0.8):
        answers["staff_using_computer"] = on_computer
        answers["staff_using_internet"] = round(on_computer * rng.uniform(0.8, 1.0))
    has_internet = _chance(rng, 0.97)
    answers["has_internet"] = _yes(has_internet)
    if has_internet:
        answers["internet_access"] = _some(rng, [("fixed_broadband", 0.9), ("mobile_broadband", 0.5),
                                                 ("fixed_narrowband", 0.02), ("other", 0.03)], at_least_one=True)
    has_website = _chance(rng, _logistic(2.0 + digital))
    answers["has_website"] = _yes(has_website)
    if has_website:
        # Stages build on each other, as in the study: most agencies reach Interactive.
        updated = _chance(rng, _logistic(1.0 + digital))
        interactive = _chance(rng, _logistic(0.6 + digital))
        transactional = interactive and _chance(rng, 0.7 if agency in ("bpkpad", "dpmptsp", "disdukcapil") else 0.12)
        host = _WEB_HOSTS.get(agency, agency.replace("_", ""))
        answers.update({
            "website_url": f"https://{host}.surakarta.go.id",
            "web_updated_regularly": _yes(updated),
            "update_frequency": _weighted(rng, [("daily", 3), ("weekly", 5), ("monthly", 1)] if updated
                                          else [("monthly", 3), ("rarely", 5)]),
            "offers_downloads": _yes(interactive or _chance(rng, 0.3)),
            "contact_web": _yes(interactive and _chance(rng, 0.85)),
            "contact_email": _yes(interactive and _chance(rng, 0.8) or _chance(rng, 0.2)),
            "contact_sms": _yes(interactive and _chance(rng, 0.6)),
            "online_payment": _yes(transactional),
            "online_transactions": _yes(transactional and _chance(rng, 0.8)),
            "integrated_services": _yes(transactional and _chance(rng, 0.3)),
        })
        if _chance(rng, 0.7):
            answers["monthly_visitors"] = round(math.exp(rng.gauss(8.5 + digital, 1.0)))
    answers["has_mobile_app"] = _yes(_chance(rng, _logistic(-1.5 + digital)))
    answers["services_g2c"] = _some(rng, [
        ("population_admin", 0.9 if agency == "disdukcapil" else 0.3 if agency.startswith("kec_") else 0.0),
        ("licensing", 0.9 if agency == "dpmptsp" else 0.0), ("tax_payment", 0.9 if agency == "bpkpad" else 0.0),
        ("health", 0.8 if agency == "dinkes" else 0.0), ("education", 0.8 if agency == "disdik" else 0.0),
        ("complaints", 0.4), ("information", 0.8 if has_website else 0.2),
        ("social_assistance", 0.8 if agency == "dinsos" else 0.0)], at_least_one=False)
    answers["services_g2b"] = _some(rng, [
        ("e_procurement", 0.9 if agency == "setda" else 0.1), ("business_licensing", 0.9 if agency == "dpmptsp" else 0.0),
        ("business_tax", 0.9 if agency == "bpkpad" else 0.0), ("investment_info", 0.7 if agency == "dpmptsp" else 0.02),
        ("tender_announcements", 0.25), ("other", 0.03)], at_least_one=False)
    answers["services_g2g"] = _some(rng, [
        ("staffing_system", 0.85), ("payroll_system", 0.6), ("data_exchange", _logistic(-0.5 + digital)),
        ("finance_system", 0.8), ("planning_system", 0.6), ("e_office", _logistic(0.3 + digital)),
        ("other", 0.03)], at_least_one=False)
    return answers


def _agencies(n: int, seed: int) -> list[dict[str, Any]]:
    """Every OPD once, in random order, then again for more than 20 (a later wave)."""
    rng = _rng(seed, "agency")
    names = list(AGENCIES)
    out = []
    while len(out) < n:
        rng.shuffle(names)
        out.extend(_agency(rng, name) for name in names[: n - len(out)])
    return out


def _civil_servants(n: int, seed: int) -> list[dict[str, Any]]:
    rng = _rng(seed, "civil_servant")
    return [_civil_servant(rng) for _ in range(n)]


_GENERATORS: dict[str, Callable[[int, int], list[dict[str, Any]]]] = {
    "household": _households,
    "civil_servant": _civil_servants,
    "agency": _agencies,
}


def generate(instrument_id: str, n: int, seed: int = 0) -> list[dict[str, Any]]:
    """`n` answer dicts for the instrument that `validate()` accepts; the same for the same seed."""
    if instrument_id not in _GENERATORS:
        raise ValueError(f"no simulator for {instrument_id!r} (known: {', '.join(_GENERATORS)})")
    if n < 0:
        raise ValueError("n must not be negative")
    return _GENERATORS[instrument_id](n, seed) if n else []


# ---------------------------------------------------------------------- CLI
def write_frame(frame: Sequence[FramePSU], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FRAME_COLUMNS)
        for row in frame:
            writer.writerow([getattr(row, column) for column in FRAME_COLUMNS])


def _response_ids(seed: int, stream: str) -> Callable[[], str]:
    rng = _rng(seed, f"ids/{stream}")
    return lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m survey.simulate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, required=True, help="number of households")
    parser.add_argument("--out", type=Path, required=True, help="store folder (ResponseStore root)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--civil-servants", type=int, default=0)
    parser.add_argument("--agencies", type=int, default=0)
    args = parser.parse_args(argv)

    from survey import ResponseStore

    args.out.mkdir(parents=True, exist_ok=True)
    frame = sample_frame(args.households, args.seed) if args.households else []
    write_frame(frame, args.out / "frame.csv")
    store = ResponseStore(args.out)

    households = generate("household", args.households, args.seed)
    enumerators = [f"enum{(i // 3) % 20 + 1:02d}" for i, psu in enumerate(frame) for _ in range(psu.households_sampled)]
    batches = [("household", households, enumerators),
               ("civil_servant", generate("civil_servant", args.civil_servants, args.seed), None),
               ("agency", generate("agency", args.agencies, args.seed), None)]
    for instrument_id, rows, who in batches:
        next_id = _response_ids(args.seed, instrument_id)
        for i, answers in enumerate(rows):
            enumerator = who[i] if who else f"enum{i % 5 + 21:02d}"
            store.submit(instrument_id, answers, enumerator=enumerator, response_id=next_id())
        if rows:
            print(f"{instrument_id}: {len(rows)} responses")
    print(f"frame: {len(frame)} PSUs -> {args.out / 'frame.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
