"""The websites' evidence beside the agencies' own answers: criteria found, the site's own stage on
the ladder, and the disagreements flagged in both languages."""

from __future__ import annotations

import pandas as pd

from analysis.indicators.egov import agency_stages
from analysis.indicators.website_evidence import evidence_frame, evidence_table, history_table, site_stage, site_table

YES = dict.fromkeys(("has_website", "web_updated_regularly", "offers_downloads", "contact_web", "contact_email",
                     "contact_sms", "online_payment", "online_transactions", "integrated_services"), "yes")


def snapshot(agency, checked="2026-12-01T08:00:00+00:00", **found):
    base = {"url": f"https://{agency}.surakarta.go.id", "agency": agency, "checked_at": checked, "reachable": True,
            "status": 200, "https": True, "certificate_valid": True, "certificate_days_left": 60,
            "response_ms": 120, "mobile_viewport": True, "newest_date": "2026-11-20", "pages_visited": 30,
            "documents": ["https://x/a.pdf"], "contacts": ["email", "phone"], "search": True, "transactions": [],
            "other_agencies": [], "single_sign_on": False,
            "stage_evidence": {"Emerging": True, "Enhanced": True, "Interactive": True, "Transactional": False,
                               "Seamless": False}, "errors": []}
    return {**base, **found}


def stages():
    answers = pd.DataFrame([{"agency": "dinkes", **YES, "integrated_services": "no"},
                            {"agency": "dishub", **YES, "offers_downloads": "no", "online_payment": "no",
                             "online_transactions": "no", "integrated_services": "no"},
                            {"agency": "dinsos", **YES}])
    return agency_stages(answers)


def test_an_answer_the_site_does_not_bear_out_is_flagged_with_what_was_looked_at():
    snaps = [snapshot("dinkes", documents=[], checked="2026-11-01T00:00:00+00:00"),
             snapshot("dinkes", documents=[], transactions=["payment"]),        # the latest counts
             snapshot("dishub")]
    frame = evidence_frame(stages(), snaps).set_index(["agency", "criterion"])
    assert set(frame.index.get_level_values(0)) == {"dinkes", "dishub"}       # dinsos was never checked
    downloads = frame.loc[("dinkes", "downloads")]
    assert (downloads["says"], downloads["found"], downloads["agrees"]) == ("yes", "no", False)
    assert downloads["flag"] == {"en": "says downloads: yes; none found on 30 pages",
                                 "id": "menyatakan unduhan: ya; tidak ditemukan di 30 halaman"}
    assert frame.loc[("dinkes", "transactions"), "agrees"]
    denied = frame.loc[("dishub", "downloads")]
    assert denied["flag"]["en"] == "says downloads: no; 1 documents" and not denied["agrees"]
    assert frame.loc[("dishub", "two_way_contact"), "detail"]["en"] == "e-mail"   # the phone is not two-way
    table = evidence_table(stages(), snaps, {"dinkes": {"en": "Health Office", "id": "Dinas Kesehatan"}})
    assert table.stats["disagreements"] == int((~frame["agrees"]).sum()) == 2
    for lang, header, text in (("en", "Disagreement", "⚠ says downloads: yes; none found on 30 pages"),
                               ("id", "Ketidaksesuaian", "⚠ menyatakan unduhan: ya; tidak ditemukan di 30 halaman")):
        shown = table.to_frame(lang, formatted=True)
        assert text in set(shown[header])
    assert "Dinas Kesehatan" in set(table.to_frame("id")["Perangkat daerah"])


def test_an_old_date_is_not_regular_updating():
    frame = evidence_frame(stages(), [snapshot("dinkes", newest_date="2026-08-01")]).set_index("criterion")
    assert frame.loc["updated_regularly", "found"] == "no"
    assert frame.loc["updated_regularly", "flag"]["en"] == "says updated regularly: yes; newest date 2026-08-01"


def test_the_site_stage_is_a_ladder_and_sits_beside_the_stage_answered():
    gap = snapshot("dinsos", stage_evidence={"Emerging": True, "Enhanced": False, "Interactive": True,
                                             "Transactional": True, "Seamless": True})
    assert site_stage(gap) == "emerging" and site_stage(snapshot("dinkes")) == "interactive"
    table = site_table([gap, snapshot("dinkes")], stages())
    rows = table.data.set_index("agency")
    assert rows.loc["dinsos", "stage_said"] == "seamless" and rows.loc["dinsos", "stage_found"] == "emerging"
    assert set(table.to_frame("en", formatted=True)["Stage found"]) == {"Emerging", "Interactive"}
    history = history_table([snapshot("dinkes", checked="2026-10-01T00:00:00+00:00"), snapshot("dinkes")])
    assert [str(d) for d in history.data["checked"]] == ["2026-12-01", "2026-10-01"]
