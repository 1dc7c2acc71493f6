"""The entry form in the field: drafts across sessions, steps, review, defaults, consent."""

import json

import pandas as pd
import pytest

from survey import ResponseStore
from survey.fieldwork.drafts import STALE_DAYS, Draft, Drafts
from survey.questionnaire.validate import survey_today
from survey.simulate import generate
from tests.support.app import fill, go_to, next_step, open_app, submit, to_review
from tests.support.interviews import SMALL

LOCATION = {k: SMALL[k] for k in ("kecamatan", "kelurahan", "rw", "rt", "psu")}
# Visit, location and household ICT access: the household is half done.
HALF = {k: v for k, v in SMALL.items() if k not in ("hh_size", "members", "used_egov", "egov_services",
                                                     "egov_channels", "egov_satisfaction", "income_monthly")}


def drafts_of(data_dir, name="enum01"):
    return Drafts(data_dir).list(name)


def subheader(at):
    return at.subheader[0].value


def progress(at):
    return at.get("progress")[0].proto.text


def texts(at, kind):
    return [e.value for e in getattr(at, kind)]


def test_a_draft_in_the_other_language_says_which_language_it_was_started_in(app, data_dir):
    fill(app, "household", HALF, lang="en", review=False)
    again = open_app(data_dir, "enum01")
    again.radio(key="lang").set_value("id").run()
    assert not again.exception
    back = next(s for s in texts(again, "success") if "kembali seperti saat ditinggalkan" in s)
    assert back.endswith("Draf ini dimulai dalam bahasa Inggris.")
    assert again.button(key="draft_lang").label == "Ganti ke bahasa Inggris"
    again.button(key="draft_lang").click().run()
    assert again.session_state["lang"] == "en" and not [b for b in again.button if b.key == "draft_lang"]


def test_a_half_filled_household_comes_back_in_a_new_session_of_the_same_login(app, data_dir):
    at = fill(app, "household", HALF, lang="id", review=False)
    where = (subheader(at), progress(at))
    assert where[0] == "Akses TIK rumah tangga"
    [draft] = drafts_of(data_dir)
    assert draft.values["respondent_name"] == "Nur'aini Rahmawati" and draft.lang == "id"

    again = open_app(data_dir, "enum01")  # a reload: a new session, logged in again (in English)
    assert (subheader(again), progress(again)) == ("Household ICT access", where[1].replace("Bagian", "Section")
                                                   .replace(" dari ", " of "))
    back = next(s for s in texts(again, "success") if "is back as you left it" in s)
    assert back.endswith("This draft was started in Indonesian.")     # the language it was typed in
    assert again.button(key="draft_lang").label == "Switch to Indonesian"
    assert again.radio(key="has_internet").value == "yes"
    assert go_to(again, "respondent_name").text_input(key="respondent_name").value == "Nur'aini Rahmawati"
    assert again.session_state["_response_id_household"] == draft.response_id

    fill(again, "household", SMALL)
    again.button(key="submit").click().run()
    assert texts(again, "success")[0].startswith("Saved.")
    assert ResponseStore(data_dir).read("household")["_response_id"].tolist() == [draft.response_id]
    assert drafts_of(data_dir) == []  # a submitted interview's draft is removed


def test_two_interviews_in_progress_are_listed_to_pick_from(app, data_dir):
    at = fill(app, "household", {"visit_outcome": "completed", "consent": "yes", "respondent_name": "Sri"},
              review=False)
    at.button(key="set_aside").click().run()
    assert go_to(at, "respondent_name").text_input(key="respondent_name").value == ""
    at.text_input(key="respondent_name").input("Budi").run()
    assert "Interviews in progress (1)" in [e.label for e in at.expander]
    assert len(drafts_of(data_dir)) == 2

    again = open_app(data_dir, "enum01")
    assert not texts(again, "success")  # nothing comes back by itself: the enumerator picks
    [listing] = [e for e in again.expander if e.label == "Interviews in progress (2)"]
    lines = [m.value for m in listing.markdown]
    pick = next(i for i, line in enumerate(lines) if "Sri" in line)
    assert any("Budi" in line for line in lines)
    again.button(key=f"resume_draft_{pick}").click().run()
    assert go_to(again, "respondent_name").text_input(key="respondent_name").value == "Sri"
    [listing] = [e for e in again.expander if e.label.startswith("Interviews in progress")]
    assert listing.label == "Interviews in progress (1)" and "Budi" in listing.markdown[0].value


def test_discard_ends_a_draft(app, data_dir):
    at = fill(app, "household", {"visit_outcome": "completed", "consent": "yes", "respondent_name": "Sri"},
              review=False)
    assert len(drafts_of(data_dir)) == 1
    at.button(key="discard_draft").click().run()
    assert drafts_of(data_dir) == []
    assert "The interview was discarded." in texts(at, "info")
    assert subheader(at) == "Visit and consent" and at.radio(key="visit_outcome").value is None
    again = open_app(data_dir, "enum01")
    assert not again.expander and not texts(again, "success")


def test_old_drafts_are_listed_not_resumed_nor_deleted(data_dir):
    drafts = Drafts(data_dir, clock=lambda: 1_000_000.0)
    drafts.save(Draft("enum01", "household", "old-one", values={"respondent_name": "Sri"}, step="interview_date"))
    at = open_app(data_dir, "enum01")
    [listing] = at.expander
    assert listing.label == "Interviews in progress (1)"
    assert f"more than {STALE_DAYS} days old" in listing.markdown[0].value
    assert at.session_state["_response_id_household"] != "old-one"
    at.button(key="discard_draft_0").click().run()
    assert drafts_of(data_dir) == []


def test_the_date_defaults_to_today_and_the_location_carries_over(app, data_dir):
    at = next_step(fill(app, "household", {"visit_outcome": "completed", "consent": "yes"}, review=False))
    assert at.date_input(key="interview_date").value == survey_today()
    assert at.selectbox(key="kelurahan").disabled
    assert at.selectbox(key="kelurahan").proto.placeholder == "Choose the kecamatan first"
    at.radio(key="lang").set_value("id").run()
    assert at.selectbox(key="kelurahan").proto.placeholder == "Pilih kecamatan dulu"
    at.radio(key="lang").set_value("en").run()

    fill(at, "household", SMALL)
    at.button(key="submit").click().run()
    at.button(key="new_interview").click().run()
    go_to(at, "kecamatan")
    assert {k: at.session_state[k] for k in LOCATION} == LOCATION  # the neighbour's block
    assert at.date_input(key="interview_date").value == survey_today()
    assert at.text_input(key="respondent_name").value == ""
    at.number_input(key="rt").set_value(3).run()  # editable
    assert at.number_input(key="rt").value == 3

    again = open_app(data_dir, "enum01")  # tomorrow's first interview, after a new login
    assert go_to(again, "psu").text_input(key="psu").value == LOCATION["psu"]


def test_steps_back_and_next_one_section_at_a_time(app):
    at = app
    assert subheader(at) == "Visit and consent" and at.button(key="previous_step").disabled
    assert progress(at).startswith("Section 1 of ")
    assert "interview_date" not in {w.key for w in at.date_input}
    at.radio(key="visit_outcome").set_value("completed").run()
    assert not texts(at, "error")  # the consent is missing, but the step was not left yet
    next_step(at)
    assert subheader(at) == "Location and household identification" and progress(at).startswith("Section 2 of ")
    assert "has_radio" not in {w.key for w in at.radio}
    at.button(key="previous_step").click().run()
    assert subheader(at) == "Visit and consent" and at.radio(key="visit_outcome").value == "completed"
    # Next was allowed with the problem; now that the step was left, it is marked.
    assert "This question needs an answer." in texts(at, "error")


def test_each_member_is_a_step_titled_with_the_name(app):
    members = [{"member_name": "Ma'ruf Hidayat"}, {"member_name": ""}]
    at = go_to(fill(app, "household", {"hh_size": 2, "members": members}, review=False), "hh_size")
    assert subheader(at) == "Household members"
    assert not [m for m in at.markdown if "Household member" in m.value]  # the roster heading is not repeated
    assert any("The next 2 step(s)" in c.value for c in at.caption)
    next_step(at)
    # a typed name is literal Markdown (ui.plain_text): the apostrophe is escaped
    assert subheader(at) == "Member 1: Ma\\'ruf Hidayat" and "age__0" in {w.key for w in at.number_input}
    next_step(at)
    assert subheader(at) == "Member 2" and "age__1" in {w.key for w in at.number_input}
    next_step(at)
    assert subheader(at) == "City e-government services"


def test_the_review_step_lists_every_problem_and_jumps_to_it(app):
    at = to_review(fill(app, "household", {"visit_outcome": "completed", "consent": "yes", "hh_size": 1,
                                           "members": [{"member_name": "Dewi", "age": 250}]}, review=False))
    assert any("need correcting" in w for w in texts(at, "warning"))
    jumps = {b.key for b in at.button if b.key.startswith("review_goto__")}
    assert {"review_goto__interview_date", "review_goto__has_radio", "review_goto__members__0"} <= jumps
    lines = "\n".join(m.value for m in at.markdown)
    assert "**Member 1: Dewi** · Section 5 of 8" in lines
    assert "- **Age (completed years)**: Enter a value from 0 to 120." in lines
    assert "- **Respondent's name**: This question needs an answer." in lines
    at.button(key="review_goto__members__0").click().run()
    assert subheader(at) == "Member 1: Dewi"
    assert at.number_input(key="age__0").value == 250
    at.number_input(key="age__0").set_value(25).run()
    to_review(at)
    assert "- **Age (completed years)**: Enter a value from 0 to 120." not in "\n".join(m.value for m in at.markdown)
    at.button(key="review_goto__members__0").click().run()
    assert "This question needs an answer." in texts(at, "error")  # the member's sex, marked where it is missing


def test_no_calculated_value_from_an_invalid_answer(app):
    at = fill(app, "household", {"hh_size": 1, "members": [{"age": 250}]}, review=False)
    assert not [c for c in at.caption if "Age group" in c.value]
    at.number_input(key="age__0").set_value(80).run()
    assert "Age group (ITU): **75\\+**" in [c.value for c in at.caption]   # a value is literal Markdown
    at.number_input(key="age__0").set_value(250).run()
    assert not [c for c in at.caption if "Age group" in c.value]


def test_hints_under_the_question_and_rupiah_echoed(app):
    at = fill(app, "household", {"ict_spending": 1234567}, review=False)
    assert "**IDR 1,234,567**" in [m.value for m in at.markdown]  # as the review and the tables write it
    assert not at.number_input(key="ict_spending").help  # no tooltip: the hint is a caption under it
    assert any(c.value.startswith("Airtime, data packages") for c in at.caption)
    at.radio(key="lang").set_value("id").run()
    assert "**Rp1.234.567**" in [m.value for m in at.markdown]


def test_a_refused_consent_is_stored_as_a_refusal_with_its_place(app, data_dir):
    at = fill(app, "household", {"visit_outcome": "completed", "consent": "no"}, review=False)
    assert any("The interview ends here" in i for i in texts(at, "info"))
    next_step(at)
    # Only the identifying questions follow (date and place), so the refusal counts in its PSU.
    assert subheader(at) == "Location and household identification" and progress(at) == "Section 2 of 3"
    assert "respondent_name" not in {w.key for w in at.text_input}
    fill(at, "household", LOCATION, review=False)
    next_step(at)
    assert subheader(at) == "Review and submit" and progress(at) == "Section 3 of 3"
    assert any("stored as a short record" in i for i in texts(at, "info"))
    at.button(key="submit").click().run()
    assert texts(at, "success")[0].startswith("Saved.")
    row = ResponseStore(data_dir).read("household").iloc[0]
    assert (row["visit_outcome"], row["consent"], row["psu"]) == ("completed", "no", LOCATION["psu"])
    assert not pd.isna(row["interview_date"]) and pd.isna(row["hh_size"])
    assert ResponseStore(data_dir).read("household_members").empty


def test_a_visit_without_an_interview_is_a_short_record(app, data_dir):
    at = fill(app, "household", {"visit_outcome": "nobody_home", **LOCATION}, review=False)
    assert "consent" not in {w.key for w in at.radio}
    submit(at)
    row = ResponseStore(data_dir).read("household").iloc[0]
    assert (row["visit_outcome"], row["kecamatan"]) == ("nobody_home", LOCATION["kecamatan"])


def test_a_correction_in_progress_comes_back_as_a_correction(data_dir):
    answers = generate("agency", 1, seed=11)[0]
    store = ResponseStore(data_dir)
    store.submit("agency", answers, enumerator="enum01", response_id="mine-1")
    at = open_app(data_dir, "enum01")
    at.switch_page("ui/pages/my_submissions.py").run()
    at.selectbox(key="correct_choice").set_value("agency/mine-1")
    at.button(key="correct_open").click().run()
    at = at.switch_page("ui/pages/entry.py")
    go_to(at.run(), "staff_count").number_input(key="staff_count").set_value(answers["staff_count"] + 5).run()
    [draft] = drafts_of(data_dir)
    assert (draft.response_id, draft.base_revision) == ("mine-1", 1)

    again = open_app(data_dir, "enum01")
    assert any("Correcting interview mine-1 (revision 1)" in i for i in texts(again, "info"))
    assert again.number_input(key="staff_count").value == answers["staff_count"] + 5
    submit(again)
    row = store.read("agency").iloc[0]
    assert (row["_revision"], row["staff_count"]) == (2, answers["staff_count"] + 5)
    assert drafts_of(data_dir) == []


def test_a_draft_file_holds_what_was_typed_even_when_wrong(app, data_dir):
    fill(app, "household", {"visit_outcome": "completed", "consent": "yes", "psu": "jeb 7",
                            "interview_date": survey_today()}, review=False)
    [path] = (data_dir / "drafts" / "enum01").glob("household.*.draft.json")
    values = json.loads(path.read_text())["values"]
    assert values["psu"] == "jeb 7" and values["interview_date"] == survey_today().isoformat()


def test_a_full_disk_keeps_the_answers_and_says_so(app, data_dir, monkeypatch):
    import errno

    from survey.store.response_store import ResponseStore as Store

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    at = fill(app, "household", {"visit_outcome": "nobody_home"})
    monkeypatch.setattr(Store, "submit", full)
    at.button(key="submit").click().run()
    assert any("disk is full" in e for e in texts(at, "error"))
    at.radio(key="lang").set_value("id").run()
    assert any("Disk server penuh" in e for e in texts(at, "error"))
    assert len(drafts_of(data_dir)) == 1  # the interview is still kept as a draft

    monkeypatch.setattr(Drafts, "save", full)
    go_to(at, "visit_outcome").radio(key="visit_outcome").set_value("refused").run()
    assert any("could not be kept as a draft" in w or "tidak dapat disimpan sebagai draf" in w for w in texts(at, "warning"))
    assert at.radio(key="visit_outcome").value == "refused"  # still on screen


def test_a_draft_over_the_cap_is_not_kept_and_the_form_says_so(app, data_dir, monkeypatch):
    import survey.fieldwork.drafts as drafts_module

    at = fill(app, "household", HALF, review=False)
    [before] = drafts_of(data_dir)
    size = len((data_dir / "drafts" / "enum01" / f"household.{before.response_id}.draft.json").read_bytes())
    monkeypatch.setattr(drafts_module, "MAX_DRAFT_BYTES", size + 20)  # the form's own widgets stop far below 1 MB
    go_to(at, "respondent_name").text_input(key="respondent_name").input("x" * 100).run()
    assert any("too large to keep as a draft" in w for w in texts(at, "warning"))
    assert at.text_input(key="respondent_name").value == "x" * 100  # still on screen
    [after] = drafts_of(data_dir)
    assert after.values["respondent_name"] == before.values["respondent_name"]  # the last good draft stays


def test_a_full_disk_under_the_form_says_the_server_is_out_of_space_and_keeps_the_answers(app, data_dir):
    from tests.survey.test_full_disk import fill_the_disk

    at = fill(app, "household", HALF, review=False)
    with pytest.MonkeyPatch.context() as disk:  # its own: undoing it must not undo the app's data folder
        fill_the_disk(disk)
        go_to(at, "respondent_name").text_input(key="respondent_name").input("Sri Wahyuni").run()
        assert not at.exception
        assert any("disk is full" in w and "could not be kept as a draft" in w for w in texts(at, "warning"))
        fill(at, "household", {**SMALL, "respondent_name": "Sri Wahyuni"})
        at.button(key="submit").click().run()
        assert not at.exception
        assert any("disk is full" in e for e in texts(at, "error"))
        assert at.session_state["respondent_name"] == "Sri Wahyuni"  # the answers stay in the session
    at.button(key="submit").click().run()
    assert texts(at, "success")[0].startswith("Saved.")
    assert ResponseStore(data_dir).read("household")["respondent_name"].tolist() == ["Sri Wahyuni"]


def test_an_unreadable_draft_is_set_aside_and_the_entry_page_still_opens(app, data_dir):
    import stat

    fill(app, "household", HALF, review=False)
    [good] = drafts_of(data_dir)
    folder = data_dir / "drafts" / "enum01"
    deep = folder / "household.deep.draft.json"
    deep.write_text('{"enumerator": "enum01", "instrument": "household", "response_id": "deep", "values": '
                    + "[" * 100_000 + "]" * 100_000 + "}")
    (folder / "agency.junk.draft.json").write_text("{not json")
    again = open_app(data_dir, "enum01")  # a new login: the page lists and resumes drafts
    assert not again.exception
    assert any("2 interview(s) in progress could not be read back" in w for w in texts(again, "warning"))
    assert again.session_state["_response_id_household"] == good.response_id  # the good draft came back
    aside = data_dir / "drafts_aside" / "enum01"
    assert sorted(p.name for p in aside.iterdir()) == ["agency.junk.draft.json", "household.deep.draft.json"]
    assert {stat.S_IMODE(p.stat().st_mode) for p in aside.iterdir()} == {0o600}
    assert [d.response_id for d in drafts_of(data_dir)] == [good.response_id]
    again.radio(key="lang").set_value("id").run()  # said once, not on every run
    assert not any("disisihkan" in w for w in texts(again, "warning"))
