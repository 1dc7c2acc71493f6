"""The ODK inbox on the review page (fix and accept, discard with a note) and its count on the monitor."""

from __future__ import annotations

import uuid

from analysis.export.xlsform.xform import xform
from survey import ResponseStore, load_instrument
from survey.fieldwork.audit_log import AuditLog
from survey.odk.inbox import Inbox
from survey.odk.receive import receive
from survey.simulate import generate
from tests.support.app import open_app
from tests.support.odk import instance


ANSWERS = generate("agency", n=1, seed=21)[0]


def _invalid_agency(data_dir) -> tuple[str, bytes]:
    store = ResponseStore(data_dir)
    answers = {**ANSWERS, "staff_count": -5}  # below its minimum
    body = instance(xform(load_instrument("agency")).xml, answers, f"uuid:{uuid.uuid4()}")
    outcome = receive(store, "enum01", body, {})
    assert outcome.status == 202 and "staff_count" in outcome.detail
    return outcome.inbox_id, body


def _review(data_dir):
    at = open_app(data_dir, "sup1", "supervisor")
    at.switch_page("ui/pages/review.py").run()
    assert not at.exception, at.exception
    return at


def test_a_supervisor_fixes_and_accepts_an_inbox_entry(data_dir):
    entry, body = _invalid_agency(data_dir)
    at = _review(data_dir)
    assert any("ODK inbox: 1" in e.label for e in at.expander)
    assert at.selectbox(key="inbox_instrument").value == "agency"
    at.button(key="inbox_accept").click().run()  # unchanged: still invalid, nothing stored
    assert any("still not valid" in e.value for e in at.error)
    assert Inbox(data_dir).count() == 1
    right = ANSWERS["staff_count"]
    fixed = body.decode().replace("<staff_count>-5</staff_count>", f"<staff_count>{right}</staff_count>")
    at.text_area(key=f"inbox_xml__{entry}").set_value(fixed)
    at.button(key="inbox_accept").click().run()
    assert not at.exception, at.exception
    assert any("Accepted and stored" in s.value for s in at.success), [e.value for e in at.error]
    rows = ResponseStore(data_dir).read("agency")
    assert rows["staff_count"].tolist() == [right] and rows["_enumerator"].tolist() == ["enum01"]
    assert Inbox(data_dir).count() == 0
    assert AuditLog(data_dir).entries()[0]["action"] == "inbox_accept"


def test_a_supervisor_discards_with_a_note_and_the_monitor_counts_what_waits(data_dir):
    entry, _ = _invalid_agency(data_dir)
    monitor = open_app(data_dir, "sup1", "supervisor")
    monitor.switch_page("ui/pages/monitor.py").run()
    assert any("1 submission(s) from ODK Collect wait" in w.value for w in monitor.warning)
    at = _review(data_dir)
    at.button(key="inbox_discard").click().run()
    assert any("Write why" in e.value for e in at.error)
    at.text_input(key="inbox_note").input("a test sent by the trainer")
    at.button(key="inbox_discard").click().run()
    assert not at.exception, at.exception
    assert Inbox(data_dir).get(entry)["decision"]["note"] == "a test sent by the trainer"
    monitor.run()
    assert not any("ODK Collect" in w.value for w in monitor.warning)
