"""Answers to the household questionnaire that the entry tests type in (and store directly)."""

from survey.questionnaire.validate import survey_today

TODAY = survey_today()

HOUSEHOLD = {
    "visit_outcome": "completed",
    "consent": "yes",
    "interview_date": TODAY,
    "kecamatan": "jebres",
    "kelurahan": "mojosongo",
    "rw": 4,
    "rt": 2,
    "psu": "JEB-007",
    "respondent_name": "Nur'aini Rahmawati",
    "phone": "081234567890",
    "address": "Jl. Kapten Piere Tendean No. 5, Gg. Melati",
    "has_radio": "no",
    "has_tv": "yes",
    "has_fixed_phone": "no",
    "has_mobile": "yes",
    "has_computer": "yes",
    "has_internet": "yes",
    "internet_type": ["mobile_broadband", "fixed_broadband"],
    "ict_spending": 250000,
    "hh_size": 4,
    "members": [
        {"member_name": "Ma'ruf Hidayat", "sex": "male", "age": 44, "relationship": "head",
         "education": "senior_secondary", "labour_status": "employed", "used_mobile": "yes",
         "owns_mobile": "yes", "used_computer": "yes", "used_internet": "yes",
         "internet_location": ["home", "work"], "internet_frequency": "daily",
         "internet_activities": ["email", "government_services"], "ict_skills": ["copy_paste"]},
        {"member_name": "Siti Aminah", "sex": "female", "age": 41, "relationship": "spouse",
         "education": "tertiary", "labour_status": "employed", "used_mobile": "yes",
         "owns_mobile": "yes", "used_computer": "no", "used_internet": "yes",
         "internet_location": ["home"], "internet_frequency": "weekly",
         "internet_activities": ["social_media"], "ict_skills": ["none_of_these"]},
        {"member_name": "Dewi", "sex": "female", "age": 12, "relationship": "child",
         "education": "primary", "used_mobile": "yes", "owns_mobile": "no",
         "used_computer": "yes", "used_internet": "no", "internet_nonuse_reason": ["lack_skills"],
         "ict_skills": ["copy_files", "presentation"]},
        {"member_name": "Bagus", "sex": "male", "age": 3, "relationship": "child"},
    ],
    "used_egov": "yes",
    "egov_services": ["population_admin"],
    "egov_channels": ["website"],
    "egov_satisfaction": "4",
}
# The same household with its head only: for tests about something other than the roster.
SMALL = {**HOUSEHOLD, "hh_size": 1, "members": HOUSEHOLD["members"][:1]}
