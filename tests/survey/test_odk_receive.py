"""A Collect submission read and stored in process: ids, namespaces, rosters, edits of unknown responses."""

from __future__ import annotations

import pytest

from analysis.export.xlsform.xform import xform
from survey import ResponseStore, load_instrument
from survey.odk import instance as odk_instance
from survey.odk.inbox import Inbox
from survey.odk.receive import receive
from survey.simulate import generate
from tests.support.odk import instance


def test_response_ids_from_instance_ids():
    assert odk_instance.response_id_for("uuid:0F8FAD5B-D9CB-469F-A165-70867728950E") == \
        "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert odk_instance.response_id_for("kobo_123") == "kobo_123"
    odd = odk_instance.response_id_for("collect:IYcBg5c7lCnPpvIm / ../x")
    assert odd == odk_instance.response_id_for("collect:IYcBg5c7lCnPpvIm / ../x")  # the same every time
    assert odd.startswith("odk-") and odd != odk_instance.response_id_for("collect:other")


def test_a_household_with_its_roster_in_the_xforms_namespace(tmp_path):
    """An instance whose elements carry the XForms default namespace (as some clients write them) reads alike."""
    store = ResponseStore(tmp_path)
    answers = generate("household", n=1, seed=31)[0]
    body = instance(xform(load_instrument("household")).xml, answers, "collect:abc/1")
    body = body.replace(b"<data ", b'<data xmlns="http://www.w3.org/2002/xforms" ', 1)
    outcome = receive(store, "enum01", body, {})
    assert outcome.status == 201, outcome.detail
    assert outcome.instance_id == "collect:abc/1"
    rid = odk_instance.response_id_for("collect:abc/1")
    assert store.read("household")["_response_id"].tolist() == [rid]
    members = store.read("household_members")
    assert len(members) == len(answers["members"])
    chosen = [m.get("internet_activities") for m in answers["members"] if m.get("internet_activities")]
    if chosen:  # select_multiple back as the list of names
        assert sorted(members["internet_activities"].dropna().iloc[0]) == sorted(chosen[0])


@pytest.mark.parametrize("body, words", [
    (b"", "not well-formed"),
    (b"<data><x/></data>", "no form id"),
    (b'<data id="agency" version="2"><meta/></data>', "instanceID"),
])
def test_what_cannot_be_read_is_kept_with_its_reason(tmp_path, body, words):
    outcome = receive(ResponseStore(tmp_path), "enum01", body, {"a.jpg": b"x"})
    assert outcome.status == 400 and words in outcome.detail
    entry = Inbox(tmp_path).get(outcome.inbox_id)
    assert words in entry["reason"] and Inbox(tmp_path).attachment(outcome.inbox_id, "a.jpg") == b"x"


def test_an_edit_of_a_response_not_stored_waits_in_the_inbox(tmp_path):
    store = ResponseStore(tmp_path)
    body = instance(xform(load_instrument("agency")).xml, generate("agency", n=1, seed=2)[0], "uuid:new-1",
                    deprecated_id="uuid:never-sent")
    outcome = receive(store, "enum01", body, {})
    assert outcome.status == 202 and "never-sent" in outcome.detail
    assert Inbox(tmp_path).get(outcome.inbox_id)["revises"] == odk_instance.response_id_for("uuid:never-sent")
