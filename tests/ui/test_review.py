"""The review page and the way back to the enumerator, through AppTest.

A supervisor rejects an interview with a comment; the enumerator sees it on "My
submissions", reopens it in the entry form, corrects it and saves it; it is back in
the review queue as "submitted"; the supervisor approves it and the monitor's count of
approved interviews goes up. Decisions are based on the revision on screen, so a
second reviewer's decision in between is a clear message, never a silent overwrite.
"""

from __future__ import annotations

import json

import pandas as pd

from survey import ResponseStore
from survey.simulate import generate
from tests.support.app import as_read, go_to, open_app, submit

AGENCY = generate("agency", 3, seed=11)


def seed_store(data_dir) -> ResponseStore:
    store = ResponseStore(data_dir)
    store.submit("agency", AGENCY[0], enumerator="enum01", response_id="mine-1")
    store.submit("agency", AGENCY[1], enumerator="enum02", response_id="theirs-1")
    store.submit("agency", AGENCY[2], enumerator="enum01", response_id="mine-2")
    return store


def review(data_dir, instrument="agency", name="sup1"):
    at = open_app(data_dir, name, "supervisor")
    at.switch_page("ui/pages/review.py").run()
    assert not at.exception, at.exception
    if at.selectbox(key="review_instrument").value != instrument:
        at.selectbox(key="review_instrument").set_value(instrument).run()
    return at


def choose(at, rid):
    at.selectbox(key="review_choice").set_value(rid).run()
    assert not at.exception, at.exception
    return at


def decide(at, decision, comment=""):
    at.radio(key="review_decision").set_value(decision)
    at.text_area(key="review_note").input(comment)
    at.button(key="review_save").click().run()
    assert not at.exception, at.exception
    return at


def choices(at):
    """The response ids the queue offers (AppTest gives the options as their labels)."""
    return [option.split(" · ")[0] for option in at.selectbox(key="review_choice").options]


def texts(at, kind):
    return [e.value for e in getattr(at, kind)]


def metrics(at):
    return {m.label: m.value for m in at.metric}


def test_a_rejection_reaches_the_enumerator_who_corrects_it_back_into_the_queue(data_dir):
    store = seed_store(data_dir)
    sup = choose(review(data_dir), "mine-1")
    decide(sup, "rejected", "Staff count looks wrong: ask the secretary")
    assert texts(sup, "success") == ["Saved: rejected (revision 2)."]
    row = store.read("agency").set_index("_response_id").loc["mine-1"]
    assert (row["_status"], row["_note"], row["_editor"]) == ("rejected", "Staff count looks wrong: ask the secretary",
                                                             "sup1")
    assert "mine-1" not in choices(sup)   # out of the waiting queue

    enum = open_app(data_dir, "enum01")
    enum.switch_page("ui/pages/my_submissions.py").run()
    [notice] = [w for w in texts(enum, "warning") if "Staff count looks wrong" in w]
    assert "mine-1"[:8] in notice and "sup1" in notice
    assert any(" mine-1 · " in o and o.endswith(" · rejected") for o in enum.selectbox(key="correct_choice").options)
    enum.selectbox(key="correct_choice").set_value("agency/mine-1")
    enum.button(key="correct_open").click().run()
    enum.switch_page("ui/pages/entry.py").run()
    go_to(enum, "staff_count").number_input(key="staff_count").set_value(AGENCY[0]["staff_count"] + 5).run()
    submit(enum)
    assert "Correction saved as revision 3" in texts(enum, "success")[0]
    row = store.read("agency").set_index("_response_id").loc["mine-1"]
    assert (row["_status"], row["_revision"], row["_editor"], row["_enumerator"]) == ("submitted", 3, "enum01",
                                                                                      "enum01")
    assert row["staff_count"] == AGENCY[0]["staff_count"] + 5

    sup = choose(review(data_dir), "mine-1")     # back in the queue, with what changed
    changes = sup.dataframe[-1].value.set_index("Revision")
    changes.index = changes.index.astype(int)   # the table writes its numbers as text (survey.locale)
    # On a phone "old → new" shows beside the revision's number, wrapped (rows taller than 4rem), not cut.
    drawn = sup.dataframe[-1].proto
    shown = list(drawn.column_order) or list(sup.dataframe[-1].value.columns)   # the table's own order
    assert shown[:2] == ["Revision", "Changed answers (old → new)"] and drawn.row_height > 64
    assert changes.loc[3, "By"] == "enum01" and changes.loc[3, "Status"] == "submitted"
    assert changes.loc[2, "Comment"] == "Staff count looks wrong: ask the secretary"
    assert changes.loc[3, "Changed answers (old → new)"] == \
        f"Number of staff in the agency (civil servants and contract staff): {AGENCY[0]['staff_count']} → " \
        f"{AGENCY[0]['staff_count'] + 5}"
    assert changes.loc[2, "Changed answers (old → new)"] == "no answer changed"

    monitor = open_app(data_dir, "sup2", "supervisor")
    monitor.selectbox(key="monitor_instrument").set_value("agency").run()
    before = metrics(monitor)["Approved"]
    decide(sup, "approved", "Thanks, fixed")
    monitor.run()
    assert (before, metrics(monitor)["Approved"]) == ("0", "1")
    reviews = [(e["user"], e["object"], e["detail"]["status"]) for e in store.audit.entries(newest_first=False)
               if e["action"] == "review"]
    assert reviews == [("sup1", "agency/mine-1", "rejected"), ("sup1", "agency/mine-1", "approved")]
    assert [e["detail"] for e in store.audit.entries() if e["action"] == "revise"] == [
        {"revision": 3, "status": "submitted"}]


def test_a_rejection_needs_a_comment(data_dir):
    store = seed_store(data_dir)
    at = decide(choose(review(data_dir), "mine-2"), "rejected", "   ")
    assert texts(at, "error") == ["A rejection goes back to the enumerator: write in the comment what to correct."]
    assert store.history("agency", "mine-2")["_revision"].tolist() == [1]



def shown_enumerator(at):
    """The enumerator the page says did the interview on screen ("By **enum02**, first submitted ...")."""
    return next(m.value.split("**")[1] for m in at.markdown if m.value.startswith("By **"))


def test_after_a_decision_the_selector_the_interview_and_an_empty_form_agree(data_dir):
    store = seed_store(data_dir)
    at = choose(review(data_dir), "mine-1")
    assert at.radio(key="review_decision").value is None   # nothing pre-selected
    decide(at, "rejected", "The staff count is missing")
    assert store.history("agency", "mine-1")["_status"].tolist() == ["submitted", "rejected"]
    chosen = at.selectbox(key="review_choice").value
    assert chosen == "theirs-1"   # the next in the queue, named by the selector ...
    assert shown_enumerator(at) == "enum02"   # ... and shown
    assert at.radio(key="review_decision").value is None and not at.text_area(key="review_note").value
    at.button(key="review_save").click().run()   # a second click decides nothing
    assert texts(at, "error") == ["Choose a decision first (approve, reject or put on hold). Nothing was saved."]
    assert store.history("agency", "theirs-1")["_status"].tolist() == ["submitted"]


def test_a_decision_is_bound_to_the_interview_chosen(data_dir):
    store = seed_store(data_dir)
    at = choose(review(data_dir), "mine-2")
    at.selectbox(key="review_choice").set_value("theirs-1")   # chosen, but not yet drawn when Save is clicked
    decide(at, "rejected", "Written for mine-2")
    assert texts(at, "error") == ["The interview on screen is not the one chosen in the list; nothing was saved. "
                                  "Look at it again, then decide."]
    assert store.history("agency", "mine-2")["_status"].tolist() == ["submitted"]
    assert store.history("agency", "theirs-1")["_status"].tolist() == ["submitted"]
    assert at.selectbox(key="review_choice").value == "theirs-1" and shown_enumerator(at) == "enum02"

def test_two_reviewers_never_overwrite_each_other(data_dir):
    store = seed_store(data_dir)
    at = choose(review(data_dir), "theirs-1")
    store.set_status("agency", "theirs-1", "on_hold", editor="sup2", note="asking", base_revision=1)   # meanwhile
    decide(at, "approved")
    assert texts(at, "error") == ["Someone changed this interview after you opened it (it is now at revision 2); "
                                  "nothing was saved. Look at it again, then decide."]
    assert store.history("agency", "theirs-1")["_status"].tolist() == ["submitted", "on_hold"]
    decide(choose(at, "theirs-1"), "approved")   # looked at again: revision 2 on screen
    assert store.history("agency", "theirs-1")["_status"].tolist() == ["submitted", "on_hold", "approved"]


def test_an_answer_corrected_in_review_is_validated_like_a_submission(data_dir):
    store = seed_store(data_dir)
    at = choose(review(data_dir), "mine-2")
    at.selectbox(key="review_field").set_value("staff_count").run()
    at.text_input(key="review_value__staff_count").input("-3")
    at.button(key="review_fix").click().run()
    [error] = texts(at, "error")
    assert error.startswith("The corrected interview is not valid, so nothing was saved:")
    assert "staff_count" in as_read(error)
    assert store.history("agency", "mine-2")["_revision"].tolist() == [1]
    at.text_input(key="review_value__staff_count").input("88")
    at.text_input(key="review_fix_note").input("counted again on the phone")
    at.button(key="review_fix").click().run()
    assert texts(at, "success") == ["Correction saved as revision 2."]
    row = store.read("agency").set_index("_response_id").loc["mine-2"]
    assert (row["staff_count"], row["_status"], row["_editor"], row["_note"]) == (
        88, "submitted", "sup1", "counted again on the phone")
    assert [e["user"] for e in store.audit.entries() if e["action"] == "revise"] == ["sup1"]


def test_the_queue_filters_and_the_answers_in_the_chosen_language(data_dir):
    store = seed_store(data_dir)
    store.set_status("agency", "theirs-1", "approved", editor="sup2")
    at = review(data_dir)
    assert choices(at) == ["mine-1", "mine-2"]   # approved ones are not waiting
    at.multiselect(key="review_status").set_value(["approved"]).run()
    assert choices(at) == ["theirs-1"]
    at.multiselect(key="review_status").set_value(["submitted", "approved"]).run()
    at.multiselect(key="review_enumerator").set_value(["enum02"]).run()
    assert choices(at) == ["theirs-1"]
    at.multiselect(key="review_enumerator").set_value([]).run()
    at.multiselect(key="review_area").set_value([AGENCY[0]["agency"]]).run()
    assert choices(at) == ["mine-1"]
    at.radio(key="lang").set_value("id").run()
    tables = [d.value for d in at.table if list(d.value.columns) == ["Pertanyaan", "Jawaban"]]
    answers = dict(zip(*[sum((list(t[c]) for t in tables), []) for c in ("Pertanyaan", "Jawaban")]))
    answers = {question: as_read(answer) for question, answer in answers.items()}   # answers are literal Markdown
    agency = store.instrument("agency").question("agency")
    assert answers[agency.label["id"]] == agency.choices[AGENCY[0]["agency"]]["id"]
    assert answers["Jumlah pegawai OPD (ASN dan non-ASN)"] == str(AGENCY[0]["staff_count"])


def test_the_flag_filter_shows_only_flagged_interviews(data_dir):
    import datetime as dt
    store = ResponseStore(data_dir)
    now = dt.datetime.now(dt.timezone.utc)
    for i, answers in enumerate(generate("agency", 6, seed=3)):
        minutes = 2 if i == 4 else 30   # the agency questionnaire's quality block: at least 5 minutes
        store.submit("agency", answers, enumerator="enum01", response_id=f"ag-{i}",
                     started_at=now - dt.timedelta(minutes=minutes))
    at = review(data_dir)
    at.multiselect(key="review_flag").set_value(["too_fast"]).run()
    assert choices(at) == ["ag-4"]
    assert any("Too fast" in w and "2.0 min" in as_read(w) for w in texts(at, "warning"))


def test_sent_back_lists_the_enumerators_rejected_interviews_with_the_comment(data_dir):
    from ui.entry.submissions import sent_back

    store = seed_store(data_dir)
    store.set_status("agency", "mine-2", "rejected", editor="sup1", note="photo of the LAN?")
    store.set_status("agency", "theirs-1", "rejected", editor="sup1")
    back = sent_back(store, "enum01")
    assert back[["response_id", "note", "editor", "status"]].values.tolist() == [
        ["mine-2", "photo of the LAN?", "sup1", "rejected"]]
    assert sent_back(store, "nobody").empty


def test_the_queue_and_the_revisions_are_summary_tables_with_their_downloads(data_dir):
    """Issue 23, item 1: labels in the chosen language, times in WIB, CSV/Excel/printable files under each."""
    seed_store(data_dir)
    at = choose(review(data_dir), "mine-1")
    keys = {b.key for b in at.get("download_button")}
    assert {f"{key}_{fmt}" for key in ("review_queue", "review_revisions") for fmt in ("csv", "xlsx", "html")} <= keys
    at.radio(key="lang").set_value("id").run()
    queue = next(d.value for d in at.dataframe if "ID respons" in d.value.columns)
    assert list(queue.columns[:3]) == ["ID respons", "Waktu (WIB)", "Pencacah"]
    drawn = next(d for d in at.dataframe if "ID respons" in d.value.columns)
    pinned = [name for name, c in json.loads(drawn.proto.columns).items() if c.get("pinned")]
    assert pinned == ["ID respons"]   # kept in view on a phone while the other columns scroll
    assert queue["ID respons"].tolist() == ["mine-1", "theirs-1", "mine-2"]
    assert queue["Status"].tolist() == ["terkirim"] * 3 and all(w.endswith(" WIB") for w in queue["Waktu (WIB)"])
    revisions = at.dataframe[-1].value
    assert list(revisions.columns[:2]) == ["Revisi", "Jawaban yang berubah (lama → baru)"]
    csv = next(b for b in at.get("download_button") if b.key == "review_queue_csv")
    assert csv.proto.label == "CSV"


def test_a_rerun_draws_the_queue_again_without_building_or_writing_it_again(data_dir, monkeypatch):
    """A refresh of a queue of 100,000 interviews built its table and wrote its text again (1.2 s,
    issue 22, section 3): now once per state of the store, filters and language."""
    from analysis.tables.summary_table import SummaryTable

    written = []
    real = SummaryTable.to_frame

    def counting(self, lang, formatted=False):
        written.append((self.kind, lang)) if self.kind == "queue" else None
        return real(self, lang, formatted)
    monkeypatch.setattr(SummaryTable, "to_frame", counting)
    store = seed_store(data_dir)
    at = review(data_dir)
    once = len(written)
    assert once >= 1
    at.run()
    at.run()
    assert len(written) == once and choices(at) == ["mine-1", "theirs-1", "mine-2"]
    at.multiselect(key="review_enumerator").set_value(["enum02"]).run()   # other filters: another table
    assert len(written) == once + 1 and choices(at) == ["theirs-1"]
    at.multiselect(key="review_enumerator").set_value([]).run()            # back: the table kept
    assert len(written) == once + 1 and choices(at) == ["mine-1", "theirs-1", "mine-2"]
    store.set_status("agency", "theirs-1", "approved", editor="sup2")   # a new state of the store
    at.run()
    assert choices(at) == ["mine-1", "mine-2"] and len(written) == once + 2
    assert at.dataframe[0].value.shape[0] == 2


def test_the_queue_order_equals_pandas_stable_sort_with_gaps_and_ties():
    """Issue 22, section 3: the queue is sorted by Arrow (half the time of pandas' two-column sort)."""
    from ui.supervision.monitor_data import oldest_first

    at = pd.to_datetime(["2024-07-02 08:00", None, "2024-07-01 09:00", "2024-07-02 08:00", None, "2024-07-01 09:00"],
                        utc=True).astype("datetime64[us, UTC]")
    queue = pd.DataFrame({"submitted_at": at, "_response_id": pd.Series(["b", "z", "c", "a", "y", "c"], dtype="str"),
                          "n": range(6)})
    expected = queue.sort_values(["submitted_at", "_response_id"], kind="stable")
    pd.testing.assert_frame_equal(queue.take(oldest_first(queue)), expected)
    assert expected["n"].tolist() == [2, 5, 3, 0, 4, 1]
