"""A hand-counted fieldwork: eleven visits to four PSUs in two strata, and their frame.

tests/analysis/test_response.py explains the count (dispositions, response rates and the
non-response adjustment); tests/analysis/test_fieldwork.py uses the same visits.
"""

import pandas as pd

from survey.questionnaire.model import instrument_from_yaml

FORM = """
id: visits
version: 1
title: {id: Kunjungan, en: Visits}
design:
  strata: kecamatan
  psu: psu
  weights: {base: frame}
fieldwork:
  outcome: {question: visit_outcome, completed: completed, refusal: [refused], noncontact: [nobody_home],
            ineligible: [vacant_or_not_found]}
  consent: {question: consent, agreed: "yes"}
choice_lists:
  outcome:
    - {name: completed, label: {id: Selesai, en: Completed}}
    - {name: refused, label: {id: Menolak, en: Refused}}
    - {name: nobody_home, label: {id: Tidak ada orang, en: Nobody home}}
    - {name: vacant_or_not_found, label: {id: Kosong, en: Vacant}}
    - {name: other, label: {id: Lainnya, en: Other}}
  yes_no:
    - {name: "yes", label: {id: Ya, en: "Yes"}}
    - {name: "no", label: {id: Tidak, en: "No"}}
  kecamatan:
    - {name: serengan, label: {id: Serengan, en: Serengan}}
    - {name: laweyan, label: {id: Laweyan, en: Laweyan}}
questions:
  - {name: visit_outcome, type: select_one, choices: outcome, label: {id: Hasil, en: Outcome}}
  - {name: consent, type: select_one, choices: yes_no, label: {id: Setuju, en: Consent},
     relevant: "${visit_outcome} = 'completed'"}
  - {name: kecamatan, type: select_one, choices: kecamatan, label: {id: Kecamatan, en: District}}
  - {name: psu, type: text, label: {id: PSU, en: PSU}}
  - {name: has_internet, type: select_one, choices: yes_no, label: {id: Internet, en: Internet},
     relevant: "${consent} = 'yes'"}
"""
INST = instrument_from_yaml(FORM)

RECORDS = pd.DataFrame([
    # rid, status, outcome, consent, kecamatan, psu, internet
    ("a1", "submitted", "completed", "yes", "laweyan", "LAW-001", "yes"),
    ("a2", "approved", "completed", "yes", "laweyan", "LAW-001", "no"),
    ("a3", "submitted", "refused", None, "laweyan", "LAW-001", None),
    ("a4", "submitted", "completed", "no", "laweyan", "LAW-001", None),
    ("a5", "submitted", "vacant_or_not_found", None, "laweyan", "LAW-001", None),
    ("b1", "submitted", "completed", "yes", "laweyan", "LAW-002", "yes"),
    ("b2", "on_hold", "completed", "yes", "laweyan", "LAW-002", "yes"),
    ("b3", "submitted", "nobody_home", None, "laweyan", "LAW-002", None),
    ("b4", "rejected", "completed", "yes", "laweyan", "LAW-002", "no"),
    ("c1", "submitted", "completed", "yes", "serengan", "SER-001", "no"),
    ("c2", "submitted", "other", None, "serengan", "SER-001", None),
], columns=["_response_id", "_status", "visit_outcome", "consent", "kecamatan", "psu", "has_internet"]).astype("string")

FRAME = pd.DataFrame({
    "kecamatan": ["laweyan", "laweyan", "serengan", "serengan"], "psu": ["LAW-001", "LAW-002", "SER-001", "SER-002"],
    "households_in_psu": ["50", "40", "30", "20"], "psus_in_stratum": ["10", "10", "20", "20"],
    "prob_psu": ["0.2", "0.2", "0.1", "0.1"], "prob_within": ["0.1", "0.1", "0.1", "0.1"],
    "kelurahan": ["pajang", "bumi", "tipes", "kratonan"], "households_sampled": ["5", "4", "3", "2"]})
