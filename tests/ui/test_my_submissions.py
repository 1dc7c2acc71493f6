"""My submissions: only one's own rows, newest first, and corrections until a review."""

from __future__ import annotations

import datetime as dt
import re

from survey import ResponseStore, load_instrument
from survey.locale import WIB
from survey.simulate import generate
from tests.support.app import go_to, open_app, submit
from ui.entry.submissions import my_submissions

AGENCY = generate("agency", 3, seed=11)


def open_correction(at, choice):
    at.selectbox(key="correct_choice").set_value(choice)
    at.button(key="correct_open").click().run()
    assert not at.exception
    # The app switched to the entry page; AppTest keeps asking for the page a test last
    # switched to, so follow the switch as a browser does.
    return at.switch_page("ui/pages/entry.py")


def seed_store(data_dir):
    store = ResponseStore(data_dir)
    store.submit("agency", AGENCY[0], enumerator="enum01", response_id="mine-1")
    store.submit("agency", AGENCY[1], enumerator="enum02", response_id="theirs-1")
    store.submit("agency", AGENCY[2], enumerator="enum01", response_id="mine-2")
    return store


def test_only_the_logged_in_enumerators_rows_newest_first(data_dir):
    seed_store(data_dir)
    at = open_app(data_dir, "enum01")
    at.switch_page("ui/pages/my_submissions.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Response ID"].tolist() == ["mine-2", "mine-1"]
    assert set(table["Status"]) == {"submitted"}
    assert [m.value for m in at.metric] == ["2", "2"]



def test_each_interview_is_named_by_what_the_enumerator_typed_and_a_short_id(data_dir):
    """On a phone only the start of a line shows: the respondent's name and address (the
    questionnaire's fieldwork: identify) and the ID's first 8 characters come first."""
    store = ResponseStore(data_dir)
    households = [dict(a, respondent_name=name, address=address) for a, name, address in zip(
        generate("household", 2, seed=5), ["Sri Wahyuni", "Budi O'Brien"], ["Jl. Kenanga 4", "Gg. Mawar 7"])]
    ids = [store.submit("household", a, enumerator="enum01").response_id for a in households]
    store.submit("agency", AGENCY[0], enumerator="enum01", response_id="agency-response-1")
    at = open_app(data_dir, "enum01")
    at.switch_page("ui/pages/my_submissions.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns[:2]) == ["Respondent", "Response ID"]
    named = dict(zip(table["Response ID"], table["Respondent"]))
    assert named[ids[0][:8]] == "Sri Wahyuni · Jl. Kenanga 4" and named[ids[1][:8]] == "Budi O'Brien · Gg. Mawar 7"
    agency = load_instrument("agency")
    assert named["agency-r"] == agency.question("agency").choices[AGENCY[0]["agency"]]["en"] + " · " + \
        agency.question("respondent_role").choices[AGENCY[0]["respondent_role"]]["en"]
    labels = at.selectbox(key="correct_choice")
    assert labels.format_func(f"household/{ids[0]}").startswith(f"Sri Wahyuni · Jl. Kenanga 4 · {ids[0][:8]} · ")

def test_times_read_with_the_month_as_a_word_and_the_zone(data_dir):
    """"7 Des 2026 03.58 WIB", never "07-12 03:58" (7 December or 12 July?)."""
    seed_store(data_dir)
    at = open_app(data_dir, "enum01")
    at.radio(key="lang").set_value("id").run()
    at.switch_page("ui/pages/my_submissions.py").run()
    stamp = r"\d{1,2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des) 20\d\d \d\d\.\d\d WIB"
    assert all(re.fullmatch(stamp, when) for when in at.dataframe[0].value["Waktu (WIB)"])
    label = at.selectbox(key="correct_choice").options[0]     # AppTest lists what the user reads
    assert re.search(" · " + stamp + " · ", label), label


def test_the_window_is_today_and_the_last_seven_days(data_dir):
    store = seed_store(data_dir)
    today = dt.datetime.now(WIB).date()
    assert my_submissions(store, "enum01", today)["response_id"].tolist() == ["mine-2", "mine-1"]
    assert len(my_submissions(store, "enum01", today + dt.timedelta(days=7))) == 2
    assert my_submissions(store, "enum01", today + dt.timedelta(days=8)).empty
    assert my_submissions(store, "nobody", today).empty


def test_review_decisions_and_comments_reach_the_enumerator(data_dir):
    store = seed_store(data_dir)
    store.set_status("agency", "mine-1", "rejected", editor="sup1", note="Staff count looks wrong", base_revision=1)
    at = open_app(data_dir, "enum01")
    at.switch_page("ui/pages/my_submissions.py").run()
    table = at.dataframe[0].value.set_index("Response ID")
    assert table.loc["mine-1", "Status"] == "rejected"
    assert table.loc["mine-1", "Comment"] == "Staff count looks wrong"
    # Listed by the time of its first submission, not of the review.
    assert table.index.tolist() == ["mine-2", "mine-1"]


def test_an_unreviewed_interview_is_corrected_as_a_new_revision(data_dir):
    store = seed_store(data_dir)
    at = open_app(data_dir, "enum01")
    at.switch_page("ui/pages/my_submissions.py").run()
    assert len(at.selectbox(key="correct_choice").options) == 2
    open_correction(at, "agency/mine-1")
    assert at.selectbox(key="instrument").value == "agency" and at.selectbox(key="instrument").disabled
    assert "Correcting interview mine-1 (revision 1)" in at.info[0].value
    assert go_to(at, "staff_count").number_input(key="staff_count").value == AGENCY[0]["staff_count"]
    at.number_input(key="staff_count").set_value(AGENCY[0]["staff_count"] + 1).run()
    submit(at)
    assert "Correction saved as revision 2" in at.success[0].value
    row = store.read("agency").set_index("_response_id").loc["mine-1"]
    assert row["_revision"] == 2 and row["_status"] == "submitted" and row["_editor"] == "enum01"
    assert row["staff_count"] == AGENCY[0]["staff_count"] + 1
    assert row["_enumerator"] == "enum01"
    revised = [e for e in store.audit.entries() if e["action"] == "revise"]
    assert [(e["user"], e["object"], e["detail"]["revision"]) for e in revised] == [("enum01", "agency/mine-1", 2)]


def test_a_reviewed_interview_cannot_be_corrected(data_dir):
    store = seed_store(data_dir)
    store.set_status("agency", "mine-1", "approved", editor="sup1", base_revision=1)
    store.set_status("agency", "mine-2", "on_hold", editor="sup1", base_revision=1)
    at = open_app(data_dir, "enum01")
    at.switch_page("ui/pages/my_submissions.py").run()
    assert any("every one has been reviewed" in c.value for c in at.main.caption)
    assert not [s for s in at.selectbox if s.key == "correct_choice"]


def test_a_review_during_the_correction_stops_its_save(data_dir):
    store = seed_store(data_dir)
    at = open_app(data_dir, "enum01")
    at.switch_page("ui/pages/my_submissions.py").run()
    open_correction(at, "agency/mine-2").run()
    store.set_status("agency", "mine-2", "approved", editor="sup1", base_revision=1)
    submit(at)
    assert any("can no longer be corrected" in e.value for e in at.error)
    assert store.read("agency").set_index("_response_id").loc["mine-2", "_status"] == "approved"


def test_an_interview_in_progress_comes_back_after_a_correction(data_dir):
    seed_store(data_dir)
    at = open_app(data_dir, "enum01")
    at.selectbox(key="instrument").set_value("agency").run()
    go_to(at, "staff_count").number_input(key="staff_count").set_value(77).run()
    at.switch_page("ui/pages/my_submissions.py").run()
    open_correction(at, "agency/mine-1").run()
    assert go_to(at, "staff_count").number_input(key="staff_count").value == AGENCY[0]["staff_count"]
    at.button(key="correct_cancel").click().run()
    assert not [i for i in at.info if "Correcting" in i.value]
    assert at.number_input(key="staff_count").value == 77  # back on the step it was left at


PILOT = """
id: pilot
version: 1
title: {id: Uji coba, en: Pilot}
questions:
  - {name: staff, type: integer, label: {id: Staf, en: Staff}}
"""


def test_a_store_with_its_own_questionnaire_folder_lists_its_own_questionnaires(tmp_path):
    from ui.entry.submissions import sent_back

    folder = tmp_path / "instruments"   # not survey/instruments: only the pilot questionnaire is here
    folder.mkdir()
    (folder / "pilot.yaml").write_text(PILOT, encoding="utf-8")
    store = ResponseStore(tmp_path / "store", instruments_dir=folder)
    store.submit("pilot", {"staff": 3}, enumerator="enum01", response_id="p-1")
    store.submit("pilot", {"staff": 5}, enumerator="enum01", response_id="p-2")
    store.set_status("pilot", "p-2", "rejected", editor="sup1", note="Count again", base_revision=1)
    today = dt.datetime.now(WIB).date()
    mine = my_submissions(store, "enum01", today)
    assert set(mine["instrument"]) == {"pilot"} and sorted(mine["response_id"]) == ["p-1", "p-2"]
    back = sent_back(store, "enum01")
    assert back[["instrument", "response_id", "note"]].values.tolist() == [["pilot", "p-2", "Count again"]]


def test_my_submissions_can_be_downloaded_as_the_page_shows_them(data_dir):
    """Issue 23, item 1: the list is a SummaryTable with its CSV, Excel and printable files, recorded."""
    from analysis.tables import fieldwork_tables

    seed_store(data_dir)
    at = open_app(data_dir, "enum01")
    at.switch_page("ui/pages/my_submissions.py").run()
    keys = {b.key for b in at.get("download_button")}
    assert {"my_submissions_csv", "my_submissions_xlsx", "my_submissions_html"} <= keys
    assert fieldwork_tables.TITLES["mine"]["en"] in " ".join(c.value for c in at.caption)
